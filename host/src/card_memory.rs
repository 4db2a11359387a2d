//! Card memory from the host: an allocator over the card's DDR/HBM (CAPS_CARD_MEMORY) and
//! [`CardVec`], a scalar-field vector that lives there between jobs.
//!
//! A vector enters card memory once ([`Device::upload`]: copy jobs, host stream → card
//! memory), jobs then read and write it in place without crossing PCIe
//! ([`Device::ntt_on_card`], [`Device::powmul_on_card`]), and it leaves once
//! ([`Device::download`]). Its layout is the unary stream format, two elements per beat
//! (`zkpipe_spec::wire::card_vector_bytes`), so every job's output is the next job's
//! input as it stands.
//!
//! Allocation is first fit over 4 KiB pages, freed when the [`CardVec`] drops; running
//! out is [`Error::OutOfCardMemory`]. A job on a vector that fails (a card-memory ECC
//! error, a timeout, a reset) may have written part of it: the vector is then marked
//! invalid and every later use is [`Error::CardVecInvalid`] — upload it again — so a
//! half-written vector never becomes a result.

use crate::card::{Job, Route};
use crate::device::Device;
use crate::elementwise::{decode_stream, encode_stream, JobReport, Scalar};
use crate::error::{Error, Result};
use crate::ntt::NttJob;
use ark_ff::fields::models::fp::MontConfig;
use ark_ff::{AdditiveGroup, BigInt};
use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use zkpipe_spec::regs::Opcode;
use zkpipe_spec::wire::{self, BEAT_BYTES, CARD_MEMORY_ALIGN};

mod halves;
pub use halves::{halves_fit, Order, HALF_MIN};

/// Free ranges of a card's memory (offset → bytes), first fit, coalesced on free.
#[derive(Debug)]
pub struct Allocator {
    capacity: u64,
    free: BTreeMap<u64, u64>,
}

impl Allocator {
    /// All of `capacity` bytes free.
    pub fn new(capacity: u64) -> Allocator {
        let mut free = BTreeMap::new();
        if capacity > 0 {
            free.insert(0, capacity);
        }
        Allocator { capacity, free }
    }

    /// The address of `bytes` (a multiple of the page) at the lowest free place, if any.
    pub fn alloc(&mut self, bytes: u64) -> Option<u64> {
        debug_assert!(bytes > 0 && bytes.is_multiple_of(CARD_MEMORY_ALIGN));
        let (&at, &len) = self.free.iter().find(|(_, &len)| len >= bytes)?;
        self.free.remove(&at);
        if len > bytes {
            self.free.insert(at + bytes, len - bytes);
        }
        Some(at)
    }

    /// Returns `bytes` at `at`, merged with free neighbours.
    pub fn release(&mut self, at: u64, bytes: u64) {
        let (mut start, mut len) = (at, bytes);
        if let Some((&prev, &prev_len)) = self.free.range(..at).next_back() {
            if prev + prev_len == at {
                self.free.remove(&prev);
                start = prev;
                len += prev_len;
            }
        }
        if let Some(&next_len) = self.free.get(&(at + bytes)) {
            self.free.remove(&(at + bytes));
            len += next_len;
        }
        self.free.insert(start, len);
    }

    /// Bytes free in all.
    pub fn free_bytes(&self) -> u64 {
        self.free.values().sum()
    }

    /// The largest free range.
    pub fn largest_free(&self) -> u64 {
        self.free.values().copied().max().unwrap_or(0)
    }

    /// Bytes of card memory.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }
}

/// A device's card-memory allocator, shared with the vectors it handed out.
pub type SharedAllocator = Arc<Mutex<Allocator>>;

fn lock(a: &SharedAllocator) -> MutexGuard<'_, Allocator> {
    a.lock().unwrap_or_else(|e| e.into_inner())
}

/// A vector of `len` field elements in a card's memory. Freed when dropped; usable only
/// with the [`Device`] that made it.
#[derive(Debug)]
pub struct CardVec<F> {
    heap: SharedAllocator,
    device: String,
    addr: u64,
    bytes: u64,
    len: usize,
    invalid: AtomicBool,
    _elements: PhantomData<F>,
}

