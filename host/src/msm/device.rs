//! MSM calls on one [`Device`]: resident bases, chunking, bucket readout and reduction.

use super::curve::{BoardCurve, WIRE_COORD_LIMBS};
use super::{reduce, wire, MsmReport};
use crate::card::Job;
use crate::device::Device;
use crate::error::{Error, Result};
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ec::AffineRepr;
use ark_ff::Zero;
use rayon::prelude::*;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;
use zkpipe_spec::preset::Group;
use zkpipe_spec::regs::JobMsmFlags;

/// Where an MSM's scalars are: the caller's memory (streamed through the host-to-card
/// stream), or a vector in card memory (the msm_run job reads them there: its format is
/// the scalar stream's, Montgomery limbs two per beat), from element `offset`, `len` of
/// them.
#[derive(Clone, Copy, Debug)]
pub enum Scalars<'a, F> {
    /// In host memory.
    Host(&'a [F]),
    /// In card memory.
    Card {
        /// The vector.
        vec: &'a crate::card_memory::CardVec<F>,
        /// First element (a whole number of pages in: a multiple of 128).
        offset: usize,
        /// Elements.
        len: usize,
    },
}

/// Elements of a page of card memory: where a chunk of card scalars may start.
const SCALARS_PER_PAGE: usize =
    (zkpipe_spec::wire::CARD_MEMORY_ALIGN as usize) / zkpipe_spec::wire::SCALAR_BYTES;

impl<'a, F> Scalars<'a, F> {
    /// Elements.
    pub fn len(&self) -> usize {
        match self {
            Scalars::Host(s) => s.len(),
            Scalars::Card { len, .. } => *len,
        }
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Elements `start .. start + len` (card scalars: `start` a multiple of a page's).
    fn part(&self, start: usize, len: usize) -> Scalars<'a, F> {
        match *self {
            Scalars::Host(s) => Scalars::Host(&s[start..start + len]),
            Scalars::Card { vec, offset, .. } => {
                debug_assert!(start.is_multiple_of(SCALARS_PER_PAGE));
                Scalars::Card {
                    vec,
                    offset: offset + start,
                    len,
                }
            }
        }
    }
    /// Chunks of `size` elements (card scalars: rounded down to whole pages).
    fn chunk_size(&self, size: usize) -> usize {
        match self {
            Scalars::Host(_) => size,
            Scalars::Card { .. } => (size / SCALARS_PER_PAGE).max(1) * SCALARS_PER_PAGE,
        }
    }
}

/// What card memory holds: resident base sets packed from index 0, plus an epoch that
/// [`Device::clear_bases`] bumps so old handles are refused.
#[derive(Debug, Default)]
pub struct CardMemory {
    used: usize,
    epoch: u64,
    sets: Vec<ResidentBases>,
}

/// A set of bases resident in a card's memory (from [`Device::load_bases`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResidentBases {
    device: String,
    group: Group,
    offset: usize,
    len: usize,
    epoch: u64,
    fingerprint: u64,
}

impl ResidentBases {
    /// Points in the set.
    pub fn len(&self) -> usize {
        self.len
    }
    /// Whether the set has no points.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// First index in card memory.
    pub fn offset(&self) -> usize {
        self.offset
    }
    /// The engine whose memory holds the set.
    pub fn group(&self) -> Group {
        self.group
    }
}

/// Length-and-content key of a base set (64-bit SipHash of the coordinates' Montgomery
/// limbs and the infinity flags), for a card's resident sets and a model card's.
pub(crate) fn fingerprint<A: AffineRepr>(bases: &[A]) -> u64 {
    let parts: Vec<u64> = bases
        .par_chunks(1 << 12)
        .map(|chunk| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            chunk.hash(&mut h);
            h.finish()
        })
        .collect();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (bases.len(), parts).hash(&mut h);
    h.finish()
}

/// An MSM over points of type `A` (G1 or G2) on something that holds a card (what generic
/// code such as [`crate::backend::BoardBackend`] calls without naming the curve config).
pub trait MsmEngine<A: AffineRepr> {
    /// Whether the card has an engine for these points (G2: CAPS_MSM_G2); callers run the
    /// MSM on the host otherwise.
    fn has_engine(&self) -> bool;
    /// Σ `scalars[i]·bases[i]`; bases stay resident when card memory has room.
    fn msm_on_card(&self, bases: &[A], scalars: &[A::ScalarField])
        -> Result<(A::Group, MsmReport)>;
}

