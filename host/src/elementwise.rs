//! The elementwise kernel as an engine over a [`Device`]'s card: mul, add, sub and
//! powmul on scalar-field vectors, and NTT jobs (the same stream format).
//!
//! Inputs are encoded straight from the caller's `&[Fp]` memory into the card's mapped
//! staging buffer, results decoded straight from it into the output (checked reduced): one
//! pass over each element each way.

use crate::card::{Job, Route};
use crate::device::Device;
use crate::driver::kernel::Counters;
use crate::error::{Error, Result};
use crate::msm::wire::encode_chunked;
use crate::ntt::{Direction, EngineStats, Factor, NttEngine, NttJob};
use ark_ff::fields::models::fp::{Fp, MontBackend, MontConfig};
use ark_ff::{AdditiveGroup, BigInt};
use rayon::prelude::*;
use std::time::Instant;
use zkpipe_spec::regs::{JobNtt, Opcode, PARAM_WORDS};
use zkpipe_spec::wire;

/// A 4-limb ark-ff prime field element (BN254 Fr, BLS12-381 Fr).
pub type Scalar<C> = Fp<MontBackend<C, 4>, 4>;

/// Measurements of one job.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct JobReport {
    /// Elements.
    pub n: usize,
    /// Card jobs it covers (a run's jobs; the jobs of one call merged, as a four-step's).
    pub jobs: usize,
    /// The kernel's performance counters.
    pub counters: Counters,
    /// Kernel clock the card's preset targets.
    pub clock_mhz: f64,
    /// Device busy time at that clock: busy cycles / clock.
    pub projected_s: f64,
    /// Wall-clock time of the whole call on the host (including simulation, if simulated).
    pub host_s: f64,
    /// Clock cycles the simulator ran for this call (BAR accesses and DMA included).
    pub sim_cycles: Option<u64>,
    /// Host CPU time encoding the input beats and decoding the results.
    pub codec_s: f64,
}

impl JobReport {
    /// This job as [`EngineStats`].
    pub fn stats(&self) -> EngineStats {
        EngineStats {
            jobs: self.jobs,
            busy_cycles: self.counters.busy_cycles as u64,
            elements: self.n as u64,
            projected_s: self.projected_s,
            sim_cycles: self.sim_cycles,
            codec_s: self.codec_s,
        }
    }
}

impl Device {
    /// `r_i = a_i · b_i`.
    pub fn mul<C: MontConfig<4>>(
        &self,
        a: &[Scalar<C>],
        b: &[Scalar<C>],
    ) -> Result<(Vec<Scalar<C>>, JobReport)> {
        self.elementwise(Opcode::Mul, a, Some(b), None)
    }
    /// `r_i = a_i + b_i`.
    pub fn add<C: MontConfig<4>>(
        &self,
        a: &[Scalar<C>],
        b: &[Scalar<C>],
    ) -> Result<(Vec<Scalar<C>>, JobReport)> {
        self.elementwise(Opcode::Add, a, Some(b), None)
    }
    /// `r_i = a_i − b_i`.
    pub fn sub<C: MontConfig<4>>(
        &self,
        a: &[Scalar<C>],
        b: &[Scalar<C>],
    ) -> Result<(Vec<Scalar<C>>, JobReport)> {
        self.elementwise(Opcode::Sub, a, Some(b), None)
    }
    /// `r_i = a_i · g^i` (coset scaling), powers generated on the card.
    pub fn powmul<C: MontConfig<4>>(
        &self,
        a: &[Scalar<C>],
        g: Scalar<C>,
    ) -> Result<(Vec<Scalar<C>>, JobReport)> {
        self.elementwise(Opcode::PowMul, a, None, Some(g))
    }

    /// Runs one elementwise job. Inputs are never modified; on any error no result is
    /// returned and the device is reset for the next job.
    pub fn elementwise<C: MontConfig<4>>(
        &self,
        op: Opcode,
        a: &[Scalar<C>],
        b: Option<&[Scalar<C>]>,
        g: Option<Scalar<C>>,
    ) -> Result<(Vec<Scalar<C>>, JobReport)> {
        let job = self.elementwise_job(op, a.len(), b.map(<[_]>::len), g)?;
        self.run_stream(&job, a, b)
    }

