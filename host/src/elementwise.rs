//! The elementwise kernel as an engine over a [`Device`]'s card: mul, add, sub and
//! powmul on scalar-field vectors, and NTT jobs (the same stream format).
//!
//! Inputs are encoded straight from the caller's `&[Fp]` memory into the card's mapped
//! staging buffer, results decoded straight from it into the output (checked reduced): one
//! pass over each element each way.

use crate::card::Job;
use crate::device::Device;
use crate::driver::kernel::Counters;
use crate::error::{Error, Result};
use crate::ntt::{Direction, EngineStats, Factor, Layout, NttEngine, NttJob};
use ark_ff::fields::models::fp::{Fp, MontBackend, MontConfig};
use ark_ff::BigInt;
use std::time::Instant;
use zkpipe_spec::regs::{JobNtt, Opcode, PARAM_WORDS};
use zkpipe_spec::wire::{self, BEAT_BYTES};

/// A 4-limb ark-ff prime field element (BN254 Fr, BLS12-381 Fr).
pub type Scalar<C> = Fp<MontBackend<C, 4>, 4>;

/// Measurements of one job.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct JobReport {
    /// Elements.
    pub n: usize,
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
            jobs: 1,
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
        let n = a.len();
        if op == Opcode::Ntt || op.is_msm() {
            return Err(Error::Protocol {
                device: self.uri().to_string(),
                reason: format!(
                    "{} jobs go through Device::ntt_job / zkpipe::ntt::ntt or zkpipe::msm",
                    op.name()
                ),
            });
        }
        if let Some(b) = b {
            if b.len() != n {
                return Err(Error::LengthMismatch { a: n, b: b.len() });
            }
        } else if op.binary() {
            return Err(Error::Protocol {
                device: self.uri().to_string(),
                reason: format!("{} needs two operands", op.name()),
            });
        }
        let job = Job::Elementwise {
            op,
            n,
            param: param_of(g),
        };
        let mut out = Vec::with_capacity(n);
        let report = self.run_stream(
            &job,
            n,
            a.iter().map(|x| &x.0 .0),
            b.map(|b| b.iter().map(|x| &x.0 .0)),
            |_, x| out.push(x),
        )?;
        Ok((out, report))
    }

    /// Runs one NTT job (`data.len() / 2^job.log_n` NTTs back to back) in place; see
    /// [`crate::ntt`](mod@crate::ntt) for transforms of any size. On error `data` is unchanged.
    pub fn ntt_job<C: MontConfig<4>>(
        &self,
        data: &mut [Scalar<C>],
        job: &NttJob<Scalar<C>>,
    ) -> Result<JobReport> {
        let mut out = Vec::with_capacity(data.len());
        // NTTs of 2^log_n points back to back (a bad log_n is refused before any read).
        let len = 1usize.checked_shl(job.log_n).unwrap_or(0);
        let report =
            self.ntt_job_strided(data, Layout::contiguous(0, len), data.len(), job, |_, x| {
                out.push(x)
            })?;
        data.copy_from_slice(&out);
        Ok(report)
    }

    /// One NTT job over `count` elements of `src` at `input` (see [`Layout`]), its results
    /// handed to `put(t, r_t)` in stream order as they are decoded.
    fn ntt_job_strided<C: MontConfig<4>>(
        &self,
        src: &[Scalar<C>],
        input: Layout,
        count: usize,
        job: &NttJob<Scalar<C>>,
        put: impl FnMut(usize, Scalar<C>),
    ) -> Result<JobReport> {
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
        let wire_job = Job::Ntt {
            n: count,
            config,
            row,
            param: param_of(g),
        };
        let log_n = job.log_n;
        let a = (0..count).map(|t| &src[input.index(t, log_n)].0 .0);
        self.run_stream(&wire_job, count, a, None::<std::iter::Empty<_>>, put)
    }

    /// Checks the field and size, encodes the `n` operands `a` (and `b`) straight into the
    /// staging buffer, runs the job, and decodes the results (checked reduced) into
    /// `put(t, r_t)`.
    fn run_stream<'a, C: MontConfig<4>>(
        &self,
        job: &Job,
        n: usize,
        a: impl Iterator<Item = &'a [u64; 4]>,
        b: Option<impl Iterator<Item = &'a [u64; 4]>>,
        mut put: impl FnMut(usize, Scalar<C>),
    ) -> Result<JobReport> {
        let started = Instant::now();
        self.capabilities()
            .check_scalar_field(self.uri(), &C::MODULUS.0)?;
        if n == 0 {
            return Err(Error::Empty);
        }
        let max = self.capabilities().max_count as usize;
        if n > max {
            return Err(Error::TooLarge { n, max });
        }
        let codec = std::cell::Cell::new(0.0);
        let fill = |bytes: &mut [u8]| {
            let t = Instant::now();
            let sum = encode_stream(bytes, a, b);
            codec.set(t.elapsed().as_secs_f64());
            Some(sum)
        };
        let device = self.uri();
        let decode = |bytes: &[u8]| -> Result<()> {
            let t = Instant::now();
            let decoded = decode_stream(bytes, n, &C::MODULUS.0, |i, limbs| {
                put(i, Scalar::<C>::new_unchecked(BigInt(limbs)))
            });
            codec.set(codec.get() + t.elapsed().as_secs_f64());
            match decoded {
                Ok(()) => Ok(()),
                Err(i) => Err(Error::Protocol {
                    device: device.to_string(),
                    reason: format!(
                        "result {i} is not reduced below the modulus; the card is faulty"
                    ),
                }),
            }
        };
        let done = self.card().submit(job, n, fill, decode)?;
        let clock_mhz = self.capabilities().clock_mhz();
        Ok(JobReport {
            n,
            counters: done.counters,
            clock_mhz,
            projected_s: done.counters.busy_cycles as f64 / (clock_mhz * 1e6),
            host_s: started.elapsed().as_secs_f64(),
            sim_cycles: done.sim_cycles,
            codec_s: codec.get(),
        })
    }
}

