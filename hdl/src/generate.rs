//! Turning blocks into Verilog modules with the metadata the simulator and `synth` need.

use crate::field::fq2::{Fq2Op, Fq2Unit};
use crate::field::{AddSubOp, FieldId, ModAddSub, MontMul};
use crate::preset::MulStyle;
use rust_hdl::core::prelude::*;
use serde::Serialize;
use std::fmt;

/// Direction of a top-level port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PortDir {
    Input,
    Output,
}

/// A port of a generated top module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Port {
    pub name: String,
    pub dir: PortDir,
    pub width: usize,
}

/// One generated top: Verilog text (module `top`) plus what users of it must know.
#[derive(Clone, Debug, Serialize)]
pub struct GeneratedModule {
    /// Unique name, e.g. `bn254_fq_mont_mul_tiled`; the simulator model is `V<name>`.
    pub name: String,
    /// Clock cycles from inputs to outputs (fully pipelined: one result per cycle).
    pub latency: usize,
    /// DSP-sized multiplier tiles in the design (0 if none or behavioural).
    pub tiles: usize,
    pub ports: Vec<Port>,
    #[serde(skip)]
    pub verilog: String,
}

/// Collects the ports of the top scope of a block.
#[derive(Default)]
struct PortProbe {
    depth: usize,
    ports: Vec<Port>,
}

impl Probe for PortProbe {
    fn visit_start_scope(&mut self, _name: &str, _node: &dyn Block) {
        self.depth += 1;
    }
    fn visit_atom(&mut self, name: &str, signal: &dyn Atom) {
        if self.depth != 1 {
            return;
        }
        let dir = match signal.kind() {
            AtomKind::InputParameter => PortDir::Input,
            AtomKind::OutputParameter => PortDir::Output,
            _ => return,
        };
        self.ports.push(Port {
            name: name.to_string(),
            dir,
            width: signal.bits(),
        });
    }
    fn visit_end_scope(&mut self, _name: &str, _node: &dyn Block) {
        self.depth -= 1;
    }
}

/// Ports of a block's top scope, in declaration order.
pub fn ports_of<B: Block>(block: &B) -> Vec<Port> {
    let mut probe = PortProbe::default();
    block.accept("top", &mut probe);
    probe.ports
}

/// Generates a top module from a block (with the definitions of the library modules it
/// instantiates: [`crate::msm::blocks::link`]).
pub fn generate<B: Block>(name: String, latency: usize, tiles: usize, block: B) -> GeneratedModule {
    GeneratedModule {
        verilog: crate::msm::blocks::link(&generate_verilog_unchecked(&block)),
        ports: ports_of(&block),
        name,
        latency,
        tiles,
    }
}

/// The arithmetic units that exist as standalone tops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArithUnit {
    ModAdd,
    ModSub,
    MontMul(MulStyle),
}

impl ArithUnit {
    /// Every unit, each multiplier style.
    pub const ALL: [ArithUnit; 6] = [
        ArithUnit::ModAdd,
        ArithUnit::ModSub,
        ArithUnit::MontMul(MulStyle::Behavioural),
        ArithUnit::MontMul(MulStyle::Tiled),
        ArithUnit::MontMul(MulStyle::Karatsuba),
        ArithUnit::MontMul(MulStyle::KaratsubaNaf),
    ];

    /// The module name of this unit over `field`, e.g. `bn254_fr_mont_mul_tiled`.
    pub fn module_name(self, field: FieldId) -> String {
        format!("{field}_{self}")
    }
}

impl fmt::Display for ArithUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArithUnit::ModAdd => f.write_str("mod_add"),
            ArithUnit::ModSub => f.write_str("mod_sub"),
            ArithUnit::MontMul(s) => write!(f, "mont_mul_{}", s.ident()),
        }
    }
}

fn arith_at_width<const W: usize, const W2: usize>(
    field: FieldId,
    unit: ArithUnit,
) -> GeneratedModule {
    let params = field.params();
    let name = unit.module_name(field);
    match unit {
        ArithUnit::ModAdd | ArithUnit::ModSub => {
            let op = if unit == ArithUnit::ModAdd {
                AddSubOp::Add
            } else {
                AddSubOp::Sub
            };
            let block = ModAddSub::<W>::new(&params, op);
            generate(name, block.latency(), 0, block)
        }
        ArithUnit::MontMul(style) => {
            let block = MontMul::<W, W2>::new(&params, style);
            generate(name, block.latency(), block.tile_count(), block)
        }
    }
}

