//! MSM over a [`DevicePool`]: the points are cut into one chunk per board that has an
//! engine for the group and curve (a pool may mix cards: G2 MSMs go to the cards with a
//! G2 engine), those boards run their chunks concurrently (each keeping its chunk's bases
//! resident), and the partial sums are added on the host.

use super::curve::BoardCurve;
use super::{MsmEngine, MsmReport};
use crate::device::Device;
use crate::error::{Error, Result};
use crate::pool::DevicePool;
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ff::Zero;
use std::sync::Arc;

impl DevicePool {
    /// Σ `scalars[i]·bases[i]` with the points spread over the pool's boards that have an
    /// engine for this group and curve (none: the first board's typed error).
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
        let devices = self.engines::<P>();
        if devices.is_empty() {
            return self.devices()[0].msm(bases, scalars);
        }
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

impl DevicePool {
    /// The boards with an MSM engine for `P`'s group and curve.
    fn engines<P: BoardCurve>(&self) -> Vec<&Arc<Device>> {
        self.devices()
            .iter()
            .filter(|d| MsmEngine::<Affine<P>>::has_engine(d.as_ref()))
            .collect()
    }
}

impl<P: BoardCurve> MsmEngine<Affine<P>> for DevicePool {
    fn has_engine(&self) -> bool {
        !self.engines::<P>().is_empty()
    }
    fn msm_on_card(
        &self,
        bases: &[Affine<P>],
        scalars: &[P::ScalarField],
    ) -> Result<(Projective<P>, MsmReport)> {
        if let [one] = self.engines::<P>()[..] {
            return one.msm(bases, scalars);
        }
        self.msm(bases, scalars)
    }
}
