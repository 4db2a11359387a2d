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
use zkpipe_spec::regs;

const SIM: &str = "sim:sim-small";

fn random(n: usize, seed: u64) -> Vec<Fr> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| Fr::rand(&mut rng)).collect()
}

fn check_all_ops(device: &Device, n: usize, seed: u64) {
    let (a, b) = (random(n, seed), random(n, seed + 1));
    let (r, report) = device.mul::<FrConfig>(&a, &b).unwrap();
    assert_eq!(
        r,
        a.iter().zip(&b).map(|(x, y)| x * y).collect::<Vec<_>>(),
        "mul n={n}"
    );
    // a_i ‖ b_i in, two results per beat out.
    assert_eq!(report.counters.beats_in as usize, n);
    assert_eq!(report.counters.beats_out as usize, n.div_ceil(2));
    let (r, _) = device.add::<FrConfig>(&a, &b).unwrap();
    assert_eq!(
        r,
        a.iter().zip(&b).map(|(x, y)| x + y).collect::<Vec<_>>(),
        "add n={n}"
    );
    let (r, _) = device.sub::<FrConfig>(&a, &b).unwrap();
    assert_eq!(
        r,
        a.iter().zip(&b).map(|(x, y)| x - y).collect::<Vec<_>>(),
        "sub n={n}"
    );
    let g = Fr::from(7u64);
    let (r, report) = device.powmul::<FrConfig>(&a, g).unwrap();
    let expected: Vec<Fr> = a
        .iter()
        .enumerate()
        .map(|(i, x)| *x * g.pow([i as u64]))
        .collect();
    assert_eq!(r, expected, "powmul n={n}");
    // Two elements per beat each way.
    assert_eq!(report.counters.beats_in as usize, n.div_ceil(2));
    assert_eq!(report.counters.beats_out as usize, n.div_ceil(2));
}

#[test]
fn elementwise_ops_match_arkworks() {
    let device = Device::open(SIM).unwrap();
    for (i, n) in [1, 2, 11, 12, 13, 100].into_iter().enumerate() {
        check_all_ops(&device, n, i as u64 * 10);
    }
}

#[test]
fn a_large_job_and_edge_elements() {
    let device = Device::open(SIM).unwrap();
    check_all_ops(&device, 4096, 99);
    let edges = [
        Fr::from(0u64),
        Fr::from(1u64),
        -Fr::from(1u64),
        -Fr::from(2u64),
    ];
    let a: Vec<Fr> = edges
        .iter()
        .flat_map(|x| edges.iter().map(move |_| *x))
        .collect();
    let b: Vec<Fr> = edges.iter().flat_map(|_| edges.iter().copied()).collect();
    let (r, _) = device.mul::<FrConfig>(&a, &b).unwrap();
    assert_eq!(r, a.iter().zip(&b).map(|(x, y)| x * y).collect::<Vec<_>>());
    let (r, _) = device.powmul::<FrConfig>(&a, -Fr::from(1u64)).unwrap();
    let expected: Vec<Fr> = a
        .iter()
        .enumerate()
        .map(|(i, x)| if i % 2 == 0 { *x } else { -*x })
        .collect();
    assert_eq!(r, expected);
}

#[test]
fn bad_arguments_are_typed_errors() {
    let device = Device::open(SIM).unwrap();
    let a = random(4, 1);
    let b = random(5, 2);
    assert!(matches!(
        device.mul::<FrConfig>(&a, &b),
        Err(Error::LengthMismatch { a: 4, b: 5 })
    ));
    assert!(matches!(
        device.add::<FrConfig>(&[], &[]),
        Err(Error::Empty)
    ));
    let max = device.capabilities().max_count as usize;
    let big = vec![Fr::from(1u64); max + 1];
    assert!(matches!(
        device.add::<FrConfig>(&big, &big),
        Err(Error::TooLarge { .. })
    ));
    // BLS12-381's scalar field on a BN254 board.
    let x = vec![ark_bls12_381::Fr::from(3u64)];
    assert!(matches!(
        device.mul::<ark_bls12_381::FrConfig>(&x, &x),
        Err(Error::CurveMismatch { .. })
    ));
    // The inputs are untouched and the device still works.
    assert_eq!(a, random(4, 1));
    check_all_ops(&device, 3, 5);
}

