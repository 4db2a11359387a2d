//! The MSM jobs' streams in ark-ec terms, over the wire formats of `zkpipe_spec::wire`:
//! base points in, scalars in, buckets out. Encoders write straight into the card's mapped
//! staging buffer (in parallel); the decoder reads straight out of it.

use super::curve::{BoardCurve, MAX_COORD_LIMBS};
use ark_ec::short_weierstrass::Affine;
use ark_ff::PrimeField;
use rayon::prelude::*;
use zkpipe_spec::wire::{self, BEAT_BYTES};

pub use zkpipe_spec::wire::BUCKET_BEATS;

/// msm_load beats into `out` (`point_beats` beats per point).
pub fn encode_bases<P: BoardCurve>(out: &mut [u8], bases: &[Affine<P>], point_beats: usize) {
    let per_point = point_beats * BEAT_BYTES;
    out.par_chunks_mut(per_point)
        .zip(bases.par_iter())
        .for_each(|(beats, p)| {
            let n = P::COORD_LIMBS;
            let (mut x, mut y) = ([0u64; MAX_COORD_LIMBS], [0u64; MAX_COORD_LIMBS]);
            P::put_coord(&p.x, &mut x);
            P::put_coord(&p.y, &mut y);
            let xy = (!p.infinity).then_some((&x[..n], &y[..n]));
            wire::encode_base(beats, xy, n, point_beats);
        });
}

/// msm_run beats into `out`: one canonical scalar per beat.
pub fn encode_scalars<F: PrimeField>(out: &mut [u8], scalars: &[F]) {
    out.par_chunks_mut(BEAT_BYTES)
        .zip(scalars.par_iter())
        .for_each(|(beat, k)| wire::encode_scalar(beat, k.into_bigint().as_ref()));
}

/// One bucket as the card returns it: homogeneous projective (X : Y : Z).
pub type Bucket<F> = (F, F, F);

/// Decodes the readout: X, Y, Z beats of every bucket. `Err(i)`: bucket i has a
/// coordinate that is not reduced.
pub fn decode_buckets<P: BoardCurve>(
    out: &[u8],
    buckets: usize,
) -> Result<Vec<Bucket<P::BaseField>>, usize> {
    let limbs = P::COORD_LIMBS;
    let coord = |b: usize, c: usize| -> Option<P::BaseField> {
        let mut v = [0u64; MAX_COORD_LIMBS];
        wire::decode_bucket_coord(out, b, c, &mut v[..limbs]);
        P::coord_from_limbs(&v[..limbs])
    };
    (0..buckets)
        .into_par_iter()
        .map(|b| match (coord(b, 0), coord(b, 1), coord(b, 2)) {
            (Some(x), Some(y), Some(z)) => Ok((x, y, z)),
            _ => Err(b),
        })
        .collect()
}
