//! G2 MSMs on the simulated board's G2 engine (sim-small: the Pippenger unit over the
//! complete Fq2 adder at issue interval 3, c = 6, buckets reduced on the card) against arkworks'
//! `VariableBaseMSM::msm` over BN254 G2, through the driver a real card uses.

use ark_bn254::{Fr, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{UniformRand, Zero};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::OnceLock;
use zkpipe::msm::scalars::{same_bucket, same_bucket_limbs, seen_by_card_as};
use zkpipe::msm::MsmReport;
use zkpipe::{Device, Error};
use zkpipe_spec::preset::Group;
use zkpipe_tests::msm::{self, scalars};

const SIM: &str = "sim:sim-small";
type G2 = ark_bn254::g2::Config;

/// One simulated board shared by the tests of this file (jobs serialise on it).
fn device() -> &'static Device {
    static DEVICE: OnceLock<Device> = OnceLock::new();
    DEVICE.get_or_init(|| Device::open(SIM).expect("the simulated board opens"))
}

fn points(n: usize, seed: u64) -> Vec<G2Affine> {
    msm::points::<G2>(n, seed)
}

fn reference(bases: &[G2Affine], scalars: &[Fr]) -> G2Projective {
    msm::reference(bases, scalars)
}

/// Runs on the board, checks against arkworks, returns the report.
fn check(bases: &[G2Affine], scalars: &[Fr]) -> MsmReport {
    msm::check(device(), bases, scalars)
}

#[test]
fn the_board_reports_a_g2_engine() {
    let caps = device().capabilities();
    let g2 = caps.msm_engine(Group::G2);
    let preset = zkpipe_spec::Preset::by_name("sim-small").unwrap();
    let expected = preset.msm_g2().expect("sim-small has a G2 engine");
    assert!(device().has_msm_engine(Group::G2));
    assert_eq!(g2.window_bits as usize, expected.window_bits);
    assert_eq!(g2.adders as usize, expected.adders);
    assert_eq!(g2.point_beats, 2, "x and y of 512 bits: a beat each");
    assert_eq!(g2.bases as usize, expected.capacity());
    assert!(g2.reduce_groups > 0, "sim-small reduces on the card");
}

#[test]
fn random_and_edge_scalars() {
    for (i, n) in [1usize, 2, 17, 300].into_iter().enumerate() {
        let report = check(&points(n, i as u64), &scalars(n, 100 + i as u64));
        assert_eq!(report.run_jobs, 1);
        assert!(report.adds > 0);
        assert!(report.reduce_cycles > 0);
    }
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
    let report = check(&bases, &[Fr::zero(); 8]);
    assert_eq!(report.adds, 0);
    check(&bases, &[minus_one; 8]);
    // The same bucket in every window. With sim-small's issue interval of 3 the windows
    // of a point space its uses of a bucket further apart than the adder's latency, so
    // this checks the sum, not the conflict path.
    let c = zkpipe_spec::Preset::by_name("sim-small")
        .unwrap()
        .msm_g2()
        .unwrap()
        .window_bits;
    let k = same_bucket::<Fr>(c);
    check(&points(40, 8), &[k; 40]);
    // One non-zero window (zero digits take no slot): every point deferred behind the
    // one before.
    let window0 = same_bucket_limbs(c, 254)[0] & ((1 << c) - 1);
    let k = seen_by_card_as::<Fr>([window0, 0, 0, 0]);
    let report = check(&points(40, 8), &[k; 40]);
    assert_eq!(report.deferrals, 39);
}

#[test]
fn identity_repeated_and_opposite_bases() {
    let p = points(3, 21);
    let minus_p0 = (-p[0].into_group()).into_affine();
    let bases = vec![
        p[0],
        p[0],
        G2Affine::identity(),
        minus_p0,
        p[1],
        G2Affine::identity(),
        p[2],
        p[0],
    ];
    let mut ks = scalars(8, 22);
    ks[3] = ks[0];
    check(&bases, &ks);
    check(&[G2Affine::identity(); 4], &scalars(4, 23));
}

