//! Stream formats of every job, as encode/decode functions over u64 limbs.
//!
//! Both streams are 512-bit beats ([`BEAT_BYTES`] bytes, little-endian). A field element
//! is ark-ff's in-memory form: the Montgomery representative as little-endian u64 limbs
//! (msm_run scalars too: the card sums R·k, the host scales the result by R⁻¹ once,
//! `zkpipe::msm::scalars`). The host encodes straight from
//! `&[Fp]` memory and decodes straight into the caller's output with these functions;
//! the generator lays out its stream ports with the same constants.
//!
//! Card memory holds streams as they are: a vector of n elements is the unary format's
//! ⌈n/2⌉ beats ([`card_vector_bytes`]), so a job that writes its output there (JOB_MEM
//! dst_card) leaves the next unary job's input (src_card) in place.
//!
//! | job | host → card, per beat | card → host, per beat |
//! |---|---|---|
//! | mul, add, sub | a_i (lane 0) ‖ b_i (lane 1) | r_2i (lane 0) ‖ r_2i+1 (lane 1; zero after an odd count's last) |
//! | powmul, ntt | a_2i (lane 0) ‖ a_2i+1 (lane 1; zero after an odd count's last) | r_2i ‖ r_2i+1, as above |
//! | msm_load | base point: x lane (top bit = infinity), y lane ([`point_beats`] beats) | one acknowledgement beat (count, offset) |
//! | copy | any beats, unchanged | the same beats |
//! | msm_run | two scalars, their Montgomery limbs as in memory: scalar 2i in bits 255:0, 2i + 1 in bits 511:256 (zero after an odd count's last) | buckets: X, Y, Z beats each, window-major, digit ascending; or one acknowledgement beat (hold) |

/// Bits of one stream beat, both directions.
pub const BEAT_BITS: usize = 512;
/// Bytes of one stream beat.
pub const BEAT_BYTES: usize = BEAT_BITS / 8;
/// Bytes of one lane holding a 4-limb element (the scalar fields); lane 1 starts here.
pub const ELEM_BYTES: usize = 32;
/// Bytes of a scalar on the msm_run stream (4 limbs).
pub const SCALAR_BYTES: usize = 32;
/// Scalars per msm_run beat: two, as two consecutive scalars lie in the caller's memory,
/// so the host's encoding is a copy of the caller's slice (and half the beats of one per
/// beat: half the PCIe traffic and host CPU time).
pub const SCALARS_PER_BEAT: usize = BEAT_BYTES / SCALAR_BYTES;

/// Beats of an msm_run stream of `n` scalars.
pub const fn scalar_beats(n: usize) -> usize {
    n.div_ceil(SCALARS_PER_BEAT)
}

/// Elements of a scalar-field vector per beat where a beat carries no second operand:
/// unary inputs (powmul, ntt) and every elementwise or NTT output.
pub const ELEMS_PER_BEAT: usize = BEAT_BYTES / ELEM_BYTES;

/// Host-to-card beats of an elementwise or NTT job of `n` elements: one per element for a
/// binary opcode (a ‖ b), two elements per beat for a unary one.
pub const fn kernel_in_beats(binary: bool, n: usize) -> usize {
    if binary {
        n
    } else {
        n.div_ceil(ELEMS_PER_BEAT)
    }
}

/// Card-to-host beats of an elementwise or NTT job of `n` results: two per beat.
pub const fn kernel_out_beats(n: usize) -> usize {
    n.div_ceil(ELEMS_PER_BEAT)
}

/// Alignment of every card-memory address a job names (JOB_SRC_ADDR, JOB_DST_ADDR): a
/// 4 KiB page, so that the board's AXI4 bursts of [`MEM_BURST_BEATS`] never cross one.
pub const CARD_MEMORY_ALIGN: u64 = 4096;

/// Beats of one AXI4 burst of the board's card-memory port (4 KiB).
pub const MEM_BURST_BEATS: usize = CARD_MEMORY_ALIGN as usize / BEAT_BYTES;

/// Bytes of card memory a vector of `n` scalar-field elements takes: the unary stream
/// format (two elements per beat), so an engine's output written there is the next unary
/// job's input as it stands, rounded up to whole pages.
pub const fn card_vector_bytes(n: usize) -> u64 {
    let bytes = (kernel_out_beats(n) * BEAT_BYTES) as u64;
    bytes.div_ceil(CARD_MEMORY_ALIGN) * CARD_MEMORY_ALIGN
}

