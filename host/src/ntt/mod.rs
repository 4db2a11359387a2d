//! NTTs of any power-of-two size on an NTT engine (the board, or the software model).
//!
//! * [`ntt`]: in place, natural order in and out, forward or inverse, plain or on a coset —
//!   the same results as ark-poly's `Radix2EvaluationDomain` (`fft_in_place`,
//!   `ifft_in_place`, and the same on `get_coset(offset)`).
//! * n ≤ N (the card's core size): one job. Larger n: four-step ([`four_step`]) — column
//!   NTTs, twiddles ω^(i·j) and row NTTs all on the engine, recursively when n > N²; the
//!   host only transposes ([`transpose`], cache-blocked and parallel).
//! * Coset: a single NTT of n ≤ N applies g^i in the card's front multiplier; otherwise the
//!   card's powmul pass (r_i = x_i·g^i) runs before the forward transform, or with g⁻¹ after
//!   the inverse one (ark-poly's definition: coset iFFT = iFFT then ·g^−i).
//! * n beyond the card (2^S, or a coset transform longer than one job): [`radix2`] halves
//!   it on the host (one butterfly layer, folded with the coset powers) and transforms
//!   the halves on the card, recursively.
//! * [`NttEngine`] is what a transform needs from a card; [`SoftEngine`] implements the same
//!   contract with arkworks, so the planner is tested at tiny core sizes too.

pub mod four_step;
pub mod radix2;
pub mod soft;
pub mod transpose;

use crate::error::{Error, Result};
use ark_ff::FftField;
use std::time::Instant;

pub use soft::SoftEngine;

/// Forward (evaluate) or inverse (interpolate, with the 1/n scaling).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// The forward transform.
    Forward,
    /// The inverse transform (scaled by 1/n).
    Inverse,
}

/// Whether the transform runs over the subgroup itself or a coset g·⟨ω⟩.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coset<F> {
    /// Over the subgroup ⟨ω⟩ itself.
    None,
    /// The coset offset g (ark-groth16 uses `F::GENERATOR`).
    Offset(F),
}

/// The per-element factor an NTT job's front multiplier applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Factor<F> {
    /// None (×1).
    Plain,
    /// g^t for element t (the job holds exactly one NTT).
    Coset(F),
    /// ω_T^(±r·t) for element t of the job's NTT number r − row0, T = 2^log_t; the sign
    /// follows the direction. The twiddles of a four-step transform of size T.
    Twiddle {
        /// log2 T.
        log_t: u32,
        /// The row of the job's first NTT.
        row0: u32,
    },
}

/// One engine job: `data.len() / 2^log_n` NTTs of 2^log_n points back to back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NttJob<F> {
    /// m: log2 of each NTT's size.
    pub log_n: u32,
    /// Forward or inverse.
    pub direction: Direction,
    /// Front factor applied before the transform.
    pub factor: Factor<F>,
}

crate::measures!(EngineStats {
    jobs,
    busy_cycles,
    elements,
    projected_s,
    sim_cycles,
    codec_s,
});

/// Device measurements summed over the jobs of one call.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EngineStats {
    /// Device jobs.
    pub jobs: usize,
    /// Kernel busy cycles (PERF_BUSY_CYCLES).
    pub busy_cycles: u64,
    /// Elements streamed in (the jobs' JOB_COUNT; PERF_BEATS_IN counts beats, two
    /// elements each for NTT and powmul jobs).
    pub elements: u64,
    /// Busy time at the card's clock.
    pub projected_s: f64,
    /// Simulator cycles (BAR accesses and DMA included), if simulated.
    pub sim_cycles: Option<u64>,
    /// Host CPU time encoding the jobs' input streams into DMA beats and decoding their
    /// results (a card's share of host work; the `model:` device measures it by doing it).
    pub codec_s: f64,
}

impl EngineStats {
    /// Adds another call's statistics.
    pub fn add(&mut self, other: &EngineStats) {
        *self = crate::stats::Measure::plus(*self, *other);
    }

    /// Cycles that carried an element / busy cycles.
    pub fn utilisation(&self) -> f64 {
        if self.busy_cycles == 0 {
            0.0
        } else {
            self.elements as f64 / self.busy_cycles as f64
        }
    }
}