    /// [`Self::elementwise`] with the results written over `a` (no output vector: the
    /// first touch of a new vector's pages costs more here than decoding the results).
    /// On any error `a` is unchanged.
    pub fn elementwise_in_place<C: MontConfig<4>>(
        &self,
        op: Opcode,
        a: &mut [Scalar<C>],
        b: Option<&[Scalar<C>]>,
        g: Option<Scalar<C>>,
    ) -> Result<JobReport> {
        let job = self.elementwise_job(op, a.len(), b.map(<[_]>::len), g)?;
        self.run_in_place(&job, a, b)
    }

    /// The job of an elementwise call, its arguments checked.
    pub(crate) fn elementwise_job<C: MontConfig<4>>(
        &self,
        op: Opcode,
        n: usize,
        b_len: Option<usize>,
        g: Option<Scalar<C>>,
    ) -> Result<Job> {
        if op == Opcode::Ntt || op.is_msm() {
            return Err(Error::Protocol {
                device: self.uri().to_string(),
                reason: format!(
                    "{} jobs go through Device::ntt_job / zkpipe::ntt::ntt or zkpipe::msm",
                    op.name()
                ),
            });
        }
        if let Some(b_len) = b_len {
            if b_len != n {
                return Err(Error::LengthMismatch { a: n, b: b_len });
            }
        } else if op.binary() {
            return Err(Error::Protocol {
                device: self.uri().to_string(),
                reason: format!("{} needs two operands", op.name()),
            });
        }
        Ok(Job::Elementwise {
            op,
            n,
            param: param_of(g),
        })
    }

    /// Runs one NTT job (`data.len() / 2^job.log_n` NTTs back to back) in place; see
    /// [`crate::ntt`](mod@crate::ntt) for transforms of any size. On error `data` is unchanged.
    pub fn ntt_job<C: MontConfig<4>>(
        &self,
        data: &mut [Scalar<C>],
        job: &NttJob<Scalar<C>>,
    ) -> Result<JobReport> {
        let wire_job = self.ntt_wire_job(data.len(), job)?;
        self.run_in_place(&wire_job, data, None)
    }

    /// Runs NTT jobs over consecutive chunks of `data` (`jobs[k].0` elements for job k) in
    /// place, as runs (register map 4.3): each job after a run's first is appended and
    /// enters the kernel while the job before drains. A run holds at most
    /// [`crate::ntt::RUN_ELEMENTS`] elements (or one job); coset jobs, whose powers restart per job,
    /// and cards without the slot run one job at a time. The stats count every job; a
    /// run's busy cycles are its own counter. On error the failed run's chunk is
    /// unchanged (earlier runs' results stay).
    pub fn ntt_run<C: MontConfig<4>>(
        &self,
        data: &mut [Scalar<C>],
        jobs: &[(usize, NttJob<Scalar<C>>)],
    ) -> Result<EngineStats> {
        crate::ntt::check_run_lengths(data.len(), jobs)?;
        self.capabilities()
            .check_scalar_field(self.uri(), &C::MODULUS.0)?;
        let max = self.capabilities().max_count as usize;
        let mut wire = Vec::with_capacity(jobs.len());
        for (n, job) in jobs {
            if *n == 0 {
                return Err(Error::Empty);
            }
            if *n > max {
                return Err(Error::TooLarge { n: *n, max });
            }
            wire.push(self.ntt_wire_job(*n, job)?);
        }
        let mut stats = EngineStats::default();
        let mut rest = data;
        for run in crate::ntt::runs(jobs, self.capabilities().kernel_slots) {
            let elements = jobs[run.clone()].iter().map(|(n, _)| n).sum();
            let (chunk, tail) = std::mem::take(&mut rest).split_at_mut(elements);
            stats.add(&self.run_jobs(&wire[run], chunk)?);
            rest = tail;
        }
        Ok(stats)
    }

    /// One run of `jobs` (one job: a plain submit) over `data`, results in place.
    fn run_jobs<C: MontConfig<4>>(
        &self,
        jobs: &[Job],
        data: &mut [Scalar<C>],
    ) -> Result<EngineStats> {
        let data = std::cell::RefCell::new(data);
        let n = data.borrow().len();
        let (_, report) = self.stream_jobs::<C, _>(
            jobs,
            Route::HOST,
            n,
            |bytes| encode_stream(bytes, &data.borrow(), None, |x| x.0 .0),
            |bytes| decode_stream(bytes, &mut data.borrow_mut(), &C::MODULUS.0, new_scalar),
        )?;
        Ok(report.stats())
    }

