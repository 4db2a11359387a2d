//! The blocks' `update()` (rust-hdl's own simulator) agrees with the integer reference.
//!
//! Verilator is the simulator zkpipe uses (rust-hdl's is orders of magnitude slower on wide
//! logic); these short runs keep the Rust-side models of the hand-built blocks honest so a
//! user of rust-hdl's simulator gets the same answers as the generated Verilog.

use super::mod_add::{AddSubOp, ModAddSub};
use super::mont_mul::MontMul;
use super::reference;
use crate::preset::MulStyle;
use num_bigint::BigUint;
use rust_hdl::core::prelude::*;
use zkpipe_spec::field::FieldId;

/// Operand pairs below p: small, large and mixed.
fn pairs(p: &BigUint) -> Vec<(BigUint, BigUint)> {
    let vals = [
        BigUint::from(0u32),
        BigUint::from(1u32),
        p - 1u32,
        p - 2u32,
        p >> 1,
        p / 3u32,
        BigUint::from(u64::MAX),
    ];
    vals.iter()
        .flat_map(|a| vals.iter().map(move |b| (a.clone(), b.clone())))
        .collect()
}

/// Streams pairs through a block via rust-hdl's simulator and checks each result.
macro_rules! stream {
    ($uut:expr, $latency:expr, $pairs:expr, $reference:expr) => {{
        let uut = &mut $uut;
        uut.connect_all();
        uut.enable.next = true;
        let pairs = $pairs;
        let latency = $latency;
        for t in 0..pairs.len() + latency {
            let (a, b) = pairs.get(t).cloned().unwrap_or_default();
            uut.a.next = a.into();
            uut.b.next = b.into();
            uut.clock.next = Clock { clk: false };
            assert!(simulate(uut, 10_000));
            uut.clock.next = Clock { clk: true };
            assert!(simulate(uut, 10_000));
            if t + 1 >= latency && t + 1 - latency < pairs.len() {
                let (a, b) = &pairs[t + 1 - latency];
                let got: BigUint = uut.r.val().into();
                assert_eq!(got, $reference(a, b), "pair {}", t + 1 - latency);
            }
        }
    }};
}

#[test]
fn mod_add_and_sub_in_rust_hdl_simulation() {
    let f = FieldId::Bn254Fq.params();
    let mut add = ModAddSub::<256>::new(&f, AddSubOp::Add);
    let latency = add.latency();
    stream!(add, latency, pairs(&f.modulus), |a, b| reference::mod_add(
        &f, a, b
    ));
    let mut sub = ModAddSub::<256>::new(&f, AddSubOp::Sub);
    stream!(sub, latency, pairs(&f.modulus), |a, b| reference::mod_sub(
        &f, a, b
    ));
}

#[test]
fn mont_mul_behavioural_in_rust_hdl_simulation() {
    let f = FieldId::Bls12_381Fq.params();
    let mut mul = MontMul::<384, 768>::new(&f, MulStyle::Behavioural);
    let latency = mul.latency();
    stream!(mul, latency, pairs(&f.modulus), |a, b| reference::mont_mul(
        &f, a, b
    ));
}

#[test]
fn mont_mul_tiled_in_rust_hdl_simulation() {
    let f = FieldId::Bn254Fr.params();
    let mut mul = MontMul::<256, 512>::new(&f, MulStyle::Tiled);
    let latency = mul.latency();
    let few: Vec<_> = pairs(&f.modulus).into_iter().step_by(7).collect();
    stream!(mul, latency, few, |a, b| reference::mont_mul(&f, a, b));
}

#[test]
fn mont_mul_karatsuba_in_rust_hdl_simulation() {
    let f = FieldId::Bn254Fq.params();
    let mut mul = MontMul::<256, 512>::new(&f, MulStyle::Karatsuba);
    let latency = mul.latency();
    let few: Vec<_> = pairs(&f.modulus).into_iter().step_by(7).collect();
    stream!(mul, latency, few, |a, b| reference::mont_mul(&f, a, b));
}

#[test]
fn mont_mul_karatsuba_naf_in_rust_hdl_simulation() {
    let f = FieldId::Bls12_381Fr.params();
    let mut mul = MontMul::<256, 512>::new(&f, MulStyle::KaratsubaNaf);
    let latency = mul.latency();
    let few: Vec<_> = pairs(&f.modulus).into_iter().step_by(7).collect();
    stream!(mul, latency, few, |a, b| reference::mont_mul(&f, a, b));
}
