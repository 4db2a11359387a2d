//! Host side of Pippenger: from the card's buckets to Σ kᵢ·Pᵢ.
//!
//! Window w's buckets B_1 … B_m (m = 2^(c−1)) hold Σ ±P over the points whose signed digit
//! in window w is ±d ([`super::digits`]). The window sum Σ d·B_d is taken by running sums
//! from d = m down (two additions per bucket, the first mixed after one batch
//! normalisation), windows in parallel; the result is Σ_w 2^(c·w)·S_w by Horner
//! (c doublings per window).

use super::wire::Bucket;
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::CurveGroup;
use ark_ff::{AdditiveGroup, Field, Zero};
use rayon::prelude::*;

/// Checks a homogeneous bucket (X : Y : Z) is on the curve (Y²Z = X³ + bZ³, a = 0) and
/// not the invalid (0 : 0 : 0).
pub fn bucket_is_valid<P: SWCurveConfig>(b: &Bucket<P::BaseField>) -> bool {
    let (x, y, z) = b;
    if z.is_zero() {
        return x.is_zero() && !y.is_zero();
    }
    y.square() * z == x.square() * x + P::COEFF_B * z.square() * z
}

/// `Σ_w 2^(c·w) Σ_d d·B[w][d]`. `buckets` is window-major, magnitudes 1 ..= 2^(c−1).
/// `Err(i)`: bucket i is not a valid point.
pub fn reduce<P: SWCurveConfig>(
    buckets: &[Bucket<P::BaseField>],
    window_bits: usize,
) -> Result<Projective<P>, usize> {
    let m = zkpipe_spec::wire::buckets_per_window(window_bits);
    assert_eq!(buckets.len() % m, 0, "whole windows of buckets");
    if let Some(bad) = buckets
        .par_iter()
        .position_first(|b| !bucket_is_valid::<P>(b))
    {
        return Err(bad);
    }
    // (X : Y : Z) homogeneous = (X·Z, Y·Z², Z) Jacobian (ark-ec's Projective).
    let jacobian: Vec<Projective<P>> = buckets
        .par_iter()
        .map(|(x, y, z)| Projective::new_unchecked(*x * z, *y * z.square(), *z))
        .collect();
    let affine: Vec<Affine<P>> = jacobian
        .par_chunks(1 << 12)
        .flat_map_iter(Projective::normalize_batch)
        .collect();
    let sums: Vec<Projective<P>> = affine
        .par_chunks(m)
        .map(|window| {
            let mut running = Projective::<P>::zero();
            let mut sum = Projective::<P>::zero();
            for b in window.iter().rev() {
                running += b;
                sum += running;
            }
            sum
        })
        .collect();
    let mut acc = Projective::<P>::zero();
    for s in sums.iter().rev() {
        for _ in 0..window_bits {
            acc.double_in_place();
        }
        acc += s;
    }
    Ok(acc)
}