/// Beats per affine base point of a base field `field_width` bits wide (1 if x and y fit
/// one beat, else 2).
pub const fn point_beats(field_width: usize) -> usize {
    if 2 * field_width <= BEAT_BITS {
        1
    } else {
        2
    }
}

/// Writes little-endian limbs at the start of `out`.
pub fn put_limbs(out: &mut [u8], limbs: &[u64]) {
    for (k, l) in limbs.iter().enumerate() {
        out[8 * k..8 * k + 8].copy_from_slice(&l.to_le_bytes());
    }
}

/// Reads `out.len()` little-endian limbs from the start of `bytes`.
pub fn get_limbs(bytes: &[u8], out: &mut [u64]) {
    for (k, l) in out.iter_mut().enumerate() {
        *l = u64::from_le_bytes(bytes[8 * k..8 * k + 8].try_into().unwrap());
    }
}

/// Whether little-endian limbs `x` are below little-endian limbs `modulus` (an element
/// the card returns must be reduced).
pub fn is_reduced(x: &[u64], modulus: &[u64]) -> bool {
    for (a, p) in x.iter().zip(modulus).rev() {
        if a != p {
            return a < p;
        }
    }
    false
}

/// An elementwise or NTT input beat: `a` in lane 0, `b` (binary opcodes) in lane 1.
pub fn encode_operands(beat: &mut [u8], a: &[u64], b: Option<&[u64]>) {
    beat[..BEAT_BYTES].fill(0);
    put_limbs(beat, a);
    if let Some(b) = b {
        put_limbs(&mut beat[ELEM_BYTES..], b);
    }
}

/// A beat of two elements (unary inputs, every elementwise or NTT output; msm_run's two
/// scalars): `first` in lane 0, `second` in lane 1 or zero (an odd count's last beat).
pub fn encode_pair(beat: &mut [u8], first: &[u64], second: Option<&[u64]>) {
    put_limbs(&mut beat[..ELEM_BYTES], first);
    match second {
        Some(limbs) => put_limbs(&mut beat[ELEM_BYTES..BEAT_BYTES], limbs),
        None => beat[ELEM_BYTES..BEAT_BYTES].fill(0),
    }
}

/// Element `i` of an elementwise or NTT output stream (`stream`: its beats): lane i mod 2
/// of beat ⌊i/2⌋.
pub fn decode_result(stream: &[u8], i: usize, out: &mut [u64]) {
    get_limbs(&stream[i * ELEM_BYTES..], out)
}

/// JOB_PARAM0..7 words of a 4-limb parameter (powmul's g, a coset generator).
pub fn param_words(limbs: &[u64]) -> [u32; crate::regs::PARAM_WORDS] {
    let mut param = [0u32; crate::regs::PARAM_WORDS];
    for (k, limb) in limbs.iter().enumerate().take(crate::regs::PARAM_WORDS / 2) {
        param[2 * k] = *limb as u32;
        param[2 * k + 1] = (*limb >> 32) as u32;
    }
    param
}

/// An msm_load point (`point_beats` beats in `out`): x in the first lane with its top bit
/// marking the point at infinity, y in the next lane (same beat if both fit, else the next
/// beat). `None`: the point at infinity.
pub fn encode_base(out: &mut [u8], xy: Option<(&[u64], &[u64])>, limbs: usize, point_beats: usize) {
    out[..point_beats * BEAT_BYTES].fill(0);
    let lane = 8 * limbs;
    match xy {
        None => out[lane - 1] = 0x80,
        Some((x, y)) => {
            let y_at = if point_beats == 1 { lane } else { BEAT_BYTES };
            put_limbs(&mut out[..lane], x);
            put_limbs(&mut out[y_at..y_at + lane], y);
        }
    }
}

/// Decodes an msm_load point: `None` for the point at infinity, else (x, y).
pub fn decode_base(beats: &[u8], limbs: usize, point_beats: usize) -> Option<(Vec<u64>, Vec<u64>)> {
    let lane = 8 * limbs;
    if beats[lane - 1] & 0x80 != 0 {
        return None;
    }
    let y_at = if point_beats == 1 { lane } else { BEAT_BYTES };
    let mut x = vec![0; limbs];
    let mut y = vec![0; limbs];
    get_limbs(&beats[..lane], &mut x);
    get_limbs(&beats[y_at..y_at + lane], &mut y);
    Some((x, y))
}

