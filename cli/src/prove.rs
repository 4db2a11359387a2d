//! `zkpipe prove`: a Groth16 proof of a built-in circuit on a backend.

use crate::args::{CurveArg, ProveArgs};
use crate::progress::Progress;
use crate::{emit, Outcome};
use ark_ec::pairing::Pairing;
use ark_ff::UniformRand;
use ark_groth16::Groth16;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::time::Instant;
use zkpipe::backend::{self, Backend, BoardBackend};
use zkpipe::groth16::{self, circuits::MimcChain, ProveOptions};

#[derive(Serialize)]
struct ProveReport {
    ok: bool,
    device: String,
    curve: &'static str,
    circuit: &'static str,
    constraints: usize,
    domain_size: usize,
    verified: bool,
    setup_s: f64,
    /// Witness generation and the constraint matrices (ark-relations synthesis): reported
    /// apart, not part of the proof's time (`total_s`, `projected_s`), which runs from the
    /// full assignment in host memory.
    synthesis_s: f64,
    total_s: f64,
    ntt_s: f64,
    ntt_host_steps_s: f64,
    /// Of `ntt_host_steps_s`: encoding and decoding the NTT and pointwise jobs' streams.
    stream_codec_s: f64,
    ntt_calls: usize,
    /// The QAP step and h's MSM ran in card memory (h never crossed PCIe; its NTTs and
    /// pointwise jobs are not in `ntt_calls`).
    qap_on_card: bool,
    /// Wall time of that step (simulation included on a `sim:` board).
    qap_on_card_s: f64,
    msm_g1_s: f64,
    msm_g1_calls: usize,
    msm_g2_s: f64,
    msm_g2_calls: usize,
    /// Time of the G2 MSMs run on the host (0 when the card has a G2 engine).
    msm_g2_host_s: f64,
    /// Busy cycles of the card's G2 engine.
    g2_device_cycles: u64,
    elementwise_s: f64,
    host_s: f64,
    verify_s: f64,
    device_jobs: usize,
    device_cycles: u64,
    device_projected_s: f64,
    msm_adds: u64,
    msm_run_jobs: usize,
    msm_reduce_s: f64,
    projected_card_s: Option<f64>,
    /// The proof on the card: `projected_card_s` (named as in `zkpipe msm --json`).
    projected_s: Option<f64>,
    /// The proof on the card if the prover issued the QAP chain and the MSMs over the
    /// witness concurrently (`Timeline::overlapped`: host and card one step at a time
    /// each); a projection, today's prover issues its calls one after another.
    projected_overlapped_s: Option<f64>,
    /// The host's share of a card proof: prover host work, NTT host steps, the G2 MSM and
    /// the bucket reductions (CPU time of this machine).
    host_cpu_s: Option<f64>,
    /// Proofs per second of a stream of witnesses against this key on one card and on two,
    /// with proofs in flight: 1 / `Timeline::stream_period_s` (a bound, see there).
    stream_proofs_per_s: Option<[f64; 2]>,
    /// Every backend call and the host work between them (lanes: host, card_ntt,
    /// card_msm), seconds from the proof's start on the card's clock.
    timeline: zkpipe::groth16::timeline::Timeline,
}

pub fn run(args: &ProveArgs) -> Outcome {
    match args.curve {
        CurveArg::Bn254 => run_on::<ark_bn254::Bn254>(args),
        CurveArg::Bls12_381 => run_on::<ark_bls12_381::Bls12_381>(args),
    }
}

