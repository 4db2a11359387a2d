//! NTTs on the simulated board (sim-small: core 2^8, twiddles to 2^16) against ark-poly's
//! `Radix2EvaluationDomain`, through the driver a real card uses.

use ark_bn254::{Fr, FrConfig};
use ark_ff::{AdditiveGroup, FftField, Field, UniformRand};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zkpipe::ntt::{self, Coset, Direction, EngineStats, Factor, NttEngine, NttJob};
use zkpipe::{Device, Error, HwError, Result};

const SIM: &str = "sim:sim-small";

fn random(n: usize, seed: u64) -> Vec<Fr> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| Fr::rand(&mut rng)).collect()
}

fn reference(x: &[Fr], direction: Direction, coset: Coset<Fr>) -> Vec<Fr> {
    let mut domain = Radix2EvaluationDomain::<Fr>::new(x.len()).unwrap();
    if let Coset::Offset(g) = coset {
        domain = domain.get_coset(g).unwrap();
    }
    let mut y = x.to_vec();
    match direction {
        Direction::Forward => domain.fft_in_place(&mut y),
        Direction::Inverse => domain.ifft_in_place(&mut y),
    }
    y
}

fn check(device: &Device, x: &[Fr], direction: Direction, coset: Coset<Fr>) -> ntt::NttReport {
    let mut y = x.to_vec();
    let report = ntt::ntt(device, &mut y, direction, coset).unwrap();
    assert_eq!(
        y,
        reference(x, direction, coset),
        "n = {}, {direction:?}, {coset:?}",
        x.len()
    );
    report
}

const VARIANTS: [(Direction, bool); 4] = [
    (Direction::Forward, false),
    (Direction::Inverse, false),
    (Direction::Forward, true),
    (Direction::Inverse, true),
];

fn coset(on: bool) -> Coset<Fr> {
    if on {
        Coset::Offset(Fr::GENERATOR)
    } else {
        Coset::None
    }
}

#[test]
fn every_core_size_forward_inverse_plain_coset() {
    let device = Device::open(SIM).unwrap();
    assert_eq!(device.capabilities().ntt_log_size, 8);
    for log_n in 0..=8 {
        let x = random(1 << log_n, log_n as u64);
        for (direction, on) in VARIANTS {
            let report = check(&device, &x, direction, coset(on));
            if log_n > 0 {
                // One NTT job; an inverse coset adds the powmul pass.
                let jobs = if on && direction == Direction::Inverse {
                    2
                } else {
                    1
                };
                assert_eq!(report.device.jobs, jobs, "n = 2^{log_n}");
            }
        }
    }
}

#[test]
fn structured_inputs() {
    let device = Device::open(SIM).unwrap();
    let p_minus_1 = -Fr::ONE;
    for log_n in [1, 5, 8] {
        let n = 1usize << log_n;
        let mut one_hot = vec![Fr::ZERO; n];
        one_hot[n / 2 + (n > 2) as usize] = Fr::from(3u64);
        for x in [vec![Fr::ZERO; n], one_hot, vec![p_minus_1; n]] {
            for (direction, on) in VARIANTS {
                check(&device, &x, direction, coset(on));
            }
        }
    }
}

#[test]
fn four_step_sizes_forward_inverse_coset() {
    let device = Device::open(SIM).unwrap();
    // 4× and 16× the core: N1 = 4 and 16 column NTTs, twiddles on the card.
    for log_n in [10, 12] {
        let x = random(1 << log_n, 100 + log_n as u64);
        for (direction, on) in VARIANTS {
            let report = check(&device, &x, direction, coset(on));
            assert!(report.device.jobs >= 2);
            assert!(report.transpose_s > 0.0);
            assert!(
                report.device.codec_s > 0.0,
                "the host's stream encoding is timed"
            );
            // The host's share: everything outside the jobs, transposes included, the
            // simulation excluded.
            assert!(report.host_steps_s >= report.transpose_s);
            assert!(report.host_steps_s < report.host_s);
        }
    }
}

#[test]
fn beyond_the_card_host_radix2_steps_then_four_step_on_the_card() {
    // sim-small's twiddles reach 2^16 (one job holds 2^16 elements): a 2^17 transform
    // takes one host butterfly layer and two 2^16 four-step transforms on the card. A
    // Groth16 proof of 2^16 constraints needs exactly this domain. One direction here
    // (about a minute of simulation); the planner's every size, direction and coset is
    // tested against ark-poly on the software engine (host/src/ntt/tests.rs).
    let device = Device::open(SIM).unwrap();
    let x = random(1 << 17, 170);
    let report = check(&device, &x, Direction::Inverse, coset(true));
    assert!(report.butterfly_s > 0.0);
    assert!(
        report.device.elements >= 2 * (1 << 17),
        "both halves ran on the card"
    );
}

#[test]
fn inverse_undoes_forward() {
    let device = Device::open(SIM).unwrap();
    for (log_n, on) in [(6, false), (8, true), (10, true)] {
        let x = random(1 << log_n, 200 + log_n as u64);
        let mut y = x.clone();
        ntt::ntt(&device, &mut y, Direction::Forward, coset(on)).unwrap();
        ntt::ntt(&device, &mut y, Direction::Inverse, coset(on)).unwrap();
        assert_eq!(y, x, "n = 2^{log_n}");
    }
}

