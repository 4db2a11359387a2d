//! A cycle model of the MSM unit's accumulation phase (`zkpipe_hdl::msm::pippenger`): the
//! same issue policy, written in Rust, so the cycles of geometries too large to simulate
//! (the real-card presets) can be projected. `zkpipe-tests`' `msm_model` test checks it
//! against the simulated board's counters.
//!
//! The unit has `adders` lanes, one point adder each; lane k owns the windows
//! w ≡ k (mod adders) with their buckets, deferral FIFO and in-flight list. A point is
//! fetched once and pushed into every lane's point queue in the same cycle (when every
//! queue has room); each lane takes its next point from its queue — or straight from the
//! fetch stage when its queue is empty — as soon as it is done with the current one, and
//! walks its own windows of it, one per cycle. So lanes drift apart by up to the queue
//! depth instead of waiting for each other at every point. Per cycle and lane, as the
//! hardware: the lane's FIFO head issues if its bucket is not in flight; otherwise the
//! lane's current window with its signed digit ([`crate::msm::digits`]) is skipped (zero
//! digit or infinity), issued (bucket free), deferred (FIFO not full) or held. A lane is
//! done with a point after its last window or once the point's remaining digits (and
//! carry) are zero. A point waits in a two-stage fetch (base read, then next) that moves
//! on whenever the next stage does: up to a point per cycle. Buckets are in flight for adder latency + 2 cycles.
//! Adders with an issue interval (`interval` > 1: multipliers shared between the products
//! of one addition) let their lanes act only in the last cycle of each interval, counted
//! from the first cycle of the accumulation; the fetch stages still move every cycle.

use crate::msm::digits::{bucket_index, signed_digits};
use std::collections::VecDeque;
use std::rc::Rc;

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
    /// Cycles after the accumulation until every adder is empty (latency + 2 when the
    /// last cycle issued; less when the last points issued nothing; 1 when nothing is in
    /// flight).
    pub drain: u64,
    /// Additions issued to the least busy adder (its utilisation: this · interval /
    /// `cycles`).
    pub adds_min: u64,
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
    /// Depth of each lane's deferral FIFO.
    pub fifo_depth: usize,
    /// Point adders (lanes), 1 ≤ adders ≤ windows.
    pub adders: usize,
    /// Depth of each lane's point queue (≥ 1).
    pub lane_queue: usize,
    /// Cycles between two additions of one adder (1: every cycle).
    pub interval: usize,
}

