//! `Device`: a board opened by URI, safe to share between threads (jobs serialise on an
//! internal lock), with the kernel's elementwise operations and NTT jobs on scalar-field
//! vectors.

use crate::driver::kernel::{self, Capabilities, Counters, JobInput, BEAT_BYTES, ELEM_BYTES};
use crate::error::{Error, Result};
use crate::ntt::{Direction, EngineStats, Factor, NttEngine, NttJob};
use crate::pcie::sim::SimFunction;
use crate::pcie::vfio::VfioFunction;
use crate::pcie::PcieFunction;
use ark_ff::fields::models::fp::{Fp, MontBackend, MontConfig};
use ark_ff::BigInt;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use zkpipe_hdl::field::FieldParams;
use zkpipe_hdl::preset::Curve;
use zkpipe_hdl::shell::board::curve_id;
use zkpipe_hdl::shell::regs::{self, Opcode};
use zkpipe_sim::board::Fault;

/// A 4-limb ark-ff prime field element (BN254 Fr, BLS12-381 Fr).
pub type Scalar<C> = Fp<MontBackend<C, 4>, 4>;

/// Measurements of one job.
#[derive(Clone, Debug, PartialEq)]
pub struct JobReport {
    pub n: usize,
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

/// An opened board.
pub struct Device {
    uri: String,
    caps: Capabilities,
    func: Mutex<Box<dyn PcieFunction>>,
    timeout: Mutex<Option<Duration>>,
    /// Which resident MSM bases card memory holds (see [`crate::msm`]).
    pub(crate) card_memory: Mutex<crate::msm::CardMemory>,
    /// Held for a whole MSM call, so loads and runs of two threads do not interleave in
    /// card memory.
    pub(crate) msm_serial: Mutex<()>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("uri", &self.uri)
            .field("caps", &self.caps)
            .finish()
    }
}

impl Device {
    /// Opens `sim:<preset>` or `vfio:<pci address>` and checks the card is a zkpipe board
    /// of a supported register-map version (and, for `sim:`, of that preset).
    pub fn open(uri: &str) -> Result<Device> {
        if let Some(preset) = uri.strip_prefix("sim:") {
            zkpipe_hdl::preset::Preset::by_name(preset)
                .map_err(|e| Error::Pcie(crate::pcie::PcieError::Unavailable(e.to_string())))?;
            let func = SimFunction::open(preset)?;
            Device::from_function(Box::new(func), Some(preset))
        } else if let Some(address) = uri.strip_prefix("vfio:") {
            let func = VfioFunction::open(address)?;
            Device::from_function(Box::new(func), None)
        } else {
            Err(Error::BadUri(uri.to_string()))
        }
    }

    /// Wraps an already opened function; `expected_preset` is checked against the card.
    pub fn from_function(
        mut func: Box<dyn PcieFunction>,
        expected_preset: Option<&str>,
    ) -> Result<Device> {
        let caps = kernel::identify(func.as_mut())?;
        // Completion raises the interrupt line: the simulator's wait returns at once, and a
        // card's driver can sleep on it. Status is still polled, so this is only a hint.
        func.write32(crate::pcie::BAR_CSR, regs::IRQ_ENABLE as u64, 1)?;
        if let Some(preset) = expected_preset {
            let expected = regs::preset_hash(preset);
            if caps.preset_hash != expected {
                return Err(Error::PresetMismatch {
                    device: func.describe(),
                    preset: preset.to_string(),
                    found: caps.preset_hash,
                    expected,
                });
            }
        }
        Ok(Device {
            uri: func.describe(),
            caps,
            func: Mutex::new(func),
            timeout: Mutex::new(None),
            card_memory: Mutex::default(),
            msm_serial: Mutex::default(),
        })
    }

    pub fn uri(&self) -> &str {
        &self.uri
    }

    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// Performance counters of the last job.
    pub fn counters(&self) -> Result<Counters> {
        kernel::counters(self.lock().as_mut())
    }

    /// Overrides how long a job may take before the device is declared hung.
    pub fn set_timeout(&self, timeout: Option<Duration>) {
        *self.timeout.lock().unwrap() = timeout;
    }

