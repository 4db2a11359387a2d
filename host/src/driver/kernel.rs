//! The kernel driver: identification, capabilities, counters and jobs over BAR0, with the
//! data moved by [`super::xdma`].

use super::xdma::{self, Direction};
use crate::card::Staging;
use crate::error::{Error, Result};
use crate::pcie::{PcieFunction, BAR_CSR};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
use zkpipe_spec::preset::{Curve, Group, Preset};
use zkpipe_spec::regs::{
    self, CapsCurve, CapsMsm, CapsMsmReduce, CapsNtt, Control, HwError, Status, Version,
};
use zkpipe_spec::wire::stream_checksum;
use zkpipe_spec::xdma::{self as xdma_spec, Writeback, STATUS_DESC_STOPPED, STATUS_ERRORS};

pub use zkpipe_spec::wire::{BEAT_BYTES, ELEM_BYTES};

/// What a board reports about itself (the CAPS_* registers).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Capabilities {
    /// REG_VERSION (major << 16 | minor).
    pub version: u32,
    /// 1 = BN254, 2 = BLS12-381.
    pub curve_id: u32,
    /// 64-bit limbs of a scalar-field element.
    pub scalar_limbs: u32,
    /// 64-bit limbs of a base-field element.
    pub base_limbs: u32,
    /// Stream beat width in bits.
    pub beat_bits: u32,
    /// Largest element count of one job.
    pub max_count: u32,
    /// FNV-1a hash of the preset the bitstream was generated for.
    pub preset_hash: u32,
    /// Name of the preset whose hash matches, if zkpipe knows it.
    pub preset: Option<&'static str>,
    /// Bit i set: opcode i is implemented.
    pub opcodes: u32,
    /// Elementwise pipeline latency in cycles.
    pub latency: u32,
    /// Kernel clock the preset targets, in kHz.
    pub clock_khz: u32,
    /// log2 of the NTT core size N (0: no NTT engine).
    pub ntt_log_size: u32,
    /// S: the card generates four-step twiddles for transforms up to 2^S points.
    pub ntt_twiddle_log: u32,
    /// NTT cores.
    pub ntt_cores: u32,
    /// MSM window size c in bits (0: no MSM engine).
    pub msm_window_bits: u32,
    /// MSM windows per scalar.
    pub msm_windows: u32,
    /// MSM point adders.
    pub msm_adders: u32,
    /// Stream beats per base point of an msm_load job.
    pub msm_point_beats: u32,
    /// Card memory for resident bases, in points.
    pub msm_bases: u32,
    /// Bucket-reduction groups per window of the card's MSM unit (0: the host reduces).
    pub msm_reduce_groups: u32,
    /// Cycles between two additions of one of the MSM unit's adders (1: every cycle).
    pub msm_interval: u32,
    /// The G2 MSM engine (all zero: none, G2 MSMs run on the host).
    pub msm_g2: MsmEngineCaps,
    /// Card memory behind the board's AXI4 master port, in MiB (0: none; map 4.1 on).
    pub card_memory_mib: u32,
    /// Job queues (CAPS_QUEUES; 1 before map 4.2): jobs on different queues run at the
    /// same time ([`zkpipe_spec::regs::Opcode::queue`] says which queue takes a job).
    pub queues: u32,
    /// Jobs queue 0's kernel holds at once (CAPS_KERNEL_SLOTS; 1 before map 4.3): 2 = NTT
    /// jobs are appended to a run, each entering while the one before drains.
    pub kernel_slots: u32,
    /// Jobs of a run the kernel's NTT path holds at once (CAPS_KERNEL_SLOTS bits 15:8): a
    /// job enters once the job this many places before it has sent its last result.
    pub kernel_in_path: u32,
}

/// One MSM engine's geometry (CAPS_MSM or CAPS_MSM_G2 and the registers beside it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MsmEngineCaps {
    /// Window size c in bits (0: no such engine).
    pub window_bits: u32,
    /// Windows per scalar.
    pub windows: u32,
    /// Point adders.
    pub adders: u32,
    /// Stream beats per base point of a load job.
    pub point_beats: u32,
    /// Card memory for resident bases, in points.
    pub bases: u32,
    /// Bucket-reduction groups per window (0: the host reduces).
    pub reduce_groups: u32,
    /// Cycles between two additions of one adder (1: every cycle; more when the adder
    /// shares its multipliers between the products of one addition).
    pub interval: u32,
}

