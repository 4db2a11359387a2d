//! The complete G2 point adder (sim-small: BN254, full kind — both operands projective,
//! behavioural MontMuls) under Verilator against ark-ec's G2: random sums with random Z
//! on both sides, the identity on either side, doubling (P = Q), P = −Q, affine operands;
//! one addition per cycle, tags in order.

use ark_bn254::{Fq, Fq2, Fr, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{AdditiveGroup, Field, UniformRand, Zero};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zkpipe_hdl::generate::g2_add_module_name;
use zkpipe_hdl::msm::g2_add::{INPUT_PORTS, OUTPUT_PORTS};
use zkpipe_hdl::preset::Preset;
use zkpipe_sim::Model;

/// A G2 point in homogeneous projective coordinates over Fq2.
type Hom = [Fq2; 3];

fn hom(p: &G2Affine, z: Fq2) -> Hom {
    if p.is_zero() {
        [Fq2::ZERO, Fq2::ONE, Fq2::ZERO]
    } else {
        [p.x * z, p.y * z, z]
    }
}

fn to_affine(h: Hom) -> G2Affine {
    if h[2].is_zero() {
        assert!(h[0].is_zero() && !h[1].is_zero(), "a valid identity");
        return G2Affine::zero();
    }
    let zi = h[2].inverse().unwrap();
    let p = G2Affine::new_unchecked(h[0] * zi, h[1] * zi);
    assert!(p.is_on_curve(), "result on the twist");
    p
}

fn random_point(rng: &mut ChaCha8Rng) -> G2Affine {
    (G2Projective::generator() * Fr::rand(rng)).into_affine()
}

/// Streams (P, Q) pairs, one per issue interval of the preset's G2 adder (at phase 0 of
/// the phase it is driven with; other cycles carry junk operands it must ignore), and
/// returns the sums in order.
fn run(pairs: &[(Hom, Hom)]) -> Vec<Hom> {
    let preset = Preset::by_name("sim-small").unwrap();
    let interval = preset.msm_g2_interval;
    assert!(interval > 1, "sim-small's G2 adder shares its multipliers");
    let mut m = Model::new(&g2_add_module_name(preset)).unwrap();
    let p = |m: &Model, n: &str| m.port(n).unwrap();
    let inputs: Vec<_> = INPUT_PORTS.iter().map(|n| p(&m, n)).collect();
    let outputs: Vec<_> = OUTPUT_PORTS.iter().map(|n| p(&m, n)).collect();
    let (phase, en, v, tag, vo, tag_o) = (
        p(&m, "phase"),
        p(&m, "enable"),
        p(&m, "v"),
        p(&m, "tag"),
        p(&m, "vo"),
        p(&m, "tag_o"),
    );
    let limbs = |f: &Fq| f.0 .0.to_vec();
    let from = |l: Vec<u64>| Fq::new_unchecked(ark_ff::BigInt::<4>(l[..4].try_into().unwrap()));
    m.set(en, &[1]).unwrap();
    m.eval();
    let mut out = vec![];
    let mut junk = ChaCha8Rng::seed_from_u64(5);
    let (mut t, mut cycle) = (0, 0);
    while out.len() < pairs.len() {
        assert!(
            cycle < interval * pairs.len() + 2000,
            "the adder stopped producing sums"
        );
        m.set(phase, &[(cycle % interval) as u64]).unwrap();
        match pairs.get(t) {
            Some((a, b)) if cycle % interval == 0 => {
                m.set(v, &[1]).unwrap();
                let coords = a.iter().chain(b.iter()).flat_map(|c| [c.c0, c.c1]);
                for (port, value) in inputs.iter().zip(coords) {
                    m.set(*port, &limbs(&value)).unwrap();
                }
                m.set(tag, &[t as u64]).unwrap();
                t += 1;
            }
            _ => {
                m.set(v, &[0]).unwrap();
                for port in &inputs {
                    m.set(*port, &limbs(&Fq::rand(&mut junk))).unwrap();
                }
            }
        }
        m.tick(1);
        cycle += 1;
        if m.get(vo)[0] & 1 == 1 {
            assert_eq!(m.get(tag_o)[0] as usize, out.len(), "tags leave in order");
            let c: Vec<Fq> = outputs.iter().map(|&o| from(m.get(o))).collect();
            out.push([
                Fq2::new(c[0], c[1]),
                Fq2::new(c[2], c[3]),
                Fq2::new(c[4], c[5]),
            ]);
        }
    }
    out
}

#[test]
fn g2_sums_equal_ark_ec_for_random_and_exceptional_inputs() {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let mut pairs = vec![];
    let mut expected = vec![];
    let mut push = |p: G2Affine, q: G2Affine, z1: Fq2, z2: Fq2| {
        pairs.push((hom(&p, z1), hom(&q, z2)));
        expected.push((G2Projective::from(p) + q).into_affine());
    };
    for _ in 0..100 {
        let (p, q) = (random_point(&mut rng), random_point(&mut rng));
        push(p, q, Fq2::rand(&mut rng), Fq2::rand(&mut rng));
    }
    for _ in 0..5 {
        let q = random_point(&mut rng);
        let (z1, z2) = (Fq2::rand(&mut rng), Fq2::rand(&mut rng));
        push(G2Affine::zero(), q, z1, z2); // identity bucket
        push(q, G2Affine::zero(), z1, z2); // identity second
        push(G2Affine::zero(), G2Affine::zero(), z1, z2);
        push(q, q, z1, z2); // doubling
        push(-q, q, z1, z2); // P = −Q
        push(q, random_point(&mut rng), Fq2::ONE, Fq2::ONE); // affine, as accumulating
    }
    let sums = run(&pairs);
    for (i, (s, e)) in sums.iter().zip(&expected).enumerate() {
        assert_eq!(to_affine(*s), *e, "pair {i}");
    }
}
