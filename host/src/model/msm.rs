//! G1 and G2 MSMs on a [`ModelCard`] (each on its engine: the same unit over another
//! adder): the sum from arkworks, the card's jobs as the driver would
//! issue them (one load while card memory has room, resident bases reused by content,
//! chunks through free memory otherwise — the policy of [`crate::msm`]), their cycles from
//! the MSM unit's model (the bucket reduction's schedule included, on presets that reduce
//! on the card), and the host's share of the reduction run for real.

use super::{accumulate_skipping, ModelCard, MsmShape};
use crate::driver::kernel::MsmEngineCaps;
use crate::error::{Error, Result};
use crate::msm::reduce;
use crate::msm::{fingerprint, MsmEngine, MsmReport, STREAM_MIN_FRACTION};
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ec::{AffineRepr, VariableBaseMSM};
use ark_ff::{One, PrimeField};
use ark_serialize::{CanonicalDeserialize, Compress, Validate};
use rayon::prelude::*;
use std::time::Instant;
use zkpipe_spec::preset::{Curve, Group, MsmConfig, ReducePlan};

/// Cycles an msm_run job spends after its accumulation besides the drain and the
/// readout, and an msm_load job besides its beats (the control's state changes; checked
/// against the simulated board by `zkpipe-tests`' `model` tests).
const RUN_EXTRA: u64 = 2;
const LOAD_EXTRA: u64 = 1;

/// An MSM's scalars (the Montgomery limbs a card's windows see) and which of its bases
/// are the identity.
type Points<'a> = (&'a [[u64; 4]], &'a [bool]);

/// Which base sets card memory holds, by content.
#[derive(Debug, Default)]
pub(super) struct Residency {
    /// (points, fingerprint) of each resident set.
    sets: Vec<(usize, u64)>,
    /// Points of card memory in use.
    used: usize,
    /// The buckets were cleared (by a completed readout; a fresh card sweeps them first).
    buckets_clear: bool,
}

/// One MSM engine of a modelled board: its geometry, adder latency and registers.
#[derive(Clone, Copy)]
struct Engine {
    geometry: MsmConfig,
    adder_latency: usize,
    caps: MsmEngineCaps,
}

impl Engine {
    fn reduce_plan(&self) -> Option<ReducePlan> {
        self.geometry.reduce_plan(self.adder_latency)
    }
}

impl ModelCard {
    /// The engine of `group` (the G2 engine's geometry only exists on presets with one).
    fn engine(&self, group: Group) -> Option<Engine> {
        let (geometry, adder_latency) = match group {
            Group::G1 => (self.timing.msm, self.timing.msm_adder_latency),
            Group::G2 => self.timing.msm_g2?,
        };
        Some(Engine {
            geometry,
            adder_latency,
            caps: self.caps.msm_engine(group),
        })
    }

    fn g1(&self) -> Engine {
        self.engine(Group::G1).expect("every board has a G1 engine")
    }

    fn msm_shape(e: &Engine) -> MsmShape {
        MsmShape::of(&e.geometry, e.adder_latency)
    }

    /// Points the G1 engine's card memory holds.
    pub fn msm_capacity(&self) -> usize {
        self.caps.msm_bases as usize
    }

    /// Busy cycles of an msm_load job of `points` G1 bases.
    pub fn msm_load_cycles(&self, points: usize) -> u64 {
        Self::load_cycles(&self.g1(), points)
    }

    fn load_cycles(e: &Engine, points: usize) -> u64 {
        (points * e.caps.point_beats as usize) as u64 + LOAD_EXTRA
    }

    /// Busy cycles of a G1 msm_run job after its accumulation and the adder's drain: the
    /// buckets are reduced on the card and their sums read out, or read out (`last`), or
    /// one acknowledgement beat is sent.
    pub fn msm_run_tail_cycles(&self, last: bool) -> u64 {
        Self::tail_cycles(&self.g1(), last)
    }

