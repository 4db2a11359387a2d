//! NTT performance, one table per question:
//!
//! 1. batch mode on the simulated board (sim-small, core 2^8): device cycles and
//!    utilisation (elements streamed / busy cycles) for 1, 16 and 64 NTTs back to back;
//! 2. four-step 2^16 on the simulated board: cycles, jobs, host transposes;
//! 3. projections for 2^20 and 2^24 on the real-card preset (u250-bn254: its core, one
//!    core, 250 MHz) on the `model:u250-bn254` device (`zkpipe::model`): the four-step
//!    plan with per-job cycles from the preset's NTT path latencies (checked against the
//!    simulated board by `tests/tests/suite/model.rs`), each job bounded by its 64-byte beats at XDMA
//!    Gen3 x16 rates plus 5 µs of setup; the host transposes measured on this machine;
//!    arkworks on this machine.
//!
//! ```text
//! cargo run --release -p zkpipe-tests --example ntt_bench
//! ```

use ark_bn254::{Fr, FrConfig};
use ark_ff::UniformRand;
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::time::Instant;
use zkpipe::model::ModelCard;
use zkpipe::ntt::{self, Coset, Direction, Factor, NttJob};
use zkpipe::Device;

/// Bytes per element on the wire (one 512-bit beat).
const BEAT_BYTES: f64 = 64.0;

fn random(n: usize, rng: &mut ChaCha8Rng) -> Vec<Fr> {
    (0..n).map(|_| Fr::rand(rng)).collect()
}

fn main() {
    let device = Device::open("sim:sim-small").expect("simulated board");
    let mut rng = ChaCha8Rng::seed_from_u64(1);

    println!("## batch mode, sim-small (core 2^8), forward");
    println!(
        "{:>6} {:>7} {:>9} {:>11} {:>12}",
        "NTTs", "n", "busy cyc", "utilisation", "projected µs"
    );
    for batch in [1usize, 16, 64] {
        let mut x = random(batch << 8, &mut rng);
        let job = NttJob {
            log_n: 8,
            direction: Direction::Forward,
            factor: Factor::Plain,
        };
        let r = device.ntt_job::<FrConfig>(&mut x, &job).expect("job runs");
        let c = r.counters;
        println!(
            "{:>6} {:>7} {:>9} {:>11.3} {:>12.2}",
            batch,
            256,
            c.busy_cycles,
            (batch << 8) as f64 / c.busy_cycles as f64,
            r.projected_s * 1e6
        );
    }

    println!("\n## four-step 2^16 on the simulated board (sim-small, 250 MHz)");
    let x = random(1 << 16, &mut rng);
    let mut y = x.clone();
    let t = Instant::now();
    let report = ntt::ntt(&device, &mut y, Direction::Forward, Coset::None).expect("ntt");
    let sim_s = t.elapsed().as_secs_f64();
    let mut expected = x.clone();
    Radix2EvaluationDomain::<Fr>::new(1 << 16)
        .unwrap()
        .fft_in_place(&mut expected);
    println!(
        "jobs {}, busy cycles {}, utilisation {:.3}, projected {:.3} ms, transposes {:.1} ms, simulation {:.1} s, {}",
        report.device.jobs,
        report.device.busy_cycles,
        report.device.utilisation(),
        report.device.projected_s * 1e3,
        report.transpose_s * 1e3,
        sim_s,
        if y == expected { "equal to ark-poly" } else { "MISMATCH" }
    );

    let model = ModelCard::open("model:u250-bn254").expect("a model of the preset");
    let preset = model.preset();
    println!(
        "\n## projections, {} (core 2^{}, 1 core, {} MHz), forward NTT; this machine: {} threads",
        preset.name,
        preset.ntt_log_size,
        preset.clock_mhz,
        rayon::current_num_threads()
    );
    println!(
        "{:>6} {:>5} {:>10} {:>10} {:>10} {:>12} {:>12} {:>12}",
        "n",
        "jobs",
        "cycles",
        "kernel ms",
        "PCIe ms",
        "transpose ms",
        "card total ms",
        "arkworks ms"
    );
    for log_n in [16u32, 20, 24] {
        let n = 1usize << log_n;
        let x = random(n, &mut rng);
        let mut y = x.clone();
        let r = ntt::ntt(&model, &mut y, Direction::Forward, Coset::None).expect("model");
        let kernel_s = r.device.busy_cycles as f64 / (preset.clock_mhz * 1e6);
        let pcie = model.pcie();
        let pcie_s =
            r.device.elements as f64 * BEAT_BYTES / pcie.h2c_bytes_per_s.min(pcie.c2h_bytes_per_s);
        // Per job: max(kernel, stream at PCIe rates) + setup (the model's projection).
        let card_s = r.device.projected_s + r.transpose_s;
        let mut z = x.clone();
        let t = Instant::now();
        Radix2EvaluationDomain::<Fr>::new(n)
            .unwrap()
            .fft_in_place(&mut z);
        let cpu_s = t.elapsed().as_secs_f64();
        println!(
            "{:>6} {:>5} {:>10} {:>10.2} {:>10.2} {:>12.2} {:>12.2} {:>12.2}",
            format!("2^{log_n}"),
            r.device.jobs,
            r.device.busy_cycles,
            kernel_s * 1e3,
            pcie_s * 1e3,
            r.transpose_s * 1e3,
            card_s * 1e3,
            cpu_s * 1e3
        );
    }
}
