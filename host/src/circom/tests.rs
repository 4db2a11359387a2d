//! Against the committed snarkjs fixtures (fixtures/circom, made by
//! scripts/circom-fixtures.sh): keys load, proofs verify with ark-groth16 under the key's
//! and the JSON verification key, snarkjs's own proofs verify here, bad input is typed.

use super::json::*;
use super::*;
use crate::backend::{Backend, CpuBackend};
use crate::Error;
use ark_bls12_381::Bls12_381;
use ark_bn254::Bn254;
use ark_ff::{Field, One};
use ark_groth16::Groth16;
use std::path::PathBuf;

pub(crate) fn fixture(name: &str, file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/circom")
        .join(name)
        .join(file)
}

fn read(name: &str, file: &str) -> Vec<u8> {
    std::fs::read(fixture(name, file)).unwrap()
}

fn text(name: &str, file: &str) -> String {
    String::from_utf8(read(name, file)).unwrap()
}

fn cpu<E: CircomCurve>() -> Vec<Box<dyn Backend<E>>> {
    vec![Box::new(CpuBackend::new())]
}

/// Loads, proves on the CPU, and checks the proof four ways.
fn prove_fixture<E: CircomCurve>(name: &str) {
    let zkey = Zkey::<E>::open(&fixture(name, "circuit.zkey")).unwrap();
    let witness = open_wtns::<E::ScalarField>(&fixture(name, "witness.wtns")).unwrap();
    assert_eq!(witness.len(), zkey.header.n_vars);
    let info = text(name, "r1cs-info.txt");
    assert!(
        info.contains(&format!("# of Wires: {}", zkey.header.n_vars)),
        "{info}"
    );
    let prover = CircomProver::new(zkey, cpu::<E>()).unwrap();
    let out = prover.prove(&witness).unwrap();
    assert!(out.report.verified);
    // The public signals are snarkjs's.
    let public: Vec<E::ScalarField> = public_from_json(&text(name, "public.json")).unwrap();
    assert_eq!(out.public, public);
    // Verifies under the JSON verification key snarkjs exported…
    let vk = verifying_key_from_json::<E>(&text(name, "verification_key.json")).unwrap();
    assert_eq!(vk, prover.zkey().pk.vk);
    let pvk = ark_groth16::prepare_verifying_key(&vk);
    assert!(Groth16::<E>::verify_proof(&pvk, &out.proof, &public).unwrap());
    // … and survives a round trip through snarkjs's proof JSON.
    let again = proof_from_json::<E>(&proof_to_json(&out.proof)).unwrap();
    assert_eq!(again, out.proof);
    assert_eq!(
        public_from_json::<E::ScalarField>(&public_to_json(&public)).unwrap(),
        public
    );
    // snarkjs's own proof verifies here; a wrong public signal does not.
    let theirs = proof_from_json::<E>(&text(name, "proof.json")).unwrap();
    assert!(Groth16::<E>::verify_proof(&pvk, &theirs, &public).unwrap());
    let mut wrong = public.clone();
    wrong[0] += E::ScalarField::one();
    assert!(!Groth16::<E>::verify_proof(&pvk, &theirs, &wrong).unwrap());
    // Same randomness, same proof.
    let (r, s) = (E::ScalarField::from(7u64), E::ScalarField::from(11u64));
    let p1 = prover.prove_with_randomness(&witness, r, s).unwrap();
    let p2 = prover.prove_with_randomness(&witness, r, s).unwrap();
    assert_eq!(p1.proof, p2.proof);
    assert_ne!(p1.proof, out.proof);
}

#[test]
fn poseidon_bn254_proves_and_verifies() {
    prove_fixture::<Bn254>("poseidon");
}

#[test]
fn mul_chain_bn254_proves_and_verifies() {
    prove_fixture::<Bn254>("mul_chain");
}

#[test]
fn mul_chain_bls12_381_proves_and_verifies() {
    prove_fixture::<Bls12_381>("mul_chain_bls");
}

#[test]
fn merkle_bn254_proves_and_verifies() {
    prove_fixture::<Bn254>("merkle");
}

