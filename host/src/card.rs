//! `Card`: one opened board — its PCIe function behind a lock, its identity and
//! capabilities, job timeouts, and the DMA staging buffers every job reuses.
//!
//! Staging memory (host-to-card data, card-to-host data, descriptor ring) is mapped for
//! the device when the first job needs it and kept: later jobs reuse it, and only a job
//! larger than every job before re-maps (the buffers grow to the next power of two). On
//! VFIO each mapping is a syscall and an IOMMU entry, so a card maps three buffers in its
//! life for jobs of one size, not three per job.
//!
//! The engines encode their input straight into the mapped host-to-card buffer and decode
//! results straight out of the card-to-host buffer ([`Card::submit`]): the host touches
//! each element once on the way in and once on the way out.

use crate::driver::kernel::{self, Capabilities, Counters};
use crate::driver::xdma;
use crate::error::{Error, Result};
use crate::pcie::{DmaBuffer, PcieFunction, BAR_CSR};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use zkpipe_spec::preset::Group;
use zkpipe_spec::regs::{self, FaultInject, JobMem, JobMsmFlags, JobNtt, Opcode, PARAM_WORDS};
use zkpipe_spec::wire::BEAT_BYTES;

/// One job as the card runs it: what the JOB_* registers say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    /// mul, add, sub or powmul over `n` elements; `param`: powmul's g (JOB_PARAM words).
    Elementwise {
        /// The operation.
        op: Opcode,
        /// Elements.
        n: usize,
        /// JOB_PARAM words.
        param: [u32; PARAM_WORDS],
    },
    /// `n` elements: `n / 2^config.log_n` NTTs back to back.
    Ntt {
        /// Elements.
        n: usize,
        /// JOB_NTT.
        config: JobNtt,
        /// JOB_NTT_ROW (twiddle jobs).
        row: u32,
        /// JOB_PARAM words (coset jobs: g).
        param: [u32; PARAM_WORDS],
    },
    /// Store `points` base points in card memory from `offset` on.
    MsmLoad {
        /// The engine: G1 (msm_load) or G2 (msm_g2_load).
        group: Group,
        /// Points.
        points: usize,
        /// First index in card memory.
        offset: u32,
    },
    /// Accumulate `points` scalars over the resident bases from `offset` on.
    MsmRun {
        /// The engine: G1 (msm_run) or G2 (msm_g2_run).
        group: Group,
        /// Points (scalars).
        points: usize,
        /// First base in card memory.
        offset: u32,
        /// Keep / hold the buckets.
        flags: JobMsmFlags,
    },
    /// Copy `beats` beats from the job's source to its destination ([`Route`]).
    Copy {
        /// Beats.
        beats: usize,
    },
}

/// Where a job's input comes from and its output goes: the host streams (DMA through the
/// staging buffers) or card memory at a byte address (JOB_MEM). The beats are the same
/// either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Route {
    /// Card-memory address of the input (None: the host-to-card stream).
    pub src: Option<u64>,
    /// Card-memory address of the output (None: the card-to-host stream).
    pub dst: Option<u64>,
    /// log2 of the rows of the source matrix read transposed (column by column), if so.
    pub src_transpose: Option<u32>,
    /// log2 of the rows of the destination matrix written transposed (the output's
    /// sequences of that many elements become its columns), if so.
    pub dst_transpose: Option<u32>,
    /// The second row of a two-row transposed source, if not right after the first: two
    /// vectors zipped, a binary job's a (at `src`) and b (here).
    pub src_second: Option<u64>,
}

