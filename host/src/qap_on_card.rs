//! The QAP step on a card's memory ([`QapEngine`] for [`Device`]), ark-groth16's or
//! snarkjs's reduction ([`Reduction`]): the three evaluation vectors are uploaded once;
//! every transform, the coset scalings, a·b − c and the h MSM read and write card memory;
//! only the sum comes back. (snarkjs's h is a·b − c on the odd coset as it is: no inverse
//! transform, no division.)
//!
//! h = coset-iNTT(coset-NTT(iNTT a) · coset-NTT(iNTT b) − coset-NTT(iNTT c)) / Z_H(g): the
//! division by the constant Z_H(g) is applied to the MSM's sum instead of to h (Σ (h_i/z)·H_i
//! = (Σ h_i·H_i)/z), and the coset inverse NTT is the inverse NTT then ·g^−i (powmul).
//! Sizes the card cannot hold in one pass (n above N², above one job, or four vectors
//! beyond its memory) answer `None`, and the prover takes the step-by-step path.

use crate::backend::{QapEngine, QapReport, Reduction};
use crate::card_memory::CardVec;
use crate::device::Device;
use crate::driver::kernel::Capabilities;
use crate::elementwise::{JobReport, Scalar};
use crate::error::{Error, Result};
use crate::groth16::qap::coset_vanishing_inverse;
use crate::msm::{BoardCurve, Scalars};
use crate::ntt::{Direction, Factor, NttJob};
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ff::fields::models::fp::MontConfig;
use ark_ff::{FftField, Field};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use zkpipe_spec::wire;

/// Whether a card with `caps` and `free` bytes of card memory can run the step for a
/// domain of `n` points: card memory for four vectors (a, b, c and a four-step's
/// scratch), an MSM engine, n within one job and N². The driver and the `model:` device
/// decide with this one rule.
pub(crate) fn fits(caps: &Capabilities, free: u64, n: usize) -> bool {
    caps.card_memory_bytes() > 0
        && caps.msm_engine(zkpipe_spec::preset::Group::G1).present()
        && n.is_power_of_two()
        && n >= 4
        && n.trailing_zeros() <= 2 * caps.ntt_log_size
        && n <= caps.max_count as usize
        && 4 * wire::card_vector_bytes(n) <= free
}

/// The step on `device`; see the module docs.
pub(crate) fn qap_h_msm<C: MontConfig<4>, P: BoardCurve<ScalarField = Scalar<C>>>(
    device: &Device,
    abc: [&[Scalar<C>]; 3],
    h_query: &[Affine<P>],
    reduction: Reduction<Scalar<C>>,
) -> Option<Result<(Projective<P>, QapReport)>> {
    let n = abc[0].len();
    let free = device.card_memory().1;
    if abc.iter().any(|v| v.len() != n)
        || h_query.len() > n
        || !fits(device.capabilities(), free, n)
    {
        return None;
    }
    match run(device, abc, h_query, reduction) {
        // Another caller took the memory since `fits` looked (proofs in flight on one
        // card): nothing of the caller's was touched, so the step-by-step path runs.
        Err(Error::OutOfCardMemory { .. }) => None,
        other => Some(other),
    }
}

fn run<C: MontConfig<4>, P: BoardCurve<ScalarField = Scalar<C>>>(
    device: &Device,
    abc: [&[Scalar<C>]; 3],
    h_query: &[Affine<P>],
    reduction: Reduction<Scalar<C>>,
) -> Result<(Projective<P>, QapReport)> {
    type F<C> = Scalar<C>;
    let n = abc[0].len();
    let log_n = n.trailing_zeros();
    let g = match reduction {
        Reduction::Ark => F::<C>::GENERATOR,
        Reduction::Snarkjs { odd } => odd,
    };
    let mut report = QapReport::default();
    let mut add = |r: JobReport| report.device.add(&r.stats());
    let ntt = |direction| NttJob {
        log_n,
        direction,
        factor: Factor::Plain,
    };
    let mut vecs: Vec<CardVec<F<C>>> = Vec::with_capacity(3);
    for v in abc {
        let (mut x, up) = device.upload(v)?;
        add(up);
        add(device.ntt_on_card(&mut x, &ntt(Direction::Inverse))?);
        add(device.powmul_on_card(&x, g)?);
        add(device.ntt_on_card(&mut x, &ntt(Direction::Forward))?);
        vecs.push(x);
    }
    let c = vecs.pop().expect("three vectors");
    let b = vecs.pop().expect("three vectors");
    let mut h = vecs.pop().expect("three vectors");
    add(device.mul_on_card(&h, &b)?);
    drop(b);
    add(device.sub_on_card(&h, &c)?);
    drop(c);
    if reduction == Reduction::Ark {
        add(device.ntt_on_card(&mut h, &ntt(Direction::Inverse))?);
        let g_inv = g.inverse().expect("the generator is invertible");
        add(device.powmul_on_card(&h, g_inv)?);
    }
    let scalars = Scalars::Card {
        vec: &h,
        offset: 0,
        len: h_query.len(),
    };
    let (sum, msm) = device.msm_of(h_query, scalars)?;
    report.msm = msm;
    if reduction != Reduction::Ark {
        return Ok((sum, report));
    }
    let domain = Radix2EvaluationDomain::<F<C>>::new(n).expect("a power of two the card holds");
    Ok((sum * coset_vanishing_inverse(&domain), report))
}

/// Every curve whose scalar field and G1 a card computes over.
impl<E, C, P> QapEngine<E> for Device
where
    C: MontConfig<4>,
    P: BoardCurve<ScalarField = Scalar<C>>,
    E: ark_ec::pairing::Pairing<ScalarField = Scalar<C>, G1Affine = Affine<P>, G1 = Projective<P>>,
{
    fn qap_h_msm_on_card(
        &self,
        abc: [&[Scalar<C>]; 3],
        h_query: &[Affine<P>],
        reduction: Reduction<Scalar<C>>,
    ) -> Option<Result<(Projective<P>, QapReport)>> {
        qap_h_msm(self, abc, h_query, reduction)
    }
}