/// An msm_run beat: two scalars' 4 limbs each (the card takes them as integers; the host
/// sends the Montgomery limbs), `second` absent (zero) on an odd count's last beat.
pub fn encode_scalar_pair(beat: &mut [u8], first: &[u64], second: Option<&[u64]>) {
    encode_pair(beat, first, second)
}

/// Beats of one bucket in the readout: X, Y, Z.
pub const BUCKET_BEATS: usize = 3;

/// Buckets per window with signed digits of `window_bits` = c bits: one per digit magnitude
/// 1 ..= 2^(c−1) (a negative digit adds −P to the bucket of its magnitude).
pub const fn buckets_per_window(window_bits: usize) -> usize {
    1 << (window_bits - 1)
}

/// Card-to-host beats of an msm_run readout: X, Y, Z of every bucket (magnitudes
/// 1 ..= 2^(c−1)) of every window.
pub const fn readout_beats(windows: usize, window_bits: usize) -> usize {
    BUCKET_BEATS * windows * buckets_per_window(window_bits)
}

/// One coordinate of bucket `b` of a readout (coordinate 0 = X, 1 = Y, 2 = Z).
pub fn decode_bucket_coord(readout: &[u8], b: usize, coord: usize, out: &mut [u64]) {
    let at = (BUCKET_BEATS * b + coord) * BEAT_BYTES;
    get_limbs(&readout[at..], out)
}

/// The acknowledgement beat of msm_load and held msm_run jobs: (count, offset), the job's
/// JOB_COUNT in bits 31:0 and JOB_MSM_OFFSET in bits 63:32.
pub fn decode_ack(beat: &[u8]) -> (u32, u32) {
    (
        u32::from_le_bytes(beat[0..4].try_into().unwrap()),
        u32::from_le_bytes(beat[4..8].try_into().unwrap()),
    )
}

/// 32-bit lanes of a beat, the unit of the stream checksum.
pub const CHECKSUM_LANES: usize = BEAT_BITS / 32;

/// One beat folded to 32 bits for the stream checksum: the XOR of its 32-bit lanes, lane j
/// (bits 32j+31 : 32j) rotated left by j. Any change confined to one lane changes the fold.
pub fn checksum_fold(beat: &[u8]) -> u32 {
    (0..CHECKSUM_LANES).fold(0, |acc, j| {
        let lane = u32::from_le_bytes(beat[4 * j..4 * j + 4].try_into().unwrap());
        acc ^ lane.rotate_left(j as u32)
    })
}

/// Checksum of a stream of whole beats, as the card keeps it in PERF_H2C_SUM and
/// PERF_C2H_SUM: `sum ← rotl(sum, 1) ⊕ fold(beat)` from 0, beat by beat.
///
/// It is an integrity check of the transfer, not a cryptographic one: a change confined to
/// one 32-bit lane of one beat (a flipped bit, a corrupted word) always changes it, and
/// then the driver fails the job instead of returning what the card computed from
/// corrupted data or what a corrupted result became on the way back.
pub fn stream_checksum(bytes: &[u8]) -> u32 {
    debug_assert!(bytes.len().is_multiple_of(BEAT_BYTES));
    bytes.chunks_exact(BEAT_BYTES).fold(0, checksum_step)
}

/// The stream checksum after one more beat: how an encoder keeps it while it writes.
pub fn checksum_step(sum: u32, beat: &[u8]) -> u32 {
    sum.rotate_left(1) ^ checksum_fold(beat)
}

