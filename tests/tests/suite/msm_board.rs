//! G1 MSMs on the simulated board (sim-small: c = 8, 32 windows, two adders, 2^16 resident
//! bases, buckets reduced on the card) against arkworks' `VariableBaseMSM::msm`, through
//! the driver a real card uses. (`bls_board` runs the host-reduction configuration.)

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{PrimeField, UniformRand, Zero};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::OnceLock;
use zkpipe::msm::scalars::{same_bucket_limbs, seen_by_card_as};
use zkpipe::msm::MsmReport;
use zkpipe::{Device, DevicePool, Error};
use zkpipe_tests::msm::{self, scalars};

const SIM: &str = "sim:sim-small";

/// Montgomery limbs with the same digit in every window of sim-small's G1 engine.
fn same_bucket_limbs_g1() -> [u64; 4] {
    let c = zkpipe_spec::Preset::by_name("sim-small")
        .unwrap()
        .msm()
        .window_bits;
    same_bucket_limbs(c, 254)
}
type G1 = ark_bn254::g1::Config;

/// One simulated board shared by the tests of this file (jobs serialise on it).
fn device() -> &'static Device {
    static DEVICE: OnceLock<Device> = OnceLock::new();
    DEVICE.get_or_init(|| Device::open(SIM).expect("the simulated board opens"))
}

fn points(n: usize, seed: u64) -> Vec<G1Affine> {
    msm::points::<G1>(n, seed)
}

fn reference(bases: &[G1Affine], scalars: &[Fr]) -> G1Projective {
    msm::reference(bases, scalars)
}

/// Runs on the board, checks against arkworks, returns the report.
fn check(bases: &[G1Affine], scalars: &[Fr]) -> MsmReport {
    msm::check(device(), bases, scalars)
}

#[test]
fn random_scalars_at_every_test_size() {
    for (i, n) in [1usize, 2, 3, 17, 256, 4096].into_iter().enumerate() {
        let report = check(&points(n, i as u64), &scalars(n, 100 + i as u64));
        assert_eq!(report.run_jobs, 1);
        assert!(report.adds > 0);
    }
}

#[test]
fn edge_scalars_zero_one_and_minus_one() {
    let bases = points(8, 7);
    let minus_one = -Fr::from(1u64);
    let ks = [
        Fr::zero(),
        Fr::from(1u64),
        minus_one,
        Fr::zero(),
        minus_one,
        Fr::from(2u64),
        Fr::from(1u64),
        Fr::zero(),
    ];
    check(&bases, &ks);
    // All zero: the identity, and no addition issued.
    let report = check(&bases, &[Fr::zero(); 8]);
    assert_eq!(report.adds, 0);
    // r − 1 everywhere: every window's top digits.
    check(&bases, &[minus_one; 8]);
    // The card sees Montgomery limbs (msm::scalars): 1 and r − 1 as the card sees them.
    let r_minus_1 = {
        let mut m = Fr::MODULUS;
        m.0[0] -= 1;
        m.0
    };
    let seen = [
        seen_by_card_as::<Fr>([1, 0, 0, 0]),
        seen_by_card_as::<Fr>(r_minus_1),
    ];
    check(
        &bases,
        &[
            seen[0],
            seen[1],
            seen[1],
            seen[0],
            Fr::zero(),
            seen[1],
            seen[0],
            seen[1],
        ],
    );
}

#[test]
fn signed_digit_carries_ripple_into_the_top_window() {
    let bases = points(6, 9);
    // Byte b in every window but the top one (which stays zero, so the value is below r).
    let byte = |b: u64| {
        let pattern = b * 0x0101_0101_0101_0101;
        seen_by_card_as::<Fr>([pattern, pattern, pattern, pattern >> 8])
    };
    let ks = [
        // 2^248 − 1: digit −1, then 255 + carry = 256 → 0 with a carry through every
        // window, and +1 in the top one.
        byte(0xff),
        // 0x80: 2^(c−1), the largest positive digit, no carry.
        byte(0x80),
        // 0x81: −127 and a carry in every window.
        byte(0x81),
        // 0x7f + carry = 0x80: positive after a negative window.
        Fr::from(0x7fffu64),
        -Fr::from(2u64),
        Fr::from(0xffu64),
    ];
    check(&bases, &ks);
    // Again with the bases reversed: each scalar meets another point.
    let mut rev = bases.clone();
    rev.reverse();
    check(&rev, &ks);
}

