//! The groups a card's MSM engines can serve — G1 of BN254 and BLS12-381, and BN254's G2 —
//! with their coordinates' Montgomery limbs (the wire format: a G2 coordinate is
//! {c1, c0}, c0's limbs first).

use ark_ec::short_weierstrass::SWCurveConfig;
use ark_ff::{BigInt, Fp, MontBackend, MontConfig};
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
    /// u64 limbs of one coordinate (≤ `MAX_COORD_LIMBS`; on the wire ≤
    /// `WIRE_COORD_LIMBS`).
    const COORD_LIMBS: usize;
    /// Writes a coordinate's Montgomery limbs, least significant first, to `out`.
    fn put_coord(x: &Self::BaseField, out: &mut [u64]);
    /// The coordinate with these Montgomery limbs; `None` if a component is not below the
    /// modulus.
    fn coord_from_limbs(limbs: &[u64]) -> Option<Self::BaseField>;
    /// A scalar's Montgomery limbs (k·R mod r, R = 2^256), as it sits in memory: what
    /// msm_run streams, so no scalar is converted (see [`super::scalars`]).
    fn scalar_limbs(k: &Self::ScalarField) -> [u64; 4];
}

/// A base-field element from its Montgomery limbs; `None` unless exactly `N` limbs below
/// the modulus.
fn fp_from_limbs<T: MontConfig<N>, const N: usize>(
    limbs: &[u64],
) -> Option<Fp<MontBackend<T, N>, N>> {
    let v = BigInt::<N>(limbs.try_into().ok()?);
    (v < T::MODULUS).then(|| Fp::new_unchecked(v))
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
                fp_from_limbs(limbs)
            }
            fn scalar_limbs(k: &Self::ScalarField) -> [u64; 4] {
                k.0 .0
            }
        }
    };
}

/// G2 over Fq2 = Fq[u]: a coordinate is c0's limbs, then c1's.
macro_rules! g2_curve {
    ($config:ty, $curve:expr, $fq2:ty, $limbs:literal) => {
        impl BoardCurve for $config {
            const CURVE: Curve = $curve;
            const GROUP: Group = Group::G2;
            const COORD_LIMBS: usize = 2 * $limbs;
            fn scalar_limbs(k: &Self::ScalarField) -> [u64; 4] {
                k.0 .0
            }
            fn put_coord(x: &Self::BaseField, out: &mut [u64]) {
                out[..$limbs].copy_from_slice(&x.c0.0 .0);
                out[$limbs..2 * $limbs].copy_from_slice(&x.c1.0 .0);
            }
            fn coord_from_limbs(limbs: &[u64]) -> Option<Self::BaseField> {
                if limbs.len() != 2 * $limbs {
                    return None;
                }
                Some(<$fq2>::new(
                    fp_from_limbs(&limbs[..$limbs])?,
                    fp_from_limbs(&limbs[$limbs..])?,
                ))
            }
        }
    };
}

g1_curve!(ark_bn254::g1::Config, Curve::Bn254, 4);
g1_curve!(ark_bls12_381::g1::Config, Curve::Bls12_381, 6);
g2_curve!(ark_bn254::g2::Config, Curve::Bn254, ark_bn254::Fq2, 4);
// 768-bit coordinates: wider than a beat, so no card has this engine yet (the driver
// refuses before encoding anything); the binding lets generic code ask.
g2_curve!(
    ark_bls12_381::g2::Config,
    Curve::Bls12_381,
    ark_bls12_381::Fq2,
    6
);
