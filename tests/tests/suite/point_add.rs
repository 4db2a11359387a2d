//! The complete point adders (BN254 G1, sim-small's multipliers) under Verilator against
//! ark-ec: random sums, the identity bucket, doubling (P = Q), P = −Q, one addition per
//! cycle — the mixed adder (projective + affine) and the full one (projective + projective,
//! sim-small's lanes: it also sums buckets for the reduction on the card).

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, Field, UniformRand, Zero};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zkpipe_hdl::generate::point_add_module_name;
use zkpipe_hdl::preset::Preset;
use zkpipe_sim::Model;

/// A bucket in homogeneous projective coordinates (x = X/Z, y = Y/Z).
#[derive(Clone, Copy, Debug)]
struct Homogeneous {
    x: Fq,
    y: Fq,
    z: Fq,
}

impl Homogeneous {
    fn identity() -> Self {
        Self {
            x: Fq::ZERO,
            y: Fq::ONE,
            z: Fq::ZERO,
        }
    }
    /// `p` scaled by a random non-zero z.
    fn from_affine(p: &G1Affine, z: Fq) -> Self {
        if p.is_zero() {
            return Self::identity();
        }
        Self {
            x: p.x * z,
            y: p.y * z,
            z,
        }
    }
    fn to_affine(self) -> G1Affine {
        if self.z.is_zero() {
            assert!(self.x.is_zero() && !self.y.is_zero(), "a valid identity");
            return G1Affine::zero();
        }
        let zi = self.z.inverse().unwrap();
        let p = G1Affine::new_unchecked(self.x * zi, self.y * zi);
        assert!(p.is_on_curve(), "result on the curve");
        p
    }
}

fn random_point(rng: &mut ChaCha8Rng) -> G1Affine {
    (G1Affine::generator() * Fr::rand(rng)).into_affine()
}

/// Which generated adder a test drives.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// `point_add_mixed_sim_small`: Q affine.
    Mixed,
    /// `point_add_sim_small` (sim-small's lanes): Q projective.
    Full,
}

fn module(kind: Kind) -> String {
    let name = point_add_module_name(Preset::by_name("sim-small").unwrap());
    match kind {
        Kind::Mixed => name.replacen("point_add", "point_add_mixed", 1),
        Kind::Full => name,
    }
}

/// Streams (P, Q) pairs one per cycle into the mixed adder and returns its sums in order.
fn run(pairs: &[(Homogeneous, G1Affine)]) -> Vec<Homogeneous> {
    let pairs: Vec<(Homogeneous, Homogeneous)> = pairs
        .iter()
        .map(|(p, q)| (*p, Homogeneous::from_affine(q, Fq::ONE)))
        .collect();
    run_kind(Kind::Mixed, &pairs)
}

/// Streams (P, Q) pairs (Q homogeneous; Z = 1 for the mixed adder) one per cycle.
fn run_kind(kind: Kind, pairs: &[(Homogeneous, Homogeneous)]) -> Vec<Homogeneous> {
    let mut m = Model::new(&module(kind)).unwrap();
    let p = |m: &Model, n: &str| m.port(n).unwrap();
    let (en, v, x1, y1, z1, x2, y2, z2, tag) = (
        p(&m, "enable"),
        p(&m, "v"),
        p(&m, "x1"),
        p(&m, "y1"),
        p(&m, "z1"),
        p(&m, "x2"),
        p(&m, "y2"),
        p(&m, "z2"),
        p(&m, "tag"),
    );
    let (x3, y3, z3, vo, tag_o) = (
        p(&m, "x3"),
        p(&m, "y3"),
        p(&m, "z3"),
        p(&m, "vo"),
        p(&m, "tag_o"),
    );
    let limbs = |f: &Fq| f.0 .0.to_vec();
    let from = |l: Vec<u64>| Fq::new_unchecked(ark_ff::BigInt::<4>(l[..4].try_into().unwrap()));
    m.set(en, &[1]).unwrap();
    m.eval();
    let mut out = vec![];
    let mut t = 0;
    while out.len() < pairs.len() {
        assert!(t < pairs.len() + 1000, "the adder stopped producing sums");
        if let Some((a, b)) = pairs.get(t) {
            m.set(v, &[1]).unwrap();
            m.set(x1, &limbs(&a.x)).unwrap();
            m.set(y1, &limbs(&a.y)).unwrap();
            m.set(z1, &limbs(&a.z)).unwrap();
            m.set(x2, &limbs(&b.x)).unwrap();
            m.set(y2, &limbs(&b.y)).unwrap();
            m.set(z2, &limbs(&b.z)).unwrap();
            m.set(tag, &[t as u64]).unwrap();
        } else {
            m.set(v, &[0]).unwrap();
        }
        m.tick(1);
        t += 1;
        if m.get(vo)[0] & 1 == 1 {
            assert_eq!(m.get(tag_o)[0] as usize, out.len(), "tags leave in order");
            out.push(Homogeneous {
                x: from(m.get(x3)),
                y: from(m.get(y3)),
                z: from(m.get(z3)),
            });
        }
    }
    out
}

