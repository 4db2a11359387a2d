//! MSM test helpers shared by the G1 and G2 board tests: random points and scalars from a
//! seed, and one MSM on a device checked against arkworks' `VariableBaseMSM`.

use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ec::{CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zkpipe::msm::{BoardCurve, MsmReport};
use zkpipe::Device;

/// `n` random multiples of the group's generator (affine, normalised together).
pub fn points<P: BoardCurve>(n: usize, seed: u64) -> Vec<Affine<P>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let g = Projective::<P>::generator();
    let p: Vec<Projective<P>> = (0..n).map(|_| g * P::ScalarField::rand(&mut rng)).collect();
    Projective::normalize_batch(&p)
}

/// `n` random scalars.
pub fn scalars<F: UniformRand>(n: usize, seed: u64) -> Vec<F> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| F::rand(&mut rng)).collect()
}

/// arkworks' MSM: the independent reference.
pub fn reference<P: BoardCurve>(bases: &[Affine<P>], scalars: &[P::ScalarField]) -> Projective<P> {
    Projective::<P>::msm(bases, scalars).expect("equal lengths")
}

/// Runs the MSM on `device`, asserts it equals arkworks', returns the report.
pub fn check<P: BoardCurve>(
    device: &Device,
    bases: &[Affine<P>],
    scalars: &[P::ScalarField],
) -> MsmReport {
    let (sum, report) = device.msm(bases, scalars).expect("the MSM runs");
    assert_eq!(sum, reference(bases, scalars), "n = {}", bases.len());
    report
}
