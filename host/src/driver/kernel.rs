//! The kernel driver: identification, capabilities, counters and jobs over BAR0, with the
//! data moved by [`super::xdma`].

use super::xdma::{self, Direction};
use crate::error::{Error, Result};
use crate::pcie::{PcieFunction, BAR_CSR};
use std::time::{Duration, Instant};
use zkpipe_hdl::preset::Curve;
use zkpipe_hdl::shell::board::curve_id;
use zkpipe_hdl::shell::regs::{self, HwError, Opcode};
use zkpipe_sim::xdma::{STATUS_DESC_STOPPED, STATUS_ERRORS, WRITEBACK_MAGIC};

/// Bytes of one stream beat (512 bits).
pub const BEAT_BYTES: usize = 64;
/// Bytes of one scalar-field element on the wire (4 limbs).
pub const ELEM_BYTES: usize = 32;

/// What a board reports about itself (the CAPS_* registers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capabilities {
    pub version: u32,
    /// 1 = BN254, 2 = BLS12-381.
    pub curve_id: u32,
    pub scalar_limbs: u32,
    pub base_limbs: u32,
    pub beat_bits: u32,
    pub max_count: u32,
    pub preset_hash: u32,
    /// Name of the preset whose hash matches, if zkpipe knows it.
    pub preset: Option<&'static str>,
    pub opcodes: u32,
    pub latency: u32,
    pub clock_khz: u32,
    /// log2 of the NTT core size N (0: no NTT engine).
    pub ntt_log_size: u32,
    /// S: the card generates four-step twiddles for transforms up to 2^S points.
    pub ntt_twiddle_log: u32,
    pub ntt_cores: u32,
    /// MSM window size c in bits (0: no MSM engine).
    pub msm_window_bits: u32,
    /// MSM windows per scalar.
    pub msm_windows: u32,
    pub msm_adders: u32,
    /// Stream beats per base point of an msm_load job.
    pub msm_point_beats: u32,
    /// Card memory for resident bases, in points.
    pub msm_bases: u32,
}

impl Capabilities {
    pub fn clock_mhz(&self) -> f64 {
        self.clock_khz as f64 / 1000.0
    }
    /// The curve CAPS_CURVE names, if zkpipe knows it.
    pub fn curve(&self) -> Option<Curve> {
        Curve::ALL
            .into_iter()
            .find(|c| curve_id(*c) == self.curve_id)
    }
    pub fn curve_name(&self) -> &'static str {
        self.curve().map_or("unknown", Curve::name)
    }
    /// Card-to-host beats of one msm_run job: X, Y, Z of each bucket (digits 1 ..= 2^c − 1).
    pub fn msm_readout_beats(&self) -> usize {
        3 * self.msm_windows as usize * ((1usize << self.msm_window_bits) - 1)
    }
}

/// The kernel's performance counters of the last job.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub busy_cycles: u32,
    pub beats_in: u32,
    pub beats_out: u32,
    pub stall_cycles: u32,
    /// msm_run: point additions issued, points deferred, accumulation cycles.
    pub msm_adds: u32,
    pub msm_deferrals: u32,
    pub msm_accum_cycles: u32,
}