#[test]
fn batch_back_to_back_in_one_job() {
    let device = Device::open(SIM).unwrap();
    // Small sizes before large: a larger job activates stages the smaller ones bypassed.
    for (log_n, batch) in [(1, 7), (3, 40), (2, 256), (8, 16)] {
        let n = 1usize << log_n;
        let x = random(n * batch, 300 + log_n as u64);
        for direction in [Direction::Forward, Direction::Inverse] {
            let mut y = x.clone();
            let job = NttJob {
                log_n,
                direction,
                factor: Factor::Plain,
            };
            let report = device.ntt_job::<FrConfig>(&mut y, &job).unwrap();
            // Two elements per beat each way.
            assert_eq!(report.counters.beats_in as usize, (n * batch).div_ceil(2));
            assert_eq!(report.counters.beats_out as usize, (n * batch).div_ceil(2));
            for (b, chunk) in x.chunks(n).enumerate() {
                assert_eq!(
                    &y[b * n..(b + 1) * n],
                    reference(chunk, direction, Coset::None),
                    "NTT {b} of {batch}×2^{log_n}"
                );
            }
        }
    }
}

#[test]
fn twiddle_jobs_match_the_software_engine() {
    // The card's twiddle unit against the reference model, rows not starting at 0.
    let device = Device::open(SIM).unwrap();
    let soft = ntt::SoftEngine::new(8, 16, 1 << 16);
    for (log_n, log_t, row0, rows) in [(8, 16, 0, 3), (8, 16, 200, 4), (4, 10, 63, 5), (2, 5, 1, 8)]
    {
        let x = random(rows << log_n, 400 + row0 as u64);
        for direction in [Direction::Forward, Direction::Inverse] {
            let job = NttJob {
                log_n,
                direction,
                factor: Factor::Twiddle { log_t, row0 },
            };
            let (mut on_card, mut expected) = (x.clone(), x.clone());
            device.ntt_job::<FrConfig>(&mut on_card, &job).unwrap();
            soft.run(&mut expected, &job).unwrap();
            assert_eq!(
                on_card, expected,
                "2^{log_n} rows {row0}.. of T = 2^{log_t}"
            );
        }
    }
}

/// The board with the four-step twiddles shifted by one row: the tests above can fail.
struct SkewedTwiddles<'a>(&'a Device);

impl NttEngine<Fr> for SkewedTwiddles<'_> {
    fn core_log_size(&self) -> u32 {
        NttEngine::<Fr>::core_log_size(self.0)
    }
    fn twiddle_log(&self) -> u32 {
        NttEngine::<Fr>::twiddle_log(self.0)
    }
    fn max_job(&self) -> usize {
        NttEngine::<Fr>::max_job(self.0)
    }
    fn run(&self, data: &mut [Fr], job: &NttJob<Fr>) -> Result<EngineStats> {
        let mut job = *job;
        if let Factor::Twiddle { row0, .. } = &mut job.factor {
            *row0 += 1;
        }
        self.0.run(data, &job)
    }
    fn powmul(&self, data: &mut [Fr], g: Fr) -> Result<EngineStats> {
        NttEngine::<Fr>::powmul(self.0, data, g)
    }
}

#[test]
fn a_wrong_twiddle_is_caught() {
    let device = Device::open(SIM).unwrap();
    let x = random(1 << 10, 500);
    let mut y = x.clone();
    ntt::ntt(
        &SkewedTwiddles(&device),
        &mut y,
        Direction::Forward,
        Coset::None,
    )
    .unwrap();
    assert_ne!(y, reference(&x, Direction::Forward, Coset::None));
}

#[test]
fn bad_requests_are_typed_errors_and_the_device_recovers() {
    let device = Device::open(SIM).unwrap();
    let x = random(48, 600);
    let bad = |log_n: u32, factor: Factor<Fr>, len: usize| {
        let mut y = x[..len].to_vec();
        let job = NttJob {
            log_n,
            direction: Direction::Forward,
            factor,
        };
        let err = device.ntt_job::<FrConfig>(&mut y, &job).unwrap_err();
        assert_eq!(y, x[..len], "input untouched");
        err
    };
    let hw = |e: Error| {
        matches!(
            e,
            Error::Hardware {
                error: HwError::BadNttConfig,
                ..
            }
        )
    };
    assert!(hw(bad(0, Factor::Plain, 8)), "size 2^0");
    assert!(hw(bad(9, Factor::Plain, 16)), "above the core");
    assert!(hw(bad(4, Factor::Plain, 24)), "count not a multiple of n");
    assert!(
        hw(bad(3, Factor::Coset(Fr::GENERATOR), 16)),
        "coset with 2 NTTs"
    );
    let t = Factor::Twiddle { log_t: 17, row0: 0 };
    assert!(hw(bad(3, t, 8)), "T beyond 2^S");
    // Host-side checks.
    let mut v = random(3, 1);
    assert!(matches!(
        ntt::ntt(&device, &mut v, Direction::Forward, Coset::None),
        Err(Error::NotPowerOfTwo { n: 3 })
    ));
    // Still serves the next job correctly.
    check(&device, &x[..32], Direction::Forward, Coset::None);
}
