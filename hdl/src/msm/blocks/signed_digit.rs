//! `zk_signed_digit`: one window's signed digit. raw = the window's C bits + the carry
//! into it, in 0..=2^C; raw > 2^(C−1) becomes raw − 2^C (negative, magnitude 2^C − raw,
//! carry 1 into the next window), else raw. Magnitudes are 0..=2^(C−1): half the buckets
//! of unsigned digits. Combinational.
//!
//! The carries themselves are found for every window at once by the unit (a W-bit carry
//! chain over per-window generate/propagate flags), so that each lane needs no other
//! lane's digits; the host's twin is `zkpipe::msm::digits`.

use super::{numbers, LibraryModule, SubBlock};
use crate::generate::PortDir;

/// The module definition.
pub const MODULE: LibraryModule = LibraryModule {
    name: "zk_signed_digit",
    verilog: r#"// zkpipe sub-block: a window's signed digit (hdl/src/msm/blocks/signed_digit.rs).
module zk_signed_digit #(parameter C = 8) (
  input [C-1:0] bits,
  input carry,
  output neg,
  output [C-1:0] mag
);
  wire [C:0] raw = {1'b0, bits} + {{C{1'b0}}, carry};
  wire [C:0] raw_neg = {1'b1, {C{1'b0}}} - raw;
  assign neg = (raw > ({{C{1'b0}}, 1'b1} << (C - 1)));
  assign mag = neg ? raw_neg[C-1:0] : raw[C-1:0];
endmodule
"#,
};

/// A window of `window_bits` bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedDigitConfig {
    /// c, the window size (≥ 2).
    pub window_bits: usize,
}

impl SignedDigitConfig {
    /// The Verilator test's configuration (every input checked).
    pub const TEST: SignedDigitConfig = SignedDigitConfig { window_bits: 4 };

    /// The software model: (negative, magnitude) of `bits` (< 2^c) plus `carry`.
    pub fn digit(&self, bits: u64, carry: bool) -> (bool, u64) {
        let c = self.window_bits as u32;
        let raw = bits + carry as u64;
        if raw > 1 << (c - 1) {
            (true, (1 << c) - raw)
        } else {
            (false, raw)
        }
    }
}

impl SubBlock for SignedDigitConfig {
    const MODULE: LibraryModule = MODULE;

    fn params(&self) -> Vec<(&'static str, String)> {
        assert!(self.window_bits >= 2, "signed digits need c ≥ 2");
        numbers(&[("C", self.window_bits)])
    }

    fn ports(&self) -> Vec<(&'static str, PortDir, usize)> {
        use PortDir::*;
        let c = self.window_bits;
        vec![
            ("bits", Input, c),
            ("carry", Input, 1),
            ("neg", Output, 1),
            ("mag", Output, c),
        ]
    }

    fn clocked(&self) -> bool {
        false
    }

    fn top_name(&self) -> String {
        format!("zk_signed_digit_c{}", self.window_bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_digits_rebuild_the_window_value() {
        let cfg = SignedDigitConfig { window_bits: 5 };
        for bits in 0..32u64 {
            for carry in [false, true] {
                let (neg, mag) = cfg.digit(bits, carry);
                assert!(mag <= 16);
                // digit + 2^c · carry_out = bits + carry_in
                let value = if neg { 32 - mag as i64 } else { mag as i64 };
                assert_eq!(value, (bits + carry as u64) as i64);
            }
        }
    }
}
