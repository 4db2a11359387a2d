//! Card memory on the model card: the QAP step of [`crate::qap_on_card`] projected job by
//! job with the same cycle models as the card's other jobs, and the card's memory channel
//! (`CardMemoryConfig`: latency, bytes per cycle, and a row-opening overhead per burst —
//! what makes the four-step's single-beat strides cost about twice a linear stream's).
//! The simulated board's DDR model charges the same, and `zkpipe-tests`' `model` tests
//! compare the two on both sim presets.
//!
//! A job on card memory takes its engine's busy cycles when the channel moves its beats in
//! less time than the engine streams them; else the longer of those and the memory
//! traffic's cycles (with the pipeline's fill and drain); plus the memory's latency (its
//! first data arrive that late), at the preset clock, plus the job's setup; an upload also
//! its host-to-card bytes at the PCIe rate.

use super::{FactorKind, ModelCard};
use crate::backend::{QapEngine, QapReport, Reduction};
use crate::error::Result;
use crate::ntt::EngineStats;
use crate::qap_on_card::Layout;
use ark_ec::AffineRepr;
use ark_ff::FftField;
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use zkpipe_spec::regs::Opcode;
use zkpipe_spec::wire::{self, BEAT_BYTES, MEM_BURST_BEATS};

/// How a job's side touches card memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Not at all (the host stream).
    Host,
    /// Bursts along the range.
    Linear,
    /// Single beats: a transposed side, or a zip of two vectors.
    Strided,
    /// A transposed side of two rows that are whole pages (a zip of two vectors, the
    /// pairs of a transform in halves): 4 KiB bursts of each row through a bank that holds
    /// one burst of both — a linear side's channel time, plus the bank's fill (a read) or
    /// drain (a write) once per job.
    Paired,
}

impl Access {
    /// A transposed side of two rows, `beats` in all, as the board's port takes it: in
    /// bursts when each row is whole pages, else single beats.
    pub fn two_rows(beats: usize) -> Access {
        if (beats / 2).is_multiple_of(MEM_BURST_BEATS) {
            Access::Paired
        } else {
            Access::Strided
        }
    }
}

impl ModelCard {
    /// Cycles the card's memory channel needs for `beats` beats each way with these
    /// access patterns (its latency not included).
    pub fn memory_cycles(&self, read: (usize, Access), write: (usize, Access)) -> u64 {
        let m = self.preset.card_memory;
        let bursts = |(beats, access): (usize, Access)| match access {
            Access::Host => 0,
            Access::Linear | Access::Paired => beats.div_ceil(MEM_BURST_BEATS),
            Access::Strided => beats,
        };
        let beats =
            |(beats, access): (usize, Access)| if access == Access::Host { 0 } else { beats };
        let bytes = (beats(read) + beats(write)) * BEAT_BYTES
            + (bursts(read) + bursts(write)) * m.burst_overhead_bytes as usize;
        (bytes as u64).div_ceil(m.bytes_per_cycle as u64)
    }

    /// One job on card memory: its engine busy `engine` cycles, of which `stream` take
    /// its input (one element, or one binary beat, per cycle) and the rest is its
    /// pipeline's latency; `beats` each way with these patterns; `h2c_beats` from the host
    /// (an upload). When the memory is the slower, the job takes the channel's time, plus
    /// the pipeline's fill (only reads flow, at the engine's rate) and drain (only writes)
    /// where those leave the channel partly idle.
    pub fn memory_job(
        &self,
        engine: u64,
        stream: u64,
        read: (usize, Access),
        write: (usize, Access),
        h2c_beats: usize,
    ) -> EngineStats {
        let m = self.preset.card_memory;
        let latency = m.latency_cycles as u64;
        let channel = self.memory_cycles(read, write);
        let pipeline = engine.saturating_sub(stream) as f64;
        // The share of the channel one side uses at the engine's rate alone.
        let share = |(beats, access): (usize, Access)| {
            let overhead = m.burst_overhead_bytes as f64;
            let bytes = BEAT_BYTES as f64
                + match access {
                    Access::Host => return 1.0,
                    Access::Linear | Access::Paired => overhead / MEM_BURST_BEATS as f64,
                    Access::Strided => overhead,
                };
            let rate = beats as f64 / stream.max(1) as f64;
            (rate * bytes / m.bytes_per_cycle as f64).min(1.0)
        };
        let idle = pipeline * ((1.0 - share(read)) + (1.0 - share(write)));
        // A paired side's bank: a burst of each row in before the first beat goes on (a
        // read), or out after the last came (a write).
        let bank = |(_, access): (usize, Access)| {
            if access == Access::Paired {
                (2 * MEM_BURST_BEATS * BEAT_BYTES) as u64 / m.bytes_per_cycle as u64
            } else {
                0
            }
        };
        // A channel that moves the job's beats in less than its stream takes (the engine
        // the slower) leaves the job the engine's: the fill and drain are the pipeline's.
        let bound = if channel <= stream {
            engine
        } else {
            engine.max(channel + idle as u64)
        };
        let busy = bound + latency + bank(read) + bank(write);
        EngineStats {
            jobs: 1,
            busy_cycles: busy,
            elements: 0,
            projected_s: self.phase_seconds(busy, h2c_beats, 0) + self.pcie.job_setup_s,
            sim_cycles: None,
            codec_s: 0.0,
        }
    }

