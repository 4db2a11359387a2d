//! The provers' generic code instantiated here, once, for both curves.
//!
//! The prover, the circom prover, the backends and the MSM engine are generic over the
//! curve; every crate that calls them for BN254 or BLS12-381 used to compile that code
//! again (the C API, the farm, the CLI, the tests and each example: about a minute of CPU
//! each). rustc shares generic instances between crates built with little optimisation
//! (its `share-generics`, on at opt-level 0 and 1: this workspace's dev profile), so
//! instances compiled here are linked by those crates instead. Release builds
//! (opt-level 3) instantiate locally as usual; nothing here changes behaviour.

use ark_bls12_381::Bls12_381;
use ark_bn254::Bn254;
use ark_ec::pairing::Pairing;

use crate::backend;
use crate::circom::{self, CircomProver, Zkey};
use crate::groth16::{self, circuits::MimcChain};
use crate::msm::BoardCurve;
use crate::Device;

/// A function's address as a pointer, which makes rustc compile the instance here.
macro_rules! reify {
    ($f:expr; $($arg:tt)*) => {
        ($f as fn($(reify!(@ $arg)),*) -> _) as *const ()
    };
    (@ $arg:tt) => { _ };
}

fn curve<E: Pairing + circom::CircomCurve>() -> Vec<*const ()>
where
    backend::BoardBackend: backend::Backend<E>,
{
    vec![
        reify!(backend::open::<E>; _),
        reify!(groth16::prove::<E, MimcChain<E::ScalarField>>; _ _ _ _ _ _),
        reify!(groth16::prove_with_matrices::<E>; _ _ _ _ _ _ _ _ _),
        reify!(groth16::prove_snarkjs::<E>; _ _ _ _ _ _ _ _ _),
        reify!(CircomProver::<E>::open; _ _),
        reify!(CircomProver::<E>::new; _ _),
        reify!(CircomProver::<E>::prove; _ _),
        reify!(CircomProver::<E>::prove_batch; _ _),
        reify!(Zkey::<E>::from_bytes; _),
        reify!(Zkey::<E>::open; _),
        reify!(circom::read_wtns::<E::ScalarField>; _),
        reify!(circom::open_wtns::<E::ScalarField>; _),
    ]
}

fn group<P: BoardCurve>() -> Vec<*const ()> {
    vec![
        reify!(Device::msm::<P>; _ _ _),
        reify!(Device::load_bases::<P>; _ _),
        reify!(Device::msm_resident::<P>; _ _ _),
    ]
}

/// The addresses of the instances (what makes rustc compile them in this crate; callers
/// have no use for them).
#[doc(hidden)]
pub fn instances() -> Vec<*const ()> {
    let mut all = curve::<Bn254>();
    all.extend(curve::<Bls12_381>());
    all.extend(group::<ark_bn254::g1::Config>());
    all.extend(group::<ark_bn254::g2::Config>());
    all.extend(group::<ark_bls12_381::g1::Config>());
    all.extend(group::<ark_bls12_381::g2::Config>());
    all
}
