//! `zkpipe ntt`: NTTs on a backend (a card, or `cpu` for arkworks), checked against
//! ark-poly.

use crate::args::{CurveArg, NttArgs};
use crate::progress::Progress;
use crate::{emit, Outcome};
use ark_ec::pairing::Pairing;
use ark_ff::{FftField, UniformRand};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::time::Instant;
use zkpipe::backend::cpu::ark_ntt;
use zkpipe::backend::{self, Backend, BoardBackend};
use zkpipe::{Coset, Direction};

#[derive(Serialize)]
struct NttReport {
    ok: bool,
    checked: bool,
    device: String,
    curve: &'static str,
    log_n: u32,
    batch: usize,
    /// Transforms per card job, if capped (`--per-job`).
    per_job: Option<usize>,
    inverse: bool,
    coset: bool,
    jobs: usize,
    cycles: u64,
    elements_streamed: u64,
    utilisation: f64,
    sim_cycles: Option<u64>,
    clock_mhz: Option<f64>,
    projected_s: Option<f64>,
    transpose_s: f64,
    butterfly_s: f64,
    /// Encoding the jobs' input beats and decoding their results on the host.
    codec_s: f64,
    /// The planner's copies and allocations (the rest of `host_cpu_s`).
    copies_s: f64,
    /// The card's share of host CPU work: transposes + radix-2 steps + stream codec +
    /// copies.
    host_cpu_s: f64,
    host_s: f64,
    check_s: f64,
}

pub fn run(args: &NttArgs) -> Outcome {
    match args.curve {
        CurveArg::Bn254 => run_on::<ark_bn254::Bn254>(args),
        CurveArg::Bls12_381 => run_on::<ark_bls12_381::Bls12_381>(args),
    }
}

fn run_on<E: Pairing>(args: &NttArgs) -> Outcome
where
    BoardBackend: Backend<E>,
{
    let uri = &args.common.device;
    let log_n = args.log_n;
    let two_adicity = E::ScalarField::TWO_ADICITY;
    if log_n > two_adicity {
        return Err(format!(
            "--log-n {log_n}: {}'s scalar field has NTTs of at most 2^{two_adicity} points",
            args.curve.name()
        ));
    }
    let n = 1usize << log_n;
    let batch = args.batch.max(1);
    let copies = if args.check { 3 } else { 2 };
    crate::sizes::check_memory(
        "--log-n × --batch",
        n.saturating_mul(batch),
        copies * std::mem::size_of::<E::ScalarField>(),
    )?;
    let backend = backend::open::<E>(uri).map_err(|e| e.to_string())?;
    let direction = if args.inverse {
        Direction::Inverse
    } else {
        Direction::Forward
    };
    let coset = if args.coset {
        Coset::Offset(E::ScalarField::GENERATOR)
    } else {
        Coset::None
    };
    let mut rng = ChaCha8Rng::seed_from_u64(args.common.seed);
    let input: Vec<E::ScalarField> = (0..n * batch)
        .map(|_| E::ScalarField::rand(&mut rng))
        .collect();
    let label = format!(
        "{} NTT{} of 2^{log_n}{}",
        if args.inverse { "inverse" } else { "forward" },
        if batch > 1 {
            format!(" ×{batch}")
        } else {
            String::new()
        },
        if args.coset { " on a coset" } else { "" },
    );
    let started = Instant::now();
    let mut output = input.clone();
    {
        let _progress = Progress::start(uri, &label);
        if coset == Coset::None && n > 1 {
            backend.ntt_batch_in_jobs(&mut output, log_n, direction, args.per_job)
        } else {
            output
                .chunks_mut(n)
                .try_for_each(|y| backend.ntt(y, direction, coset))
        }
        .map_err(|e| e.to_string())?;
    }
    let host_s = started.elapsed().as_secs_f64();
    let stats = backend.stats();
    let clock_mhz = backend.capabilities().map(|c| c.clock_mhz());
    let on_card = clock_mhz.is_some();
    let checked = args.check && on_card;
    let check_start = Instant::now();
    let ok = if checked {
        let mut expected = input;
        for y in expected.chunks_mut(n) {
            ark_ntt(y, direction, coset).map_err(|e| e.to_string())?;
        }
        expected == output
    } else {
        true
    };
    let butterfly_s = stats.ntt_butterfly_time.as_secs_f64();
    let codec_s = stats.stream_codec_time.as_secs_f64();
    let transpose_s = stats.ntt_transpose_time.as_secs_f64();
    let out = NttReport {
        ok,
        checked,
        device: uri.to_string(),
        curve: args.curve.name(),
        log_n,
        batch,
        per_job: args.per_job,
        inverse: args.inverse,
        coset: args.coset,
        jobs: stats.device.jobs,
        cycles: stats.device.busy_cycles,
        elements_streamed: stats.device.elements,
        utilisation: stats.device.utilisation(),
        sim_cycles: stats.device.sim_cycles,
        clock_mhz,
        projected_s: clock_mhz.map(|_| stats.device.projected_s),
        transpose_s,
        butterfly_s,
        codec_s,
        copies_s: (stats.ntt_host_time.as_secs_f64() - transpose_s - butterfly_s - codec_s)
            .max(0.0),
        host_cpu_s: stats.ntt_host_time.as_secs_f64(),
        host_s,
        check_s: check_start.elapsed().as_secs_f64(),
    };
    emit(args.common.json, &out, |r| {
        println!(
            "{} {label} on {}",
            if r.ok { "ok" } else { "MISMATCH" },
            r.device
        );
        if let (Some(mhz), Some(projected)) = (r.clock_mhz, r.projected_s) {
            println!(
                "device cycles  {} busy over {} jobs, utilisation {:.3} ({} elements streamed)",
                r.cycles, r.jobs, r.utilisation, r.elements_streamed
            );
            if let Some(sc) = r.sim_cycles {
                println!("simulated      {sc} cycles including BAR accesses and DMA setup");
            }
            println!("projected      {projected:.3e} s at {mhz} MHz");
            println!("transposes     {:.3} s on the host", r.transpose_s);
            println!(
                "stream codec   {:.3} s on the host (input beats, results)",
                r.codec_s
            );
            println!(
                "copies         {:.3} s on the host (the planner's buffers)",
                r.copies_s
            );
            if r.butterfly_s > 0.0 {
                println!(
                    "radix-2 steps  {:.3} s on the host (n beyond the card)",
                    r.butterfly_s
                );
            }
        }
        crate::print_host_and_check(r.host_s, r.checked, r.check_s, r.ok, "ark-poly");
    });
    crate::verdict(ok, "results", "ark-poly")
}