    /// An NTT of n points on card memory as the driver runs it (`Device::ntt_on_card`):
    /// one job up to the core size, else the four-step's column and row jobs.
    fn ntt_on_card_stats(&self, n: usize) -> EngineStats {
        let log_n = n.trailing_zeros();
        let core = self.caps.ntt_log_size;
        let beats = wire::kernel_out_beats(n);
        let mut s = EngineStats::default();
        let (n64, linear, strided) = (n as u64, (beats, Access::Linear), (beats, Access::Strided));
        if log_n <= core {
            let busy = self.ntt_cycles(n, log_n, FactorKind::Plain);
            s.add(&self.memory_job(busy, n64, linear, linear, 0));
        } else {
            let columns = self.ntt_cycles(n, log_n - core, FactorKind::Plain);
            let by_columns = if log_n - core == 1 {
                (beats, Access::two_rows(beats))
            } else {
                strided
            };
            s.add(&self.memory_job(columns, n64, by_columns, by_columns, 0));
            let rows = self.ntt_cycles(n, core, FactorKind::Twiddle);
            s.add(&self.memory_job(rows, n64, linear, strided, 0));
        }
        s
    }

    /// The card's jobs of the QAP step on card memory for a domain of n points in
    /// `layout` (`ark`: ark-groth16's reduction, with the final inverse transform and
    /// scaling; else snarkjs's; see [`crate::qap_on_card`]).
    pub fn qap_on_card_stats(&self, n: usize, ark: bool, layout: Layout) -> EngineStats {
        let beats = wire::kernel_out_beats(n);
        let linear = (beats, Access::Linear);
        let n64 = n as u64;
        // A job that streams the whole vector.
        let whole = |mut job: EngineStats| {
            job.elements = n64;
            job
        };
        let transform = || match layout {
            Layout::Whole => {
                let mut t = self.ntt_on_card_stats(n);
                t.elements = t.jobs as u64 * n64;
                t
            }
            Layout::Halves => self.ntt_halves_stats(n),
        };
        // ·g^i, or (halves) ·g^i read interleaved, [even | odd] → natural.
        let powmul = |read: Access| {
            let busy = self.elementwise_cycles(Opcode::PowMul, n);
            whole(self.memory_job(busy, n64, (beats, read), linear, 0))
        };
        let coset = || match layout {
            Layout::Whole => powmul(Access::Linear),
            Layout::Halves => powmul(Access::two_rows(beats)),
        };
        let binary = || {
            // The port zips a and b; the kernel takes one a ‖ b per cycle.
            let busy = self.elementwise_cycles(Opcode::Mul, n);
            let zip = (2 * beats, Access::two_rows(2 * beats));
            whole(self.memory_job(busy, n64, zip, linear, 0))
        };
        let mut s = EngineStats::default();
        for _ in 0..3 {
            // Upload (a copy job: a beat per cycle), interpolate, coset factor, evaluate.
            let upload = self.memory_job(
                beats as u64 + 4,
                beats as u64,
                (0, Access::Host),
                linear,
                beats,
            );
            s.add(&whole(upload));
            s.add(&transform());
            s.add(&coset());
            s.add(&transform());
        }
        s.add(&binary());
        s.add(&binary());
        if ark {
            s.add(&transform());
            s.add(&powmul(Access::Linear));
        } else if layout == Layout::Halves {
            // h back to natural order.
            s.add(&coset());
        }
        s
    }