    fn tail_cycles(e: &Engine, last: bool) -> u64 {
        let reduce = match e.reduce_plan() {
            Some(plan) if last => plan.cycles() as u64,
            _ => 0,
        };
        Self::out_beats(e, last) as u64 + reduce + RUN_EXTRA
    }

    /// Card-to-host beats of a run job.
    fn out_beats(e: &Engine, last: bool) -> usize {
        match (last, e.caps.reduce_groups) {
            (false, _) => 1,
            (true, 0) => e.caps.readout_beats(),
            (true, _) => e.caps.reduced_readout_beats(),
        }
    }

    /// Host time a driver spends encoding a job's stream into its staging buffer, checksum
    /// included, measured by doing it with the driver's encoder: `limbs`, the scalars of a
    /// run; or, for a load, `beats` beats of zeros (the same traffic). The buffer is grown
    /// and touched untimed first, as a card's mapped staging buffer is.
    fn time_encode(&self, beats: usize, limbs: Option<&[[u64; 4]]>) -> f64 {
        use crate::msm::wire::encode_chunked;
        use zkpipe_spec::wire::{encode_scalar_pair, BEAT_BYTES, SCALARS_PER_BEAT};
        let mut staging = self.staging.lock().unwrap_or_else(|e| e.into_inner());
        if staging.len() < beats * BEAT_BYTES {
            staging.resize(beats * BEAT_BYTES, 0);
        }
        let out = &mut staging[..beats * BEAT_BYTES];
        let t = Instant::now();
        let sum = match limbs {
            Some(limbs) => encode_chunked(out, limbs, SCALARS_PER_BEAT, 1, |beat, pair, _| {
                encode_scalar_pair(beat, &pair[0], pair.get(1).map(|l| &l[..]))
            }),
            None => encode_chunked(out, &vec![(); beats], 1, 1, |beat, _, _| beat.fill(0)),
        };
        std::hint::black_box(sum);
        t.elapsed().as_secs_f64()
    }

    fn load_job(&self, e: &Engine, points: usize, report: &mut MsmReport) {
        let busy = Self::load_cycles(e, points);
        let beats = points * e.caps.point_beats as usize;
        report.encode_s += self.time_encode(beats, None);
        report.load_jobs += 1;
        report.busy_cycles += busy;
        report.projected_s += self.phase_seconds(busy, beats, 1) + self.pcie.job_setup_s;
    }

    /// Cycles of the sweep that clears every G1 bucket address before a card's first run.
    pub fn msm_sweep_cycles(&self) -> u64 {
        self.timing.msm.lane_buckets() as u64
    }

    fn run_job(
        &self,
        e: &Engine,
        points: Points,
        last: bool,
        sweep: bool,
        on_card: bool,
        report: &mut MsmReport,
    ) {
        let acc = accumulate_skipping(Self::msm_shape(e), points.0, points.1);
        let limbs = points.0;
        let sweep = if sweep {
            e.geometry.lane_buckets() as u64
        } else {
            0
        };
        let tail = acc.drain + Self::tail_cycles(e, last) + sweep;
        let out_beats = Self::out_beats(e, last);
        // Scalars in card memory: no host stream, no encoding (the memory port reads them
        // far faster than the adders take them).
        let beats = if on_card {
            0
        } else {
            zkpipe_spec::wire::scalar_beats(limbs.len())
        };
        if !on_card {
            report.encode_s += self.time_encode(beats, Some(limbs));
        }
        report.run_jobs += 1;
        report.busy_cycles += acc.cycles + tail;
        report.accum_cycles += acc.cycles;
        report.accum_slots += acc.cycles / e.geometry.interval as u64;
        report.adds += acc.adds;
        report.adds_min += acc.adds_min;
        report.deferrals += acc.deferrals;
        if last {
            report.reduce_cycles += e.reduce_plan().map_or(0, |p| p.cycles() as u64);
        }
        report.projected_s += self.phase_seconds(acc.cycles, beats, 0)
            + self.phase_seconds(tail, 0, out_beats)
            + self.pcie.job_setup_s;
    }