impl MsmEngineCaps {
    /// Whether the card has this engine.
    pub fn present(&self) -> bool {
        self.window_bits != 0 && self.bases != 0
    }
    /// Card-to-host beats of a run job's bucket readout.
    pub fn readout_beats(&self) -> usize {
        zkpipe_spec::wire::readout_beats(self.windows as usize, self.window_bits as usize)
    }
    /// Card-to-host beats of a run job that reduces on the card: X, Y, Z of S_g and T_g
    /// per window and group.
    pub fn reduced_readout_beats(&self) -> usize {
        zkpipe_spec::wire::BUCKET_BEATS * 2 * self.windows as usize * self.reduce_groups as usize
    }
}

impl Capabilities {
    /// Card memory in bytes (0: none).
    pub fn card_memory_bytes(&self) -> u64 {
        (self.card_memory_mib as u64) << 20
    }
    /// Kernel clock in MHz.
    pub fn clock_mhz(&self) -> f64 {
        self.clock_khz as f64 / 1000.0
    }
    /// The curve CAPS_CURVE names, if zkpipe knows it.
    pub fn curve(&self) -> Option<Curve> {
        Curve::from_id(self.curve_id)
    }
    /// The curve's name, or `unknown`.
    pub fn curve_name(&self) -> &'static str {
        self.curve().map_or("unknown", Curve::name)
    }
    /// Checks that the card computes over the scalar field with this modulus (little-endian
    /// u64 limbs), as every call on scalars must before anything is sent.
    pub fn check_scalar_field(&self, device: &str, modulus: &[u64]) -> Result<()> {
        let of = |c: Curve| c.scalar_field().modulus_limbs() == modulus;
        if self.curve().is_some_and(of) {
            return Ok(());
        }
        Err(Error::CurveMismatch {
            device: device.to_string(),
            found: self.curve_id,
            expected: Curve::ALL.into_iter().find(|c| of(*c)).map_or(0, Curve::id),
        })
    }
    /// The MSM engine of `group`.
    pub fn msm_engine(&self, group: Group) -> MsmEngineCaps {
        match group {
            Group::G1 => MsmEngineCaps {
                window_bits: self.msm_window_bits,
                windows: self.msm_windows,
                adders: self.msm_adders,
                point_beats: self.msm_point_beats,
                bases: self.msm_bases,
                reduce_groups: self.msm_reduce_groups,
                interval: self.msm_interval,
            },
            Group::G2 => self.msm_g2,
        }
    }
    /// Card-to-host beats of one msm_run job: X, Y, Z of each bucket (digits 1 ..= 2^c − 1).
    pub fn msm_readout_beats(&self) -> usize {
        self.msm_engine(Group::G1).readout_beats()
    }
    /// Card-to-host beats of an msm_run job that reduces on the card: X, Y, Z of S_g and
    /// T_g per window and group.
    pub fn msm_reduced_readout_beats(&self) -> usize {
        self.msm_engine(Group::G1).reduced_readout_beats()
    }
}

/// The kernel's performance counters of the last job.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Counters {
    /// Cycles the kernel was busy.
    pub busy_cycles: u32,
    /// Host-to-card beats accepted.
    pub beats_in: u32,
    /// Card-to-host beats sent.
    pub beats_out: u32,
    /// Busy cycles in which the pipeline held.
    pub stall_cycles: u32,
    /// msm_run: point additions issued, points deferred, accumulation cycles.
    pub msm_adds: u32,
    /// msm_run: points deferred to the FIFO.
    pub msm_deferrals: u32,
    /// msm_run: cycles of the accumulation phase.
    pub msm_accum_cycles: u32,
    /// msm_run: additions issued to the least busy adder.
    pub msm_adds_min: u32,
    /// msm_run with reduce: cycles of the bucket reduction on the card.
    pub msm_reduce_cycles: u32,
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
    if Version::decode(version).major != Version::decode(regs::VERSION).major {
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
    capabilities(version, &mut |reg| Ok(f.read32(BAR_CSR, reg as u64)?))
}