/// The stream checksum of consecutive parts from each part's own checksum (from 0) and
/// its beat count, in stream order: how an encoder that fills a stream in parallel chunks
/// gets the checksum on the way, with no second pass over the bytes.
pub fn checksum_concat(parts: impl IntoIterator<Item = (u32, usize)>) -> u32 {
    parts.into_iter().fold(0, |sum, (part, beats)| {
        sum.rotate_left((beats % 32) as u32) ^ part
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{BigInteger, PrimeField, UniformRand};
    use ark_std::rand::{rngs::StdRng, SeedableRng};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Every format round-trips ark-ff / ark-ec values drawn from a random seed.
        #[test]
        fn every_format_round_trips(seed in any::<u64>()) {
            use ark_ec::CurveGroup;
            let mut rng = StdRng::seed_from_u64(seed);
            let (a, b) = (ark_bls12_381::Fr::rand(&mut rng), ark_bls12_381::Fr::rand(&mut rng));
            let mut beat = [0u8; BEAT_BYTES];
            encode_operands(&mut beat, &a.0 .0, Some(&b.0 .0));
            let (mut x, mut y) = ([0u64; 4], [0u64; 4]);
            get_limbs(&beat, &mut x);
            get_limbs(&beat[ELEM_BYTES..], &mut y);
            prop_assert_eq!((x, y), (a.0 .0, b.0 .0));
            // A pair, and an odd count's last beat (upper lane zero over a dirty beat).
            encode_pair(&mut beat, &b.0 .0, Some(&a.0 .0));
            decode_result(&beat, 0, &mut x);
            decode_result(&beat, 1, &mut y);
            prop_assert_eq!((x, y), (b.0 .0, a.0 .0));
            encode_pair(&mut beat, &a.0 .0, None);
            decode_result(&beat, 0, &mut x);
            decode_result(&beat, 1, &mut y);
            prop_assert_eq!((x, y), (a.0 .0, [0; 4]));
            let (k, l) = (ark_bls12_381::Fr::rand(&mut rng), ark_bls12_381::Fr::rand(&mut rng));
            encode_scalar_pair(&mut beat, k.into_bigint().as_ref(), Some(l.into_bigint().as_ref()));
            get_limbs(&beat, &mut x);
            get_limbs(&beat[SCALAR_BYTES..], &mut y);
            prop_assert_eq!(ark_bls12_381::Fr::from_bigint(ark_ff::BigInt(x)), Some(k));
            prop_assert_eq!(ark_bls12_381::Fr::from_bigint(ark_ff::BigInt(y)), Some(l));
            let p = ark_bls12_381::G1Projective::rand(&mut rng).into_affine();
            let mut two = [0u8; 2 * BEAT_BYTES];
            encode_base(&mut two, Some((&p.x.0 .0, &p.y.0 .0)), 6, point_beats(384));
            let (px, py) = decode_base(&two, 6, point_beats(384)).unwrap();
            prop_assert_eq!((px.as_slice(), py.as_slice()), (&p.x.0 .0[..], &p.y.0 .0[..]));
            let q = ark_bn254::G1Projective::rand(&mut rng).into_affine();
            encode_base(&mut beat, Some((&q.x.0 .0, &q.y.0 .0)), 4, point_beats(256));
            let (qx, qy) = decode_base(&beat, 4, 1).unwrap();
            prop_assert_eq!((qx.as_slice(), qy.as_slice()), (&q.x.0 .0[..], &q.y.0 .0[..]));
        }
    }

    #[test]
    fn operands_round_trip_ark_ff_memory() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut beat = [0u8; BEAT_BYTES];
        for _ in 0..100 {
            let a = ark_bn254::Fr::rand(&mut rng);
            let b = ark_bn254::Fr::rand(&mut rng);
            encode_operands(&mut beat, &a.0 .0, Some(&b.0 .0));
            let mut back = [0u64; 4];
            get_limbs(&beat, &mut back);
            assert_eq!(back, a.0 .0);
            get_limbs(&beat[ELEM_BYTES..], &mut back);
            assert_eq!(back, b.0 .0);
            assert!(is_reduced(&back, &ark_bn254::Fr::MODULUS.0));
        }
        assert!(!is_reduced(
            &ark_bn254::Fr::MODULUS.0,
            &ark_bn254::Fr::MODULUS.0
        ));
    }

    #[test]
    fn bases_round_trip_ark_ec_points() {
        use ark_ec::{AffineRepr, CurveGroup};
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..20 {
            let p = ark_bn254::G1Projective::rand(&mut rng).into_affine();
            let mut beat = vec![0u8; BEAT_BYTES];
            encode_base(&mut beat, Some((&p.x.0 .0, &p.y.0 .0)), 4, point_beats(256));
            let (x, y) = decode_base(&beat, 4, 1).unwrap();
            assert_eq!((x.as_slice(), y.as_slice()), (&p.x.0 .0[..], &p.y.0 .0[..]));
            let q = ark_bls12_381::G1Projective::rand(&mut rng).into_affine();
            let beats = point_beats(384);
            assert_eq!(beats, 2);
            let mut two = vec![0u8; beats * BEAT_BYTES];
            encode_base(&mut two, Some((&q.x.0 .0, &q.y.0 .0)), 6, beats);
            let (x, y) = decode_base(&two, 6, beats).unwrap();
            assert_eq!((x.as_slice(), y.as_slice()), (&q.x.0 .0[..], &q.y.0 .0[..]));
        }
        let zero = ark_bn254::G1Affine::zero();
        assert!(zero.infinity);
        let mut beat = vec![0u8; BEAT_BYTES];
        encode_base(&mut beat, None, 4, 1);
        assert_eq!(decode_base(&beat, 4, 1), None);
    }

    #[test]
    fn scalars_and_params_round_trip() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..100 {
            let k = ark_bn254::Fr::rand(&mut rng);
            let canonical = k.into_bigint();
            // An odd count's last beat: the second scalar's half is zero, whatever the
            // buffer held before.
            let mut beat = [0xA5u8; BEAT_BYTES];
            encode_scalar_pair(&mut beat, canonical.as_ref(), None);
            let mut back = [0u64; 4];
            get_limbs(&beat, &mut back);
            assert_eq!(ark_bn254::Fr::from_bigint(ark_ff::BigInt(back)), Some(k));
            assert!(beat[SCALAR_BYTES..].iter().all(|&b| b == 0));
            let words = param_words(&k.0 .0);
            let limbs: Vec<u64> = (0..4)
                .map(|i| words[2 * i] as u64 | (words[2 * i + 1] as u64) << 32)
                .collect();
            assert_eq!(limbs, k.0 .0);
            assert_eq!(canonical.to_bytes_le().len(), SCALAR_BYTES);
        }
    }

    #[test]
    fn bucket_coordinates_are_beat_aligned() {
        let mut readout = vec![0u8; 2 * BUCKET_BEATS * BEAT_BYTES];
        put_limbs(
            &mut readout[(BUCKET_BEATS + 2) * BEAT_BYTES..],
            &[1, 2, 3, 4],
        );
        let mut z = [0u64; 4];
        decode_bucket_coord(&readout, 1, 2, &mut z);
        assert_eq!(z, [1, 2, 3, 4]);
    }

    /// Every single-bit flip of a stream changes its checksum; equal streams agree.
    #[test]
    fn a_flipped_bit_changes_the_stream_checksum() {
        let mut rng = StdRng::seed_from_u64(5);
        let mut bytes = vec![0u8; 3 * BEAT_BYTES];
        ark_std::rand::RngCore::fill_bytes(&mut rng, &mut bytes);
        let sum = stream_checksum(&bytes);
        assert_eq!(sum, stream_checksum(&bytes.clone()));
        for bit in 0..bytes.len() * 8 {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert_ne!(stream_checksum(&flipped), sum, "bit {bit}");
        }
        // A corrupted 32-bit word (any new value) in any beat.
        for word in 0..bytes.len() / 4 {
            let mut changed = bytes.clone();
            changed[4 * word] = changed[4 * word].wrapping_add(0x5B);
            changed[4 * word + 3] ^= 0xC0;
            assert_ne!(stream_checksum(&changed), sum, "word {word}");
        }
        // Parts checksummed alone and concatenated: the same sum, whatever the split.
        for split in [0, 1, 2, 3] {
            let (a, b) = bytes.split_at(split * BEAT_BYTES);
            let parts = [(stream_checksum(a), split), (stream_checksum(b), 3 - split)];
            assert_eq!(checksum_concat(parts), sum, "split {split}");
        }
        let long = vec![0xA5u8; 70 * BEAT_BYTES];
        let parts = long
            .chunks(33 * BEAT_BYTES)
            .map(|c| (stream_checksum(c), c.len() / BEAT_BYTES));
        assert_eq!(checksum_concat(parts), stream_checksum(&long));
        // The fold by hand: lane j rotated by j.
        let mut beat = [0u8; BEAT_BYTES];
        beat[4..8].copy_from_slice(&0x8000_0001u32.to_le_bytes());
        assert_eq!(checksum_fold(&beat), 0x0000_0003);
    }
}