impl<P: BoardCurve> MsmEngine<Affine<P>> for Device {
    fn has_engine(&self) -> bool {
        self.check_msm::<P>().is_ok()
    }
    fn msm_on_card(
        &self,
        bases: &[Affine<P>],
        scalars: &[P::ScalarField],
    ) -> Result<(Projective<P>, MsmReport)> {
        self.msm(bases, scalars)
    }
}

/// A shared engine is an engine (a model card shared by a backend's NTT and MSM sides).
impl<A: AffineRepr, T: MsmEngine<A>> MsmEngine<A> for std::sync::Arc<T> {
    fn has_engine(&self) -> bool {
        (**self).has_engine()
    }
    fn msm_on_card(
        &self,
        bases: &[A],
        scalars: &[A::ScalarField],
    ) -> Result<(A::Group, MsmReport)> {
        (**self).msm_on_card(bases, scalars)
    }
}

/// The MSM engine's state on one device: which resident bases card memory holds, and a
/// lock held for a whole MSM call so that loads and runs of two threads do not interleave
/// in card memory.
#[derive(Debug, Default)]
pub struct MsmState {
    memory: Mutex<CardMemory>,
    serial: Mutex<()>,
}

impl Device {
    fn msm_state(&self, group: Group) -> &MsmState {
        match group {
            Group::G1 => &self.msm,
            Group::G2 => &self.msm_g2,
        }
    }

    fn memory(&self, group: Group) -> MutexGuard<'_, CardMemory> {
        let state = self.msm_state(group);
        state.memory.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn serial(&self, group: Group) -> MutexGuard<'_, ()> {
        let state = self.msm_state(group);
        state.serial.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Card memory for resident G1 bases, in points (0: no MSM engine).
    pub fn msm_capacity(&self) -> usize {
        self.msm_capacity_of(Group::G1)
    }

    /// Card memory for resident bases of `group`'s engine, in points (0: no such engine).
    pub fn msm_capacity_of(&self, group: Group) -> usize {
        self.capabilities().msm_engine(group).bases as usize
    }

    /// Whether the card has an MSM engine for `group` (G2: CAPS_MSM_G2).
    pub fn has_msm_engine(&self, group: Group) -> bool {
        self.capabilities().msm_engine(group).present()
    }

    fn check_msm<P: BoardCurve>(&self) -> Result<()> {
        let caps = self.capabilities();
        if !caps.msm_engine(P::GROUP).present() || P::COORD_LIMBS > WIRE_COORD_LIMBS {
            return Err(Error::Unsupported {
                device: self.uri().to_string(),
                what: match P::GROUP {
                    Group::G1 => "the MSM engine",
                    Group::G2 => "a G2 MSM engine",
                },
            });
        }
        if caps.curve() != Some(P::CURVE) {
            return Err(Error::CurveMismatch {
                device: self.uri().to_string(),
                found: caps.curve_id,
                expected: P::CURVE.id(),
            });
        }
        Ok(())
    }

    /// Frees every resident base set; handles from before are refused afterwards.
    pub fn clear_bases(&self) {
        for group in [Group::G1, Group::G2] {
            let _serial = self.serial(group);
            let mut m = self.memory(group);
            m.used = 0;
            m.epoch += 1;
            m.sets.clear();
        }
    }

    /// Stores `bases` in card memory and returns their handle. Every base is checked to be
    /// on the curve first (the card's complete formulas assume it).
    pub fn load_bases<P: BoardCurve>(&self, bases: &[Affine<P>]) -> Result<ResidentBases> {
        let _serial = self.serial(P::GROUP);
        let mut report = MsmReport::default();
        self.load_bases_reported(bases, fingerprint(bases), &mut report)
    }

