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

/// A simulated board that runs on its own, as a card does: its clock advances on every
/// register read, and its wait is a sleep ([`PcieFunction::wait_is_sleep`]), so the
/// driver polls it without holding the function's lock between polls.
struct FreeRunning(SimFunction);

impl zkpipe::pcie::PcieFunction for FreeRunning {
    fn describe(&self) -> String {
        self.0.describe()
    }
    fn read32(&mut self, bar: u8, offset: u64) -> Result<u32, zkpipe::pcie::PcieError> {
        self.0.board().run(64);
        self.0.read32(bar, offset)
    }
    fn write32(&mut self, bar: u8, offset: u64, value: u32) -> Result<(), zkpipe::pcie::PcieError> {
        self.0.write32(bar, offset, value)
    }
    fn alloc_dma(
        &mut self,
        len: usize,
    ) -> Result<zkpipe::pcie::DmaBuffer, zkpipe::pcie::PcieError> {
        self.0.alloc_dma(len)
    }
    fn wait(&mut self, _max: std::time::Duration) -> Result<(), zkpipe::pcie::PcieError> {
        panic!("a card whose wait is a sleep is not waited on under the lock")
    }
    fn wait_is_sleep(&self) -> bool {
        true
    }
    fn default_timeout(&self, elements: usize) -> std::time::Duration {
        self.0.default_timeout(elements)
    }
    fn device_cycles(&self) -> Option<u64> {
        self.0.device_cycles()
    }
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self.0.as_any_mut()
    }
}

#[test]
fn a_card_that_runs_on_its_own_is_polled_without_the_lock_held_between_polls() {
    use zkpipe::ntt::{Direction, Factor, NttJob};
    let func = FreeRunning(SimFunction::open("sim-small").unwrap());
    let device =
        std::sync::Arc::new(Device::from_function(Box::new(func), Some("sim-small")).unwrap());
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let x: Vec<Fr> = (0..1024).map(|_| Fr::rand(&mut rng)).collect();
    let bases: Vec<ark_bn254::G2Affine> = (0..24)
        .map(|_| ark_bn254::G2Projective::rand(&mut rng).into_affine())
        .collect();
    let scalars: Vec<Fr> = (0..24).map(|_| Fr::rand(&mut rng)).collect();
    // A G2 MSM on queue 1 beside a run of NTT jobs and a product on queue 0.
    let g2 = {
        let (device, bases, scalars) = (device.clone(), bases.clone(), scalars.clone());
        std::thread::spawn(move || {
            device
                .msm::<ark_bn254::g2::Config>(&bases, &scalars)
                .map(|(p, _)| p)
        })
    };
    let job = NttJob {
        log_n: 6,
        direction: Direction::Forward,
        factor: Factor::Plain,
    };
    let mut y = x.clone();
    device
        .ntt_run::<FrConfig>(&mut y, &[(256, job); 4])
        .unwrap();
    let domain =
        <ark_poly::Radix2EvaluationDomain<Fr> as ark_poly::EvaluationDomain<Fr>>::new(64).unwrap();
    let expected: Vec<Fr> = x
        .chunks(64)
        .flat_map(|c| ark_poly::EvaluationDomain::fft(&domain, c))
        .collect();
    assert_eq!(y, expected);
    let (r, _) = device.mul::<FrConfig>(&x, &y).unwrap();
    assert_eq!(r[1000], x[1000] * y[1000]);
    let sum = g2.join().unwrap().unwrap();
    assert_eq!(sum, ark_bn254::G2Projective::msm(&bases, &scalars).unwrap());
}
