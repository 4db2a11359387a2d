//! `zk_negate`: −y = p − y of a point's y coordinate, per component (G2: −(c0, c1) =
//! (−c0, −c1)), in two stages of SEG-bit segments so that no borrow chain is longer than
//! one segment per cycle: per-segment differences with borrow and equal-to-p flags are
//! registered on `load` (the point entering `next`), and the borrows are resolved into the
//! segments combinationally on the way to the lanes. A zero component stays zero (p − 0 =
//! p is not reduced). Inputs are canonical (y < p).

use super::{LibraryModule, SubBlock};
use crate::generate::PortDir;
use num_bigint::BigUint;

/// The module definition.
pub const MODULE: LibraryModule = LibraryModule {
    name: "zk_negate",
    verilog: r#"// zkpipe sub-block: −y = p − y per component, two stages of SEG-bit segments (hdl/src/msm/blocks/negate.rs).
module zk_negate #(parameter CW = 16, parameter COMPS = 1, parameter SEG = 8,
    parameter [CW-1:0] P = 0) (
  input clock,
  input load,
  input [COMPS*CW-1:0] y,
  output reg [COMPS*CW-1:0] ny
);
  localparam SEGS = COMPS * CW / SEG;
  localparam CSEGS = CW / SEG;
  reg [SEGS-1:0] g, z;
  reg [SEGS:0] b;
  reg [COMPS-1:0] yz;
  reg [COMPS*CW-1:0] d;
  integer i;
  always @(posedge clock) begin
    if (load) begin
      for (i = 0; i < SEGS; i = i + 1) begin
        {g[i], d[i*SEG +: SEG]} <= {1'b0, P[(i % CSEGS)*SEG +: SEG]} - {1'b0, y[i*SEG +: SEG]};
        z[i] <= (y[i*SEG +: SEG] == P[(i % CSEGS)*SEG +: SEG]);
      end
      for (i = 0; i < COMPS; i = i + 1) yz[i] <= (y[i*CW +: CW] == 0);
    end
  end
  always @(*) begin
    b[0] = 1'b0;
    for (i = 0; i < SEGS; i = i + 1)
      b[i+1] = ((i + 1) % CSEGS == 0) ? 1'b0 : (g[i] | (z[i] & b[i]));
    for (i = 0; i < SEGS; i = i + 1)
      ny[i*SEG +: SEG] = d[i*SEG +: SEG] - {{(SEG-1){1'b0}}, b[i]};
    for (i = 0; i < COMPS; i = i + 1)
      if (yz[i]) ny[i*CW +: CW] = {CW{1'b0}};
  end
endmodule
"#,
};

/// Negation modulo `modulus` of coordinates of `components` × `component_bits` bits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NegateConfig {
    /// p.
    pub modulus: BigUint,
    /// Bits of a component (the base field's width).
    pub component_bits: usize,
    /// Components per coordinate (1: G1, 2: G2).
    pub components: usize,
    /// Longest borrow chain per stage (divides `component_bits`).
    pub segment_bits: usize,
}

impl NegateConfig {
    /// The Verilator test's configuration: p = 65521, two 16-bit components, 8-bit
    /// segments.
    pub fn test() -> NegateConfig {
        NegateConfig {
            modulus: BigUint::from(65521u32),
            component_bits: 16,
            components: 2,
            segment_bits: 8,
        }
    }

    /// The model: −y component by component (y < p).
    pub fn negate(&self, components: &[BigUint]) -> Vec<BigUint> {
        components
            .iter()
            .map(|y| {
                if y == &BigUint::ZERO {
                    BigUint::ZERO
                } else {
                    &self.modulus - y
                }
            })
            .collect()
    }
}

impl SubBlock for NegateConfig {
    const MODULE: LibraryModule = MODULE;

    fn params(&self) -> Vec<(&'static str, String)> {
        assert_eq!(self.component_bits % self.segment_bits, 0);
        assert!(self.modulus.bits() as usize <= self.component_bits);
        vec![
            ("CW", self.component_bits.to_string()),
            ("COMPS", self.components.to_string()),
            ("SEG", self.segment_bits.to_string()),
            ("P", format!("{}'h{:x}", self.component_bits, self.modulus)),
        ]
    }

    fn ports(&self) -> Vec<(&'static str, PortDir, usize)> {
        use PortDir::*;
        let w = self.component_bits * self.components;
        vec![("load", Input, 1), ("y", Input, w), ("ny", Output, w)]
    }

    fn top_name(&self) -> String {
        format!("zk_negate_p{}_c{}", self.modulus, self.components)
    }
}