#[test]
fn bad_uris_and_presets_are_clear_errors() {
    let e = Device::open("pcie:0").unwrap_err().to_string();
    assert!(e.contains("sim:<preset>") && e.contains("vfio:"), "{e}");
    let e = Device::open("sim:no-such-preset").unwrap_err().to_string();
    assert!(e.contains("unknown preset"), "{e}");
    // A preset without a simulated board in this build.
    let e = Device::open("sim:u250-bn254").unwrap_err().to_string();
    assert!(e.contains("sim-small"), "{e}");
    // No such PCI device on a CI machine: says what to check.
    let e = Device::open("vfio:0000:ff:1f.7").unwrap_err().to_string();
    assert!(e.contains("lspci") || e.contains("vfio"), "{e}");
    let e = Device::open("vfio:nonsense").unwrap_err().to_string();
    assert!(e.contains("DDDD:BB:DD.F"), "{e}");
}

#[test]
fn each_injected_fault_is_an_error_and_the_next_job_succeeds() {
    let device = Device::open(SIM).unwrap();
    let (a, b) = (random(64, 3), random(64, 4));
    let expected: Vec<Fr> = a.iter().zip(&b).map(|(x, y)| x * y).collect();

    device.inject_fault(Fault::DmaError).unwrap();
    let e = device.mul::<FrConfig>(&a, &b).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Dma {
                channel: "host-to-card",
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(device.mul::<FrConfig>(&a, &b).unwrap().0, expected);

    device.inject_fault(Fault::ShortStream).unwrap();
    let e = device.mul::<FrConfig>(&a, &b).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Hardware {
                error: HwError::ShortStream,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(device.mul::<FrConfig>(&a, &b).unwrap().0, expected);

    // A bit flipped on the way in (the card computed on wrong data) or on the way out
    // (a right result changed after the card): the stream checksums differ.
    for (fault, direction) in [
        (Fault::CorruptH2c { beat: 5, bit: 300 }, "host-to-card"),
        (Fault::CorruptC2h { beat: 31, bit: 0 }, "card-to-host"),
    ] {
        device.inject_fault(fault).unwrap();
        match device.mul::<FrConfig>(&a, &b) {
            Err(Error::StreamCorrupted {
                direction: d,
                card,
                host,
                ..
            }) => {
                assert_eq!(d, direction);
                assert_ne!(card, host);
            }
            other => panic!("{fault:?} must be a corrupted stream, got {other:?}"),
        }
        assert_eq!(device.mul::<FrConfig>(&a, &b).unwrap().0, expected);
    }
    // A fault armed for a later job leaves the jobs before it alone; one past the stream's
    // end never fires.
    let (jobs, fired) = device
        .with_sim_board(|s| (s.jobs_started(), s.faults_fired()))
        .unwrap();
    device
        .with_sim_board(|s| s.inject_at(Fault::ShortStream, 1))
        .unwrap();
    assert_eq!(device.mul::<FrConfig>(&a, &b).unwrap().0, expected);
    assert!(device.mul::<FrConfig>(&a, &b).is_err());
    device
        .with_sim_board(|s| s.inject(Fault::CorruptC2h { beat: 32, bit: 0 }))
        .unwrap();
    assert_eq!(device.mul::<FrConfig>(&a, &b).unwrap().0, expected);
    assert_eq!(
        device
            .with_sim_board(|s| (s.jobs_started() - jobs, s.faults_fired() - fired))
            .unwrap(),
        (3, 1)
    );

    device.set_timeout(Some(Duration::from_millis(300)));
    device.inject_fault(Fault::Stuck).unwrap();
    let e = device.mul::<FrConfig>(&a, &b).unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e}");
    device.set_timeout(None);
    assert_eq!(device.mul::<FrConfig>(&a, &b).unwrap().0, expected);
}

/// Drives the CSR block by hand: errors the driver never provokes.
#[test]
fn hardware_rejects_bad_jobs_without_hanging() {
    let mut f = SimFunction::open("sim-small").unwrap();
    let caps = kernel::identify(&mut f).unwrap();
    assert_eq!(caps.preset, Some("sim-small"));
    let status_error = |f: &mut SimFunction| {
        let s = f.read32(BAR_CSR, regs::STATUS as u64).unwrap();
        {
            let s = regs::Status::decode(s);
            (s.done, s.error as u8)
        }
    };
    let start = |f: &mut SimFunction, op: u32, count: u32| {
        f.write32(BAR_CSR, regs::JOB_OPCODE as u64, op).unwrap();
        f.write32(BAR_CSR, regs::JOB_COUNT as u64, count).unwrap();
        f.write32(BAR_CSR, regs::CONTROL as u64, regs::Control::START.bits())
            .unwrap();
    };
    // One past the last opcode (msm_g2_run = 9 exists on sim-small).
    let unknown = Opcode::ALL.iter().map(|o| *o as u32).max().unwrap() + 1;
    start(&mut f, unknown, 10);
    assert_eq!(status_error(&mut f), (true, HwError::UnknownOpcode as u8));
    start(&mut f, 0, 10);
    assert_eq!(status_error(&mut f), (true, HwError::UnknownOpcode as u8));
    start(&mut f, Opcode::Mul as u32, 0);
    assert_eq!(status_error(&mut f), (true, HwError::CountOutOfRange as u8));
    start(&mut f, Opcode::Mul as u32, caps.max_count + 1);
    assert_eq!(status_error(&mut f), (true, HwError::CountOutOfRange as u8));
    // A job waiting for data, then a second start: the running job is aborted.
    start(&mut f, Opcode::Mul as u32, 10);
    assert_eq!(status_error(&mut f), (false, 0));
    f.write32(BAR_CSR, regs::CONTROL as u64, regs::Control::START.bits())
        .unwrap();
    assert_eq!(status_error(&mut f), (true, HwError::StartWhileBusy as u8));
    // Soft reset clears the error; the board then runs a normal job.
    kernel::abort(&mut f).unwrap();
    assert_eq!(status_error(&mut f), (false, 0));
    let device = Device::from_function(Box::new(f), Some("sim-small")).unwrap();
    check_all_ops(&device, 5, 77);
}

#[test]
fn a_stream_longer_than_the_job_is_caught() {
    use zkpipe::driver::xdma::{self, Direction};
    let mut f = SimFunction::open("sim-small").unwrap();
    // (opcode, count, beats sent): a binary job takes a beat per element, a unary one two
    // elements per beat (an odd count's last beat one), so one beat more than that.
    for (op, count, beats) in [
        (Opcode::Add, 5, 8),
        (Opcode::PowMul, 5, 4),
        (Opcode::PowMul, 6, 4),
    ] {
        let h2c = f.alloc_dma(beats * 64).unwrap();
        let ring = f.alloc_dma(1024).unwrap();
        let chain = xdma::write_chain(Direction::HostToCard, &h2c, beats * 64, &ring, 0);
        f.write32(BAR_CSR, regs::JOB_OPCODE as u64, op as u32)
            .unwrap();
        f.write32(BAR_CSR, regs::JOB_COUNT as u64, count).unwrap();
        f.write32(BAR_CSR, regs::CONTROL as u64, regs::Control::START.bits())
            .unwrap();
        xdma::start(&mut f, Direction::HostToCard, &chain).unwrap();
        f.wait(Duration::from_millis(1)).unwrap();
        let s = f.read32(BAR_CSR, regs::STATUS as u64).unwrap();
        assert_eq!(
            regs::Status::decode(s).error as u8,
            HwError::LongStream as u8,
            "{} of {count} in {beats} beats",
            op.name()
        );
        // The kernel drained the rest of the packet: the DMA channel finished its descriptor.
        let (st, done) = xdma::status(&mut f, Direction::HostToCard).unwrap();
        assert_eq!(done, chain.descriptors, "status {st:#x}");
        kernel::abort(&mut f).unwrap();
    }
    let device = Device::from_function(Box::new(f), Some("sim-small")).unwrap();
    check_all_ops(&device, 4, 8);
    // A unary stream a beat short, for odd and even counts.
    for n in [5usize, 6] {
        let a = random(n, 40 + n as u64);
        device.inject_fault(Fault::ShortStream).unwrap();
        match device.powmul::<FrConfig>(&a, Fr::from(3u64)) {
            Err(Error::Hardware { error, .. }) => assert_eq!(error, HwError::ShortStream),
            other => panic!("n = {n}: a short powmul stream must fail, got {other:?}"),
        }
        check_all_ops(&device, n, 50 + n as u64);
    }
}

#[test]
fn a_device_is_shared_between_threads() {
    let device = Arc::new(Device::open(SIM).unwrap());
    std::thread::scope(|s| {
        for t in 0..3 {
            let device = device.clone();
            s.spawn(move || check_all_ops(&device, 20 + t, 1000 + t as u64));
        }
    });
}

#[test]
fn a_pool_of_two_boards_runs_a_batch() {
    let pool = DevicePool::open(&[SIM, SIM]).unwrap();
    let jobs: Vec<zkpipe::pool::Job<FrConfig>> = (0..8)
        .map(|j| zkpipe::pool::Job {
            op: if j % 2 == 0 {
                Opcode::Mul
            } else {
                Opcode::PowMul
            },
            a: random(50 + j, j as u64),
            b: (j % 2 == 0).then(|| random(50 + j, 100 + j as u64)),
            g: (j % 2 == 1).then(|| Fr::from(5u64)),
        })
        .collect();
    let results = pool.run(&jobs);
    let mut used = [false; 2];
    for (job, result) in jobs.iter().zip(results) {
        let (r, _, device) = result.unwrap();
        used[device] = true;
        let expected: Vec<Fr> = match &job.b {
            Some(b) => job.a.iter().zip(b).map(|(x, y)| x * y).collect(),
            None => job
                .a
                .iter()
                .enumerate()
                .map(|(i, x)| *x * Fr::from(5u64).pow([i as u64]))
                .collect(),
        };
        assert_eq!(r, expected);
    }
    assert_eq!(used, [true, true], "both boards took jobs");
}

#[test]
fn registers_are_the_ones_the_hardware_decodes() {
    // Every readable register answers through BAR0 with the value the definition implies.
    let mut f = SimFunction::open("sim-small").unwrap();
    assert_eq!(f.read32(BAR_CSR, regs::ID as u64).unwrap(), regs::MAGIC);
    assert_eq!(
        f.read32(BAR_CSR, regs::REG_VERSION as u64).unwrap(),
        regs::VERSION
    );
    for (k, reg) in [
        regs::JOB_OPCODE,
        regs::JOB_COUNT,
        regs::JOB_PARAM0,
        regs::JOB_PARAM7,
    ]
    .iter()
    .enumerate()
    {
        f.write32(BAR_CSR, *reg as u64, 0x1234_0000 + k as u32)
            .unwrap();
        assert_eq!(
            f.read32(BAR_CSR, *reg as u64).unwrap(),
            0x1234_0000 + k as u32
        );
    }
    assert_eq!(f.read32(BAR_CSR, 0x3FC).unwrap(), 0, "holes read as zero");
}
