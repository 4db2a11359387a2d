//! Host radix-2 steps for NTTs beyond the card: one butterfly layer halves the transform,
//! and both halves go back to the planner (card jobs, or another halving).
//!
//! Coset transform of n = 2m points with offset g (g = 1 for a plain one), X_j =
//! Σ_i x_i g^i ω^(ij): with i = i' + m·b and ω^(mj) = (−1)^j,
//!
//! * X_2k   = NTT_m over the coset g    of u_i = x_i + g^m·x_(i+m),
//! * X_2k+1 = NTT_m over the coset g·ω  of v_i = x_i − g^m·x_(i+m).
//!
//! The inverse runs the same steps backwards: the even and odd outputs are interpolated
//! over those two cosets, then x_i = (u_i + v_i)/2 and x_(i+m) = (u_i − v_i)/(2·g^m). Each
//! level costs the host n/2 multiplications and a de-/interleave; the card does the rest.

use super::{plan, Direction, NttEngine, NttReport};
use crate::error::Result;
use ark_ff::FftField;
use rayon::prelude::*;
use std::time::Instant;

/// Transforms `data` (a power of two ≥ 2, within the field's two-adicity) by one host
/// butterfly layer and two half-size transforms through the planner, in place; adds the
/// measurements to `report`. On error `data` may hold partial results (the caller works
/// on a copy).
pub fn transform<F: FftField, E: NttEngine<F> + Sync + ?Sized>(
    engine: &E,
    data: &mut [F],
    direction: Direction,
    offset: Option<F>,
    report: &mut NttReport,
) -> Result<()> {
    let n = data.len();
    let m = n / 2;
    let g = offset.unwrap_or(F::ONE);
    let omega = F::get_root_of_unity(n as u64).expect("n is within the two-adicity");
    let g_m = g.pow([m as u64]);
    // The halves' coset offsets (`None` for 1, as the planner expects).
    let halves = [g, g * omega].map(|c| (c != F::ONE).then_some(c));
    let (lo, hi) = data.split_at_mut(m);
    match direction {
        Direction::Forward => {
            let started = Instant::now();
            lo.par_iter_mut().zip(hi.par_iter_mut()).for_each(|(a, b)| {
                let t = *b * g_m;
                (*a, *b) = (*a + t, *a - t);
            });
            report.butterfly_s += started.elapsed().as_secs_f64();
            plan(engine, lo, direction, halves[0], report)?;
            plan(engine, hi, direction, halves[1], report)?;
            let started = Instant::now();
            let merged: Vec<F> = lo
                .par_iter()
                .zip(hi.par_iter())
                .flat_map_iter(|(a, b)| [*a, *b])
                .collect();
            data.copy_from_slice(&merged);
            report.butterfly_s += started.elapsed().as_secs_f64();
        }
        Direction::Inverse => {
            let started = Instant::now();
            let even: Vec<F> = data.par_iter().step_by(2).copied().collect();
            let odd: Vec<F> = data.par_iter().skip(1).step_by(2).copied().collect();
            let (lo, hi) = data.split_at_mut(m);
            lo.copy_from_slice(&even);
            hi.copy_from_slice(&odd);
            report.butterfly_s += started.elapsed().as_secs_f64();
            plan(engine, lo, direction, halves[0], report)?;
            plan(engine, hi, direction, halves[1], report)?;
            let started = Instant::now();
            let two_inv = F::from(2u64).inverse().expect("odd characteristic");
            let scale_hi = two_inv * g_m.inverse().expect("g ≠ 0 was checked");
            lo.par_iter_mut().zip(hi.par_iter_mut()).for_each(|(u, v)| {
                (*u, *v) = ((*u + *v) * two_inv, (*u - *v) * scale_hi);
            });
            report.butterfly_s += started.elapsed().as_secs_f64();
        }
    }
    Ok(())
}