impl<F> CardVec<F> {
    /// Elements.
    pub fn len(&self) -> usize {
        self.len
    }
    /// Whether it has no elements (never: card vectors are not empty).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Byte address in card memory.
    pub fn addr(&self) -> u64 {
        self.addr
    }
    /// Byte address of element `i` (two elements per beat; a chunk a job starts at must
    /// begin on a page).
    pub fn element_addr(&self, i: usize) -> u64 {
        self.addr + (i * wire::ELEM_BYTES) as u64
    }
    /// Bytes of card memory it takes (whole pages).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
    /// The device whose memory holds it.
    pub fn device(&self) -> &str {
        &self.device
    }
    /// Whether a failed job may have left it half written (every use is then an error).
    pub fn is_invalid(&self) -> bool {
        self.invalid.load(Ordering::Relaxed)
    }
}

impl<F> Drop for CardVec<F> {
    fn drop(&mut self) {
        lock(&self.heap).release(self.addr, self.bytes);
    }
}

impl Device {
    /// Bytes of card memory (0: the card has none) and bytes free now.
    pub fn card_memory(&self) -> (u64, u64) {
        let heap = lock(&self.card_heap);
        (heap.capacity(), heap.free_bytes())
    }

    /// A vector of `n` elements in card memory, contents undefined (jobs write it).
    pub(crate) fn alloc_vec<F>(&self, n: usize) -> Result<CardVec<F>> {
        if n == 0 {
            return Err(Error::Empty);
        }
        let bytes = wire::card_vector_bytes(n);
        let mut heap = lock(&self.card_heap);
        if heap.capacity() == 0 {
            return Err(Error::Unsupported {
                device: self.uri().to_string(),
                what: "card memory (CAPS_CARD_MEMORY is 0)",
            });
        }
        let addr = heap.alloc(bytes).ok_or_else(|| Error::OutOfCardMemory {
            device: self.uri().to_string(),
            needed: bytes,
            largest_free: heap.largest_free(),
            capacity: heap.capacity(),
        })?;
        Ok(CardVec {
            heap: self.card_heap.clone(),
            device: self.uri().to_string(),
            addr,
            bytes,
            len: n,
            invalid: AtomicBool::new(false),
            _elements: PhantomData,
        })
    }

    /// Checks that `v` is this device's and usable.
    pub(crate) fn check_vec<F>(&self, v: &CardVec<F>) -> Result<()> {
        if !Arc::ptr_eq(&v.heap, &self.card_heap) {
            return Err(Error::ForeignCardVec {
                device: self.uri().to_string(),
                owner: v.device.clone(),
            });
        }
        if v.is_invalid() {
            return Err(Error::CardVecInvalid {
                device: self.uri().to_string(),
                addr: v.addr,
            });
        }
        Ok(())
    }

    /// Elements per copy job: the card's job limit (in elements, as every streaming call
    /// checks it), a whole number of pages so that every chunk starts on one.
    fn copy_chunk(&self) -> usize {
        let per_page = CARD_MEMORY_ALIGN as usize / BEAT_BYTES * wire::ELEMS_PER_BEAT;
        let max = self.capabilities().max_count as usize;
        (max / per_page).max(1) * per_page
    }

    /// Copies `data` into a new vector in card memory (copy jobs, host stream → card
    /// memory).
    pub fn upload<C: MontConfig<4>>(
        &self,
        data: &[Scalar<C>],
    ) -> Result<(CardVec<Scalar<C>>, JobReport)> {
        let v = self.alloc_vec(data.len())?;
        let mut total: Option<JobReport> = None;
        for (k, chunk) in data.chunks(self.copy_chunk()).enumerate() {
            let addr = v.element_addr(k * self.copy_chunk());
            let job = Job::Copy {
                beats: wire::kernel_out_beats(chunk.len()),
            };
            let route = Route {
                dst: Some(addr),
                ..Route::HOST
            };
            let (_, report) = self.stream_job::<C, _>(
                &job,
                route,
                chunk.len(),
                |bytes| encode_stream(bytes, chunk, None, |x| x.0 .0),
                |_| Ok(()),
            )?;
            total = Some(merge(total, report));
        }
        Ok((v, total.expect("a vector has a chunk")))
    }