impl Route {
    /// Both streams through the host.
    pub const HOST: Route = Route {
        src: None,
        dst: None,
        src_transpose: None,
        dst_transpose: None,
        src_second: None,
    };
    /// A binary job's operands from two vectors in card memory, `a` and `b` (read as a
    /// two-row matrix transposed: a_i ‖ b_i), its output to `dst`.
    pub fn zip(a: u64, b: u64, dst: Option<u64>) -> Route {
        Route {
            src: Some(a),
            dst,
            src_transpose: Some(1),
            src_second: Some(b),
            ..Route::HOST
        }
    }
    /// A job reading and writing the same place of card memory (its port reads each beat
    /// before the job's output of it exists).
    pub fn in_place(at: u64) -> Route {
        Route {
            src: Some(at),
            dst: Some(at),
            ..Route::HOST
        }
    }
    /// This route with its card-memory sides read / written transposed.
    pub fn transposed(self, src_log_rows: Option<u32>, dst_log_rows: Option<u32>) -> Route {
        Route {
            src_transpose: src_log_rows,
            dst_transpose: dst_log_rows,
            ..self
        }
    }
    /// JOB_MEM and the address and beat registers of a job with `in_beats` / `out_beats`.
    pub fn registers(&self, in_beats: usize, out_beats: usize) -> Vec<(u32, u32)> {
        let mem = JobMem {
            src_card: self.src.is_some(),
            dst_card: self.dst.is_some(),
            src_transpose: self.src_transpose.is_some(),
            dst_transpose: self.dst_transpose.is_some(),
            src_log_rows: self.src_transpose.unwrap_or(0),
            dst_log_rows: self.dst_transpose.unwrap_or(0),
        };
        let mut w = vec![(regs::JOB_MEM, mem.encode())];
        if let Some(src) = self.src {
            let stride = self.src_second.map_or(0, |b| b.wrapping_sub(src));
            w.push((regs::JOB_SRC_ADDR_LO, src as u32));
            w.push((regs::JOB_SRC_ADDR_HI, (src >> 32) as u32));
            w.push((regs::JOB_SRC_BEATS, in_beats as u32));
            w.push((regs::JOB_SRC_STRIDE_LO, stride as u32));
            w.push((regs::JOB_SRC_STRIDE_HI, (stride >> 32) as u32));
        }
        if let Some(dst) = self.dst {
            w.push((regs::JOB_DST_ADDR_LO, dst as u32));
            w.push((regs::JOB_DST_ADDR_HI, (dst >> 32) as u32));
            w.push((regs::JOB_DST_BEATS, out_beats as u32));
        }
        w
    }
}

impl Job {
    /// JOB_OPCODE.
    pub fn opcode(&self) -> Opcode {
        match self {
            Job::Elementwise { op, .. } => *op,
            Job::Ntt { .. } => Opcode::Ntt,
            Job::MsmLoad { group, .. } => Opcode::msm_ops(*group).0,
            Job::MsmRun { group, .. } => Opcode::msm_ops(*group).1,
            Job::Copy { .. } => Opcode::Copy,
        }
    }

    /// JOB_COUNT: elements, or points.
    pub fn count(&self) -> usize {
        match *self {
            Job::Elementwise { n, .. } | Job::Ntt { n, .. } => n,
            Job::MsmLoad { points, .. } | Job::MsmRun { points, .. } => points,
            Job::Copy { beats } => beats,
        }
    }

    /// Host-to-card beats of the job on a card with `caps`.
    pub fn in_beats(&self, caps: &Capabilities) -> usize {
        match self {
            Job::MsmLoad { points, group, .. } => {
                points * caps.msm_engine(*group).point_beats as usize
            }
            Job::MsmRun { points, .. } => zkpipe_spec::wire::scalar_beats(*points),
            Job::Elementwise { op, n, .. } => zkpipe_spec::wire::kernel_in_beats(op.binary(), *n),
            Job::Ntt { n, .. } => zkpipe_spec::wire::kernel_in_beats(false, *n),
            Job::Copy { beats } => *beats,
        }
    }

    /// Card-to-host beats of the job on a card with `caps`.
    pub fn out_beats(&self, caps: &Capabilities) -> usize {
        match self {
            Job::Elementwise { n, .. } | Job::Ntt { n, .. } => {
                zkpipe_spec::wire::kernel_out_beats(*n)
            }
            Job::MsmLoad { .. } => 1,
            Job::Copy { beats } => *beats,
            Job::MsmRun { flags, .. } if flags.hold => 1,
            Job::MsmRun { flags, group, .. } if flags.reduce => {
                caps.msm_engine(*group).reduced_readout_beats()
            }
            Job::MsmRun { group, .. } => caps.msm_engine(*group).readout_beats(),
        }
    }

