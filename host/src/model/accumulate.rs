//! A cycle model of the MSM unit's accumulation phase (`zkpipe_hdl::msm::pippenger`): the
//! same issue policy, written in Rust, so the cycles of geometries too large to simulate
//! (the real-card presets) can be projected. `zkpipe-tests`' `msm_model` test checks it
//! against the simulated board's counters.
//!
//! Per cycle, as the hardware: the deferral FIFO's head issues if its bucket is not in
//! flight; otherwise the current (point, window) with its signed digit
//! ([`crate::msm::digits`]) is skipped (zero digit or infinity), issued (bucket free),
//! deferred (FIFO not full) or held. A point leaves after its last window or once its
//! remaining digits (and carry) are zero; the next one waits in a two-stage fetch (base
//! read, then next) that is refilled as soon as it empties. Buckets are in flight
//! for adder latency + 2 cycles.

use crate::msm::digits::{bucket_index, signed_digits};
use std::collections::VecDeque;

/// What the accumulation of one msm_run job costs.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccumCycles {
    /// Cycles from the first scalar to the last addition issued.
    pub cycles: u64,
    /// Point additions issued.
    pub adds: u64,
    /// Points deferred because their bucket was in the adder.
    pub deferrals: u64,
    /// Cycles after the accumulation until the adder is empty (its latency + 2 when the
    /// last cycle issued; less when the last points issued nothing).
    pub drain: u64,
}

/// The unit's shape.
#[derive(Clone, Copy, Debug)]
pub struct MsmShape {
    /// Window size c in bits.
    pub window_bits: usize,
    /// Windows per scalar.
    pub windows: usize,
    /// Latency of the point adder.
    pub adder_latency: usize,
    /// Depth of the deferral FIFO.
    pub fifo_depth: usize,
}

/// Counts the accumulation cycles for these scalars (little-endian 64-bit limbs), the
/// host-to-card stream never running dry.
pub fn accumulate(shape: MsmShape, scalars: &[[u64; 4]]) -> AccumCycles {
    accumulate_skipping(shape, scalars, &[])
}

/// [`accumulate`] where point i's base is the identity if `identity[i]` (missing entries:
/// finite): the card walks its windows but issues no addition, as for zero digits.
pub fn accumulate_skipping(
    shape: MsmShape,
    scalars: &[[u64; 4]],
    identity: &[bool],
) -> AccumCycles {
    let skip = |i: usize| identity.get(i).copied().unwrap_or(false);
    let c = shape.window_bits;
    let in_flight = shape.adder_latency + 2;
    let mut out = AccumCycles::default();
    // Buckets (readout indices) in the adder (issued within the last L + 2 cycles), and
    // how often each is.
    let mut flight: VecDeque<Option<usize>> = vec![None; in_flight].into();
    let mut in_adder = vec![0u16; shape.windows * zkpipe_spec::wire::buckets_per_window(c)];
    let mut fifo: VecDeque<usize> = VecDeque::new();
    let (mut f, mut n, mut cur): (Option<usize>, Option<usize>, Option<(usize, usize)>) =
        (None, None, None);
    // The current point's signed digits, and the window it leaves after: its last non-zero
    // digit's (the hardware's "remaining bits and carry are zero"), or the first.
    let mut digits: Vec<i64> = Vec::new();
    let mut leaves_after = 0;
    let mut next_in = 0;
    loop {
        out.cycles += 1;
        if next_in == scalars.len()
            && f.is_none()
            && n.is_none()
            && cur.is_none()
            && fifo.is_empty()
        {
            out.drain = flight
                .iter()
                .position(Option::is_some)
                .map_or(0, |newest| (in_flight - newest) as u64);
            return out;
        }
        let busy = |a: usize| in_adder[a] > 0;
        let issue_h = fifo.front().is_some_and(|&a| !busy(a));
        let (mut take, mut issue, mut push) = (false, None, None);
        if issue_h {
            issue = fifo.pop_front();
        }
        if let Some((i, w)) = cur {
            let d = digits[w];
            if d == 0 || skip(i) {
                take = true;
            } else if !issue_h {
                let a = bucket_index(c, w, d);
                if !busy(a) {
                    issue = Some(a);
                    take = true;
                } else if fifo.len() < shape.fifo_depth {
                    push = Some(a);
                    take = true;
                }
            }
        }
        let last = take && cur.is_some_and(|(_, w)| w >= leaves_after);
        let n_to_c = n.is_some() && (cur.is_none() || last);
        let accept = next_in < scalars.len() && f.is_none() && (n.is_none() || n_to_c);
        // Clock edge.
        if let Some(a) = flight.pop_back().flatten() {
            in_adder[a] -= 1;
        }
        if let Some(a) = issue {
            in_adder[a] += 1;
        }
        flight.push_front(issue);
        out.adds += issue.is_some() as u64;
        if let Some(a) = push {
            fifo.push_back(a);
            out.deferrals += 1;
        }
        let f_old = f.take();
        if n_to_c {
            cur = n.map(|i| (i, 0));
            if let Some(i) = n {
                digits = signed_digits(&scalars[i], c, shape.windows);
                leaves_after = digits.iter().rposition(|&d| d != 0).unwrap_or(0);
            }
            n = None;
        } else if take {
            cur = if last {
                None
            } else {
                cur.map(|(i, w)| (i, w + 1))
            };
        }
        if let Some(i) = f_old {
            n = Some(i);
        }
        if accept {
            f = Some(next_in);
            next_in += 1;
        }
    }
}
