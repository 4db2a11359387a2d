//! Leaf multipliers: the only `Verilog::Custom` blocks of the arithmetic.
//!
//! rust-hdl's `Bits` has no multiply wider than 16 bits, so the two multiplier primitives
//! are written as tiny combinational Verilog bodies. Everything around them (tiling,
//! adder trees, pipeline registers, reduction) is built from rust-hdl blocks.

use num_bigint::BigUint;
use rust_hdl::core::prelude::*;

/// Width of one tile operand. 16×16 fits one DSP48E2 (27×18 signed) with room to spare and
/// divides both operand widths used here (256 and 384), so no operand padding is needed.
pub const TILE_BITS: usize = 16;

/// A 16×16 → 32 unsigned multiply: one DSP slice after synthesis.
#[derive(LogicBlock, Default)]
pub struct TileMul {
    pub a: Signal<In, Bits<TILE_BITS>>,
    pub b: Signal<In, Bits<TILE_BITS>>,
    pub p: Signal<Out, Bits<32>>,
}

impl Logic for TileMul {
    fn update(&mut self) {
        self.p.next = bits::<32>(self.a.val().to_u64() * self.b.val().to_u64());
    }
    fn connect(&mut self) {
        self.p.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "always @(*) p = a * b;\n{}",
            crate::resources::marker(crate::resources::Kind::Dsp, 1)
        ))
    }
}

/// A W×W → W2 unsigned multiply for the behavioural style (fast to simulate, not for
/// synthesis), written as 32×32-bit limb products summed by columns.
///
/// Why not `p = a * b`: Verilator evaluates a wide `*` with `VL_MUL_W` at the width of
/// `p`, a loop cubic in the words (~800 carry steps for 512 bits). Limb products are native
/// 64-bit multiplies and each column a handful of 64-bit adds: the board simulates about
/// twice as fast (README, "Simulator build and speed").
#[derive(LogicBlock, Default)]
pub struct WideMulLeaf<const W: usize, const W2: usize> {
    pub a: Signal<In, Bits<W>>,
    pub b: Signal<In, Bits<W>>,
    pub p: Signal<Out, Bits<W2>>,
}

impl<const W: usize, const W2: usize> Logic for WideMulLeaf<W, W2> {
    fn update(&mut self) {
        let a: BigUint = self.a.val().into();
        let b: BigUint = self.b.val().into();
        self.p.next = (a * b).into();
    }
    fn connect(&mut self) {
        self.p.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(limb_product_verilog(W, W2))
    }
}

/// Bits of one limb of [`limb_product_verilog`].
const LIMB: usize = 32;

/// Verilog for `p = a * b` (a, b of `w` bits, p of `w2`) by 32-bit limbs: the products
/// `pp_i_j` = a_i·b_j (64 bits), and column k of p = the carry of column k − 1 + the low
/// halves of the products with i + j = k + the high halves of those with i + j = k − 1.
/// A column holds at most 2·⌈w/32⌉ + 1 terms below 2^32, far inside 64 bits.
fn limb_product_verilog(w: usize, w2: usize) -> String {
    use std::fmt::Write as _;
    let limbs = w.div_ceil(LIMB);
    let columns = w2.div_ceil(LIMB);
    let limb = |x: &str, i: usize| {
        let hi = ((i + 1) * LIMB).min(w) - 1;
        format!(
            "{{{}'d0, {x}[{hi}:{}]}}",
            64 - (hi + 1 - i * LIMB),
            i * LIMB
        )
    };
    let mut v = String::new();
    for i in 0..limbs {
        for j in 0..limbs {
            writeln!(v, "reg [63:0] pp_{i}_{j};").unwrap();
        }
    }
    writeln!(v, "reg [63:0] col;").unwrap();
    writeln!(v, "always @(*) begin").unwrap();
    for i in 0..limbs {
        for j in 0..limbs {
            if i + j < columns {
                writeln!(v, "  pp_{i}_{j} = {} * {};", limb("a", i), limb("b", j)).unwrap();
            } else {
                writeln!(v, "  pp_{i}_{j} = 64'd0;").unwrap();
            }
        }
    }
    writeln!(v, "  col = 64'd0;").unwrap();
    for k in 0..columns {
        let mut terms = vec![format!("{{32'd0, col[63:{LIMB}]}}")];
        for i in 0..limbs {
            if k >= i && k - i < limbs {
                terms.push(format!("{{32'd0, pp_{i}_{}[31:0]}}", k - i));
            }
            if k > i && k - i - 1 < limbs {
                terms.push(format!("{{32'd0, pp_{i}_{}[63:32]}}", k - i - 1));
            }
        }
        writeln!(v, "  col = {};", terms.join(" + ")).unwrap();
        let hi = ((k + 1) * LIMB).min(w2) - 1;
        writeln!(v, "  p[{hi}:{}] = col[{}:0];", k * LIMB, hi - k * LIMB).unwrap();
    }
    v.push_str("end\n");
    v
}

/// A 26×17 → 43 unsigned multiply: the DSP48E2's 27×18 signed multiplier used unsigned,
/// one DSP slice after synthesis (the `karatsuba` style's tile).
#[derive(LogicBlock, Default)]
pub struct DspTile {
    pub a: Signal<In, Bits<26>>,
    pub b: Signal<In, Bits<17>>,
    pub p: Signal<Out, Bits<43>>,
}

impl Logic for DspTile {
    fn update(&mut self) {
        self.p.next = bits::<43>(self.a.val().to_u64() * self.b.val().to_u64());
    }
    fn connect(&mut self) {
        self.p.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "always @(*) p = a * b;\n{}",
            crate::resources::marker(crate::resources::Kind::Dsp, 1)
        ))
    }
}
