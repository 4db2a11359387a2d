//! `synth`: generate the Verilog and manifest of a preset.
//!
//! ```text
//! cargo run --release --bin synth [-- --preset NAME] [--out DIR] [--list]
//! ```

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use zkpipe_hdl::preset::{Preset, DEFAULT_PRESET, PRESETS};
use zkpipe_hdl::synth::write_preset;

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
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("bitstreams").join(preset.name));
    let started = std::time::Instant::now();
    let manifest = write_preset(preset, &out, |name| eprintln!("synth: generating {name}"))
        .map_err(|e| e.to_string())?;
    for m in &manifest.modules {
        println!(
            "{:<40} latency {:>3} cycles, {:>5} DSP tiles",
            m.file, m.module.latency, m.module.tiles
        );
    }
    println!(
        "wrote {} modules and manifest.json to {} in {:.1} s",
        manifest.modules.len(),
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