#[test]
fn a_witness_that_does_not_satisfy_is_refused() {
    let zkey = Zkey::<Bn254>::open(&fixture("mul_chain", "circuit.zkey")).unwrap();
    let mut witness = open_wtns::<ark_bn254::Fr>(&fixture("mul_chain", "witness.wtns")).unwrap();
    let last = witness.len() - 1;
    witness[last] += ark_bn254::Fr::ONE;
    let mut prover = CircomProver::new(zkey, cpu::<Bn254>()).unwrap();
    assert!(matches!(
        prover.prove(&witness),
        Err(Error::ProofRejected { .. })
    ));
    // Without the check the proof is produced, and it does not verify.
    prover.set_verify(false);
    let out = prover.prove(&witness).unwrap();
    let pvk = ark_groth16::prepare_verifying_key(&prover.zkey().pk.vk);
    assert!(!Groth16::<Bn254>::verify_proof(&pvk, &out.proof, &out.public).unwrap());
}

#[test]
fn wrong_witness_length_and_constant() {
    let zkey = Zkey::<Bn254>::open(&fixture("mul_chain", "circuit.zkey")).unwrap();
    let witness = open_wtns::<ark_bn254::Fr>(&fixture("mul_chain", "witness.wtns")).unwrap();
    let prover = CircomProver::new(zkey, cpu::<Bn254>()).unwrap();
    let short = &witness[..witness.len() - 1];
    assert!(matches!(
        prover.prove(short),
        Err(Error::WitnessLength { found, expected }) if found + 1 == expected
    ));
    let mut zero = witness.clone();
    zero[0] = ark_bn254::Fr::from(2u64);
    assert!(matches!(prover.prove(&zero), Err(Error::Circuit(_))));
}

#[test]
fn prove_batch_spreads_over_backends() {
    let zkey = Zkey::<Bn254>::open(&fixture("mul_chain", "circuit.zkey")).unwrap();
    let witness = open_wtns::<ark_bn254::Fr>(&fixture("mul_chain", "witness.wtns")).unwrap();
    let mut bad = witness.clone();
    bad.pop();
    let backends: Vec<Box<dyn Backend<Bn254>>> =
        vec![Box::new(CpuBackend::new()), Box::new(CpuBackend::new())];
    let prover = CircomProver::new(zkey, backends).unwrap();
    let batch = vec![witness.clone(), bad, witness.clone(), witness];
    let out = prover.prove_batch(&batch);
    assert_eq!(out.len(), 4);
    assert!(matches!(out[1], Err(Error::WitnessLength { .. })));
    for i in [0, 2, 3] {
        assert!(out[i].as_ref().unwrap().report.verified);
    }
    let used: usize = prover
        .backends()
        .iter()
        .filter(|b| b.stats().msm_g1_calls > 0)
        .count();
    assert!(used >= 1);
}

#[test]
fn wrong_curve_is_a_typed_error() {
    let bls = read("mul_chain_bls", "circuit.zkey");
    let e = Zkey::<Bn254>::from_bytes(&bls).unwrap_err();
    assert_eq!(e.file, FileKind::Zkey);
    assert_eq!(e.section, Some(2));
    assert!(e.problem.contains("bn128"), "{e}");
    assert_eq!(zkey_curve(&bls).unwrap(), "bls12381");
    // The header alone gives the sizes the full read finds.
    let (curve, header) = peek_zkey(&read("mul_chain", "circuit.zkey")).unwrap();
    let full = Zkey::<Bn254>::from_bytes(&read("mul_chain", "circuit.zkey")).unwrap();
    assert_eq!((curve, header), ("bn128", full.header));
    assert_eq!(
        zkey_curve(&read("mul_chain", "circuit.zkey")).unwrap(),
        "bn128"
    );
    let w = read_wtns::<ark_bn254::Fr>(&read("mul_chain_bls", "witness.wtns")).unwrap_err();
    assert_eq!((w.file, w.section), (FileKind::Wtns, Some(1)));
    let v = verifying_key_from_json::<Bn254>(&text("mul_chain_bls", "verification_key.json"))
        .unwrap_err();
    assert!(v.problem.contains("bls12381"), "{v}");
}

