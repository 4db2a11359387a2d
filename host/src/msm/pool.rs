//! MSM over a [`DevicePool`]: the points are cut into one chunk per board, the boards run
//! their chunks concurrently (each keeping its chunk's bases resident), and the partial
//! sums are added on the host.

use super::curve::BoardCurve;
use super::{MsmEngine, MsmReport};
use crate::error::{Error, Result};
use crate::pool::DevicePool;
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ff::Zero;

impl DevicePool {
    /// Σ scalars[i]·bases[i] with the points spread over every board of the pool.
    pub fn msm<P: BoardCurve>(
        &self,
        bases: &[Affine<P>],
        scalars: &[P::ScalarField],
    ) -> Result<(Projective<P>, MsmReport)> {
        if bases.len() != scalars.len() {
            return Err(Error::LengthMismatch {
                a: bases.len(),
                b: scalars.len(),
            });
        }
        let started = std::time::Instant::now();
        let devices = self.devices();
        let chunk = bases.len().div_ceil(devices.len()).max(1);
        let parts: Vec<Result<(Projective<P>, MsmReport)>> = std::thread::scope(|s| {
            let handles: Vec<_> = devices
                .iter()
                .zip(bases.chunks(chunk).zip(scalars.chunks(chunk)))
                .map(|(d, (b, k))| s.spawn(move || d.msm(b, k)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("an MSM worker panicked"))
                .collect()
        });
        let mut sum = Projective::<P>::zero();
        let mut report = MsmReport::default();
        for part in parts {
            let (s, r) = part?;
            sum += s;
            report.merge(&r);
        }
        report.n = bases.len();
        report.host_s = started.elapsed().as_secs_f64();
        Ok((sum, report))
    }
}

impl<P: BoardCurve> MsmEngine<Affine<P>> for DevicePool {
    fn has_engine(&self) -> bool {
        self.devices()
            .iter()
            .all(|d| MsmEngine::<Affine<P>>::has_engine(d.as_ref()))
    }
    fn msm_on_card(
        &self,
        bases: &[Affine<P>],
        scalars: &[P::ScalarField],
    ) -> Result<(Projective<P>, MsmReport)> {
        if self.devices().len() == 1 {
            return self.devices()[0].msm(bases, scalars);
        }
        self.msm(bases, scalars)
    }
}
