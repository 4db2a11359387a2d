//! The card's DMA staging buffers are mapped once per device and reused by every job (on
//! VFIO each mapping is a syscall and an IOMMU entry), and only a larger job re-maps.

use ark_bn254::{Fr, FrConfig, G1Projective};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zkpipe::pcie::sim::SimFunction;
use zkpipe::Device;

fn dma_maps(device: &Device) -> usize {
    device.card().with_function(|f| {
        f.as_any_mut()
            .downcast_mut::<SimFunction>()
            .expect("a simulated board")
            .dma_maps()
    })
}

#[test]
fn staging_buffers_are_mapped_once_per_device_not_per_job() {
    let func = SimFunction::open("sim-small").unwrap();
    let device = Device::from_function(Box::new(func), Some("sim-small")).unwrap();
    assert_eq!(dma_maps(&device), 0, "opening maps nothing");
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let v = |n: usize, rng: &mut ChaCha8Rng| -> Vec<Fr> { (0..n).map(|_| Fr::rand(rng)).collect() };
    let (a, b) = (v(1000, &mut rng), v(1000, &mut rng));
    for _ in 0..5 {
        let (r, _) = device.mul::<FrConfig>(&a, &b).unwrap();
        assert_eq!(r[999], a[999] * b[999]);
    }
    assert_eq!(
        dma_maps(&device),
        3,
        "h2c, c2h and the descriptor ring, once"
    );
    let staged = device.card().staging_bytes();
    // Smaller jobs and other kinds of job reuse the same buffers.
    device.add::<FrConfig>(&a[..10], &b[..10]).unwrap();
    device.powmul::<FrConfig>(&a[..700], b[0]).unwrap();
    let bases: Vec<_> = (0..64)
        .map(|_| G1Projective::rand(&mut rng).into_affine())
        .collect();
    let scalars = v(64, &mut rng);
    let (sum, _) = device.msm(&bases, &scalars).unwrap();
    assert_eq!(sum, G1Projective::msm(&bases, &scalars).unwrap());
    // sim-small reduces the buckets on the card: the MSM's readout (X, Y, Z of 2 sums per
    // group, 2 groups, 32 windows: 384 beats) fits the buffers of the 1000-beat jobs.
    assert_eq!(dma_maps(&device), 3, "the MSM reuses the buffers");
    // A larger job grows both sides once, to a power of two.
    let (big_a, big_b) = (v(3000, &mut rng), v(3000, &mut rng));
    device.mul::<FrConfig>(&big_a, &big_b).unwrap();
    let maps = dma_maps(&device);
    assert_eq!(maps, 6, "one growth re-maps the three buffers");
    let grown = device.card().staging_bytes();
    assert!(grown.1 > staged.1 && grown.1.is_power_of_two());
    for _ in 0..3 {
        device.mul::<FrConfig>(&a, &b).unwrap();
        device.mul::<FrConfig>(&big_a, &big_b).unwrap();
        let (again, _) = device.msm(&bases, &scalars).unwrap();
        assert_eq!(again, sum);
    }
    assert_eq!(
        dma_maps(&device),
        maps,
        "no job after the growth maps anything"
    );
}
