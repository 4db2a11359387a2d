//! Wire formats of the MSM jobs (see `zkpipe_hdl::msm::pippenger`): base points in,
//! scalars in, buckets out.

use super::curve::BoardCurve;
use crate::driver::kernel::BEAT_BYTES;
use ark_ec::short_weierstrass::Affine;
use ark_ff::PrimeField;
use rayon::prelude::*;

fn put_limbs(out: &mut [u8], limbs: &[u64]) {
    for (k, l) in limbs.iter().enumerate() {
        out[8 * k..8 * k + 8].copy_from_slice(&l.to_le_bytes());
    }
}

/// msm_load beats: x lane (top bit = infinity) then y lane, `point_beats` beats per point.
pub fn encode_bases<P: BoardCurve>(bases: &[Affine<P>], point_beats: usize) -> Vec<u8> {
    let per_point = point_beats * BEAT_BYTES;
    let mut out = vec![0u8; bases.len() * per_point];
    out.par_chunks_mut(per_point)
        .zip(bases.par_iter())
        .for_each(|(beat, p)| {
            let lane = 8 * P::base_limbs(&p.x).len();
            if p.infinity {
                beat[lane - 1] = 0x80;
                return;
            }
            let y_at = if point_beats == 1 { lane } else { BEAT_BYTES };
            put_limbs(&mut beat[..lane], P::base_limbs(&p.x));
            put_limbs(&mut beat[y_at..y_at + lane], P::base_limbs(&p.y));
        });
    out
}

/// msm_run beats: one canonical scalar per beat.
pub fn encode_scalars<F: PrimeField>(scalars: &[F]) -> Vec<u8> {
    let mut out = vec![0u8; scalars.len() * BEAT_BYTES];
    out.par_chunks_mut(BEAT_BYTES)
        .zip(scalars.par_iter())
        .for_each(|(beat, k)| {
            let limbs = k.into_bigint();
            put_limbs(beat, limbs.as_ref());
        });
    out
}

/// One bucket as the card returns it: homogeneous projective (X : Y : Z).
pub type Bucket<F> = (F, F, F);

/// Decodes the readout: X, Y, Z beats of every bucket. `Err(i)`: bucket i has a
/// coordinate that is not reduced.
pub fn decode_buckets<P: BoardCurve>(
    out: &[u8],
    buckets: usize,
) -> Result<Vec<Bucket<P::BaseField>>, usize> {
    let limbs = P::base_limbs(&P::GENERATOR.x).len();
    let coord = |i: usize| -> Option<P::BaseField> {
        let at = i * BEAT_BYTES;
        let v: Vec<u64> = (0..limbs)
            .map(|k| u64::from_le_bytes(out[at + 8 * k..at + 8 * k + 8].try_into().unwrap()))
            .collect();
        P::base_from_limbs(&v)
    };
    (0..buckets)
        .into_par_iter()
        .map(
            |b| match (coord(3 * b), coord(3 * b + 1), coord(3 * b + 2)) {
                (Some(x), Some(y), Some(z)) => Ok((x, y, z)),
                _ => Err(b),
            },
        )
        .collect()
}