    /// The card's jobs for an MSM of these bases and scalars, as the driver would issue
    /// them, added to `report`.
    fn msm_jobs(
        &self,
        e: &Engine,
        n: usize,
        key: u64,
        points: Points,
        on_card: bool,
        report: &mut MsmReport,
    ) {
        let (limbs, identity) = points;
        let capacity = e.caps.bases as usize;
        let memory = match e.geometry.group {
            Group::G1 => &self.memory,
            Group::G2 => &self.memory_g2,
        };
        let mut m = memory.lock().unwrap_or_else(|e| e.into_inner());
        let resident = m.sets.contains(&(n, key));
        let mut sweep = !std::mem::replace(&mut m.buckets_clear, true);
        let free = capacity - m.used;
        if resident || n <= free {
            if !resident {
                self.load_job(e, n, report);
                m.sets.push((n, key));
                m.used += n;
            }
            let jobs = n.div_ceil(capacity);
            let chunks = limbs.chunks(capacity).zip(identity.chunks(capacity));
            for (j, chunk) in chunks.enumerate() {
                let sweep = std::mem::take(&mut sweep);
                self.run_job(e, chunk, j + 1 == jobs, sweep, on_card, report);
            }
            return;
        }
        let free = if free < capacity / STREAM_MIN_FRACTION {
            m.sets.clear();
            m.used = 0;
            capacity
        } else {
            free
        };
        let chunks = n.div_ceil(free);
        for (i, chunk) in limbs.chunks(free).zip(identity.chunks(free)).enumerate() {
            self.load_job(e, chunk.0.len(), report);
            self.run_job(
                e,
                chunk,
                i + 1 == chunks,
                std::mem::take(&mut sweep),
                on_card,
                report,
            );
        }
    }

    /// Frees every resident base set.
    pub fn clear_bases(&self) {
        for memory in [&self.memory, &self.memory_g2] {
            let mut m = memory.lock().unwrap_or_else(|e| e.into_inner());
            m.sets.clear();
            m.used = 0;
        }
    }

    /// Σ `scalars[i]·bases[i]` with the card's report. `A` must be the G1 or G2 of the
    /// preset's curve (a backend checks the scalar field when it opens the card); G2 needs
    /// a preset with a G2 engine.
    pub fn msm<A: AffineRepr>(
        &self,
        bases: &[A],
        scalars: &[A::ScalarField],
    ) -> Result<(A::Group, MsmReport)> {
        self.msm_from(bases, scalars, false)
    }

    /// [`Self::msm`] with the scalars already in card memory (the run jobs read them
    /// there: no host stream).
    pub fn msm_scalars_on_card<A: AffineRepr>(
        &self,
        bases: &[A],
        scalars: &[A::ScalarField],
    ) -> Result<(A::Group, MsmReport)> {
        self.msm_from(bases, scalars, true)
    }