    /// [`crate::Device::ntt_halves_on_card`] of m points: the 2-point NTTs (halves
    /// zipped both ways), the second half's twiddles, the two halves' transforms.
    pub fn ntt_halves_stats(&self, m: usize) -> EngineStats {
        let h = m / 2;
        let beats = wire::kernel_out_beats(m);
        let zipped = (beats, Access::two_rows(beats));
        let half = (wire::kernel_out_beats(h), Access::Linear);
        let mut s = EngineStats::default();
        let pairs = self.ntt_cycles(m, 1, FactorKind::Plain);
        s.add(&self.memory_job(pairs, m as u64, zipped, zipped, 0));
        let twiddles = self.elementwise_cycles(Opcode::PowMul, h);
        s.add(&self.memory_job(twiddles, h as u64, half, half, 0));
        s.add(&self.ntt_on_card_stats(h));
        s.add(&self.ntt_on_card_stats(h));
        // Every job streams its whole range: the pairs m, the rest h each.
        s.elements = (m + (s.jobs - 1) * h) as u64;
        s
    }

    /// The step for a curve the model card computes over; see [`crate::qap_on_card`].
    fn qap_h_msm<F: FftField, A: AffineRepr<ScalarField = F>>(
        &self,
        abc: [&[F]; 3],
        h_query: &[A],
        reduction: Reduction<F>,
    ) -> Option<Result<(A::Group, QapReport)>> {
        let n = abc[0].len();
        if abc.iter().any(|v| v.len() != n) || h_query.len() > n {
            return None;
        }
        let layout =
            crate::qap_on_card::layout(&self.caps, self.caps.card_memory_bytes(), n, false)?;
        Some(self.qap_run(abc, h_query, reduction, layout))
    }

    /// The step in `layout` (whatever the domain's size: how tests model the halves on a
    /// small preset); see [`crate::qap_on_card`].
    pub fn qap_run<F: FftField, A: AffineRepr<ScalarField = F>>(
        &self,
        abc: [&[F]; 3],
        h_query: &[A],
        reduction: Reduction<F>,
        layout: Layout,
    ) -> Result<(A::Group, QapReport)> {
        let n = abc[0].len();
        let g = match reduction {
            Reduction::Ark => F::GENERATOR,
            Reduction::Snarkjs { odd } => odd,
        };
        let domain = Radix2EvaluationDomain::<F>::new(n).expect("a power of two");
        let coset = domain.get_coset(g).expect("an invertible offset");
        let evals: Vec<Vec<F>> = abc.iter().map(|v| coset.fft(&domain.ifft(v))).collect();
        let h: Vec<F> = (0..n)
            .map(|i| evals[0][i] * evals[1][i] - evals[2][i])
            .collect();
        let ark = reduction == Reduction::Ark;
        let h = if ark { coset.ifft(&h) } else { h };
        let mut device = self.qap_on_card_stats(n, ark, layout);
        // The host encodes the three uploads, as a driver would.
        device.codec_s = 3.0 * self.time_encode_stream(n);
        let (sum, msm) = self.msm_scalars_on_card(h_query, &h[..h_query.len()])?;
        if !ark {
            return Ok((sum, QapReport { device, msm }));
        }
        let z_inv = crate::groth16::qap::coset_vanishing_inverse(&domain);
        Ok((sum * z_inv, QapReport { device, msm }))
    }
}

/// Every curve (the model's MSM checks it is the preset's).
impl<E: ark_ec::pairing::Pairing> QapEngine<E> for ModelCard {
    fn qap_h_msm_on_card(
        &self,
        abc: [&[E::ScalarField]; 3],
        h_query: &[E::G1Affine],
        reduction: Reduction<E::ScalarField>,
    ) -> Option<Result<(E::G1, QapReport)>> {
        self.qap_h_msm(abc, h_query, reduction)
    }
}
