//! BLS12-381 on the simulated board (`sim-bls12-381`: the same generator as sim-small, on
//! the second curve; base points take two beats): MSM against arkworks, an NTT against
//! ark-poly, and a Groth16 proof equal to ark-groth16's.

use ark_bls12_381::{Bls12_381, Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::{FftField, UniformRand};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zkpipe::backend;
use zkpipe::{Coset, Device, Direction};
use zkpipe_tests::groth16::{mimc_key, prove_equals_ark_groth16};

const SIM: &str = "sim:sim-bls12-381";

#[test]
fn msm_and_ntt_on_the_bls12_381_board() {
    let d = Device::open(SIM).unwrap();
    assert_eq!(d.capabilities().msm_point_beats, 2);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let g = G1Projective::generator();
    let mut bases: Vec<G1Affine> = G1Projective::normalize_batch(
        &(0..150).map(|_| g * Fr::rand(&mut rng)).collect::<Vec<_>>(),
    );
    bases[7] = G1Affine::identity();
    bases[8] = (-bases[9].into_group()).into_affine();
    let mut ks: Vec<Fr> = (0..150).map(|_| Fr::rand(&mut rng)).collect();
    ks[8] = ks[9];
    ks[0] = -Fr::from(1u64);
    ks[1] = Fr::from(0u64);
    let (sum, report) = d.msm(&bases, &ks).unwrap();
    assert_eq!(sum, G1Projective::msm(&bases, &ks).unwrap());
    assert_eq!(report.load_jobs, 1);
    let mut x: Vec<Fr> = (0..1024).map(|_| Fr::rand(&mut rng)).collect();
    let mut expected = x.clone();
    Radix2EvaluationDomain::<Fr>::new(1024)
        .unwrap()
        .get_coset(Fr::GENERATOR)
        .unwrap()
        .fft_in_place(&mut expected);
    zkpipe::ntt(&d, &mut x, Direction::Forward, Coset::Offset(Fr::GENERATOR)).unwrap();
    assert_eq!(x, expected);
}

#[test]
fn groth16_on_the_bls12_381_board_equals_ark_groth16() {
    let (circuit, pk) = mimc_key::<Bls12_381>(256, 3, 2);
    let board = backend::open::<Bls12_381>(SIM).unwrap();
    let report = prove_equals_ark_groth16(board.as_ref(), &pk, &circuit, 5, 6);
    // h's MSM inside the QAP step in card memory, three through the backend.
    assert_eq!(report.backend.qap_on_card_calls, 1);
    assert_eq!(report.backend.msm_g1_calls, 3);
    assert!(report.backend.msm_device.adds > 0);
}