    fn msm_from<A: AffineRepr>(
        &self,
        bases: &[A],
        scalars: &[A::ScalarField],
        on_card: bool,
    ) -> Result<(A::Group, MsmReport)> {
        let started = Instant::now();
        crate::backend::check_lengths(bases.len(), scalars.len())?;
        let group = group_of::<A>();
        let Some(engine) = self.engine(group).filter(|e| e.caps.present()) else {
            return Err(Error::Unsupported {
                device: self.uri.clone(),
                what: match group {
                    Group::G1 => "the MSM engine",
                    Group::G2 => "a G2 MSM engine",
                },
            });
        };
        let n = bases.len();
        let mut report = MsmReport {
            n,
            ..Default::default()
        };
        if n == 0 {
            return Ok((A::Group::default(), report));
        }
        let curve = self.preset.curve;
        if let Some(index) = match (curve, group) {
            (Curve::Bn254, Group::G1) => first_off_curve::<ark_bn254::g1::Config, A>(bases),
            (Curve::Bls12_381, Group::G1) => first_off_curve::<ark_bls12_381::g1::Config, A>(bases),
            (Curve::Bn254, Group::G2) => first_off_curve::<ark_bn254::g2::Config, A>(bases),
            (Curve::Bls12_381, Group::G2) => first_off_curve::<ark_bls12_381::g2::Config, A>(bases),
        } {
            return Err(Error::NotOnCurve { index });
        }
        // What a card's windows see: the Montgomery limbs k·R (`crate::msm::scalars`).
        let radix = crate::msm::scalars::radix::<A::ScalarField>();
        let limbs: Vec<[u64; 4]> = scalars
            .par_iter()
            .map(|k| {
                let mut out = [0u64; 4];
                out.copy_from_slice(&(*k * radix).into_bigint().as_ref()[..4]);
                out
            })
            .collect();
        let identity: Vec<bool> = bases.par_iter().map(|p| p.is_zero()).collect();
        self.msm_jobs(
            &engine,
            n,
            fingerprint(bases),
            (&limbs, &identity),
            on_card,
            &mut report,
        );
        let sum = A::Group::msm_unchecked(bases, scalars);
        report.reduce_s = match (curve, group) {
            (Curve::Bn254, Group::G1) => self.time_reduction::<ark_bn254::g1::Config>(&engine)?,
            (Curve::Bls12_381, Group::G1) => {
                self.time_reduction::<ark_bls12_381::g1::Config>(&engine)?
            }
            (Curve::Bn254, Group::G2) => self.time_reduction::<ark_bn254::g2::Config>(&engine)?,
            (Curve::Bls12_381, Group::G2) => {
                self.time_reduction::<ark_bls12_381::g2::Config>(&engine)?
            }
        };
        report.host_s = started.elapsed().as_secs_f64();
        Ok((sum, report))
    }

    /// Host time of what a card's MSM leaves to the host at this preset's geometry — the
    /// combination of the reduced sums, or the whole bucket reduction — run on points
    /// holding the generator.
    fn time_reduction<P: SWCurveConfig>(&self, e: &Engine) -> Result<f64> {
        let g = Affine::<P>::generator();
        let (x, y) = g.xy().expect("the generator is finite");
        let c = e.caps.window_bits as usize;
        let groups = e.caps.reduce_groups as usize;
        let points = match groups {
            0 => e.geometry.windows * e.geometry.buckets_per_window(),
            _ => 2 * groups * e.geometry.windows,
        };
        let buckets = vec![(x, y, P::BaseField::one()); points];
        let t = Instant::now();
        let sum = match groups {
            0 => reduce::reduce::<P>(&buckets, c),
            _ => reduce::combine_sums::<P>(&buckets, c, groups),
        }
        .map_err(|b| Error::Protocol {
            device: self.uri.clone(),
            reason: format!("model bucket {b} is not on the curve"),
        })?;
        let _ = std::hint::black_box(sum);
        Ok(t.elapsed().as_secs_f64())
    }
}

/// The first base that is not a point of `P` (as the card checks bases before loading).
fn first_off_curve<P: SWCurveConfig, A: AffineRepr>(bases: &[A]) -> Option<usize> {
    bases.par_iter().position_first(|a| {
        let mut bytes = [0u8; 256];
        let len = a.uncompressed_size();
        if len > bytes.len() || a.serialize_uncompressed(&mut bytes[..len]).is_err() {
            return true;
        }
        Affine::<P>::deserialize_with_mode(&bytes[..len], Compress::No, Validate::No)
            .map_or(true, |p| !p.is_on_curve())
    })
}

/// G1 or G2, from the degree of the points' coordinates.
fn group_of<A: AffineRepr>() -> Group {
    match <A::BaseField as ark_ff::Field>::extension_degree() {
        1 => Group::G1,
        _ => Group::G2,
    }
}

impl<A: AffineRepr> MsmEngine<A> for ModelCard {
    fn has_engine(&self) -> bool {
        self.caps.msm_engine(group_of::<A>()).present()
    }
    fn msm_on_card(
        &self,
        bases: &[A],
        scalars: &[A::ScalarField],
    ) -> Result<(A::Group, MsmReport)> {
        self.msm(bases, scalars)
    }
}
