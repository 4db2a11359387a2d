//! `zkpipe`: inspect a device and run kernels on it.
//!
//! ```text
//! zkpipe info --device URI [--json]
//! zkpipe vec  --device URI --op mul|add|sub|powmul --n N [--seed S] [--check] [--json]
//!             [--inject dma-error|stuck|short-stream] [--timeout-ms MS]
//! zkpipe ntt  --device URI|cpu --log-n N [--inverse] [--coset] [--batch B] [--seed S]
//!             [--check] [--json]
//! zkpipe msm  --device URI|cpu --n N [--curve bn254|bls12-381]
//!             [--scalars random|zero|max|same-bucket] [--resident] [--seed S] [--check] [--json]
//! zkpipe prove --device URI|cpu --circuit mimc --constraints N [--curve bn254|bls12-381]
//!             [--verify] [--seed S] [--json]
//! ```

use ark_bn254::{Fr, FrConfig};
use ark_ec::pairing::Pairing;
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ec::{CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::{AdditiveGroup, FftField, Field, PrimeField, UniformRand};
use ark_groth16::Groth16;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use zkpipe::backend::cpu::ark_ntt;
use zkpipe::backend::{self, Backend, BoardBackend};
use zkpipe::groth16::{self, circuits::MimcChain, ProveOptions};
use zkpipe::msm::BoardCurve;
use zkpipe::ntt::{self, Coset, Direction, EngineStats, Factor, NttEngine, NttJob};
use zkpipe::{Device, Fault, Opcode};

const USAGE: &str = "\
usage:
  zkpipe info --device URI [--json]
  zkpipe vec  --device URI --op mul|add|sub|powmul --n N [--seed S] [--check] [--json]
              [--inject dma-error|stuck|short-stream] [--timeout-ms MS]
  zkpipe ntt  --device URI|cpu --log-n N [--inverse] [--coset] [--batch B] [--seed S]
              [--check] [--json]
  zkpipe msm  --device URI|cpu --n N [--curve bn254|bls12-381]
              [--scalars random|zero|max|same-bucket] [--resident] [--seed S] [--check] [--json]
  zkpipe prove --device URI|cpu --circuit mimc --constraints N [--curve bn254|bls12-381]
              [--verify] [--seed S] [--json]

URI: cpu (ntt, msm, prove: arkworks on this machine, for comparison), sim:<preset> (simulated board, e.g. sim:sim-small) or vfio:<pci address>
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
        "ntt" => ntt_cmd(&args),
        "msm" => msm_cmd(&args),
        "prove" => prove_cmd(&args),
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
            "ntt": {"log_core_size": c.ntt_log_size, "twiddle_log": c.ntt_twiddle_log, "cores": c.ntt_cores},
            "msm": {"window_bits": c.msm_window_bits, "windows": c.msm_windows, "adders": c.msm_adders, "resident_bases": c.msm_bases},
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
            "opcodes       {}",
            Opcode::ALL
                .iter()
                .filter(|o| c.opcodes & (1 << **o as u32) != 0)
                .map(|o| o.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
        if c.ntt_log_size > 0 {
            println!(
                "ntt           core 2^{} ({} core), four-step up to 2^{} (beyond: host radix-2 steps)",
                c.ntt_log_size, c.ntt_cores, c.ntt_twiddle_log
            );
        } else {
            println!("ntt           none");
        }
        if c.msm_window_bits > 0 {
            println!(
                "msm           c = {}, {} windows, {} adder, {} resident bases",
                c.msm_window_bits, c.msm_windows, c.msm_adders, c.msm_bases
            );
        } else {
            println!("msm           none");
        }
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
            s.spawn(|| progress(&running, uri, &format!("{} × {n}", op.name())));
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
            _ => {
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

fn progress(running: &AtomicBool, uri: &str, what: &str) {
    let start = Instant::now();
    let mut shown = false;
    while running.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(200));
        if start.elapsed() > Duration::from_millis(500) {
            eprint!(
                "\r{} {what} on {uri}: {:.1} s",
                if uri.starts_with("sim:") {
                    "simulating"
                } else {
                    "running"
                },
                start.elapsed().as_secs_f64()
            );
            shown = true;
        }
    }
    if shown {
        eprintln!();
    }
}

fn ntt_cmd(args: &Args) -> Result<bool, String> {
    args.check_known(&[
        "device", "log-n", "inverse", "coset", "batch", "seed", "check", "json",
    ])?;
    let uri = args.required("device")?;
    let number = |name: &str, default: Option<u64>| -> Result<u64, String> {
        match args.value(name)? {
            Some(v) => v.parse().map_err(|_| format!("--{name} must be a number")),
            None => default.ok_or_else(|| format!("--{name} is required")),
        }
    };
    let log_n = number("log-n", None)?;
    if log_n > u64::from(Fr::TWO_ADICITY) {
        return Err(format!(
            "--log-n {log_n}: BN254's scalar field has NTTs of at most 2^{} points",
            Fr::TWO_ADICITY
        ));
    }
    let n = 1usize << log_n;
    let batch = number("batch", Some(1))?.max(1) as usize;
    let seed = number("seed", Some(1))?;
    let direction = if args.has("inverse") {
        Direction::Inverse
    } else {
        Direction::Forward
    };
    let coset = if args.has("coset") {
        Coset::Offset(Fr::GENERATOR)
    } else {
        Coset::None
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let input: Vec<Vec<Fr>> = (0..batch)
        .map(|_| (0..n).map(|_| Fr::rand(&mut rng)).collect())
        .collect();
    let label = format!(
        "{} NTT{} of 2^{log_n}{}",
        if direction == Direction::Inverse {
            "inverse"
        } else {
            "forward"
        },
        if batch > 1 {
            format!(" ×{batch}")
        } else {
            String::new()
        },
        if args.has("coset") { " on a coset" } else { "" },
    );
    let started = Instant::now();
    let mut output = input.clone();
    let mut stats = EngineStats::default();
    let mut transpose_s = 0.0;
    let mut butterfly_s = 0.0;
    let mut device_uri = uri.to_string();
    let mut clock_mhz = None;
    if uri == "cpu" {
        for y in &mut output {
            ark_ntt(y, direction, coset).map_err(|e| e.to_string())?;
        }
    } else {
        let device = Device::open(uri).map_err(|e| e.to_string())?;
        device_uri = device.uri().to_string();
        clock_mhz = Some(device.capabilities().clock_mhz());
        let running = AtomicBool::new(true);
        let result = std::thread::scope(|s| {
            if std::io::stderr().is_terminal() {
                s.spawn(|| progress(&running, uri, &label));
            }
            let r = run_ntts(&device, &mut output, direction, coset);
            running.store(false, Ordering::Relaxed);
            r
        });
        (stats, transpose_s, butterfly_s) = result.map_err(|e| e.to_string())?;
    }
    let host_s = started.elapsed().as_secs_f64();
    let check_start = Instant::now();
    let ok = if args.has("check") && uri != "cpu" {
        let mut expected = input.clone();
        for y in &mut expected {
            ark_ntt(y, direction, coset).map_err(|e| e.to_string())?;
        }
        expected == output
    } else {
        true
    };
    let check_s = check_start.elapsed().as_secs_f64();
    if args.has("json") {
        println!(
            "{}",
            json!({
                "ok": ok,
                "checked": args.has("check") && uri != "cpu",
                "device": device_uri,
                "log_n": log_n,
                "batch": batch,
                "inverse": direction == Direction::Inverse,
                "coset": args.has("coset"),
                "jobs": stats.jobs,
                "cycles": stats.busy_cycles,
                "elements_streamed": stats.elements,
                "utilisation": stats.utilisation(),
                "sim_cycles": stats.sim_cycles,
                "clock_mhz": clock_mhz,
                "projected_s": clock_mhz.map(|_| stats.projected_s),
                "transpose_s": transpose_s,
                "butterfly_s": butterfly_s,
                "host_s": host_s,
                "check_s": check_s,
            })
        );
    } else {
        println!(
            "{} {label} on {device_uri}",
            if ok { "ok" } else { "MISMATCH" }
        );
        if let Some(mhz) = clock_mhz {
            println!(
                "device cycles  {} busy over {} jobs, utilisation {:.3} ({} elements streamed)",
                stats.busy_cycles,
                stats.jobs,
                stats.utilisation(),
                stats.elements
            );
            if let Some(sc) = stats.sim_cycles {
                println!("simulated      {sc} cycles including BAR accesses and DMA setup");
            }
            println!("projected      {:.3e} s at {mhz} MHz", stats.projected_s);
            println!("transposes     {transpose_s:.3} s on the host");
            if butterfly_s > 0.0 {
                println!("radix-2 steps  {butterfly_s:.3} s on the host (n beyond the card)");
            }
        }
        println!("host           {host_s:.3} s");
        if args.has("check") && uri != "cpu" {
            println!(
                "check          against ark-poly in {check_s:.3} s: {}",
                if ok { "equal" } else { "DIFFERENT" }
            );
        }
    }
    if !ok {
        eprintln!("zkpipe: error: the device's results differ from ark-poly");
    }
    Ok(ok)
}

/// Runs the NTTs: a plain batch of core-sized (or smaller) NTTs in one job, back to back;
/// anything else one transform at a time.
fn run_ntts(
    device: &Device,
    data: &mut [Vec<Fr>],
    direction: Direction,
    coset: Coset<Fr>,
) -> zkpipe::Result<(EngineStats, f64, f64)> {
    let n = data[0].len();
    let core = NttEngine::<Fr>::core_log_size(device);
    let mut stats = EngineStats::default();
    let (mut transpose_s, mut butterfly_s) = (0.0, 0.0);
    let fits = n > 1
        && n.is_power_of_two()
        && n.trailing_zeros() <= core
        && data.len() * n <= NttEngine::<Fr>::max_job(device);
    if data.len() > 1 && coset == Coset::None && fits {
        let mut flat = data.concat();
        let job = NttJob {
            log_n: n.trailing_zeros(),
            direction,
            factor: Factor::Plain,
        };
        stats.add(&NttEngine::<Fr>::run(device, &mut flat, &job)?);
        for (y, chunk) in data.iter_mut().zip(flat.chunks(n)) {
            y.copy_from_slice(chunk);
        }
    } else {
        for y in data {
            let report = ntt::ntt(device, y, direction, coset)?;
            stats.add(&report.device);
            transpose_s += report.transpose_s;
            butterfly_s += report.butterfly_s;
        }
    }
    Ok((stats, transpose_s, butterfly_s))
}

fn msm_cmd(args: &Args) -> Result<bool, String> {
    args.check_known(&[
        "device", "curve", "n", "scalars", "resident", "seed", "check", "json",
    ])?;
    match args.value("curve")?.unwrap_or("bn254") {
        "bn254" => msm_on::<ark_bn254::g1::Config>(args),
        "bls12-381" => msm_on::<ark_bls12_381::g1::Config>(args),
        other => Err(format!("unknown --curve `{other}` (bn254, bls12-381)")),
    }
}

/// Distinct bases cheaply: P_i = P_0 + i·Q for random P_0, Q (one addition each).
fn msm_bases<P: BoardCurve>(n: usize, rng: &mut ChaCha8Rng) -> Vec<Affine<P>> {
    let g = Projective::<P>::generator();
    let q = g * P::ScalarField::rand(rng);
    let mut p = g * P::ScalarField::rand(rng);
    let mut points = Vec::with_capacity(n);
    for _ in 0..n {
        points.push(p);
        p += q;
    }
    Projective::normalize_batch(&points)
}

fn msm_on<P: BoardCurve>(args: &Args) -> Result<bool, String> {
    let uri = args.required("device")?;
    let number = |name: &str, default: Option<u64>| -> Result<u64, String> {
        match args.value(name)? {
            Some(v) => v.parse().map_err(|_| format!("--{name} must be a number")),
            None => default.ok_or_else(|| format!("--{name} is required")),
        }
    };
    let n = number("n", None)? as usize;
    let seed = number("seed", Some(1))?;
    let kind = args.value("scalars")?.unwrap_or("random");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let scalars: Vec<P::ScalarField> = match kind {
        "random" => (0..n).map(|_| P::ScalarField::rand(&mut rng)).collect(),
        "zero" => vec![P::ScalarField::ZERO; n],
        "max" => vec![-P::ScalarField::ONE; n],
        // 0x1B in every byte (below r on both curves): the same bucket in every window.
        "same-bucket" => vec![P::ScalarField::from_le_bytes_mod_order(&[0x1B; 32]); n],
        other => {
            return Err(format!(
                "unknown --scalars `{other}` (random, zero, max, same-bucket)"
            ))
        }
    };
    let bases = msm_bases::<P>(n, &mut rng);
    let label = format!("MSM of {n} points ({kind} scalars, {})", P::CURVE.name());
    let started = Instant::now();
    let mut report = None;
    let mut caps = None;
    let mut load_s = None;
    let sum = if uri == "cpu" {
        Projective::<P>::msm(&bases, &scalars).map_err(|e| format!("{e}"))?
    } else {
        let device = Device::open(uri).map_err(|e| e.to_string())?;
        caps = Some(device.capabilities().clone());
        let running = AtomicBool::new(true);
        let result = std::thread::scope(|s| {
            if std::io::stderr().is_terminal() {
                s.spawn(|| progress(&running, uri, &label));
            }
            let r = if args.has("resident") && n > 0 {
                let t = Instant::now();
                device.load_bases(&bases).and_then(|handle| {
                    load_s = Some(t.elapsed().as_secs_f64());
                    device.msm_resident(&handle, &scalars)
                })
            } else {
                device.msm(&bases, &scalars)
            };
            running.store(false, Ordering::Relaxed);
            r
        });
        let (sum, r) = result.map_err(|e| e.to_string())?;
        report = Some(r);
        sum
    };
    let host_s = started.elapsed().as_secs_f64() - load_s.unwrap_or(0.0);
    let checked = args.has("check") && uri != "cpu";
    let check_start = Instant::now();
    let ok = !checked || Projective::<P>::msm(&bases, &scalars).ok() == Some(sum);
    let check_s = check_start.elapsed().as_secs_f64();
    let windows = caps.as_ref().map_or(0, |c| c.msm_windows as usize);
    let per_point_window = report
        .as_ref()
        .map(|r| r.accum_cycles as f64 / (n.max(1) * windows.max(1)) as f64);
    if args.has("json") {
        let r = report.unwrap_or_default();
        println!(
            "{}",
            json!({
                "ok": ok,
                "checked": checked,
                "device": uri,
                "curve": P::CURVE.name(),
                "n": n,
                "scalars": kind,
                "resident": args.has("resident"),
                "window_bits": caps.as_ref().map(|c| c.msm_window_bits),
                "windows": caps.as_ref().map(|c| c.msm_windows),
                "cycles": report.as_ref().map(|r| r.busy_cycles),
                "accum_cycles": report.as_ref().map(|r| r.accum_cycles),
                "adds": report.as_ref().map(|r| r.adds),
                "deferrals": report.as_ref().map(|r| r.deferrals),
                "utilisation": report.as_ref().map(|r| r.utilisation()),
                "cycles_per_point_window": per_point_window,
                "load_jobs": r.load_jobs,
                "run_jobs": r.run_jobs,
                "sim_cycles": r.sim_cycles,
                "clock_mhz": caps.as_ref().map(|c| c.clock_mhz()),
                "projected_s": report.as_ref().map(|r| r.projected_s),
                "reduce_s": report.as_ref().map(|r| r.reduce_s),
                "load_s": load_s,
                "host_s": host_s,
                "check_s": check_s,
            })
        );
    } else {
        println!("{} {label} on {uri}", if ok { "ok" } else { "MISMATCH" });
        if let (Some(r), Some(c)) = (&report, &caps) {
            println!(
                "device cycles  {} busy over {} run / {} load jobs (c = {}, {} windows)",
                r.busy_cycles, r.run_jobs, r.load_jobs, c.msm_window_bits, c.msm_windows
            );
            println!(
                "accumulation   {} cycles, {} additions, utilisation {:.3}, {} deferrals, {:.3} cycles per point per window",
                r.accum_cycles,
                r.adds,
                r.utilisation(),
                r.deferrals,
                per_point_window.unwrap_or(0.0)
            );
            if let Some(sc) = r.sim_cycles {
                println!("simulated      {sc} cycles including BAR accesses and DMA setup");
            }
            println!(
                "projected      {:.3e} s at {} MHz",
                r.projected_s,
                c.clock_mhz()
            );
            println!("reduction      {:.3} s on the host", r.reduce_s);
        }
        if let Some(l) = load_s {
            println!("load bases     {l:.3} s (once; later calls stream scalars only)");
        }
        println!("host           {host_s:.3} s");
        if checked {
            println!(
                "check          against arkworks in {check_s:.3} s: {}",
                if ok { "equal" } else { "DIFFERENT" }
            );
        }
    }
    if !ok {
        eprintln!("zkpipe: error: the device's MSM differs from arkworks");
    }
    Ok(ok)
}

fn prove_cmd(args: &Args) -> Result<bool, String> {
    args.check_known(&[
        "device",
        "circuit",
        "constraints",
        "curve",
        "verify",
        "seed",
        "json",
    ])?;
    match args.value("curve")?.unwrap_or("bn254") {
        "bn254" => prove_on::<ark_bn254::Bn254>(args),
        "bls12-381" => prove_on::<ark_bls12_381::Bls12_381>(args),
        other => Err(format!("unknown --curve `{other}` (bn254, bls12-381)")),
    }
}

fn prove_on<E: Pairing>(args: &Args) -> Result<bool, String>
where
    BoardBackend: Backend<E>,
{
    let uri = args.required("device")?;
    match args.value("circuit")?.unwrap_or("mimc") {
        "mimc" => {}
        other => return Err(format!("unknown --circuit `{other}` (built in: mimc)")),
    }
    let constraints: usize = args
        .required("constraints")?
        .parse()
        .map_err(|_| "--constraints must be a number".to_string())?;
    if !(2..=1 << 24).contains(&constraints) {
        return Err("--constraints must be between 2 and 2^24".into());
    }
    let seed: u64 = match args.value("seed")? {
        Some(s) => s
            .parse()
            .map_err(|_| "--seed must be a number".to_string())?,
        None => 1,
    };
    let backend = backend::open::<E>(uri).map_err(|e| e.to_string())?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let circuit = MimcChain::with_constraints(E::ScalarField::rand(&mut rng), constraints);
    let running = AtomicBool::new(true);
    let stage = std::sync::Mutex::new("generating the proving key (CPU)");
    let setup_start = Instant::now();
    let result = std::thread::scope(|s| {
        if std::io::stderr().is_terminal() {
            s.spawn(|| {
                let start = Instant::now();
                while running.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    eprint!(
                        "\r{}: {:.1} s          ",
                        stage.lock().unwrap(),
                        start.elapsed().as_secs_f64()
                    );
                }
                eprintln!();
            });
        }
        let r = (|| {
            let pk =
                Groth16::<E>::generate_random_parameters_with_reduction(circuit.clone(), &mut rng)
                    .map_err(|e| e.to_string())?;
            let setup_s = setup_start.elapsed().as_secs_f64();
            *stage.lock().unwrap() = "proving";
            let (r, s) = (
                E::ScalarField::rand(&mut rng),
                E::ScalarField::rand(&mut rng),
            );
            let options = ProveOptions {
                verify: args.has("verify"),
            };
            let (proof, report) =
                groth16::prove(backend.as_ref(), &pk, circuit.clone(), r, s, options)
                    .map_err(|e| e.to_string())?;
            Ok::<_, String>((pk, proof, report, setup_s))
        })();
        running.store(false, Ordering::Relaxed);
        r
    });
    let (_pk, _proof, report, setup_s) = result?;
    let b = &report.backend;
    if args.has("json") {
        println!(
            "{}",
            json!({
                "ok": true,
                "device": backend.describe(),
                "circuit": "mimc",
                "constraints": report.constraints,
                "domain_size": report.domain_size,
                "verified": report.verified,
                "setup_s": setup_s,
                "total_s": report.total.as_secs_f64(),
                "ntt_s": b.ntt_time.as_secs_f64(),
                "ntt_host_steps_s": b.ntt_host_time.as_secs_f64(),
                "ntt_calls": b.ntt_calls,
                "msm_g1_s": b.msm_g1_time.as_secs_f64(),
                "msm_g2_s": b.msm_g2_time.as_secs_f64(),
                "elementwise_s": b.elementwise_time.as_secs_f64(),
                "host_s": report.host.as_secs_f64(),
                "verify_s": report.verify.as_secs_f64(),
                "device_jobs": b.device.jobs,
                "device_cycles": b.device.busy_cycles,
                "device_projected_s": b.device.projected_s,
                "msm_adds": b.msm_device.adds,
                "msm_reduce_s": b.msm_device.reduce_s,
                "projected_card_s": report.projected_card_s(),
            })
        );
    } else {
        println!(
            "proof of {} constraints (mimc, domain 2^{}) on {}{}",
            report.constraints,
            report.domain_size.trailing_zeros(),
            backend.describe(),
            if report.verified { ": verified" } else { "" }
        );
        println!("key setup      {setup_s:.3} s (CPU, not part of proving)");
        println!("total          {:.3} s", report.total.as_secs_f64());
        println!(
            "  NTT          {:.3} s ({} calls)",
            b.ntt_time.as_secs_f64(),
            b.ntt_calls
        );
        println!(
            "  MSM G1       {:.3} s ({} calls{})",
            b.msm_g1_time.as_secs_f64(),
            b.msm_g1_calls,
            if b.msm_device.run_jobs > 0 {
                ", on the card"
            } else {
                ""
            }
        );
        println!(
            "  MSM G2       {:.3} s ({} call, host CPU)",
            b.msm_g2_time.as_secs_f64(),
            b.msm_g2_calls
        );
        println!("  pointwise    {:.3} s", b.elementwise_time.as_secs_f64());
        println!(
            "  host         {:.3} s (synthesis, matrix products, group sums)",
            report.host.as_secs_f64()
        );
        if report.verified {
            println!("  verify       {:.3} s", report.verify.as_secs_f64());
        }
        if let Some(card_s) = report.projected_card_s() {
            println!(
                "device         {} jobs, {} busy cycles, projected {:.3e} s at the card's clock",
                b.device.jobs, b.device.busy_cycles, b.device.projected_s
            );
            println!(
                "host on a card {:.3} s NTT steps, {:.3} s bucket reduction, {:.3} s G2 MSM",
                b.ntt_host_time.as_secs_f64(),
                b.msm_device.reduce_s,
                b.msm_g2_time.as_secs_f64()
            );
            println!("projected      {card_s:.3} s for this proof on the card");
        }
    }
    Ok(true)
}
