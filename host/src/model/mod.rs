//! The `model:<preset>` device: a card of any preset — the real-card ones included — that
//! computes with arkworks on the CPU and counts time with the preset's cycle models, so a
//! prover author can project a proof or an MSM on a card nobody has built yet, in seconds.
//!
//! * **Results** are arkworks' (ark-poly NTTs via [`SoftEngine`], ark-ec MSMs, ark-ff
//!   products): a model device never returns anything the CPU backend would not.
//! * **Cycles** per job come from the generator's own numbers for that preset
//!   ([`zkpipe_hdl::timing::BoardTiming`]: the elementwise and NTT path latencies, the point
//!   adder's latency, the MSM geometry) and the MSM unit's issue policy ([`accumulate`]).
//!   `zkpipe-tests`' `model` tests run the same jobs on `sim:sim-small` and
//!   `model:sim-small` and compare the busy cycles.
//! * **Time** per job is `max(busy cycles at the preset clock, the job's host-to-card bytes
//!   at the H2C rate, its card-to-host bytes at the C2H rate) + a fixed setup time` with
//!   [`PcieRates::XDMA_GEN3_X16`] (stated, not measured: no card is attached here). An MSM
//!   run job's readout follows its accumulation, so the two phases are bounded separately.
//! * **Host work** the card would leave to the host is done for real and timed: NTT
//!   transposes and radix-2 steps (the same planner as on a card), and the bucket reduction
//!   of every MSM (run on buckets of the preset's shape; their values do not change its
//!   cost).
//!
//! * **Card memory** (`card_memory`): jobs that read and write the card's DDR/HBM take
//!   the longer of their engine's cycles and the memory channel's (its rate, latency and
//!   per-burst overhead from the preset), as the simulated board's DDR model charges them.
//!
//! What the model does not capture (documented limits): DMA descriptor and interrupt
//! latencies beyond the fixed setup time, the MSM engine's base reads from its own memory
//! (once per point, well inside on-chip rates), DRAM refresh and bank conflicts beyond the
//! per-burst overhead, and clock-domain effects of a real shell.

mod accumulate;
mod card_memory;
mod msm;

pub use accumulate::{accumulate, accumulate_skipping, AccumCycles, MsmShape};
pub use card_memory::Access;

use crate::driver::kernel::{self, Capabilities, Counters};
use crate::elementwise::{ElementwiseEngine, JobReport};
use crate::error::{Error, Result};
use crate::ntt::{EngineStats, Factor, NttEngine, NttJob, SoftEngine};
use ark_ff::{FftField, Field};
use std::sync::Mutex;
use zkpipe_hdl::timing::BoardTiming;
use zkpipe_spec::regs::Opcode;
use zkpipe_spec::wire::BEAT_BYTES;
use zkpipe_spec::Preset;

/// PCIe transfer rates of a card's DMA, and the fixed cost of starting and completing a job.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PcieRates {
    /// Host-to-card streaming rate, bytes/s.
    pub h2c_bytes_per_s: f64,
    /// Card-to-host streaming rate, bytes/s.
    pub c2h_bytes_per_s: f64,
    /// Per job: descriptor and register writes, start, completion seen by the host.
    pub job_setup_s: f64,
}

impl PcieRates {
    /// Xilinx XDMA on PCIe Gen3 x16 in streaming mode, as the design brief states it:
    /// 9 GB/s host-to-card, 12 GB/s card-to-host; 5 µs of setup per job (an assumption:
    /// a few posted BAR writes, one doorbell, an MSI-X completion).
    pub const XDMA_GEN3_X16: PcieRates = PcieRates {
        h2c_bytes_per_s: 9e9,
        c2h_bytes_per_s: 12e9,
        job_setup_s: 5e-6,
    };
}