    /// The JOB_* register writes that describe the job, in order.
    pub fn registers(&self) -> Vec<(u32, u32)> {
        let mut w = vec![
            (regs::JOB_OPCODE, self.opcode() as u32),
            (regs::JOB_COUNT, self.count() as u32),
        ];
        let param = match *self {
            Job::Elementwise { param, .. } => Some(param),
            Job::Ntt {
                config, row, param, ..
            } => {
                w.push((regs::JOB_NTT, config.encode()));
                w.push((regs::JOB_NTT_ROW, row));
                Some(param)
            }
            Job::MsmLoad { offset, .. } => {
                w.push((regs::JOB_MSM_OFFSET, offset));
                w.push((regs::JOB_MSM_FLAGS, 0));
                None
            }
            Job::MsmRun { offset, flags, .. } => {
                w.push((regs::JOB_MSM_OFFSET, offset));
                w.push((regs::JOB_MSM_FLAGS, flags.encode()));
                None
            }
            Job::Copy { .. } => None,
        };
        let param = param.unwrap_or([0; PARAM_WORDS]);
        for (k, word) in param.iter().enumerate() {
            w.push((regs::JOB_PARAM0 + 4 * k as u32, *word));
        }
        w
    }
}

/// What a finished job gives back besides its decoded output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Completed<R> {
    /// What the caller's decoder returned.
    pub output: R,
    /// The kernel's performance counters of the job.
    pub counters: Counters,
    /// Clock cycles the simulator ran for the job (BAR accesses and DMA included).
    pub sim_cycles: Option<u64>,
}

/// DMA memory the jobs share, mapped once and grown only when a job needs more.
pub struct Staging {
    /// Host-to-card data.
    pub h2c: DmaBuffer,
    /// Card-to-host data.
    pub c2h: DmaBuffer,
    /// Descriptor chains of both directions and the C2H writeback records.
    pub ring: DmaBuffer,
}

impl Staging {
    /// Maps buffers for `in_bytes` host-to-card and `out_bytes` card-to-host bytes
    /// (rounded up to powers of two so growing jobs re-map rarely).
    fn map(
        f: &mut dyn PcieFunction,
        in_bytes: usize,
        out_bytes: usize,
        ring: usize,
    ) -> Result<Staging> {
        let in_bytes = in_bytes.next_power_of_two().max(BEAT_BYTES);
        let out_bytes = out_bytes.next_power_of_two().max(BEAT_BYTES);
        let ring = ring.max(xdma::ring_bytes(in_bytes) + xdma::ring_bytes(out_bytes));
        Ok(Staging {
            h2c: f.alloc_dma(in_bytes)?,
            c2h: f.alloc_dma(out_bytes)?,
            ring: f.alloc_dma(ring)?,
        })
    }

    fn fits(&self, in_bytes: usize, out_bytes: usize, ring: usize) -> bool {
        self.h2c.len() >= in_bytes && self.c2h.len() >= out_bytes && self.ring.len() >= ring
    }
}

/// An opened board: safe to share between threads. Jobs on one job queue serialise on
/// that queue's staging lock; jobs on different queues (the G2 MSM engine's queue 1 beside
/// queue 0, map 4.2) run at the same time, each register access locking the function for
/// itself only.
pub struct Card {
    uri: String,
    caps: Capabilities,
    func: kernel::SharedFunction,
    /// Each queue's DMA staging (and its job lock).
    staging: Vec<Mutex<Option<Staging>>>,
    timeout: Mutex<Option<Duration>>,
}

impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Card")
            .field("uri", &self.uri)
            .field("caps", &self.caps)
            .finish()
    }
}

