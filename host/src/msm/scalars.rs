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
}
