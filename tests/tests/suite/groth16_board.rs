//! Groth16 on the simulated board (sim-small, BN254): the proof equals ark-groth16's for
//! the same (r, s) and verifies; the QAP step ran in card memory (h never left the card),
//! the four G1 MSMs and the G2 MSM ran on the card, the proving key's bases resident after
//! the first proof.

use ark_bls12_381::Bls12_381;
use ark_bn254::{Bn254, Fr};
use ark_groth16::Groth16;
use zkpipe::backend::{self, BoardBackend};
use zkpipe::groth16::{prove, ProveOptions};
use zkpipe::Error;
use zkpipe_tests::groth16::{mimc_key, prove_equals_ark_groth16};

#[test]
fn board_proof_of_512_constraints_equals_ark_groth16() {
    let (circuit, pk) = mimc_key::<Bn254>(512, 3, 1);
    let board = backend::open::<Bn254>("sim:sim-small").unwrap();
    let report = prove_equals_ark_groth16(board.as_ref(), &pk, &circuit, 123, 456);
    assert_eq!(report.domain_size, 1024);
    // The QAP step in card memory: three uploads (one copy job each), seven NTTs of 2^10
    // as four-steps on the 2^8 core (two jobs each), four coset scalings and two pointwise
    // jobs — no NTT or pointwise call through the host.
    assert_eq!(report.backend.qap_on_card_calls, 1);
    assert_eq!(
        (report.backend.ntt_calls, report.backend.elementwise_calls),
        (0, 0)
    );
    assert!(report.backend.device.jobs >= 3 + 7 * 2 + 4 + 2);
    assert!(report.backend.device.projected_s > 0.0);
    // The four G1 MSMs ran on the card (h's inside the QAP step, its scalars read from
    // card memory); their bases were loaded once.
    assert_eq!(report.backend.msm_g1_calls, 3);
    assert!(report.backend.msm_device.adds > 0);
    assert!(report.backend.msm_device.load_jobs >= 1);
    // So did the G2 MSM, on the board's G2 engine: nothing left on the host.
    assert_eq!(report.backend.msm_g2_calls, 1);
    assert_eq!(report.backend.msm_g2_device.run_jobs, 1);
    assert_eq!(report.backend.msm_g2_device.load_jobs, 1);
    assert!(report.backend.msm_g2_device.adds > 0);
    assert!(report.backend.msm_g2_host_time.is_zero());
    // A second proof, of a fresh witness for the same key, streams only scalars, and
    // nothing the first proof left in card memory leaks into it: it equals ark-groth16's
    // for the new witness.
    let fresh = zkpipe::groth16::circuits::MimcChain::with_constraints(Fr::from(99u64), 512);
    let report2 = prove_equals_ark_groth16(board.as_ref(), &pk, &fresh, 7, 8);
    assert_eq!(
        report2.backend.msm_device.load_jobs, 0,
        "bases stayed resident"
    );
    assert_eq!(report2.backend.msm_device.run_jobs, 4);
    assert_eq!(report2.backend.msm_g2_device.load_jobs, 0, "G2 bases too");
}

#[test]
fn a_pool_of_two_boards_proves_too() {
    let (circuit, pk) = mimc_key::<Bn254>(256, 5, 2);
    let pool = backend::open::<Bn254>("sim:sim-small, sim:sim-small").unwrap();
    assert_eq!(pool.describe(), "sim:sim-small,sim:sim-small");
    let report = prove_equals_ark_groth16(pool.as_ref(), &pk, &circuit, 11, 13);
    assert_eq!(
        report.backend.msm_device.run_jobs, 7,
        "three MSMs on two boards each, h's on the board whose memory holds h"
    );
}

#[test]
fn a_card_of_another_curve_is_refused() {
    let Err(err) = backend::open::<Bls12_381>("sim:sim-small") else {
        panic!("a BN254 card accepted as a BLS12-381 backend");
    };
    assert!(matches!(err, Error::CurveMismatch { .. }), "{err}");
    let board = BoardBackend::open("sim:sim-small").unwrap();
    assert!(board.check_curve::<Bn254>().is_ok());
}

#[test]
fn a_faulty_card_never_publishes_its_proof() {
    use std::sync::Arc;
    use zkpipe::{Device, HwError};
    use zkpipe_spec::regs::FaultInject;
    let (circuit, pk) = mimc_key::<Bn254>(128, 9, 3);
    let device = Arc::new(Device::open("sim:sim-small").unwrap());
    let board = BoardBackend::new(device.clone());
    let (r, s) = (Fr::from(21u64), Fr::from(22u64));
    let expected =
        Groth16::<Bn254>::create_proof_with_reduction(circuit.clone(), &pk, r, s).unwrap();
    let unchecked = ProveOptions { verify: false };
    // The card loses the points it defers: the MSM unit sees that its deferral FIFOs
    // issued fewer points than it deferred and fails the job, so no proof comes out.
    device
        .set_fault_inject(FaultInject {
            drop_deferral: true,
            ..Default::default()
        })
        .unwrap();
    match prove(&board, &pk, circuit.clone(), r, s, unchecked) {
        Err(Error::Hardware { error, .. }) => assert_eq!(error, HwError::LostDeferral),
        other => panic!("a lost deferral must fail the proof, got {other:?}"),
    }
    // A scalar corrupted before the card: every MSM result is a valid point, so only the
    // proof check can tell the proof is wrong.
    device
        .set_fault_inject(FaultInject {
            corrupt_scalar: true,
            ..Default::default()
        })
        .unwrap();
    let (wrong, _) = prove(&board, &pk, circuit.clone(), r, s, unchecked).unwrap();
    assert_ne!(wrong, expected);
    let err = prove(
        &board,
        &pk,
        circuit.clone(),
        r,
        s,
        ProveOptions { verify: true },
    )
    .unwrap_err();
    assert!(matches!(err, Error::ProofRejected { .. }), "{err}");
    // A healthy card again: the same key and board give the right proof.
    device.set_fault_inject(FaultInject::default()).unwrap();
    prove_equals_ark_groth16(&board, &pk, &circuit, 21, 22);
}

/// A stream of witnesses against one key, proofs in flight on one board (one thread
/// each): the card's jobs interleave, each proof still equals ark-groth16's.
#[test]
fn proofs_in_flight_on_one_board_each_equal_ark_groth16() {
    use std::sync::Arc;
    use zkpipe::groth16::circuits::MimcChain;
    use zkpipe::Device;
    let (_, pk) = mimc_key::<Bn254>(128, 1, 5);
    let board = BoardBackend::new(Arc::new(Device::open("sim:sim-small").unwrap()));
    std::thread::scope(|scope| {
        for x0 in 10..13u64 {
            let (board, pk) = (&board, &pk);
            scope.spawn(move || {
                // Another witness (x0) of the same circuit, so the same key.
                let circuit = MimcChain::with_constraints(Fr::from(x0), 128);
                prove_equals_ark_groth16(board, pk, &circuit, 7 * x0, 11 * x0);
            });
        }
    });
}