/// A card of one preset, simulated by cycle models instead of Verilator.
#[derive(Debug)]
pub struct ModelCard {
    uri: String,
    preset: &'static Preset,
    timing: BoardTiming,
    caps: Capabilities,
    pcie: PcieRates,
    /// Resident base sets (length, fingerprint) and the points they occupy.
    memory: Mutex<msm::Residency>,
    /// The same for the G2 engine's memory.
    memory_g2: Mutex<msm::Residency>,
    /// A staging buffer the jobs' streams are encoded into (and decoded from), as a driver
    /// would, to measure that host work (reused like a card's mapped staging buffer).
    staging: Mutex<Vec<u8>>,
    /// Elements the stream codec is timed on (touched memory, as a caller's vectors are).
    codec_input: Mutex<Vec<[u64; 4]>>,
}

impl ModelCard {
    /// Opens `model:<preset>` (any preset of [`zkpipe_spec::preset::PRESETS`]).
    pub fn open(uri: &str) -> Result<Self> {
        let name = uri
            .strip_prefix("model:")
            .ok_or_else(|| Error::BadUri(uri.to_string()))?;
        let preset = Preset::by_name(name)
            .map_err(|e| Error::Pcie(crate::pcie::PcieError::Unavailable(e.to_string())))?;
        Self::for_preset(preset, PcieRates::XDMA_GEN3_X16)
    }

    /// A model of `preset`'s board behind a DMA of these rates.
    pub fn for_preset(preset: &'static Preset, pcie: PcieRates) -> Result<Self> {
        let timing = BoardTiming::of(preset);
        let registers = timing.csr.registers();
        let uri = format!("model:{}", preset.name);
        let version = zkpipe_spec::regs::VERSION;
        let caps = kernel::capabilities(version, &mut |reg| {
            Ok(registers
                .iter()
                .find(|&&(offset, _)| offset == reg)
                .map_or(0, |&(_, value)| value))
        })?;
        Ok(Self {
            uri,
            preset,
            timing,
            caps,
            pcie,
            memory: Mutex::default(),
            memory_g2: Mutex::default(),
            staging: Mutex::default(),
            codec_input: Mutex::default(),
        })
    }

