//! The MSM jobs' streams in ark-ec terms, over the wire formats of `zkpipe_spec::wire`:
//! base points in, scalars in, buckets out. Encoders write straight into the card's mapped
//! staging buffer (in parallel); the decoder reads straight out of it.

use super::curve::{BoardCurve, MAX_COORD_LIMBS};
use ark_ec::short_weierstrass::Affine;
use rayon::prelude::*;
use zkpipe_spec::wire::{self, BEAT_BYTES};

pub use zkpipe_spec::wire::BUCKET_BEATS;

/// Groups an encoder's parallel task takes: a chunk's checksum is kept while its beats are
/// in cache, and the chunks' are combined in order (`wire::checksum_concat`).
const CHUNK: usize = 1024;

/// Encodes `items` in parallel chunks, `group` items (fewer in the last group) into `beats`
/// beats at a time — `encode(beats, items, index of the first item)` — and returns the
/// stream's checksum (every job's encoder; also how the `model:` device times a driver's
/// encoding).
pub(crate) fn encode_chunked<T: Sync>(
    out: &mut [u8],
    items: &[T],
    group: usize,
    beats: usize,
    encode: impl Fn(&mut [u8], &[T], usize) + Sync,
) -> u32 {
    let parts: Vec<(u32, usize)> = out
        .par_chunks_mut(CHUNK * beats * BEAT_BYTES)
        .zip(items.par_chunks(CHUNK * group))
        .enumerate()
        .map(|(c, (out, items))| {
            let mut sum = 0u32;
            let mut groups = 0;
            let grouped = out.chunks_mut(beats * BEAT_BYTES).zip(items.chunks(group));
            for (k, (group_beats, group_items)) in grouped.enumerate() {
                encode(group_beats, group_items, (c * CHUNK + k) * group);
                sum = group_beats
                    .chunks(BEAT_BYTES)
                    .fold(sum, wire::checksum_step);
                groups += 1;
            }
            (sum, groups * beats)
        })
        .collect();
    wire::checksum_concat(parts)
}

/// msm_load beats into `out` (`point_beats` beats per point); returns the stream's
/// checksum.
pub fn encode_bases<P: BoardCurve>(out: &mut [u8], bases: &[Affine<P>], point_beats: usize) -> u32 {
    encode_chunked(out, bases, 1, point_beats, |beats, p, _| {
        let p = &p[0];
        let n = P::COORD_LIMBS;
        let (mut x, mut y) = ([0u64; MAX_COORD_LIMBS], [0u64; MAX_COORD_LIMBS]);
        P::put_coord(&p.x, &mut x);
        P::put_coord(&p.y, &mut y);
        let xy = (!p.infinity).then_some((&x[..n], &y[..n]));
        wire::encode_base(beats, xy, n, point_beats);
    })
}

/// msm_run beats into `out`: two scalars per beat, their Montgomery limbs as in memory
/// (the host scales the result by R⁻¹: [`super::scalars`]); returns the stream's checksum.
pub fn encode_scalars<P: BoardCurve>(out: &mut [u8], scalars: &[P::ScalarField]) -> u32 {
    encode_chunked(out, scalars, wire::SCALARS_PER_BEAT, 1, |beat, pair, _| {
        let second = pair.get(1).map(P::scalar_limbs);
        wire::encode_scalar_pair(
            beat,
            &P::scalar_limbs(&pair[0]),
            second.as_ref().map(|l| &l[..]),
        )
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fr;
    use ark_ff::UniformRand;
    use rand::SeedableRng;
    use zkpipe_spec::wire::{get_limbs, scalar_beats, SCALAR_BYTES};

    /// Two scalars per beat in order, an odd count's last half zero, and the checksum kept
    /// on the way equal to one computed over the written bytes — across the encoder's
    /// parallel chunks (1,024 beats each).
    #[test]
    fn scalars_go_two_per_beat_with_the_streams_checksum() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for n in [1usize, 2, 3, 2047, 2048, 2049, 4097] {
            let scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            // A reused staging buffer holds an earlier job's bytes.
            let mut out = vec![0xA5u8; scalar_beats(n) * BEAT_BYTES];
            let sum = encode_scalars::<ark_bn254::g1::Config>(&mut out, &scalars);
            assert_eq!(sum, wire::stream_checksum(&out), "n = {n}");
            for (i, k) in scalars.iter().enumerate() {
                let mut limbs = [0u64; 4];
                get_limbs(&out[i * SCALAR_BYTES..], &mut limbs);
                assert_eq!(limbs, k.0 .0, "n = {n}, scalar {i}");
            }
            if n % 2 == 1 {
                assert!(out[n * SCALAR_BYTES..].iter().all(|&b| b == 0), "n = {n}");
            }
        }
    }
}
