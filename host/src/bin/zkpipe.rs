//! `zkpipe`: inspect a device and run kernels on it.
//!
//! ```text
//! zkpipe info --device URI [--json]
//! zkpipe vec  --device URI --op mul|add|sub|powmul --n N [--seed S] [--check] [--json]
//!             [--inject dma-error|stuck|short-stream] [--timeout-ms MS]
//! ```

use ark_bn254::{Fr, FrConfig};
use ark_ff::{Field, UniformRand};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use zkpipe::{Device, Fault, Opcode};

const USAGE: &str = "\
usage:
  zkpipe info --device URI [--json]
  zkpipe vec  --device URI --op mul|add|sub|powmul --n N [--seed S] [--check] [--json]
              [--inject dma-error|stuck|short-stream] [--timeout-ms MS]

URI: sim:<preset> (simulated board, e.g. sim:sim-small) or vfio:<pci address>
     (e.g. vfio:0000:65:00.0; see docs/HARDWARE.md)";

struct Args {
    command: String,
    flags: Vec<(String, Option<String>)>,
}

impl Args {
    fn parse(raw: Vec<String>) -> Result<Args, String> {
        let mut it = raw.into_iter().peekable();
        let command = it.next().ok_or("missing command")?;
        let mut flags = vec![];
        while let Some(flag) = it.next() {
            if !flag.starts_with("--") {
                return Err(format!("unexpected argument `{flag}`"));
            }
            let value = match it.peek() {
                Some(v) if !v.starts_with("--") => it.next(),
                _ => None,
            };
            flags.push((flag[2..].to_string(), value));
        }
        Ok(Args { command, flags })
    }
    fn has(&self, name: &str) -> bool {
        self.flags.iter().any(|(f, _)| f == name)
    }
    fn value(&self, name: &str) -> Result<Option<&str>, String> {
        match self.flags.iter().find(|(f, _)| f == name) {
            None => Ok(None),
            Some((_, Some(v))) => Ok(Some(v)),
            Some((_, None)) => Err(format!("--{name} needs a value")),
        }
    }
    fn required(&self, name: &str) -> Result<&str, String> {
        self.value(name)?
            .ok_or_else(|| format!("--{name} is required"))
    }
    fn check_known(&self, known: &[&str]) -> Result<(), String> {
        for (f, _) in &self.flags {
            if !known.contains(&f.as_str()) {
                return Err(format!("unknown option --{f} for `{}`", self.command));
            }
        }
        Ok(())
    }
}

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw.is_empty() || raw[0] == "-h" || raw[0] == "--help" {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let result = Args::parse(raw).and_then(|args| match args.command.as_str() {
        "info" => info(&args),
        "vec" => vec_cmd(&args),
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(msg) => {
            eprintln!("zkpipe: error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn info(args: &Args) -> Result<bool, String> {
    args.check_known(&["device", "json"])?;
    let device = Device::open(args.required("device")?).map_err(|e| e.to_string())?;
    let c = device.capabilities();
    let k = device.counters().map_err(|e| e.to_string())?;
    if args.has("json") {
        let v = json!({
            "device": device.uri(),
            "id": format!("{:#010x}", zkpipe_hdl::shell::regs::MAGIC),
            "version": format!("{}.{}", c.version >> 16, c.version & 0xFFFF),
            "preset": c.preset,
            "preset_hash": format!("{:#010x}", c.preset_hash),
            "curve": c.curve_name(),
            "scalar_limbs": c.scalar_limbs,
            "base_limbs": c.base_limbs,
            "beat_bits": c.beat_bits,
            "max_count": c.max_count,
            "opcodes": Opcode::ALL.iter().filter(|o| c.opcodes & (1 << **o as u32) != 0).map(|o| o.name()).collect::<Vec<_>>(),
            "latency": c.latency,
            "clock_mhz": c.clock_mhz(),
            "counters": {"busy_cycles": k.busy_cycles, "beats_in": k.beats_in, "beats_out": k.beats_out, "stall_cycles": k.stall_cycles},
        });
        println!("{v}");
    } else {
        println!("device        {}", device.uri());
        println!("register map  v{}.{}", c.version >> 16, c.version & 0xFFFF);
        println!(
            "preset        {} (hash {:#010x})",
            c.preset.unwrap_or("unknown"),
            c.preset_hash
        );
        println!(
            "curve         {} (scalar {} limbs, base {} limbs)",
            c.curve_name(),
            c.scalar_limbs,
            c.base_limbs
        );
        println!("streams       {} bits per beat", c.beat_bits);
        println!(
            "kernels       elementwise: {}",
            Opcode::ALL
                .iter()
                .filter(|o| c.opcodes & (1 << **o as u32) != 0)
                .map(|o| o.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!("job limit     {} elements", c.max_count);
        println!("latency       {} cycles", c.latency);
        println!("clock         {} MHz", c.clock_mhz());
        println!(
            "last job      {} busy cycles, {} beats in, {} out, {} stalled",
            k.busy_cycles, k.beats_in, k.beats_out, k.stall_cycles
        );
    }
    Ok(true)
}

fn vec_cmd(args: &Args) -> Result<bool, String> {
    args.check_known(&[
        "device",
        "op",
        "n",
        "seed",
        "check",
        "json",
        "inject",
        "timeout-ms",
    ])?;
    let uri = args.required("device")?;
    let op = match args.required("op")? {
        "mul" => Opcode::Mul,
        "add" => Opcode::Add,
        "sub" => Opcode::Sub,
        "powmul" => Opcode::PowMul,
        other => return Err(format!("unknown --op `{other}` (mul, add, sub, powmul)")),
    };
    let n: usize = args
        .required("n")?
        .parse()
        .map_err(|_| "--n must be a number".to_string())?;
    let seed: u64 = match args.value("seed")? {
        Some(s) => s
            .parse()
            .map_err(|_| "--seed must be a number".to_string())?,
        None => 1,
    };
    let device = Device::open(uri).map_err(|e| e.to_string())?;
    if let Some(ms) = args.value("timeout-ms")? {
        let ms: u64 = ms
            .parse()
            .map_err(|_| "--timeout-ms must be a number".to_string())?;
        device.set_timeout(Some(Duration::from_millis(ms)));
    }
    if let Some(fault) = args.value("inject")? {
        let fault: Fault = fault.parse()?;
        device.inject_fault(fault).map_err(|e| e.to_string())?;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let a: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
    let b: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
    let g = Fr::rand(&mut rng);

    let running = AtomicBool::new(true);
    let result = std::thread::scope(|s| {
        if std::io::stderr().is_terminal() {
            s.spawn(|| progress(&running, uri, op, n));
        }
        let r = match op {
            Opcode::PowMul => device.powmul::<FrConfig>(&a, g),
            _ => device.elementwise::<FrConfig>(op, &a, Some(&b), None),
        };
        running.store(false, Ordering::Relaxed);
        r
    });
    let (r, report) = result.map_err(|e| e.to_string())?;
    let check_start = Instant::now();
    let ok = if args.has("check") {
        let expected: Vec<Fr> = match op {
            Opcode::Mul => a.iter().zip(&b).map(|(x, y)| x * y).collect(),
            Opcode::Add => a.iter().zip(&b).map(|(x, y)| x + y).collect(),
            Opcode::Sub => a.iter().zip(&b).map(|(x, y)| x - y).collect(),
            Opcode::PowMul => {
                let mut p = Fr::ONE;
                a.iter()
                    .map(|x| {
                        let v = *x * p;
                        p *= g;
                        v
                    })
                    .collect()
            }
        };
        r == expected
    } else {
        true
    };
    let check_s = check_start.elapsed().as_secs_f64();
    let c = report.counters;
    let utilisation = if c.busy_cycles > 0 {
        c.beats_in as f64 / c.busy_cycles as f64
    } else {
        0.0
    };
    if args.has("json") {
        println!(
            "{}",
            json!({
                "ok": ok,
                "checked": args.has("check"),
                "device": device.uri(),
                "op": op.name(),
                "n": n,
                "cycles": c.busy_cycles,
                "stall_cycles": c.stall_cycles,
                "beats_in": c.beats_in,
                "beats_out": c.beats_out,
                "beats_per_cycle": utilisation,
                "sim_cycles": report.sim_cycles,
                "clock_mhz": report.clock_mhz,
                "projected_s": report.projected_s,
                "host_s": report.host_s,
                "check_s": check_s,
            })
        );
    } else {
        println!(
            "{} {} × {n} on {}",
            if ok { "ok" } else { "MISMATCH" },
            op.name(),
            device.uri()
        );
        println!(
            "device cycles  {} busy ({} stalled), {:.3} beats/cycle",
            c.busy_cycles, c.stall_cycles, utilisation
        );
        if let Some(sc) = report.sim_cycles {
            println!("simulated      {sc} cycles including BAR accesses and DMA setup");
        }
        println!(
            "projected      {:.3e} s at {} MHz",
            report.projected_s, report.clock_mhz
        );
        println!("host           {:.3} s", report.host_s);
        if args.has("check") {
            println!(
                "check          against arkworks in {:.3} s: {}",
                check_s,
                if ok { "equal" } else { "DIFFERENT" }
            );
        }
    }
    if !ok {
        eprintln!("zkpipe: error: the device's results differ from arkworks");
    }
    Ok(ok)
}

fn progress(running: &AtomicBool, uri: &str, op: Opcode, n: usize) {
    let start = Instant::now();
    let mut shown = false;
    while running.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(200));
        if start.elapsed() > Duration::from_millis(500) {
            eprint!(
                "\r{} {} × {n} on {uri}: {:.1} s",
                if uri.starts_with("sim:") {
                    "simulating"
                } else {
                    "running"
                },
                op.name(),
                start.elapsed().as_secs_f64()
            );
            shown = true;
        }
    }
    if shown {
        eprintln!();
    }
}
