//! `zk_reduce_schedule`: the bucket reduction's schedule ([`ReducePlan`]), which every lane
//! follows in lockstep. While `run` is high it walks rounds × slots, one slot per cycle in
//! which `step` is high (every cycle, or one in the adders' issue interval); slot s of round r is
//! chain s/2's **S step** (s even, rounds 0 … K−1: S ← S + B at magnitude index
//! g·K + K−1−r, the bucket cleared as it is read) or its **T step** (s odd, rounds 1 … K:
//! T ← T + S); slots from 2·chains on idle, and the last round only drains the adders. A
//! round is at least L + 2 cycles, so a chain's next step always finds its previous result
//! written back. Outputs: the step in issue (`on`, `t`, chain `ch`, bucket `baddr`, and
//! `id1`/`id2`: T or S is still the identity) and the same one cycle later, at the adder's
//! input (`v1`, `t1`, `ch1`, `id1_1`, `id2_1`); `last` in the final slot's step. Counters
//! restart whenever `run` is low.
//!
//! The model ([`ReduceScheduleConfig::step`]) is the same schedule in Rust, and
//! [`ReduceScheduleConfig::reduce`] runs it over integers through an adder of latency L —
//! the unit test checks that it yields S_g = Σ B_m and T_g = Σ (m − gK)·B_m for every chain.

use super::{ceil_log2, numbers, LibraryModule, SubBlock};
use crate::generate::PortDir;
use zkpipe_spec::preset::ReducePlan;

/// The module definition.
pub const MODULE: LibraryModule = LibraryModule {
    name: "zk_reduce_schedule",
    verilog: r#"// zkpipe sub-block: the bucket reduction's schedule (hdl/src/msm/blocks/reduce_schedule.rs).
module zk_reduce_schedule #(parameter CB = 1, parameter LK = 1, parameter SW = 2,
    parameter RW = 2, parameter CHAINS = 1, parameter K = 2, parameter SLOTS = 3,
    parameter ROUNDS = 4) (
  input clock,
  input run,
  input step,
  output on,
  output t,
  output [CB-1:0] ch,
  output [CB+LK-1:0] baddr,
  output id1,
  output id2,
  output last,
  output reg v1,
  output reg t1,
  output reg [CB-1:0] ch1,
  output reg id1_1,
  output reg id2_1
);
  localparam [SW-1:0] SLOT_LAST = SLOTS - 1;
  localparam [RW-1:0] ROUND_LAST = ROUNDS - 1;
  reg [RW-1:0] r;
  reg [SW-1:0] s;
  assign t = s[0];
  assign ch = s[CB:1];
  assign on = run && step && ({1'b0, s} < 2 * CHAINS)
           && (t ? (r != 0 && r <= K) : (r < K));
  assign id1 = (r == 1);
  assign id2 = (r == 0);
  assign last = run && step && (s == SLOT_LAST) && (r == ROUND_LAST);
  generate
    if (LK > 0) begin : grouped
      assign baddr = {ch, ~r[LK-1:0]};
    end else begin : single
      assign baddr = ch;
    end
  endgenerate
  always @(posedge clock) begin
    v1 <= on;
    t1 <= t;
    ch1 <= ch;
    id1_1 <= id1;
    id2_1 <= id2;
    if (!run) begin
      r <= 0;
      s <= 0;
    end else if (!step) begin
    end else if (s == SLOT_LAST) begin
      s <= 0;
      r <= r + 1'b1;
    end else s <= s + 1'b1;
  end
endmodule
"#,
};

/// A lane's reduction: the plan and the bits of a chain address {window in the lane,
/// group}.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReduceScheduleConfig {
    /// The schedule's shape.
    pub plan: ReducePlan,
    /// Bits of a chain address.
    pub chain_bits: usize,
}

/// One cycle's step (None: an idle slot or the drain).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// A T step (else an S step).
    pub t: bool,
    /// The chain.
    pub chain: usize,
    /// The bucket an S step reads: {chain, magnitude index within the group}.
    pub bucket: usize,
    /// T is still the identity (a T step's first round).
    pub t_identity: bool,
    /// S is still the identity (an S step's first round).
    pub s_identity: bool,
}

impl ReduceScheduleConfig {
    /// The Verilator test's configuration: 3 chains of K = 4 magnitudes, rounds of 7 slots,
    /// a slot every 2 cycles (adders of latency ≤ 12).
    pub const TEST: ReduceScheduleConfig = ReduceScheduleConfig {
        plan: ReducePlan {
            groups: 2,
            per_group: 4,
            chains: 3,
            slots: 7,
            rounds: 6,
            interval: 2,
        },
        chain_bits: 2,
    };

    /// log2 K: the bits of a magnitude index within a group.
    pub fn group_bits(&self) -> usize {
        self.plan.per_group.trailing_zeros() as usize
    }

    fn slot_bits(&self) -> usize {
        ceil_log2(self.plan.slots).max(self.chain_bits + 1)
    }

    fn round_bits(&self) -> usize {
        ceil_log2(self.plan.rounds) + 1
    }

    /// The step in issue at (round, slot): the model of the module's `on`, `t`, `ch`,
    /// `baddr`, `id1`, `id2`.
    pub fn step(&self, round: usize, slot: usize) -> Option<Step> {
        let k = self.plan.per_group;
        let (t, chain) = (slot % 2 == 1, slot / 2);
        let active = chain < self.plan.chains
            && if t {
                (1..=k).contains(&round)
            } else {
                round < k
            };
        let low = (!round) & (k - 1);
        active.then_some(Step {
            t,
            chain,
            bucket: (chain << self.group_bits()) | low,
            t_identity: round == 1,
            s_identity: round == 0,
        })
    }

