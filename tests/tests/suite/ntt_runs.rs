//! Runs of appended NTT jobs (register map 4.3): each job after the first enters the
//! kernel while the one before drains. On sim-small (core 2^8) against ark-poly and the
//! software engine, with the cycles of the `model:` device and the typed errors of jobs
//! that cannot follow.

use ark_bn254::{Fr, FrConfig};
use ark_ff::UniformRand;
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zkpipe::card::Job;
use zkpipe::model::ModelCard;
use zkpipe::ntt::{self, Direction, Factor, NttEngine, NttJob};
use zkpipe::{Device, Error, HwError};
use zkpipe_spec::regs::JobNtt;

const SIM: &str = "sim:sim-small";

fn random(n: usize, seed: u64) -> Vec<Fr> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| Fr::rand(&mut rng)).collect()
}

fn plain(log_n: u32, direction: Direction) -> NttJob<Fr> {
    NttJob {
        log_n,
        direction,
        factor: Factor::Plain,
    }
}

/// Each NTT of `x` by ark-poly.
fn reference(x: &[Fr], log_n: u32, direction: Direction) -> Vec<Fr> {
    let domain = Radix2EvaluationDomain::<Fr>::new(1 << log_n).unwrap();
    x.chunks(1 << log_n)
        .flat_map(|c| match direction {
            Direction::Forward => domain.fft(c),
            Direction::Inverse => domain.ifft(c),
        })
        .collect()
}

/// Busy cycles of each job run on its own, summed.
fn one_by_one(device: &Device, x: &[Fr], jobs: &[(usize, NttJob<Fr>)]) -> u64 {
    let mut y = x.to_vec();
    let mut at = 0;
    jobs.iter()
        .map(|(n, job)| {
            let r = device.ntt_job::<FrConfig>(&mut y[at..at + n], job).unwrap();
            at += n;
            r.counters.busy_cycles as u64
        })
        .sum()
}

#[test]
fn appended_jobs_equal_arkworks_pay_the_latency_once_and_match_the_model() {
    let device = Device::open(SIM).unwrap();
    assert_eq!(device.capabilities().kernel_slots, 2);
    let model = ModelCard::open("model:sim-small").unwrap();
    // (log n, NTTs per job, jobs): jobs longer than the path, jobs shorter than it (the
    // fifth waits for the first to drain: the path holds four), jobs of different lengths.
    let cases: [(u32, &[usize]); 4] = [
        (8, &[16, 16, 16, 16]),
        (8, &[1, 1, 1, 1, 1]),
        (5, &[40, 8, 64, 3]),
        (1, &[7, 300, 2]),
    ];
    for (log_n, ntts) in cases {
        let n = 1usize << log_n;
        for direction in [Direction::Forward, Direction::Inverse] {
            let jobs: Vec<_> = ntts
                .iter()
                .map(|k| (k * n, plain(log_n, direction)))
                .collect();
            let x = random(ntts.iter().sum::<usize>() * n, 700 + log_n as u64);
            let mut y = x.clone();
            let stats = device.ntt_run::<FrConfig>(&mut y, &jobs).unwrap();
            let what = format!("2^{log_n} × {ntts:?}, {direction:?}");
            assert_eq!(y, reference(&x, log_n, direction), "{what}");
            assert_eq!(stats.jobs, ntts.len(), "{what}");
            assert_eq!(stats.elements as usize, x.len(), "{what}");
            let alone = one_by_one(&device, &x, &jobs);
            assert!(
                stats.busy_cycles < alone,
                "{what}: a run of {} cycles, {alone} one by one",
                stats.busy_cycles
            );
            let lens: Vec<usize> = jobs.iter().map(|(n, _)| *n).collect();
            assert_eq!(
                model.ntt_run_cycles(&lens, log_n, zkpipe::model::FactorKind::Plain),
                stats.busy_cycles,
                "{what}: the model's run against the board's"
            );
        }
    }
}

