//! Streaming checks of the field arithmetic units against ark-ff.

use ark_ff::fields::models::fp::{Fp, MontBackend, MontConfig};
use ark_ff::{AdditiveGroup, BigInt, Field, UniformRand};
use num_bigint::BigUint;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use zkpipe_hdl::field::FieldParams;
use zkpipe_hdl::generate::ArithUnit;
use zkpipe_sim::{Model, SimError};

/// An ark-ff prime field element with `N` limbs.
pub type F<C, const N: usize> = Fp<MontBackend<C, N>, N>;

/// The limbs of an ark-ff element exactly as they sit in memory (Montgomery form).
pub fn limbs_of<C: MontConfig<N>, const N: usize>(x: &F<C, N>) -> [u64; N] {
    x.0 .0
}

/// The ark-ff element whose in-memory limbs are `limbs` (must be below p).
pub fn from_limbs<C: MontConfig<N>, const N: usize>(limbs: [u64; N]) -> F<C, N> {
    F::<C, N>::new_unchecked(BigInt(limbs))
}

/// What arkworks computes for a unit.
pub fn ark_reference<C: MontConfig<N>, const N: usize>(
    unit: ArithUnit,
) -> impl Fn(&F<C, N>, &F<C, N>) -> F<C, N> {
    move |a, b| match unit {
        ArithUnit::ModAdd => *a + b,
        ArithUnit::ModSub => *a - b,
        ArithUnit::MontMul(_) => *a * b,
    }
}

/// Edge operands, as in-memory (Montgomery-form) representatives: 0, 1, 2, p−1, p−2,
/// R mod p (the element one), 2R mod p, R² mod p, values with many high bits set, and
/// −1 (so that (p−1)² and (−1)·(−1) both occur in the pairs).
pub fn edge_values<C: MontConfig<N>, const N: usize>() -> Vec<F<C, N>> {
    let params = FieldParams::limbs_to_biguint(&C::MODULUS.0);
    let p = params;
    let raw = |x: BigUint| -> F<C, N> {
        let mut v = x.to_u64_digits();
        v.resize(N, 0);
        from_limbs::<C, N>(v.try_into().unwrap())
    };
    let one = BigUint::from(1u32);
    let r = BigUint::from(1u32) << (64 * N);
    let bits = p.bits();
    let mut v = vec![
        raw(BigUint::default()),
        raw(one.clone()),
        raw(BigUint::from(2u32)),
        raw(&p - 1u32),
        raw(&p - 2u32),
        raw(&r % &p),
        raw((&r * 2u32) % &p),
        raw((&r * &r) % &p),
        raw(&p - (&one << 64)),
        raw(&p >> 1),
        raw((&one << (bits - 1)) - 1u32),
        // All ones below the top bit of p, then cleared down to below p.
        raw(((&one << bits) - 1u32) % &p),
        -F::<C, N>::ONE,
        F::<C, N>::ONE,
        F::<C, N>::ZERO,
    ];
    v.push(v[3].square());
    v
}

/// Every edge value against every edge value, then `random` uniformly random pairs.
pub fn operand_pairs<C: MontConfig<N>, const N: usize>(
    random: usize,
    seed: u64,
) -> Vec<(F<C, N>, F<C, N>)> {
    let edges = edge_values::<C, N>();
    let mut pairs: Vec<_> = edges
        .iter()
        .flat_map(|a| edges.iter().map(move |b| (*a, *b)))
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..random {
        // Mix uniform elements with elements close to p (many high bits).
        let a = if rng.gen_bool(0.1) {
            -F::<C, N>::from(rng.gen::<u64>())
        } else {
            F::<C, N>::rand(&mut rng)
        };
        let b = F::<C, N>::rand(&mut rng);
        pairs.push((a, b));
    }
    pairs
}

/// A result that differs from the reference.
#[derive(Debug, Clone)]
pub struct Mismatch {
    pub index: usize,
    pub a: Vec<u64>,
    pub b: Vec<u64>,
    pub expected: Vec<u64>,
    pub got: Vec<u64>,
}

