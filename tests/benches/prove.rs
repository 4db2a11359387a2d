//! Groth16 proving on the CPU backend (arkworks) vs the simulated board, for MiMC chains
//! of 2^12 and 2^16 constraints (BN254).
//!
//! ```text
//! cargo bench -p zkpipe-tests --bench prove                 # wall time: min / median / max
//! ZKPIPE_BENCH_BOARD_2_16=1 cargo bench -p zkpipe-tests --bench prove   # + one 2^16 board proof
//! ```
//!
//! It times whole proofs on the CPU backend (arkworks on this machine): one proof to warm
//! up, then [`SAMPLES`] proofs, of which it prints the minimum, median and maximum (a plain
//! loop: criterion's statistics are not needed for proofs of 0.2–2 s, and it cost the test
//! build ~40 s of compiling as a dev-dependency). The
//! simulated board's wall time is simulation (about a minute per 2^12 proof), not the
//! card, so it is not sampled: the bench proves once on the board (after a first proof
//! that loads the proving key's bases) and prints the breakdown — device cycles (NTT,
//! pointwise and G1 MSM jobs) and their projected time at the preset's 250 MHz clock, the
//! host work measured here (synthesis, matrix–vector products, the NTTs' transposes and
//! radix-2 steps, G2 MSM, bucket reduction),
//! and the projected speed-up over arkworks. The 2^16 board proof simulates for about
//! twenty minutes, so it runs only on request.

use ark_bn254::{Bn254, Fr};
use ark_groth16::ProvingKey;
use std::time::{Duration, Instant};
use zkpipe::backend::{self, Backend};
use zkpipe::groth16::{circuits::MimcChain, prove, ProofReport, ProveOptions};
use zkpipe_tests::groth16::mimc_key;

fn prove_once(
    backend: &dyn Backend<Bn254>,
    pk: &ProvingKey<Bn254>,
    circuit: &MimcChain<Fr>,
) -> ProofReport {
    let (r, s) = (Fr::from(17u64), Fr::from(19u64));
    prove(backend, pk, circuit.clone(), r, s, ProveOptions::default())
        .unwrap()
        .1
}

/// One line of the breakdown table for a board proof.
fn breakdown(log: usize, cpu: Duration, report: &ProofReport) {
    let b = &report.backend;
    let device_s = b.device.projected_s;
    let (prover_host, ntt_host, g2, reduce) = (
        report.host.as_secs_f64(),
        b.ntt_host_time.as_secs_f64(),
        b.msm_g2_time.as_secs_f64(),
        b.msm_device.reduce_s,
    );
    let projected = report.projected_card_s().expect("the board did the work");
    println!(
        "| 2^{log} | {:.3} s | {} | {:.2} ms | {} / {} | {:.3} s | {:.3} s | {:.3} s | {:.3} s | {:.3} s | {:.2}× |",
        cpu.as_secs_f64(),
        b.device.busy_cycles,
        device_s * 1e3,
        b.msm_device.adds,
        b.msm_device.accum_cycles,
        prover_host,
        ntt_host,
        g2,
        reduce,
        projected,
        cpu.as_secs_f64() / projected
    );
}

/// Timed proofs per size on the CPU backend.
const SAMPLES: usize = 10;

/// Times `SAMPLES` runs of `f` after one warm-up run; prints and returns their median.
fn time_runs(name: &str, mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..SAMPLES)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    let median = times[SAMPLES / 2];
    println!(
        "{name}: min {:.3} s, median {:.3} s, max {:.3} s ({SAMPLES} runs)",
        times[0].as_secs_f64(),
        median.as_secs_f64(),
        times[SAMPLES - 1].as_secs_f64()
    );
    median
}

fn main() {
    let cpu = backend::open::<Bn254>("cpu").unwrap();
    let board = backend::open::<Bn254>("sim:sim-small").unwrap();
    let mut rows = vec![];
    for log in [12usize, 16] {
        let (circuit, pk) = mimc_key::<Bn254>(1 << log, 3, 1 << log);
        time_runs(&format!("prove_2^{log}/cpu"), || {
            std::hint::black_box(prove_once(cpu.as_ref(), &pk, &circuit));
        });
        let cpu_report = prove_once(cpu.as_ref(), &pk, &circuit);
        if log <= 12 || std::env::var_os("ZKPIPE_BENCH_BOARD_2_16").is_some() {
            // At 2^12 the first proof loads the bases and the second is the steady state.
            // At 2^16 the key's G1 sets (2^16 to 2^17 points each) exceed sim-small's
            // 2^16 resident bases, so every proof streams them: one proof is the steady
            // state (and takes about twenty minutes of simulation).
            if log <= 12 {
                prove_once(board.as_ref(), &pk, &circuit);
            }
            let report = prove_once(board.as_ref(), &pk, &circuit);
            rows.push((log, cpu_report.total, report));
        }
    }
    println!("\n| constraints | arkworks (cpu) | device cycles | device @250 MHz | MSM adds / accumulation cycles | prover host work | NTT host steps | G2 MSM (host) | bucket reduction (host) | projected card proof | speed-up |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (log, cpu, report) in &rows {
        breakdown(*log, *cpu, report);
    }
}