#[test]
fn same_bucket_in_every_window_defers_and_finishes() {
    // Every point hits the same bucket of every window: the worst case for conflicts.
    let k = seen_by_card_as::<Fr>(same_bucket_limbs_g1());
    let n = 96;
    let report = check(&points(n, 11), &vec![k; n]);
    assert!(
        report.deferrals > 0,
        "the worst case must exercise the deferral FIFO"
    );
    assert_eq!(report.adds, (n * 32) as u64, "every (point, window) once");
}

#[test]
fn repeated_identity_and_opposite_bases() {
    let p = points(3, 21);
    let minus_p0 = (-p[0].into_group()).into_affine();
    let bases = vec![
        p[0],
        p[0],
        G1Affine::identity(),
        minus_p0,
        p[1],
        G1Affine::identity(),
        p[2],
        p[0],
    ];
    let mut ks = scalars(8, 22);
    // P and −P with the same scalar land in the same buckets and cancel.
    ks[3] = ks[0];
    check(&bases, &ks);
    // Only identities.
    check(&[G1Affine::identity(); 4], &scalars(4, 23));
}

#[test]
fn resident_bases_are_reused_across_calls() {
    let d = Device::open(SIM).unwrap();
    let bases = points(300, 31);
    let handle = d.load_bases(&bases).unwrap();
    for seed in 0..3 {
        let ks = scalars(300, 40 + seed);
        let (sum, report) = d.msm_resident(&handle, &ks).unwrap();
        assert_eq!(sum, reference(&bases, &ks));
        assert_eq!(report.load_jobs, 0);
    }
    // Device::msm finds them by content: no load either.
    let ks = scalars(300, 50);
    let (sum, report) = d.msm(&bases, &ks).unwrap();
    assert_eq!(sum, reference(&bases, &ks));
    assert_eq!(report.load_jobs, 0);
    // New bases are loaded once, then resident too.
    let other = points(100, 32);
    let (_, first) = d.msm(&other, &scalars(100, 51)).unwrap();
    let (sum, again) = d.msm(&other, &scalars(100, 52)).unwrap();
    assert_eq!(sum, reference(&other, &scalars(100, 52)));
    assert_eq!((first.load_jobs, again.load_jobs), (1, 0));
    // After clear_bases old handles are refused.
    d.clear_bases();
    assert!(matches!(
        d.msm_resident::<ark_bn254::g1::Config>(&handle, &ks),
        Err(Error::StaleBases { .. })
    ));
}

#[test]
fn pool_of_two_boards() {
    let pool = DevicePool::open(&[SIM, SIM]).unwrap();
    let bases = points(333, 61);
    let ks = scalars(333, 62);
    let (sum, report) = pool.msm(&bases, &ks).unwrap();
    assert_eq!(sum, reference(&bases, &ks));
    assert_eq!(report.run_jobs, 2);
    assert_eq!(report.n, 333);
}

#[test]
fn bad_input_is_a_typed_error_and_the_board_recovers() {
    let bases = points(5, 71);
    assert!(matches!(
        device().msm(&bases, &scalars(4, 72)),
        Err(Error::LengthMismatch { a: 5, b: 4 })
    ));
    let mut off = bases.clone();
    off[3] = G1Affine::new_unchecked(off[3].x, off[3].y + ark_bn254::Fq::from(1u64));
    assert!(matches!(
        device().msm(&off, &scalars(5, 73)),
        Err(Error::NotOnCurve { index: 3 })
    ));
    let (sum, _) = device().msm::<ark_bn254::g1::Config>(&[], &[]).unwrap();
    assert!(sum.is_zero());
    check(&bases, &scalars(5, 74));
}

