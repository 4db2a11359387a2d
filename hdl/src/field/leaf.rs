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

/// A W×W → 2W unsigned multiply written as one operator: the behavioural style, which
/// Verilator evaluates with a single wide multiply (fast to simulate, not for synthesis).
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
        // Verilog sizes `a * b` by its context: the product is computed at the width of `p`.
        Verilog::Custom("always @(*) p = a * b;".into())
    }
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
