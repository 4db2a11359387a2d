//! circom fixtures: prove time per circuit for snarkjs, zkpipe on the CPU, and the card
//! (projected from the simulated board), on this machine.
//!
//! * snarkjs: `snarkjs.groth16.prove` in one Node.js process, median of 5 after a warm-up
//!   (fixtures/circom/bench.cjs; start-up excluded);
//! * zkpipe cpu: the warm [`CircomProver`] on arkworks, median of 5 after a warm-up,
//!   verification off (it adds one pairing check: reported beside);
//! * card: the warm prover on the simulated board of the curve (sim-small, sim-bls12-381):
//!   one proof to make the key's bases resident, then one measured —
//!   `ProofReport::projected_card_s`, the device's busy cycles at the preset clock plus the
//!   host work measured here (the G2 MSM, bucket reductions, NTT host steps, the sparse
//!   matrix–vector products).
//!
//! ```text
//! cargo run --release -p zkpipe-tests --example circom_bench
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use zkpipe::backend::{self, Backend, BoardBackend};
use zkpipe::circom::{open_wtns, CircomCurve, CircomProver, Zkey};

const RUNS: usize = 5;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/circom")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn snarkjs_s(dir: &Path) -> Option<f64> {
    let out = Command::new("node")
        .current_dir(fixtures())
        .arg("bench.cjs")
        .arg(dir.join("circuit.zkey"))
        .arg(dir.join("witness.wtns"))
        .arg(RUNS.to_string())
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn row<E: CircomCurve>(name: &str, card: &str)
where
    BoardBackend: Backend<E>,
{
    let dir = fixtures().join(name);
    let zkey = Zkey::<E>::open(&dir.join("circuit.zkey")).unwrap();
    let witness = open_wtns::<E::ScalarField>(&dir.join("witness.wtns")).unwrap();
    let mut cpu =
        CircomProver::new(zkey.clone(), vec![backend::open::<E>("cpu").unwrap()]).unwrap();
    cpu.set_verify(false);
    cpu.prove(&witness).unwrap();
    let times = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            cpu.prove(&witness).unwrap();
            t.elapsed().as_secs_f64()
        })
        .collect();
    let cpu_s = median(times);
    cpu.set_verify(true);
    let verify_s = cpu.prove(&witness).unwrap().report.verify.as_secs_f64();
    let board = CircomProver::open(zkey, &[card]).unwrap();
    board.prove(&witness).unwrap();
    let on_card = board.prove(&witness).unwrap();
    let r = &on_card.report;
    let snarkjs = snarkjs_s(&dir);
    println!(
        "| {name} ({}) | {} | 2^{} | {} | {:.1} ms (+{:.1} ms verify) | {} | {} cycles = {:.2} ms | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |",
        E::NAME,
        r.constraints,
        r.domain_size.trailing_zeros(),
        snarkjs.map_or("n/a".into(), |s| format!("{:.1} ms", s * 1e3)),
        cpu_s * 1e3,
        verify_s * 1e3,
        card,
        r.backend.device.busy_cycles,
        r.backend.device.projected_s * 1e3,
        r.backend.msm_device.reduce_s * 1e3,
        r.backend.msm_g2_time.as_secs_f64() * 1e3,
        (r.host + r.backend.ntt_host_time).as_secs_f64() * 1e3,
        r.projected_card_s().unwrap() * 1e3,
    );
}

fn main() {
    println!(
        "| circuit | constraints | domain | snarkjs | zkpipe cpu | device | card work | \
         bucket reduction (host) | G2 MSM (host) | other host work | projected card proof |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    row::<ark_bn254::Bn254>("poseidon", "sim:sim-small");
    row::<ark_bn254::Bn254>("merkle", "sim:sim-small");
    row::<ark_bn254::Bn254>("mul_chain", "sim:sim-small");
    row::<ark_bls12_381::Bls12_381>("mul_chain_bls", "sim:sim-bls12-381");
}