    /// Whether the schedule steps in cycle `cycle` of the reduction: the last cycle of each
    /// issue interval (the unit's phase counter starts at 0 with the reduction, and the
    /// adder takes the step's operands a cycle later, at phase 0).
    pub fn steps_at(&self, cycle: usize) -> bool {
        cycle % self.plan.interval == self.plan.interval - 1
    }

    /// The schedule run over integers (wrapping) with an adder of `latency` cycles:
    /// `buckets[chain][i]` is B at magnitude index g·K + i of the chain's window. Returns
    /// (S, T) per chain. The adder takes its operands one cycle after issue (registered
    /// reads) and writes back `latency` cycles later; a read sees only earlier writes.
    pub fn reduce(&self, buckets: &[Vec<u64>], latency: usize) -> Vec<(u64, u64)> {
        let p = self.plan;
        let mut sums = vec![(0u64, 0u64); p.chains];
        let mut bucket_mem: Vec<Vec<u64>> = buckets.to_vec();
        // (cycle it lands, chain, is T, value)
        let mut pending: Vec<(usize, usize, bool, u64)> = vec![];
        for cycle in 0..p.cycles() {
            // Writes landing before this cycle's reads.
            pending.retain(|&(at, ch, t, v)| {
                if at < cycle {
                    if t {
                        sums[ch].1 = v;
                    } else {
                        sums[ch].0 = v;
                    }
                    false
                } else {
                    true
                }
            });
            if !self.steps_at(cycle) {
                continue;
            }
            let slot = cycle / p.interval;
            let Some(s) = self.step(slot / p.slots, slot % p.slots) else {
                continue;
            };
            let (sum_s, sum_t) = sums[s.chain];
            let value = if s.t {
                let t = if s.t_identity { 0 } else { sum_t };
                t.wrapping_add(sum_s)
            } else {
                let i = s.bucket & (p.per_group - 1);
                let b = std::mem::take(&mut bucket_mem[s.chain][i]);
                let acc = if s.s_identity { 0 } else { sum_s };
                b.wrapping_add(acc)
            };
            pending.push((cycle + 1 + latency, s.chain, s.t, value));
        }
        for (_, ch, t, v) in pending {
            if t {
                sums[ch].1 = v;
            } else {
                sums[ch].0 = v;
            }
        }
        sums
    }
}

impl SubBlock for ReduceScheduleConfig {
    const MODULE: LibraryModule = MODULE;

    fn params(&self) -> Vec<(&'static str, String)> {
        let p = self.plan;
        assert!(p.per_group.is_power_of_two() && p.chains <= 1 << self.chain_bits);
        numbers(&[
            ("CB", self.chain_bits),
            ("LK", self.group_bits()),
            ("SW", self.slot_bits()),
            ("RW", self.round_bits()),
            ("CHAINS", p.chains),
            ("K", p.per_group),
            ("SLOTS", p.slots),
            ("ROUNDS", p.rounds),
        ])
    }

    fn ports(&self) -> Vec<(&'static str, PortDir, usize)> {
        use PortDir::*;
        let cb = self.chain_bits;
        vec![
            ("run", Input, 1),
            ("step", Input, 1),
            ("on", Output, 1),
            ("t", Output, 1),
            ("ch", Output, cb),
            ("baddr", Output, cb + self.group_bits()),
            ("id1", Output, 1),
            ("id2", Output, 1),
            ("last", Output, 1),
            ("v1", Output, 1),
            ("t1", Output, 1),
            ("ch1", Output, cb),
            ("id1_1", Output, 1),
            ("id2_1", Output, 1),
        ]
    }

    fn top_name(&self) -> String {
        let p = self.plan;
        format!(
            "zk_reduce_schedule_c{}_k{}_s{}",
            p.chains, p.per_group, p.slots
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schedule computes the sums the host combines, for adders as slow as a round
    /// allows (L = slots · interval − 2) and as fast as a chain's T step allows
    /// (L = interval − 1: a T step must still see the previous round's S, not the S issued
    /// one slot before it; every real adder is far slower than that).
    #[test]
    fn the_schedule_yields_s_and_t_of_every_chain() {
        let cfg = ReduceScheduleConfig::TEST;
        let k = cfg.plan.per_group;
        let buckets: Vec<Vec<u64>> = (0..cfg.plan.chains)
            .map(|c| {
                (0..k)
                    .map(|i| 1000 * (c as u64 + 1) + 37 * i as u64 + 5)
                    .collect()
            })
            .collect();
        let slowest = cfg.plan.slots * cfg.plan.interval - 2;
        let fastest = cfg.plan.interval - 1;
        for latency in [fastest, fastest + 1, cfg.plan.slots - 2, slowest] {
            let sums = cfg.reduce(&buckets, latency);
            for (c, b) in buckets.iter().enumerate() {
                let s: u64 = b.iter().sum();
                // Index i within the group is magnitude gK + i + 1: weight i + 1.
                let t: u64 = b.iter().enumerate().map(|(i, v)| (i as u64 + 1) * v).sum();
                assert_eq!(sums[c], (s, t), "chain {c}, L = {latency}");
            }
        }
    }

    #[test]
    fn a_round_shorter_than_the_adder_breaks_it() {
        // The check above can fail: with L = slots · interval − 1 a step misses its chain's
        // last result.
        let cfg = ReduceScheduleConfig::TEST;
        let buckets = vec![vec![1, 2, 3, 4]; cfg.plan.chains];
        let sums = cfg.reduce(&buckets, cfg.plan.slots * cfg.plan.interval - 1);
        assert_ne!(sums[0], (10, 30));
    }
}
