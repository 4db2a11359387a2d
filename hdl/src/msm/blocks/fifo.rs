//! `zk_fifo`: a FIFO with first-word fall-through (`head` is the oldest entry whenever
//! `count` ≠ 0, read without a clock edge, so an entry can leave the cycle it is looked
//! at). A lane uses one as its deferral FIFO (points whose bucket is still in the adder;
//! the head is retried every cycle) and one as its point queue.
//!
//! A pop when empty is ignored; a push when full is dropped unless a pop frees the slot
//! the same cycle (callers check `count` first: the unit never drops a point). `clear`
//! empties it (job end, flush).

use super::{numbers, LibraryModule, SubBlock};
use crate::generate::PortDir;
use std::collections::VecDeque;

/// The module definition.
pub const MODULE: LibraryModule = LibraryModule {
    name: "zk_fifo",
    verilog: r#"// zkpipe sub-block: first-word-fall-through FIFO of 2^ABITS entries (hdl/src/msm/blocks/fifo.rs).
module zk_fifo #(parameter WIDTH = 8, parameter ABITS = 2) (
  input clock,
  input clear,
  input push,
  input [WIDTH-1:0] din,
  input pop,
  output [WIDTH-1:0] head,
  output reg [ABITS:0] count
);
  reg [WIDTH-1:0] mem [0:(1 << ABITS) - 1];
  reg [ABITS-1:0] rd, wr;
  wire do_pop = pop && (count != 0);
  wire do_push = push && ((count != (1 << ABITS)) || do_pop);
  assign head = mem[rd];
  always @(posedge clock) begin
    if (do_push) begin
      mem[wr] <= din;
      wr <= wr + 1'b1;
    end
    if (do_pop) rd <= rd + 1'b1;
    if (do_push && !do_pop) count <= count + 1'b1;
    else if (do_pop && !do_push) count <= count - 1'b1;
    if (clear) begin
      rd <= 0;
      wr <= 0;
      count <= 0;
    end
  end
endmodule
"#,
};

/// One FIFO's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FifoConfig {
    /// Bits per entry.
    pub width: usize,
    /// Entries (a power of two ≥ 2).
    pub depth: usize,
}

impl FifoConfig {
    /// The Verilator test's configuration.
    pub const TEST: FifoConfig = FifoConfig { width: 8, depth: 4 };

    /// log2 of the depth (the module's ABITS).
    pub fn addr_bits(&self) -> usize {
        assert!(
            self.depth.is_power_of_two() && self.depth >= 2,
            "depth a power of two ≥ 2"
        );
        self.depth.trailing_zeros() as usize
    }

    /// Bits of `count` (0..=depth).
    pub fn count_bits(&self) -> usize {
        self.addr_bits() + 1
    }
}

impl SubBlock for FifoConfig {
    const MODULE: LibraryModule = MODULE;

    fn params(&self) -> Vec<(&'static str, String)> {
        numbers(&[("WIDTH", self.width), ("ABITS", self.addr_bits())])
    }

    fn ports(&self) -> Vec<(&'static str, PortDir, usize)> {
        use PortDir::*;
        vec![
            ("clear", Input, 1),
            ("push", Input, 1),
            ("din", Input, self.width),
            ("pop", Input, 1),
            ("head", Output, self.width),
            ("count", Output, self.count_bits()),
        ]
    }

    fn top_name(&self) -> String {
        format!("zk_fifo_w{}_d{}", self.width, self.depth)
    }
}

/// The software model: what `zk_fifo` holds, cycle by cycle.
#[derive(Clone, Debug)]
pub struct FifoModel {
    depth: usize,
    entries: VecDeque<u64>,
}

impl FifoModel {
    /// An empty FIFO of `cfg.depth` entries.
    pub fn new(cfg: &FifoConfig) -> Self {
        Self {
            depth: cfg.depth,
            entries: VecDeque::new(),
        }
    }

    /// The oldest entry (None when empty: the hardware's `head` is then undefined).
    pub fn head(&self) -> Option<u64> {
        self.entries.front().copied()
    }

    /// Entries held.
    pub fn count(&self) -> usize {
        self.entries.len()
    }

    /// One clock edge with these inputs.
    pub fn clock(&mut self, clear: bool, push: Option<u64>, pop: bool) {
        let popped = pop && !self.entries.is_empty();
        let pushed = push.filter(|_| self.entries.len() < self.depth || popped);
        if popped {
            self.entries.pop_front();
        }
        if let Some(v) = pushed {
            self.entries.push_back(v);
        }
        if clear {
            self.entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_drops_a_push_when_full_unless_popped() {
        let cfg = FifoConfig { width: 8, depth: 2 };
        let mut f = FifoModel::new(&cfg);
        f.clock(false, Some(1), false);
        f.clock(false, Some(2), false);
        f.clock(false, Some(3), false);
        assert_eq!((f.count(), f.head()), (2, Some(1)));
        f.clock(false, Some(3), true);
        assert_eq!((f.count(), f.head()), (2, Some(2)));
        f.clock(true, Some(4), true);
        assert_eq!((f.count(), f.head()), (0, None));
    }
}
