//! Fq2 units (the arithmetic of G2 coordinates: add, sub, Karatsuba mul with the curve's
//! non-residue) over BN254 and BLS12-381 under Verilator, against ark-ff's `Fq2`: edge
//! values (0, 1, −1, 2, u, p − 1 in either coordinate) in every combination, then 10,000
//! random pairs streamed one pair per clock, each result checked at exactly the unit's
//! latency (the one the manifest reports).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zkpipe_hdl::field::fq2::Fq2Op;
use zkpipe_hdl::generate::{fq2_module_name, fq2_unit};
use zkpipe_hdl::preset::{Curve, MulStyle};
use zkpipe_sim::Model;

const RANDOM_PAIRS: usize = 10_000;

macro_rules! fq2_tests {
    ($module:ident, $curve:expr, $fq:ty, $fq2:ty, $limbs:literal) => {
        mod $module {
            use super::*;
            use ark_ff::{AdditiveGroup, Field, UniformRand};

            type Fq = $fq;
            type Fq2 = $fq2;

            /// Montgomery-form limbs (ark-ff's in-memory form, the wire format).
            fn limbs(x: &Fq) -> Vec<u64> {
                x.0 .0.to_vec()
            }

            fn from_limbs(l: &[u64]) -> Fq {
                Fq::new_unchecked(ark_ff::BigInt::<$limbs>(l[..$limbs].try_into().unwrap()))
            }

            fn operands() -> Vec<(Fq2, Fq2)> {
                let base = [Fq::ZERO, Fq::ONE, -Fq::ONE, Fq::from(2u64)];
                let mut edges = vec![];
                for a in base {
                    for b in base {
                        edges.push(Fq2::new(a, b));
                    }
                }
                let mut pairs = vec![];
                for a in &edges {
                    for b in &edges {
                        pairs.push((*a, *b));
                    }
                }
                let mut rng = ChaCha8Rng::seed_from_u64(0xf92 ^ $limbs);
                for _ in 0..RANDOM_PAIRS {
                    pairs.push((Fq2::rand(&mut rng), Fq2::rand(&mut rng)));
                }
                pairs
            }

            fn check(op: Fq2Op) {
                let name = fq2_module_name($curve, op, MulStyle::Behavioural);
                let latency = fq2_unit($curve, op, MulStyle::Behavioural).latency;
                let mut m = Model::new(&name).unwrap();
                let p = |m: &Model, n: &str| m.port(n).unwrap();
                let (en, a0, a1, b0, b1, c0, c1) = (
                    p(&m, "enable"),
                    p(&m, "a0"),
                    p(&m, "a1"),
                    p(&m, "b0"),
                    p(&m, "b1"),
                    p(&m, "c0"),
                    p(&m, "c1"),
                );
                m.set(en, &[1]).unwrap();
                let pairs = operands();
                let expected: Vec<Fq2> = pairs
                    .iter()
                    .map(|(a, b)| match op {
                        Fq2Op::Add => *a + b,
                        Fq2Op::Sub => *a - b,
                        Fq2Op::Mul => *a * b,
                    })
                    .collect();
                let zero = vec![0u64; $limbs];
                let mut checked = 0;
                for t in 0..pairs.len() + latency - 1 {
                    match pairs.get(t) {
                        Some((a, b)) => {
                            m.set(a0, &limbs(&a.c0)).unwrap();
                            m.set(a1, &limbs(&a.c1)).unwrap();
                            m.set(b0, &limbs(&b.c0)).unwrap();
                            m.set(b1, &limbs(&b.c1)).unwrap();
                        }
                        None => {
                            for port in [a0, a1, b0, b1] {
                                m.set(port, &zero).unwrap();
                            }
                        }
                    }
                    m.tick(1);
                    // The result of pair i appears `latency` cycles after it went in.
                    if t + 1 >= latency {
                        let i = t + 1 - latency;
                        let got = Fq2::new(from_limbs(&m.get(c0)), from_limbs(&m.get(c1)));
                        assert_eq!(got, expected[i], "{name}: pair {i} of {}", pairs.len());
                        checked += 1;
                    }
                }
                assert_eq!(checked, pairs.len(), "{name}: every pair checked");
                // u² = β: the non-residue is ark-ff's.
                let u = Fq2::new(Fq::ZERO, Fq::ONE);
                assert_eq!(u.square(), Fq2::new(-Fq::ONE, Fq::ZERO));
            }

            #[test]
            fn add() {
                check(Fq2Op::Add);
            }

            #[test]
            fn sub() {
                check(Fq2Op::Sub);
            }

            #[test]
            fn mul() {
                check(Fq2Op::Mul);
            }
        }
    };
}

fq2_tests!(bn254, Curve::Bn254, ark_bn254::Fq, ark_bn254::Fq2, 4);
fq2_tests!(
    bls12_381,
    Curve::Bls12_381,
    ark_bls12_381::Fq,
    ark_bls12_381::Fq2,
    6
);
