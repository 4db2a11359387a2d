//! `zk_in_flight`: which buckets are in a lane's adder — the bucket addresses issued in the
//! last DEPTH cycles (PipeZK's conflict check; hardcaml's pippenger "track scalars").
//! Two probes ask whether an address is among them: the deferral FIFO's head and the
//! lane's next candidate. A bucket issued at t is read at t and written back at
//! t + 1 + L (L = adder latency), so DEPTH = L + 2 covers every cycle a read could see
//! a stale bucket, with one cycle of margin.
//!
//! The entries are one shift register of DEPTH·ABITS bits (not an array shifted entry by
//! entry: Verilator does not unroll a delayed array assignment in a loop of this length).

use super::{numbers, LibraryModule, SubBlock};
use crate::generate::PortDir;
use std::collections::VecDeque;

/// The module definition.
pub const MODULE: LibraryModule = LibraryModule {
    name: "zk_in_flight",
    verilog: r#"// zkpipe sub-block: bucket addresses in flight in a point adder (hdl/src/msm/blocks/in_flight.rs).
module zk_in_flight #(parameter DEPTH = 4, parameter ABITS = 8) (
  input clock,
  input issue,
  input [ABITS-1:0] addr,
  input [ABITS-1:0] probe0,
  input [ABITS-1:0] probe1,
  output reg hit0,
  output reg hit1,
  output any
);
  reg [DEPTH-1:0] v;
  reg [DEPTH*ABITS-1:0] a;
  integer i;
  assign any = (v != 0);
  always @(*) begin
    hit0 = 1'b0;
    hit1 = 1'b0;
    for (i = 0; i < DEPTH; i = i + 1) begin
      if (v[i] && a[i*ABITS +: ABITS] == probe0) hit0 = 1'b1;
      if (v[i] && a[i*ABITS +: ABITS] == probe1) hit1 = 1'b1;
    end
  end
  always @(posedge clock) begin
    v <= {v[DEPTH-2:0], issue};
    a <= {a[(DEPTH-1)*ABITS-1:0], addr};
  end
endmodule
"#,
};

/// One tracker's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InFlightConfig {
    /// Cycles an issued address stays tracked (adder latency + 2; ≥ 2).
    pub depth: usize,
    /// Bits of a bucket address.
    pub addr_bits: usize,
}

impl InFlightConfig {
    /// The Verilator test's configuration.
    pub const TEST: InFlightConfig = InFlightConfig {
        depth: 5,
        addr_bits: 3,
    };

    /// A lane's tracker for an adder of `adder_latency` cycles.
    pub fn for_adder(adder_latency: usize, addr_bits: usize) -> Self {
        Self {
            depth: adder_latency + 2,
            addr_bits,
        }
    }
}

impl SubBlock for InFlightConfig {
    const MODULE: LibraryModule = MODULE;

    fn params(&self) -> Vec<(&'static str, String)> {
        assert!(self.depth >= 2 && self.addr_bits >= 1);
        numbers(&[("DEPTH", self.depth), ("ABITS", self.addr_bits)])
    }

    fn ports(&self) -> Vec<(&'static str, PortDir, usize)> {
        use PortDir::*;
        let a = self.addr_bits;
        vec![
            ("issue", Input, 1),
            ("addr", Input, a),
            ("probe0", Input, a),
            ("probe1", Input, a),
            ("hit0", Output, 1),
            ("hit1", Output, 1),
            ("any", Output, 1),
        ]
    }

    fn top_name(&self) -> String {
        format!("zk_in_flight_d{}_a{}", self.depth, self.addr_bits)
    }
}

/// The software model: the addresses issued in the last `depth` cycles.
#[derive(Clone, Debug)]
pub struct InFlightModel {
    /// Newest first; None = no issue that cycle.
    slots: VecDeque<Option<u64>>,
}

impl InFlightModel {
    /// Nothing in flight.
    pub fn new(cfg: &InFlightConfig) -> Self {
        Self {
            slots: std::iter::repeat_n(None, cfg.depth).collect(),
        }
    }

    /// Whether `addr` was issued in the last `depth` cycles.
    pub fn hit(&self, addr: u64) -> bool {
        self.slots.contains(&Some(addr))
    }

    /// Whether anything is in flight.
    pub fn any(&self) -> bool {
        self.slots.iter().any(Option::is_some)
    }

    /// One clock edge: `issue` enters, the oldest leaves.
    pub fn clock(&mut self, issue: Option<u64>) {
        self.slots.pop_back();
        self.slots.push_front(issue);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_forgets_an_address_after_depth_cycles() {
        let cfg = InFlightConfig {
            depth: 3,
            addr_bits: 4,
        };
        let mut m = InFlightModel::new(&cfg);
        m.clock(Some(7));
        for _ in 0..2 {
            assert!(m.hit(7) && m.any());
            m.clock(None);
        }
        assert!(m.hit(7));
        m.clock(None);
        assert!(!m.hit(7) && !m.any());
    }
}