    /// The card's job for `n` elements of NTT job `job`, its configuration checked.
    pub(crate) fn ntt_wire_job<C: MontConfig<4>>(
        &self,
        n: usize,
        job: &NttJob<Scalar<C>>,
    ) -> Result<Job> {
        if self.capabilities().ntt_log_size == 0 {
            return Err(Error::Unsupported {
                device: self.uri().to_string(),
                what: "the NTT engine",
            });
        }
        let mut config = JobNtt {
            log_n: job.log_n,
            inverse: job.direction == Direction::Inverse,
            ..Default::default()
        };
        let (g, row) = match job.factor {
            Factor::Plain => (None, 0),
            Factor::Coset(g) => {
                config.coset = true;
                (Some(g), 0)
            }
            Factor::Twiddle { log_t, row0 } => {
                config.twiddle = true;
                config.log_t = log_t;
                (None, row0)
            }
        };
        if config.try_encode().is_err() {
            return Err(Error::Protocol {
                device: self.uri().to_string(),
                reason: format!("ntt job out of range: {config:?}"),
            });
        }
        Ok(Job::Ntt {
            n,
            config,
            row,
            param: param_of(g),
        })
    }

    /// Checks the field and size, encodes the operands `a` (and `b`) straight into the
    /// staging buffer, runs the job, and decodes the results (checked reduced) into a new
    /// vector.
    fn run_stream<C: MontConfig<4>>(
        &self,
        job: &Job,
        a: &[Scalar<C>],
        b: Option<&[Scalar<C>]>,
    ) -> Result<(Vec<Scalar<C>>, JobReport)> {
        let n = a.len();
        self.stream_job::<C, _>(
            job,
            Route::HOST,
            n,
            |bytes| encode_stream(bytes, a, b, |x| x.0 .0),
            |bytes| {
                let mut out = vec![Scalar::<C>::ZERO; n];
                decode_stream(bytes, &mut out, &C::MODULUS.0, new_scalar).map(|()| out)
            },
        )
    }

    /// A job whose results replace its input `a`: written only once every result is known
    /// to be reduced ([`decode_stream`] checks first), so on error `a` is unchanged.
    fn run_in_place<C: MontConfig<4>>(
        &self,
        job: &Job,
        a: &mut [Scalar<C>],
        b: Option<&[Scalar<C>]>,
    ) -> Result<JobReport> {
        let n = a.len();
        let a = std::cell::RefCell::new(a);
        let (_, report) = self.stream_job::<C, _>(
            job,
            Route::HOST,
            n,
            |bytes| encode_stream(bytes, &a.borrow(), b, |x| x.0 .0),
            |bytes| decode_stream(bytes, &mut a.borrow_mut(), &C::MODULUS.0, new_scalar),
        )?;
        Ok(report)
    }

    /// The checks, the timing and the errors of a streaming job of `n` elements: `encode`
    /// writes the input beats and returns their checksum, `decode` reads the results or
    /// names the first one not reduced (a side `route` puts in card memory gets an empty
    /// slice).
    pub(crate) fn stream_job<C: MontConfig<4>, R>(
        &self,
        job: &Job,
        route: Route,
        n: usize,
        encode: impl FnOnce(&mut [u8]) -> u32,
        decode: impl FnOnce(&[u8]) -> std::result::Result<R, usize>,
    ) -> Result<(R, JobReport)> {
        self.stream_jobs::<C, R>(std::slice::from_ref(job), route, n, encode, decode)
    }

    /// [`Self::stream_job`] for a run of `jobs` (one job, or NTT jobs appended to a run:
    /// [`crate::card::Card::submit_run`]) over `n` elements in all; a single job's `n` is
    /// checked against the card's job limit here, a run's jobs by its caller. The counters
    /// of the report are the run's.
    fn stream_jobs<C: MontConfig<4>, R>(
        &self,
        jobs: &[Job],
        route: Route,
        n: usize,
        encode: impl FnOnce(&mut [u8]) -> u32,
        decode: impl FnOnce(&[u8]) -> std::result::Result<R, usize>,
    ) -> Result<(R, JobReport)> {
        let started = Instant::now();
        self.capabilities()
            .check_scalar_field(self.uri(), &C::MODULUS.0)?;
        if n == 0 {
            return Err(Error::Empty);
        }
        let max = self.capabilities().max_count as usize;
        if jobs.len() == 1 && n > max {
            return Err(Error::TooLarge { n, max });
        }
        let codec = std::cell::Cell::new(0.0);
        let fill = |bytes: &mut [u8]| {
            let t = Instant::now();
            let sum = encode(bytes);
            codec.set(t.elapsed().as_secs_f64());
            Some(sum)
        };
        let device = self.uri();
        let decode = |bytes: &[u8]| -> Result<R> {
            let t = Instant::now();
            let decoded = decode(bytes);
            codec.set(codec.get() + t.elapsed().as_secs_f64());
            decoded.map_err(|i| Error::Protocol {
                device: device.to_string(),
                reason: format!("result {i} is not reduced below the modulus; the card is faulty"),
            })
        };
        let done = self.card().submit_jobs(jobs, route, n, fill, decode)?;
        let clock_mhz = self.capabilities().clock_mhz();
        let report = JobReport {
            n,
            jobs: jobs.len(),
            counters: done.counters,
            clock_mhz,
            projected_s: done.counters.busy_cycles as f64 / (clock_mhz * 1e6),
            host_s: started.elapsed().as_secs_f64(),
            sim_cycles: done.sim_cycles,
            codec_s: codec.get(),
        };
        Ok((done.output, report))
    }
}

