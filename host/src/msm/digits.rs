//! Signed window digits: the card's decomposition of a scalar, written once in Rust for the
//! cycle model and the tests' software buckets.
//!
//! Window w takes raw = bits [c·w, c·w + c) + carry; raw > 2^(c−1) becomes the digit
//! raw − 2^c with carry 1, else the digit is raw with carry 0. Digits lie in
//! [−2^(c−1) + 1, 2^(c−1)], so a window needs buckets for magnitudes 1 ..= 2^(c−1) only
//! (a negative digit adds −P), and Σ dᵥ·2^(c·w) equals the scalar when c·windows exceeds
//! its bit length.

/// The signed digits of `scalar` (little-endian 64-bit limbs), `windows` windows of
/// `window_bits` bits (2 ≤ c ≤ 32). The carry out of the top window is dropped: the
/// card's geometry (W·c > scalar bits) makes it zero for scalars below r.
pub fn signed_digits(scalar: &[u64], window_bits: usize, windows: usize) -> Vec<i64> {
    let c = window_bits;
    debug_assert!((2..=32).contains(&c));
    let half = 1i64 << (c - 1);
    let mut carry = 0i64;
    (0..windows)
        .map(|w| {
            let raw = unsigned_digit(scalar, c, w) as i64 + carry;
            let neg = raw > half;
            carry = neg as i64;
            if neg {
                raw - (1 << c)
            } else {
                raw
            }
        })
        .collect()
}

/// Bits [c·w, c·w + c) of `scalar` (zero above its limbs).
fn unsigned_digit(scalar: &[u64], c: usize, w: usize) -> u64 {
    let bit = w * c;
    let (limb, off) = (bit / 64, bit % 64);
    let Some(&low) = scalar.get(limb) else {
        return 0;
    };
    let mut v = low >> off;
    if off + c > 64 {
        if let Some(&high) = scalar.get(limb + 1) {
            v |= high << (64 - off);
        }
    }
    v & ((1u64 << c) - 1)
}

/// Index of the bucket of digit `d` ≠ 0 in window `w` in the card's readout order
/// (window-major, magnitude ascending from 1).
pub fn bucket_index(window_bits: usize, w: usize, d: i64) -> usize {
    debug_assert!(d != 0);
    (w << (window_bits - 1)) + d.unsigned_abs() as usize - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::{BigInt, BigUint};
    use rand::{Rng, SeedableRng};

    fn value(digits: &[i64], c: usize) -> BigInt {
        digits
            .iter()
            .rev()
            .fold(BigInt::from(0), |acc, &d| (acc << c) + d)
    }

    #[test]
    fn digits_recompose_the_scalar_and_stay_in_range() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for c in [2, 3, 8, 13, 16] {
            let windows = 255usize.div_ceil(c);
            let mut cases: Vec<[u64; 4]> = (0..200).map(|_| rng.gen()).collect();
            for s in &mut cases {
                s[3] >>= 2; // below 2^254
            }
            cases.push([0; 4]);
            cases.push([u64::MAX, u64::MAX, u64::MAX, u64::MAX >> 2]);
            cases.push([1 << (c - 1), 0, 0, 0]);
            cases.push([(1 << (c - 1)) + 1, 0, 0, 0]);
            for s in cases {
                let d = signed_digits(&s, c, windows);
                let half = 1i64 << (c - 1);
                assert!(d.iter().all(|&x| -half < x && x <= half), "c={c} {d:?}");
                let want = BigUint::from_slice(
                    &s.iter()
                        .flat_map(|l| [*l as u32, (*l >> 32) as u32])
                        .collect::<Vec<_>>(),
                );
                assert_eq!(value(&d, c), BigInt::from(want), "c={c} {s:?}");
            }
        }
    }

    #[test]
    fn all_ones_become_minus_one_with_a_carry() {
        // 0xff…f (c = 4, two windows of ones, one spare window): −1, −1, +1.
        assert_eq!(signed_digits(&[0xff], 4, 3), vec![-1, 0, 1]);
        assert_eq!(signed_digits(&[0x8], 4, 2), vec![8, 0]);
        assert_eq!(signed_digits(&[0x9], 4, 2), vec![-7, 1]);
        assert_eq!(bucket_index(4, 0, -7), 6);
        assert_eq!(bucket_index(4, 2, 8), 2 * 8 + 7);
    }
}
