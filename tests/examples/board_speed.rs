//! How fast Verilator runs the simulated `sim-small` board: board clock cycles per second
//! of wall time, for a streaming elementwise job and an MSM (the adder busy every cycle).
//!
//! ```text
//! cargo run --release -p zkpipe-tests --example board_speed
//! ```
//!
//! The model's compiler flags are chosen with this (README, "Simulator build"):
//! `ZKPIPE_SIM_OPT=2` and `ZKPIPE_VERILATOR_FLAGS="--x-assign fast"` rebuild the boards
//! with other flags (cached by content, so switching back costs nothing).

use ark_bn254::{Fr, FrConfig, G1Projective};
use ark_ec::CurveGroup;
use ark_ff::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::time::Instant;
use zkpipe::Device;

fn main() {
    let device = Device::open("sim:sim-small").expect("simulated board");
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let n = 1 << 16;
    let a: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
    let b: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
    let t = Instant::now();
    let (_, r) = device.mul::<FrConfig>(&a, &b).expect("mul job");
    let s = t.elapsed().as_secs_f64();
    let cycles = r.sim_cycles.expect("simulated");
    println!(
        "mul × {n}: {cycles} board cycles in {s:.2} s = {:.0} cycles/s",
        cycles as f64 / s
    );
    let m = 2048;
    let bases: Vec<_> = (0..m)
        .map(|_| G1Projective::rand(&mut rng).into_affine())
        .collect();
    let scalars: Vec<Fr> = (0..m).map(|_| Fr::rand(&mut rng)).collect();
    let handle = device.load_bases(&bases).expect("load");
    let t = Instant::now();
    let (_, r) = device
        .msm_resident::<ark_bn254::g1::Config>(&handle, &scalars)
        .expect("msm");
    let s = t.elapsed().as_secs_f64();
    let cycles = r.sim_cycles.expect("simulated");
    println!(
        "msm × {m}: {cycles} board cycles in {s:.2} s = {:.0} cycles/s",
        cycles as f64 / s
    );
}