    /// Test hook: writes FAULT_INJECT (`regs::FAULT_MSM_*`), making the card's MSM unit drop
    /// the points it would defer or corrupt its adder results, so tests can show such
    /// hardware faults are caught. Zero restores normal operation.
    pub fn set_fault_inject(&self, bits: u32) -> Result<()> {
        Ok(self
            .lock()
            .write32(crate::pcie::BAR_CSR, regs::FAULT_INJECT as u64, bits)?)
    }

    /// Arms a fault for the next job (simulated devices only).
    pub fn inject_fault(&self, fault: Fault) -> Result<()> {
        Ok(self.lock().inject_fault(fault)?)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Box<dyn PcieFunction>> {
        // A panic while holding the lock cannot leave the device in a state the next job's
        // checks would not catch; keep going.
        self.func.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Checks that `C` is the card's scalar field.
    fn check_field<C: MontConfig<4>>(&self) -> Result<FieldParams> {
        let modulus = FieldParams::limbs_to_biguint(&C::MODULUS.0);
        let expected = Curve::ALL
            .into_iter()
            .find(|c| c.scalar_field().params().modulus == modulus)
            .map_or(0, curve_id);
        let params = self.caps.curve().map(|c| c.scalar_field().params());
        let Some(params) = params.filter(|p| p.modulus == modulus) else {
            return Err(Error::CurveMismatch {
                device: self.uri.clone(),
                found: self.caps.curve_id,
                expected,
            });
        };
        Ok(params)
    }

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
                device: self.uri.clone(),
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
                device: self.uri.clone(),
                reason: format!("{} needs two operands", op.name()),
            });
        }
        let wire = WireJob {
            opcode: op,
            a,
            b,
            param: g,
            ntt: (0, 0),
        };
        self.run_wire(&wire)
    }

    /// Runs one NTT job (`data.len() / 2^job.log_n` NTTs back to back) in place; see
    /// [`crate::ntt`] for transforms of any size. On error `data` is unchanged.
    pub fn ntt_job<C: MontConfig<4>>(
        &self,
        data: &mut [Scalar<C>],
        job: &NttJob<Scalar<C>>,
    ) -> Result<JobReport> {
        if self.caps.ntt_log_size == 0 {
            return Err(Error::Unsupported {
                device: self.uri.clone(),
                what: "the NTT engine",
            });
        }
        let mut cfg = job.log_n;
        if job.direction == Direction::Inverse {
            cfg |= regs::NTT_INVERSE;
        }
        let (param, row) = match job.factor {
            Factor::Plain => (None, 0),
            Factor::Coset(g) => {
                cfg |= regs::NTT_COSET;
                (Some(g), 0)
            }
            Factor::Twiddle { log_t, row0 } => {
                cfg |= regs::NTT_TWIDDLE | log_t << regs::NTT_LOG_T_SHIFT;
                (None, row0)
            }
        };
        let wire = WireJob {
            opcode: Opcode::Ntt,
            a: data,
            b: None,
            param,
            ntt: (cfg, row),
        };
        let (out, report) = self.run_wire(&wire)?;
        data.copy_from_slice(&out);
        Ok(report)
    }

    /// Runs a job already in wire form (the MSM module's loads and runs; `msm` = JOB_MSM_OFFSET
    /// and JOB_MSM_FLAGS): `work` sizes the
    /// default timeout, in element-equivalents. Returns the card-to-host bytes, the
    /// counters and the simulated cycles (if simulated).
    pub(crate) fn run_raw(
        &self,
        opcode: Opcode,
        n: usize,
        beats: &[u8],
        out_beats: usize,
        msm: (u32, u32),
        work: usize,
    ) -> Result<(Vec<u8>, Counters, Option<u64>)> {
        self.submit(work, |timeout| JobInput {
            opcode,
            n,
            beats,
            out_beats,
            msm_offset: msm.0,
            msm_flags: msm.1,
            param: [0; regs::PARAM_WORDS],
            ntt: (0, 0),
            timeout,
        })
    }

    /// Holds the function for one job: picks the timeout (the caller's, or the default for
    /// `work` element-equivalents), runs the job and measures the simulated cycles it took.
    fn submit<'a>(
        &self,
        work: usize,
        input: impl FnOnce(Duration) -> JobInput<'a>,
    ) -> Result<(Vec<u8>, Counters, Option<u64>)> {
        let mut func = self.lock();
        let timeout = self
            .timeout
            .lock()
            .unwrap()
            .unwrap_or_else(|| func.default_timeout(work));
        let cycles_before = func.device_cycles();
        let (out, counters) = kernel::run_job(func.as_mut(), &input(timeout))?;
        let sim_cycles = func.device_cycles().zip(cycles_before).map(|(a, b)| a - b);
        Ok((out, counters, sim_cycles))
    }

    /// Streams one job: beat i = a_i (Montgomery limbs) ‖ b_i, exactly ark-ff's memory
    /// layout; results are checked to be reduced.
    fn run_wire<C: MontConfig<4>>(
        &self,
        job: &WireJob<'_, C>,
    ) -> Result<(Vec<Scalar<C>>, JobReport)> {
        let started = Instant::now();
        let params = self.check_field::<C>()?;
        let n = job.a.len();
        if n == 0 {
            return Err(Error::Empty);
        }
        if n > self.caps.max_count as usize {
            return Err(Error::TooLarge {
                n,
                max: self.caps.max_count as usize,
            });
        }
        let mut beats = vec![0u8; n * BEAT_BYTES];
        for (i, x) in job.a.iter().enumerate() {
            write_limbs(&mut beats[i * BEAT_BYTES..], &x.0 .0);
            if let Some(b) = job.b {
                write_limbs(&mut beats[i * BEAT_BYTES + ELEM_BYTES..], &b[i].0 .0);
            }
        }
        let mut param = [0u32; regs::PARAM_WORDS];
        if let Some(g) = job.param {
            for (k, limb) in g.0 .0.iter().enumerate() {
                param[2 * k] = *limb as u32;
                param[2 * k + 1] = (*limb >> 32) as u32;
            }
        }
        let (out, counters, sim_cycles) = self.submit(n, |timeout| JobInput {
            opcode: job.opcode,
            n,
            beats: &beats,
            out_beats: n,
            msm_offset: 0,
            msm_flags: 0,
            param,
            ntt: job.ntt,
            timeout,
        })?;
        let modulus = BigInt::<4>(params.biguint_to_limbs(&params.modulus).try_into().unwrap());
        let mut result = Vec::with_capacity(n);
        for i in 0..n {
            let mut limbs = [0u64; 4];
            for (k, l) in limbs.iter_mut().enumerate() {
                let at = i * BEAT_BYTES + 8 * k;
                *l = u64::from_le_bytes(out[at..at + 8].try_into().unwrap());
            }
            let x = BigInt::<4>(limbs);
            if x >= modulus {
                return Err(Error::Protocol {
                    device: self.uri.clone(),
                    reason: format!(
                        "result {i} is not reduced below the modulus; the card is faulty"
                    ),
                });
            }
            result.push(Scalar::<C>::new_unchecked(x));
        }
        let clock_mhz = self.caps.clock_mhz();
        let report = JobReport {
            n,
            counters,
            clock_mhz,
            projected_s: counters.busy_cycles as f64 / (clock_mhz * 1e6),
            host_s: started.elapsed().as_secs_f64(),
            sim_cycles,
        };
        Ok((result, report))
    }
}

/// One job before it is put on the wire.
struct WireJob<'a, C: MontConfig<4>> {
    opcode: Opcode,
    a: &'a [Scalar<C>],
    b: Option<&'a [Scalar<C>]>,
    param: Option<Scalar<C>>,
    ntt: (u32, u32),
}

impl JobReport {
    /// This job as [`EngineStats`].
    pub fn stats(&self) -> EngineStats {
        EngineStats {
            jobs: 1,
            busy_cycles: self.counters.busy_cycles as u64,
            elements: self.counters.beats_in as u64,
            projected_s: self.projected_s,
            sim_cycles: self.sim_cycles,
        }
    }
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
        self.caps.ntt_log_size
    }
    fn twiddle_log(&self) -> u32 {
        self.caps.ntt_twiddle_log
    }
    fn max_job(&self) -> usize {
        self.caps.max_count as usize
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

fn write_limbs(out: &mut [u8], limbs: &[u64; 4]) {
    for (k, l) in limbs.iter().enumerate() {
        out[8 * k..8 * k + 8].copy_from_slice(&l.to_le_bytes());
    }
}