/// Writes an elementwise or NTT job's input beats into `bytes` (a binary job's `a_i ‖ b_i`,
/// else `a_2i ‖ a_2i+1`) and returns the stream's checksum, folded in on the way.
pub(crate) fn encode_stream<'a>(
    bytes: &mut [u8],
    a: impl Iterator<Item = &'a [u64; 4]>,
    b: Option<impl Iterator<Item = &'a [u64; 4]>>,
) -> u32 {
    let mut sum = 0u32;
    let mut beats = bytes.chunks_exact_mut(BEAT_BYTES);
    match b {
        Some(b) => {
            for ((beat, a), b) in beats.by_ref().zip(a).zip(b) {
                wire::encode_operands(beat, a, Some(b));
                sum = wire::checksum_step(sum, beat);
            }
        }
        None => {
            let mut a = a;
            while let (Some(first), Some(beat)) = (a.next(), beats.next()) {
                wire::encode_pair(beat, first, a.next().map(|x| &x[..]));
                sum = wire::checksum_step(sum, beat);
            }
        }
    }
    sum
}

/// Reads `n` results from an elementwise or NTT output stream into `put(i, r_i)`, each
/// checked reduced below `modulus`; `Err(i)`: result i is not (a faulty card).
pub(crate) fn decode_stream(
    bytes: &[u8],
    n: usize,
    modulus: &[u64; 4],
    mut put: impl FnMut(usize, [u64; 4]),
) -> std::result::Result<(), usize> {
    for i in 0..n {
        let mut limbs = [0u64; 4];
        wire::decode_result(bytes, i, &mut limbs);
        if !wire::is_reduced(&limbs, modulus) {
            return Err(i);
        }
        put(i, limbs);
    }
    Ok(())
}

/// JOB_PARAM words of an optional parameter.
fn param_of<C: MontConfig<4>>(g: Option<Scalar<C>>) -> [u32; PARAM_WORDS] {
    g.map_or([0; PARAM_WORDS], |g| wire::param_words(&g.0 .0))
}

/// The elementwise kernel over a field `F` a card may hold — what generic code (e.g.
/// [`crate::backend::BoardBackend`]) calls without naming the field's `MontConfig`.
pub trait ElementwiseEngine<F> {
    /// `r_i = a_i · b_i`.
    fn mul_vec(&self, a: &[F], b: &[F]) -> Result<(Vec<F>, JobReport)>;
    /// `r_i = a_i − b_i`.
    fn sub_vec(&self, a: &[F], b: &[F]) -> Result<(Vec<F>, JobReport)>;
}

impl<C: MontConfig<4>> ElementwiseEngine<Scalar<C>> for Device {
    fn mul_vec(&self, a: &[Scalar<C>], b: &[Scalar<C>]) -> Result<(Vec<Scalar<C>>, JobReport)> {
        self.mul(a, b)
    }
    fn sub_vec(&self, a: &[Scalar<C>], b: &[Scalar<C>]) -> Result<(Vec<Scalar<C>>, JobReport)> {
        self.sub(a, b)
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
        let (out, report) = Device::powmul(self, data, g)?;
        data.copy_from_slice(&out);
        Ok(report.stats())
    }
    fn run_strided(
        &self,
        src: &[Scalar<C>],
        input: Layout,
        dst: &mut [Scalar<C>],
        output: Layout,
        count: usize,
        job: &NttJob<Scalar<C>>,
    ) -> Result<EngineStats> {
        let log_n = job.log_n;
        input.check(count, log_n, src.len())?;
        output.check(count, log_n, dst.len())?;
        let put = |t: usize, x| dst[output.index(t, log_n)] = x;
        Ok(self.ntt_job_strided(src, input, count, job, put)?.stats())
    }
}