/// What the transforms need from a card.
pub trait NttEngine<F: FftField> {
    /// log2 N: the largest NTT one job runs.
    fn core_log_size(&self) -> u32;
    /// S: twiddles are generated for four-step transforms up to 2^S points.
    fn twiddle_log(&self) -> u32;
    /// Largest element count of one job.
    fn max_job(&self) -> usize;
    /// Runs `job` on `data` in place (`data.len()` a positive multiple of 2^log_n, at most
    /// [`Self::max_job`]). On error `data` is unchanged.
    fn run(&self, data: &mut [F], job: &NttJob<F>) -> Result<EngineStats>;
    /// `data[i] ← data[i]·g^i` in place (at most [`Self::max_job`] elements).
    fn powmul(&self, data: &mut [F], g: F) -> Result<EngineStats>;
    /// Runs `jobs` in place over consecutive chunks of `data` (`jobs[k].0` elements for
    /// job k, together `data.len()`), each chunk as [`Self::run`] takes it. A card that
    /// appends jobs to a run (register map 4.3) feeds each job's elements while the job
    /// before drains, paying its path's latency once per run; this default runs them one
    /// after the other. On error `data` may hold some jobs' results.
    fn run_many(&self, data: &mut [F], jobs: &[(usize, NttJob<F>)]) -> Result<EngineStats> {
        let mut stats = EngineStats::default();
        check_run_lengths(data.len(), jobs)?;
        let mut rest = data;
        for (n, job) in jobs {
            let (chunk, tail) = std::mem::take(&mut rest).split_at_mut(*n);
            stats.add(&self.run(chunk, job)?);
            rest = tail;
        }
        Ok(stats)
    }
}

/// Elements of one run of appended NTT jobs at most: 64 MiB of input staging, so a long
/// four-step pass is several runs, not one buffer of its size.
pub const RUN_ELEMENTS: usize = 1 << 21;

/// How a card cuts `jobs` into runs (register map 4.3): consecutive jobs while together
/// they hold at most [`RUN_ELEMENTS`] elements (a run holds at least one job); every job
/// alone if `appendable` is false (a card without the waiting slot) or any job is a coset
/// job (its powers restart per job). The board's driver and the `model:` device both cut
/// here.
pub fn runs<F>(jobs: &[(usize, NttJob<F>)], slots: u32) -> Vec<std::ops::Range<usize>> {
    let appendable = slots >= 2
        && jobs
            .iter()
            .all(|(_, j)| !matches!(j.factor, Factor::Coset(_)));
    let mut out = vec![];
    let mut k = 0;
    while k < jobs.len() {
        let (mut end, mut elements) = (k + 1, jobs[k].0);
        while appendable && end < jobs.len() && elements + jobs[end].0 <= RUN_ELEMENTS {
            elements += jobs[end].0;
            end += 1;
        }
        out.push(k..end);
        k = end;
    }
    out
}

/// Checks that `jobs` cover `len` elements exactly (the contract of
/// [`NttEngine::run_many`]).
pub fn check_run_lengths<F>(len: usize, jobs: &[(usize, NttJob<F>)]) -> Result<()> {
    let total: usize = jobs.iter().map(|(n, _)| n).sum();
    if total != len {
        return Err(Error::LengthMismatch { a: len, b: total });
    }
    Ok(())
}

/// Measurements of one [`ntt`] call.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NttReport {
    /// Transform size.
    pub n: usize,
    /// Work the engine did.
    pub device: EngineStats,
    /// Host time spent transposing (four-step only).
    pub transpose_s: f64,
    /// Host time spent in radix-2 butterflies (sizes beyond the card only).
    pub butterfly_s: f64,
    /// All of the call's time outside the engine's jobs: the transposes, the butterflies,
    /// and the planner's copies and allocations (the working copy that keeps the caller's
    /// slice unchanged on error, the four-step scratch buffer). The jobs' own host work
    /// (stream encoding and decoding) is `device.codec_s`.
    pub host_steps_s: f64,
    /// Wall-clock time of the whole call.
    pub host_s: f64,
}

/// Largest transform an engine supports for field `F`: min(2^S, two-adicity), or N when
/// larger.
pub fn max_log_size<F: FftField, E: NttEngine<F> + ?Sized>(engine: &E) -> u32 {
    engine
        .twiddle_log()
        .max(engine.core_log_size())
        .min(F::TWO_ADICITY)
}

