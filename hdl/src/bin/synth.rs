//! `synth`: generate the Verilog and manifest of a preset.
//!
//! ```text
//! cargo run --release --bin synth [-- --preset NAME] [--out DIR] [--list]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use zkpipe_hdl::preset::{Preset, DEFAULT_PRESET, PRESETS};
use zkpipe_hdl::synth::write_preset;

const USAGE: &str = "\
usage: synth [--preset NAME] [--out DIR] [--list]

Generates the Verilog of a preset plus manifest.json.
  --preset NAME   preset to generate (default: u250-bn254; see --list)
  --out DIR       output folder (default: bitstreams/<preset>)
  --list          print the presets and exit";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("synth: error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let mut preset_name = DEFAULT_PRESET.to_string();
    let mut out: Option<PathBuf> = None;
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--preset" => preset_name = it.next().ok_or("--preset needs a name")?,
            "--out" => out = Some(it.next().ok_or("--out needs a folder")?.into()),
            "--list" => {
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
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let preset = Preset::by_name(&preset_name).map_err(|e| e.to_string())?;
    let out = out.unwrap_or_else(|| PathBuf::from("bitstreams").join(preset.name));
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