fn new_scalar<C: MontConfig<4>>(limbs: [u64; 4]) -> Scalar<C> {
    Scalar::<C>::new_unchecked(BigInt(limbs))
}

/// Elements a parallel task of the decoder takes.
const DECODE_CHUNK: usize = 2048;

/// Writes an elementwise or NTT job's input beats into `bytes` (a binary job's `a_i ‖ b_i`,
/// else `a_2i ‖ a_2i+1`; `limbs` gives an element's Montgomery limbs) in parallel chunks
/// and returns the stream's checksum, folded in on the way.
pub(crate) fn encode_stream<T: Sync>(
    bytes: &mut [u8],
    a: &[T],
    b: Option<&[T]>,
    limbs: impl Fn(&T) -> [u64; 4] + Sync,
) -> u32 {
    match b {
        Some(b) => encode_chunked(bytes, a, 1, 1, |beat, x, i| {
            wire::encode_operands(beat, &limbs(&x[0]), Some(&limbs(&b[i])))
        }),
        None => encode_chunked(bytes, a, wire::ELEMS_PER_BEAT, 1, |beat, pair, _| {
            let second = pair.get(1).map(&limbs);
            wire::encode_pair(beat, &limbs(&pair[0]), second.as_ref().map(|l| &l[..]))
        }),
    }
}

/// The first of `n` results of an output stream not reduced below `modulus`, if any.
pub(crate) fn first_unreduced(bytes: &[u8], n: usize, modulus: &[u64; 4]) -> Option<usize> {
    (0..n).find(|&i| {
        let mut limbs = [0u64; 4];
        wire::decode_result(bytes, i, &mut limbs);
        !wire::is_reduced(&limbs, modulus)
    })
}

/// Reads `out.len()` results from an elementwise or NTT output stream into `out` (`make`
/// builds an element from its limbs), each checked reduced below `modulus` first: on
/// `Err(i)` (result i is the first not reduced: a faulty card) `out` is unchanged, so it
/// may be the caller's own vector.
pub(crate) fn decode_stream<T: Send>(
    bytes: &[u8],
    out: &mut [T],
    modulus: &[u64; 4],
    make: impl Fn([u64; 4]) -> T + Sync,
) -> std::result::Result<(), usize> {
    if let Some(i) = first_unreduced(bytes, out.len(), modulus) {
        return Err(i);
    }
    out.par_chunks_mut(DECODE_CHUNK)
        .zip(bytes.par_chunks(DECODE_CHUNK * wire::ELEM_BYTES))
        .for_each(|(out, bytes)| {
            for (i, slot) in out.iter_mut().enumerate() {
                let mut limbs = [0u64; 4];
                wire::decode_result(bytes, i, &mut limbs);
                *slot = make(limbs);
            }
        });
    Ok(())
}

/// JOB_PARAM words of an optional parameter.
fn param_of<C: MontConfig<4>>(g: Option<Scalar<C>>) -> [u32; PARAM_WORDS] {
    g.map_or([0; PARAM_WORDS], |g| wire::param_words(&g.0 .0))
}

/// The elementwise kernel over a field `F` a card may hold — what generic code (e.g.
/// [`crate::backend::BoardBackend`]) calls without naming the field's `MontConfig`. Results
/// replace `a`; on error `a` is unchanged.
pub trait ElementwiseEngine<F> {
    /// `a_i ← a_i · b_i`.
    fn mul_assign_vec(&self, a: &mut [F], b: &[F]) -> Result<JobReport>;
    /// `a_i ← a_i − b_i`.
    fn sub_assign_vec(&self, a: &mut [F], b: &[F]) -> Result<JobReport>;
}