/// Reads and checks the identification registers.
pub fn identify(f: &mut dyn PcieFunction) -> Result<Capabilities> {
    let device = f.describe();
    let id = f.read32(BAR_CSR, regs::ID as u64)?;
    if id != regs::MAGIC {
        return Err(Error::NotZkpipe {
            device,
            found: id,
            expected: regs::MAGIC,
        });
    }
    let version = f.read32(BAR_CSR, regs::REG_VERSION as u64)?;
    if version >> 16 != regs::VERSION >> 16 {
        return Err(Error::VersionMismatch {
            device,
            found: version,
            expected: regs::VERSION,
        });
    }
    if !xdma::identify(f)? {
        return Err(Error::Protocol {
            device,
            reason: "BAR1 does not identify as an XDMA engine".into(),
        });
    }
    let mut r = |reg: u32| f.read32(BAR_CSR, reg as u64);
    let curve = r(regs::CAPS_CURVE)?;
    let preset_hash = r(regs::CAPS_PRESET_HASH)?;
    // CAPS_NTT arrived in register-map 1.1; older cards read the hole as zero (no engine).
    let ntt = r(regs::CAPS_NTT)?;
    // CAPS_MSM / CAPS_MSM_BASES arrived in 1.2; older cards read zero (no engine).
    let msm = if version & 0xFFFF >= 2 {
        r(regs::CAPS_MSM)?
    } else {
        0
    };
    let msm_bases = if msm != 0 {
        r(regs::CAPS_MSM_BASES)?
    } else {
        0
    };
    let field = |shift: u32| (msm >> shift) & 0xFF;
    Ok(Capabilities {
        version,
        curve_id: curve & 0xFF,
        scalar_limbs: (curve >> 8) & 0xFF,
        base_limbs: (curve >> 16) & 0xFF,
        beat_bits: r(regs::CAPS_BEAT_BITS)?,
        max_count: r(regs::CAPS_MAX_COUNT)?,
        preset_hash,
        preset: zkpipe_hdl::preset::PRESETS
            .iter()
            .find(|p| regs::preset_hash(p.name) == preset_hash)
            .map(|p| p.name),
        opcodes: r(regs::CAPS_OPCODES)?,
        latency: r(regs::CAPS_LATENCY)?,
        clock_khz: r(regs::CAPS_CLOCK_KHZ)?,
        ntt_log_size: ntt & 0xFF,
        ntt_twiddle_log: (ntt >> 8) & 0xFF,
        ntt_cores: (ntt >> 16) & 0xFF,
        msm_window_bits: field(regs::MSM_WINDOW_BITS_SHIFT),
        msm_windows: field(regs::MSM_WINDOWS_SHIFT),
        msm_adders: field(regs::MSM_ADDERS_SHIFT),
        msm_point_beats: field(regs::MSM_POINT_BEATS_SHIFT),
        msm_bases,
    })
}

/// Reads the performance counters.
pub fn counters(f: &mut dyn PcieFunction) -> Result<Counters> {
    let mut r = |reg: u32| f.read32(BAR_CSR, reg as u64);
    Ok(Counters {
        busy_cycles: r(regs::PERF_BUSY_CYCLES)?,
        beats_in: r(regs::PERF_BEATS_IN)?,
        beats_out: r(regs::PERF_BEATS_OUT)?,
        stall_cycles: r(regs::PERF_STALL_CYCLES)?,
        msm_adds: r(regs::PERF_MSM_ADDS)?,
        msm_deferrals: r(regs::PERF_MSM_DEFERRALS)?,
        msm_accum_cycles: r(regs::PERF_MSM_ACCUM_CYCLES)?,
    })
}

/// Aborts whatever runs: stops both DMA channels and soft-resets the kernel, then waits
/// (bounded) for it to go idle.
pub fn abort(f: &mut dyn PcieFunction) -> Result<()> {
    xdma::stop(f, Direction::HostToCard)?;
    xdma::stop(f, Direction::CardToHost)?;
    f.write32(BAR_CSR, regs::CONTROL as u64, regs::CONTROL_SOFT_RESET)?;
    for _ in 0..100 {
        if f.read32(BAR_CSR, regs::STATUS as u64)? & regs::STATUS_BUSY == 0 {
            return Ok(());
        }
        f.wait(Duration::from_millis(1))?;
    }
    Ok(())
}

/// One job's input, already in wire form.
pub struct JobInput<'a> {
    pub opcode: Opcode,
    /// JOB_COUNT (elements, or points for msm jobs).
    pub n: usize,
    /// The host-to-card stream, whole beats.
    pub beats: &'a [u8],
    /// Card-to-host beats the job produces.
    pub out_beats: usize,
    /// JOB_MSM_OFFSET and JOB_MSM_FLAGS (msm jobs).
    pub msm_offset: u32,
    pub msm_flags: u32,
    /// JOB_PARAM words.
    pub param: [u32; regs::PARAM_WORDS],
    /// JOB_NTT and JOB_NTT_ROW (ntt jobs; written as given for others).
    pub ntt: (u32, u32),
    pub timeout: Duration,
}

/// Runs one job to completion. On any failure the device is reset before returning.
pub fn run_job(f: &mut dyn PcieFunction, job: &JobInput) -> Result<(Vec<u8>, Counters)> {
    let result = run_job_inner(f, job);
    if result.is_err() {
        abort(f)?;
    }
    result
}

