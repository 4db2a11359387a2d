//! `SoftEngine`: the NTT engine contract computed with arkworks — the reference model of
//! what a card's NTT job does (front factor, then the NTT, natural order), with any core
//! size. It tests the four-step planner at sizes where recursion is cheap, and runs NTTs
//! where no card is present.

use super::{Direction, EngineStats, Factor, NttEngine, NttJob};
use crate::error::{Error, Result};
use ark_ff::FftField;
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// A software model of a card's NTT engine (same job interface): the test twin of the planner.
pub struct SoftEngine {
    /// log2 of the modelled core size.
    pub log_size: u32,
    /// S of the modelled twiddle unit.
    pub twiddle_log: u32,
    /// Largest job in elements.
    pub max_job: usize,
}

impl SoftEngine {
    /// An engine shaped like a card with a 2^log_size core and 2^twiddle_log twiddles.
    pub fn new(log_size: u32, twiddle_log: u32, max_job: usize) -> Self {
        Self {
            log_size,
            twiddle_log,
            max_job,
        }
    }
}

impl<F: FftField> NttEngine<F> for SoftEngine {
    fn core_log_size(&self) -> u32 {
        self.log_size
    }
    fn twiddle_log(&self) -> u32 {
        self.twiddle_log
    }
    fn max_job(&self) -> usize {
        self.max_job
    }

    fn run(&self, data: &mut [F], job: &NttJob<F>) -> Result<EngineStats> {
        let n = 1usize << job.log_n;
        if job.log_n == 0
            || job.log_n > self.log_size
            || data.is_empty()
            || !data.len().is_multiple_of(n)
            || data.len() > self.max_job
        {
            return Err(Error::Protocol {
                device: "soft engine".into(),
                reason: format!(
                    "bad job: {} elements in NTTs of 2^{}",
                    data.len(),
                    job.log_n
                ),
            });
        }
        let domain = Radix2EvaluationDomain::<F>::new(n).expect("n ≤ two-adicity");
        for (r, x) in data.chunks_mut(n).enumerate() {
            match job.factor {
                Factor::Plain => {}
                Factor::Coset(g) => scale_by_powers(x, F::ONE, g),
                Factor::Twiddle { log_t, row0 } => {
                    let mut w = F::get_root_of_unity(1u64 << log_t).expect("T ≤ two-adicity");
                    if job.direction == Direction::Inverse {
                        w = w.inverse().expect("ω ≠ 0");
                    }
                    let row = w.pow([row0 as u64 + r as u64]);
                    scale_by_powers(x, F::ONE, row);
                }
            }
            let mut y = x.to_vec();
            match job.direction {
                Direction::Forward => domain.fft_in_place(&mut y),
                Direction::Inverse => domain.ifft_in_place(&mut y),
            }
            x.copy_from_slice(&y);
        }
        Ok(EngineStats {
            jobs: 1,
            elements: data.len() as u64,
            ..Default::default()
        })
    }

    fn powmul(&self, data: &mut [F], g: F) -> Result<EngineStats> {
        scale_by_powers(data, F::ONE, g);
        Ok(EngineStats {
            jobs: 1,
            elements: data.len() as u64,
            ..Default::default()
        })
    }
}

/// `x[i] ← x[i]·start·g^i`.
fn scale_by_powers<F: FftField>(x: &mut [F], start: F, g: F) {
    let mut p = start;
    for v in x {
        *v *= p;
        p *= g;
    }
}
