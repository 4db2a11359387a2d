//! `zk_window_carries`: the carry of the signed digits into every window of a scalar, at
//! once. Window w *generates* a carry when its C bits exceed 2^(C−1) and *propagates* the
//! carry into it when they equal 2^(C−1); the flags are registered when the point moves
//! on (`load`), and the carries are one W-bit addition over them — ((g | p) + g) ⊕ (g | p)
//! ⊕ g — rather than a W-step ripple. So every lane gets the carry into each of its
//! windows without waiting for the other lanes' digits. `carries[w]` is the carry into
//! window w (`carries[0]` = 0, `carries[NW]` the carry out of the top window).

use super::signed_digit::SignedDigitConfig;
use super::{numbers, LibraryModule, SubBlock};
use crate::generate::PortDir;

/// The module definition.
pub const MODULE: LibraryModule = LibraryModule {
    name: "zk_window_carries",
    verilog: r#"// zkpipe sub-block: signed-digit carries into every window (hdl/src/msm/blocks/window_carries.rs).
module zk_window_carries #(parameter NW = 4, parameter C = 4) (
  input clock,
  input load,
  input [NW*C-1:0] bits,
  output [NW:0] carries
);
  reg [NW-1:0] gen, prop;
  integer v;
  always @(posedge clock) begin
    if (load) begin
      for (v = 0; v < NW; v = v + 1) begin
        gen[v] <= (bits[v*C +: C] > (1 << (C - 1)));
        prop[v] <= (bits[v*C +: C] == (1 << (C - 1)));
      end
    end
  end
  assign carries = ({1'b0, gen | prop} + {1'b0, gen}) ^ {1'b0, gen | prop} ^ {1'b0, gen};
endmodule
"#,
};

/// NW windows of C bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowCarriesConfig {
    /// Windows.
    pub windows: usize,
    /// c, bits per window (≥ 2).
    pub window_bits: usize,
}

impl WindowCarriesConfig {
    /// The Verilator test's configuration: 5 windows of 3 bits (every 15-bit scalar).
    pub const TEST: WindowCarriesConfig = WindowCarriesConfig {
        windows: 5,
        window_bits: 3,
    };

    /// The model: the carry into each window (and out of the top one) of `scalar`, taken
    /// digit by digit as [`SignedDigitConfig::digit`] does.
    pub fn carries(&self, scalar: u128) -> Vec<bool> {
        let digit = SignedDigitConfig {
            window_bits: self.window_bits,
        };
        let mask = (1u128 << self.window_bits) - 1;
        let mut out = vec![false];
        for w in 0..self.windows {
            let bits = ((scalar >> (w * self.window_bits)) & mask) as u64;
            let (neg, _) = digit.digit(bits, out[w]);
            out.push(neg);
        }
        out
    }
}

impl SubBlock for WindowCarriesConfig {
    const MODULE: LibraryModule = MODULE;

    fn params(&self) -> Vec<(&'static str, String)> {
        assert!(self.window_bits >= 2 && self.windows >= 1);
        numbers(&[("NW", self.windows), ("C", self.window_bits)])
    }

    fn ports(&self) -> Vec<(&'static str, PortDir, usize)> {
        use PortDir::*;
        vec![
            ("load", Input, 1),
            ("bits", Input, self.windows * self.window_bits),
            ("carries", Output, self.windows + 1),
        ]
    }

    fn top_name(&self) -> String {
        format!("zk_window_carries_w{}_c{}", self.windows, self.window_bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_with_the_model_carries_rebuild_the_scalar() {
        let cfg = WindowCarriesConfig::TEST;
        let c = cfg.window_bits;
        let digit = SignedDigitConfig { window_bits: c };
        for scalar in 0..1u128 << (cfg.windows * c) {
            let carries = cfg.carries(scalar);
            let mut value: i128 = (carries[cfg.windows] as i128) << (cfg.windows * c);
            for (w, &carry) in carries[..cfg.windows].iter().enumerate() {
                let bits = ((scalar >> (w * c)) & ((1 << c) - 1)) as u64;
                let (neg, mag) = digit.digit(bits, carry);
                let d = if neg { -(mag as i128) } else { mag as i128 };
                value += d << (w * c);
            }
            assert_eq!(value, scalar as i128);
        }
    }
}
