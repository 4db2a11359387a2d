//! What `synth` writes for a preset: one Verilog file per top plus `manifest.json`.

use crate::field::FieldId;
use crate::generate::{arith_unit, ArithUnit, GeneratedModule};
use crate::preset::Preset;
use crate::resources::{self, DoesNotFit, Measured, ResourceReport};
use crate::GENERATOR_VERSION;
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// Field constants as recorded in the manifest (hex, big-endian).
#[derive(Serialize)]
pub struct FieldEntry {
    pub name: String,
    pub limbs: usize,
    pub modulus_bits: u32,
    pub modulus: String,
    pub r_mod_p: String,
    pub r2_mod_p: String,
    pub neg_p_inv_r: String,
}

impl FieldEntry {
    fn of(f: FieldId) -> Self {
        let p = f.params();
        let hex = |x: &num_bigint::BigUint| format!("0x{x:x}");
        FieldEntry {
            name: f.name().into(),
            limbs: p.limbs,
            modulus_bits: p.modulus_bits,
            modulus: hex(&p.modulus),
            r_mod_p: hex(&p.r_mod_p),
            r2_mod_p: hex(&p.r2_mod_p),
            neg_p_inv_r: hex(&p.neg_p_inv_r),
        }
    }
}

/// A module entry of the manifest.
#[derive(Serialize)]
pub struct ModuleEntry {
    pub file: String,
    #[serde(flatten)]
    pub module: GeneratedModule,
}

/// `manifest.json`: everything needed to use the generated Verilog without reading Rust.
#[derive(Serialize)]
pub struct Manifest {
    pub preset: Preset,
    pub generator_version: &'static str,
    pub git_revision: Option<String>,
    pub fields: Vec<FieldEntry>,
    pub modules: Vec<ModuleEntry>,
    /// The MSM unit's bucket-reduction schedule (null: the host reduces).
    pub msm_reduce: Option<crate::preset::ReducePlan>,
}

/// Why `synth` failed.
#[derive(Debug)]
pub enum SynthError {
    /// The output folder could not be created or written.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The preset's board exceeds its part's budget (nothing is written but the report).
    DoesNotFit(DoesNotFit),
    /// yosys could not be run or its output not read (`--yosys`).
    Yosys(String),
    /// The preset asks for something the generator cannot build yet.
    Unsupported(String),
}

impl fmt::Display for SynthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SynthError::Io { path, source } => {
                write!(f, "cannot write `{}`: {source}", path.display())
            }
            SynthError::DoesNotFit(e) => write!(f, "{e}"),
            SynthError::Yosys(e) => write!(f, "yosys: {e}"),
            SynthError::Unsupported(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for SynthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SynthError::Io { source, .. } => Some(source),
            SynthError::DoesNotFit(e) => Some(e),
            _ => None,
        }
    }
}

/// How `write_preset` runs.
#[derive(Clone, Debug, Default)]
pub struct SynthOptions {
    /// Measure LUT/FF/CARRY and the longest path of each distinct module with yosys.
    pub yosys: bool,
    /// With `yosys`: measure only these modules (report names; empty: all).
    pub yosys_only: Vec<String>,
    /// Write the tops and the report even if the board does not fit (the error is still
    /// returned): for looking at what is over.
    pub keep_going: bool,
}

/// The tops of a preset: the board (CSR block, streams, elementwise kernel), the NTT core
/// (standalone until it joins the board as a kernel) and, as
/// standalone tops, the arithmetic units of the curve's two fields in the preset's
/// multiplier style.
pub fn preset_modules(preset: &Preset) -> Vec<GeneratedModule> {
    let units = [
        ArithUnit::ModAdd,
        ArithUnit::ModSub,
        ArithUnit::MontMul(preset.mul_style),
    ];
    let fields = [preset.curve.scalar_field(), preset.curve.base_field()];
    let mut modules: Vec<GeneratedModule> = fields
        .iter()
        .flat_map(|&f| units.iter().map(move |&u| arith_unit(f, u)))
        .collect();
    modules.push(crate::generate::board(preset));
    modules.push(crate::generate::ntt_core(preset));
    modules.push(crate::generate::point_add(preset));
    modules
}

fn git_revision() -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The preset's resource report from its generated modules (yosys measurements taken
/// from `measured`).
pub fn resource_report(
    preset: &Preset,
    modules: &[GeneratedModule],
    measured: &dyn Fn(&str) -> Option<Measured>,
) -> ResourceReport {
    resources::report(preset, modules, measured)
}

