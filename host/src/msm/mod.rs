//! G1 multi-scalar multiplication on a card: Σ kᵢ·Pᵢ, equal to arkworks'
//! `VariableBaseMSM::msm`.
//!
//! The card's MSM unit (`zkpipe_hdl::msm::MsmUnit`) keeps bases in card memory and
//! accumulates Pippenger buckets. The split:
//!
//! * **card**: signed digit extraction ([`digits`]), bucket accumulation (one addition
//!   per cycle and adder, −P for a negative digit), the deferral FIFO — the O(n · windows)
//!   work — and, on boards that reduce on the card (CAPS_MSM_REDUCE = G ≠ 0), the window
//!   sums: per window and group of 2^(c−1)/G magnitudes a running sum S_g and a weighted
//!   sum T_g through the same adders;
//! * **host**: on such boards, Σ_g T_g + g·K·S_g per window and Horner over windows from
//!   2·W·G points ([`reduce::combine_sums`], well under a millisecond). Otherwise (rayon,
//!   parallel over windows) per window Σ m·B_m over the 2^(c−1) magnitudes by running sums
//!   (2 additions per bucket, after one batch normalisation), then Horner over windows —
//!   O(windows · 2^(c−1)) work that does not grow with n ([`reduce::reduce`]).
//!
//! Bases are **resident**: [`Device::load_bases`](crate::Device::load_bases) stores them once and returns a
//! [`ResidentBases`] handle; [`Device::msm_resident`](crate::Device::msm_resident) then streams only scalars.
//! [`Device::msm`](crate::Device::msm) (and the prover backend) finds bases already resident by content
//! (length and a 64-bit fingerprint), makes new ones resident while card memory has room,
//! and otherwise streams them through the free part of card memory in chunks.
//!
//! Identity bases are stored with the infinity flag and skipped by the card; zero scalars
//! (and zero digits) issue no addition. Every returned bucket is checked (coordinates
//! reduced, point on the curve) so a faulty card yields an error, not a wrong sum.

mod curve;
mod device;
pub mod digits;
pub mod pool;
pub mod reduce;
pub mod scalars;
pub(crate) mod wire;

pub use curve::BoardCurve;
#[cfg(feature = "model")]
pub(crate) use device::{fingerprint, STREAM_MIN_FRACTION};
pub use device::{CardMemory, MsmEngine, MsmState, ResidentBases, Scalars};

use crate::driver::kernel::Counters;
use crate::ntt::EngineStats;
use crate::stats::Measure;

/// Measurements of one MSM call (all its jobs).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MsmReport {
    /// Points.
    pub n: usize,
    /// msm_load jobs (0 when every base was already resident).
    pub load_jobs: usize,
    /// msm_run jobs.
    pub run_jobs: usize,
    /// Busy cycles of all jobs (loads, accumulation, drain, readout).
    pub busy_cycles: u64,
    /// Accumulation-phase cycles (first scalar to last addition issued).
    pub accum_cycles: u64,
    /// Issue slots of one adder in the accumulation: its cycles over the adders' issue
    /// interval (equal to `accum_cycles` for adders that take an addition per cycle).
    pub accum_slots: u64,
    /// Point additions the card issued (all adders).
    pub adds: u64,
    /// Additions of each job's least busy adder, summed over jobs.
    pub adds_min: u64,
    /// Points deferred because their bucket was in the adder.
    pub deferrals: u64,
    /// Cycles of the bucket reduction on the card (0 when the host reduces).
    pub reduce_cycles: u64,
    /// Busy time at the preset's clock.
    pub projected_s: f64,
    /// Host time reducing buckets (or combining the card's sums) and scaling by R⁻¹.
    pub reduce_s: f64,
    /// Host time encoding the streams (scalars, bases) into the staging buffer.
    pub encode_s: f64,
    /// Wall-clock time of the whole call (including simulation, if simulated).
    pub host_s: f64,
    /// Cycles the simulator ran (BAR accesses and DMA included), if simulated.
    pub sim_cycles: Option<u64>,
}

impl MsmReport {
    /// Host CPU time of the MSM's own work: encoding the streams and reducing what the
    /// card returns (not waiting for the card, not simulation).
    pub fn host_cpu_s(&self) -> f64 {
        self.encode_s + self.reduce_s
    }

    /// Adder utilisation during accumulation, the lowest over the adders: its additions
    /// issued / its issue slots (accumulation cycles / issue interval).
    pub fn utilisation(&self) -> f64 {
        if self.accum_slots == 0 {
            0.0
        } else {
            self.adds_min as f64 / self.accum_slots as f64
        }
    }

    /// Adds one job's counters (the caller counts the job as a load or a run) of an engine
    /// whose adders take an addition every `interval` cycles.
    pub(crate) fn add_job(
        &mut self,
        c: &Counters,
        interval: u32,
        clock_mhz: f64,
        sim: Option<u64>,
    ) {
        let job = MsmReport {
            busy_cycles: c.busy_cycles as u64,
            accum_cycles: c.msm_accum_cycles as u64,
            accum_slots: c.msm_accum_cycles as u64 / interval.max(1) as u64,
            adds: c.msm_adds as u64,
            adds_min: c.msm_adds_min as u64,
            deferrals: c.msm_deferrals as u64,
            reduce_cycles: c.msm_reduce_cycles as u64,
            projected_s: c.busy_cycles as f64 / (clock_mhz * 1e6),
            sim_cycles: sim,
            ..Default::default()
        };
        self.merge(&job);
    }

    /// This call's device work as [`EngineStats`] (elements = points).
    pub fn stats(&self) -> EngineStats {
        EngineStats {
            jobs: self.load_jobs + self.run_jobs,
            busy_cycles: self.busy_cycles,
            elements: self.n as u64,
            projected_s: self.projected_s,
            sim_cycles: self.sim_cycles,
            // An MSM's stream encoding is its own measure: `encode_s`.
            codec_s: 0.0,
        }
    }

    /// `self − earlier` for cumulative reports (see `BackendStats::since`).
    pub fn minus(&self, earlier: &MsmReport) -> MsmReport {
        Measure::minus(*self, *earlier)
    }

    /// Sums the reports of parts of one MSM (e.g. chunks on several boards).
    pub fn merge(&mut self, other: &MsmReport) {
        *self = Measure::plus(*self, *other);
    }
}

crate::measures!(MsmReport {
    n,
    load_jobs,
    run_jobs,
    busy_cycles,
    accum_cycles,
    accum_slots,
    adds,
    adds_min,
    deferrals,
    reduce_cycles,
    projected_s,
    reduce_s,
    encode_s,
    host_s,
    sim_cycles,
});