#[test]
fn a_dropped_deferral_a_wrong_adder_or_a_bad_base_read_is_caught() {
    use zkpipe::HwError;
    use zkpipe_spec::regs::FaultInject;
    let d = Device::open(SIM).unwrap();
    let limbs = same_bucket_limbs_g1();
    let k = seen_by_card_as::<Fr>(limbs);
    let bases = points(64, 81);
    let ks = vec![k; 64];
    // A card that loses deferred points would return valid points with a wrong sum; the
    // unit counts the points it defers against those its FIFOs issue and fails the job.
    d.set_fault_inject(FaultInject {
        drop_deferral: true,
        ..Default::default()
    })
    .unwrap();
    match d.msm(&bases, &ks) {
        Err(Error::Hardware { error, .. }) => assert_eq!(error, HwError::LostDeferral),
        other => panic!("a lost deferral must be an error, got {other:?}"),
    }
    // A scalar corrupted before the card is a valid but wrong MSM: only the caller's check
    // (a proof's verification) can catch it — here, the comparison with arkworks.
    d.set_fault_inject(FaultInject {
        corrupt_scalar: true,
        ..Default::default()
    })
    .unwrap();
    let (sum, _) = d.msm(&bases, &ks).unwrap();
    assert_ne!(sum, reference(&bases, &ks));
    let mut flipped = ks.clone();
    // Bit 0 of what the card sees: the scalar's Montgomery limbs.
    flipped[0] = seen_by_card_as::<Fr>([limbs[0] ^ 1, limbs[1], limbs[2], limbs[3]]);
    assert_eq!(
        sum,
        reference(&bases, &flipped),
        "exactly bit 0 of the first scalar"
    );
    // A wrong adder yields buckets off the curve: the host refuses them.
    d.set_fault_inject(FaultInject {
        corrupt_adder: true,
        ..Default::default()
    })
    .unwrap();
    assert!(matches!(
        d.msm(&bases, &scalars(64, 82)),
        Err(Error::Protocol { .. })
    ));
    // A base point read wrong from card memory leaves the curve, and so do the sums it
    // enters: refused too; the resident copy itself is intact.
    d.set_fault_inject(FaultInject {
        corrupt_base: true,
        ..Default::default()
    })
    .unwrap();
    assert!(matches!(
        d.msm(&bases, &scalars(64, 83)),
        Err(Error::Protocol { .. })
    ));
    d.set_fault_inject(FaultInject::default()).unwrap();
    let (sum, _) = d.msm(&bases, &ks).unwrap();
    assert_eq!(sum, reference(&bases, &ks));
}

#[test]
fn buckets_are_reduced_on_the_card_and_a_faulty_reduction_is_caught() {
    use zkpipe_hdl::msm::PointAdd;
    use zkpipe_spec::regs::FaultInject;
    let d = Device::open(SIM).unwrap();
    let preset = zkpipe_spec::Preset::by_name("sim-small").unwrap();
    let g = preset.msm();
    let plan = g
        .reduce_plan(PointAdd::<256, 512>::for_msm(&g).latency())
        .expect("sim-small reduces on the card");
    let caps = d.capabilities().clone();
    assert_eq!(caps.msm_reduce_groups as usize, plan.groups);
    assert!(plan.groups > 1, "the test covers several groups per window");
    // Random scalars, plus the top magnitude and magnitude 1 of every window (the ends of
    // each group's running sum) and opposite points (sums that cancel).
    let bases = points(200, 95);
    let mut ks = scalars(200, 96);
    let top = 0x8080_8080_8080_8080u64;
    ks[0] = seen_by_card_as::<Fr>([top, top, top, top >> 8]);
    ks[1] = seen_by_card_as::<Fr>([0x0101_0101_0101_0101u64; 4]);
    let mut bases = bases;
    bases[3] = -bases[2];
    ks[3] = ks[2];
    let (sum, report) = d.msm(&bases, &ks).unwrap();
    assert_eq!(sum, reference(&bases, &ks));
    assert_eq!(report.reduce_cycles, plan.cycles() as u64);
    // The reduction cleared every bucket as it read it: the next MSM (which skips the
    // clearing sweep) starts from empty buckets.
    let ks2 = scalars(200, 97);
    let (sum, again) = d.msm(&bases, &ks2).unwrap();
    assert_eq!(sum, reference(&bases, &ks2));
    assert_eq!(again.reduce_cycles, plan.cycles() as u64);
    // A wrong adder during the reduction only: the sums are off the curve, the host
    // refuses them, and the board works again afterwards.
    d.set_fault_inject(FaultInject {
        corrupt_reduce: true,
        ..Default::default()
    })
    .unwrap();
    match d.msm(&bases, &ks) {
        Err(Error::Protocol { reason, .. }) => assert!(reason.contains("window sum"), "{reason}"),
        other => panic!("a corrupt reduction must be an error, got {other:?}"),
    }
    d.set_fault_inject(FaultInject::default()).unwrap();
    let (sum, _) = d.msm(&bases, &ks).unwrap();
    assert_eq!(sum, reference(&bases, &ks));
}