/// Checks a preset against what the generator can build and its part's budget, without
/// writing anything (LUT/FF from the recorded yosys runs where the Verilog is unchanged):
/// the report, or why the preset is refused.
pub fn check_preset(preset: &Preset) -> Result<ResourceReport, SynthError> {
    check_supported(preset)?;
    let modules = preset_modules(preset);
    let cache = crate::yosys::committed();
    let measured: std::collections::HashMap<_, _> =
        crate::yosys::distinct_modules(preset, &modules)
            .into_iter()
            .filter_map(|(name, verilog)| {
                crate::yosys::lookup(&cache, &name, &verilog).map(|m| (name, m))
            })
            .collect();
    let report = resource_report(preset, &modules, &|n| measured.get(n).copied());
    report.check_fit().map_err(SynthError::DoesNotFit)?;
    Ok(report)
}

fn check_supported(preset: &Preset) -> Result<(), SynthError> {
    let windows = preset.msm().windows;
    if !(1..=windows).contains(&preset.msm_adders) {
        return Err(SynthError::Unsupported(format!(
            "preset `{}` asks for {} MSM point adders; the MSM unit gives each adder its own \
             windows, so it takes 1 to {windows} (its window count)",
            preset.name, preset.msm_adders
        )));
    }
    Ok(())
}

/// Generates the preset's tops into `out`, one `<module>.v` each, plus `manifest.json` and
/// `resources.json`. A real-card preset whose board exceeds [`zkpipe_spec::part::FIT_LIMIT`]
/// of its part is refused ([`SynthError::DoesNotFit`]) after `resources.json` is written.
/// `progress` is told each step as it starts.
pub fn write_preset(
    preset: &Preset,
    out: &Path,
    options: &SynthOptions,
    mut progress: impl FnMut(&str),
) -> Result<(Manifest, ResourceReport), SynthError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SynthError::Io { path, source }
    };
    check_supported(preset)?;
    std::fs::create_dir_all(out).map_err(io(out))?;
    let generated: Vec<GeneratedModule> = preset_modules(preset)
        .into_iter()
        .inspect(|m| progress(&format!("generated {}", m.name)))
        .collect();
    // yosys figures: the committed ones where the Verilog is unchanged, fresh ones with
    // --yosys (recorded in the committed file for the next run).
    let cache = crate::yosys::committed();
    let mut measured = std::collections::HashMap::new();
    for (name, verilog) in crate::yosys::distinct_modules(preset, &generated) {
        let wanted = options.yosys_only.is_empty() || options.yosys_only.contains(&name);
        if options.yosys && wanted {
            progress(&format!("yosys {name} (minutes)"));
            let started = std::time::Instant::now();
            let m = crate::yosys::measure(&name, &verilog, &out.join("yosys"))
                .map_err(SynthError::Yosys)?;
            crate::yosys::record(&name, &verilog, &m, started.elapsed().as_secs())
                .map_err(SynthError::Yosys)?;
            measured.insert(name, m);
        } else if let Some(m) = crate::yosys::lookup(&cache, &name, &verilog) {
            measured.insert(name, m);
        }
    }
    let mut report = resource_report(preset, &generated, &|n| measured.get(n).copied());
    report.yosys = options.yosys;
    let path = out.join("resources.json");
    let json = serde_json::to_string_pretty(&report).expect("report serialises");
    std::fs::write(&path, json + "\n").map_err(io(&path))?;
    let fit = report.check_fit();
    if !options.keep_going {
        fit.clone().map_err(SynthError::DoesNotFit)?;
    }
    let mut modules = vec![];
    for module in generated {
        let file = format!("{}.v", module.name);
        let path = out.join(&file);
        let text = format!(
            "// Generated by zkpipe-hdl {GENERATOR_VERSION} for preset `{}`: do not edit.\n// {} — latency {} cycles, one result per cycle.\n{}",
            preset.name, module.name, module.latency, module.verilog
        );
        std::fs::write(&path, text).map_err(io(&path))?;
        modules.push(ModuleEntry { file, module });
    }
    let manifest = Manifest {
        preset: preset.clone(),
        generator_version: GENERATOR_VERSION,
        git_revision: git_revision(),
        fields: [preset.curve.scalar_field(), preset.curve.base_field()]
            .into_iter()
            .map(FieldEntry::of)
            .collect(),
        modules,
        msm_reduce: crate::timing::BoardTiming::of(preset).msm_reduce_plan(),
    };
    let path = out.join("manifest.json");
    let json = serde_json::to_string_pretty(&manifest).expect("manifest serialises");
    std::fs::write(&path, json + "\n").map_err(io(&path))?;
    fit.map_err(SynthError::DoesNotFit)?;
    Ok((manifest, report))
}
