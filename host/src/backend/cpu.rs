//! `CpuBackend`: arkworks on the host's cores (rayon) — the reference every other backend
//! is checked against, and the fallback when no card is present.

use super::{check_lengths, Backend, BackendStats};
use crate::error::{Error, Result};
use crate::ntt::{Coset, Direction};
use ark_ec::pairing::Pairing;
use ark_ec::VariableBaseMSM;
use ark_ff::FftField;
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rayon::prelude::*;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
/// The prover kernels on this machine's CPU with arkworks (parallel): the reference and the baseline.
pub struct CpuBackend {
    stats: Mutex<BackendStats>,
}

impl CpuBackend {
    /// A CPU backend with empty statistics.
    pub fn new() -> Self {
        Self::default()
    }

    fn record(&self, f: impl FnOnce(&mut BackendStats, Duration), started: Instant) {
        let mut s = super::StatsGuard::lock(&self.stats);
        f(&mut s, started.elapsed());
    }
}

/// ark-poly's transform in place, with zkpipe's argument checks.
pub fn ark_ntt<F: FftField>(values: &mut [F], direction: Direction, coset: Coset<F>) -> Result<()> {
    let n = values.len();
    if n == 0 {
        return Err(Error::Empty);
    }
    if !n.is_power_of_two() {
        return Err(Error::NotPowerOfTwo { n });
    }
    let max = 1usize << F::TWO_ADICITY.min(usize::BITS - 1);
    let mut domain = Radix2EvaluationDomain::<F>::new(n).ok_or(Error::NttTooLarge { n, max })?;
    if let Coset::Offset(g) = coset {
        if g.is_zero() {
            return Err(Error::ZeroCosetOffset);
        }
        domain = domain.get_coset(g).ok_or(Error::ZeroCosetOffset)?;
    }
    let mut v = values.to_vec();
    match direction {
        Direction::Forward => domain.fft_in_place(&mut v),
        Direction::Inverse => domain.ifft_in_place(&mut v),
    }
    values.copy_from_slice(&v);
    Ok(())
}

impl<E: Pairing> Backend<E> for CpuBackend {
    fn describe(&self) -> String {
        format!("cpu ({} threads)", rayon::current_num_threads())
    }

    fn msm_g1(&self, bases: &[E::G1Affine], scalars: &[E::ScalarField]) -> Result<E::G1> {
        check_lengths(bases.len(), scalars.len())?;
        let t = Instant::now();
        let r = E::G1::msm_unchecked(bases, scalars);
        self.record(
            |s, d| {
                s.msm_g1_calls += 1;
                s.msm_g1_time += d;
            },
            t,
        );
        Ok(r)
    }

    fn msm_g2(&self, bases: &[E::G2Affine], scalars: &[E::ScalarField]) -> Result<E::G2> {
        check_lengths(bases.len(), scalars.len())?;
        let t = Instant::now();
        let r = E::G2::msm_unchecked(bases, scalars);
        self.record(
            |s, d| {
                s.msm_g2_calls += 1;
                s.msm_g2_time += d;
                s.msm_g2_host_time += d;
            },
            t,
        );
        Ok(r)
    }

    fn ntt(
        &self,
        values: &mut [E::ScalarField],
        direction: Direction,
        coset: Coset<E::ScalarField>,
    ) -> Result<()> {
        let t = Instant::now();
        ark_ntt(values, direction, coset)?;
        self.record(
            |s, d| {
                s.ntt_calls += 1;
                s.ntt_time += d;
            },
            t,
        );
        Ok(())
    }

    fn mul_assign(&self, a: &mut [E::ScalarField], b: &[E::ScalarField]) -> Result<()> {
        check_lengths(a.len(), b.len())?;
        let t = Instant::now();
        a.par_iter_mut().zip(b).for_each(|(x, y)| *x *= y);
        self.record(
            |s, d| {
                s.elementwise_calls += 1;
                s.elementwise_time += d;
            },
            t,
        );
        Ok(())
    }

    fn sub_assign(&self, a: &mut [E::ScalarField], b: &[E::ScalarField]) -> Result<()> {
        check_lengths(a.len(), b.len())?;
        let t = Instant::now();
        a.par_iter_mut().zip(b).for_each(|(x, y)| *x -= y);
        self.record(
            |s, d| {
                s.elementwise_calls += 1;
                s.elementwise_time += d;
            },
            t,
        );
        Ok(())
    }

    fn stats(&self) -> BackendStats {
        *self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }
}
