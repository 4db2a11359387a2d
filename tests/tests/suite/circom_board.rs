//! circom keys on the simulated boards: the warm prover's proof on the card equals its
//! proof on the CPU for the same witness and (r, s), verifies under the key, keeps the
//! key's G1 bases resident between proofs, and a batch spreads over a pool of boards.

use ark_bls12_381::Bls12_381;
use ark_bn254::Bn254;
use ark_groth16::Groth16;
use std::path::PathBuf;
use zkpipe::backend::{self, Backend, BoardBackend};
use zkpipe::circom::{open_wtns, CircomCurve, CircomProver, Zkey};

fn fixture(name: &str, file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/circom")
        .join(name)
        .join(file)
}

fn load<E: CircomCurve>(name: &str) -> (Zkey<E>, Vec<E::ScalarField>) {
    let zkey = Zkey::<E>::open(&fixture(name, "circuit.zkey")).unwrap();
    let witness = open_wtns(&fixture(name, "witness.wtns")).unwrap();
    (zkey, witness)
}

fn card_equals_cpu<E: CircomCurve>(name: &str, uri: &str)
where
    BoardBackend: Backend<E>,
{
    let (zkey, witness) = load::<E>(name);
    let cpu = CircomProver::open(zkey.clone(), &["cpu"]).unwrap();
    let card = CircomProver::open(zkey, &[uri]).unwrap();
    let (r, s) = (E::ScalarField::from(123u64), E::ScalarField::from(456u64));
    let on_cpu = cpu.prove_with_randomness(&witness, r, s).unwrap();
    let on_card = card.prove_with_randomness(&witness, r, s).unwrap();
    assert_eq!(on_card.proof, on_cpu.proof, "{name} on {uri}");
    assert_eq!(on_card.public, on_cpu.public);
    assert!(on_card.report.verified);
    let b = &on_card.report.backend;
    // The QAP step and H's MSM in card memory on both curves (BLS12-381's snarkjs roots
    // are an odd power of ark's: the vectors and H's points are permuted on the host).
    assert_eq!(b.qap_on_card_calls, 1, "{name}");
    assert_eq!((b.ntt_calls, b.elementwise_calls), (0, 0));
    assert_eq!(
        b.msm_g1_calls, 3,
        "C, A and B₁ through the backend, H on card memory"
    );
    assert!(b.msm_device.load_jobs >= 1);
    let pvk = ark_groth16::prepare_verifying_key(&card.zkey().pk.vk);
    assert!(Groth16::<E>::verify_proof(&pvk, &on_card.proof, &on_card.public).unwrap());
    // Warm: the second proof sends scalars only.
    let again = card.prove(&witness).unwrap();
    assert_eq!(
        again.report.backend.msm_device.load_jobs, 0,
        "bases stayed resident"
    );
    assert!(again.report.verified);
}

#[test]
fn poseidon_on_sim_small_equals_the_cpu() {
    card_equals_cpu::<Bn254>("poseidon", "sim:sim-small");
}

#[test]
fn bls12_381_on_its_board_equals_the_cpu() {
    card_equals_cpu::<Bls12_381>("mul_chain_bls", "sim:sim-bls12-381");
}

#[test]
fn a_batch_spreads_over_two_boards() {
    let (zkey, witness) = load::<Bn254>("mul_chain");
    let boards = vec![
        backend::open::<Bn254>("sim:sim-small").unwrap(),
        backend::open::<Bn254>("sim:sim-small").unwrap(),
    ];
    let prover = CircomProver::new(zkey, boards).unwrap();
    let batch = vec![witness.clone(), witness.clone(), witness];
    for out in prover.prove_batch(&batch) {
        assert!(out.unwrap().report.verified);
    }
    for b in prover.backends() {
        // Each board proved: three G1 MSMs through the backend and the QAP step with H's
        // MSM in its card memory, per proof.
        let s = b.stats();
        assert!(
            s.msm_g1_calls >= 3 && s.qap_on_card_calls >= 1,
            "{} proved",
            b.describe()
        );
    }
}