/// Generates one arithmetic unit over one field as a top module.
pub fn arith_unit(field: FieldId, unit: ArithUnit) -> GeneratedModule {
    match field.params().width() {
        256 => arith_at_width::<256, 512>(field, unit),
        384 => arith_at_width::<384, 768>(field, unit),
        w => unreachable!("no field of width {w}"),
    }
}

/// The field whose `karatsuba-naf` MontMul the default test build verilates (the other
/// `karatsuba` and `karatsuba-naf` MontMuls are behind the `karatsuba` feature: minutes of
/// C++ each).
pub const DEFAULT_KARATSUBA_FIELD: FieldId = FieldId::Bn254Fr;

/// Which groups of tops `zkpipe-sim` verilates (its cargo features `units`, `tiled`,
/// `karatsuba`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ModelSet {
    /// Standalone units with behavioural multipliers: ModAdd, ModSub, MontMul over every
    /// field, Fq2 add/sub/mul over both curves, `sim-small`'s NTT core and point adders,
    /// and the Pippenger unit's sub-blocks in tiny configurations (the unit tests).
    pub units: bool,
    /// MontMul with tiled multipliers over every field: minutes of C++ each, for ignored
    /// tests and benchmarks.
    pub tiled: bool,
    /// MontMul with `karatsuba` multipliers over every field, and with `karatsuba-naf`
    /// over the fields other than [`DEFAULT_KARATSUBA_FIELD`] (which `units` builds).
    pub karatsuba: bool,
}

/// The tops `zkpipe-sim` verilates: always the boards of `sim-small` (BN254) and
/// `sim-bls12-381`, plus the groups `set` asks for.
pub fn sim_models(set: ModelSet) -> Vec<GeneratedModule> {
    let mut models = vec![];
    for name in ["sim-small", "sim-bls12-381"] {
        let preset = crate::preset::Preset::by_name(name).expect("sim presets exist");
        models.push(board(preset));
    }
    if set.units {
        for f in FieldId::ALL {
            for u in [
                ArithUnit::ModAdd,
                ArithUnit::ModSub,
                ArithUnit::MontMul(MulStyle::Behavioural),
            ] {
                models.push(arith_unit(f, u));
            }
        }
        models.push(arith_unit(
            DEFAULT_KARATSUBA_FIELD,
            ArithUnit::MontMul(MulStyle::KaratsubaNaf),
        ));
        let preset = crate::preset::Preset::by_name("sim-small").expect("sim-small exists");
        models.push(ntt_core(preset));
        models.push(point_add(preset));
        for curve in crate::preset::Curve::ALL {
            for op in Fq2Op::ALL {
                models.push(fq2_unit(curve, op, MulStyle::Behavioural));
            }
        }
        // The Pippenger unit's sub-blocks, each in a tiny configuration.
        models.extend(crate::msm::blocks::test_tops());
        // sim-small's G2 adder (full, BN254): the G2 engine's building block.
        models.push(g2_add(preset));
        // sim-small's lanes use the full adder; the mixed one is tested alone too.
        models.push(point_add_of_kind(
            preset,
            crate::msm::AdderKind::Mixed,
            point_add_module_name(preset).replacen("point_add", "point_add_mixed", 1),
        ));
    }
    if set.tiled {
        for f in FieldId::ALL {
            models.push(arith_unit(f, ArithUnit::MontMul(MulStyle::Tiled)));
        }
    }
    if set.karatsuba {
        for f in FieldId::ALL {
            models.push(arith_unit(f, ArithUnit::MontMul(MulStyle::Karatsuba)));
            if f != DEFAULT_KARATSUBA_FIELD {
                models.push(arith_unit(f, ArithUnit::MontMul(MulStyle::KaratsubaNaf)));
            }
        }
    }
    models
}

/// Module name of an Fq2 unit over a curve's base field, e.g. `bn254_fq2_mul_behavioural`
/// (add and sub have no multiplier style: `bls12_381_fq2_add`).
pub fn fq2_module_name(curve: crate::preset::Curve, op: Fq2Op, style: MulStyle) -> String {
    match op {
        Fq2Op::Mul => format!("{}2_{op}_{}", curve.base_field(), style.ident()),
        _ => format!("{}2_{op}", curve.base_field()),
    }
}

/// An Fq2 unit (the arithmetic of G2 coordinates) as a top module.
pub fn fq2_unit(curve: crate::preset::Curve, op: Fq2Op, style: MulStyle) -> GeneratedModule {
    let name = fq2_module_name(curve, op, style);
    match curve.base_field().params().width() {
        256 => {
            let block = Fq2Unit::<256, 512>::new(curve, style, op);
            generate(name, block.latency(), block.tiles(), block)
        }
        384 => {
            let block = Fq2Unit::<384, 768>::new(curve, style, op);
            generate(name, block.latency(), block.tiles(), block)
        }
        w => unreachable!("no field of width {w}"),
    }
}

