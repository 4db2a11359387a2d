//! Batched four-step NTT on an engine.
//!
//! For n = N1·N2 (N2 = the core size N, N1 = n/N), input index k = N2·k1 + k2 and output
//! index j = j1 + N1·j2:
//!
//! X[j1 + N1·j2] = Σ_k2 ω_N2^(j2·k2) · ω_n^(j1·k2) · Σ_k1 ω_N1^(j1·k1) · x[N2·k1 + k2]
//!
//! 1. transpose the N1×N2 matrix: the N2 column sequences become contiguous;
//! 2. N2 NTTs of N1 points on the engine (recursively four-step when N1 > N);
//! 3. transpose back: row j1 holds `Y[k2][j1]` for all k2;
//! 4. N1 NTTs of N2 points on the engine, its front multiplier applying ω_n^(j1·k2)
//!    (row index j1 = the job's row counter);
//! 5. transpose the N1×N2 result: X in natural order.
//!
//! Inverse transforms use ω⁻¹ throughout and the engine's 1/N1 and 1/N2 scalings multiply
//! to 1/n. The host never multiplies an element.

use super::transpose::transpose_batch;
use super::{Direction, EngineStats, Factor, NttEngine, NttJob, NttReport};
use crate::error::Result;
use ark_ff::FftField;
use std::time::Instant;

/// Transforms `batch` sequences of `data.len() / batch` points each, in place.
pub fn transform<F: FftField, E: NttEngine<F> + ?Sized>(
    engine: &E,
    data: &mut [F],
    batch: usize,
    direction: Direction,
    report: &mut NttReport,
) -> Result<()> {
    let n = data.len() / batch;
    let log_n = n.trailing_zeros();
    let k = engine.core_log_size();
    if log_n <= k {
        let job = NttJob {
            log_n,
            direction,
            factor: Factor::Plain,
        };
        return run_chunked(engine, data, n, None, |_| job, &mut report.device);
    }
    let (n2, n1) = (1usize << k, n >> k);
    let mut scratch = vec![F::ZERO; data.len()];
    // 1. columns contiguous: each sequence's N1×N2 matrix → N2×N1.
    timed(report, || {
        transpose_batch(data, &mut scratch, batch, n1, n2)
    });
    // 2. N2·batch column NTTs of N1 points.
    transform(engine, &mut scratch, batch * n2, direction, report)?;
    // 3. back to N1 rows of N2.
    timed(report, || transpose_batch(&scratch, data, batch, n2, n1));
    // 4. row NTTs with twiddles ω_n^(j1·k2); one sequence's rows are rows 0..N1.
    let log_t = log_n;
    run_chunked(
        engine,
        data,
        n2,
        Some(n1),
        |first_row| NttJob {
            log_n: k,
            direction,
            factor: Factor::Twiddle {
                log_t,
                row0: (first_row % n1) as u32,
            },
        },
        &mut report.device,
    )?;
    // 5. natural order.
    timed(report, || {
        transpose_batch(data, &mut scratch, batch, n1, n2)
    });
    data.copy_from_slice(&scratch);
    Ok(())
}

/// Runs the NTTs of `ntt_len` points in `data` in jobs of at most `max_job` elements;
/// `job(first_row)` builds each job. With `rows_per_seq`, a job never straddles two
/// sequences (a twiddle job's row numbering restarts at each sequence): every count here is
/// a power of two, so capping the job at that many rows aligns it.
fn run_chunked<F: FftField, E: NttEngine<F> + ?Sized>(
    engine: &E,
    data: &mut [F],
    ntt_len: usize,
    rows_per_seq: Option<usize>,
    job: impl Fn(usize) -> NttJob<F>,
    stats: &mut EngineStats,
) -> Result<()> {
    let fit = (engine.max_job() / ntt_len).max(1);
    let mut per_job = 1usize << fit.ilog2();
    if let Some(rows) = rows_per_seq {
        per_job = per_job.min(rows);
    }
    // One call: an engine that appends jobs to a run overlaps them.
    let len = per_job * ntt_len;
    let jobs: Vec<_> = (0..data.len().div_ceil(len))
        .map(|i| ((data.len() - i * len).min(len), job(i * per_job)))
        .collect();
    stats.add(&engine.run_many(data, &jobs)?);
    Ok(())
}

fn timed(report: &mut NttReport, f: impl FnOnce()) {
    let t = Instant::now();
    f();
    report.transpose_s += t.elapsed().as_secs_f64();
}
