//! Prover backends: the heavy kernels a prover calls, behind one trait, so switching from
//! arkworks on the CPU to a card is a configuration value ([`open`]), not a code change.
//!
//! * [`CpuBackend`]: arkworks, parallel — the reference and the fallback.
//! * [`BoardBackend`]: a zkpipe card (`sim:<preset>` or `vfio:<address>`): NTTs, the
//!   elementwise steps and G1 MSMs (bases resident in card memory) on the card; G2 MSMs on
//!   the host (the card has no G2 engine). [`BackendStats`] says which work ran where.

pub mod board;
pub mod cpu;

use crate::error::{Error, Result};
use crate::ntt::{Coset, Direction, EngineStats};
use ark_ec::pairing::Pairing;
use std::time::Duration;

pub use board::BoardBackend;
pub use cpu::CpuBackend;

/// Where a backend's time went (cumulative since it was opened; see [`Backend::stats`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BackendStats {
    /// NTT calls.
    pub ntt_calls: usize,
    /// Wall time in NTT calls.
    pub ntt_time: Duration,
    /// Host steps inside the NTT and pointwise calls a card ran (four-step transposes,
    /// radix-2 butterflies beyond the card's size, encoding and decoding the jobs'
    /// streams): part of `ntt_time` and `elementwise_time`, and of a card proof's time.
    pub ntt_host_time: Duration,
    /// The stream encoding and decoding among those host steps.
    pub stream_codec_time: Duration,
    /// The four-step transposes among those host steps (the rest: codec, butterflies, and
    /// the planner's copies and allocations).
    pub ntt_transpose_time: Duration,
    /// The radix-2 butterflies among those host steps (sizes beyond the card's four-step
    /// range).
    pub ntt_butterfly_time: Duration,
    /// G1 MSM calls.
    pub msm_g1_calls: usize,
    /// Wall time in G1 MSM calls.
    pub msm_g1_time: Duration,
    /// G2 MSM calls.
    pub msm_g2_calls: usize,
    /// Wall time in G2 MSM calls.
    pub msm_g2_time: Duration,
    /// The part of `msm_g2_time` spent in G2 MSMs on the host (a card without a G2
    /// engine, or the CPU backend).
    pub msm_g2_host_time: Duration,
    /// QAP steps run in card memory ([`Backend::qap_h_msm`]).
    pub qap_on_card_calls: usize,
    /// Wall time in them.
    pub qap_on_card_time: Duration,
    /// Elementwise calls.
    pub elementwise_calls: usize,
    /// Wall time in elementwise calls.
    pub elementwise_time: Duration,
    /// Work a card did (zero on the CPU backend).
    pub device: EngineStats,
    /// The card's G1 MSM work (adds, deferrals, accumulation cycles, host reduction).
    pub msm_device: crate::msm::MsmReport,
    /// The card's G2 MSM work (its G2 engine).
    pub msm_g2_device: crate::msm::MsmReport,
}

impl BackendStats {
    /// Adds a card call's stream encoding and decoding (`EngineStats::codec_s`): host
    /// steps of the call, and the codec among them.
    pub(crate) fn add_stream_codec(&mut self, seconds: f64) {
        let codec = Duration::from_secs_f64(seconds);
        self.ntt_host_time += codec;
        self.stream_codec_time += codec;
    }

    /// `self − earlier`: the work between two snapshots.
    pub fn since(&self, earlier: &BackendStats) -> BackendStats {
        crate::stats::Measure::minus(*self, *earlier)
    }
}

crate::measures!(BackendStats {
    ntt_calls,
    ntt_time,
    ntt_host_time,
    stream_codec_time,
    ntt_transpose_time,
    ntt_butterfly_time,
    msm_g1_calls,
    msm_g1_time,
    msm_g2_calls,
    msm_g2_time,
    msm_g2_host_time,
    elementwise_calls,
    elementwise_time,
    qap_on_card_calls,
    qap_on_card_time,
    device,
    msm_device,
    msm_g2_device,
});

