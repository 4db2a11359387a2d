//! `zkpipe groth16 prove|verify` on the circom fixtures (fixtures/circom): every proof is
//! checked by snarkjs itself (`snarkjs groth16 verify`, installed by scripts/setup.sh
//! into fixtures/circom/node_modules) and by `zkpipe groth16 verify`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/circom")
}

fn fixture(name: &str, file: &str) -> String {
    fixtures().join(name).join(file).display().to_string()
}

fn zkpipe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkpipe"))
        .args(args)
        .output()
        .expect("zkpipe runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// snarkjs's verdict on a proof: the test fails (not skips) when snarkjs is missing.
fn snarkjs_verifies(vk: &str, public: &Path, proof: &Path) -> bool {
    let bin = fixtures().join("node_modules/.bin/snarkjs");
    assert!(
        bin.exists(),
        "snarkjs is not installed: run scripts/setup.sh (npm ci in fixtures/circom)"
    );
    let out = Command::new(bin)
        .args(["groth16", "verify", vk])
        .arg(public)
        .arg(proof)
        .output()
        .expect("snarkjs runs");
    let text = String::from_utf8_lossy(&out.stdout);
    out.status.success() && text.contains("OK")
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zkpipe-groth16-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Proves `name` on `device`, then checks the proof with snarkjs and zkpipe.
fn prove_and_check(name: &str, device: &str) {
    let dir = scratch(&format!("{name}-{}", device.replace(':', "-")));
    let (proof, public) = (dir.join("proof.json"), dir.join("public.json"));
    let out = zkpipe(&[
        "groth16",
        "prove",
        "--device",
        device,
        "--json",
        &fixture(name, "circuit.zkey"),
        &fixture(name, "witness.wtns"),
        proof.to_str().unwrap(),
        public.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{name} on {device}: {}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verified"], true);
    if device != "cpu" {
        assert!(report["device_cycles"].as_u64().unwrap() > 0);
    }
    // The public signals are the ones snarkjs computed from the same witness.
    let ours: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&public).unwrap()).unwrap();
    let theirs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture(name, "public.json")).unwrap())
            .unwrap();
    assert_eq!(ours, theirs);
    let vk = fixture(name, "verification_key.json");
    assert!(
        snarkjs_verifies(&vk, &public, &proof),
        "snarkjs rejects {name} on {device}"
    );
    let check = zkpipe(&[
        "groth16",
        "verify",
        &vk,
        public.to_str().unwrap(),
        proof.to_str().unwrap(),
    ]);
    assert!(check.status.success(), "{}", stderr(&check));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn every_fixture_on_the_cpu_verifies_with_snarkjs() {
    for name in ["poseidon", "merkle", "mul_chain", "mul_chain_bls"] {
        prove_and_check(name, "cpu");
    }
}

#[test]
fn poseidon_on_the_simulated_card_verifies_with_snarkjs() {
    prove_and_check("poseidon", "sim:sim-small");
}

// One test per circuit, so that the two simulated proofs run in parallel.
#[test]
fn mul_chain_on_the_simulated_card_verifies_with_snarkjs() {
    prove_and_check("mul_chain", "sim:sim-small");
}

#[test]
fn merkle_on_the_simulated_card_verifies_with_snarkjs() {
    prove_and_check("merkle", "sim:sim-small");
}

#[test]
fn bls12_381_on_the_simulated_card_verifies_with_snarkjs() {
    prove_and_check("mul_chain_bls", "sim:sim-bls12-381");
}

#[test]
fn a_witness_that_does_not_satisfy_is_not_written() {
    let dir = scratch("unsatisfied");
    let mut wtns = std::fs::read(fixture("mul_chain", "witness.wtns")).unwrap();
    // The last witness value (a private signal) plus one.
    let n = wtns.len();
    wtns[n - 32] ^= 1;
    let bad = dir.join("bad.wtns");
    std::fs::write(&bad, wtns).unwrap();
    let (proof, public) = (dir.join("proof.json"), dir.join("public.json"));
    let out = zkpipe(&[
        "groth16",
        "prove",
        "--verify",
        &fixture("mul_chain", "circuit.zkey"),
        bad.to_str().unwrap(),
        proof.to_str().unwrap(),
        public.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("did not verify"), "{}", stderr(&out));
    assert!(!proof.exists() && !public.exists());
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn bad_inputs_exit_3_naming_the_file_and_the_place() {
    let dir = scratch("bad-inputs");
    let out_args = |d: &Path| {
        [
            d.join("proof.json").display().to_string(),
            d.join("public.json").display().to_string(),
        ]
    };
    let [proof, public] = out_args(&dir);
    // A truncated key.
    let zkey = std::fs::read(fixture("mul_chain", "circuit.zkey")).unwrap();
    let short = dir.join("short.zkey");
    std::fs::write(&short, &zkey[..zkey.len() / 2]).unwrap();
    let out = zkpipe(&[
        "groth16",
        "prove",
        short.to_str().unwrap(),
        &fixture("mul_chain", "witness.wtns"),
        &proof,
        &public,
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("short.zkey: zkey: section"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("truncated"), "{}", stderr(&out));
    // A witness of another circuit.
    let out = zkpipe(&[
        "groth16",
        "prove",
        &fixture("mul_chain", "circuit.zkey"),
        &fixture("poseidon", "witness.wtns"),
        &proof,
        &public,
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("values; the key was made for"),
        "{}",
        stderr(&out)
    );
    // A missing file.
    let out = zkpipe(&[
        "groth16",
        "prove",
        "/nonexistent.zkey",
        &fixture("mul_chain", "witness.wtns"),
        &proof,
        &public,
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("/nonexistent.zkey"));
    // A device that does not exist.
    let out = zkpipe(&[
        "groth16",
        "prove",
        "--device",
        "sim:no-such-preset",
        &fixture("mul_chain", "circuit.zkey"),
        &fixture("mul_chain", "witness.wtns"),
        &proof,
        &public,
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    // Usage: a missing positional argument.
    let out = zkpipe(&["groth16", "prove", &fixture("mul_chain", "circuit.zkey")]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn verify_exits_1_on_a_wrong_proof_and_3_on_a_malformed_one() {
    let vk = fixture("mul_chain", "verification_key.json");
    let public = fixture("mul_chain", "public.json");
    let ok = zkpipe(&[
        "groth16",
        "verify",
        &vk,
        &public,
        &fixture("mul_chain", "proof.json"),
    ]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    // Another circuit's proof: well-formed, not valid here.
    let wrong = zkpipe(&[
        "groth16",
        "verify",
        &vk,
        &public,
        &fixture("poseidon", "proof.json"),
    ]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(stderr(&wrong).contains("INVALID"));
    // Too few public signals.
    let out = zkpipe(&[
        "groth16",
        "verify",
        &vk,
        &fixture("poseidon", "public.json"),
        &fixture("mul_chain", "proof.json"),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    // Not JSON.
    let out = zkpipe(&[
        "groth16",
        "verify",
        &vk,
        &public,
        &fixture("mul_chain", "witness.wtns"),
    ]);
    assert_eq!(out.status.code(), Some(3));
}
