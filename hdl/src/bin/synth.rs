//! `synth`: generate the Verilog and manifest of a preset.
//!
//! ```text
//! cargo run --release --bin synth [-- --preset NAME] [--out DIR] [--list]
//! ```

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use zkpipe_hdl::preset::{Preset, DEFAULT_PRESET, PRESETS};
use zkpipe_hdl::synth::{write_preset, SynthOptions};

/// Generates the Verilog of a preset (every top as `<module>.v`, module `top`) plus
/// manifest.json (preset, field constants, per-module latency, ports, tile counts).
#[derive(Parser, Debug)]
#[command(name = "synth", version, about)]
struct Args {
    /// Preset to generate (see --list).
    #[arg(long, default_value = DEFAULT_PRESET)]
    preset: String,
    /// Output folder [default: bitstreams/<preset>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the presets and exit.
    #[arg(long)]
    list: bool,
    /// Also measure LUT/FF/CARRY and the longest path of each distinct module with yosys
    /// (synth_xilinx -family xcup; ~10 minutes per 256-bit MontMul, ~45 per 384-bit).
    #[arg(long)]
    yosys: bool,
    /// With --yosys, measure only this module (as named in resources.json; repeatable).
    #[arg(long, value_name = "MODULE")]
    yosys_only: Vec<String>,
    /// Write everything even if the board does not fit its part (still exits 1).
    #[arg(long)]
    keep_going: bool,
    /// Record a yosys run made by hand (`MODULE=DIR`, DIR holding its stat.txt and
    /// ltp.txt) for this preset's module MODULE, then exit.
    #[arg(long, value_name = "MODULE=DIR")]
    record: Option<String>,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("synth: error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    if args.list {
        for p in PRESETS {
            let default = if p.name == DEFAULT_PRESET {
                " (default)"
            } else {
                ""
            };
            println!(
                "{:<16} {} multipliers, {} MHz{default}\n{:<16} {}",
                p.name, p.mul_style, p.clock_mhz, "", p.description
            );
        }
        return Ok(());
    }
    let preset = Preset::by_name(&args.preset).map_err(|e| e.to_string())?;
    if let Some(spec) = &args.record {
        return record(preset, spec);
    }
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("bitstreams").join(preset.name));
    let started = std::time::Instant::now();
    let options = SynthOptions {
        yosys: args.yosys,
        yosys_only: args.yosys_only.clone(),
        keep_going: args.keep_going,
    };
    let (manifest, report) =
        write_preset(preset, &out, &options, |step| eprintln!("synth: {step}"))
            .map_err(|e| e.to_string())?;
    for m in &manifest.modules {
        println!(
            "{:<40} latency {:>3} cycles, {:>5} DSPs",
            m.file, m.module.latency, m.module.tiles
        );
    }
    println!(
        "resources of the board ({}):",
        report
            .part
            .as_deref()
            .unwrap_or("no part: simulation preset")
    );
    for m in &report.modules {
        let lut = m.lut.map_or("-".to_string(), |v| v.to_string());
        println!(
            "  {:<40} × {:>3}  DSP {:>5}  LUT {:>7}  RAM {:>10} bits",
            m.name,
            m.instances,
            m.dsp,
            lut,
            m.bram_bits + m.uram_bits
        );
    }
    let pct = |used: u64, avail: Option<u64>| match avail {
        Some(a) if a > 0 => format!(" ({:.1} %)", used as f64 / a as f64 * 100.0),
        _ => String::new(),
    };
    let avail = report.available;
    println!(
        "  total: DSP {}{}, BRAM {} bits{}, URAM {} bits{}, LUT {}{}",
        report.used.dsp,
        pct(report.used.dsp, avail.map(|a| a.dsp)),
        report.used.bram_bits,
        pct(report.used.bram_bits, avail.map(|a| a.bram_bits)),
        report.used.uram_bits,
        pct(report.used.uram_bits, avail.map(|a| a.uram_bits)),
        report.used.lut.map_or(
            "not measured (--yosys measures the MontMuls and adder)".into(),
            |l| l.to_string()
        ),
        report
            .used
            .lut
            .map_or(String::new(), |l| pct(l, avail.map(|a| a.lut))),
    );
    if let Some(n) = report.max_msm_adders {
        println!("  the part's DSP budget holds {n} point adder(s) beside the rest of the board");
    }
    if let Some(g2) = report.g2_adder {
        let on_board = match preset.msm_g2_adders {
            0 => String::new(),
            n => format!(
                "{n} on the board (issue interval {}), ",
                preset.msm_g2_interval
            ),
        };
        println!(
            "  a G2 adder ({} MontMuls, {} DSPs) for G2 MSMs on the card: {on_board}{} more fit \
             in the {} DSPs left under the limit",
            g2.montmuls, g2.dsp, g2.fit, g2.dsp_free
        );
    }
    println!(
        "wrote {} modules, manifest.json and resources.json to {} in {:.1} s",
        manifest.modules.len(),
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `--record MODULE=DIR`: stores a finished yosys run of one of the preset's modules.
fn record(preset: &Preset, spec: &str) -> Result<(), String> {
    let (name, dir) = spec.split_once('=').ok_or("--record takes MODULE=DIR")?;
    let dir = PathBuf::from(dir);
    let read = |f: &str| {
        std::fs::read_to_string(dir.join(f)).map_err(|e| format!("{}: {e}", dir.join(f).display()))
    };
    let m = zkpipe_hdl::yosys::parse(&read("stat.txt")?, &read("ltp.txt")?)?;
    let seconds = match (read("start"), read("end")) {
        (Ok(a), Ok(b)) => b
            .trim()
            .parse::<u64>()
            .unwrap_or(0)
            .saturating_sub(a.trim().parse().unwrap_or(0)),
        _ => 0,
    };
    let modules = zkpipe_hdl::synth::preset_modules(preset);
    let verilog = zkpipe_hdl::yosys::distinct_modules(preset, &modules)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .ok_or_else(|| {
            format!(
                "preset `{}` has no module `{name}` measured by --yosys",
                preset.name
            )
        })?;
    zkpipe_hdl::yosys::record(name, &verilog, &m, seconds)?;
    println!(
        "recorded {name}: LUT {} FF {} CARRY {} DSP {} longest path {} cells",
        m.lut, m.ff, m.carry, m.dsp, m.longest_path_cells
    );
    Ok(())
}
