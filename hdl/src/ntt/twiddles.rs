//! Twiddle factors and scale constants for the NTT core, from arkworks.
//!
//! Every value is the Montgomery-form limbs of an ark-ff element (what the hardware
//! multiplies), derived from ark-ff's two-adic root of unity through `FftField`.

use crate::preset::Curve;
use ark_ff::fields::models::fp::{Fp, MontBackend, MontConfig};
use ark_ff::{FftField, Field};
use num_bigint::BigUint;

type F<C> = Fp<MontBackend<C, 4>, 4>;

fn mont<C: MontConfig<4>>(x: &F<C>) -> BigUint {
    crate::field::FieldParams::limbs_to_biguint(&x.0 .0)
}

fn stage_twiddles<C: MontConfig<4>>(h: usize, inverse: bool) -> Vec<BigUint> {
    let mut w = F::<C>::get_root_of_unity(2 * h as u64).expect("2h divides the two-adicity");
    if inverse {
        w = w.inverse().expect("roots of unity are invertible");
    }
    let mut acc = F::<C>::ONE;
    (0..h)
        .map(|_| {
            let v = mont(&acc);
            acc *= w;
            v
        })
        .collect()
}

fn inverse_sizes<C: MontConfig<4>>(max_log: usize) -> Vec<BigUint> {
    (0..=max_log)
        .map(|m| mont(&F::<C>::from(1u64 << m).inverse().expect("n ≠ 0")))
        .collect()
}

fn digit_table<C: MontConfig<4>>(twiddle_log: usize, digit: usize) -> Vec<BigUint> {
    let w = F::<C>::get_root_of_unity(1u64 << twiddle_log).expect("S ≤ the two-adicity");
    let half = twiddle_log / 2;
    let base = w.pow([1u64 << (half * digit)]);
    let mut acc = F::<C>::ONE;
    (0..1usize << half)
        .map(|_| {
            let v = mont(&acc);
            acc *= base;
            v
        })
        .collect()
}

fn one<C: MontConfig<4>>() -> BigUint {
    mont(&F::<C>::ONE)
}

/// Twiddles of the DIF stage with half-size `h`: ω_{2h}^j (or ω_{2h}^{−j}), j < h.
pub fn stage(curve: Curve, h: usize, inverse: bool) -> Vec<BigUint> {
    match curve {
        Curve::Bn254 => stage_twiddles::<ark_bn254::FrConfig>(h, inverse),
        Curve::Bls12_381 => stage_twiddles::<ark_bls12_381::FrConfig>(h, inverse),
    }
}

/// 1/2^m for m = 0..=max_log (the inverse transform's scaling).
pub fn inverse_size_factors(curve: Curve, max_log: usize) -> Vec<BigUint> {
    match curve {
        Curve::Bn254 => inverse_sizes::<ark_bn254::FrConfig>(max_log),
        Curve::Bls12_381 => inverse_sizes::<ark_bls12_381::FrConfig>(max_log),
    }
}

/// The element one (R mod p).
pub fn field_one(curve: Curve) -> BigUint {
    match curve {
        Curve::Bn254 => one::<ark_bn254::FrConfig>(),
        Curve::Bls12_381 => one::<ark_bls12_381::FrConfig>(),
    }
}

/// The four-step twiddle unit's ROMs: with ω a primitive 2^S-th root of unity and
/// h = S/2, digit 0 holds ω^d and digit 1 holds ω^(d·2^h) for d < 2^h, so
/// ω^e = T0[e mod 2^h] · T1[e >> h] for any e < 2^S.
pub fn exponent_digits(curve: Curve, twiddle_log: usize, digit: usize) -> Vec<BigUint> {
    assert!(twiddle_log.is_multiple_of(2) && digit < 2);
    match curve {
        Curve::Bn254 => digit_table::<ark_bn254::FrConfig>(twiddle_log, digit),
        Curve::Bls12_381 => digit_table::<ark_bls12_381::FrConfig>(twiddle_log, digit),
    }
}
