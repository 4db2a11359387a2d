//! The planner on the software engine against ark-poly, with cores small enough that the
//! four-step recursion goes two and three levels deep.

use super::*;
use ark_bn254::Fr;
use ark_ff::{AdditiveGroup, UniformRand};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A field with a small two-adic subgroup (97 − 1 = 2^5 · 3).
#[derive(ark_ff::MontConfig)]
#[modulus = "97"]
#[generator = "5"]
struct F97Config;
type F97 = ark_ff::Fp64<ark_ff::MontBackend<F97Config, 1>>;

fn reference(x: &[Fr], direction: Direction, coset: Coset<Fr>) -> Vec<Fr> {
    let mut domain = Radix2EvaluationDomain::<Fr>::new(x.len()).unwrap();
    if let Coset::Offset(g) = coset {
        domain = domain.get_coset(g).unwrap();
    }
    let mut y = x.to_vec();
    match direction {
        Direction::Forward => domain.fft_in_place(&mut y),
        Direction::Inverse => domain.ifft_in_place(&mut y),
    }
    y
}

#[test]
fn every_size_direction_and_coset_matches_ark_poly() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    // Core 2^2, twiddles to 2^12, jobs of 64 elements: 2^3 and 2^4 are one four-step
    // level, larger sizes recurse (the columns are four-step transforms again); 2^13 and
    // 2^14, and cosets beyond one job, take host radix-2 steps first.
    let engine = SoftEngine::new(2, 12, 64);
    for log_n in 0..=14 {
        let n = 1usize << log_n;
        let x: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        for direction in [Direction::Forward, Direction::Inverse] {
            for coset in [Coset::None, Coset::Offset(Fr::GENERATOR)] {
                let mut y = x.clone();
                ntt(&engine, &mut y, direction, coset).unwrap();
                assert_eq!(
                    y,
                    reference(&x, direction, coset),
                    "n = {n}, {direction:?}, {coset:?}"
                );
            }
        }
    }
}

#[test]
fn inverse_undoes_forward() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let engine = SoftEngine::new(3, 16, 1 << 16);
    let x: Vec<Fr> = (0..1 << 11).map(|_| Fr::rand(&mut rng)).collect();
    let mut y = x.clone();
    let g = Fr::from(7u64);
    ntt(&engine, &mut y, Direction::Forward, Coset::Offset(g)).unwrap();
    assert_ne!(y, x);
    ntt(&engine, &mut y, Direction::Inverse, Coset::Offset(g)).unwrap();
    assert_eq!(y, x);
}

#[test]
fn bad_sizes_are_typed_errors_and_leave_the_input() {
    let engine = SoftEngine::new(2, 8, 64);
    let mut empty: Vec<Fr> = vec![];
    assert!(matches!(
        ntt(&engine, &mut empty, Direction::Forward, Coset::None),
        Err(Error::Empty)
    ));
    let mut three = vec![Fr::from(1u64), Fr::from(2u64), Fr::from(3u64)];
    let before = three.clone();
    assert!(matches!(
        ntt(&engine, &mut three, Direction::Forward, Coset::None),
        Err(Error::NotPowerOfTwo { n: 3 })
    ));
    assert_eq!(three, before);
    // Beyond the field's two-adic subgroup: F_97 has 2^5 | 96.
    let mut big = vec![F97::from(1u64); 64];
    assert!(matches!(
        ntt(&engine, &mut big, Direction::Inverse, Coset::None),
        Err(Error::NttTooLarge { n: 64, max: 32 })
    ));
    assert!(big.iter().all(|x| *x == F97::from(1u64)));
    // An engine without an NTT core says so instead of the host doing every step.
    let none = SoftEngine::new(0, 0, 64);
    let mut eight = vec![Fr::from(1u64); 8];
    assert!(ntt(&none, &mut eight, Direction::Forward, Coset::None).is_err());
    assert!(eight.iter().all(|x| *x == Fr::from(1u64)));
    let mut four = vec![Fr::from(1u64); 4];
    assert!(matches!(
        ntt(
            &engine,
            &mut four,
            Direction::Forward,
            Coset::Offset(Fr::ZERO)
        ),
        Err(Error::ZeroCosetOffset)
    ));
}

#[test]
fn a_wrong_twiddle_is_caught() {
    /// The software engine with the four-step twiddle off by one row.
    struct Skewed(SoftEngine);
    impl NttEngine<Fr> for Skewed {
        fn core_log_size(&self) -> u32 {
            NttEngine::<Fr>::core_log_size(&self.0)
        }
        fn twiddle_log(&self) -> u32 {
            NttEngine::<Fr>::twiddle_log(&self.0)
        }
        fn max_job(&self) -> usize {
            NttEngine::<Fr>::max_job(&self.0)
        }
        fn run(&self, data: &mut [Fr], job: &NttJob<Fr>) -> Result<EngineStats> {
            let mut job = *job;
            if let Factor::Twiddle { row0, .. } = &mut job.factor {
                *row0 += 1;
            }
            self.0.run(data, &job)
        }
        fn powmul(&self, data: &mut [Fr], g: Fr) -> Result<EngineStats> {
            self.0.powmul(data, g)
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let x: Vec<Fr> = (0..64).map(|_| Fr::rand(&mut rng)).collect();
    let mut y = x.clone();
    ntt(
        &Skewed(SoftEngine::new(3, 8, 64)),
        &mut y,
        Direction::Forward,
        Coset::None,
    )
    .unwrap();
    assert_ne!(y, reference(&x, Direction::Forward, Coset::None));
}
