//! `zkpipe vec`: one elementwise job on random vectors, checked against arkworks.

use crate::args::{CurveArg, FaultArg, OpArg, VecArgs};
use crate::progress::Progress;
use crate::{emit, Outcome};
use ark_ff::fields::models::fp::MontConfig;
use ark_ff::{Field, UniformRand};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::time::{Duration, Instant};
use zkpipe::{Device, Opcode, Scalar};

#[derive(Serialize)]
struct VecReport {
    ok: bool,
    checked: bool,
    device: String,
    curve: &'static str,
    op: &'static str,
    n: usize,
    cycles: u32,
    stall_cycles: u32,
    beats_in: u32,
    beats_out: u32,
    elements_per_cycle: f64,
    sim_cycles: Option<u64>,
    clock_mhz: f64,
    projected_s: f64,
    host_s: f64,
    check_s: f64,
}

pub fn run(args: &VecArgs) -> Outcome {
    match args.curve {
        CurveArg::Bn254 => run_on::<ark_bn254::FrConfig>(args),
        CurveArg::Bls12_381 => run_on::<ark_bls12_381::FrConfig>(args),
    }
}

fn opcode(op: OpArg) -> Opcode {
    match op {
        OpArg::Mul => Opcode::Mul,
        OpArg::Add => Opcode::Add,
        OpArg::Sub => Opcode::Sub,
        OpArg::Powmul => Opcode::PowMul,
    }
}

#[cfg(feature = "sim")]
fn inject(device: &Device, fault: FaultArg) -> Result<(), String> {
    use zkpipe::Fault;
    let fault = match fault {
        FaultArg::DmaError => Fault::DmaError,
        FaultArg::Stuck => Fault::Stuck,
        FaultArg::ShortStream => Fault::ShortStream,
        FaultArg::CorruptH2c => Fault::CorruptH2c { beat: 0, bit: 7 },
        FaultArg::CorruptC2h => Fault::CorruptC2h { beat: 0, bit: 7 },
    };
    device.inject_fault(fault).map_err(|e| e.to_string())
}

#[cfg(not(feature = "sim"))]
fn inject(_: &Device, _: FaultArg) -> Result<(), String> {
    Err("--inject needs zkpipe built with its `sim` feature (simulated boards)".into())
}

fn run_on<C: MontConfig<4>>(args: &VecArgs) -> Outcome {
    let uri = &args.common.device;
    let op = opcode(args.op);
    let n = args.n;
    let device = Device::open(uri).map_err(|e| e.to_string())?;
    // Sizes are checked against the card before anything is allocated.
    let max = device.capabilities().max_count as usize;
    if n == 0 {
        return Err(zkpipe::Error::Empty.to_string());
    }
    if n > max {
        return Err(zkpipe::Error::TooLarge { n, max }.to_string());
    }
    crate::sizes::check_memory("--n", n, 3 * std::mem::size_of::<Scalar<C>>())?;
    if let Some(ms) = args.timeout_ms {
        device.set_timeout(Some(Duration::from_millis(ms)));
    }
    if let Some(fault) = args.inject {
        inject(&device, fault)?;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(args.common.seed);
    let a: Vec<Scalar<C>> = (0..n).map(|_| Scalar::<C>::rand(&mut rng)).collect();
    let b: Vec<Scalar<C>> = (0..n).map(|_| Scalar::<C>::rand(&mut rng)).collect();
    let g = Scalar::<C>::rand(&mut rng);

    let result = {
        let _progress = Progress::start(uri, &format!("{} × {n}", op.name()));
        match op {
            Opcode::PowMul => device.powmul::<C>(&a, g),
            _ => device.elementwise::<C>(op, &a, Some(&b), None),
        }
    };
    let (r, report) = result.map_err(|e| e.to_string())?;
    let check_start = Instant::now();
    let ok = !args.check || r == expected(op, &a, &b, g);
    let check_s = check_start.elapsed().as_secs_f64();
    let c = report.counters;
    let out = VecReport {
        ok,
        checked: args.check,
        device: device.uri().to_string(),
        curve: args.curve.name(),
        op: op.name(),
        n,
        cycles: c.busy_cycles,
        stall_cycles: c.stall_cycles,
        beats_in: c.beats_in,
        beats_out: c.beats_out,
        elements_per_cycle: if c.busy_cycles > 0 {
            n as f64 / c.busy_cycles as f64
        } else {
            0.0
        },
        sim_cycles: report.sim_cycles,
        clock_mhz: report.clock_mhz,
        projected_s: report.projected_s,
        host_s: report.host_s,
        check_s,
    };
    emit(args.common.json, &out, |r| {
        println!(
            "{} {} × {} on {}",
            if r.ok { "ok" } else { "MISMATCH" },
            r.op,
            r.n,
            r.device
        );
        println!(
            "device cycles  {} busy ({} stalled), {:.3} elements/cycle",
            r.cycles, r.stall_cycles, r.elements_per_cycle
        );
        if let Some(sc) = r.sim_cycles {
            println!("simulated      {sc} cycles including BAR accesses and DMA setup");
        }
        println!(
            "projected      {:.3e} s at {} MHz",
            r.projected_s, r.clock_mhz
        );
        crate::print_host_and_check(r.host_s, r.checked, r.check_s, r.ok, "arkworks");
    });
    crate::verdict(ok, "results", "arkworks")
}

/// What arkworks computes for the job.
fn expected<C: MontConfig<4>>(
    op: Opcode,
    a: &[Scalar<C>],
    b: &[Scalar<C>],
    g: Scalar<C>,
) -> Vec<Scalar<C>> {
    match op {
        Opcode::Mul => a.iter().zip(b).map(|(x, y)| x * y).collect(),
        Opcode::Add => a.iter().zip(b).map(|(x, y)| x + y).collect(),
        Opcode::Sub => a.iter().zip(b).map(|(x, y)| x - y).collect(),
        _ => {
            let mut p = Scalar::<C>::ONE;
            a.iter()
                .map(|x| {
                    let v = *x * p;
                    p *= g;
                    v
                })
                .collect()
        }
    }
}