fn run_job_inner(f: &mut dyn PcieFunction, job: &JobInput) -> Result<(Vec<u8>, Counters)> {
    let device = f.describe();
    let in_bytes = job.beats.len();
    let bytes = job.out_beats * BEAT_BYTES;
    debug_assert!(in_bytes.is_multiple_of(BEAT_BYTES) && in_bytes > 0 && bytes > 0);
    let h2c = f.alloc_dma(in_bytes)?;
    let c2h = f.alloc_dma(bytes)?;
    let ring_in = xdma::ring_bytes(in_bytes);
    let ring = f.alloc_dma(ring_in + xdma::ring_bytes(bytes))?;
    h2c.write(0, job.beats);
    let h2c_chain = xdma::write_chain(Direction::HostToCard, &h2c, in_bytes, &ring, 0);
    let c2h_chain = xdma::write_chain(Direction::CardToHost, &c2h, bytes, &ring, ring_in);

    f.write32(BAR_CSR, regs::JOB_OPCODE as u64, job.opcode as u32)?;
    f.write32(BAR_CSR, regs::JOB_COUNT as u64, job.n as u32)?;
    if job.opcode == Opcode::Ntt {
        f.write32(BAR_CSR, regs::JOB_NTT as u64, job.ntt.0)?;
        f.write32(BAR_CSR, regs::JOB_NTT_ROW as u64, job.ntt.1)?;
    }
    if job.opcode.is_msm() {
        f.write32(BAR_CSR, regs::JOB_MSM_OFFSET as u64, job.msm_offset)?;
        f.write32(BAR_CSR, regs::JOB_MSM_FLAGS as u64, job.msm_flags)?;
    }
    for (k, w) in job.param.iter().enumerate() {
        f.write32(BAR_CSR, (regs::JOB_PARAM0 + 4 * k as u32) as u64, *w)?;
    }
    xdma::start(f, Direction::CardToHost, &c2h_chain)?;
    f.write32(BAR_CSR, regs::CONTROL as u64, regs::CONTROL_START)?;
    xdma::start(f, Direction::HostToCard, &h2c_chain)?;

    let started = Instant::now();
    loop {
        let status = f.read32(BAR_CSR, regs::STATUS as u64)?;
        let code = ((status & regs::STATUS_ERROR_MASK) >> regs::STATUS_ERROR_SHIFT) as u8;
        if code != 0 {
            return Err(match HwError::from_code(code) {
                Some(error) => Error::Hardware { device, error },
                None => Error::UnknownHardwareError { device, code },
            });
        }
        let (h2c_status, _) = xdma::status(f, Direction::HostToCard)?;
        let (c2h_status, completed) = xdma::status(f, Direction::CardToHost)?;
        for (dir, st) in [
            (Direction::HostToCard, h2c_status),
            (Direction::CardToHost, c2h_status),
        ] {
            if st & STATUS_ERRORS != 0 {
                return Err(Error::Dma {
                    device,
                    channel: dir.name(),
                    status: st,
                });
            }
        }
        if status & regs::STATUS_DONE != 0
            && completed == c2h_chain.descriptors
            && c2h_status & STATUS_DESC_STOPPED != 0
        {
            break;
        }
        if started.elapsed() > job.timeout {
            return Err(Error::Timeout {
                device,
                waited_ms: started.elapsed().as_millis(),
                status,
            });
        }
        f.wait(Duration::from_millis(2))?;
    }
    xdma::stop(f, Direction::HostToCard)?;
    xdma::stop(f, Direction::CardToHost)?;
    // The last writeback must say end-of-packet with all bytes received.
    let mut wb = [0u8; 8];
    let last_wb = *c2h_chain
        .writebacks
        .last()
        .expect("a chain has a descriptor");
    ring.read((last_wb - ring.iova()) as usize, &mut wb);
    let wb_status = u32::from_le_bytes(wb[..4].try_into().unwrap());
    let wb_len = u32::from_le_bytes(wb[4..].try_into().unwrap()) as usize;
    let expected_last = bytes - (c2h_chain.descriptors as usize - 1) * xdma::MAX_DESC_BYTES;
    if wb_status >> 16 != WRITEBACK_MAGIC || wb_status & 1 == 0 || wb_len != expected_last {
        return Err(Error::Protocol {
            device,
            reason: format!(
                "card-to-host stream ended wrongly (writeback {wb_status:#x}, {wb_len} of {expected_last} bytes)"
            ),
        });
    }
    let mut out = vec![0u8; bytes];
    c2h.read(0, &mut out);
    let counters = counters(f)?;
    Ok((out, counters))
}