impl MsmShape {
    /// The shape of an engine of this geometry whose adders have `adder_latency` cycles.
    pub fn of(geometry: &zkpipe_spec::preset::MsmConfig, adder_latency: usize) -> Self {
        MsmShape {
            window_bits: geometry.window_bits,
            windows: geometry.windows,
            adder_latency,
            fifo_depth: geometry.fifo_depth,
            adders: geometry.adders,
            lane_queue: geometry.lane_queue,
            interval: geometry.interval,
        }
    }
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
    let (c, nw, lanes) = (
        shape.window_bits,
        shape.windows,
        shape.adders.clamp(1, shape.windows),
    );
    let in_flight = shape.adder_latency + 2;
    let mut out = AccumCycles::default();
    let mut lane: Vec<Lane> = (0..lanes).map(|_| Lane::new(in_flight)).collect();
    // How often each bucket (readout index; windows are disjoint between lanes) is in an
    // adder.
    let mut in_adder = vec![0u16; nw * zkpipe_spec::wire::buckets_per_window(c)];
    let (mut f, mut n): (Option<usize>, Option<usize>) = (None, None);
    let queue_depth = shape.lane_queue.max(1);
    let point_of = |i: usize| {
        let digits = signed_digits(&scalars[i], c, nw);
        // A lane is done with the point after its first window at or above the last
        // non-zero digit (the hardware's "remaining bits and carry are zero").
        let last_nonzero = digits.iter().rposition(|&d| d != 0).unwrap_or(0);
        Point {
            skip: skip(i),
            digits,
            last_nonzero,
        }
    };
    let mut next_in = 0;
    loop {
        out.cycles += 1;
        if next_in == scalars.len()
            && f.is_none()
            && n.is_none()
            && lane
                .iter()
                .all(|l| l.window.is_none() && l.fifo.is_empty() && l.queue.is_empty())
        {
            out.drain = lane
                .iter()
                .filter_map(|l| l.flight.iter().position(Option::is_some))
                .map(|newest| (in_flight - newest) as u64)
                .max()
                // Nothing in flight: the drain state still takes its one cycle.
                .unwrap_or(1);
            out.adds_min = lane.iter().map(|l| l.adds).min().unwrap_or(0);
            return out;
        }
        let mut steps = Vec::with_capacity(lanes);
        let slot = out.cycles % shape.interval.max(1) as u64 == 0;
        for l in &mut lane {
            if !slot {
                steps.push(Step::default());
                continue;
            }
            let busy = |a: usize| in_adder[a] > 0;
            let mut step = Step::default();
            let issue_h = l.fifo.front().is_some_and(|&a| !busy(a));
            if issue_h {
                step.issue = l.fifo.pop_front();
            }
            if let (Some(w), Some(p)) = (l.window, &l.point) {
                let d = p.digits[w];
                if d == 0 || p.skip {
                    step.take = true;
                } else if !issue_h {
                    let a = bucket_index(c, w, d);
                    if !busy(a) {
                        step.issue = Some(a);
                        step.take = true;
                    } else if l.fifo.len() < shape.fifo_depth {
                        step.push = Some(a);
                        step.take = true;
                    }
                }
                step.last = step.take && (w >= p.last_nonzero || w + lanes >= nw);
            }
            steps.push(step);
        }
        // The point in `next` goes into every lane's queue when all have room.
        let push = n.is_some() && lane.iter().all(|l| l.queue.len() < queue_depth);
        // Fetch and next move on together: a point per cycle when the lanes take them.
        let f_to_n = f.is_some() && (n.is_none() || push);
        let accept = next_in < scalars.len() && (f.is_none() || f_to_n);
        // The pushed point's digits, computed once and shared by every lane.
        let pushed = if push {
            n.map(point_of).map(Rc::new)
        } else {
            None
        };
        // Clock edge.
        for (k, (l, step)) in lane.iter_mut().zip(&steps).enumerate() {
            if let Some(a) = l.flight.pop_back().flatten() {
                in_adder[a] -= 1;
            }
            if let Some(a) = step.issue {
                in_adder[a] += 1;
                l.adds += 1;
            }
            l.flight.push_front(step.issue);
            if let Some(a) = step.push {
                l.fifo.push_back(a);
                out.deferrals += 1;
            }
            let done = l.window.is_none() || step.last;
            let mut bypass = false;
            if done {
                if let Some(next) = l.queue.pop_front() {
                    l.point = Some(next);
                    l.window = Some(k);
                } else if push {
                    // An empty queue passes the point straight to the lane.
                    l.point = pushed.clone();
                    l.window = Some(k);
                    bypass = true;
                } else {
                    l.window = None;
                }
            } else if step.take {
                l.window = l.window.map(|w| w + lanes);
            }
            if push && !bypass {
                l.queue.extend(pushed.clone());
            }
        }
        out.adds += steps.iter().filter(|s| s.issue.is_some()).count() as u64;
        if push {
            n = None;
        }
        if f_to_n {
            n = f.take();
        }
        if accept {
            f = Some(next_in);
            next_in += 1;
        }
    }
}

/// A point as a lane walks it: its signed digits, the window of the last non-zero one,
/// and whether its base is the identity.
struct Point {
    skip: bool,
    digits: Vec<i64>,
    last_nonzero: usize,
}

/// One lane's state: its point queue, the point and window it is on, its deferral FIFO
/// and the buckets it has in flight (newest first).
struct Lane {
    queue: VecDeque<Rc<Point>>,
    point: Option<Rc<Point>>,
    window: Option<usize>,
    fifo: VecDeque<usize>,
    flight: VecDeque<Option<usize>>,
    adds: u64,
}

impl Lane {
    fn new(in_flight: usize) -> Self {
        Lane {
            queue: VecDeque::new(),
            point: None,
            window: None,
            fifo: VecDeque::new(),
            flight: vec![None; in_flight].into(),
            adds: 0,
        }
    }
}

/// What one lane does in a cycle.
#[derive(Default)]
struct Step {
    take: bool,
    last: bool,
    issue: Option<usize>,
    push: Option<usize>,
}
