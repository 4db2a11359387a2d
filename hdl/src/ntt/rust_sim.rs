//! The NTT core in rust-hdl's own simulator against a naive DFT with ark-ff (small core;
//! the Verilator tests in zkpipe-tests cover the test preset's size against ark-poly).

use super::NttCore;
use crate::preset::{Curve, MulStyle};
use ark_bn254::Fr;
use ark_ff::{FftField, Field, UniformRand};
use num_bigint::BigUint;
use rust_hdl::core::prelude::*;

fn mont(x: &Fr) -> Bits<256> {
    crate::field::FieldParams::limbs_to_biguint(&x.0 .0).into()
}

fn naive(x: &[Fr], inverse: bool) -> Vec<Fr> {
    let n = x.len();
    let mut w = Fr::get_root_of_unity(n as u64).unwrap();
    if inverse {
        w = w.inverse().unwrap();
    }
    let scale = if inverse {
        Fr::from(n as u64).inverse().unwrap()
    } else {
        Fr::ONE
    };
    (0..n)
        .map(|i| {
            x.iter()
                .enumerate()
                .map(|(j, xj)| *xj * w.pow([(i * j) as u64]))
                .sum::<Fr>()
                * scale
        })
        .collect()
}

fn bit_reverse(i: usize, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        i.reverse_bits() >> (usize::BITS - bits)
    }
}

#[test]
fn ntt_core_in_rust_hdl_simulation() {
    let log_size = 3;
    let mut rng = ark_std::test_rng();
    // One core for every job: jobs of different sizes must not disturb each other.
    let mut core = NttCore::new(Curve::Bn254, MulStyle::Behavioural, log_size);
    core.connect_all();
    for m in 1..=log_size {
        for inverse in [false, true] {
            let n = 1usize << m;
            // Two NTTs back to back.
            let batches: Vec<Vec<Fr>> = (0..2)
                .map(|_| (0..n).map(|_| Fr::rand(&mut rng)).collect())
                .collect();
            let mut got: Vec<BigUint> = vec![];
            let input: Vec<Fr> = batches.concat();
            let total = input.len() + core.latency(m) + 2;
            for t in 0..total {
                core.enable.next = true;
                core.clear.next = false;
                core.inverse.next = inverse;
                core.log_n.next = bits(m as u64);
                core.x.next = input.get(t).map(mont).unwrap_or_default();
                core.v.next = t < input.len();
                core.clock.next = Clock { clk: false };
                assert!(simulate(&mut core, 100_000));
                core.clock.next = Clock { clk: true };
                assert!(simulate(&mut core, 100_000));
                if core.vo.val() {
                    got.push(core.y.val().into());
                }
            }
            assert_eq!(got.len(), input.len(), "m={m} inverse={inverse}");
            for (b, batch) in batches.iter().enumerate() {
                let expected = naive(batch, inverse);
                for i in 0..n {
                    let want = crate::field::FieldParams::limbs_to_biguint(
                        &expected[bit_reverse(i, m as u32)].0 .0,
                    );
                    assert_eq!(
                        got[b * n + i],
                        want,
                        "m={m} inverse={inverse} batch {b} out {i}"
                    );
                }
            }
        }
    }
}
