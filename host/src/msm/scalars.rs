//! Scalars on the msm_run stream: ark-ff's Montgomery form, the limbs as they sit in
//! memory (m = k·R mod r, R = 2^256), like every other element on the wire. The card's
//! windows take m as an integer, so it computes Σ m_i·P_i = R·Σ k_i·P_i (the group has
//! order r); the host multiplies the result by R⁻¹ once ([`r_inv`]). That costs one
//! scalar multiplication per MSM instead of a Montgomery reduction per scalar (~20 ms of
//! host CPU for 2^20 scalars on this machine).

use ark_ff::PrimeField;

/// R = 2^256 mod r, the Montgomery radix of the 4-limb scalar fields: a scalar k's
/// Montgomery limbs are those of k·R.
pub fn radix<F: PrimeField>() -> F {
    debug_assert!(F::MODULUS_BIT_SIZE <= 256);
    F::from(2u64).pow([256u64])
}

/// R⁻¹ mod r.
pub fn r_inv<F: PrimeField>() -> F {
    radix::<F>()
        .inverse()
        .expect("2 is invertible mod an odd prime")
}

/// The scalar whose Montgomery limbs — what the card's windows see — are `limbs` (which
/// must be below r): for tests and benchmarks that need a given digit pattern on the card
/// (the same bucket in every window, carries at the top window).
pub fn seen_by_card_as<F: PrimeField>(limbs: [u64; 4]) -> F {
    let bytes: Vec<u8> = limbs.iter().flat_map(|l| l.to_le_bytes()).collect();
    F::from_le_bytes_mod_order(&bytes) * r_inv::<F>()
}

/// Montgomery limbs with the same digit in every `window_bits`-bit window where it fits
/// below bit `scalar_bits − 1` (so the value is below r): every point of an MSM with
/// [`same_bucket`] scalars hits one bucket per window, the deferral worst case. The digit
/// is below 2^(c−1), so signed-digit recoding keeps it and makes no carries. (A window
/// size outside 2..=32 is taken as the nearest bound.)
pub fn same_bucket_limbs(window_bits: usize, scalar_bits: usize) -> [u64; 4] {
    let window_bits = window_bits.clamp(2, 32);
    let digit = match 0x1Bu64 & ((1 << (window_bits - 1)) - 1) {
        0 => 1,
        d => d,
    };
    let digit_bits = (64 - digit.leading_zeros()) as usize;
    let mut limbs = [0u64; 4];
    let top = scalar_bits.min(256).saturating_sub(1);
    let mut at = 0;
    while at + digit_bits <= top {
        for b in 0..window_bits {
            if digit >> b & 1 == 1 {
                limbs[(at + b) / 64] |= 1 << ((at + b) % 64);
            }
        }
        at += window_bits;
    }
    limbs
}

/// The scalar the card sees as [`same_bucket_limbs`] for windows of `window_bits` bits.
pub fn same_bucket<F: PrimeField>(window_bits: usize) -> F {
    seen_by_card_as(same_bucket_limbs(window_bits, F::MODULUS_BIT_SIZE as usize))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msm::BoardCurve;
    use ark_bn254::Fr;
    use ark_ff::{Field, UniformRand};

    #[test]
    fn montgomery_limbs_are_k_times_r_and_seen_by_card_as_inverts_them() {
        let mut rng = rand::thread_rng();
        let r = radix::<Fr>();
        for _ in 0..100 {
            let k = Fr::rand(&mut rng);
            let m = <ark_bn254::g1::Config as BoardCurve>::scalar_limbs(&k);
            assert_eq!(ark_ff::BigInt(m), (k * r).into_bigint());
            assert_eq!(seen_by_card_as::<Fr>(m), k);
        }
        assert_eq!(r * r_inv::<Fr>(), Fr::ONE);
        let pattern = [0x1B1B_1B1B_1B1B_1B1Bu64; 4];
        let k = seen_by_card_as::<Fr>(pattern);
        assert_eq!(
            <ark_bn254::g1::Config as BoardCurve>::scalar_limbs(&k),
            pattern
        );
    }

    #[test]
    fn same_bucket_scalars_have_one_digit_in_every_full_window() {
        // Independently of the construction: read the windows back as a big integer.
        let r = num_bigint::BigUint::from(Fr::MODULUS);
        for c in [4usize, 5, 6, 8, 10, 13, 16] {
            let k = same_bucket::<Fr>(c);
            let m = <ark_bn254::g1::Config as BoardCurve>::scalar_limbs(&k);
            let big = num_bigint::BigUint::from_slice(
                &m.iter()
                    .flat_map(|l| [*l as u32, (*l >> 32) as u32])
                    .collect::<Vec<_>>(),
            );
            assert!(big < r, "c = {c}");
            let windows = 256usize.div_ceil(c);
            let mask = num_bigint::BigUint::from((1u32 << c) - 1);
            let digits: Vec<u32> = (0..windows)
                .map(|w| ((&big >> (w * c)) & &mask).try_into().unwrap())
                .collect();
            let d0 = digits[0];
            assert!(d0 > 0 && d0 < 1 << (c - 1), "c = {c}: digit {d0}");
            // Every window below bit 253 that has room for the digit carries it.
            let filled = digits.iter().take_while(|&&d| d == d0).count();
            assert!(filled >= 253 / c, "c = {c}: {filled} windows");
            assert!(digits[filled..].iter().all(|&d| d == 0), "c = {c}");
        }
        // c = 8: 0x1B in every byte, the pattern the G1 tests use.
        assert_eq!(same_bucket_limbs(8, 254), [0x1B1B_1B1B_1B1B_1B1Bu64; 4]);
    }
}
