//! The `sim-small` NTT core under Verilator against ark-poly: every size from 2 to the core
//! size, forward and inverse, random and structured inputs, batches back to back.

use ark_bn254::Fr;
use ark_ff::{AdditiveGroup, Field, UniformRand};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use zkpipe_hdl::preset::Preset;
use zkpipe_sim::Model;

struct Core {
    model: Model,
    log_size: usize,
}

impl Core {
    fn new() -> Core {
        let preset = Preset::by_name("sim-small").unwrap();
        let name = zkpipe_hdl::generate::ntt_core_module_name(preset);
        Core {
            model: Model::new(&name).unwrap(),
            log_size: preset.ntt_log_size,
        }
    }

    /// Streams batches of size 2^m back to back, with `stall` probability of a held cycle,
    /// and returns every output in natural order (the core emits bit-reversed order).
    fn run(&mut self, batches: &[Vec<Fr>], inverse: bool, stall: f64, seed: u64) -> Vec<Vec<Fr>> {
        let n = batches[0].len();
        let m = n.trailing_zeros();
        let p = |name: &str| self.model.port(name).unwrap();
        let (en, x, v, inv, log_n, y, vo) = (
            p("enable"),
            p("x"),
            p("v"),
            p("inverse"),
            p("log_n"),
            p("y"),
            p("vo"),
        );
        self.model.set(inv, &[inverse as u64]).unwrap();
        self.model.set(log_n, &[m as u64]).unwrap();
        let input: Vec<Fr> = batches.concat();
        let mut out = vec![];
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut t = 0;
        let mut idle = 0;
        while out.len() < input.len() {
            assert!(idle < 100_000, "the core stopped producing results");
            if stall > 0.0 && rng.gen_bool(stall) {
                self.model.set(en, &[0]).unwrap();
                self.model.set(x, &Fr::rand(&mut rng).0 .0).unwrap();
                self.model.set(v, &[rng.gen::<bool>() as u64]).unwrap();
                self.model.tick(1);
                idle += 1;
                continue;
            }
            self.model.set(en, &[1]).unwrap();
            match input.get(t) {
                Some(e) => {
                    self.model.set(x, &e.0 .0).unwrap();
                    self.model.set(v, &[1]).unwrap();
                }
                None => {
                    self.model.set(x, &[0; 4]).unwrap();
                    self.model.set(v, &[0]).unwrap();
                }
            }
            self.model.tick(1);
            t += 1;
            idle += 1;
            if self.model.get(vo)[0] != 0 {
                let limbs: [u64; 4] = self.model.get(y).try_into().unwrap();
                out.push(Fr::new_unchecked(ark_ff::BigInt(limbs)));
                idle = 0;
            }
        }
        out.chunks(n)
            .map(|c| (0..n).map(|i| c[bit_reverse(i, m)]).collect())
            .collect()
    }
}

fn bit_reverse(i: usize, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        i.reverse_bits() >> (usize::BITS - bits)
    }
}

fn ark(x: &[Fr], inverse: bool) -> Vec<Fr> {
    let d = Radix2EvaluationDomain::<Fr>::new(x.len()).unwrap();
    if inverse {
        d.ifft(x)
    } else {
        d.fft(x)
    }
}

#[test]
fn every_size_both_directions_random_and_structured() {
    let mut core = Core::new();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for m in 1..=core.log_size {
        let n = 1 << m;
        let mut batches: Vec<Vec<Fr>> = vec![
            (0..n).map(|_| Fr::rand(&mut rng)).collect(),
            vec![Fr::ZERO; n],
            (0..n)
                .map(|i| if i == n / 3 { Fr::ONE } else { Fr::ZERO })
                .collect(),
            vec![-Fr::ONE; n],
        ];
        batches.push((0..n).map(|_| Fr::rand(&mut rng)).collect());
        for inverse in [false, true] {
            let got = core.run(&batches, inverse, 0.0, 0);
            for (b, batch) in batches.iter().enumerate() {
                assert_eq!(
                    got[b],
                    ark(batch, inverse),
                    "n={n} inverse={inverse} batch {b}"
                );
            }
        }
    }
}

#[test]
fn inverse_of_forward_is_identity_and_holds_are_harmless() {
    let mut core = Core::new();
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let n = 1 << core.log_size;
    let x: Vec<Vec<Fr>> = (0..3)
        .map(|_| (0..n).map(|_| Fr::rand(&mut rng)).collect())
        .collect();
    let forward = core.run(&x, false, 0.25, 1);
    for (f, xi) in forward.iter().zip(&x) {
        assert_eq!(*f, ark(xi, false));
    }
    let back = core.run(&forward, true, 0.25, 2);
    assert_eq!(back, x);
}

#[test]
fn a_wrong_twiddle_is_caught() {
    // The same comparison with a reference whose root of unity is wrong (ω² instead of ω)
    // must fail: the check depends on every twiddle.
    let mut core = Core::new();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let n = 16;
    let x: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
    let got = core.run(std::slice::from_ref(&x), false, 0.0, 0);
    let w = Radix2EvaluationDomain::<Fr>::new(n)
        .unwrap()
        .group_gen()
        .square();
    let wrong: Vec<Fr> = (0..n)
        .map(|i| {
            x.iter()
                .enumerate()
                .map(|(j, xj)| *xj * w.pow([(i * j) as u64]))
                .sum()
        })
        .collect();
    assert_ne!(got[0], wrong);
    assert_eq!(got[0], ark(&x, false));
}