    /// `model:<preset>`.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The capabilities the preset's board reports (decoded as the driver decodes a card's).
    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// The modelled preset.
    pub fn preset(&self) -> &'static Preset {
        self.preset
    }

    /// The generator's timing numbers for the preset.
    pub fn timing(&self) -> &BoardTiming {
        &self.timing
    }

    /// The DMA rates the projections assume.
    pub fn pcie(&self) -> PcieRates {
        self.pcie
    }

    fn clock_hz(&self) -> f64 {
        self.caps.clock_mhz() * 1e6
    }

    /// Busy cycles of an elementwise job of `n` elements: the pipeline's latency after the
    /// last element, and for powmul first the L + 1 products that seed the running power
    /// (L + 1 cycles each, the first overlapping the stream's start).
    pub fn elementwise_cycles(&self, op: Opcode, n: usize) -> u64 {
        let l = self.timing.elementwise_latency as u64;
        let seed = match op {
            Opcode::PowMul => (l + 1) * (l + 1) - l,
            _ => 0,
        };
        n as u64 + l + seed
    }

    /// Busy cycles of an NTT job of `n` elements.
    pub fn ntt_cycles(&self, n: usize, log_n: u32, factor_kind: FactorKind) -> u64 {
        let l = self.timing.elementwise_latency as u64;
        let row = &self.timing.ntt_latency[log_n as usize];
        let (path, seed) = match factor_kind {
            FactorKind::Plain => (row[0], 0),
            FactorKind::Twiddle => (row[1], 0),
            FactorKind::Coset => (row[0], (l + 1) * (l + 1) - l),
        };
        n as u64 + path as u64 + seed
    }

    /// Busy cycles of a run of NTT jobs of `lens` elements, NTTs of 2^`log_n` points, one
    /// front factor (register map 4.3: each job after the first appended): the end of
    /// [`Self::ntt_run_schedule`]'s last job. One job: [`Self::ntt_cycles`].
    pub fn ntt_run_cycles(&self, lens: &[usize], log_n: u32, factor_kind: FactorKind) -> u64 {
        self.ntt_run_schedule(lens, log_n, factor_kind)
            .last()
            .map_or(0, |j| j.last_result + 1)
    }

    /// When each job of a run takes its first element and sends its last result, in
    /// cycles from the run's start: the kernel takes job k + 1's elements one idle cycle
    /// after job k's last — or, when the path already holds `kernel_in_path` jobs (jobs
    /// shorter than the path), the cycle after the oldest's results are out.
    pub fn ntt_run_schedule(
        &self,
        lens: &[usize],
        log_n: u32,
        factor_kind: FactorKind,
    ) -> Vec<RunJob> {
        let Some(&first) = lens.first() else {
            return vec![];
        };
        let path = self.ntt_cycles(first, log_n, factor_kind) - first as u64;
        let in_path = self.caps.kernel_in_path.max(2) as usize;
        let mut out: Vec<RunJob> = Vec::with_capacity(lens.len());
        for &n in lens {
            let first_element = match out.as_slice() {
                [] => 0,
                [.., before] => {
                    let inputs_in = before.first_element + before.elements as u64;
                    let drained = match out.len().checked_sub(in_path) {
                        None => inputs_in,
                        Some(k) => inputs_in.max(out[k].last_result + 1),
                    };
                    drained + 1
                }
            };
            out.push(RunJob {
                elements: n,
                first_element,
                last_result: first_element + n as u64 + path - 1,
            });
        }
        out
    }

    /// Time of a phase busy `busy` cycles that streams `beats_in` beats to the card and
    /// `beats_out` beats back (without the job's setup).
    fn phase_seconds(&self, busy: u64, beats_in: usize, beats_out: usize) -> f64 {
        let beat = BEAT_BYTES as f64;
        let h2c = beats_in as f64 * beat / self.pcie.h2c_bytes_per_s;
        let c2h = beats_out as f64 * beat / self.pcie.c2h_bytes_per_s;
        (busy as f64 / self.clock_hz()).max(h2c).max(c2h)
    }

    /// Statistics of one streaming job (elementwise or NTT) of `n` elements: its beats
    /// each way as the wire format lays them out (a binary opcode's input one element per
    /// beat, everything else two).
    fn stream_job(&self, busy: u64, op: Opcode, n: usize) -> EngineStats {
        EngineStats {
            codec_s: self.time_codec(op, n),
            ..self.stream_stats(busy, op, n)
        }
    }

    /// [`Self::stream_job`] without the host's codec time.
    fn stream_stats(&self, busy: u64, op: Opcode, n: usize) -> EngineStats {
        let beats_in = zkpipe_spec::wire::kernel_in_beats(op.binary(), n);
        let beats_out = zkpipe_spec::wire::kernel_out_beats(n);
        EngineStats {
            jobs: 1,
            busy_cycles: busy,
            elements: n as u64,
            projected_s: self.phase_seconds(busy, beats_in, beats_out) + self.pcie.job_setup_s,
            sim_cycles: None,
            codec_s: 0.0,
        }
    }

    /// Host time a driver spends on a streaming job's beats, measured by doing it with the
    /// driver's code (`encode_stream`, `decode_stream`) on `n` elements of the same size:
    /// the input beats with their checksum, the checksum pass over the returned stream, and
    /// `n` results decoded and checked reduced. The staging buffer is grown and touched
    /// untimed first, as a card's mapped staging buffer is.
    fn time_codec(&self, op: Opcode, n: usize) -> f64 {
        use crate::elementwise::{decode_stream, encode_stream};
        use zkpipe_spec::wire::{kernel_in_beats, kernel_out_beats, stream_checksum};
        let (beats_in, beats_out) = (kernel_in_beats(op.binary(), n), kernel_out_beats(n));
        let (mut staging, mut elements) = self.staged(beats_in.max(beats_out) * BEAT_BYTES, 2 * n);
        let (elements, results) = elements.split_at_mut(n);
        let results = &mut results[..n];
        let t = std::time::Instant::now();
        let b = op.binary().then_some(&elements[..]);
        let h2c = encode_stream(&mut staging[..beats_in * BEAT_BYTES], elements, b, |x| *x);
        let out = &staging[..beats_out * BEAT_BYTES];
        let c2h = stream_checksum(out);
        // Results replace the caller's vector after a check pass, as the driver's do.
        let ok = decode_stream(out, results, &[u64::MAX; 4], |limbs| limbs).is_ok();
        std::hint::black_box((h2c, c2h, ok, &results));
        t.elapsed().as_secs_f64()
    }

    /// The staging buffer and the codec's input elements, grown (and so touched) to at
    /// least `bytes` and `n`, outside any timing: a card's staging buffer is mapped once.
    fn staged(
        &self,
        bytes: usize,
        n: usize,
    ) -> (
        std::sync::MutexGuard<'_, Vec<u8>>,
        std::sync::MutexGuard<'_, Vec<[u64; 4]>>,
    ) {
        let mut staging = self.staging.lock().unwrap_or_else(|e| e.into_inner());
        if staging.len() < bytes {
            staging.resize(bytes, 0);
        }
        let mut elements = self.codec_input.lock().unwrap_or_else(|e| e.into_inner());
        if elements.len() < n {
            elements.resize(n, [1, 0, 0, 0]);
        }
        (staging, elements)
    }

    /// Host time a driver spends encoding an upload of `n` elements (the unary stream
    /// format with its checksum), measured as [`Self::time_codec`] measures a job's.
    fn time_encode_stream(&self, n: usize) -> f64 {
        use crate::elementwise::encode_stream;
        let beats = zkpipe_spec::wire::kernel_out_beats(n);
        let (mut staging, elements) = self.staged(beats * BEAT_BYTES, n);
        let t = std::time::Instant::now();
        let sum = encode_stream(
            &mut staging[..beats * BEAT_BYTES],
            &elements[..n],
            None,
            |x| *x,
        );
        std::hint::black_box(sum);
        t.elapsed().as_secs_f64()
    }

    fn soft(&self) -> SoftEngine {
        SoftEngine::new(
            self.caps.ntt_log_size,
            self.caps.ntt_twiddle_log,
            self.caps.max_count as usize,
        )
    }

    fn check_count(&self, n: usize) -> Result<()> {
        let max = self.caps.max_count as usize;
        if n == 0 {
            return Err(Error::Empty);
        }
        if n > max {
            return Err(Error::TooLarge { n, max });
        }
        Ok(())
    }

    fn elementwise<F: Copy + Send + Sync>(
        &self,
        op: Opcode,
        a: &mut [F],
        b: &[F],
        f: impl Fn(F, F) -> F + Sync + Send,
    ) -> Result<JobReport> {
        use rayon::prelude::*;
        crate::backend::check_lengths(a.len(), b.len())?;
        self.check_count(a.len())?;
        let started = std::time::Instant::now();
        a.par_iter_mut().zip(b).for_each(|(x, &y)| *x = f(*x, y));
        let n = a.len();
        let busy = self.elementwise_cycles(op, n);
        let stats = self.stream_job(busy, op, n);
        let counters = Counters {
            busy_cycles: busy as u32,
            beats_in: zkpipe_spec::wire::kernel_in_beats(op.binary(), n) as u32,
            beats_out: zkpipe_spec::wire::kernel_out_beats(n) as u32,
            ..Default::default()
        };
        Ok(JobReport {
            n,
            jobs: 1,
            counters,
            clock_mhz: self.caps.clock_mhz(),
            projected_s: stats.projected_s,
            host_s: started.elapsed().as_secs_f64(),
            sim_cycles: None,
            codec_s: stats.codec_s,
        })
    }
}