impl Card {
    /// Opens `sim:<preset>` (feature `sim`) or `vfio:<pci address>` (feature `vfio`) and
    /// checks the card is a zkpipe board of a supported register-map version (and, for
    /// `sim:`, of that preset).
    pub fn open(uri: &str) -> Result<Card> {
        if let Some(preset) = uri.strip_prefix("sim:") {
            zkpipe_spec::Preset::by_name(preset)
                .map_err(|e| Error::Pcie(crate::pcie::PcieError::Unavailable(e.to_string())))?;
            #[cfg(feature = "sim")]
            {
                let func = crate::pcie::sim::SimFunction::open(preset)?;
                Card::from_function(Box::new(func), Some(preset))
            }
            #[cfg(not(feature = "sim"))]
            Err(Error::FeatureMissing {
                uri: uri.to_string(),
                feature: "sim",
            })
        } else if let Some(address) = uri.strip_prefix("vfio:") {
            #[cfg(feature = "vfio")]
            {
                let func = crate::pcie::vfio::VfioFunction::open(address)?;
                Card::from_function(Box::new(func), None)
            }
            #[cfg(not(feature = "vfio"))]
            {
                let _ = address;
                Err(Error::FeatureMissing {
                    uri: uri.to_string(),
                    feature: "vfio",
                })
            }
        } else if uri.starts_with("model:") {
            Err(Error::Unsupported {
                device: uri.to_string(),
                what: "register access (a model: device has no registers; open it as a \
                       backend: zkpipe msm, ntt and prove, or zkpipe::backend::open)",
            })
        } else {
            Err(Error::BadUri(uri.to_string()))
        }
    }

    /// Wraps an already opened function; `expected_preset` is checked against the card.
    pub fn from_function(
        mut func: Box<dyn PcieFunction>,
        expected_preset: Option<&str>,
    ) -> Result<Card> {
        let caps = kernel::identify(func.as_mut())?;
        // Completion raises the interrupt line: the simulator's wait returns at once, and a
        // card's driver can sleep on it. Status is still polled, so this is only a hint.
        let irq = regs::IrqEnable { job_done: true }.encode();
        func.write32(BAR_CSR, regs::IRQ_ENABLE as u64, irq)?;
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
        Ok(Card {
            uri: func.describe(),
            staging: (0..caps.queues).map(|_| Mutex::new(None)).collect(),
            caps,
            func: Mutex::new(func),
            timeout: Mutex::new(None),
        })
    }

    /// The URI the card was opened with.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// What the card reported about itself when opened.
    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// Performance counters of queue 0's last job.
    pub fn counters(&self) -> Result<Counters> {
        kernel::counters(self.lock().as_mut())
    }

    /// Overrides how long a job may take before the card is declared hung (`None`: the
    /// function's default for the job's size).
    pub fn set_timeout(&self, timeout: Option<Duration>) {
        *self.timeout.lock().unwrap_or_else(|e| e.into_inner()) = timeout;
    }

    /// Test hook: writes FAULT_INJECT, making the card's MSM unit drop the points it would
    /// defer or corrupt its adder results, so tests can show such hardware faults are
    /// caught. `FaultInject::default()` restores normal operation.
    pub fn set_fault_inject(&self, fault: FaultInject) -> Result<()> {
        let mut f = self.lock();
        for queue in 0..self.caps.queues {
            let reg = regs::queue_register(queue, regs::FAULT_INJECT);
            f.write32(BAR_CSR, reg as u64, fault.encode())?;
        }
        Ok(())
    }

    /// Runs `f` on the card's PCIe function under the card's lock (tests; the simulated
    /// board's own methods via [`PcieFunction::as_any_mut`]).
    pub fn with_function<R>(&self, f: impl FnOnce(&mut dyn PcieFunction) -> R) -> R {
        f(self.lock().as_mut())
    }

    /// Bytes of DMA staging memory mapped now (host-to-card, card-to-host, ring), summed
    /// over the job queues.
    pub fn staging_bytes(&self) -> (usize, usize, usize) {
        self.staging.iter().fold((0, 0, 0), |(i, o, r), q| {
            let q = q.lock().unwrap_or_else(|e| e.into_inner());
            q.as_ref().map_or((i, o, r), |s| {
                (i + s.h2c.len(), o + s.c2h.len(), r + s.ring.len())
            })
        })
    }

