//! Resource accounting of generated designs: DSP slices and memory bits exact by
//! construction, LUT/FF/CARRY and the longest path from yosys where measured.
//!
//! Every primitive that costs a DSP slice or a memory (the multiply leaves, the RAM and ROM
//! primitives, the MSM unit's memories) writes a `// zkpipe:resource` marker line into its
//! own Verilog body. rust-hdl emits one module body per instance, so counting the markers
//! in a top's Verilog counts exactly what was generated — the board included, where a
//! yosys run would not fit this machine's memory.

use crate::generate::GeneratedModule;
use crate::preset::Preset;
use serde::Serialize;
use std::fmt;
use zkpipe_spec::part::{Budget, Part, FIT_LIMIT};

/// What a marker counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// DSP48E2 slices.
    Dsp,
    /// Block RAM bits.
    Bram,
    /// UltraRAM bits.
    Uram,
}

impl Kind {
    fn key(self) -> &'static str {
        match self {
            Kind::Dsp => "dsp",
            Kind::Bram => "bram_bits",
            Kind::Uram => "uram_bits",
        }
    }
}

const MARKER: &str = "// zkpipe:resource ";

/// Memories of at least this many bits are meant for UltraRAM (288 Kb blocks), smaller
/// ones for block RAM.
pub const URAM_MIN_BITS: u64 = 1 << 20;

/// The marker line a primitive puts in its Verilog body.
pub fn marker(kind: Kind, amount: u64) -> String {
    format!("{MARKER}{}={amount}\n", kind.key())
}

/// The marker of a memory of `bits` bits (UltraRAM from [`URAM_MIN_BITS`] up).
pub fn memory_marker(bits: u64) -> String {
    let kind = if bits >= URAM_MIN_BITS {
        Kind::Uram
    } else {
        Kind::Bram
    };
    marker(kind, bits)
}

/// DSPs and memory bits of a top, from its markers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counted {
    pub dsp: u64,
    pub bram_bits: u64,
    pub uram_bits: u64,
}

/// Counts the markers in generated Verilog.
pub fn count(verilog: &str) -> Counted {
    let mut c = Counted::default();
    for line in verilog.lines() {
        let Some(rest) = line.trim_start().strip_prefix(MARKER) else {
            continue;
        };
        let Some((key, value)) = rest.trim().split_once('=') else {
            continue;
        };
        let v: u64 = value.parse().unwrap_or(0);
        match key {
            "dsp" => c.dsp += v,
            "bram_bits" => c.bram_bits += v,
            "uram_bits" => c.uram_bits += v,
            _ => {}
        }
    }
    c
}

/// What yosys measured of one module (`synth_xilinx -family xcup`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Measured {
    pub lut: u64,
    pub ff: u64,
    pub carry: u64,
    pub dsp: u64,
    pub longest_path_cells: u64,
}

/// One distinct module of a board and how many instances of it the board holds.
#[derive(Clone, Debug, Serialize)]
pub struct ModuleUse {
    pub name: String,
    pub instances: u64,
    /// Per instance.
    pub dsp: u64,
    pub bram_bits: u64,
    pub uram_bits: u64,
    /// Per instance, from yosys (`synth --yosys`); absent where not measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lut: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ff: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carry: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub longest_path_cells: Option<u64>,
    /// What the module is (and, for the board's own logic, what it excludes).
    pub note: String,
}

/// What the whole board uses. LUT and FF are the sum over the measured modules (none
/// without `--yosys`); `unmeasured` names the modules they leave out.
#[derive(Clone, Debug, Serialize)]
pub struct Used {
    pub dsp: u64,
    pub lut: Option<u64>,
    pub ff: Option<u64>,
    pub bram_bits: u64,
    pub uram_bits: u64,
    pub unmeasured: Vec<String>,
}

/// `resources.json`.
#[derive(Clone, Debug, Serialize)]
pub struct ResourceReport {
    pub preset: String,
    /// The part number (absent for simulation presets).
    pub part: Option<String>,
    pub available: Option<Budget>,
    /// [`FIT_LIMIT`] of `available`: what a real-card preset may use.
    pub limit: Option<Budget>,
    pub fit_limit: f64,
    pub used: Used,
    pub modules: Vec<ModuleUse>,
    /// G1 point adders the part's DSP budget would hold beside the rest of the board.
    pub max_msm_adders: Option<u64>,
    /// What a G2 adder of the preset's style would cost, and how many fit beside the whole
    /// board as it is (real-card presets: issue 15 sizes G2 engines from this).
    pub g2_adder: Option<G2AdderBudget>,
    /// LUT/FF/CARRY measured with yosys (`synth --yosys`) for the modules that have them.
    pub yosys: bool,
}