/// In-place NTT of `values` (any power-of-two length up to the field's two-adicity),
/// natural order in and out. Sizes beyond the card ([`max_log_size`], or a coset transform
/// longer than one job) take host radix-2 steps ([`radix2`]) down to the card's range.
/// On error `values` is unchanged.
pub fn ntt<F: FftField, E: NttEngine<F> + Sync + ?Sized>(
    engine: &E,
    values: &mut [F],
    direction: Direction,
    coset: Coset<F>,
) -> Result<NttReport> {
    let started = Instant::now();
    let n = values.len();
    if n == 0 {
        return Err(Error::Empty);
    }
    if !n.is_power_of_two() {
        return Err(Error::NotPowerOfTwo { n });
    }
    let log_n = n.trailing_zeros();
    if log_n > F::TWO_ADICITY {
        return Err(Error::NttTooLarge {
            n,
            max: 1usize << F::TWO_ADICITY.min(usize::BITS - 1),
        });
    }
    let offset = match coset {
        Coset::Offset(g) if g != F::ONE => {
            if g.is_zero() {
                return Err(Error::ZeroCosetOffset);
            }
            Some(g)
        }
        _ => None,
    };
    let mut report = NttReport {
        n,
        ..Default::default()
    };
    // Work on a copy so a failure leaves the caller's data untouched.
    let mut work = values.to_vec();
    let timed = Timed {
        inner: engine,
        spent: std::sync::Mutex::new(0.0),
    };
    plan(&timed, &mut work, direction, offset, &mut report)?;
    values.copy_from_slice(&work);
    report.host_s = started.elapsed().as_secs_f64();
    let in_jobs = *timed.spent.lock().unwrap_or_else(|e| e.into_inner());
    report.host_steps_s = (report.host_s - in_jobs).max(0.0);
    Ok(report)
}

/// An engine whose jobs' wall time is summed, so that [`ntt`] can tell the host's share of
/// a call (everything outside the jobs) from the jobs' (the card's, or a simulation's).
struct Timed<'a, E: ?Sized> {
    inner: &'a E,
    spent: std::sync::Mutex<f64>,
}

impl<E: ?Sized> Timed<'_, E> {
    fn time<R>(&self, job: impl FnOnce() -> R) -> R {
        let t = Instant::now();
        let r = job();
        *self.spent.lock().unwrap_or_else(|e| e.into_inner()) += t.elapsed().as_secs_f64();
        r
    }
}

impl<F: FftField, E: NttEngine<F> + ?Sized> NttEngine<F> for Timed<'_, E> {
    fn core_log_size(&self) -> u32 {
        self.inner.core_log_size()
    }
    fn twiddle_log(&self) -> u32 {
        self.inner.twiddle_log()
    }
    fn max_job(&self) -> usize {
        self.inner.max_job()
    }
    fn run(&self, data: &mut [F], job: &NttJob<F>) -> Result<EngineStats> {
        self.time(|| self.inner.run(data, job))
    }
    fn powmul(&self, data: &mut [F], g: F) -> Result<EngineStats> {
        self.time(|| self.inner.powmul(data, g))
    }
    fn run_many(&self, data: &mut [F], jobs: &[(usize, NttJob<F>)]) -> Result<EngineStats> {
        self.time(|| self.inner.run_many(data, jobs))
    }
}

/// The transform of checked input (a power of two within the two-adicity; `offset` ≠ 0,
/// `None` for g = 1) in place, measurements added to `report`. On error `data` may hold
/// partial results.
fn plan<F: FftField, E: NttEngine<F> + Sync + ?Sized>(
    engine: &E,
    data: &mut [F],
    direction: Direction,
    offset: Option<F>,
    report: &mut NttReport,
) -> Result<()> {
    let n = data.len();
    if n == 1 {
        // No butterfly: x̂_0 = x_0 · g^0 in either direction.
        return Ok(());
    }
    let log_n = n.trailing_zeros();
    // The card's range: twiddles up to 2^S, and the coset's powers g^i within one job.
    let beyond_card =
        log_n > max_log_size::<F, E>(engine) || (offset.is_some() && n > engine.max_job());
    if beyond_card {
        if engine.core_log_size() == 0 {
            // No NTT core: host radix-2 steps would do it all on the CPU. The engine's own
            // answer to a job says why (a card without the NTT opcode: `Unsupported`).
            let job = NttJob {
                log_n,
                direction,
                factor: Factor::Plain,
            };
            engine.run(data, &job)?;
            return Err(Error::Unsupported {
                device: "this NTT engine".into(),
                what: "an NTT core",
            });
        }
        return radix2::transform(engine, data, direction, offset, report);
    }
    let single = log_n <= engine.core_log_size();
    match (direction, offset, single) {
        (Direction::Forward, Some(g), true) => {
            let job = NttJob {
                log_n,
                direction,
                factor: Factor::Coset(g),
            };
            report.device.add(&engine.run(data, &job)?);
        }
        (Direction::Forward, Some(g), false) => {
            report.device.add(&engine.powmul(data, g)?);
            four_step::transform(engine, data, 1, direction, report)?;
        }
        (Direction::Inverse, Some(g), _) => {
            four_step::transform(engine, data, 1, direction, report)?;
            let g_inv = g.inverse().expect("g ≠ 0 was checked");
            report.device.add(&engine.powmul(data, g_inv)?);
        }
        (_, None, _) => four_step::transform(engine, data, 1, direction, report)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests;