#[test]
fn bases_beyond_free_card_memory_stream_in_chunks() {
    let d = Device::open(SIM).unwrap();
    let capacity = d.msm_capacity();
    let quarter = capacity / 4;
    // Fill card memory but a quarter with one resident set (copies of a few points).
    let filler = vec![points(1, 91)[0]; capacity - quarter];
    let handle = d.load_bases(&filler).unwrap();
    // Two quarters and a bit: three chunks through the free quarter, accumulated in the
    // same buckets (keep/hold), one readout. The engine spends a slot per window of a
    // non-zero scalar (33 here) but one cycle on a zero scalar: random scalars every 61st
    // point and around each chunk's ends, zeros between, keep the simulation short (all
    // random took 50 s).
    let n = 2 * quarter + 100;
    let bases: Vec<G1Affine> = points(97, 92).into_iter().cycle().take(n).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(93);
    let near_an_end = |i: usize| i % quarter < 3 || i % quarter >= quarter - 3 || i + 3 >= n;
    let ks: Vec<Fr> = (0..n)
        .map(|i| {
            if i % 61 == 0 || near_an_end(i) {
                Fr::rand(&mut rng)
            } else {
                Fr::zero()
            }
        })
        .collect();
    let (sum, report) = d.msm(&bases, &ks).unwrap();
    assert_eq!(sum, reference(&bases, &ks));
    assert_eq!(
        (report.load_jobs, report.run_jobs),
        (3, 3),
        "chunks of a quarter"
    );
    // Streaming did not make them resident, and the filler stayed.
    assert!(matches!(
        d.load_bases(&bases),
        Err(Error::CardMemoryFull { .. })
    ));
    // Mostly zero scalars: the run only has to show the set is still resident.
    let mut few = vec![Fr::from(0u64); capacity - quarter];
    few[..8].iter_mut().for_each(|k| *k = Fr::rand(&mut rng));
    let (_, report) = d
        .msm_resident::<ark_bn254::g1::Config>(&handle, &few)
        .unwrap();
    assert_eq!(report.load_jobs, 0, "the filler is still resident");
}

#[test]
fn a_sliver_of_free_memory_evicts_instead_of_tiny_chunks() {
    let d = Device::open(SIM).unwrap();
    let capacity = d.msm_capacity();
    let filler = vec![points(1, 95)[0]; capacity - 100];
    let handle = d.load_bases(&filler).unwrap();
    // 250 points through 100 free ones would be three chunks; the resident set goes
    // instead and they stream in one.
    let bases = points(250, 96);
    let ks = scalars(250, 97);
    let (sum, report) = d.msm(&bases, &ks).unwrap();
    assert_eq!(sum, reference(&bases, &ks));
    assert_eq!((report.load_jobs, report.run_jobs), (1, 1));
    assert!(matches!(
        d.msm_resident::<ark_bn254::g1::Config>(&handle, &scalars(capacity - 100, 98)),
        Err(Error::StaleBases { .. })
    ));
}