/// Module name of a preset's G2 point adder, e.g. `g2_add_sim_small`.
pub fn g2_add_module_name(preset: &crate::preset::Preset) -> String {
    format!("g2_add_{}", preset.name.replace('-', "_"))
}

/// The complete G2 point adder of a preset's curve, of the kind its G1 lanes use (full
/// when the preset reduces on the card), with the preset's G2 issue interval.
pub fn g2_add(preset: &crate::preset::Preset) -> GeneratedModule {
    use crate::msm::g2_add::G2PointAdd;
    let kind = crate::msm::AdderKind::of(&preset.msm());
    let interval = preset.msm_g2_interval;
    let name = g2_add_module_name(preset);
    match preset.curve {
        crate::preset::Curve::Bn254 => {
            let block = G2PointAdd::<256, 512>::new(preset.curve, preset.mul_style, kind, interval);
            generate(name, block.latency(), block.tiles(), block)
        }
        crate::preset::Curve::Bls12_381 => {
            let block = G2PointAdd::<384, 768>::new(preset.curve, preset.mul_style, kind, interval);
            generate(name, block.latency(), block.tiles(), block)
        }
    }
}

/// Module name of a preset's G1 point adder, e.g. `point_add_sim_small`.
pub fn point_add_module_name(preset: &crate::preset::Preset) -> String {
    format!("point_add_{}", preset.name.replace('-', "_"))
}

/// The complete point adder of a preset's MSM lanes (G1, over the base field; full when
/// the preset reduces on the card, else mixed).
pub fn point_add(preset: &crate::preset::Preset) -> GeneratedModule {
    let kind = crate::msm::AdderKind::of(&preset.msm());
    point_add_of_kind(preset, kind, point_add_module_name(preset))
}

/// A complete point adder of `kind` over the preset's curve, as module `name`.
pub fn point_add_of_kind(
    preset: &crate::preset::Preset,
    kind: crate::msm::AdderKind,
    name: String,
) -> GeneratedModule {
    use crate::msm::PointAdd;
    match preset.curve {
        crate::preset::Curve::Bn254 => {
            let block = PointAdd::<256, 512>::new(preset.curve, preset.mul_style, kind);
            let tiles = block.multipliers() * block.tiles_per_multiplier();
            generate(name, block.latency(), tiles, block)
        }
        crate::preset::Curve::Bls12_381 => {
            let block = PointAdd::<384, 768>::new(preset.curve, preset.mul_style, kind);
            let tiles = block.multipliers() * block.tiles_per_multiplier();
            generate(name, block.latency(), tiles, block)
        }
    }
}

/// What every board top's name starts with (the simulator compiles boards, which tests
/// run for millions of cycles, with more optimisation than the standalone units).
pub const BOARD_PREFIX: &str = "board_";

/// Module name of a preset's board top, e.g. `board_sim_small`.
pub fn board_module_name(preset: &crate::preset::Preset) -> String {
    format!("{BOARD_PREFIX}{}", preset.name.replace('-', "_"))
}

/// The board top of a preset (CSR block, streams, kernels).
pub fn board(preset: &crate::preset::Preset) -> GeneratedModule {
    use crate::shell::board::Board;
    let name = board_module_name(preset);
    match preset.curve {
        crate::preset::Curve::Bn254 => {
            let block = Board::<256, 512>::new(preset);
            generate(name, block.latency(), 0, block)
        }
        crate::preset::Curve::Bls12_381 => {
            let block = Board::<384, 768>::new(preset);
            generate(name, block.latency(), 0, block)
        }
    }
}

/// Module name of a preset's NTT core, e.g. `ntt_core_sim_small`.
pub fn ntt_core_module_name(preset: &crate::preset::Preset) -> String {
    format!("ntt_core_{}", preset.name.replace('-', "_"))
}

/// The NTT core of a preset as a standalone top. `latency` is that of a full-size NTT
/// (first element in to first result out); smaller sizes are shorter (`NttCore::latency`).
pub fn ntt_core(preset: &crate::preset::Preset) -> GeneratedModule {
    let block = crate::ntt::NttCore::new(preset.curve, preset.mul_style, preset.ntt_log_size);
    let latency = block.latency(preset.ntt_log_size);
    let tiles = 0;
    generate(ntt_core_module_name(preset), latency, tiles, block)
}
