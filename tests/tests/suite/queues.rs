//! Job queues (register map 4.2): the G2 MSM engine takes its jobs on queue 1 — its own
//! register bank at 0x1000 and XDMA channel 1 — and runs while queue 0's engines (the
//! NTT / elementwise kernel, the G1 MSM unit, the copy engine) run theirs.

use ark_bn254::{Fr, FrConfig};
use ark_ff::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zkpipe::driver::kernel;
use zkpipe::pcie::sim::SimFunction;
use zkpipe::pcie::{PcieFunction, BAR_CSR};
use zkpipe::{Device, HwError, Opcode};
use zkpipe_spec::regs::{self, queue_register, Control, JobMem, Status};
use zkpipe_tests::msm;

type G1 = ark_bn254::g1::Config;
type G2 = ark_bn254::g2::Config;

fn random(n: usize, seed: u64) -> Vec<Fr> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| Fr::rand(&mut rng)).collect()
}

/// Drives both register banks by hand: each queue takes only its own engine's opcodes,
/// queue 1 has no card-memory port, and an error on one queue leaves the other alone.
#[test]
fn each_queue_takes_only_its_own_engines_jobs() {
    let mut f = SimFunction::open("sim-small").unwrap();
    let caps = kernel::identify(&mut f).unwrap();
    assert_eq!(caps.queues, 2, "sim-small's G2 engine has its own queue");
    let status = |f: &mut SimFunction, queue: u32| {
        let s = f
            .read32(BAR_CSR, queue_register(queue, regs::STATUS) as u64)
            .unwrap();
        let s = Status::decode(s);
        (s.busy, s.error as u8)
    };
    let start = |f: &mut SimFunction, queue: u32, op: Opcode, mem: JobMem| {
        let w = |f: &mut SimFunction, r: u32, v: u32| {
            f.write32(BAR_CSR, queue_register(queue, r) as u64, v)
                .unwrap()
        };
        w(f, regs::JOB_OPCODE, op as u32);
        w(f, regs::JOB_COUNT, 4);
        w(f, regs::JOB_MSM_OFFSET, 0);
        w(f, regs::JOB_MEM, mem.encode());
        w(f, regs::CONTROL, Control::START.bits());
    };
    let host = JobMem::default();
    // A G2 job on queue 0: the kernel does not know the opcode; queue 1 is untouched.
    start(&mut f, 0, Opcode::MsmG2Run, host);
    assert_eq!(status(&mut f, 0), (false, HwError::UnknownOpcode as u8));
    assert_eq!(status(&mut f, 1), (false, 0));
    // Queue 0's engines on queue 1: refused there; queue 0 keeps its own state.
    for op in [Opcode::MsmRun, Opcode::Mul, Opcode::Ntt, Opcode::Copy] {
        start(&mut f, 1, op, host);
        assert_eq!(
            status(&mut f, 1),
            (false, HwError::UnknownOpcode as u8),
            "{}",
            op.name()
        );
    }
    assert_eq!(status(&mut f, 0), (false, HwError::UnknownOpcode as u8));
    // Card memory from queue 1: error 9, the G2 unit not started.
    let card = JobMem {
        src_card: true,
        ..JobMem::default()
    };
    start(&mut f, 1, Opcode::MsmG2Run, card);
    assert_eq!(status(&mut f, 1), (false, HwError::BadMemoryJob as u8));
    // Each queue's soft reset clears its own error.
    kernel::abort_queue(&mut f, 1).unwrap();
    assert_eq!(status(&mut f, 1), (false, 0));
    assert_eq!(status(&mut f, 0), (false, HwError::UnknownOpcode as u8));
    kernel::abort_queue(&mut f, 0).unwrap();
    assert_eq!(status(&mut f, 0), (false, 0));
    // The board then runs jobs on both queues.
    let device = Device::from_function(Box::new(f), Some("sim-small")).unwrap();
    let (bases, scalars) = (msm::points::<G2>(5, 1), random(5, 2));
    msm::check(&device, &bases, &scalars);
    let (a, b) = (random(6, 3), random(6, 4));
    let (r, _) = device.mul::<FrConfig>(&a, &b).unwrap();
    assert_eq!(r, a.iter().zip(&b).map(|(x, y)| x * y).collect::<Vec<_>>());
}

fn board_cycles(device: &Device) -> u64 {
    device.card().with_function(|f| {
        let sim = f.as_any_mut().downcast_mut::<SimFunction>().unwrap();
        sim.board().cycles()
    })
}

/// A G2 MSM on queue 1 while queue 0 runs a G1 MSM and elementwise jobs: every result
/// equals arkworks', and the board spends fewer cycles than running them one after the
/// other (the two queues' jobs overlap).
#[test]
fn a_g2_msm_runs_beside_queue_0s_jobs() {
    let device = Device::open("sim:sim-small").unwrap();
    let (g2_bases, g2_scalars) = (msm::points::<G2>(96, 11), random(96, 12));
    let (g1_bases, g1_scalars) = (msm::points::<G1>(512, 13), random(512, 14));
    let (a, b) = (random(300, 15), random(300, 16));
    let queue0 = |device: &Device| {
        msm::check(device, &g1_bases, &g1_scalars);
        let (r, _) = device.add::<FrConfig>(&a, &b).unwrap();
        assert_eq!(r, a.iter().zip(&b).map(|(x, y)| x + y).collect::<Vec<_>>());
    };
    let queue1 = |device: &Device| {
        msm::check(device, &g2_bases, &g2_scalars);
    };
    // Warm: both bases resident, staging mapped, so the timed runs do the same jobs.
    queue0(&device);
    queue1(&device);
    let t0 = board_cycles(&device);
    queue0(&device);
    let t1 = board_cycles(&device);
    queue1(&device);
    let t2 = board_cycles(&device);
    // Both threads start their jobs together: a thread spawned late (a loaded machine)
    // would otherwise find queue 0's jobs already done, and measure nothing.
    let start = std::sync::Barrier::new(2);
    std::thread::scope(|s| {
        s.spawn(|| {
            start.wait();
            queue1(&device)
        });
        start.wait();
        queue0(&device);
    });
    let t3 = board_cycles(&device);
    let (alone0, alone1, both) = (t1 - t0, t2 - t1, t3 - t2);
    let shorter = alone0.min(alone1);
    println!("board cycles: queue 0 alone {alone0}, queue 1 alone {alone1}, together {both}");
    assert!(
        both + shorter / 2 < alone0 + alone1,
        "queue 0 alone {alone0} cycles, queue 1 alone {alone1}, together {both}: \
         less than half of the shorter overlapped"
    );
}