    fn load_bases_reported<P: BoardCurve>(
        &self,
        bases: &[Affine<P>],
        fingerprint: u64,
        report: &mut MsmReport,
    ) -> Result<ResidentBases> {
        self.check_msm::<P>()?;
        if bases.is_empty() {
            return Err(Error::Empty);
        }
        check_on_curve(bases)?;
        let capacity = self.msm_capacity_of(P::GROUP);
        let (offset, epoch) = {
            let m = self.memory(P::GROUP);
            if m.used + bases.len() > capacity {
                return Err(Error::CardMemoryFull {
                    device: self.uri().to_string(),
                    needed: bases.len(),
                    used: m.used,
                    capacity,
                });
            }
            (m.used, m.epoch)
        };
        self.load_at(bases, offset, report)?;
        let handle = ResidentBases {
            device: self.uri().to_string(),
            group: P::GROUP,
            offset,
            len: bases.len(),
            epoch,
            fingerprint,
        };
        let mut m = self.memory(P::GROUP);
        if m.epoch != epoch || m.used != offset {
            // Another thread changed card memory meanwhile: what we wrote may be stale.
            return Err(Error::StaleBases {
                device: self.uri().to_string(),
            });
        }
        m.used += bases.len();
        m.sets.push(handle.clone());
        Ok(handle)
    }

    /// One msm_load job: `bases` to card memory at `offset` (checked by the caller).
    fn load_at<P: BoardCurve>(
        &self,
        bases: &[Affine<P>],
        offset: usize,
        report: &mut MsmReport,
    ) -> Result<()> {
        let point_beats = self.capabilities().msm_engine(P::GROUP).point_beats as usize;
        let job = Job::MsmLoad {
            group: P::GROUP,
            points: bases.len(),
            offset: offset as u32,
        };
        let encode_s = std::cell::Cell::new(0.0);
        let done = self.card().submit(
            &job,
            bases.len() * point_beats,
            |bytes| {
                let t = Instant::now();
                let sum = wire::encode_bases(bytes, bases, point_beats);
                encode_s.set(t.elapsed().as_secs_f64());
                Some(sum)
            },
            |ack| self.check_ack(ack, bases.len(), offset),
        )?;
        report.add_job(
            &done.counters,
            1,
            self.capabilities().clock_mhz(),
            done.sim_cycles,
        );
        report.load_jobs += 1;
        report.encode_s += encode_s.get();
        Ok(())
    }

    /// Σ `scalars[i]·bases[i]` over resident bases.
    pub fn msm_resident<P: BoardCurve>(
        &self,
        bases: &ResidentBases,
        scalars: &[P::ScalarField],
    ) -> Result<(Projective<P>, MsmReport)> {
        self.check_msm::<P>()?;
        let started = Instant::now();
        if scalars.len() != bases.len {
            return Err(Error::LengthMismatch {
                a: bases.len,
                b: scalars.len(),
            });
        }
        {
            let m = self.memory(P::GROUP);
            if bases.device != self.uri() || bases.group != P::GROUP || bases.epoch != m.epoch {
                return Err(Error::StaleBases {
                    device: self.uri().to_string(),
                });
            }
        }
        let mut report = MsmReport {
            n: scalars.len(),
            ..Default::default()
        };
        let _serial = self.serial(P::GROUP);
        let sum = self.run_at::<P>(Scalars::Host(scalars), bases.offset, &mut report)?;
        report.host_s = started.elapsed().as_secs_f64();
        Ok((sum, report))
    }

    /// msm_run jobs over card memory offset.., at most CAPS_MSM_BASES points each, all
    /// accumulating into the same buckets; one readout and reduction at the end.
    fn run_at<P: BoardCurve>(
        &self,
        scalars: Scalars<'_, P::ScalarField>,
        offset: usize,
        report: &mut MsmReport,
    ) -> Result<Projective<P>> {
        let per_job = scalars.chunk_size(self.msm_capacity_of(P::GROUP));
        let n = scalars.len();
        let jobs = n.div_ceil(per_job);
        let mut sum = None;
        for j in 0..jobs {
            let chunk = scalars.part(j * per_job, per_job.min(n - j * per_job));
            sum =
                self.run_chunk::<P>(chunk, offset + j * per_job, j == 0, j + 1 == jobs, report)?;
        }
        Ok(sum.expect("the last job reads the buckets"))
    }

