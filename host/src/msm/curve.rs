//! The groups a card's MSM engines can serve — G1 of BN254 and BLS12-381, and BN254's G2 —
//! with their coordinates' Montgomery limbs (the wire format: a G2 coordinate is
//! {c1, c0}, c0's limbs first).

use ark_ec::short_weierstrass::SWCurveConfig;
use ark_ff::{BigInt, PrimeField};
use zkpipe_spec::preset::{Curve, Group};

/// Most u64 limbs of a coordinate of any [`BoardCurve`] (BLS12-381 G2: 12).
pub const MAX_COORD_LIMBS: usize = 12;

/// u64 limbs of a coordinate the wire formats carry (one 512-bit beat): a group whose
/// coordinates are wider (BLS12-381 G2) has no engine on any card yet.
pub const WIRE_COORD_LIMBS: usize = zkpipe_spec::wire::BEAT_BITS / 64;

/// A curve group a zkpipe card's MSM engine may hold.
pub trait BoardCurve: SWCurveConfig {
    /// The card curve (CAPS_CURVE).
    const CURVE: Curve;
    /// The engine that adds these points (G1: CAPS_MSM, G2: CAPS_MSM_G2).
    const GROUP: Group;
    /// u64 limbs of one coordinate (≤ [`MAX_COORD_LIMBS`]; on the wire ≤
    /// [`WIRE_COORD_LIMBS`]).
    const COORD_LIMBS: usize;
    /// Writes a coordinate's Montgomery limbs, least significant first, to `out`.
    fn put_coord(x: &Self::BaseField, out: &mut [u64]);
    /// The coordinate with these Montgomery limbs; `None` if a component is not below the
    /// modulus.
    fn coord_from_limbs(limbs: &[u64]) -> Option<Self::BaseField>;
}

macro_rules! g1_curve {
    ($config:ty, $curve:expr, $limbs:literal) => {
        impl BoardCurve for $config {
            const CURVE: Curve = $curve;
            const GROUP: Group = Group::G1;
            const COORD_LIMBS: usize = $limbs;
            fn put_coord(x: &Self::BaseField, out: &mut [u64]) {
                out[..$limbs].copy_from_slice(&x.0 .0);
            }
            fn coord_from_limbs(limbs: &[u64]) -> Option<Self::BaseField> {
                let limbs: [u64; $limbs] = limbs.try_into().ok()?;
                let v = BigInt::<$limbs>(limbs);
                (v < <Self::BaseField as PrimeField>::MODULUS)
                    .then(|| <Self::BaseField>::new_unchecked(v))
            }
        }
    };
}

g1_curve!(ark_bn254::g1::Config, Curve::Bn254, 4);
g1_curve!(ark_bls12_381::g1::Config, Curve::Bls12_381, 6);

impl BoardCurve for ark_bn254::g2::Config {
    const CURVE: Curve = Curve::Bn254;
    const GROUP: Group = Group::G2;
    const COORD_LIMBS: usize = 8;
    fn put_coord(x: &Self::BaseField, out: &mut [u64]) {
        out[..4].copy_from_slice(&x.c0.0 .0);
        out[4..8].copy_from_slice(&x.c1.0 .0);
    }
    fn coord_from_limbs(limbs: &[u64]) -> Option<Self::BaseField> {
        let part = |l: &[u64]| -> Option<ark_bn254::Fq> {
            let v = BigInt::<4>(l.try_into().ok()?);
            (v < ark_bn254::Fq::MODULUS).then(|| ark_bn254::Fq::new_unchecked(v))
        };
        if limbs.len() != 8 {
            return None;
        }
        Some(ark_bn254::Fq2::new(part(&limbs[..4])?, part(&limbs[4..])?))
    }
}

impl BoardCurve for ark_bls12_381::g2::Config {
    const CURVE: Curve = Curve::Bls12_381;
    const GROUP: Group = Group::G2;
    // 768-bit coordinates: wider than a beat, so no card has this engine yet (the driver
    // refuses before encoding anything); the binding lets generic code ask.
    const COORD_LIMBS: usize = 12;
    fn put_coord(x: &Self::BaseField, out: &mut [u64]) {
        out[..6].copy_from_slice(&x.c0.0 .0);
        out[6..12].copy_from_slice(&x.c1.0 .0);
    }
    fn coord_from_limbs(limbs: &[u64]) -> Option<Self::BaseField> {
        let part = |l: &[u64]| -> Option<ark_bls12_381::Fq> {
            let v = BigInt::<6>(l.try_into().ok()?);
            (v < ark_bls12_381::Fq::MODULUS).then(|| ark_bls12_381::Fq::new_unchecked(v))
        };
        if limbs.len() != 12 {
            return None;
        }
        Some(ark_bls12_381::Fq2::new(
            part(&limbs[..6])?,
            part(&limbs[6..])?,
        ))
    }
}