#[test]
fn twiddle_jobs_each_take_their_own_first_row() {
    // A four-step pass's row jobs, rows not contiguous between jobs: each appended job's
    // first NTT reads JOB_NTT_ROW again.
    let device = Device::open(SIM).unwrap();
    let soft = ntt::SoftEngine::new(8, 16, 1 << 16);
    let (log_n, log_t) = (4, 10);
    for direction in [Direction::Forward, Direction::Inverse] {
        let jobs: Vec<_> = [(0u32, 5usize), (5, 3), (100, 2), (7, 4)]
            .iter()
            .map(|&(row0, rows)| {
                (
                    rows << log_n,
                    NttJob {
                        log_n,
                        direction,
                        factor: Factor::Twiddle { log_t, row0 },
                    },
                )
            })
            .collect();
        let x = random(14 << log_n, 710);
        let (mut on_card, mut expected) = (x.clone(), x.clone());
        let stats = device.ntt_run::<FrConfig>(&mut on_card, &jobs).unwrap();
        assert_eq!(stats.jobs, 4);
        soft.run_many(&mut expected, &jobs).unwrap();
        assert_eq!(on_card, expected, "{direction:?}");
    }
    // And a whole four-step transform, whose row pass is one run on the card.
    let x = random(1 << 12, 711);
    let mut y = x.clone();
    let report = ntt::ntt(&device, &mut y, Direction::Forward, ntt::Coset::None).unwrap();
    assert_eq!(y, reference(&x, 12, Direction::Forward));
    assert_eq!(report.device.jobs, 2, "columns and rows, one job each");
}

#[test]
fn a_job_that_cannot_follow_is_error_11_and_the_card_recovers() {
    let device = Device::open(SIM).unwrap();
    let card = device.card();
    let ntt = |inverse: bool, coset: bool, n: usize| Job::Ntt {
        n,
        config: JobNtt {
            log_n: 4,
            inverse,
            coset,
            ..Default::default()
        },
        row: 0,
        param: [0; 8],
    };
    let mul = Job::Elementwise {
        op: zkpipe_spec::regs::Opcode::Mul,
        n: 32,
        param: [0; 8],
    };
    let run = |jobs: &[Job]| {
        card.submit_run(
            jobs,
            1024,
            |bytes| {
                bytes.fill(0);
                None
            },
            |_| Ok(()),
        )
    };
    for (jobs, what) in [
        (
            vec![ntt(false, false, 64), ntt(true, false, 64)],
            "forward then inverse",
        ),
        (
            vec![ntt(false, false, 16), ntt(false, true, 16)],
            "a coset job",
        ),
        (vec![ntt(false, false, 64), mul], "a mul job"),
        (
            vec![ntt(false, true, 16), ntt(false, true, 16)],
            "behind a coset job",
        ),
    ] {
        match run(&jobs) {
            Err(Error::Hardware {
                error: HwError::CannotAppend,
                ..
            }) => {}
            other => panic!("{what}: {other:?}"),
        }
    }
    // The card takes the next run.
    let x = random(256, 720);
    let mut y = x.clone();
    let jobs = [
        (128, plain(4, Direction::Forward)),
        (128, plain(4, Direction::Forward)),
    ];
    device.ntt_run::<FrConfig>(&mut y, &jobs).unwrap();
    assert_eq!(y, reference(&x, 4, Direction::Forward));
}

#[test]
fn a_corrupted_beat_inside_a_run_is_caught_and_nothing_changes() {
    let device = Device::open(SIM).unwrap();
    let x = random(4 << 8, 730);
    let jobs: Vec<_> = (0..4)
        .map(|_| (1 << 8, plain(8, Direction::Forward)))
        .collect();
    for (job, fault) in [
        (2, zkpipe::Fault::CorruptH2c { beat: 10, bit: 77 }),
        (3, zkpipe::Fault::CorruptC2h { beat: 3, bit: 300 }),
    ] {
        let fired = device.with_sim_board(|b| b.faults_fired()).unwrap();
        device.with_sim_board(|b| b.inject_at(fault, job)).unwrap();
        let mut y = x.clone();
        let err = device.ntt_run::<FrConfig>(&mut y, &jobs).unwrap_err();
        assert!(
            matches!(err, Error::StreamCorrupted { .. }),
            "{fault:?}: {err:?}"
        );
        assert_eq!(y, x, "{fault:?}: the caller's data unchanged");
        assert_eq!(
            device.with_sim_board(|b| b.faults_fired()).unwrap(),
            fired + 1
        );
        let mut y = x.clone();
        device.ntt_run::<FrConfig>(&mut y, &jobs).unwrap();
        assert_eq!(y, reference(&x, 8, Direction::Forward));
    }
}
