//! The simulated board end to end: kernel cycles, stream utilisation (beats per busy
//! cycle), simulated cycles including BAR accesses and DMA setup, host time per job, and the
//! projected device time at the preset's clock.
//!
//! ```text
//! cargo run --release -p zkpipe-tests --example board_bench
//! ```

use ark_bn254::{Fr, FrConfig};
use ark_ff::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zkpipe::{Device, Opcode};

fn main() {
    let device = Device::open("sim:sim-small").expect("simulated board");
    println!(
        "{:<7} {:>6} {:>8} {:>8} {:>11} {:>10} {:>10} {:>12}",
        "op", "n", "busy", "sim", "beats/cyc", "overhead", "host ms", "projected µs"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for op in [Opcode::Mul, Opcode::PowMul] {
        for n in [1usize, 64, 1024, 16384, 65536] {
            let a: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            let b: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            let g = Fr::rand(&mut rng);
            let (_, r) = match op {
                Opcode::PowMul => device.powmul::<FrConfig>(&a, g),
                _ => device.elementwise::<FrConfig>(op, &a, Some(&b), None),
            }
            .expect("job runs");
            let c = r.counters;
            let sim = r.sim_cycles.unwrap_or(0);
            println!(
                "{:<7} {:>6} {:>8} {:>8} {:>11.3} {:>10} {:>10.2} {:>12.2}",
                op.name(),
                n,
                c.busy_cycles,
                sim,
                n as f64 / c.busy_cycles as f64,
                sim - c.busy_cycles as u64,
                r.host_s * 1e3,
                r.projected_s * 1e6
            );
        }
    }
}