    fn lock(&self) -> MutexGuard<'_, Box<dyn PcieFunction>> {
        kernel::lock(&self.func)
    }

    /// Runs one job: `fill` encodes the host-to-card stream straight into mapped memory
    /// (exactly `job.in_beats` beats) and returns its `wire::stream_checksum` if it
    /// computed it on the way (else the driver reads the bytes again for it), the card
    /// runs, and `decode` reads the card-to-host stream straight out of mapped memory.
    /// `work` sizes the default timeout, in element-equivalents. On any error the card is
    /// reset and `decode` is not called.
    pub fn submit<R>(
        &self,
        job: &Job,
        work: usize,
        fill: impl FnOnce(&mut [u8]) -> Option<u32>,
        decode: impl FnOnce(&[u8]) -> Result<R>,
    ) -> Result<Completed<R>> {
        self.submit_routed(job, Route::HOST, work, fill, decode)
    }

    /// [`Card::submit`] with the job's input and/or output in card memory (`route`): a
    /// side in card memory has no DMA (`fill` gets an empty slice, `decode` reads an
    /// empty one). The caller owns the addresses ([`crate::card_memory`] allocates them);
    /// the card checks alignment and range (error [`regs::HwError::BadMemoryJob`]).
    pub fn submit_routed<R>(
        &self,
        job: &Job,
        route: Route,
        work: usize,
        fill: impl FnOnce(&mut [u8]) -> Option<u32>,
        decode: impl FnOnce(&[u8]) -> Result<R>,
    ) -> Result<Completed<R>> {
        self.submit_jobs(std::slice::from_ref(job), route, work, fill, decode)
    }

    /// Runs `jobs` as one run on queue 0's kernel (register map 4.3, CAPS_KERNEL_SLOTS = 2):
    /// the second and later jobs are appended (CONTROL.append) and enter the kernel while
    /// the job before drains, so the NTT path's latency is paid once per run. `fill`
    /// encodes the whole run's input (each job's beats after the job before's), `decode`
    /// reads the whole run's results, likewise. The counters are the run's. Only ntt jobs
    /// of one JOB_NTT (not coset) through the host streams are appended (else error
    /// [`regs::HwError::CannotAppend`]); a card without the slot refuses with
    /// [`Error::Unsupported`].
    pub fn submit_run<R>(
        &self,
        jobs: &[Job],
        work: usize,
        fill: impl FnOnce(&mut [u8]) -> Option<u32>,
        decode: impl FnOnce(&[u8]) -> Result<R>,
    ) -> Result<Completed<R>> {
        self.submit_jobs(jobs, Route::HOST, work, fill, decode)
    }

    /// [`Card::submit_routed`] for one job, [`Card::submit_run`] for several (their route
    /// must be the host's).
    pub(crate) fn submit_jobs<R>(
        &self,
        jobs: &[Job],
        route: Route,
        work: usize,
        fill: impl FnOnce(&mut [u8]) -> Option<u32>,
        decode: impl FnOnce(&[u8]) -> Result<R>,
    ) -> Result<Completed<R>> {
        let Some(job) = jobs.first() else {
            return Err(Error::Empty);
        };
        if jobs.len() > 1 && self.caps.kernel_slots < 2 {
            return Err(Error::Unsupported {
                device: self.uri.clone(),
                what: "runs of appended jobs (CAPS_KERNEL_SLOTS < 2; register map 4.3)",
            });
        }
        let beats = |j: &Job| (j.in_beats(&self.caps), j.out_beats(&self.caps));
        if jobs.iter().any(|j| {
            let (i, o) = beats(j);
            i == 0 || o == 0
        }) {
            return Err(Error::Empty);
        }
        if (route.src.is_some() || route.dst.is_some()) && self.caps.card_memory_mib == 0 {
            return Err(Error::Unsupported {
                device: self.uri.clone(),
                what: "card memory (CAPS_CARD_MEMORY is 0)",
            });
        }
        let (in_beats, out_beats) = beats(job);
        let in_bytes = if route.src.is_some() {
            0
        } else {
            in_beats * BEAT_BYTES
        };
        let out_bytes = if route.dst.is_some() {
            0
        } else {
            out_beats * BEAT_BYTES
        };
        let queue = job.opcode().queue(self.caps.queues);
        if queue != 0 && (route.src.is_some() || route.dst.is_some()) {
            return Err(Error::Unsupported {
                device: self.uri.clone(),
                what: "card memory for a G2 MSM job (queue 1 has no card-memory port)",
            });
        }
        // An appended job writes only the registers that differ from the job before's
        // (JOB_COUNT, JOB_NTT_ROW): the card checks that the rest is the run's.
        let appended: Vec<kernel::Appended> = jobs
            .windows(2)
            .map(|pair| {
                let (before, j) = (pair[0].registers(), &pair[1]);
                let (i, o) = beats(j);
                kernel::Appended {
                    registers: j
                        .registers()
                        .into_iter()
                        .filter(|w| !before.contains(w))
                        .collect(),
                    in_bytes: i * BEAT_BYTES,
                    out_bytes: o * BEAT_BYTES,
                }
            })
            .collect();
        let mut staging = self.staging[queue as usize]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let timeout = self
            .timeout
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .unwrap_or_else(|| self.lock().default_timeout(work));
        let mut registers = job.registers();
        registers.extend(route.registers(in_beats, out_beats));
        let mut input = kernel::JobInput {
            queue,
            registers,
            in_bytes,
            out_bytes,
            timeout,
            h2c_sum: None,
            appended,
        };
        let (in_packets, out_packets) = (input.in_packets(), input.out_packets());
        let (total_in, total_out) = (in_packets.iter().sum(), out_packets.iter().sum());
        let ring = xdma::ring_bytes_packets(&in_packets) + xdma::ring_bytes_packets(&out_packets);
        if !staging
            .as_ref()
            .is_some_and(|s| s.fits(total_in, total_out, ring))
        {
            // Grow to cover this job and every job before, so that alternating job shapes
            // (large input, then large readout) do not re-map each time. The old buffers
            // are unmapped before the larger ones are mapped.
            let (old_in, old_out, old_ring) = staging
                .as_ref()
                .map_or((0, 0, 0), |s| (s.h2c.len(), s.c2h.len(), s.ring.len()));
            *staging = None;
            *staging = Some(Staging::map(
                self.lock().as_mut(),
                total_in.max(old_in),
                total_out.max(old_out),
                ring.max(old_ring),
            )?);
        }
        let staging = staging.as_ref().expect("mapped above");
        input.h2c_sum = staging.h2c.with_bytes(total_in, fill);
        let cycles_before = self.lock().device_cycles();
        let counters = kernel::run_job(&self.func, &input, staging)?;
        let sim_cycles = self
            .lock()
            .device_cycles()
            .zip(cycles_before)
            .map(|(a, b)| a - b);
        let output = staging.c2h.with_bytes(total_out, |b| decode(b))?;
        Ok(Completed {
            output,
            counters,
            sim_cycles,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_registers_use_the_spec_fields() {
        let job = Job::Ntt {
            n: 1024,
            config: JobNtt {
                log_n: 10,
                inverse: true,
                ..Default::default()
            },
            row: 3,
            param: [0; PARAM_WORDS],
        };
        let w = job.registers();
        assert!(w.contains(&(regs::JOB_OPCODE, Opcode::Ntt as u32)));
        assert!(w.contains(&(regs::JOB_NTT, 10 | 1 << 8)));
        assert!(w.contains(&(regs::JOB_NTT_ROW, 3)));
        let run = Job::MsmRun {
            group: Group::G1,
            points: 5,
            offset: 7,
            flags: JobMsmFlags {
                keep: true,
                hold: true,
                reduce: false,
            },
        };
        assert!(run.registers().contains(&(regs::JOB_MSM_FLAGS, 3)));
        assert_eq!(run.count(), 5);
    }
}