/// Decodes the CAPS_* registers of a board whose REG_VERSION is `version`, read through
/// `r` (a card's BAR, or a model's register table).
pub fn capabilities(version: u32, r: &mut dyn FnMut(u32) -> Result<u32>) -> Result<Capabilities> {
    let curve = r(regs::CAPS_CURVE)?;
    let preset_hash = r(regs::CAPS_PRESET_HASH)?;
    let ntt = r(regs::CAPS_NTT)?;
    let msm = r(regs::CAPS_MSM)?;
    let (msm_bases, msm_reduce) = if msm != 0 {
        (
            r(regs::CAPS_MSM_BASES)?,
            CapsMsmReduce::decode(r(regs::CAPS_MSM_REDUCE)?),
        )
    } else {
        (0, CapsMsmReduce::default())
    };
    // Every board of the driver's major version has the G2 registers (map 2.3 on).
    let g2 = r(regs::CAPS_MSM_G2)?;
    let msm_g2 = if g2 != 0 {
        let caps = CapsMsm::decode(g2);
        let reduce = CapsMsmReduce::decode(r(regs::CAPS_MSM_G2_REDUCE)?);
        MsmEngineCaps {
            window_bits: caps.window_bits,
            windows: caps.windows,
            adders: caps.adders,
            point_beats: caps.point_beats,
            bases: r(regs::CAPS_MSM_G2_BASES)?,
            reduce_groups: reduce.groups,
            interval: reduce.interval(),
        }
    } else {
        MsmEngineCaps::default()
    };
    let kernel = if Version::decode(version).minor >= 3 {
        regs::CapsKernel::decode(r(regs::CAPS_KERNEL_SLOTS)?)
    } else {
        regs::CapsKernel::default()
    };
    let (curve, ntt, msm) = (
        CapsCurve::decode(curve),
        CapsNtt::decode(ntt),
        CapsMsm::decode(msm),
    );
    Ok(Capabilities {
        version,
        curve_id: curve.curve_id,
        scalar_limbs: curve.scalar_limbs,
        base_limbs: curve.base_limbs,
        beat_bits: r(regs::CAPS_BEAT_BITS)?,
        max_count: r(regs::CAPS_MAX_COUNT)?,
        preset_hash,
        preset: Preset::by_hash(preset_hash).map(|p| p.name),
        opcodes: r(regs::CAPS_OPCODES)?,
        latency: r(regs::CAPS_LATENCY)?,
        clock_khz: r(regs::CAPS_CLOCK_KHZ)?,
        ntt_log_size: ntt.log_size,
        ntt_twiddle_log: ntt.twiddle_log,
        ntt_cores: ntt.cores,
        msm_window_bits: msm.window_bits,
        msm_windows: msm.windows,
        msm_adders: msm.adders,
        msm_point_beats: msm.point_beats,
        msm_bases,
        msm_reduce_groups: msm_reduce.groups,
        msm_interval: msm_reduce.interval(),
        msm_g2,
        card_memory_mib: if Version::decode(version).minor >= 1 {
            r(regs::CAPS_CARD_MEMORY)?
        } else {
            0
        },
        queues: if Version::decode(version).minor >= 2 {
            r(regs::CAPS_QUEUES)?.clamp(1, xdma_spec::CHANNELS as u32)
        } else {
            1
        },
        kernel_slots: kernel.slots.max(1),
        kernel_in_path: if kernel.in_path == 0 {
            2
        } else {
            kernel.in_path
        },
    })
}

/// How long a job's poll loop sleeps between two polls of a card whose wait is a sleep
/// ([`PcieFunction::wait_is_sleep`]), without the function's lock.
const POLL_SLEEP: Duration = Duration::from_micros(50);

