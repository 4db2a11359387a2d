//! The `synth` command: output, manifest, errors, and Verilog that Verilator accepts.

use std::path::{Path, PathBuf};
use std::process::Command;

fn synth(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_synth"))
        .args(args)
        .output()
        .expect("synth runs")
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zkpipe-synth-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn verilator_available() -> bool {
    Command::new("verilator").arg("--version").output().is_ok()
}

/// Lints a written module. Its text is linted after merging identical modules
/// (`zkpipe_hdl::dedup`, as the simulator's build does): every line of the file is in the
/// merged text but for repeated identical copies, and Verilator lints sim-small's board in
/// 8 s instead of 28.
fn lint(file: &Path) {
    let merged = file.with_extension("merged.v");
    let text = std::fs::read_to_string(file).unwrap();
    std::fs::write(&merged, zkpipe_hdl::dedup::merge_identical_modules(&text)).unwrap();
    let out = Command::new("verilator")
        .args(["--lint-only", "-Wno-fatal", "--top-module", "top"])
        .arg(&merged)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "verilator rejects {} (identical modules merged: {}):\n{}",
        file.display(),
        merged.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Writes the presets `names` (all if empty) and checks their manifests; lints the
/// modules `lint_module` selects.
fn check_presets(names: &[&str], lint_module: impl Fn(&zkpipe_hdl::preset::Preset, &str) -> bool) {
    let presets = zkpipe_hdl::preset::PRESETS
        .iter()
        .filter(|p| names.is_empty() || names.contains(&p.name));
    for preset in presets {
        let dir = temp_dir(preset.name);
        let out = synth(&["--preset", preset.name, "--out", dir.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap())
                .unwrap();
        assert_eq!(manifest["preset"]["name"], preset.name);
        assert_eq!(manifest["generator_version"], zkpipe_hdl::GENERATOR_VERSION);
        let fields = manifest["fields"].as_array().unwrap();
        assert_eq!(fields.len(), 2);
        for f in fields {
            let id: zkpipe_hdl::field::FieldId = f["name"].as_str().unwrap().parse().unwrap();
            assert_eq!(
                f["modulus"].as_str().unwrap(),
                format!("0x{:x}", id.params().modulus)
            );
        }
        assert_eq!(manifest["preset"]["msm_adders"], preset.msm_adders);
        let resources: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("resources.json")).unwrap())
                .unwrap();
        for key in ["dsp", "lut", "ff", "bram_bits", "uram_bits"] {
            assert!(resources["used"].get(key).is_some(), "used.{key}");
            if preset.part.is_some() {
                assert!(
                    resources["available"][key].as_u64().unwrap() > 0,
                    "available.{key}"
                );
            }
        }
        assert_eq!(resources["part"].as_str(), preset.part);
        assert!(!resources["modules"].as_array().unwrap().is_empty());
        let modules = manifest["modules"].as_array().unwrap();
        // 6 arithmetic units (scalar and base field), board, NTT core, point adder.
        assert_eq!(modules.len(), 9);
        for m in modules {
            assert!(m["latency"].as_u64().unwrap() > 0);
            let file = dir.join(m["file"].as_str().unwrap());
            assert!(file.exists());
            if verilator_available() && lint_module(preset, m["name"].as_str().unwrap()) {
                lint(&file);
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// The large tops of the real-card presets (board, NTT core, point adder: tens to hundreds
/// of MB of Verilog) are slow to lint. The default suite writes every preset and lints
/// every top of the sim presets and the real-card presets' field units (a MontMul lints in
/// seconds since its bit heap is written by words); the ignored test lints the large tops —
/// run it when the board, NTT, MSM or multiplier generators change.
fn is_large_real_card_top(preset: &zkpipe_hdl::preset::Preset, module: &str) -> bool {
    preset.part.is_some()
        && ["board_", "ntt_core_", "point_add_"]
            .iter()
            .any(|p| module.starts_with(p))
}

/// One test per preset, so that the presets are generated and linted in parallel.
macro_rules! preset_writes_lintable_verilog {
    ($($test:ident: $preset:literal;)*) => {$(
        #[test]
        fn $test() {
            check_presets(&[$preset], |preset, module| !is_large_real_card_top(preset, module));
        }
    )*};
}

preset_writes_lintable_verilog! {
    sim_small_writes_lintable_verilog_and_a_manifest: "sim-small";
    sim_bls12_381_writes_lintable_verilog_and_a_manifest: "sim-bls12-381";
    u250_bn254_writes_lintable_verilog_and_a_manifest: "u250-bn254";
    u250_bls12_381_writes_lintable_verilog_and_a_manifest: "u250-bls12-381";
}

/// u55c-bn254's arithmetic units are u250-bn254's (same curve and style): written and
/// checked, not linted a second time.
#[test]
fn u55c_bn254_writes_verilog_and_a_manifest() {
    check_presets(&["u55c-bn254"], |_, _| false);
}

#[test]
fn the_per_preset_tests_cover_every_preset() {
    let source = include_str!("synth_cli.rs");
    for preset in zkpipe_hdl::preset::PRESETS {
        assert!(
            source.contains(&format!("\"{}\";", preset.name))
                || source.contains(&format!("&[\"{}\"]", preset.name)),
            "{}",
            preset.name
        );
    }
}

#[test]
#[ignore = "lints the real-card presets' large tops: tens of minutes"]
fn every_real_card_top_lints() {
    check_presets(&[], is_large_real_card_top);
}

#[test]
fn list_names_every_preset() {
    let out = synth(&["--list"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for preset in zkpipe_hdl::preset::PRESETS {
        assert!(text.contains(preset.name));
    }
}

#[test]
fn unknown_preset_is_a_clear_error() {
    let out = synth(&["--preset", "vu19p-nope", "--out", "/tmp/never"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown preset `vu19p-nope`"), "{err}");
    assert!(
        err.contains("sim-small"),
        "the error lists the known presets: {err}"
    );
}

#[test]
fn unwritable_output_is_a_clear_error() {
    // A regular file where the output folder should be.
    let file = temp_dir("blocker");
    std::fs::write(&file, b"not a folder").unwrap();
    let out = synth(&[
        "--preset",
        "sim-small",
        "--out",
        file.join("sub").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write"), "{err}");
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn unknown_argument_is_rejected() {
    let out = synth(&["--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unexpected argument '--frobnicate'"));
}

#[test]
fn help_is_clap_help() {
    let out = synth(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Usage: synth"), "{text}");
    for flag in ["--preset", "--out", "--list"] {
        assert!(text.contains(flag), "{flag}");
    }
}