/// One job of a run in [`ModelCard::ntt_run_schedule`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunJob {
    /// Elements.
    pub elements: usize,
    /// Cycle its first element enters the path.
    pub first_element: u64,
    /// Cycle its last result leaves.
    pub last_result: u64,
}

/// Which front factor an NTT job applies (its cost differs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactorKind {
    /// None.
    Plain,
    /// The four-step twiddles (a second product in the front multiplier).
    Twiddle,
    /// A coset's powers g^t (the running power is seeded first, as for powmul).
    Coset,
}

impl<F> From<&Factor<F>> for FactorKind {
    fn from(f: &Factor<F>) -> Self {
        match f {
            Factor::Plain => FactorKind::Plain,
            Factor::Twiddle { .. } => FactorKind::Twiddle,
            Factor::Coset(_) => FactorKind::Coset,
        }
    }
}

impl crate::backend::board::CardInfo for ModelCard {
    fn uri(&self) -> &str {
        ModelCard::uri(self)
    }
    fn capabilities(&self) -> &Capabilities {
        ModelCard::capabilities(self)
    }
}

impl<F: FftField> NttEngine<F> for ModelCard {
    fn core_log_size(&self) -> u32 {
        self.caps.ntt_log_size
    }
    fn twiddle_log(&self) -> u32 {
        self.caps.ntt_twiddle_log
    }
    fn max_job(&self) -> usize {
        self.caps.max_count as usize
    }
    fn run(&self, data: &mut [F], job: &NttJob<F>) -> Result<EngineStats> {
        if self.caps.ntt_log_size == 0 {
            return Err(Error::Unsupported {
                device: self.uri.clone(),
                what: "the NTT opcode",
            });
        }
        self.soft().run(data, job)?;
        let n = data.len();
        let busy = self.ntt_cycles(n, job.log_n, FactorKind::from(&job.factor));
        Ok(self.stream_job(busy, Opcode::Ntt, n))
    }
    fn run_many(&self, data: &mut [F], jobs: &[(usize, NttJob<F>)]) -> Result<EngineStats> {
        crate::ntt::check_run_lengths(data.len(), jobs)?;
        let mut stats = EngineStats::default();
        let mut rest = data;
        // The runs the board's driver makes (`Device::ntt_run`).
        for run in crate::ntt::runs(jobs, self.caps.kernel_slots) {
            let jobs = &jobs[run];
            let elements = jobs.iter().map(|(n, _)| n).sum();
            let (chunk, tail) = std::mem::take(&mut rest).split_at_mut(elements);
            let soft = self.soft();
            let mut at = 0;
            for (n, job) in jobs {
                self.check_count(*n)?;
                soft.run(&mut chunk[at..at + n], job)?;
                at += n;
            }
            let first = &jobs[0].1;
            let lens: Vec<usize> = jobs.iter().map(|(n, _)| *n).collect();
            let busy = self.ntt_run_cycles(&lens, first.log_n, FactorKind::from(&first.factor));
            stats.add(&EngineStats {
                jobs: jobs.len(),
                ..self.stream_job(busy, Opcode::Ntt, elements)
            });
            rest = tail;
        }
        Ok(stats)
    }
    fn powmul(&self, data: &mut [F], g: F) -> Result<EngineStats> {
        self.check_count(data.len())?;
        NttEngine::<F>::powmul(&self.soft(), data, g)?;
        let n = data.len();
        Ok(self.stream_job(
            self.elementwise_cycles(Opcode::PowMul, n),
            Opcode::PowMul,
            n,
        ))
    }
}

impl<F: Field> ElementwiseEngine<F> for ModelCard {
    fn mul_assign_vec(&self, a: &mut [F], b: &[F]) -> Result<JobReport> {
        self.elementwise(Opcode::Mul, a, b, |x, y| x * y)
    }
    fn sub_assign_vec(&self, a: &mut [F], b: &[F]) -> Result<JobReport> {
        self.elementwise(Opcode::Sub, a, b, |x, y| x - y)
    }
}

#[cfg(test)]
mod tests;