/// A card's PCIe function shared by its job queues: every access takes the lock for
/// itself only, so a job waiting on one queue does not hold up another queue's.
pub type SharedFunction = Mutex<Box<dyn PcieFunction>>;

/// Locks the shared function (a panic while holding it cannot leave the card in a state
/// the next job's checks would not catch).
pub fn lock(f: &SharedFunction) -> MutexGuard<'_, Box<dyn PcieFunction>> {
    f.lock().unwrap_or_else(|e| e.into_inner())
}

/// Reads queue 0's performance counters.
pub fn counters(f: &mut dyn PcieFunction) -> Result<Counters> {
    counters_of(f, 0)
}

/// Reads queue `queue`'s performance counters (its last job's).
pub fn counters_of(f: &mut dyn PcieFunction, queue: u32) -> Result<Counters> {
    let mut r = |reg: u32| f.read32(BAR_CSR, regs::queue_register(queue, reg) as u64);
    Ok(Counters {
        busy_cycles: r(regs::PERF_BUSY_CYCLES)?,
        beats_in: r(regs::PERF_BEATS_IN)?,
        beats_out: r(regs::PERF_BEATS_OUT)?,
        stall_cycles: r(regs::PERF_STALL_CYCLES)?,
        msm_adds: r(regs::PERF_MSM_ADDS)?,
        msm_deferrals: r(regs::PERF_MSM_DEFERRALS)?,
        msm_accum_cycles: r(regs::PERF_MSM_ACCUM_CYCLES)?,
        msm_adds_min: r(regs::PERF_MSM_ADDS_MIN)?,
        msm_reduce_cycles: r(regs::PERF_MSM_REDUCE_CYCLES)?,
    })
}

/// Aborts whatever runs on queue 0 — the whole board: its soft reset resets every engine.
pub fn abort(f: &mut dyn PcieFunction) -> Result<()> {
    abort_queue(f, 0)
}

/// Aborts what runs on `queue`: stops its DMA channels and soft-resets it, then waits
/// (bounded) for it to go idle. Queue 0's soft reset resets the whole board; another
/// queue's, only that queue's engine.
pub fn abort_queue(f: &mut dyn PcieFunction, queue: u32) -> Result<()> {
    xdma::stop_channel(f, Direction::HostToCard, queue)?;
    xdma::stop_channel(f, Direction::CardToHost, queue)?;
    let reset = Control {
        start: false,
        soft_reset: true,
        append: false,
    };
    let reg = |r: u32| regs::queue_register(queue, r) as u64;
    f.write32(BAR_CSR, reg(regs::CONTROL), reset.encode())?;
    for _ in 0..100 {
        if !Status::decode(f.read32(BAR_CSR, reg(regs::STATUS))?).busy {
            return Ok(());
        }
        f.wait(Duration::from_millis(1))?;
    }
    Ok(())
}

/// One job as the kernel driver runs it: its register writes and stream sizes. The
/// host-to-card data is already in the staging buffer.
pub struct JobInput {
    /// The job queue (its register bank and XDMA channel).
    pub queue: u32,
    /// JOB_* register writes (offset in the queue's bank, value), in order
    /// ([`crate::card::Job::registers`]).
    pub registers: Vec<(u32, u32)>,
    /// Host-to-card bytes (whole beats).
    pub in_bytes: usize,
    /// Card-to-host bytes the job produces (whole beats).
    pub out_bytes: usize,
    /// How long the job may take.
    pub timeout: Duration,
    /// The host-to-card stream's checksum, if the encoder computed it on the way (with
    /// appended jobs: over the whole run's input).
    pub h2c_sum: Option<u32>,
    /// Jobs appended behind this one, in order (CONTROL.append: queue 0's kernel, boards
    /// with CAPS_KERNEL_SLOTS = 2): their input follows this job's in the host-to-card
    /// staging buffer and their results follow its results, one stream packet each.
    pub appended: Vec<Appended>,
}

/// A job appended to a run (register map 4.3): its JOB_* register writes and its stream
/// sizes (whole beats, both through the host).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    /// JOB_* register writes (offset, value), in order.
    pub registers: Vec<(u32, u32)>,
    /// Host-to-card bytes.
    pub in_bytes: usize,
    /// Card-to-host bytes.
    pub out_bytes: usize,
}

