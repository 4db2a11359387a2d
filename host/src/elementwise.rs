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
use crate::ntt::{Direction, EngineStats, Factor, NttEngine, NttJob};
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
        }
    }
}

/// Where a job's operands come from and its results go.
struct Operands<'a, C: MontConfig<4>> {
    a: &'a [Scalar<C>],
    b: Option<&'a [Scalar<C>]>,
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
        let mut out = Vec::new();
        let report = self.run_stream(&job, Operands { a, b }, &mut out)?;
        Ok((out, report))
    }

    /// Runs one NTT job (`data.len() / 2^job.log_n` NTTs back to back) in place; see
    /// [`crate::ntt`](mod@crate::ntt) for transforms of any size. On error `data` is unchanged.
    pub fn ntt_job<C: MontConfig<4>>(
        &self,
        data: &mut [Scalar<C>],
        job: &NttJob<Scalar<C>>,
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
            n: data.len(),
            config,
            row,
            param: param_of(g),
        };
        let mut out = Vec::new();
        let report = self.run_stream(&wire_job, Operands { a: &*data, b: None }, &mut out)?;
        data.copy_from_slice(&out);
        Ok(report)
    }

    /// Checks the field and size, encodes `ops` straight into the staging buffer, runs the
    /// job, and decodes the results (checked reduced) into `out`.
    fn run_stream<C: MontConfig<4>>(
        &self,
        job: &Job,
        ops: Operands<'_, C>,
        out: &mut Vec<Scalar<C>>,
    ) -> Result<JobReport> {
        let started = Instant::now();
        self.capabilities()
            .check_scalar_field(self.uri(), &C::MODULUS.0)?;
        let n = ops.a.len();
        if n == 0 {
            return Err(Error::Empty);
        }
        let max = self.capabilities().max_count as usize;
        if n > max {
            return Err(Error::TooLarge { n, max });
        }
        let modulus = C::MODULUS.0;
        let fill = |bytes: &mut [u8]| {
            let mut sum = 0u32;
            let beats = bytes.chunks_exact_mut(BEAT_BYTES);
            match ops.b {
                // a_i ‖ b_i
                Some(b) => {
                    for ((beat, a), b) in beats.zip(ops.a).zip(b) {
                        wire::encode_operands(beat, &a.0 .0, Some(&b.0 .0));
                        sum = wire::checksum_step(sum, beat);
                    }
                }
                // a_2i ‖ a_2i+1
                None => {
                    for (beat, pair) in beats.zip(ops.a.chunks(wire::ELEMS_PER_BEAT)) {
                        wire::encode_pair(beat, &pair[0].0 .0, pair.get(1).map(|x| &x.0 .0[..]));
                        sum = wire::checksum_step(sum, beat);
                    }
                }
            }
            Some(sum)
        };
        let device = self.uri();
        let decode = |bytes: &[u8]| -> Result<Vec<Scalar<C>>> {
            let mut result = Vec::with_capacity(n);
            for i in 0..n {
                let mut limbs = [0u64; 4];
                wire::decode_result(bytes, i, &mut limbs);
                if !wire::is_reduced(&limbs, &modulus) {
                    return Err(Error::Protocol {
                        device: device.to_string(),
                        reason: format!(
                            "result {i} is not reduced below the modulus; the card is faulty"
                        ),
                    });
                }
                result.push(Scalar::<C>::new_unchecked(BigInt(limbs)));
            }
            Ok(result)
        };
        let done = self.card().submit(job, n, fill, decode)?;
        *out = done.output;
        let clock_mhz = self.capabilities().clock_mhz();
        Ok(JobReport {
            n,
            counters: done.counters,
            clock_mhz,
            projected_s: done.counters.busy_cycles as f64 / (clock_mhz * 1e6),
            host_s: started.elapsed().as_secs_f64(),
            sim_cycles: done.sim_cycles,
        })
    }
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
}