#[test]
fn sums_equal_ark_ec_for_random_and_exceptional_inputs() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut pairs = vec![];
    let mut expected = vec![];
    let mut push = |p: G1Affine, q: G1Affine, z: Fq| {
        pairs.push((Homogeneous::from_affine(&p, z), q));
        expected.push((G1Projective::from(p) + q).into_affine());
    };
    for _ in 0..200 {
        let (p, q, z) = (
            random_point(&mut rng),
            random_point(&mut rng),
            Fq::rand(&mut rng),
        );
        push(p, q, z);
    }
    for _ in 0..10 {
        let q = random_point(&mut rng);
        let z = Fq::rand(&mut rng);
        push(G1Affine::zero(), q, z); // identity bucket
        push(q, q, z); // doubling
        push(-q, q, z); // P = −Q: the identity
        push(q, -q, Fq::ONE);
    }
    push(G1Affine::generator(), G1Affine::generator(), Fq::ONE);
    let sums = run(&pairs);
    for (i, (s, e)) in sums.iter().zip(&expected).enumerate() {
        assert_eq!(s.to_affine(), *e, "pair {i}");
    }
}

#[test]
fn chained_accumulation_matches_a_sum() {
    // Feed each sum back as the next bucket (one addition in flight): Σ Q_i.
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    let points: Vec<G1Affine> = (0..8).map(|_| random_point(&mut rng)).collect();
    let mut bucket = Homogeneous::identity();
    for q in &points {
        bucket = run(&[(bucket, *q)])[0];
    }
    let sum: G1Projective = points.iter().map(|p| G1Projective::from(*p)).sum();
    assert_eq!(bucket.to_affine(), sum.into_affine());
}

#[test]
fn full_adder_sums_projective_pairs_like_ark_ec() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut pairs = vec![];
    let mut expected = vec![];
    let mut push = |p: G1Affine, q: G1Affine, z1: Fq, z2: Fq| {
        pairs.push((
            Homogeneous::from_affine(&p, z1),
            Homogeneous::from_affine(&q, z2),
        ));
        expected.push((G1Projective::from(p) + q).into_affine());
    };
    for _ in 0..200 {
        let (p, q) = (random_point(&mut rng), random_point(&mut rng));
        push(p, q, Fq::rand(&mut rng), Fq::rand(&mut rng));
    }
    for _ in 0..10 {
        let q = random_point(&mut rng);
        let (z1, z2) = (Fq::rand(&mut rng), Fq::rand(&mut rng));
        push(G1Affine::zero(), q, z1, z2); // identity first
        push(q, G1Affine::zero(), z1, z2); // identity second (the reduction's first steps)
        push(G1Affine::zero(), G1Affine::zero(), z1, z2);
        push(q, q, z1, z2); // doubling, different Z
        push(-q, q, z1, z2); // P = −Q
        push(q, q, Fq::ONE, Fq::ONE); // affine operands, as while accumulating
    }
    let sums = run_kind(Kind::Full, &pairs);
    for (i, (s, e)) in sums.iter().zip(&expected).enumerate() {
        assert_eq!(s.to_affine(), *e, "pair {i}");
    }
}