    /// Copies vector `v` out of card memory (copy jobs, card memory → host stream), every
    /// element checked reduced.
    pub fn download<C: MontConfig<4>>(
        &self,
        v: &CardVec<Scalar<C>>,
    ) -> Result<(Vec<Scalar<C>>, JobReport)> {
        self.check_vec(v)?;
        let mut out = vec![Scalar::<C>::ZERO; v.len];
        let mut total: Option<JobReport> = None;
        let chunk = self.copy_chunk();
        for (k, part) in out.chunks_mut(chunk).enumerate() {
            let addr = v.element_addr(k * chunk);
            let job = Job::Copy {
                beats: wire::kernel_out_beats(part.len()),
            };
            let route = Route {
                src: Some(addr),
                ..Route::HOST
            };
            let n = part.len();
            let part = std::cell::RefCell::new(part);
            let (_, report) = self.stream_job::<C, _>(
                &job,
                route,
                n,
                |_| 0,
                |bytes| {
                    decode_stream(bytes, &mut part.borrow_mut(), &C::MODULUS.0, |l| {
                        Scalar::<C>::new_unchecked(BigInt(l))
                    })
                },
            )?;
            total = Some(merge(total, report));
        }
        Ok((out, total.expect("a vector has a chunk")))
    }

    /// Runs NTT job `job` on vector `v` in card memory, in place: `v.len()` a multiple of
    /// the NTT size, at most the card's job limit. NTTs of the core size or less are one
    /// job; above it, one transform of n = N1·N2 ≤ N² points (N2 = the core size N) is a
    /// four-step whose transposes are the memory port's access patterns:
    ///
    /// 1. column NTTs of N1 points, read down the columns of `v` and written as columns of
    ///    a scratch vector;
    /// 2. row NTTs of N2 points with the twiddles ω_n^(j1·k2), read along the scratch's
    ///    rows and written transposed back into `v`, which is then natural order.
    ///
    /// The host moves no element. Only `Factor::Plain` above the core size (the coset
    /// factor goes through [`Self::powmul_on_card`] first). Transforms of 2·N² points:
    /// [`Self::ntt_halves_on_card`]. A failed job that wrote `v` marks it invalid (a
    /// failed column job wrote only the scratch: `v` is as it was).
    pub fn ntt_on_card<C: MontConfig<4>>(
        &self,
        v: &mut CardVec<Scalar<C>>,
        job: &NttJob<Scalar<C>>,
    ) -> Result<JobReport> {
        self.ntt_span(v, 0, v.len, job)
    }

    /// [`Self::ntt_on_card`] on elements `offset .. offset + len` of `v` (`offset` on a
    /// page): the transform of one half of a vector.
    pub(crate) fn ntt_span<C: MontConfig<4>>(
        &self,
        v: &CardVec<Scalar<C>>,
        offset: usize,
        len: usize,
        job: &NttJob<Scalar<C>>,
    ) -> Result<JobReport> {
        self.check_vec(v)?;
        let at = v.element_addr(offset);
        let core = self.capabilities().ntt_log_size;
        if job.log_n <= core {
            let wire_job = self.ntt_wire_job::<C>(len, job)?;
            return self.on_card(v, len, &wire_job, Route::in_place(at));
        }
        let n = 1usize << job.log_n;
        if len != n || job.log_n > 2 * core || job.factor != crate::ntt::Factor::Plain {
            return Err(Error::Unsupported {
                device: self.uri().to_string(),
                what: "this NTT on card memory: above the core size N the card transforms \
                       one vector of n ≤ N² points, without a front factor (use \
                       powmul_on_card for a coset, ntt_halves_on_card for 2·N² points, \
                       zkpipe::ntt for host vectors)",
            });
        }
        let (log_rows, log_cols) = (job.log_n - core, core);
        let columns = NttJob {
            log_n: log_rows,
            direction: job.direction,
            factor: crate::ntt::Factor::Plain,
        };
        let rows = NttJob {
            log_n: log_cols,
            direction: job.direction,
            factor: crate::ntt::Factor::Twiddle {
                log_t: job.log_n,
                row0: 0,
            },
        };
        let scratch: CardVec<Scalar<C>> = self.alloc_vec(n)?;
        let column_job = self.ntt_wire_job::<C>(n, &columns)?;
        let by_columns = Route {
            src: Some(at),
            dst: Some(scratch.addr),
            ..Route::HOST
        }
        .transposed(Some(log_rows), Some(log_rows));
        // A failed column job wrote only the scratch: `v` stays as it was.
        let report = self.on_card(&scratch, n, &column_job, by_columns)?;
        let row_job = self.ntt_wire_job::<C>(n, &rows)?;
        let to_natural = Route {
            src: Some(scratch.addr),
            dst: Some(at),
            ..Route::HOST
        }
        .transposed(None, Some(log_cols));
        Ok(merge(
            Some(report),
            self.on_card(v, n, &row_job, to_natural)?,
        ))
    }