fn run_on<E: Pairing>(args: &ProveArgs) -> Outcome
where
    BoardBackend: Backend<E>,
{
    let uri = &args.common.device;
    let constraints = args.constraints as usize;
    let backend = backend::open::<E>(uri).map_err(|e| e.to_string())?;
    let mut rng = ChaCha8Rng::seed_from_u64(args.common.seed);
    let circuit = MimcChain::with_constraints(E::ScalarField::rand(&mut rng), constraints);
    let progress = Progress::start(uri, "proof");
    progress.stage("generating the proving key (CPU)");
    let setup_start = Instant::now();
    let pk = Groth16::<E>::generate_random_parameters_with_reduction(circuit.clone(), &mut rng)
        .map_err(|e| e.to_string())?;
    let setup_s = setup_start.elapsed().as_secs_f64();
    progress.stage(&format!("proving {constraints} constraints on {uri}"));
    let (r, s) = (
        E::ScalarField::rand(&mut rng),
        E::ScalarField::rand(&mut rng),
    );
    let options = ProveOptions {
        verify: args.verify,
    };
    let (_proof, report) =
        groth16::prove(backend.as_ref(), &pk, circuit, r, s, options).map_err(|e| e.to_string())?;
    drop(progress);
    let b = &report.backend;
    let out = ProveReport {
        ok: true,
        device: backend.describe(),
        curve: args.curve.name(),
        circuit: "mimc",
        constraints: report.constraints,
        domain_size: report.domain_size,
        verified: report.verified,
        setup_s,
        synthesis_s: report.synthesis.as_secs_f64(),
        total_s: report.total.as_secs_f64(),
        ntt_s: b.ntt_time.as_secs_f64(),
        ntt_host_steps_s: b.ntt_host_time.as_secs_f64(),
        stream_codec_s: b.stream_codec_time.as_secs_f64(),
        ntt_calls: b.ntt_calls,
        qap_on_card: b.qap_on_card_calls > 0,
        qap_on_card_s: b.qap_on_card_time.as_secs_f64(),
        msm_g1_s: b.msm_g1_time.as_secs_f64(),
        msm_g1_calls: b.msm_g1_calls,
        msm_g2_s: b.msm_g2_time.as_secs_f64(),
        msm_g2_calls: b.msm_g2_calls,
        msm_g2_host_s: b.msm_g2_host_time.as_secs_f64(),
        g2_device_cycles: b.msm_g2_device.busy_cycles,
        elementwise_s: b.elementwise_time.as_secs_f64(),
        host_s: report.host.as_secs_f64(),
        verify_s: report.verify.as_secs_f64(),
        device_jobs: b.device.jobs,
        device_cycles: b.device.busy_cycles,
        device_projected_s: b.device.projected_s,
        msm_adds: b.msm_device.adds,
        msm_run_jobs: b.msm_device.run_jobs,
        msm_reduce_s: b.msm_device.reduce_s,
        projected_card_s: report.projected_card_s(),
        projected_s: report.projected_card_s(),
        projected_overlapped_s: report.projected_overlapped_s(),
        host_cpu_s: report
            .projected_card_s()
            .map(|_| report.timeline.host_busy_s()),
        stream_proofs_per_s: report
            .projected_card_s()
            .map(|_| [1, 2].map(|cards| 1.0 / report.timeline.stream_period_s(cards))),
        timeline: report.timeline.clone(),
    };
    if let Some(path) = &args.timeline {
        let title = format!(
            "Groth16, {} constraints on {}: {:.3} s",
            report.constraints,
            backend.describe(),
            report.timeline.end_s()
        );
        std::fs::write(path, report.timeline.svg(&title))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let Some(path) = &args.timeline_overlapped {
        let overlapped = report.timeline.overlapped();
        let title = format!(
            "Groth16, {} constraints on {}, QAP and witness MSMs overlapped: {:.3} s",
            report.constraints,
            backend.describe(),
            overlapped.end_s()
        );
        std::fs::write(path, overlapped.svg(&title))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    emit(args.common.json, &out, |r| {
        println!(
            "proof of {} constraints (mimc, domain 2^{}) on {}{}",
            r.constraints,
            r.domain_size.trailing_zeros(),
            r.device,
            if r.verified { ": verified" } else { "" }
        );
        println!(
            "key setup      {:.3} s (CPU, not part of proving)",
            r.setup_s
        );
        println!(
            "synthesis      {:.3} s (witness and matrices, not part of proving)",
            r.synthesis_s
        );
        println!("total          {:.3} s", r.total_s);
        if r.qap_on_card {
            println!("  QAP + h MSM  {:.3} s (in card memory)", r.qap_on_card_s);
        }
        println!("  NTT          {:.3} s ({} calls)", r.ntt_s, r.ntt_calls);
        println!(
            "  MSM G1       {:.3} s ({} calls{})",
            r.msm_g1_s,
            r.msm_g1_calls,
            if r.msm_run_jobs > 0 {
                ", on the card"
            } else {
                ""
            }
        );
        println!(
            "  MSM G2       {:.3} s ({} call, {})",
            r.msm_g2_s,
            r.msm_g2_calls,
            if r.g2_device_cycles > 0 {
                "on the card's G2 engine"
            } else {
                "host CPU"
            }
        );
        println!("  pointwise    {:.3} s", r.elementwise_s);
        println!(
            "  host         {:.3} s (matrix products, group sums)",
            r.host_s
        );
        if r.verified {
            println!("  verify       {:.3} s", r.verify_s);
        }
        if let Some(card_s) = r.projected_card_s {
            println!(
                "device         {} jobs, {} busy cycles, projected {:.3e} s at the card's clock",
                r.device_jobs, r.device_cycles, r.device_projected_s
            );
            println!(
                "host on a card {:.3} s NTT steps, {:.3} s bucket reduction, {:.3} s G2 MSM on the host",
                r.ntt_host_steps_s, r.msm_reduce_s, r.msm_g2_host_s
            );
            println!("projected      {card_s:.3} s for this proof on the card");
            if let Some(o) = r.projected_overlapped_s {
                println!(
                    "overlapped     {o:.3} s with the QAP and the witness MSMs issued concurrently (Timeline::overlapped)"
                );
            }
            if let Some([one, two]) = r.stream_proofs_per_s {
                println!(
                    "stream         {one:.1} proofs/s on one card, {two:.1} on two, with proofs in flight (Timeline::stream_period_s)"
                );
            }
        }
    });
    Ok(true)
}