    /// One msm_run job. The first job of an MSM starts from empty buckets, later ones add
    /// to them (JOB_MSM_FLAGS keep); all but the last leave them on the card (hold) and are
    /// acknowledged with one beat. The last one reduces the buckets on the card when the
    /// card can (CAPS_MSM_REDUCE: the host combines 2·G sums per window) or reads them back
    /// for the host to reduce.
    fn run_chunk<P: BoardCurve>(
        &self,
        scalars: Scalars<'_, P::ScalarField>,
        offset: usize,
        first: bool,
        last: bool,
        report: &mut MsmReport,
    ) -> Result<Option<Projective<P>>> {
        let all_caps = self.capabilities().clone();
        let caps = all_caps.msm_engine(P::GROUP);
        let n = scalars.len();
        let on_card = caps.reduce_groups != 0;
        let groups = caps.reduce_groups as usize;
        let magnitudes = 1usize << caps.window_bits.saturating_sub(1);
        if on_card && !(groups.is_power_of_two() && groups <= magnitudes) {
            return Err(Error::Protocol {
                device: self.uri().to_string(),
                reason: format!(
                    "CAPS_MSM_REDUCE = {groups} is not a power of two ≤ 2^(c−1) = {magnitudes}"
                ),
            });
        }
        let flags = JobMsmFlags {
            keep: !first,
            hold: !last,
            reduce: last && on_card,
        };
        let job = Job::MsmRun {
            group: P::GROUP,
            points: n,
            offset: offset as u32,
            flags,
        };
        let out_beats = job.out_beats(&all_caps);
        // One cycle per (point, window) plus the readout: element-equivalents for the
        // default timeout (a simulator runs the adder at ~20k cycles/s; be generous).
        let work = n * (caps.windows as usize + 1) + out_beats;
        let faulty = |b: usize| Error::Protocol {
            device: self.uri().to_string(),
            reason: if on_card {
                format!(
                    "window sum {b} read back from the card is not a valid point; the card is faulty"
                )
            } else {
                format!(
                    "bucket {b} read back from the card is not a valid point; the card is faulty"
                )
            },
        };
        let decode_started = std::cell::Cell::new(None);
        let encode_s = std::cell::Cell::new(0.0);
        let route = match scalars {
            Scalars::Host(_) => crate::card::Route::HOST,
            Scalars::Card { vec, offset, .. } => crate::card::Route {
                src: Some(vec.element_addr(offset)),
                ..crate::card::Route::HOST
            },
        };
        let done = self.card().submit_routed(
            &job,
            route,
            work,
            |bytes| match scalars {
                Scalars::Host(scalars) => {
                    let t = Instant::now();
                    let sum = wire::encode_scalars::<P>(bytes, scalars);
                    encode_s.set(t.elapsed().as_secs_f64());
                    Some(sum)
                }
                Scalars::Card { .. } => Some(0),
            },
            |out| {
                if !last {
                    return self.check_ack(out, n, offset).map(|_| None);
                }
                decode_started.set(Some(Instant::now()));
                wire::decode_buckets::<P>(out, out_beats / wire::BUCKET_BEATS)
                    .map(Some)
                    .map_err(faulty)
            },
        )?;
        report.add_job(
            &done.counters,
            caps.interval,
            all_caps.clock_mhz(),
            done.sim_cycles,
        );
        report.run_jobs += 1;
        report.encode_s += encode_s.get();
        let Some(decoded) = done.output else {
            return Ok(None);
        };
        let t = decode_started.get().unwrap_or_else(Instant::now);
        let c = caps.window_bits as usize;
        let sum = if on_card {
            reduce::combine_sums::<P>(&decoded, c, groups)
        } else {
            reduce::reduce::<P>(&decoded, c)
        }
        .map_err(faulty)?;
        // The card summed Montgomery-form scalars: R·Σ k_i·P_i.
        let sum = sum * super::scalars::r_inv::<P::ScalarField>();
        report.reduce_s += t.elapsed().as_secs_f64();
        Ok(Some(sum))
    }

    /// Checks an acknowledgement beat {count, offset}.
    fn check_ack(&self, out: &[u8], n: usize, offset: usize) -> Result<()> {
        let ack = zkpipe_spec::wire::decode_ack(out);
        if ack != (n as u32, offset as u32) {
            return Err(Error::Protocol {
                device: self.uri().to_string(),
                reason: format!("msm job acknowledged {ack:?}, expected ({n}, {offset})"),
            });
        }
        Ok(())
    }