#[test]
fn resident_g2_bases_live_in_their_own_memory() {
    let d = Device::open(SIM).unwrap();
    let g2_bases = points(100, 31);
    let handle = d.load_bases(&g2_bases).unwrap();
    assert_eq!((handle.group(), handle.offset()), (Group::G2, 0));
    // G1 bases go to the G1 engine's memory, also from offset 0, and do not disturb them.
    let g1_bases: Vec<ark_bn254::G1Affine> = {
        let g = ark_bn254::G1Projective::generator();
        let mut rng = ChaCha8Rng::seed_from_u64(33);
        let p: Vec<_> = (0..50).map(|_| g * Fr::rand(&mut rng)).collect();
        ark_bn254::G1Projective::normalize_batch(&p)
    };
    let g1_handle = d.load_bases(&g1_bases).unwrap();
    assert_eq!((g1_handle.group(), g1_handle.offset()), (Group::G1, 0));
    let ks = scalars(100, 40);
    let (sum, report) = d.msm_resident(&handle, &ks).unwrap();
    assert_eq!(sum, reference(&g2_bases, &ks));
    assert_eq!(report.load_jobs, 0);
    // Found by content too.
    let (sum, report) = d.msm(&g2_bases, &ks).unwrap();
    assert_eq!(sum, reference(&g2_bases, &ks));
    assert_eq!(report.load_jobs, 0);
    // A G1 handle is refused by a G2 call (and the reverse).
    assert!(matches!(
        d.msm_resident::<G2>(&g1_handle, &scalars(50, 41)),
        Err(Error::StaleBases { .. })
    ));
    assert!(matches!(
        d.msm_resident::<ark_bn254::g1::Config>(&handle, &ks),
        Err(Error::StaleBases { .. })
    ));
}

#[test]
fn bad_input_is_a_typed_error_and_a_faulty_engine_is_caught() {
    use zkpipe_spec::regs::FaultInject;
    let bases = points(5, 71);
    assert!(matches!(
        device().msm(&bases, &scalars(4, 72)),
        Err(Error::LengthMismatch { a: 5, b: 4 })
    ));
    let mut off = bases.clone();
    off[2] = G2Affine::new_unchecked(off[2].x, off[2].y + ark_bn254::Fq2::from(1u64));
    assert!(matches!(
        device().msm(&off, &scalars(5, 73)),
        Err(Error::NotOnCurve { index: 2 })
    ));
    let (sum, _) = device().msm::<G2>(&[], &[]).unwrap();
    assert!(sum.is_zero());
    // A wrong adder in the reduction: the window sums are off the twist, the host
    // refuses them, and the engine works again afterwards.
    let d = Device::open(SIM).unwrap();
    d.set_fault_inject(FaultInject {
        corrupt_reduce: true,
        ..Default::default()
    })
    .unwrap();
    let ks = scalars(5, 74);
    match d.msm(&bases, &ks) {
        Err(Error::Protocol { reason, .. }) => assert!(reason.contains("window sum"), "{reason}"),
        other => panic!("a corrupt reduction must be an error, got {other:?}"),
    }
    d.set_fault_inject(FaultInject::default()).unwrap();
    let (sum, _) = d.msm(&bases, &ks).unwrap();
    assert_eq!(sum, reference(&bases, &ks));
}

#[test]
fn a_card_without_a_g2_engine_says_so() {
    let d = Device::open("sim:sim-bls12-381").unwrap();
    assert!(!d.has_msm_engine(Group::G2));
    // BLS12-381 G2 has no BoardCurve binding yet (768-bit coordinates exceed a beat); a
    // BN254 G2 call on this board is refused for its curve or its missing engine.
    let bases = points(2, 1);
    assert!(matches!(
        d.msm(&bases, &scalars(2, 2)),
        Err(Error::Unsupported { .. } | Error::CurveMismatch { .. })
    ));
}