/// A pool may mix cards: an MSM goes to the boards with an engine for its group and curve
/// (here only sim-small takes BN254 MSMs, G1 and G2, beside a BLS12-381 board), and a pool
/// with none refuses it with a typed error.
#[test]
fn a_pool_sends_each_msm_to_the_boards_that_can_run_it() {
    use zkpipe::msm::MsmEngine;
    const BLS: &str = "sim:sim-bls12-381";
    let mixed = DevicePool::open(&[BLS, SIM]).unwrap();
    assert!(MsmEngine::<G1Affine>::has_engine(&mixed));
    assert!(MsmEngine::<ark_bn254::G2Affine>::has_engine(&mixed));
    let bases = points(150, 65);
    let ks = scalars(150, 66);
    let (sum, report) = mixed.msm(&bases, &ks).unwrap();
    assert_eq!(sum, reference(&bases, &ks));
    assert_eq!(report.run_jobs, 1, "one board ran it");
    let (sum, _) = MsmEngine::<G1Affine>::msm_on_card(&mixed, &bases, &ks).unwrap();
    assert_eq!(sum, reference(&bases, &ks));
    let bls_only = DevicePool::open(&[BLS]).unwrap();
    assert!(!MsmEngine::<G1Affine>::has_engine(&bls_only));
    assert!(matches!(
        bls_only.msm(&bases, &ks),
        Err(Error::CurveMismatch { .. })
    ));
}

/// msm_run streams carry two scalars per beat (⌈n/2⌉ beats, the last half-empty for odd
/// n): a stream cut short is the card's ShortStream error and one a beat longer its
/// LongStream error, for odd and even counts, and the board computes the next MSM right.
#[test]
fn scalar_streams_of_the_wrong_length_are_errors_for_odd_and_even_counts() {
    use std::time::Duration;
    use zkpipe::driver::{kernel, xdma};
    use zkpipe::pcie::sim::SimFunction;
    use zkpipe::pcie::{PcieFunction, BAR_CSR};
    use zkpipe::{Fault, HwError, Opcode};
    use zkpipe_spec::regs;

    let d = Device::open(SIM).unwrap();
    for n in [5usize, 6] {
        let (bases, ks) = (points(n, 90 + n as u64), scalars(n, 95 + n as u64));
        msm::check(&d, &bases, &ks); // the bases become resident: the next job is the run
        d.inject_fault(Fault::ShortStream).unwrap();
        match d.msm(&bases, &ks) {
            Err(Error::Hardware { error, .. }) => assert_eq!(error, HwError::ShortStream),
            other => panic!("n = {n}: a short scalar stream must fail, got {other:?}"),
        }
        msm::check(&d, &bases, &ks);
    }

    // Raw jobs: n scalars in ⌈n/2⌉ + 1 beats.
    let mut f = SimFunction::open("sim-small").unwrap();
    for n in [3usize, 4] {
        let beats = n.div_ceil(2) + 1;
        let h2c = f.alloc_dma(beats * 64).unwrap();
        let ring = f.alloc_dma(1024).unwrap();
        let chain = xdma::write_chain(xdma::Direction::HostToCard, &h2c, beats * 64, &ring, 0);
        for (reg, value) in [
            (regs::JOB_OPCODE, Opcode::MsmRun as u32),
            (regs::JOB_COUNT, n as u32),
            (regs::JOB_MSM_OFFSET, 0),
            (regs::JOB_MSM_FLAGS, 0),
        ] {
            f.write32(BAR_CSR, reg as u64, value).unwrap();
        }
        f.write32(BAR_CSR, regs::CONTROL as u64, regs::Control::START.bits())
            .unwrap();
        xdma::start(&mut f, xdma::Direction::HostToCard, &chain).unwrap();
        // The first run sweeps the buckets before it takes the stream.
        let mut status = regs::Status::decode(0);
        for _ in 0..1000 {
            f.wait(Duration::from_millis(1)).unwrap();
            status = regs::Status::decode(f.read32(BAR_CSR, regs::STATUS as u64).unwrap());
            if status.done {
                break;
            }
        }
        assert_eq!(status.error as u8, HwError::LongStream as u8, "n = {n}");
        kernel::abort(&mut f).unwrap();
    }
    let d = Device::from_function(Box::new(f), Some("sim-small")).unwrap();
    msm::check(&d, &points(7, 99), &scalars(7, 100));
}
