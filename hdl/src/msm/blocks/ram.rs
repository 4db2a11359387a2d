//! `zk_ram`: a simple dual-port memory — one registered read port with an enable, one
//! write port, read-first when both hit one address (the read sees the old word). A
//! lane's bucket memory and its reduction sums (S and T per chain) are `zk_ram`s; which
//! write wins (adder result, clearing sweep, read-and-clear during readout) is the lane's
//! policy and stays in its control. On a card this is one URAM/BRAM array, as inferred
//! from the same Verilog.

use super::{numbers, LibraryModule, SubBlock};
use crate::generate::PortDir;

/// The module definition.
pub const MODULE: LibraryModule = LibraryModule {
    name: "zk_ram",
    verilog: r#"// zkpipe sub-block: simple dual-port memory, registered read-first read (hdl/src/msm/blocks/ram.rs).
module zk_ram #(parameter WIDTH = 8, parameter ABITS = 2, parameter DEPTH = 4) (
  input clock,
  input ren,
  input [ABITS-1:0] raddr,
  output reg [WIDTH-1:0] q,
  input wen,
  input [ABITS-1:0] waddr,
  input [WIDTH-1:0] wdata
);
  reg [WIDTH-1:0] mem [0:DEPTH-1];
  always @(posedge clock) begin
    if (ren) q <= mem[raddr];
    if (wen) mem[waddr] <= wdata;
  end
endmodule
"#,
};

/// One memory's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RamConfig {
    /// Bits per word.
    pub width: usize,
    /// Words (addresses 0..depth).
    pub depth: usize,
    /// Bits of an address (≥ ⌈log2 depth⌉).
    pub addr_bits: usize,
}

impl RamConfig {
    /// The Verilator test's configuration (a depth that is not a power of two).
    pub const TEST: RamConfig = RamConfig {
        width: 12,
        depth: 6,
        addr_bits: 3,
    };
}

impl SubBlock for RamConfig {
    const MODULE: LibraryModule = MODULE;

    fn params(&self) -> Vec<(&'static str, String)> {
        assert!(self.depth >= 1 && self.depth <= 1 << self.addr_bits);
        numbers(&[
            ("WIDTH", self.width),
            ("ABITS", self.addr_bits),
            ("DEPTH", self.depth),
        ])
    }

    fn ports(&self) -> Vec<(&'static str, PortDir, usize)> {
        use PortDir::*;
        let (w, a) = (self.width, self.addr_bits);
        vec![
            ("ren", Input, 1),
            ("raddr", Input, a),
            ("q", Output, w),
            ("wen", Input, 1),
            ("waddr", Input, a),
            ("wdata", Input, w),
        ]
    }

    fn top_name(&self) -> String {
        format!("zk_ram_w{}_d{}", self.width, self.depth)
    }
}

/// The software model: the words and the read register.
#[derive(Clone, Debug)]
pub struct RamModel {
    words: Vec<Option<u64>>,
    q: Option<u64>,
}

impl RamModel {
    /// A memory whose words are unknown until written.
    pub fn new(cfg: &RamConfig) -> Self {
        Self {
            words: vec![None; cfg.depth],
            q: None,
        }
    }

    /// The read register (None: a word never written, or nothing read yet).
    pub fn q(&self) -> Option<u64> {
        self.q
    }

    /// One clock edge: the read sees the word before this edge's write.
    pub fn clock(&mut self, read: Option<usize>, write: Option<(usize, u64)>) {
        if let Some(a) = read {
            self.q = self.words[a];
        }
        if let Some((a, v)) = write {
            self.words[a] = Some(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_reads_the_old_word_when_both_ports_hit_one_address() {
        let mut m = RamModel::new(&RamConfig::TEST);
        m.clock(None, Some((2, 7)));
        m.clock(Some(2), Some((2, 9)));
        assert_eq!(m.q(), Some(7));
        m.clock(Some(2), None);
        assert_eq!(m.q(), Some(9));
    }
}