#[test]
fn truncated_and_corrupt_files_name_section_and_offset() {
    let zkey = read("mul_chain", "circuit.zkey");
    // Truncated: the last section (contributions) or a point section runs past the end.
    let e = Zkey::<Bn254>::from_bytes(&zkey[..zkey.len() - 10]).unwrap_err();
    assert!(e.problem.contains("truncated"), "{e}");
    // Not a zkey.
    let e = Zkey::<Bn254>::from_bytes(b"wtns\x02\0\0\0").unwrap_err();
    assert_eq!(e.offset, 0);
    // A point moved off the curve: flip a byte of the first A point's y.
    let file = super::binfile::BinFile::parse(FileKind::Zkey, b"zkey", &[1], &zkey).unwrap();
    let a_start = file.section(5).unwrap().offset() as usize;
    let mut bad = zkey.clone();
    bad[a_start + 40] ^= 1;
    let e = Zkey::<Bn254>::from_bytes(&bad).unwrap_err();
    assert_eq!(e.section, Some(5));
    assert_eq!(e.offset, a_start as u64);
    assert!(e.problem.contains("point 0"), "{e}");
    // A coefficient of matrix 2.
    let c_start = file.section(4).unwrap().offset() as usize;
    let mut bad = zkey.clone();
    bad[c_start + 4] = 2;
    let e = Zkey::<Bn254>::from_bytes(&bad).unwrap_err();
    assert_eq!((e.section, e.offset), (Some(4), c_start as u64 + 4));
    // The witness: a value ≥ r.
    let mut w = read("mul_chain", "witness.wtns");
    let n = w.len();
    w[n - 1] = 0xff;
    let e = read_wtns::<ark_bn254::Fr>(&w).unwrap_err();
    assert_eq!(e.section, Some(2));
    assert_eq!(e.offset, n as u64 - 32);
    // JSON: not JSON, missing fields, off-curve points.
    assert!(proof_from_json::<Bn254>("{").is_err());
    assert!(proof_from_json::<Bn254>("{\"pi_a\": [\"1\", \"2\", \"1\"]}").is_err());
    let off = text("mul_chain", "proof.json").replacen("\"1\"\n ]", "\"2\"\n ]", 1);
    assert!(proof_from_json::<Bn254>(&off).is_err());
}

mod never_panic {
    use super::*;
    use proptest::prelude::*;

    fn mutate(mut bytes: Vec<u8>, edits: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
        for &(at, v) in edits {
            let n = bytes.len();
            bytes[at % n] = v;
        }
        if let Some(c) = cut {
            let n = bytes.len();
            bytes.truncate(c % n);
        }
        bytes
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Mutated keys and witnesses: Ok or a typed error, never a panic. Edits land in
        /// the headers (first 256 bytes) half of the time, where they matter most.
        #[test]
        fn mutated_files(
            edits in prop::collection::vec((0usize..1 << 20, any::<u8>()), 1..6),
            header in prop::collection::vec((0usize..256, any::<u8>()), 0..3),
            cut in prop::option::of(0usize..1 << 20),
        ) {
            let all: Vec<_> = edits.iter().chain(&header).copied().collect();
            let zkey = mutate(read("mul_chain", "circuit.zkey"), &all, cut);
            let _ = Zkey::<Bn254>::from_bytes(&zkey);
            let _ = zkey_curve(&zkey);
            let wtns = mutate(read("mul_chain", "witness.wtns"), &all, cut);
            let _ = read_wtns::<ark_bn254::Fr>(&wtns);
        }

        #[test]
        fn mutated_json(at in 0usize..4096, v in any::<u8>()) {
            for f in ["proof.json", "verification_key.json", "public.json"] {
                let mut b = read("mul_chain", f);
                let n = b.len();
                b[at % n] = v;
                let s = String::from_utf8_lossy(&b);
                let _ = proof_from_json::<Bn254>(&s);
                let _ = verifying_key_from_json::<Bn254>(&s);
                let _ = public_from_json::<ark_bn254::Fr>(&s);
            }
        }
    }
}