thread_local! {
    /// The backend work this thread did since [`capture`] began, if one is running.
    static CAPTURE: std::cell::RefCell<Option<BackendStats>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` and returns, with its result, the backend work this thread did meanwhile —
/// not another thread's: a prover's calls on several threads at once (the G2 MSM beside
/// the rest) each see their own work. Backends report work through [`StatsGuard`].
pub(crate) fn capture<T>(f: impl FnOnce() -> T) -> (T, BackendStats) {
    let outer = CAPTURE.with(|c| c.borrow_mut().replace(BackendStats::default()));
    let out = f();
    let inner = CAPTURE
        .with(|c| std::mem::replace(&mut *c.borrow_mut(), outer))
        .unwrap_or_default();
    // A capture inside another one: the outer one saw the work too.
    CAPTURE.with(|c| {
        if let Some(o) = c.borrow_mut().as_mut() {
            *o = crate::stats::Measure::plus(*o, inner);
        }
    });
    (out, inner)
}

/// A backend's cumulative statistics, locked for an update; on drop the update also
/// reaches this thread's [`capture`], if one is running.
pub(crate) struct StatsGuard<'a> {
    stats: std::sync::MutexGuard<'a, BackendStats>,
    before: BackendStats,
}

impl<'a> StatsGuard<'a> {
    pub(crate) fn lock(stats: &'a std::sync::Mutex<BackendStats>) -> Self {
        let stats = stats.lock().unwrap_or_else(|e| e.into_inner());
        let before = *stats;
        Self { stats, before }
    }
}

impl std::ops::Deref for StatsGuard<'_> {
    type Target = BackendStats;
    fn deref(&self) -> &BackendStats {
        &self.stats
    }
}

impl std::ops::DerefMut for StatsGuard<'_> {
    fn deref_mut(&mut self) -> &mut BackendStats {
        &mut self.stats
    }
}

impl Drop for StatsGuard<'_> {
    fn drop(&mut self) {
        let delta = self.stats.since(&self.before);
        CAPTURE.with(|c| {
            if let Some(acc) = c.borrow_mut().as_mut() {
                *acc = crate::stats::Measure::plus(*acc, delta);
            }
        });
    }
}

/// The kernels a pairing-based prover spends its time in. Slices are ark-ff / ark-ec
/// in-memory values; every method leaves its inputs unchanged on error.
pub trait Backend<E: Pairing>: Send + Sync {
    /// What runs the kernels (`cpu`, the card's URI).
    fn describe(&self) -> String;
    /// Σ `scalars[i]·bases[i]` in G1 (lengths must match; empty → identity).
    fn msm_g1(&self, bases: &[E::G1Affine], scalars: &[E::ScalarField]) -> Result<E::G1>;
    /// Σ `scalars[i]·bases[i]` in G2.
    fn msm_g2(&self, bases: &[E::G2Affine], scalars: &[E::ScalarField]) -> Result<E::G2>;
    /// In-place NTT, natural order, as ark-poly's `Radix2EvaluationDomain` (and its
    /// `get_coset`) computes it.
    fn ntt(
        &self,
        values: &mut [E::ScalarField],
        direction: Direction,
        coset: Coset<E::ScalarField>,
    ) -> Result<()>;
    /// `values.len() / 2^log_n` NTTs of `2^log_n` points back to back, each as
    /// [`Backend::ntt`] computes it (no coset). A card runs a batch of core-sized NTTs in
    /// one job; the default runs one transform at a time.
    fn ntt_batch(
        &self,
        values: &mut [E::ScalarField],
        log_n: u32,
        direction: Direction,
    ) -> Result<()> {
        ntt_each(self, values, log_n, direction)
    }
    /// [`Backend::ntt_batch`] with at most `per_job` NTTs in each of a card's jobs (None:
    /// as many as one job holds): a card appends the jobs to runs (register map 4.3), so
    /// this measures how consecutive jobs overlap. Backends without jobs ignore it.
    fn ntt_batch_in_jobs(
        &self,
        values: &mut [E::ScalarField],
        log_n: u32,
        direction: Direction,
        per_job: Option<usize>,
    ) -> Result<()> {
        let _ = per_job;
        self.ntt_batch(values, log_n, direction)
    }
    /// The card's capabilities, for a backend on cards (the first card of a pool).
    fn capabilities(&self) -> Option<crate::driver::kernel::Capabilities> {
        None
    }
    /// `a[i] ← a[i]·b[i]`.
    fn mul_assign(&self, a: &mut [E::ScalarField], b: &[E::ScalarField]) -> Result<()>;
    /// `a[i] ← a[i] − b[i]`.
    fn sub_assign(&self, a: &mut [E::ScalarField], b: &[E::ScalarField]) -> Result<()>;
    /// Cumulative statistics.
    fn stats(&self) -> BackendStats;
    /// Whether G2 MSMs run on an engine with a job queue of its own, beside this backend's
    /// other calls (a card whose G2 engine is on queue 1, register map 4.2): a prover then
    /// issues its G2 MSM first and goes on with the rest meanwhile.
    fn g2_alongside(&self) -> Alongside {
        Alongside::No
    }
    /// The QAP step of `reduction` and the proof's h MSM with h kept in the card's memory
    /// ([`QapEngine`]): from the evaluations `abc` = (A·z, B·z, C·z) over the domain,
    /// Σ `h_i·h_query[i]`. `None`: this backend cannot (no card memory, a size beyond it),
    /// and the prover runs the steps one call at a time.
    fn qap_h_msm(
        &self,
        _abc: [&[E::ScalarField]; 3],
        _h_query: &[E::G1Affine],
        _reduction: Reduction<E::ScalarField>,
    ) -> Option<Result<E::G1>> {
        None
    }
}

/// How a backend's G2 MSMs run beside its other calls ([`Backend::g2_alongside`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alongside {
    /// One call at a time (the CPU backend; a card without a G2 engine on its own queue).
    No,
    /// On its own job queue: the prover runs the G2 MSM on a thread of its own while it
    /// issues the rest (a card, simulated or real).
    Thread,
    /// On its own job queue of a modelled card (`model:<preset>`): the prover computes
    /// the G2 MSM first (its arithmetic is arkworks on this CPU, which would slow the host
    /// steps it times if it ran beside them) and the proof's timeline lays it out beside
    /// the rest, as the card runs it.
    Modelled,
}

/// Which QAP reduction a card runs ([`Backend::qap_h_msm`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction<F> {
    /// ark-groth16's: a, b, c interpolated and evaluated on the coset g·H (g the field's
    /// generator), a·b − c interpolated back from the coset and divided by Z_H(g): h's
    /// coefficients.
    Ark,
    /// snarkjs's (circom keys): a, b and c = a∘b interpolated and evaluated on the odd
    /// powers of ω₂ₙ (the coset `odd`·H), a·b − c used as it is (the key's H points absorb
    /// Z's constant value there). The vectors are in ark's order of the domain: where
    /// snarkjs's roots differ from ark's (BLS12-381) the prover permutes the vectors and
    /// H's points on the host first.
    Snarkjs {
        /// ω₂ₙ, the coset's offset.
        odd: F,
    },
}

/// What a card offers the QAP step when its memory can hold the vectors: the whole
/// chain (inverse NTTs, coset NTTs, a·b − c, the coset inverse NTT, the h MSM) on card
/// memory, so that h never crosses PCIe (the "proof on the card" issue). A card without
/// card memory answers `None` (the default).
pub trait QapEngine<E: Pairing> {
    /// As [`Backend::qap_h_msm`], with the card's job statistics and MSM report.
    fn qap_h_msm_on_card(
        &self,
        _abc: [&[E::ScalarField]; 3],
        _h_query: &[E::G1Affine],
        _reduction: Reduction<E::ScalarField>,
    ) -> Option<Result<(E::G1, QapReport)>> {
        None
    }
}

/// The card work of one QAP step on card memory.
#[derive(Clone, Debug, Default)]
pub struct QapReport {
    /// The copy, NTT and elementwise jobs.
    pub device: crate::ntt::EngineStats,
    /// The h MSM.
    pub msm: crate::msm::MsmReport,
}

/// A shared backend is a backend: one opened card serves several provers (say, one
/// [`crate::circom::CircomProver`] per proving key) without opening it twice.
impl<E: Pairing, B: Backend<E> + ?Sized> Backend<E> for std::sync::Arc<B> {
    fn describe(&self) -> String {
        (**self).describe()
    }
    fn msm_g1(&self, bases: &[E::G1Affine], scalars: &[E::ScalarField]) -> Result<E::G1> {
        (**self).msm_g1(bases, scalars)
    }
    fn msm_g2(&self, bases: &[E::G2Affine], scalars: &[E::ScalarField]) -> Result<E::G2> {
        (**self).msm_g2(bases, scalars)
    }
    fn ntt(
        &self,
        values: &mut [E::ScalarField],
        direction: Direction,
        coset: Coset<E::ScalarField>,
    ) -> Result<()> {
        (**self).ntt(values, direction, coset)
    }
    fn ntt_batch(
        &self,
        values: &mut [E::ScalarField],
        log_n: u32,
        direction: Direction,
    ) -> Result<()> {
        (**self).ntt_batch(values, log_n, direction)
    }
    fn ntt_batch_in_jobs(
        &self,
        values: &mut [E::ScalarField],
        log_n: u32,
        direction: Direction,
        per_job: Option<usize>,
    ) -> Result<()> {
        (**self).ntt_batch_in_jobs(values, log_n, direction, per_job)
    }
    fn capabilities(&self) -> Option<crate::driver::kernel::Capabilities> {
        (**self).capabilities()
    }
    fn mul_assign(&self, a: &mut [E::ScalarField], b: &[E::ScalarField]) -> Result<()> {
        (**self).mul_assign(a, b)
    }
    fn sub_assign(&self, a: &mut [E::ScalarField], b: &[E::ScalarField]) -> Result<()> {
        (**self).sub_assign(a, b)
    }
    fn stats(&self) -> BackendStats {
        (**self).stats()
    }
    fn g2_alongside(&self) -> Alongside {
        (**self).g2_alongside()
    }
    fn qap_h_msm(
        &self,
        abc: [&[E::ScalarField]; 3],
        h_query: &[E::G1Affine],
        reduction: Reduction<E::ScalarField>,
    ) -> Option<Result<E::G1>> {
        (**self).qap_h_msm(abc, h_query, reduction)
    }
}

/// Opens a backend by URI: `cpu`, `sim:<preset>` or `vfio:<pci address>`, or several card
/// URIs separated by commas (a pool: G1 MSMs split over the cards), or `model:<preset>`
/// (feature `model`: a card of that preset projected by its cycle models). A card must
/// work over `E`'s scalar field.
pub fn open<E: Pairing>(uri: &str) -> Result<Box<dyn Backend<E>>>
where
    BoardBackend: Backend<E>,
{
    if uri == "cpu" {
        return Ok(Box::new(CpuBackend::new()));
    }
    if uri.starts_with("model:") {
        #[cfg(feature = "model")]
        {
            let card = std::sync::Arc::new(crate::model::ModelCard::open(uri)?);
            let backend = board::ModelBackend::with_engines(card.clone(), card);
            backend.check_curve::<E>()?;
            return Ok(Box::new(backend));
        }
        #[cfg(not(feature = "model"))]
        return Err(Error::FeatureMissing {
            uri: uri.to_string(),
            feature: "model",
        });
    }
    let cards = uri.split(',').map(str::trim);
    if cards
        .clone()
        .all(|u| u.starts_with("sim:") || u.starts_with("vfio:"))
    {
        let backend = BoardBackend::open(uri)?;
        backend.check_curve::<E>()?;
        return Ok(Box::new(backend));
    }
    Err(Error::BadUri(uri.to_string()))
}

/// [`Backend::ntt_batch`] one transform at a time (the default, and a card's fallback for
/// batches it cannot run in one job). `values.len()` must be a non-zero multiple of 2^log_n.
pub fn ntt_each<E: Pairing, B: Backend<E> + ?Sized>(
    backend: &B,
    values: &mut [E::ScalarField],
    log_n: u32,
    direction: Direction,
) -> Result<()> {
    let n = 1usize.checked_shl(log_n).unwrap_or(0);
    if n == 0 || values.is_empty() || !values.len().is_multiple_of(n) {
        return Err(Error::LengthMismatch {
            a: values.len(),
            b: n,
        });
    }
    for chunk in values.chunks_mut(n) {
        backend.ntt(chunk, direction, Coset::None)?;
    }
    Ok(())
}

pub(crate) fn check_lengths(a: usize, b: usize) -> Result<()> {
    if a != b {
        return Err(Error::LengthMismatch { a, b });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
