//! `BoardBackend`: a zkpipe card behind the [`Backend`] trait; `ModelBackend` (feature
//! `model`): the same backend over a `model::ModelCard`, a card of a
//! preset projected by cycle models (arithmetic by arkworks).
//!
//! NTTs (any size, via [`crate::ntt`](mod@crate::ntt)), the elementwise steps and G1 MSMs (via
//! [`crate::msm`]) run on the card; inputs larger than one job are cut at CAPS_MAX_COUNT
//! (elementwise) or CAPS_MSM_BASES (MSM). G1 bases become resident in card memory on first
//! use while it has room, so a proving key's bases are uploaded once and later proofs
//! stream only scalars. G2 MSMs run on the card's G2 engine when it has one (CAPS_MSM_G2;
//! G2 bases resident the same way), else on the host with arkworks.

use super::{check_lengths, Alongside, Backend, BackendStats, QapEngine};
use crate::device::Device;
use crate::elementwise::ElementwiseEngine;
use crate::error::{Error, Result};
use crate::msm::MsmEngine;
use crate::ntt::{self, Coset, Direction, Factor, NttEngine, NttJob};
use crate::pool::DevicePool;
use ark_ec::pairing::Pairing;
use ark_ec::VariableBaseMSM;
use ark_ff::PrimeField;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zkpipe_spec::regs::Opcode;

/// The prover kernels on card engines: NTT and elementwise jobs on `D`, G1 MSMs on `P`
/// (one card, or a pool that splits MSMs across the cards with an engine); G2 MSMs on
/// `P`'s G2 engines, or on the CPU when no card has one.
pub struct CardBackend<D, P> {
    /// The card of NTTs and elementwise jobs (a pool's first card).
    device: Arc<D>,
    /// Every card: G1 MSMs are split over them.
    pool: P,
    stats: Mutex<BackendStats>,
}

/// The prover kernels on one or more cards (a pool splits MSMs across them).
pub type BoardBackend = CardBackend<Device, DevicePool>;

/// The prover kernels on a modelled card (`model:<preset>`): results from arkworks, device
/// time from the preset's cycle models.
#[cfg(feature = "model")]
pub type ModelBackend = CardBackend<crate::model::ModelCard, Arc<crate::model::ModelCard>>;

/// What a backend needs to know about the card that runs its NTT and elementwise jobs.
pub trait CardInfo {
    /// The URI the card was opened with.
    fn uri(&self) -> &str;
    /// What the card reported about itself.
    fn capabilities(&self) -> &crate::driver::kernel::Capabilities;
}

impl CardInfo for Device {
    fn uri(&self) -> &str {
        Device::uri(self)
    }
    fn capabilities(&self) -> &crate::driver::kernel::Capabilities {
        Device::capabilities(self)
    }
}

/// The card(s) that run a backend's G1 MSMs, named for messages.
pub trait MsmCards {
    /// Their URIs, comma-separated.
    fn describe(&self) -> String;
    /// How their G2 MSMs run beside the other calls ([`Backend::g2_alongside`]).
    fn g2_alongside(&self) -> Alongside;
}

/// Whether a card of these capabilities has a G2 engine on a job queue of its own.
fn g2_has_own_queue(caps: &crate::driver::kernel::Capabilities) -> bool {
    caps.msm_g2.present() && Opcode::MsmG2Run.queue(caps.queues) != 0
}

impl MsmCards for DevicePool {
    fn describe(&self) -> String {
        self.devices()
            .iter()
            .map(|d| d.uri())
            .collect::<Vec<_>>()
            .join(",")
    }
    fn g2_alongside(&self) -> Alongside {
        if self
            .devices()
            .iter()
            .all(|d| g2_has_own_queue(d.capabilities()))
        {
            Alongside::Thread
        } else {
            Alongside::No
        }
    }
}

#[cfg(feature = "model")]
impl MsmCards for Arc<crate::model::ModelCard> {
    fn describe(&self) -> String {
        self.uri().to_string()
    }
    fn g2_alongside(&self) -> Alongside {
        if g2_has_own_queue(self.capabilities()) {
            Alongside::Modelled
        } else {
            Alongside::No
        }
    }
}

impl<D: CardInfo, P: MsmCards> std::fmt::Debug for CardBackend<D, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardBackend")
            .field("cards", &self.describe_cards())
            .finish()
    }
}

impl CardBackend<Device, DevicePool> {
    /// Opens the card at `uri` (`sim:<preset>`, `vfio:<address>`), or a pool of cards
    /// given as URIs separated by commas (`vfio:0000:65:00.0,vfio:0000:66:00.0`).
    pub fn open(uri: &str) -> Result<Self> {
        let uris: Vec<&str> = uri.split(',').map(str::trim).collect();
        Self::from_pool(DevicePool::open(&uris)?)
    }