/// A G2 point adder for a preset's board: the Fq2 formulas over its base-field MontMuls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct G2AdderBudget {
    /// Base-field MontMuls of one G2 adder (the kind the preset's G1 lanes use, at the
    /// preset's G2 issue interval).
    pub montmuls: u64,
    /// Its DSP slices.
    pub dsp: u64,
    /// DSP slices left under the fit limit beside the board as it is.
    pub dsp_free: u64,
    /// G2 adders that fit in them.
    pub fit: u64,
}

/// A real-card preset that does not fit its part.
#[derive(Debug, Clone, PartialEq)]
pub struct DoesNotFit {
    pub preset: String,
    pub part: String,
    /// (resource, used, limit) of every resource over the limit.
    pub over: Vec<(&'static str, u64, u64)>,
}

impl fmt::Display for DoesNotFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "preset `{}` does not fit {} at {:.0} %:",
            self.preset,
            self.part,
            FIT_LIMIT * 100.0
        )?;
        for (what, used, limit) in &self.over {
            write!(
                f,
                " {what} {used} > {limit} ({:.1} % of the part);",
                *used as f64 / (*limit as f64 / FIT_LIMIT) * 100.0
            )?;
        }
        write!(
            f,
            " shrink its engines (ntt_log_size, msm_adders, msm_window_bits, msm_log_bases)"
        )
    }
}

impl std::error::Error for DoesNotFit {}

impl ResourceReport {
    /// Checks the board against its part's limit (DSP and RAM always; LUT and FF over the
    /// measured modules when measured). Simulation presets always fit.
    pub fn check_fit(&self) -> Result<(), DoesNotFit> {
        let (Some(limit), Some(part)) = (self.limit, &self.part) else {
            return Ok(());
        };
        let u = &self.used;
        let mut over = vec![];
        let mut check = |what, used: Option<u64>, lim: u64| {
            if let Some(used) = used {
                if used > lim {
                    over.push((what, used, lim));
                }
            }
        };
        check("dsp", Some(u.dsp), limit.dsp);
        check("lut", u.lut, limit.lut);
        check("ff", u.ff, limit.ff);
        check("bram_bits", Some(u.bram_bits), limit.bram_bits);
        check("uram_bits", Some(u.uram_bits), limit.uram_bits);
        if over.is_empty() {
            Ok(())
        } else {
            Err(DoesNotFit {
                preset: self.preset.clone(),
                part: part.clone(),
                over,
            })
        }
    }
}

/// MontMul instances of a board, by where they sit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MontMulInstances {
    /// Over the scalar field: elementwise kernel and NTT path.
    pub scalar: u64,
    /// Over the base field in the G1 point adders (under `$msm$`).
    pub g1: u64,
    /// Over the base field in the G2 point adders (under `$msm_g2$`).
    pub g2: u64,
}

/// The MontMul instances of a board, found from its Verilog: a MontMul instance is a
/// module with a `$mul_ab` child; the ones under `$msm$` are the G1 point adders' (base
/// field), under `$msm_g2$` the G2 adders', the others the scalar field's.
pub fn montmul_instances(board_verilog: &str) -> MontMulInstances {
    let mut n = MontMulInstances::default();
    for line in board_verilog.lines() {
        let Some(name) = line.strip_prefix("module ") else {
            continue;
        };
        let name = name.split('(').next().unwrap_or("").trim();
        if name.ends_with("$mul_ab") {
            if name.contains("$msm$") {
                n.g1 += 1;
            } else if name.contains("$msm_g2$") {
                n.g2 += 1;
            } else {
                n.scalar += 1;
            }
        }
    }
    n
}

/// Point adders in a board's Verilog (modules `…$msm$add$k`, one per lane).
pub fn adder_instances(board_verilog: &str) -> u64 {
    board_verilog
        .lines()
        .filter_map(|l| l.strip_prefix("module "))
        .filter(|n| {
            let name = n.split('(').next().unwrap_or("").trim();
            name.rsplit_once("$msm$add$")
                .is_some_and(|(_, k)| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()))
        })
        .count() as u64
}