    /// Σ `scalars[i]·bases[i]` (empty → identity). Bases already resident (same length and
    /// content) stream only scalars; new bases become resident while card memory has room;
    /// otherwise they go through the free part of card memory in chunks (all of it, after
    /// freeing the resident sets, if less than a quarter is free).
    pub fn msm<P: BoardCurve>(
        &self,
        bases: &[Affine<P>],
        scalars: &[P::ScalarField],
    ) -> Result<(Projective<P>, MsmReport)> {
        self.msm_of(bases, Scalars::Host(scalars))
    }

    /// [`Self::msm`] with the scalars in host or card memory ([`Scalars`]).
    pub fn msm_of<P: BoardCurve>(
        &self,
        bases: &[Affine<P>],
        scalars: Scalars<'_, P::ScalarField>,
    ) -> Result<(Projective<P>, MsmReport)> {
        let started = Instant::now();
        if let Scalars::Card { vec, offset, len } = scalars {
            if offset + len > vec.len() || !offset.is_multiple_of(SCALARS_PER_PAGE) {
                return Err(Error::LengthMismatch {
                    a: vec.len(),
                    b: offset + len,
                });
            }
            if vec.is_invalid() || vec.device() != self.uri() {
                return Err(Error::CardVecInvalid {
                    device: self.uri().to_string(),
                    addr: vec.addr(),
                });
            }
        }
        if bases.len() != scalars.len() {
            return Err(Error::LengthMismatch {
                a: bases.len(),
                b: scalars.len(),
            });
        }
        self.check_msm::<P>()?;
        let n = bases.len();
        let mut report = MsmReport {
            n,
            ..Default::default()
        };
        if n == 0 {
            return Ok((Projective::zero(), report));
        }
        let key = fingerprint(bases);
        let _serial = self.serial(P::GROUP);
        let found = {
            let m = self.memory(P::GROUP);
            m.sets
                .iter()
                .find(|s| s.len == n && s.fingerprint == key)
                .cloned()
        };
        let sum = if let Some(handle) = found {
            self.run_at::<P>(scalars, handle.offset, &mut report)?
        } else {
            let free = self.msm_capacity_of(P::GROUP) - self.memory(P::GROUP).used;
            if n <= free {
                let handle = self.load_bases_reported(bases, key, &mut report)?;
                self.run_at::<P>(scalars, handle.offset, &mut report)?
            } else {
                check_on_curve(bases)?;
                // Streaming through a sliver of free memory would cut the MSM into many
                // tiny chunks, each paying a job's setup and the adder's drain: below a
                // quarter of card memory, the resident sets go (they reload on next use).
                let free = if free < self.msm_capacity_of(P::GROUP) / STREAM_MIN_FRACTION {
                    let mut m = self.memory(P::GROUP);
                    m.used = 0;
                    m.epoch += 1;
                    m.sets.clear();
                    drop(m);
                    self.msm_capacity_of(P::GROUP)
                } else {
                    free
                };
                let offset = self.msm_capacity_of(P::GROUP) - free;
                let free = scalars.chunk_size(free);
                let chunks = n.div_ceil(free);
                let mut sum = None;
                for (i, b) in bases.chunks(free).enumerate() {
                    let k = scalars.part(i * free, b.len());
                    self.load_at(b, offset, &mut report)?;
                    sum = self.run_chunk::<P>(k, offset, i == 0, i + 1 == chunks, &mut report)?;
                }
                sum.expect("the last job reads the buckets")
            }
        };
        report.host_s = started.elapsed().as_secs_f64();
        Ok((sum, report))
    }
}

/// Bases that do not fit stream through the free part of card memory only while it is at
/// least 1/STREAM_MIN_FRACTION of the whole.
pub(crate) const STREAM_MIN_FRACTION: usize = 4;

fn check_on_curve<P: BoardCurve>(bases: &[Affine<P>]) -> Result<()> {
    match bases.par_iter().position_first(|p| !p.is_on_curve()) {
        Some(index) => Err(Error::NotOnCurve { index }),
        None => Ok(()),
    }
}
