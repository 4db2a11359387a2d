//! Groth16 checks shared by the board suites and the proving bench: a seeded MiMC key, and
//! a proof on a backend compared with ark-groth16's for the same (r, s).

use ark_ec::pairing::Pairing;
use ark_groth16::{Groth16, ProvingKey};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zkpipe::backend::Backend;
use zkpipe::groth16::{circuits::MimcChain, prove, ProofReport, ProveOptions};

/// A MiMC chain of `constraints` starting at `x0`, and ark-groth16's key for it (from `seed`).
pub fn mimc_key<E: Pairing>(
    constraints: usize,
    x0: u64,
    seed: u64,
) -> (MimcChain<E::ScalarField>, ProvingKey<E>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let circuit = MimcChain::with_constraints(E::ScalarField::from(x0), constraints);
    let pk = Groth16::<E>::generate_random_parameters_with_reduction(circuit.clone(), &mut rng)
        .expect("ark-groth16 sets up the MiMC chain");
    (circuit, pk)
}

/// Proves on `backend` with verification on and asserts the proof equals ark-groth16's
/// prover output for the same (r, s); returns the report.
pub fn prove_equals_ark_groth16<E: Pairing>(
    backend: &dyn Backend<E>,
    pk: &ProvingKey<E>,
    circuit: &MimcChain<E::ScalarField>,
    r: u64,
    s: u64,
) -> ProofReport {
    let (r, s) = (E::ScalarField::from(r), E::ScalarField::from(s));
    let options = ProveOptions { verify: true };
    let (proof, report) = prove(backend, pk, circuit.clone(), r, s, options).unwrap();
    let expected = Groth16::<E>::create_proof_with_reduction(circuit.clone(), pk, r, s).unwrap();
    assert_eq!(proof, expected, "proof on {}", backend.describe());
    assert!(report.verified);
    report
}
