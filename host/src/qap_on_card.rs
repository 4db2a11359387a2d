//! The QAP step on a card's memory ([`QapEngine`] for [`Device`]), ark-groth16's or
//! snarkjs's reduction ([`Reduction`]): the three evaluation vectors are uploaded once;
//! every transform, the coset scalings, a·b − c and the h MSM read and write card memory;
//! only the sum comes back. (snarkjs's h is a·b − c on the odd coset as it is: no inverse
//! transform, no division.)
//!
//! h = coset-iNTT(coset-NTT(iNTT a) · coset-NTT(iNTT b) − coset-NTT(iNTT c)) / Z_H(g): the
//! division by the constant Z_H(g) is applied to the MSM's sum instead of to h (Σ (h_i/z)·H_i
//! = (Σ h_i·H_i)/z), and the coset inverse NTT is the inverse NTT then ·g^−i (powmul).
//!
//! Domains up to N² (the four-step's reach on a core of N points) run [`Layout::Whole`].
//! A domain of 2·N² runs [`Layout::Halves`]: each transform is a radix-2 layer around two
//! four-steps ([`Device::ntt_halves_on_card`]), whose [even | odd] order the pointwise
//! steps do not mind and one powmul job undoes on the way
//! ([`Device::powmul_interleaved_on_card`]), so h still comes out in natural order for
//! the MSM:
//!
//! | step | whole | halves |
//! |---|---|---|
//! | interpolate a | iNTT | iNTT in halves, natural → [even \| odd] |
//! | coset factor | ·g^i | ·g^i read interleaved → natural, into a new vector |
//! | evaluate | NTT | NTT in halves, natural → [even \| odd] |
//! | a·b − c | mul, sub | mul, sub (the same order in all three) |
//! | h (ark) | iNTT, ·g^−i | iNTT in halves, [even \| odd] → natural, ·g^−i |
//! | h (snarkjs) | as it is | ·1 read interleaved → natural |
//!
//! Sizes the card cannot hold (a domain above 2·N² or one job, or four vectors beyond its
//! memory) answer `None`, and the prover takes the step-by-step path.

use crate::backend::{QapEngine, QapReport, Reduction};
use crate::card_memory::{halves_fit, CardVec, Order};
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

/// How the step lays out a domain on the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Each vector transformed as a whole (n ≤ N²).
    Whole,
    /// Each transform in two halves around a radix-2 layer (n = 2·N², or forced).
    Halves,
}

/// How a card with `caps` and `free` bytes of card memory runs the step for a domain of
/// `n` points, if it can: card memory for four vectors (a, b, c and a transform's
/// scratch), an MSM engine, n within one job, up to N² as a whole and 2·N² in halves
/// (`prefer_halves`: in halves whenever they fit, [`Device::prefer_qap_halves`]). The
/// driver and the `model:` device decide with this one rule.
pub fn layout(caps: &Capabilities, free: u64, n: usize, prefer_halves: bool) -> Option<Layout> {
    let fits = caps.card_memory_bytes() > 0
        && caps.msm_engine(zkpipe_spec::preset::Group::G1).present()
        && n.is_power_of_two()
        && n >= 4
        && n <= caps.max_count as usize
        && 4 * wire::card_vector_bytes(n) <= free;
    let (log_n, whole_max) = (n.trailing_zeros(), 2 * caps.ntt_log_size);
    let halves = halves_fit(caps.ntt_log_size, n);
    match () {
        _ if !fits => None,
        _ if halves && (prefer_halves || log_n > whole_max) => Some(Layout::Halves),
        _ if log_n <= whole_max => Some(Layout::Whole),
        _ => None,
    }
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
    if abc.iter().any(|v| v.len() != n) || h_query.len() > n {
        return None;
    }
    let prefer_halves = device.qap_halves.load(std::sync::atomic::Ordering::Relaxed);
    let layout = layout(device.capabilities(), free, n, prefer_halves)?;
    match run(device, abc, h_query, reduction, layout) {
        // Another caller took the memory since `fits` looked (proofs in flight on one
        // card): nothing of the caller's was touched, so the step-by-step path runs.
        Err(Error::OutOfCardMemory { .. }) => None,
        other => Some(other),
    }
}

/// The step on `device` in the given layout, whatever the domain's size (n ≤ N² for
/// [`Layout::Whole`]; halves of [`HALF_MIN`](crate::card_memory::HALF_MIN) to N² points for [`Layout::Halves`]):
/// how tests run the halves on a small card. Errors as the card's jobs give them.
#[doc(hidden)]
pub fn run<C: MontConfig<4>, P: BoardCurve<ScalarField = Scalar<C>>>(
    device: &Device,
    abc: [&[Scalar<C>]; 3],
    h_query: &[Affine<P>],
    reduction: Reduction<Scalar<C>>,
    layout: Layout,
) -> Result<(Projective<P>, QapReport)> {
    let n = abc[0].len();
    if let Some(other) = abc.iter().map(|v| v.len()).find(|&len| len != n) {
        return Err(Error::LengthMismatch { a: n, b: other });
    }
    if h_query.len() > n {
        return Err(Error::LengthMismatch {
            a: n,
            b: h_query.len(),
        });
    }
    type F<C> = Scalar<C>;
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
        let x = match layout {
            Layout::Whole => {
                add(device.ntt_on_card(&mut x, &ntt(Direction::Inverse))?);
                add(device.powmul_on_card(&x, g)?);
                add(device.ntt_on_card(&mut x, &ntt(Direction::Forward))?);
                x
            }
            Layout::Halves => {
                add(device.ntt_halves_on_card(&mut x, Direction::Inverse, Order::Natural)?);
                let (mut y, r) = device.powmul_interleaved_on_card(&x, g)?;
                add(r);
                drop(x);
                add(device.ntt_halves_on_card(&mut y, Direction::Forward, Order::Natural)?);
                y
            }
        };
        vecs.push(x);
    }
    let c = vecs.pop().expect("three vectors");
    let b = vecs.pop().expect("three vectors");
    let mut h = vecs.pop().expect("three vectors");
    add(device.mul_on_card(&h, &b)?);
    drop(b);
    add(device.sub_on_card(&h, &c)?);
    drop(c);
    match (reduction, layout) {
        (Reduction::Ark, _) => {
            match layout {
                Layout::Whole => add(device.ntt_on_card(&mut h, &ntt(Direction::Inverse))?),
                Layout::Halves => {
                    add(device.ntt_halves_on_card(&mut h, Direction::Inverse, Order::EvenOdd)?)
                }
            }
            let g_inv = g.inverse().expect("the generator is invertible");
            add(device.powmul_on_card(&h, g_inv)?);
        }
        (Reduction::Snarkjs { .. }, Layout::Halves) => {
            let (natural, r) = device.powmul_interleaved_on_card(&h, F::<C>::ONE)?;
            add(r);
            h = natural;
        }
        (Reduction::Snarkjs { .. }, Layout::Whole) => {}
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
