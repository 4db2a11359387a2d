//! The curves a card's MSM engine can serve: G1 of BN254 and BLS12-381, with access to
//! their base-field elements' Montgomery limbs (the wire format).

use ark_ec::short_weierstrass::SWCurveConfig;
use ark_ff::{BigInt, PrimeField};
use zkpipe_spec::preset::Curve;

/// A G1 curve a zkpipe card may hold.
pub trait BoardCurve: SWCurveConfig {
    /// The card curve (CAPS_CURVE).
    const CURVE: Curve;
    /// Montgomery limbs of a base-field element, least significant first.
    fn base_limbs(x: &Self::BaseField) -> &[u64];
    /// The element with these Montgomery limbs; `None` if they are not below the modulus.
    fn base_from_limbs(limbs: &[u64]) -> Option<Self::BaseField>;
}

macro_rules! board_curve {
    ($config:ty, $curve:expr, $limbs:literal) => {
        impl BoardCurve for $config {
            const CURVE: Curve = $curve;
            fn base_limbs(x: &Self::BaseField) -> &[u64] {
                &x.0 .0
            }
            fn base_from_limbs(limbs: &[u64]) -> Option<Self::BaseField> {
                let limbs: [u64; $limbs] = limbs.try_into().ok()?;
                let v = BigInt::<$limbs>(limbs);
                (v < <Self::BaseField as PrimeField>::MODULUS)
                    .then(|| <Self::BaseField>::new_unchecked(v))
            }
        }
    };
}

board_curve!(ark_bn254::g1::Config, Curve::Bn254, 4);
board_curve!(ark_bls12_381::g1::Config, Curve::Bls12_381, 6);
