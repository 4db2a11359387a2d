//! Transforms of 2·N² points in card memory: one radix-2 layer around two four-steps.
//!
//! A card whose NTT core has N points transforms up to N² points in card memory by the
//! four-step ([`Device::ntt_on_card`]). A vector of M = 2h points (h ≤ N²) is two halves of
//! h: its transform is the 2-point NTTs of the pairs (x_j, x_(j+h)) — one ntt job with
//! m = 1 whose port reads the two halves zipped and writes them back the same way —, the
//! second half times ω_M^j (powmul), and the transforms of the two halves. That takes
//! natural order to [even | odd] order ([`Order::EvenOdd`]: the even-indexed results,
//! then the odd-indexed ones); the same jobs in reverse take [even | odd] back to natural.
//! The 2-point inverse NTT's 1/2 and the halves' 1/h make the inverse's 1/M, so every
//! scaling stays on the card.
//!
//! [`Device::powmul_interleaved_on_card`] reads a vector of [even | odd] order as a
//! two-row matrix by columns, which is natural order, and multiplies by g^i on the way:
//! the QAP step's coset factor and reordering in one job.

use super::{merge, CardVec};
use crate::card::Route;
use crate::device::Device;
use crate::elementwise::{JobReport, Scalar};
use crate::error::{Error, Result};
use crate::ntt::{Direction, Factor, NttJob};
use ark_ff::fields::models::fp::MontConfig;
use ark_ff::{FftField, Field};
use zkpipe_spec::regs::Opcode;

/// The smallest half a transform in halves takes: a page of elements (each half starts on
/// one).
pub const HALF_MIN: usize =
    zkpipe_spec::wire::CARD_MEMORY_ALIGN as usize / zkpipe_spec::wire::ELEM_BYTES;

/// Whether a card whose NTT core has 2^`core_log` points transforms `m` points in halves:
/// m a power of two, halves from a page ([`HALF_MIN`]) to N² points.
pub fn halves_fit(core_log: u32, m: usize) -> bool {
    m.is_power_of_two() && m / 2 >= HALF_MIN && m.trailing_zeros() <= 2 * core_log + 1
}

/// The order of a vector's 2h elements in card memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// Element i at position i.
    Natural,
    /// Elements 0, 2, 4, … in the first half, 1, 3, 5, … in the second (element 2k + b
    /// at position b·h + k).
    EvenOdd,
}

impl Device {
    /// The NTT (or inverse NTT) of `v`'s M = 2h points, h ≤ N² (see the module docs):
    /// `input` [`Order::Natural`] leaves the result in [`Order::EvenOdd`] order,
    /// [`Order::EvenOdd`] input leaves it in natural order. M must be within the card's
    /// job limit; h must hold a whole page of elements (h ≥ 128).
    pub fn ntt_halves_on_card<C: MontConfig<4>>(
        &self,
        v: &mut CardVec<Scalar<C>>,
        direction: Direction,
        input: Order,
    ) -> Result<JobReport> {
        self.check_vec(v)?;
        let m = v.len();
        let core = self.capabilities().ntt_log_size;
        if !halves_fit(core, m) {
            return Err(Error::Unsupported {
                device: self.uri().to_string(),
                what: "this transform in halves: M = 2h a power of two, h from a page \
                       (128 elements) to N² points",
            });
        }
        let h = m / 2;
        let log_h = h.trailing_zeros();
        let root = Scalar::<C>::get_root_of_unity(m as u64).ok_or(Error::Unsupported {
            device: self.uri().to_string(),
            what: "an NTT of this size in this field",
        })?;
        let omega = match direction {
            Direction::Forward => root,
            Direction::Inverse => root.inverse().expect("a root of unity is invertible"),
        };
        let job = NttJob {
            log_n: log_h,
            direction,
            factor: Factor::Plain,
        };
        let halves = || -> Result<JobReport> {
            let lo = self.ntt_span(v, 0, h, &job)?;
            Ok(merge(Some(lo), self.ntt_span(v, h, h, &job)?))
        };
        // The 2-point NTTs of (x_j, x_(j+h)): the port reads the halves as a two-row
        // matrix by columns and writes the pairs back the same way.
        let pairs = || -> Result<JobReport> {
            let pair = NttJob {
                log_n: 1,
                direction,
                factor: Factor::Plain,
            };
            let wire_job = self.ntt_wire_job::<C>(m, &pair)?;
            let zipped = Route::in_place(v.addr()).transposed(Some(1), Some(1));
            self.on_card(v, m, &wire_job, zipped)
        };
        let twiddles = || -> Result<JobReport> {
            let powmul = self.elementwise_job(Opcode::PowMul, h, None, Some(omega))?;
            self.on_card(v, h, &powmul, Route::in_place(v.element_addr(h)))
        };
        let steps = || -> Result<[JobReport; 3]> {
            Ok(match input {
                // Decimation in frequency.
                Order::Natural => [pairs()?, twiddles()?, halves()?],
                // Decimation in time: the same steps in reverse.
                Order::EvenOdd => [halves()?, twiddles()?, pairs()?],
            })
        };
        match steps() {
            Ok(steps) => Ok(steps
                .into_iter()
                .reduce(|a, b| merge(Some(a), b))
                .expect("three steps")),
            // Earlier steps may have changed `v`: a failed transform leaves it invalid
            // (a four-step's failed column job alone would not have).
            Err(e) => {
                v.invalid.store(true, std::sync::atomic::Ordering::Relaxed);
                Err(e)
            }
        }
    }

    /// `w_i = x_i · g^i` into a new vector, where x is `v` in natural order and `v` is in
    /// [`Order::EvenOdd`] order (its halves read as a two-row matrix by columns): the
    /// coset factor of an [even | odd] vector, and its natural order, in one job (g = 1:
    /// just the order). `v` is left as it was.
    pub fn powmul_interleaved_on_card<C: MontConfig<4>>(
        &self,
        v: &CardVec<Scalar<C>>,
        g: Scalar<C>,
    ) -> Result<(CardVec<Scalar<C>>, JobReport)> {
        self.check_vec(v)?;
        let m = v.len();
        if m % 2 == 1 {
            return Err(Error::Unsupported {
                device: self.uri().to_string(),
                what: "an interleaved read of a vector of odd length",
            });
        }
        let out = self.alloc_vec(m)?;
        let powmul = self.elementwise_job(Opcode::PowMul, m, None, Some(g))?;
        let route = Route {
            src: Some(v.addr()),
            dst: Some(out.addr()),
            ..Route::HOST
        }
        .transposed(Some(1), None);
        let report = self.on_card(&out, m, &powmul, route)?;
        Ok((out, report))
    }
}