/// Outcome of streaming a batch through a unit.
#[derive(Debug, Default)]
pub struct StreamReport {
    pub checked: usize,
    pub cycles: u64,
    pub mismatches: Vec<Mismatch>,
}

/// Streams `pairs` into `model_name`, one pair per clock, reads one result per clock
/// after exactly the model's latency, and compares each with `reference`.
pub fn stream_check<C: MontConfig<N>, const N: usize>(
    model_name: &str,
    pairs: &[(F<C, N>, F<C, N>)],
    reference: impl Fn(&F<C, N>, &F<C, N>) -> F<C, N>,
) -> Result<StreamReport, SimError> {
    stream_check_with_stalls(model_name, pairs, reference, 0.0, 0)
}

/// As [`stream_check`], but with `enable` low on a random fraction `stall` of the cycles
/// (with garbage on the inputs): the pipeline must hold, and the output must not change
/// while it holds.
pub fn stream_check_with_stalls<C: MontConfig<N>, const N: usize>(
    model_name: &str,
    pairs: &[(F<C, N>, F<C, N>)],
    reference: impl Fn(&F<C, N>, &F<C, N>) -> F<C, N>,
    stall: f64,
    seed: u64,
) -> Result<StreamReport, SimError> {
    let mut model = Model::new(model_name)?;
    let (pa, pb, pr) = (model.port("a")?, model.port("b")?, model.port("r")?);
    let pe = model.port("enable")?;
    let latency = model.desc().latency;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut report = StreamReport::default();
    let mut got = vec![0u64; N];
    let mut before = vec![0u64; N];
    let zero = [0u64; N];
    // Advancing cycle t: drive pair t (if any), clock with enable high; the output is then
    // the result of pair t + 1 − latency (the output register updated on this edge).
    let mut t = 0;
    while t < pairs.len() + latency {
        if stall > 0.0 && rng.gen_bool(stall) {
            model.get_into(pr, &mut before);
            model.set(pe, &[0])?;
            let junk = limbs_of(&F::<C, N>::rand(&mut rng));
            model.set(pa, &junk)?;
            model.set(pb, &junk)?;
            model.tick(1);
            model.get_into(pr, &mut got);
            if got != before {
                report.mismatches.push(Mismatch {
                    index: usize::MAX,
                    a: junk.to_vec(),
                    b: junk.to_vec(),
                    expected: before.clone(),
                    got: got.clone(),
                });
            }
            continue;
        }
        let (a, b) = pairs
            .get(t)
            .map_or((zero, zero), |(a, b)| (limbs_of(a), limbs_of(b)));
        model.set(pe, &[1])?;
        model.set(pa, &a)?;
        model.set(pb, &b)?;
        model.tick(1);
        if t + 1 >= latency {
            let i = t + 1 - latency;
            if i < pairs.len() {
                model.get_into(pr, &mut got);
                let (a, b) = &pairs[i];
                let expected = limbs_of(&reference(a, b));
                report.checked += 1;
                if got[..] != expected[..] {
                    report.mismatches.push(Mismatch {
                        index: i,
                        a: limbs_of(a).to_vec(),
                        b: limbs_of(b).to_vec(),
                        expected: expected.to_vec(),
                        got: got.clone(),
                    });
                }
            }
        }
        t += 1;
    }
    report.cycles = model.cycles();
    Ok(report)
}

/// Panics with the first mismatches if any.
pub fn assert_clean(model_name: &str, report: &StreamReport) {
    if let Some(first) = report.mismatches.first() {
        panic!(
            "{model_name}: {} of {} results differ from arkworks; first at pair {}:\n  a = {:x?}\n  b = {:x?}\n  expected {:x?}\n  got      {:x?}",
            report.mismatches.len(),
            report.checked,
            first.index,
            first.a,
            first.b,
            first.expected,
            first.got
        );
    }
}