    /// `a_i ← a_i · b_i` on two vectors in card memory (even length).
    pub fn mul_on_card<C: MontConfig<4>>(
        &self,
        a: &CardVec<Scalar<C>>,
        b: &CardVec<Scalar<C>>,
    ) -> Result<JobReport> {
        self.binary_on_card(Opcode::Mul, a, b)
    }

    /// `a_i ← a_i − b_i` on two vectors in card memory (even length).
    pub fn sub_on_card<C: MontConfig<4>>(
        &self,
        a: &CardVec<Scalar<C>>,
        b: &CardVec<Scalar<C>>,
    ) -> Result<JobReport> {
        self.binary_on_card(Opcode::Sub, a, b)
    }

    /// A binary job whose operands are zipped from `a` and `b` by the memory port and
    /// whose results replace `a` (each output beat is written after both of its input
    /// beats were read).
    fn binary_on_card<C: MontConfig<4>>(
        &self,
        op: Opcode,
        a: &CardVec<Scalar<C>>,
        b: &CardVec<Scalar<C>>,
    ) -> Result<JobReport> {
        self.check_vec(a)?;
        self.check_vec(b)?;
        if a.len % 2 == 1 {
            return Err(Error::Unsupported {
                device: self.uri().to_string(),
                what: "binary jobs on card memory of an odd length (the port zips whole \
                       beats of two elements)",
            });
        }
        let job = self.elementwise_job::<C>(op, a.len, Some(b.len), None)?;
        self.on_card(a, a.len, &job, Route::zip(a.addr, b.addr, Some(a.addr)))
    }

    /// `v_i ← v_i · g^i` on vector `v` in card memory, in place.
    pub fn powmul_on_card<C: MontConfig<4>>(
        &self,
        v: &CardVec<Scalar<C>>,
        g: Scalar<C>,
    ) -> Result<JobReport> {
        let job = self.elementwise_job(Opcode::PowMul, v.len, None, Some(g))?;
        self.in_place_on_card(v, &job)
    }

    /// A unary job reading and writing `v` (the port reads each beat before the job's
    /// output of it exists, so in place is safe). A failed job marks `v` invalid.
    fn in_place_on_card<C: MontConfig<4>>(
        &self,
        v: &CardVec<Scalar<C>>,
        job: &Job,
    ) -> Result<JobReport> {
        self.check_vec(v)?;
        self.on_card(v, v.len, job, Route::in_place(v.addr))
    }

    /// A job on card memory over `n` elements whose output lands in (or is) `v`; a
    /// failure marks `v` invalid.
    pub(crate) fn on_card<C: MontConfig<4>>(
        &self,
        v: &CardVec<Scalar<C>>,
        n: usize,
        job: &Job,
        route: Route,
    ) -> Result<JobReport> {
        let result = self.stream_job::<C, _>(job, route, n, |_| 0, |_| Ok(()));
        if result.is_err() {
            v.invalid.store(true, Ordering::Relaxed);
        }
        Ok(result?.1)
    }
}

/// Two reports of one call's jobs as one.
pub(crate) fn merge(total: Option<JobReport>, next: JobReport) -> JobReport {
    match total {
        None => next,
        Some(mut t) => {
            t.n += next.n;
            t.jobs += next.jobs;
            t.counters.busy_cycles += next.counters.busy_cycles;
            t.counters.beats_in += next.counters.beats_in;
            t.counters.beats_out += next.counters.beats_out;
            t.counters.stall_cycles += next.counters.stall_cycles;
            t.projected_s += next.projected_s;
            t.host_s += next.host_s;
            t.codec_s += next.codec_s;
            t.sim_cycles = t.sim_cycles.zip(next.sim_cycles).map(|(a, b)| a + b);
            t
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_fit_reuses_and_coalesces() {
        const P: u64 = CARD_MEMORY_ALIGN;
        let mut a = Allocator::new(8 * P);
        let x = a.alloc(2 * P).unwrap();
        let y = a.alloc(3 * P).unwrap();
        let z = a.alloc(3 * P).unwrap();
        assert_eq!((x, y, z), (0, 2 * P, 5 * P));
        assert_eq!(a.alloc(P), None);
        a.release(y, 3 * P);
        assert_eq!(a.largest_free(), 3 * P);
        a.release(x, 2 * P);
        assert_eq!(a.largest_free(), 5 * P, "x and y merge");
        assert_eq!(a.alloc(4 * P), Some(0));
        a.release(0, 4 * P);
        a.release(z, 3 * P);
        assert_eq!((a.free_bytes(), a.largest_free()), (8 * P, 8 * P));
        assert_eq!(Allocator::new(0).alloc(P), None);
    }
}