    /// Uses an already opened card (shared with other users of the same `Device`).
    pub fn new(device: Arc<Device>) -> Self {
        Self {
            pool: DevicePool::new(vec![device.clone()]).expect("one device"),
            device,
            stats: Mutex::default(),
        }
    }

    /// Uses a pool of cards: G1 MSMs are cut into one chunk per card (each card keeps its
    /// chunk of the bases resident); NTTs and elementwise jobs run on the first card.
    pub fn from_pool(pool: DevicePool) -> Result<Self> {
        let device = pool.devices()[0].clone();
        let curve = device.capabilities().curve_id;
        if let Some(other) = pool
            .devices()
            .iter()
            .find(|d| d.capabilities().curve_id != curve)
        {
            return Err(Error::CurveMismatch {
                device: other.uri().to_string(),
                found: other.capabilities().curve_id,
                expected: curve,
            });
        }
        Ok(Self {
            device,
            pool,
            stats: Mutex::default(),
        })
    }

    /// Every card.
    pub fn pool(&self) -> &DevicePool {
        &self.pool
    }
}

impl<D: CardInfo, P: MsmCards> CardBackend<D, P> {
    /// A backend over a card `device` for NTTs and elementwise jobs and `pool` for G1 MSMs.
    pub fn with_engines(device: Arc<D>, pool: P) -> Self {
        Self {
            device,
            pool,
            stats: Mutex::default(),
        }
    }

    /// The card of NTTs and elementwise jobs (a pool's first card).
    pub fn device(&self) -> &Arc<D> {
        &self.device
    }

    fn describe_cards(&self) -> String {
        self.pool.describe()
    }

    /// Checks that the card computes over `E`'s scalar field.
    pub fn check_curve<E: Pairing>(&self) -> Result<()> {
        self.device
            .capabilities()
            .check_scalar_field(self.device.uri(), E::ScalarField::MODULUS.as_ref())
    }

    fn stats_mut(&self) -> super::StatsGuard<'_> {
        super::StatsGuard::lock(&self.stats)
    }

    /// Runs an elementwise op in jobs of at most CAPS_MAX_COUNT elements; `a` is only
    /// written once every job succeeded.
    fn elementwise<F: Copy>(
        &self,
        a: &mut [F],
        b: &[F],
        op: impl Fn(&D, &mut [F], &[F]) -> Result<crate::JobReport>,
    ) -> Result<()> {
        check_lengths(a.len(), b.len())?;
        if a.is_empty() {
            return Ok(());
        }
        let t = Instant::now();
        let max = self.device.capabilities().max_count as usize;
        let mut device = crate::ntt::EngineStats::default();
        if a.len() <= max {
            // One job: the card's results replace `a` only when they are all good.
            device.add(&op(&self.device, a, b)?.stats());
        } else {
            // Several: on a copy, so a failing later job leaves `a` as it was.
            let mut work = a.to_vec();
            for (x, y) in work.chunks_mut(max).zip(b.chunks(max)) {
                device.add(&op(&self.device, x, y)?.stats());
            }
            a.copy_from_slice(&work);
        }
        let mut s = self.stats_mut();
        s.elementwise_calls += 1;
        s.elementwise_time += t.elapsed();
        s.add_stream_codec(device.codec_s);
        s.device.add(&device);
        Ok(())
    }

    fn record_msm(&self, g2: bool, d: Duration) {
        let mut s = self.stats_mut();
        if g2 {
            s.msm_g2_calls += 1;
            s.msm_g2_time += d;
        } else {
            s.msm_g1_calls += 1;
            s.msm_g1_time += d;
        }
    }
}

