//! The MSM cycle model (`zkpipe::model::accumulate`) against the simulated board's counters:
//! the projections for the real-card presets rest on it.

use ark_bn254::{Fr, G1Projective};
use ark_ec::{CurveGroup, PrimeGroup};
use ark_ff::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zkpipe::model::{accumulate, MsmShape};
use zkpipe::msm::scalars::seen_by_card_as;
use zkpipe::Device;
use zkpipe_hdl::msm::PointAdd;
use zkpipe_hdl::preset::Preset;

#[test]
fn model_matches_the_simulated_board() {
    let preset = Preset::by_name("sim-small").unwrap();
    let g = preset.msm();
    let shape = MsmShape::of(&g, PointAdd::<256, 512>::for_msm(&g).latency());
    let device = Device::open("sim:sim-small").unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let q = G1Projective::generator() * Fr::rand(&mut rng);
    let bases =
        G1Projective::normalize_batch(&(1..=300u64).map(|i| q * Fr::from(i)).collect::<Vec<_>>());
    let same = seen_by_card_as::<Fr>([0x1B1B_1B1B_1B1B_1B1Bu64; 4]);
    for scalars in [
        (0..300).map(|_| Fr::rand(&mut rng)).collect::<Vec<_>>(),
        vec![same; 300],
        (0..300u64).map(|i| Fr::from(i % 7)).collect(),
    ] {
        let (_, report) = device.msm(&bases, &scalars).unwrap();
        let limbs: Vec<[u64; 4]> = scalars.iter().map(|k| k.0 .0).collect(); // what the card sees: Montgomery limbs
        let model = accumulate(shape, &limbs);
        assert_eq!(model.adds, report.adds);
        assert_eq!(model.adds_min, report.adds_min);
        assert_eq!(model.deferrals, report.deferrals);
        // The board also counts the cycles before the host starts its DMA.
        let extra = report.accum_cycles as i64 - model.cycles as i64;
        assert!(
            (0..200).contains(&extra),
            "model {model:?}, board {report:?}"
        );
    }
}
