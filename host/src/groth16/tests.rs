//! The prover on the CPU backend against ark-groth16 itself.

use super::circuits::MimcChain;
use super::*;
use crate::backend::CpuBackend;
use crate::ntt::{Coset, Direction};
use ark_bn254::{Bn254, Fr};
use ark_ff::UniformRand;
use ark_groth16::Groth16;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn setup(constraints: usize) -> (ProvingKey<Bn254>, MimcChain<Fr>) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let circuit = MimcChain::with_constraints(Fr::from(3u64), constraints);
    let pk = Groth16::<Bn254>::generate_random_parameters_with_reduction(circuit.clone(), &mut rng)
        .unwrap();
    (pk, circuit)
}

#[test]
fn cpu_proofs_equal_ark_groth16_and_verify() {
    let (pk, circuit) = setup(64);
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let backend = CpuBackend::new();
    for (r, s) in [
        (Fr::rand(&mut rng), Fr::rand(&mut rng)),
        (Fr::from(0u64), Fr::rand(&mut rng)),
        (Fr::from(0u64), Fr::from(0u64)),
    ] {
        let expected =
            Groth16::<Bn254>::create_proof_with_reduction(circuit.clone(), &pk, r, s).unwrap();
        let (proof, report) = prove(
            &backend,
            &pk,
            circuit.clone(),
            r,
            s,
            ProveOptions { verify: true },
        )
        .unwrap();
        assert_eq!(proof, expected);
        assert!(report.verified);
        assert_eq!(report.backend.ntt_calls, 7);
        assert_eq!(report.domain_size, 128);
    }
    let pvk = ark_groth16::prepare_verifying_key(&pk.vk);
    let (proof, _) = prove(
        &backend,
        &pk,
        circuit.clone(),
        Fr::from(5u64),
        Fr::from(6u64),
        ProveOptions::default(),
    )
    .unwrap();
    assert!(Groth16::<Bn254>::verify_proof(&pvk, &proof, &[circuit.output()]).unwrap());
    assert!(
        !Groth16::<Bn254>::verify_proof(&pvk, &proof, &[circuit.output() + Fr::from(1u64)])
            .unwrap()
    );
}

/// The CPU backend with a corrupted G1 MSM result.
struct CorruptMsm(CpuBackend);

impl Backend<Bn254> for CorruptMsm {
    fn describe(&self) -> String {
        "corrupt".into()
    }
    fn msm_g1(
        &self,
        bases: &[ark_bn254::G1Affine],
        scalars: &[Fr],
    ) -> crate::Result<ark_bn254::G1Projective> {
        let r = Backend::<Bn254>::msm_g1(&self.0, bases, scalars)?;
        Ok(r + ark_bn254::G1Affine::generator())
    }
    fn msm_g2(
        &self,
        bases: &[ark_bn254::G2Affine],
        scalars: &[Fr],
    ) -> crate::Result<ark_bn254::G2Projective> {
        Backend::<Bn254>::msm_g2(&self.0, bases, scalars)
    }
    fn ntt(&self, v: &mut [Fr], d: Direction, c: Coset<Fr>) -> crate::Result<()> {
        Backend::<Bn254>::ntt(&self.0, v, d, c)
    }
    fn mul_assign(&self, a: &mut [Fr], b: &[Fr]) -> crate::Result<()> {
        Backend::<Bn254>::mul_assign(&self.0, a, b)
    }
    fn sub_assign(&self, a: &mut [Fr], b: &[Fr]) -> crate::Result<()> {
        Backend::<Bn254>::sub_assign(&self.0, a, b)
    }
    fn stats(&self) -> BackendStats {
        Backend::<Bn254>::stats(&self.0)
    }
}

#[test]
fn a_corrupted_msm_is_caught_by_verification() {
    let (pk, circuit) = setup(16);
    let backend = CorruptMsm(CpuBackend::new());
    let (r, s) = (Fr::from(11u64), Fr::from(12u64));
    let err = prove(
        &backend,
        &pk,
        circuit.clone(),
        r,
        s,
        ProveOptions { verify: true },
    )
    .unwrap_err();
    assert!(matches!(err, Error::ProofRejected { .. }), "{err}");
    // Without verification the wrong proof differs from ark-groth16's.
    let (proof, _) = prove(
        &backend,
        &pk,
        circuit.clone(),
        r,
        s,
        ProveOptions::default(),
    )
    .unwrap();
    let expected = Groth16::<Bn254>::create_proof_with_reduction(circuit, &pk, r, s).unwrap();
    assert_ne!(proof, expected);
}

#[test]
fn mismatched_key_and_unsatisfied_circuit_are_typed_errors() {
    let (pk, _) = setup(16);
    let backend = CpuBackend::new();
    let other = MimcChain::with_constraints(Fr::from(3u64), 32);
    let err = prove(
        &backend,
        &pk,
        other,
        Fr::from(1u64),
        Fr::from(1u64),
        ProveOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Circuit(_)), "{err}");

    /// Claims a wrong output.
    struct Lying;
    impl ConstraintSynthesizer<Fr> for Lying {
        fn generate_constraints(
            self,
            cs: ark_relations::r1cs::ConstraintSystemRef<Fr>,
        ) -> ark_relations::r1cs::Result<()> {
            let a = cs.new_witness_variable(|| Ok(Fr::from(2u64)))?;
            let out = cs.new_input_variable(|| Ok(Fr::from(5u64)))?;
            cs.enforce_constraint(
                ark_relations::lc!() + a,
                ark_relations::lc!() + a,
                ark_relations::lc!() + out,
            )
        }
    }
    let err = prove(
        &backend,
        &pk,
        Lying,
        Fr::from(1u64),
        Fr::from(1u64),
        ProveOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("does not satisfy"), "{err}");
}