impl<E: Pairing, D, P> Backend<E> for CardBackend<D, P>
where
    D: CardInfo
        + NttEngine<E::ScalarField>
        + ElementwiseEngine<E::ScalarField>
        + QapEngine<E>
        + Send
        + Sync,
    P: MsmCards + MsmEngine<E::G1Affine> + MsmEngine<E::G2Affine> + Send + Sync,
{
    fn describe(&self) -> String {
        self.describe_cards()
    }

    fn g2_alongside(&self) -> Alongside {
        self.pool.g2_alongside()
    }

    fn msm_g1(&self, bases: &[E::G1Affine], scalars: &[E::ScalarField]) -> Result<E::G1> {
        check_lengths(bases.len(), scalars.len())?;
        let t = Instant::now();
        let (r, report) = MsmEngine::<E::G1Affine>::msm_on_card(&self.pool, bases, scalars)?;
        self.record_msm(false, t.elapsed());
        let mut s = self.stats_mut();
        s.device.add(&report.stats());
        s.msm_device.merge(&report);
        Ok(r)
    }

    fn msm_g2(&self, bases: &[E::G2Affine], scalars: &[E::ScalarField]) -> Result<E::G2> {
        check_lengths(bases.len(), scalars.len())?;
        let t = Instant::now();
        if MsmEngine::<E::G2Affine>::has_engine(&self.pool) {
            let (r, report) = MsmEngine::<E::G2Affine>::msm_on_card(&self.pool, bases, scalars)?;
            self.record_msm(true, t.elapsed());
            let mut s = self.stats_mut();
            s.device.add(&report.stats());
            s.msm_g2_device.merge(&report);
            return Ok(r);
        }
        let r = E::G2::msm_unchecked(bases, scalars);
        self.record_msm(true, t.elapsed());
        self.stats_mut().msm_g2_host_time += t.elapsed();
        Ok(r)
    }

    fn ntt(
        &self,
        values: &mut [E::ScalarField],
        direction: Direction,
        coset: Coset<E::ScalarField>,
    ) -> Result<()> {
        let t = Instant::now();
        let report = ntt::ntt(self.device.as_ref(), values, direction, coset)?;
        let mut s = self.stats_mut();
        s.ntt_calls += 1;
        s.ntt_time += t.elapsed();
        s.ntt_host_time += Duration::from_secs_f64(report.host_steps_s);
        s.add_stream_codec(report.device.codec_s);
        s.ntt_transpose_time += Duration::from_secs_f64(report.transpose_s);
        s.ntt_butterfly_time += Duration::from_secs_f64(report.butterfly_s);
        s.device.add(&report.device);
        Ok(())
    }

    fn ntt_batch(
        &self,
        values: &mut [E::ScalarField],
        log_n: u32,
        direction: Direction,
    ) -> Result<()> {
        self.ntt_batch_in_jobs(values, log_n, direction, None)
    }

    fn ntt_batch_in_jobs(
        &self,
        values: &mut [E::ScalarField],
        log_n: u32,
        direction: Direction,
        per_job: Option<usize>,
    ) -> Result<()> {
        let device = self.device.as_ref();
        let n = 1usize.checked_shl(log_n).unwrap_or(0);
        let fits = log_n >= 1
            && log_n <= NttEngine::<E::ScalarField>::core_log_size(device)
            && !values.is_empty()
            && values.len().is_multiple_of(n);
        if !fits {
            return super::ntt_each::<E, Self>(self, values, log_n, direction);
        }
        let t = Instant::now();
        let job = NttJob {
            log_n,
            direction,
            factor: Factor::Plain,
        };
        // Jobs of as many NTTs as one holds (or `per_job`), appended to runs.
        let fit = (NttEngine::<E::ScalarField>::max_job(device) / n).max(1);
        let len = per_job.unwrap_or(fit).clamp(1, fit) * n;
        let jobs: Vec<_> = (0..values.len().div_ceil(len))
            .map(|i| ((values.len() - i * len).min(len), job))
            .collect();
        let stats = NttEngine::<E::ScalarField>::run_many(device, values, &jobs)?;
        let mut s = self.stats_mut();
        s.ntt_calls += values.len() / n;
        s.ntt_time += t.elapsed();
        s.add_stream_codec(stats.codec_s);
        s.device.add(&stats);
        Ok(())
    }

    fn capabilities(&self) -> Option<crate::driver::kernel::Capabilities> {
        Some(self.device.capabilities().clone())
    }

    fn mul_assign(&self, a: &mut [E::ScalarField], b: &[E::ScalarField]) -> Result<()> {
        self.elementwise(a, b, |d, x, y| d.mul_assign_vec(x, y))
    }

    fn sub_assign(&self, a: &mut [E::ScalarField], b: &[E::ScalarField]) -> Result<()> {
        self.elementwise(a, b, |d, x, y| d.sub_assign_vec(x, y))
    }

    fn stats(&self) -> BackendStats {
        *self.stats_mut()
    }

    fn qap_h_msm(
        &self,
        abc: [&[E::ScalarField]; 3],
        h_query: &[E::G1Affine],
        reduction: super::Reduction<E::ScalarField>,
    ) -> Option<Result<E::G1>> {
        let t = Instant::now();
        let result = self.device.qap_h_msm_on_card(abc, h_query, reduction)?;
        Some(result.map(|(sum, report)| {
            let mut s = self.stats_mut();
            s.qap_on_card_calls += 1;
            s.qap_on_card_time += t.elapsed();
            s.add_stream_codec(report.device.codec_s);
            s.device.add(&report.device);
            s.device.add(&report.msm.stats());
            s.msm_device.merge(&report.msm);
            sum
        }))
    }
}
