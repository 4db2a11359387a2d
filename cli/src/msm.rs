//! `zkpipe msm`: a G1 or G2 MSM on a backend (a card, `model:<preset>` for a projection of
//! a preset's card, or `cpu` for arkworks), checked against arkworks' `VariableBaseMSM`.

use crate::args::{CurveArg, GroupArg, MsmArgs, ScalarsArg};
use crate::progress::Progress;
use crate::{emit, Outcome};
use ark_ec::pairing::Pairing;
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{AdditiveGroup, Field, UniformRand};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::time::Instant;
use zkpipe::backend::{self, Backend, BoardBackend};

#[derive(Serialize)]
struct MsmCliReport {
    ok: bool,
    checked: bool,
    device: String,
    curve: &'static str,
    group: &'static str,
    n: usize,
    scalars: &'static str,
    resident: bool,
    window_bits: Option<u32>,
    windows: Option<u32>,
    adders: Option<u32>,
    cycles: Option<u64>,
    accum_cycles: Option<u64>,
    adds: Option<u64>,
    deferrals: Option<u64>,
    /// Bucket-reduction groups per window on the card (0: the host reduces the buckets).
    reduce_groups: Option<u32>,
    /// Cycles of the bucket reduction on the card.
    reduce_cycles: Option<u64>,
    utilisation: Option<f64>,
    cycles_per_point_window: Option<f64>,
    load_jobs: usize,
    run_jobs: usize,
    sim_cycles: Option<u64>,
    clock_mhz: Option<f64>,
    projected_s: Option<f64>,
    reduce_s: Option<f64>,
    host_cpu_s: Option<f64>,
    load_s: Option<f64>,
    host_s: f64,
    check_s: f64,
}

pub fn run(args: &MsmArgs) -> Outcome {
    match args.curve {
        CurveArg::Bn254 => run_on::<ark_bn254::Bn254>(args),
        CurveArg::Bls12_381 => run_on::<ark_bls12_381::Bls12_381>(args),
    }
}

/// Distinct bases cheaply: P_i = P_0 + i·Q for random P_0, Q (one addition each).
fn bases<G: CurveGroup>(n: usize, rng: &mut ChaCha8Rng) -> Vec<G::Affine> {
    let g = G::generator();
    let q = g * G::ScalarField::rand(rng);
    let mut p = g * G::ScalarField::rand(rng);
    let mut points = Vec::with_capacity(n);
    for _ in 0..n {
        points.push(p);
        p += q;
    }
    G::normalize_batch(&points)
}

