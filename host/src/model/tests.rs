use super::*;
use crate::backend::{self, Backend};
use crate::ntt::{Coset, Direction};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::UniformRand;
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

#[test]
fn a_model_reports_its_presets_capabilities() {
    for preset in zkpipe_spec::preset::PRESETS {
        let card = ModelCard::open(&format!("model:{}", preset.name)).unwrap();
        let caps = card.capabilities();
        assert_eq!(caps.preset, Some(preset.name));
        assert_eq!(caps.curve_id, preset.curve.id());
        assert_eq!(caps.ntt_log_size as usize, preset.ntt_log_size);
        assert_eq!(caps.msm_adders as usize, preset.msm_adders);
        assert_eq!(caps.clock_mhz(), preset.clock_mhz);
        assert_eq!(caps.msm_bases as usize, preset.msm().capacity());
    }
}

#[test]
fn bad_model_uris_are_typed_errors() {
    let err = ModelCard::open("model:no-such-preset").unwrap_err();
    assert!(err.to_string().contains("no-such-preset"), "{err}");
    assert!(matches!(
        ModelCard::open("sim:sim-small"),
        Err(Error::BadUri(_))
    ));
    // A BN254 card cannot serve BLS12-381 proofs.
    assert!(matches!(
        backend::open::<ark_bls12_381::Bls12_381>("model:u250-bn254"),
        Err(Error::CurveMismatch { .. })
    ));
    assert!(matches!(
        crate::Device::open("model:sim-small"),
        Err(Error::Unsupported { .. })
    ));
}

fn msm_matches_arkworks<E: ark_ec::pairing::Pairing>(uri: &str)
where
    crate::backend::BoardBackend: Backend<E>,
{
    let backend = backend::open::<E>(uri).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let n = 300;
    let points: Vec<E::G1> = (0..n)
        .map(|_| E::G1::generator() * E::ScalarField::rand(&mut rng))
        .collect();
    let bases = E::G1::normalize_batch(&points);
    let scalars: Vec<E::ScalarField> = (0..n).map(|_| E::ScalarField::rand(&mut rng)).collect();
    let sum = backend.msm_g1(&bases, &scalars).unwrap();
    assert_eq!(sum, E::G1::msm(&bases, &scalars).unwrap());
    let work = backend.stats().msm_device;
    assert_eq!((work.load_jobs, work.run_jobs), (1, 1), "{uri}");
    assert!(work.accum_cycles >= n as u64 && work.projected_s > 0.0);
    // The second call finds the bases resident: no load job.
    backend.msm_g1(&bases, &scalars).unwrap();
    assert_eq!(backend.stats().msm_device.load_jobs, 1);
    assert!(matches!(
        backend.msm_g1(&bases[1..], &scalars),
        Err(Error::LengthMismatch { .. })
    ));
}

#[test]
fn model_msms_are_arkworks_sums_on_both_curves() {
    msm_matches_arkworks::<ark_bn254::Bn254>("model:u250-bn254");
    msm_matches_arkworks::<ark_bls12_381::Bls12_381>("model:u250-bls12-381");
}

#[test]
fn a_base_off_the_curve_is_refused() {
    use ark_bn254::{Fq, G1Affine};
    let card = ModelCard::open("model:u250-bn254").unwrap();
    let mut bases = vec![G1Affine::generator(); 4];
    bases[2] = G1Affine::new_unchecked(Fq::from(1u64), Fq::from(1u64));
    let scalars = vec![ark_bn254::Fr::from(3u64); 4];
    assert!(matches!(
        card.msm(&bases, &scalars),
        Err(Error::NotOnCurve { index: 2 })
    ));
}

#[test]
fn model_ntts_are_ark_polys_beyond_the_core() {
    use ark_bn254::Fr;
    let backend = backend::open::<ark_bn254::Bn254>("model:u250-bn254").unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for log_n in [4u32, 12] {
        let x: Vec<Fr> = (0..1 << log_n).map(|_| Fr::rand(&mut rng)).collect();
        let mut y = x.clone();
        backend
            .ntt(&mut y, Direction::Forward, Coset::Offset(Fr::from(7u64)))
            .unwrap();
        let mut expected = x.clone();
        Radix2EvaluationDomain::<Fr>::new(x.len())
            .unwrap()
            .get_coset(Fr::from(7u64))
            .unwrap()
            .fft_in_place(&mut expected);
        assert_eq!(y, expected, "2^{log_n}");
    }
    let device = backend.stats().device;
    assert!(device.jobs >= 3 && device.busy_cycles > 4096 + 16);
}

#[test]
fn job_time_is_bounded_by_the_stream_at_pcie_rates() {
    let card = ModelCard::open("model:u250-bn254").unwrap();
    let n = 1 << 16;
    let stats = card.stream_job(card.elementwise_cycles(Opcode::Mul, n), Opcode::Mul, n);
    // 64-byte beats (a_i ‖ b_i) at 9 GB/s host-to-card are slower than one element per
    // cycle at 250 MHz.
    let pcie = n as f64 * 64.0 / 9e9 + 5e-6;
    assert!((stats.projected_s - pcie).abs() < 1e-12, "{stats:?}");
    // Unary jobs stream two elements per beat each way: the kernel is slower than PCIe.
    let busy = card.elementwise_cycles(Opcode::PowMul, n);
    let stats = card.stream_job(busy, Opcode::PowMul, n);
    assert!(n as f64 * 32.0 / 9e9 < busy as f64 / 250e6);
    let kernel = busy as f64 / 250e6 + 5e-6;
    assert!((stats.projected_s - kernel).abs() < 1e-12, "{stats:?}");
}