impl JobInput {
    /// Every job's host-to-card packet, this one's first.
    pub fn in_packets(&self) -> Vec<usize> {
        std::iter::once(self.in_bytes)
            .chain(self.appended.iter().map(|a| a.in_bytes))
            .collect()
    }
    /// Every job's card-to-host packet, this one's first.
    pub fn out_packets(&self) -> Vec<usize> {
        std::iter::once(self.out_bytes)
            .chain(self.appended.iter().map(|a| a.out_bytes))
            .collect()
    }
}

/// Runs one job to completion over its queue's staging buffers; the results are left in
/// `staging.c2h`. Each register access locks the function for itself, so jobs on other
/// queues run meanwhile. On any failure the job's queue is reset before returning.
pub fn run_job(f: &SharedFunction, job: &JobInput, staging: &Staging) -> Result<Counters> {
    let result = run_job_inner(f, job, staging);
    if result.is_err() {
        abort_queue(lock(f).as_mut(), job.queue)?;
    }
    result
}

fn run_job_inner(func: &SharedFunction, job: &JobInput, staging: &Staging) -> Result<Counters> {
    let device = lock(func).describe();
    let queue = job.queue;
    let reg = |r: u32| regs::queue_register(queue, r) as u64;
    let (in_packets, out_packets) = (job.in_packets(), job.out_packets());
    let (in_bytes, bytes): (usize, usize) = (in_packets.iter().sum(), out_packets.iter().sum());
    debug_assert!(in_bytes.is_multiple_of(BEAT_BYTES) && bytes.is_multiple_of(BEAT_BYTES));
    let jobs = in_packets.len();
    if jobs > 1 && (queue != 0 || in_packets.contains(&0) || out_packets.contains(&0)) {
        return Err(Error::Protocol {
            device,
            reason: "only host-stream jobs on queue 0 are appended to a run".into(),
        });
    }
    // A side of zero bytes is in card memory (JOB_MEM): no DMA that way.
    let (h2c_on, c2h_on) = (in_bytes > 0, bytes > 0);
    let Staging { h2c, c2h, ring } = staging;
    let ring_in = xdma::ring_bytes_packets(&in_packets);
    let h2c_chain =
        h2c_on.then(|| xdma::write_packets(Direction::HostToCard, h2c, &in_packets, ring, 0));
    let c2h_chain = c2h_on
        .then(|| xdma::write_packets(Direction::CardToHost, c2h, &out_packets, ring, ring_in));
    let start = |append: bool| Control {
        start: true,
        soft_reset: false,
        append,
    };

    {
        let mut f = lock(func);
        for (r, value) in &job.registers {
            f.write32(BAR_CSR, reg(*r), *value)?;
        }
        if let Some(chain) = &c2h_chain {
            xdma::start_channel(f.as_mut(), Direction::CardToHost, queue, chain)?;
        }
        f.write32(BAR_CSR, reg(regs::CONTROL), start(false).encode())?;
        if let Some(chain) = &h2c_chain {
            xdma::start_channel(f.as_mut(), Direction::HostToCard, queue, chain)?;
        }
    }

    let started = Instant::now();
    // Jobs started so far; the next is appended as soon as the waiting slot is free.
    let mut issued = 1;
    loop {
        let mut f = lock(func);
        let status = Status::decode(f.read32(BAR_CSR, reg(regs::STATUS))?);
        let code = status.error as u8;
        if code != 0 {
            return Err(match HwError::from_code(code) {
                Some(error) => Error::Hardware { device, error },
                None => Error::UnknownHardwareError { device, code },
            });
        }
        if issued < jobs && !status.waiting {
            let next = &job.appended[issued - 1];
            for (r, value) in &next.registers {
                f.write32(BAR_CSR, reg(*r), *value)?;
            }
            f.write32(BAR_CSR, reg(regs::CONTROL), start(true).encode())?;
            issued += 1;
            continue;
        }
        let mut c2h_finished = true;
        for (dir, on) in [
            (Direction::HostToCard, h2c_on),
            (Direction::CardToHost, c2h_on),
        ] {
            if !on {
                continue;
            }
            let (st, completed) = xdma::status_channel(f.as_mut(), dir, queue)?;
            if st & STATUS_ERRORS != 0 {
                return Err(Error::Dma {
                    device,
                    channel: dir.name(),
                    status: st,
                });
            }
            if let (Direction::CardToHost, Some(chain)) = (dir, &c2h_chain) {
                c2h_finished = completed == chain.descriptors && st & STATUS_DESC_STOPPED != 0;
            }
        }
        // A run is over when its every job is: the count, not the done bit, which a job
        // appended to a drained run clears again.
        let all_done = jobs == 1 || status.jobs_done as usize == jobs % (1 << 16);
        if issued == jobs && all_done && status.done && !status.busy && c2h_finished {
            break;
        }
        if started.elapsed() > job.timeout {
            return Err(Error::Timeout {
                device,
                waited_ms: started.elapsed().as_millis(),
                status: status.encode(),
            });
        }
        // A card sleeps without the lock, so another queue's accesses go through
        // meanwhile; the simulator's wait runs its clock and needs it.
        if f.wait_is_sleep() {
            drop(f);
            std::thread::sleep(POLL_SLEEP);
            continue;
        }
        f.wait(Duration::from_millis(2))?;
        // Let a job on another queue take the function between two polls: a mutex is
        // not fair, and this loop would otherwise re-lock it at once and starve that
        // queue (on the simulator, which advances the board only under the lock, the
        // two queues' jobs would then run one after the other).
        drop(f);
        std::thread::sleep(Duration::from_micros(20));
    }
    let mut f = lock(func);
    if h2c_on {
        xdma::stop_channel(f.as_mut(), Direction::HostToCard, queue)?;
    }
    if let Some(c2h_chain) = &c2h_chain {
        xdma::stop_channel(f.as_mut(), Direction::CardToHost, queue)?;
        // Each job's last writeback must say end-of-packet with all its bytes received.
        for &(index, expected) in &c2h_chain.packet_ends {
            let mut wb = [0u8; 8];
            ring.read(
                (c2h_chain.writebacks[index] - ring.iova()) as usize,
                &mut wb,
            );
            let record = Writeback::from_bytes(&wb);
            if !record.is_some_and(|r| r.eop && r.length as usize == expected) {
                return Err(Error::Protocol {
                    device,
                    reason: format!(
                        "card-to-host stream ended wrongly (writeback {record:?}, expected end of packet after {expected} bytes)"
                    ),
                });
            }
        }
    }
    // Every board of the driver's major version keeps the stream checksums (register
    // map 2.5 on), over a whole run (map 4.3); a stream that did not run (card memory)
    // sums to 0.
    check_streams(
        f.as_mut(),
        &device,
        queue,
        [(h2c, in_bytes, job.h2c_sum), (c2h, bytes, None)],
    )?;
    counters_of(f.as_mut(), queue)
}

/// Compares the card's checksum of each stream with the host's over the same bytes: a
/// beat corrupted on the way in (the card computed on wrong data) or out (the result
/// changed after the card) fails the job instead of becoming a wrong result.
fn check_streams(
    f: &mut dyn PcieFunction,
    device: &str,
    queue: u32,
    streams: [(&crate::pcie::DmaBuffer, usize, Option<u32>); 2],
) -> Result<()> {
    let [h2c, c2h] = streams;
    for (direction, register, (buffer, len, known)) in [
        (Direction::HostToCard, regs::PERF_H2C_SUM, h2c),
        (Direction::CardToHost, regs::PERF_C2H_SUM, c2h),
    ] {
        let card = f.read32(BAR_CSR, regs::queue_register(queue, register) as u64)?;
        let host = known.unwrap_or_else(|| buffer.with_bytes(len, |b| stream_checksum(b)));
        if card != host {
            return Err(Error::StreamCorrupted {
                device: device.to_string(),
                direction: direction.name(),
                card,
                host,
            });
        }
    }
    Ok(())
}