/// `window_bits`: the engine's c, for `same-bucket` (8 when there is no card engine).
fn scalars<E: Pairing>(
    kind: ScalarsArg,
    n: usize,
    window_bits: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<E::ScalarField> {
    match kind {
        ScalarsArg::Random => (0..n).map(|_| E::ScalarField::rand(rng)).collect(),
        ScalarsArg::Zero => vec![E::ScalarField::ZERO; n],
        ScalarsArg::Max => vec![-E::ScalarField::ONE; n],
        // One digit in every window of what the card sees (its Montgomery limbs).
        ScalarsArg::SameBucket => {
            vec![zkpipe::msm::scalars::same_bucket::<E::ScalarField>(window_bits); n]
        }
    }
}

fn run_on<E: Pairing>(args: &MsmArgs) -> Outcome
where
    BoardBackend: Backend<E>,
{
    match args.group {
        GroupArg::G1 => run_group::<E, E::G1>(args, |b, p, k| b.msm_g1(p, k), |s| s.msm_device),
        GroupArg::G2 => run_group::<E, E::G2>(args, |b, p, k| b.msm_g2(p, k), |s| s.msm_g2_device),
    }
}

type DynBackend<E> = dyn Backend<E>;

fn run_group<E: Pairing, G: CurveGroup<ScalarField = E::ScalarField> + VariableBaseMSM>(
    args: &MsmArgs,
    msm: impl Fn(&DynBackend<E>, &[G::Affine], &[E::ScalarField]) -> zkpipe::Result<G>,
    device_work: impl Fn(&zkpipe::backend::BackendStats) -> zkpipe::msm::MsmReport,
) -> Outcome
where
    BoardBackend: Backend<E>,
{
    let uri = &args.common.device;
    let n = args.n;
    let per_point = std::mem::size_of::<G::Affine>() + std::mem::size_of::<E::ScalarField>();
    crate::sizes::check_memory("--n", n, per_point + std::mem::size_of::<G>())?;
    let backend = backend::open::<E>(uri).map_err(|e| e.to_string())?;
    let mut rng = ChaCha8Rng::seed_from_u64(args.common.seed);
    let group = args.group.group();
    // The card's engine for this group and its clock (None on the CPU).
    let engine = backend
        .capabilities()
        .map(|c| (c.msm_engine(group), c.clock_mhz()));
    let window_bits = engine
        .as_ref()
        .filter(|e| e.0.present())
        .map_or(8, |e| e.0.window_bits as usize);
    let scalars = scalars::<E>(args.scalars, n, window_bits, &mut rng);
    let bases = bases::<G>(n, &mut rng);
    let label = format!(
        "{} MSM of {n} points ({} scalars, {})",
        group.name().to_uppercase(),
        args.scalars.name(),
        args.curve.name()
    );
    let progress = Progress::start(uri, &label);
    let mut load_s = None;
    if args.resident && n > 0 && backend.capabilities().is_some() {
        // The first call makes the bases resident on the card; the measured call streams
        // scalars only. (Nothing is resident on the CPU: one call is measured.)
        progress.stage(&format!("making {n} bases resident on {uri}"));
        let t = Instant::now();
        msm(backend.as_ref(), &bases, &scalars).map_err(|e| e.to_string())?;
        load_s = Some(t.elapsed().as_secs_f64());
        progress.stage(&label);
    }
    let before = backend.stats();
    let started = Instant::now();
    let sum = msm(backend.as_ref(), &bases, &scalars).map_err(|e| e.to_string())?;
    let host_s = started.elapsed().as_secs_f64();
    drop(progress);
    let work = device_work(&backend.stats().since(&before));
    // None as well for G2 on a card without a G2 engine: the MSM ran on the host.
    let caps = engine.filter(|e| e.0.present() || work.run_jobs > 0);
    let checked = args.check && caps.is_some();
    let check_start = Instant::now();
    let ok = !checked || G::msm(&bases, &scalars).ok() == Some(sum);
    let check_s = check_start.elapsed().as_secs_f64();
    let card = caps.as_ref().map(|_| work);
    let windows = caps.as_ref().map_or(0, |c| c.0.windows as usize);
    let out = MsmCliReport {
        ok,
        checked,
        device: uri.to_string(),
        curve: args.curve.name(),
        group: group.name(),
        n,
        scalars: args.scalars.name(),
        resident: args.resident,
        window_bits: caps.as_ref().map(|c| c.0.window_bits),
        windows: caps.as_ref().map(|c| c.0.windows),
        adders: caps.as_ref().map(|c| c.0.adders),
        cycles: card.map(|r| r.busy_cycles),
        accum_cycles: card.map(|r| r.accum_cycles),
        adds: card.map(|r| r.adds),
        deferrals: card.map(|r| r.deferrals),
        reduce_groups: caps.as_ref().map(|c| c.0.reduce_groups),
        reduce_cycles: card.map(|r| r.reduce_cycles),
        utilisation: card.map(|r| r.utilisation()),
        cycles_per_point_window: card
            .map(|r| r.accum_cycles as f64 / (n.max(1) * windows.max(1)) as f64),
        load_jobs: work.load_jobs,
        run_jobs: work.run_jobs,
        sim_cycles: work.sim_cycles,
        clock_mhz: caps.as_ref().map(|c| c.1),
        projected_s: card.map(|r| r.projected_s),
        reduce_s: card.map(|r| r.reduce_s),
        // The host's share of a card MSM: encoding the streams (checksum included) and the
        // bucket reduction, or the combination of the card's window sums, and the scaling by
        // R⁻¹ (simulation, waiting for the card and input generation excluded).
        host_cpu_s: card.map(|r| r.host_cpu_s()),
        load_s,
        host_s,
        check_s,
    };
    emit(args.common.json, &out, |r| {
        println!(
            "{} {label} on {}",
            if r.ok { "ok" } else { "MISMATCH" },
            r.device
        );
        if let (Some(w), Some(c)) = (&card, &caps) {
            println!(
                "device cycles  {} busy over {} run / {} load jobs (c = {}, {} windows)",
                w.busy_cycles, w.run_jobs, w.load_jobs, c.0.window_bits, c.0.windows
            );
            println!(
                "accumulation   {} cycles, {} additions, utilisation {:.3}, {} deferrals, {:.3} cycles per point per window",
                w.accum_cycles,
                w.adds,
                w.utilisation(),
                w.deferrals,
                r.cycles_per_point_window.unwrap_or(0.0)
            );
            if let Some(sc) = w.sim_cycles {
                println!("simulated      {sc} cycles including BAR accesses and DMA setup");
            }
            println!("projected      {:.3e} s at {} MHz", w.projected_s, c.1);
            if c.0.reduce_groups > 0 {
                println!(
                    "reduction      {} cycles on the card ({} groups per window), {:.2e} s on the host combining the sums",
                    w.reduce_cycles, c.0.reduce_groups, w.reduce_s
                );
            } else {
                println!("reduction      {:.3} s on the host", w.reduce_s);
            }
        }
        if let Some(l) = r.load_s {
            println!("load bases     {l:.3} s (once; later calls stream scalars only)");
        }
        crate::print_host_and_check(r.host_s, r.checked, r.check_s, r.ok, "arkworks");
    });
    crate::verdict(ok, "MSM results", "arkworks")
}