impl<C: MontConfig<4>> ElementwiseEngine<Scalar<C>> for Device {
    fn mul_assign_vec(&self, a: &mut [Scalar<C>], b: &[Scalar<C>]) -> Result<JobReport> {
        self.elementwise_in_place(Opcode::Mul, a, Some(b), None)
    }
    fn sub_assign_vec(&self, a: &mut [Scalar<C>], b: &[Scalar<C>]) -> Result<JobReport> {
        self.elementwise_in_place(Opcode::Sub, a, Some(b), None)
    }
}

impl<C: MontConfig<4>> NttEngine<Scalar<C>> for Device {
    fn core_log_size(&self) -> u32 {
        self.capabilities().ntt_log_size
    }
    fn twiddle_log(&self) -> u32 {
        self.capabilities().ntt_twiddle_log
    }
    fn max_job(&self) -> usize {
        self.capabilities().max_count as usize
    }
    fn run(&self, data: &mut [Scalar<C>], job: &NttJob<Scalar<C>>) -> Result<EngineStats> {
        Ok(self.ntt_job(data, job)?.stats())
    }
    fn powmul(&self, data: &mut [Scalar<C>], g: Scalar<C>) -> Result<EngineStats> {
        let report = self.elementwise_in_place(Opcode::PowMul, data, None, Some(g))?;
        Ok(report.stats())
    }
    fn run_many(
        &self,
        data: &mut [Scalar<C>],
        jobs: &[(usize, NttJob<Scalar<C>>)],
    ) -> Result<EngineStats> {
        self.ntt_run(data, jobs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Fr, FrConfig};
    use ark_ff::{PrimeField, UniformRand};
    use rand::SeedableRng;
    use zkpipe_spec::wire::BEAT_BYTES;

    /// The parallel codec writes the beats a one-beat-at-a-time loop writes, with the
    /// stream's checksum, and reads them back — across chunk boundaries, odd and even
    /// counts, into a dirty buffer; a result not reduced is reported by its index.
    #[test]
    fn the_parallel_codec_matches_the_wire_format_and_finds_bad_results() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let limbs = |x: &Fr| x.0 .0;
        for n in [1usize, 2, 3, 2047, 2048, 2049, 4097] {
            let a: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            let b: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            for binary in [false, true] {
                let beats = wire::kernel_in_beats(binary, n);
                let mut expected = vec![0u8; beats * BEAT_BYTES];
                for (k, beat) in expected.chunks_exact_mut(BEAT_BYTES).enumerate() {
                    if binary {
                        wire::encode_operands(beat, &a[k].0 .0, Some(&b[k].0 .0));
                    } else {
                        let second = a.get(2 * k + 1).map(|x| &x.0 .0[..]);
                        wire::encode_pair(beat, &a[2 * k].0 .0, second);
                    }
                }
                let mut bytes = vec![0xA5u8; beats * BEAT_BYTES];
                let sum = encode_stream(&mut bytes, &a, binary.then_some(&b[..]), limbs);
                assert!(bytes == expected, "n = {n}, binary {binary}");
                assert_eq!(sum, wire::stream_checksum(&expected), "n = {n}");
            }
            // Results two per beat, as the card sends them.
            let mut stream = vec![0u8; wire::kernel_out_beats(n) * BEAT_BYTES];
            encode_stream(&mut stream, &a, None, limbs);
            let mut out = vec![Fr::ZERO; n];
            let make = |l| Fr::new_unchecked(BigInt(l));
            assert_eq!(first_unreduced(&stream, n, &FrConfig::MODULUS.0), None);
            assert_eq!(
                decode_stream(&stream, &mut out, &FrConfig::MODULUS.0, make),
                Ok(())
            );
            assert_eq!(out, a, "n = {n}");
            let bad = n / 2;
            wire::encode_pair(
                &mut stream[bad / 2 * BEAT_BYTES..],
                &Fr::MODULUS.0,
                Some(&Fr::MODULUS.0),
            );
            let first = bad & !1;
            assert_eq!(
                first_unreduced(&stream, n, &FrConfig::MODULUS.0),
                Some(first)
            );
            assert_eq!(
                decode_stream(&stream, &mut out, &FrConfig::MODULUS.0, make),
                Err(first),
                "n = {n}"
            );
        }
    }
}
