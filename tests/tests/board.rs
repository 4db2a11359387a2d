//! The simulated board end to end, through the same driver code the VFIO path uses.

use ark_bn254::{Fr, FrConfig};
use ark_ff::{Field, UniformRand};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;
use std::time::Duration;
use zkpipe::driver::kernel;
use zkpipe::pcie::sim::SimFunction;
use zkpipe::pcie::{PcieFunction, BAR_CSR};
use zkpipe::{Device, DevicePool, Error, Fault, HwError, Opcode};
use zkpipe_hdl::shell::regs;

const SIM: &str = "sim:sim-small";

fn random(n: usize, seed: u64) -> Vec<Fr> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| Fr::rand(&mut rng)).collect()
}

fn check_all_ops(device: &Device, n: usize, seed: u64) {
    let (a, b) = (random(n, seed), random(n, seed + 1));
    let (r, report) = device.mul::<FrConfig>(&a, &b).unwrap();
    assert_eq!(r, a.iter().zip(&b).map(|(x, y)| x * y).collect::<Vec<_>>(), "mul n={n}");
    assert_eq!(report.counters.beats_in as usize, n);
    assert_eq!(report.counters.beats_out as usize, n);
    let (r, _) = device.add::<FrConfig>(&a, &b).unwrap();
    assert_eq!(r, a.iter().zip(&b).map(|(x, y)| x + y).collect::<Vec<_>>(), "add n={n}");
    let (r, _) = device.sub::<FrConfig>(&a, &b).unwrap();
    assert_eq!(r, a.iter().zip(&b).map(|(x, y)| x - y).collect::<Vec<_>>(), "sub n={n}");
    let g = Fr::from(7u64);
    let (r, _) = device.powmul::<FrConfig>(&a, g).unwrap();
    let expected: Vec<Fr> = a.iter().enumerate().map(|(i, x)| *x * g.pow([i as u64])).collect();
    assert_eq!(r, expected, "powmul n={n}");
}

#[test]
fn elementwise_ops_match_arkworks() {
    let device = Device::open(SIM).unwrap();
    for (i, n) in [1, 2, 11, 12, 13, 100].into_iter().enumerate() {
        check_all_ops(&device, n, i as u64 * 10);
    }
}
