//! The tiny per-curve binding circom interop needs: snarkjs's curve name, and base-field
//! elements from snarkjs's point encoding (Montgomery form, little-endian — the same
//! limbs as ark-ff's in-memory representation, so decoding is a copy, not a
//! multiplication).

use ark_ec::pairing::Pairing;
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ec::CurveConfig;
use ark_ff::{BigInt, BigInteger, Fp, MontBackend, MontConfig, PrimeField};

/// A pairing curve circom and snarkjs support.
pub trait CircomCurve:
    Pairing<G1Affine = Affine<Self::G1Config>, G2Affine = Affine<Self::G2Config>>
{
    /// The G1 curve.
    type G1Config: SWCurveConfig<BaseField = Self::BaseField, ScalarField = Self::ScalarField>;
    /// The G2 curve (over the quadratic extension of the base field).
    type G2Config: SWCurveConfig<ScalarField = Self::ScalarField>;
    /// snarkjs's name of the curve (its JSON's `curve`).
    const NAME: &'static str;
    /// The quadratic non-residue ffjavascript derives the scalar field's roots of unity
    /// from (its smallest: 5 on both curves). ark-ff uses the field's generator instead
    /// (5 on BN254, 7 on BLS12-381), so on BLS12-381 the two libraries' ωₙ differ and the
    /// H points of a snarkjs key follow snarkjs's.
    const SNARKJS_NQR: u64 = 5;
    /// A base-field element from its Montgomery-form little-endian bytes (n8q of them);
    /// `None` if they do not encode a value below q.
    fn fq_from_mont(bytes: &[u8]) -> Option<Self::BaseField>;
    /// A G2 coordinate (c0, then c1, each n8q bytes in Montgomery form).
    fn fq2_from_mont(bytes: &[u8]) -> Option<<Self::G2Config as CurveConfig>::BaseField>;
}

/// Bytes of one base-field element in snarkjs's files.
pub(crate) fn n8q<E: CircomCurve>() -> usize {
    bytes_of::<E::BaseField>()
}

fn bytes_of<F: PrimeField>() -> usize {
    F::MODULUS.as_ref().len() * 8
}

fn fp_from_mont<P: MontConfig<N>, const N: usize>(
    bytes: &[u8],
) -> Option<Fp<MontBackend<P, N>, N>> {
    let limbs = limbs_le::<N>(bytes)?;
    (limbs < P::MODULUS).then(|| Fp::new_unchecked(limbs))
}

fn limbs_le<const N: usize>(bytes: &[u8]) -> Option<BigInt<N>> {
    if bytes.len() != N * 8 {
        return None;
    }
    let mut out = BigInt::<N>::zero();
    for (limb, chunk) in out.0.iter_mut().zip(bytes.chunks_exact(8)) {
        *limb = u64::from_le_bytes(chunk.try_into().unwrap());
    }
    Some(out)
}

/// A prime-field element from its standard (not Montgomery) little-endian bytes; `None`
/// when the length is wrong or the value is not below the modulus.
pub(crate) fn fr_from_le<F: PrimeField>(bytes: &[u8]) -> Option<F> {
    let mut big = F::BigInt::default();
    let limbs = big.as_mut();
    if bytes.len() != limbs.len() * 8 {
        return None;
    }
    for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        *limb = u64::from_le_bytes(chunk.try_into().unwrap());
    }
    F::from_bigint(big)
}

fn split_half(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    bytes
        .len()
        .is_multiple_of(2)
        .then(|| bytes.split_at(bytes.len() / 2))
}

/// The modulus of a prime field as little-endian bytes.
pub(crate) fn modulus_le<F: PrimeField>() -> Vec<u8> {
    F::MODULUS.to_bytes_le()
}

impl CircomCurve for ark_bn254::Bn254 {
    type G1Config = ark_bn254::g1::Config;
    type G2Config = ark_bn254::g2::Config;
    const NAME: &'static str = "bn128";
    fn fq_from_mont(bytes: &[u8]) -> Option<ark_bn254::Fq> {
        fp_from_mont::<ark_bn254::FqConfig, 4>(bytes)
    }
    fn fq2_from_mont(bytes: &[u8]) -> Option<ark_bn254::Fq2> {
        let (c0, c1) = split_half(bytes)?;
        Some(ark_bn254::Fq2::new(
            Self::fq_from_mont(c0)?,
            Self::fq_from_mont(c1)?,
        ))
    }
}

impl CircomCurve for ark_bls12_381::Bls12_381 {
    type G1Config = ark_bls12_381::g1::Config;
    type G2Config = ark_bls12_381::g2::Config;
    const NAME: &'static str = "bls12381";
    fn fq_from_mont(bytes: &[u8]) -> Option<ark_bls12_381::Fq> {
        fp_from_mont::<ark_bls12_381::FqConfig, 6>(bytes)
    }
    fn fq2_from_mont(bytes: &[u8]) -> Option<ark_bls12_381::Fq2> {
        let (c0, c1) = split_half(bytes)?;
        Some(ark_bls12_381::Fq2::new(
            Self::fq_from_mont(c0)?,
            Self::fq_from_mont(c1)?,
        ))
    }
}
