//! The CPU backend's kernels and argument checks.

use super::*;
use ark_bn254::{Bn254, Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{FftField, UniformRand, Zero};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

#[test]
fn cpu_kernels_match_their_definitions() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let cpu = CpuBackend::new();
    let backend: &dyn Backend<Bn254> = &cpu;
    let scalars: Vec<Fr> = (0..20).map(|_| Fr::rand(&mut rng)).collect();
    let bases: Vec<G1Affine> = (0..20)
        .map(|_| (G1Affine::generator() * Fr::rand(&mut rng)).into_affine())
        .collect();
    let naive: G1Projective = bases.iter().zip(&scalars).map(|(b, s)| *b * s).sum();
    assert_eq!(backend.msm_g1(&bases, &scalars).unwrap(), naive);
    assert!(backend.msm_g1(&[], &[]).unwrap().is_zero());
    assert!(matches!(
        backend.msm_g1(&bases[..3], &scalars[..2]),
        Err(Error::LengthMismatch { a: 3, b: 2 })
    ));
    let mut v = scalars[..16].to_vec();
    backend
        .ntt(&mut v, Direction::Forward, Coset::Offset(Fr::GENERATOR))
        .unwrap();
    let mut expected = scalars[..16].to_vec();
    Radix2EvaluationDomain::<Fr>::new(16)
        .unwrap()
        .get_coset(Fr::GENERATOR)
        .unwrap()
        .fft_in_place(&mut expected);
    assert_eq!(v, expected);
    let mut odd = scalars[..3].to_vec();
    assert!(matches!(
        backend.ntt(&mut odd, Direction::Forward, Coset::None),
        Err(Error::NotPowerOfTwo { n: 3 })
    ));
    let mut a = scalars[..4].to_vec();
    backend.mul_assign(&mut a, &scalars[4..8]).unwrap();
    assert_eq!(a[1], scalars[1] * scalars[5]);
    backend.sub_assign(&mut a, &scalars[4..8]).unwrap();
    assert_eq!(a[2], scalars[2] * scalars[6] - scalars[6]);
    let stats = backend.stats();
    assert_eq!(
        (stats.msm_g1_calls, stats.ntt_calls, stats.elementwise_calls),
        (2, 1, 2)
    );
}

#[test]
fn unknown_uris_are_typed_errors() {
    assert!(matches!(open::<Bn254>("gpu:0"), Err(Error::BadUri(_))));
    assert!(open::<Bn254>("cpu").is_ok());
}
