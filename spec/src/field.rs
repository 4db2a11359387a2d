//! Field parameters, derived from arkworks at generation time.
//!
//! Nothing here is typed by hand: the modulus, Montgomery R, R² and −p⁻¹ come from
//! ark-ff's `MontConfig` of each curve crate. The hardware uses the *same* Montgomery
//! radix as ark-ff, R = 2^(64·limbs), so the little-endian u64 limbs of an ark-ff element
//! in memory are exactly the operand bits the hardware expects (see `docs/ARCHITECTURE.md`,
//! "Wire format").

use ark_ff::{BigInt, BigInteger, MontConfig};
use num_bigint::BigUint;
use num_traits::{One, Zero};
use std::fmt;
use std::str::FromStr;

/// The prime fields zkpipe generates hardware for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum FieldId {
    /// BN254 scalar field (Fr), 254 bits.
    Bn254Fr,
    /// BN254 base field (Fq), 254 bits.
    Bn254Fq,
    /// BLS12-381 scalar field (Fr), 255 bits.
    Bls12_381Fr,
    /// BLS12-381 base field (Fq), 381 bits.
    Bls12_381Fq,
}

impl FieldId {
    /// Every supported field, in a stable order.
    pub const ALL: [FieldId; 4] = [
        FieldId::Bn254Fr,
        FieldId::Bn254Fq,
        FieldId::Bls12_381Fr,
        FieldId::Bls12_381Fq,
    ];

    /// Short machine name used in model names, manifests and CLI flags.
    pub fn name(self) -> &'static str {
        match self {
            FieldId::Bn254Fr => "bn254_fr",
            FieldId::Bn254Fq => "bn254_fq",
            FieldId::Bls12_381Fr => "bls12_381_fr",
            FieldId::Bls12_381Fq => "bls12_381_fq",
        }
    }

    /// The parameters of this field, read from arkworks.
    pub fn params(self) -> FieldParams {
        match self {
            FieldId::Bn254Fr => FieldParams::from_mont::<ark_bn254::FrConfig, 4>(self),
            FieldId::Bn254Fq => FieldParams::from_mont::<ark_bn254::FqConfig, 4>(self),
            FieldId::Bls12_381Fr => FieldParams::from_mont::<ark_bls12_381::FrConfig, 4>(self),
            FieldId::Bls12_381Fq => FieldParams::from_mont::<ark_bls12_381::FqConfig, 6>(self),
        }
    }

    /// Number of 64-bit limbs of an element (4 or 6).
    pub fn limbs(self) -> usize {
        self.modulus_limbs().len()
    }

    /// The modulus as little-endian u64 limbs, straight from ark-ff (no derived constants
    /// computed: cheap enough for a per-job check).
    pub fn modulus_limbs(self) -> &'static [u64] {
        match self {
            FieldId::Bn254Fr => &<ark_bn254::FrConfig as MontConfig<4>>::MODULUS.0,
            FieldId::Bn254Fq => &<ark_bn254::FqConfig as MontConfig<4>>::MODULUS.0,
            FieldId::Bls12_381Fr => &<ark_bls12_381::FrConfig as MontConfig<4>>::MODULUS.0,
            FieldId::Bls12_381Fq => &<ark_bls12_381::FqConfig as MontConfig<6>>::MODULUS.0,
        }
    }
}

impl fmt::Display for FieldId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FieldId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        FieldId::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let known: Vec<_> = FieldId::ALL.iter().map(|f| f.name()).collect();
                format!("unknown field `{s}` (known: {})", known.join(", "))
            })
    }
}

/// Constants of one prime field as the hardware needs them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldParams {
    /// Which field.
    pub id: FieldId,
    /// Number of 64-bit limbs; the operand width is `64 * limbs` bits.
    pub limbs: usize,
    /// Bit length of the modulus (e.g. 254 for BN254).
    pub modulus_bits: u32,
    /// The prime p.
    pub modulus: BigUint,
    /// R mod p with R = 2^(64·limbs) (the Montgomery form of 1).
    pub r_mod_p: BigUint,
    /// R² mod p (converts canonical → Montgomery with one multiplication).
    pub r2_mod_p: BigUint,
    /// −p⁻¹ mod 2^64, ark-ff's `INV` (word-serial Montgomery reduction).
    pub neg_p_inv_word: u64,
    /// −p⁻¹ mod R, the constant of the one-shot (full-width) reduction the hardware uses.
    pub neg_p_inv_r: BigUint,
}