/// Builds the report of a preset's board from its generated tops (`board`, the two
/// fields' MontMuls, the point adder) and, per module name, what yosys measured.
pub fn report(
    preset: &Preset,
    modules: &[GeneratedModule],
    measured: &dyn Fn(&str) -> Option<Measured>,
) -> ResourceReport {
    let find = |name: &str| modules.iter().find(|m| m.name == name);
    let board_name = crate::generate::board_module_name(preset);
    let board = find(&board_name).expect("the preset's modules include its board");
    let board_count = count(&board.verilog);
    let MontMulInstances {
        scalar: scalar_muls,
        g1: base_muls,
        g2: g2_muls,
    } = montmul_instances(&board.verilog);
    let adders = adder_instances(&board.verilog);
    let style = crate::generate::ArithUnit::MontMul(preset.mul_style);
    let scalar_name = style.module_name(preset.curve.scalar_field());
    let base_name = style.module_name(preset.curve.base_field());
    let adder_name = crate::generate::point_add_module_name(preset);
    let per = |name: &str| find(name).map(|m| count(&m.verilog)).unwrap_or_default();
    let (scalar, base, adder) = (per(&scalar_name), per(&base_name), per(&adder_name));
    let muls_per_adder = base_muls.checked_div(adders).unwrap_or(0);
    let with = |name: &str, instances: u64, c: Counted, note: String| {
        let m = measured(name);
        ModuleUse {
            name: name.to_string(),
            instances,
            dsp: c.dsp,
            bram_bits: c.bram_bits,
            uram_bits: c.uram_bits,
            lut: m.map(|m| m.lut),
            ff: m.map(|m| m.ff),
            carry: m.map(|m| m.carry),
            longest_path_cells: m.map(|m| m.longest_path_cells),
            note,
        }
    };
    let adder_logic = Counted {
        dsp: adder.dsp - muls_per_adder * base.dsp,
        bram_bits: adder.bram_bits,
        uram_bits: adder.uram_bits,
    };
    let rest = Counted {
        dsp: board_count.dsp
            - scalar_muls * scalar.dsp
            - (base_muls + g2_muls) * base.dsp
            - adders * adder_logic.dsp,
        bram_bits: board_count.bram_bits - adders * adder_logic.bram_bits,
        uram_bits: board_count.uram_bits - adders * adder_logic.uram_bits,
    };
    let mut list = vec![
        with(
            &scalar_name,
            scalar_muls,
            scalar,
            "MontMul over the scalar field: elementwise kernel and NTT path".into(),
        ),
        with(
            &base_name,
            base_muls,
            base,
            format!("MontMul over the base field: {muls_per_adder} per point adder"),
        ),
        with(
            &format!("{adder_name}_logic"),
            adders,
            adder_logic,
            "point adder without its MontMuls (ModAdd/ModSub, delay lines)".into(),
        ),
        with(
            &format!("{board_name}_logic"),
            1,
            rest,
            "the rest of the board: CSR block, streams, kernel and NTT control, delay \
             lines, ROMs, reorder RAM, MSM control, bucket and base memories, the G2 \
             adders' logic"
                .into(),
        ),
    ];
    if scalar_name == base_name {
        // Same field for both (cannot happen for the supported curves; keep entries apart).
        list[1].name = format!("{base_name}_base");
    }
    if g2_muls > 0 {
        // The G2 adders' MontMuls are the base field's module (measured as such).
        let mut g2 = with(
            &base_name,
            g2_muls,
            base,
            format!(
                "MontMul over the base field: {} per G2 point adder (shared over its issue \
                 interval)",
                g2_muls / preset.msm_g2_adders.max(1) as u64
            ),
        );
        g2.name = format!("{base_name}_g2");
        list.insert(2, g2);
    }
    let total = |f: &dyn Fn(&ModuleUse) -> Option<u64>| -> Option<u64> {
        let measured: Vec<u64> = list
            .iter()
            .filter_map(|m| f(m).map(|v| v * m.instances))
            .collect();
        (!measured.is_empty()).then(|| measured.iter().sum())
    };
    let used = Used {
        dsp: board_count.dsp,
        lut: total(&|m| m.lut),
        ff: total(&|m| m.ff),
        bram_bits: board_count.bram_bits,
        uram_bits: board_count.uram_bits,
        unmeasured: list
            .iter()
            .filter(|m| m.lut.is_none() && m.instances > 0)
            .map(|m| m.name.clone())
            .collect(),
    };
    let part: Option<&Part> = preset.part();
    let limit = part.map(|p| p.limit());
    let adder_dsp = adder.dsp.max(1);
    let max_msm_adders = limit.map(|l| {
        let without = used.dsp - adders * adder.dsp;
        l.dsp.saturating_sub(without) / adder_dsp
    });
    let g2_adder = limit.map(|l| {
        let kind = crate::msm::AdderKind::of(&preset.msm());
        let montmuls = crate::msm::g2_add::multipliers_of(kind, preset.msm_g2_interval) as u64;
        let dsp = montmuls * base.dsp;
        let dsp_free = l.dsp.saturating_sub(used.dsp);
        G2AdderBudget {
            montmuls,
            dsp,
            dsp_free,
            fit: dsp_free.checked_div(dsp).unwrap_or(0),
        }
    });
    ResourceReport {
        preset: preset.name.to_string(),
        part: preset.part.map(str::to_string),
        available: part.map(|p| p.available),
        limit,
        fit_limit: FIT_LIMIT,
        used,
        modules: list,
        max_msm_adders,
        g2_adder,
        yosys: false,
    }
}