/// The MSM from the card's reduced sums: per window w and group g (window-major),
/// S_g = Σ B_m and T_g = Σ (m − g·K)·B_m over magnitudes gK+1 … (g+1)K, K = 2^(c−1)/G.
/// Window w's sum is Σ_g T_g + K·Σ_g g·S_g, where Σ_g g·S_g is the sum of the suffix sums
/// Σ_{g′≥g} S_g′ for g ≥ 1 (2·G additions, then log₂K doublings once per window, not once
/// per group); the result Σ_w 2^(c·w)·(window sum) by Horner. Host work: 2·W·G points,
/// independent of n and (for a given G) of c. `Err(i)`: sum i is not a valid point.
/// Panics unless G is a power of two ≤ 2^(c−1) and the sums are whole windows (the driver
/// checks CAPS_MSM_REDUCE before it asks the card to reduce).
pub fn combine_sums<P: SWCurveConfig>(
    sums: &[Bucket<P::BaseField>],
    window_bits: usize,
    groups: usize,
) -> Result<Projective<P>, usize> {
    assert!(
        groups > 0 && sums.len() % (2 * groups) == 0,
        "S, T per window and group"
    );
    if let Some(bad) = sums.iter().position(|b| !bucket_is_valid::<P>(b)) {
        return Err(bad);
    }
    let k = zkpipe_spec::wire::buckets_per_window(window_bits) / groups;
    assert!(k.is_power_of_two(), "groups divide the window's magnitudes");
    let jacobian = |(x, y, z): &Bucket<P::BaseField>| {
        Projective::<P>::new_unchecked(*x * z, *y * z.square(), *z)
    };
    let windows: Vec<Projective<P>> = sums
        .par_chunks(2 * groups)
        .map(|w| {
            // suffix = Σ_{g′≥g} S_g′; weighted = Σ_{g≥1} suffix_g = Σ_g g·S_g.
            let mut suffix = Projective::<P>::zero();
            let mut weighted = Projective::<P>::zero();
            let mut t_sum = Projective::<P>::zero();
            for g in (0..groups).rev() {
                t_sum += jacobian(&w[2 * g + 1]);
                if g > 0 {
                    suffix += jacobian(&w[2 * g]);
                    weighted += suffix;
                }
            }
            // K·Σ_g g·S_g (K a power of two: doublings).
            for _ in 0..k.trailing_zeros() {
                weighted.double_in_place();
            }
            t_sum + weighted
        })
        .collect();
    let mut acc = Projective::<P>::zero();
    for s in windows.iter().rev() {
        for _ in 0..window_bits {
            acc.double_in_place();
        }
        acc += s;
    }
    Ok(acc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msm::digits::{bucket_index, signed_digits};
    use ark_bn254::{Fr, G1Affine, G1Projective};
    use ark_ec::{AffineRepr, PrimeGroup, VariableBaseMSM};
    use ark_ff::{PrimeField, UniformRand};
    use rand::SeedableRng;

    /// Software buckets (the card's job, done with ark-ec) in homogeneous coordinates.
    fn buckets_of(bases: &[G1Affine], scalars: &[Fr], c: usize) -> Vec<Bucket<ark_bn254::Fq>> {
        let windows = (Fr::MODULUS_BIT_SIZE as usize + 1).div_ceil(c);
        let m = zkpipe_spec::wire::buckets_per_window(c);
        let mut b = vec![G1Projective::zero(); windows * m];
        for (p, k) in bases.iter().zip(scalars) {
            let digits = signed_digits(k.into_bigint().as_ref(), c, windows);
            for (w, &d) in digits.iter().enumerate() {
                match d.signum() {
                    1 => b[bucket_index(c, w, d)] += p,
                    -1 => b[bucket_index(c, w, d)] -= p,
                    _ => {}
                }
            }
        }
        b.iter()
            .map(|p| {
                if p.is_zero() {
                    (0.into(), 1.into(), 0.into())
                } else {
                    let a = p.into_affine();
                    let z = ark_bn254::Fq::from(7u64); // any Z ≠ 0
                    (a.x * z, a.y * z, z)
                }
            })
            .collect()
    }

    #[test]
    fn reduces_software_buckets_to_arkworks_msm() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for (n, c) in [(1, 4), (5, 3), (40, 8)] {
            let bases: Vec<G1Affine> = (0..n)
                .map(|_| (G1Projective::generator() * Fr::rand(&mut rng)).into_affine())
                .collect();
            let mut scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            scalars[0] = -Fr::from(1u64);
            // All ones in the low window: digit −1 and a carry.
            scalars[n - 1] += Fr::from((1u64 << c) - 1);
            let got = reduce::<ark_bn254::g1::Config>(&buckets_of(&bases, &scalars, c), c);
            assert_eq!(got, Ok(G1Projective::msm(&bases, &scalars).unwrap()));
        }
    }

    #[test]
    fn rejects_buckets_off_the_curve() {
        let g = G1Affine::generator();
        let good = (g.x, g.y, 1.into());
        let bad = (g.x, g.y + ark_bn254::Fq::from(1u64), 1.into());
        let zero = (0.into(), 0.into(), 0.into());
        let mut buckets = vec![good; 16];
        assert!(reduce::<ark_bn254::g1::Config>(&buckets, 4).is_ok());
        buckets[9] = bad;
        assert_eq!(reduce::<ark_bn254::g1::Config>(&buckets, 4), Err(9));
        buckets[9] = good;
        buckets[3] = zero;
        assert_eq!(reduce::<ark_bn254::g1::Config>(&buckets, 4), Err(3));
    }

    /// The card's reduction done in software (S_g, T_g per window and group, the schedule
    /// of `zkpipe_spec::preset::ReducePlan`) and combined by [`combine_sums`].
    #[test]
    fn combines_group_sums_to_arkworks_msm() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(6);
        let (n, c) = (50, 5);
        let bases: Vec<G1Affine> = (0..n)
            .map(|_| (G1Projective::generator() * Fr::rand(&mut rng)).into_affine())
            .collect();
        let scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        let expected = G1Projective::msm(&bases, &scalars).unwrap();
        let buckets = buckets_of(&bases, &scalars, c);
        let m = zkpipe_spec::wire::buckets_per_window(c);
        let proj = |(x, y, z): &Bucket<ark_bn254::Fq>| {
            G1Projective::new_unchecked(*x * z, *y * z.square(), *z)
        };
        let hom = |p: G1Projective| -> Bucket<ark_bn254::Fq> {
            if p.is_zero() {
                (0.into(), 1.into(), 0.into())
            } else {
                let a = p.into_affine();
                (a.x, a.y, 1.into())
            }
        };
        for groups in [1, 2, 4, m] {
            let k = m / groups;
            let mut sums = vec![];
            for window in buckets.chunks(m) {
                for g in 0..groups {
                    let (mut s, mut t) = (G1Projective::zero(), G1Projective::zero());
                    for r in 0..k {
                        t += s;
                        s += proj(&window[g * k + k - 1 - r]);
                    }
                    t += s;
                    sums.push(hom(s));
                    sums.push(hom(t));
                }
            }
            let got = combine_sums::<ark_bn254::g1::Config>(&sums, c, groups);
            assert_eq!(got, Ok(expected), "{groups} groups");
        }
        let mut bad = buckets_of(&bases, &scalars, c)[..4].to_vec();
        bad[3].0 += ark_bn254::Fq::from(1u64);
        assert_eq!(combine_sums::<ark_bn254::g1::Config>(&bad, c, 2), Err(3));
    }
}