fn bigint_to_biguint<const N: usize>(x: &BigInt<N>) -> BigUint {
    let bytes: Vec<u8> = x.0.iter().flat_map(|l| l.to_le_bytes()).collect();
    BigUint::from_bytes_le(&bytes)
}

impl FieldParams {
    fn from_mont<C: MontConfig<N>, const N: usize>(id: FieldId) -> Self {
        let modulus = bigint_to_biguint(&C::MODULUS);
        let width = 64 * N;
        let r = BigUint::one() << width;
        // −p⁻¹ mod 2^w by Newton iteration from ark-ff's 64-bit INV: each step doubles the
        // number of correct low bits (x ← x·(2 + p·x) for x ≈ −p⁻¹).
        let mut neg_inv = BigUint::from(C::INV);
        let mut bits = 64;
        while bits < width {
            bits *= 2;
            let m = BigUint::one() << bits.min(width);
            let px = (&modulus * &neg_inv) % &m;
            let two_plus = (BigUint::from(2u32) + px) % &m;
            neg_inv = (&neg_inv * two_plus) % &m;
        }
        neg_inv %= &r;
        let p = FieldParams {
            id,
            limbs: N,
            modulus_bits: C::MODULUS.num_bits(),
            modulus,
            r_mod_p: bigint_to_biguint(&C::R),
            r2_mod_p: bigint_to_biguint(&C::R2),
            neg_p_inv_word: C::INV,
            neg_p_inv_r: neg_inv,
        };
        debug_assert!(p.check().is_ok());
        p
    }

    /// Operand width in bits (`64 * limbs`).
    pub fn width(&self) -> usize {
        64 * self.limbs
    }

    /// Montgomery radix R = 2^width.
    pub fn r(&self) -> BigUint {
        BigUint::one() << self.width()
    }

    /// Checks the derived constants against their defining identities.
    pub fn check(&self) -> Result<(), String> {
        let r = self.r();
        if (&self.modulus * &self.neg_p_inv_r + BigUint::one()) % &r != BigUint::zero() {
            return Err(format!("{}: p·(−p⁻¹) ≢ −1 mod R", self.id));
        }
        if &r % &self.modulus != self.r_mod_p {
            return Err(format!("{}: R mod p disagrees with ark-ff", self.id));
        }
        if (&r * &r) % &self.modulus != self.r2_mod_p {
            return Err(format!("{}: R² mod p disagrees with ark-ff", self.id));
        }
        if BigUint::from(2u32) * &self.modulus >= r {
            // The datapath keeps a+b and the unreduced Montgomery result (< 2p) in `width` bits.
            return Err(format!(
                "{}: 2p does not fit in {} bits",
                self.id,
                self.width()
            ));
        }
        Ok(())
    }

    /// Converts u64 limbs (little-endian) to an integer.
    pub fn limbs_to_biguint(limbs: &[u64]) -> BigUint {
        let bytes: Vec<u8> = limbs.iter().flat_map(|l| l.to_le_bytes()).collect();
        BigUint::from_bytes_le(&bytes)
    }

    /// Converts an integer below 2^width to `limbs` little-endian u64 limbs.
    pub fn biguint_to_limbs(&self, x: &BigUint) -> Vec<u64> {
        let mut v = x.to_u64_digits();
        v.resize(self.limbs, 0);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_satisfy_their_identities() {
        for f in FieldId::ALL {
            let p = f.params();
            p.check().unwrap();
            assert_eq!(
                p.neg_p_inv_r.to_u64_digits()[0],
                p.neg_p_inv_word,
                "low limb of −p⁻¹ mod R must be ark-ff's INV"
            );
        }
    }

    #[test]
    fn modulus_limbs_are_the_params_modulus() {
        for f in FieldId::ALL {
            let p = f.params();
            assert_eq!(FieldParams::limbs_to_biguint(f.modulus_limbs()), p.modulus);
            assert_eq!(f.limbs(), p.limbs);
        }
    }

    #[test]
    fn widths() {
        assert_eq!(FieldId::Bn254Fr.params().modulus_bits, 254);
        assert_eq!(FieldId::Bls12_381Fq.params().modulus_bits, 381);
        assert_eq!(FieldId::Bls12_381Fq.params().width(), 384);
        assert_eq!(FieldId::Bls12_381Fr.params().width(), 256);
    }

    #[test]
    fn parse_names() {
        for f in FieldId::ALL {
            assert_eq!(f.name().parse::<FieldId>().unwrap(), f);
        }
        assert!("bn128".parse::<FieldId>().is_err());
    }
}
