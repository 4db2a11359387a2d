//! Card memory on the simulated boards: the board's AXI4 master against the simulated
//! DDR (latency and bandwidth from the preset; sim-bls12-381's is slower than its kernel,
//! so its jobs run under back-pressure), vectors uploaded, transformed in place and
//! downloaded, checked against ark-poly; bad addresses, exhaustion and ECC errors.

use ark_ff::{FftField, Field, PrimeField};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zkpipe::card::{Job, Route};
use zkpipe::ntt::{Direction, Factor, NttJob};
use zkpipe::{Device, Error, Fault, HwError};

const PRESETS: [&str; 2] = ["sim:sim-small", "sim:sim-bls12-381"];

fn random<F: PrimeField>(n: usize, seed: u64) -> Vec<F> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| F::rand(&mut rng)).collect()
}

/// Beats the simulated DDR moved each way so far.
fn dram_beats(device: &Device) -> (u64, u64) {
    device
        .with_sim_board(|b| (b.card_memory().beats_read, b.card_memory().beats_written))
        .unwrap()
}

/// Blocks of 2^log_n transformed one after another by ark-poly (coset: by g^i first).
fn reference<F: PrimeField + FftField>(
    x: &[F],
    log_n: u32,
    direction: Direction,
    coset: Option<F>,
) -> Vec<F> {
    let mut domain = Radix2EvaluationDomain::<F>::new(1 << log_n).unwrap();
    if let Some(g) = coset {
        domain = domain.get_coset(g).unwrap();
    }
    x.chunks(1 << log_n)
        .flat_map(|block| {
            let mut y = block.to_vec();
            match direction {
                Direction::Forward => domain.fft_in_place(&mut y),
                Direction::Inverse => domain.ifft_in_place(&mut y),
            }
            y
        })
        .collect()
}

macro_rules! per_curve {
    ($name:ident, $body:ident) => {
        #[test]
        fn $name() {
            $body::<ark_bn254::FrConfig>(PRESETS[0]);
            $body::<ark_bls12_381::FrConfig>(PRESETS[1]);
        }
    };
}

/// Vectors of every shape (odd, a beat, a page, across pages) enter and leave card memory
/// unchanged, through the DDR and not around it.
fn round_trip<C: ark_ff::fields::MontConfig<4>>(uri: &str) {
    let device = Device::open(uri).unwrap();
    let (capacity, free) = device.card_memory();
    assert_eq!(capacity, 16 << 20);
    assert_eq!(free, capacity);
    for (k, n) in [1usize, 2, 3, 127, 128, 129, 1000].into_iter().enumerate() {
        let x: Vec<zkpipe::Scalar<C>> = random(n, k as u64);
        let before = dram_beats(&device);
        let (v, up) = device.upload(&x).unwrap();
        assert_eq!((v.len(), v.addr() % 4096), (n, 0));
        assert_eq!(up.counters.beats_in as usize, n.div_ceil(2));
        let (y, _) = device.download(&v).unwrap();
        assert_eq!(y, x, "n = {n}");
        let after = dram_beats(&device);
        let beats = n.div_ceil(2) as u64;
        assert_eq!((after.0 - before.0, after.1 - before.1), (beats, beats));
    }
    assert_eq!(
        device.card_memory().1,
        capacity,
        "every vector freed on drop"
    );
}
per_curve!(vectors_round_trip_through_card_memory, round_trip);

/// NTTs, inverse NTTs and coset scaling read and write card memory in place: a chain
/// iNTT → powmul → NTT (the QAP's coset step) equals ark-poly, and nothing crosses the
/// host streams between upload and download.
fn ntt_chain<C: ark_ff::fields::MontConfig<4>>(uri: &str) {
    type F<C> = zkpipe::Scalar<C>;
    let device = Device::open(uri).unwrap();
    let log_core = device.capabilities().ntt_log_size;
    for (log_n, blocks) in [(log_core, 3usize), (3, 5), (1, 1)] {
        let n = blocks << log_n;
        let x: Vec<F<C>> = random(n, 7 + log_n as u64);
        let (mut v, _) = device.upload(&x).unwrap();
        let jobs_before = device.with_sim_board(|b| b.jobs_started()).unwrap();
        let dram_before = dram_beats(&device);
        let job = |direction, factor| NttJob {
            log_n,
            direction,
            factor,
        };
        let inv = device
            .ntt_on_card(&mut v, &job(Direction::Inverse, Factor::Plain))
            .unwrap();
        assert_eq!(
            inv.counters.beats_in as usize,
            n.div_ceil(2),
            "read from DDR"
        );
        assert_eq!(
            inv.counters.beats_out as usize,
            n.div_ceil(2),
            "written to DDR"
        );
        let (y, _) = device.download(&v).unwrap();
        assert_eq!(
            y,
            reference(&x, log_n, Direction::Inverse, None),
            "iNTT 2^{log_n}"
        );
        let g = F::<C>::GENERATOR;
        if blocks == 1 {
            device.powmul_on_card(&v, g).unwrap();
            device
                .ntt_on_card(&mut v, &job(Direction::Forward, Factor::Plain))
                .unwrap();
            let (z, _) = device.download(&v).unwrap();
            assert_eq!(
                z,
                reference(&y, log_n, Direction::Forward, Some(g)),
                "coset"
            );
        } else {
            device
                .ntt_on_card(&mut v, &job(Direction::Forward, Factor::Plain))
                .unwrap();
            let (z, _) = device.download(&v).unwrap();
            assert_eq!(z, x, "NTT of the iNTT, 2^{log_n} × {blocks}");
        }
        let jobs = device.with_sim_board(|b| b.jobs_started()).unwrap() - jobs_before;
        let dram = dram_beats(&device);
        let beats = n.div_ceil(2) as u64;
        let on_card_jobs = if blocks == 1 { 3 } else { 2 };
        assert_eq!(jobs, on_card_jobs + 2, "the on-card jobs and two downloads");
        assert_eq!(
            (dram.0 - dram_before.0, dram.1 - dram_before.1),
            ((on_card_jobs + 2) * beats, on_card_jobs * beats),
            "each on-card job reads and writes the vector once; each download reads it"
        );
    }
}
per_curve!(ntt_chains_run_in_card_memory, ntt_chain);

/// A copy job with both sides on the host is a loopback of the DMA path.
#[test]
fn a_host_to_host_copy_is_a_loopback() {
    let device = Device::open(PRESETS[0]).unwrap();
    let beats = 70;
    let data: Vec<u8> = (0..beats * 64).map(|i| (i * 7 + 3) as u8).collect();
    let done = device
        .card()
        .submit(
            &Job::Copy { beats },
            beats,
            |b| {
                b.copy_from_slice(&data);
                None
            },
            |out| Ok(out.to_vec()),
        )
        .unwrap();
    assert_eq!(done.output, data);
    assert_eq!(done.counters.beats_in as usize, beats);
}

/// The card refuses an address off a page, a range past its memory and routing on a
/// zero-beat side with typed errors, and runs the next job.
#[test]
fn bad_card_memory_jobs_are_refused_by_the_card() {
    let device = Device::open(PRESETS[0]).unwrap();
    let size = device.card_memory().0;
    let copy = |route: Route| {
        device
            .card()
            .submit_routed(&Job::Copy { beats: 4 }, route, 4, |_| None, |_| Ok(()))
    };
    for (what, dst) in [
        ("off a page", 64),
        ("past the end", size),
        ("straddling the end", size - 128),
    ] {
        let err = copy(Route {
            dst: Some(dst),
            ..Route::HOST
        })
        .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Hardware {
                    error: HwError::BadMemoryJob,
                    ..
                }
            ),
            "{what}: {err}"
        );
    }
    let err = copy(Route {
        src: Some(size + 4096),
        ..Route::HOST
    })
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Hardware {
                error: HwError::BadMemoryJob,
                ..
            }
        ),
        "{err}"
    );
    // The board recovers: a good copy to the last page.
    // Transposed sides whose rows are above the buffers or do not divide the beats.
    for (src_rows, dst_rows) in [
        (Some(9), None),
        (None, Some(9)),
        (Some(3), None),
        (None, Some(0)),
    ] {
        let route = Route {
            src: src_rows.map(|_| 0),
            dst: Some(8192),
            ..Route::HOST
        }
        .transposed(src_rows, dst_rows);
        let err = copy(route).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Hardware {
                    error: HwError::BadMemoryJob,
                    ..
                }
            ),
            "{route:?}: {err}"
        );
    }
    copy(Route {
        dst: Some(size - 4096),
        ..Route::HOST
    })
    .unwrap();
}

/// Card memory running out is a typed error naming the sizes; freeing makes room again.
#[test]
fn card_memory_exhaustion_is_a_typed_error() {
    type F = ark_bn254::Fr;
    let device = Device::open(PRESETS[0]).unwrap();
    let (capacity, _) = device.card_memory();
    // 2^17 elements take 4 MiB: three fill 12 of the 16 MiB.
    let big: Vec<F> = vec![F::from(3u64); 1 << 17];
    let held: Vec<_> = (0..3).map(|_| device.upload(&big).unwrap().0).collect();
    let over: Vec<F> = vec![F::from(5u64); (1 << 17) + 1];
    match device.upload(&over) {
        Err(Error::OutOfCardMemory {
            needed,
            largest_free,
            capacity: c,
            ..
        }) => {
            assert_eq!(
                (needed, largest_free, c),
                ((4 << 20) + 4096, 4 << 20, capacity)
            );
        }
        other => panic!("expected OutOfCardMemory, got {other:?}"),
    }
    drop(held);
    let (v, _) = device.upload(&over).unwrap();
    assert_eq!(device.download(&v).unwrap().0, over);
}

/// An uncorrectable ECC error in card memory, on a job's read or its write, is a typed
/// error; the vector the job was writing is marked invalid (never read back as a result),
/// and the board runs the next job right.
#[test]
fn a_card_memory_ecc_error_is_caught_and_the_card_recovers() {
    type F = ark_bn254::Fr;
    let device = Device::open(PRESETS[0]).unwrap();
    let x: Vec<F> = random(256, 11);
    let ntt = NttJob {
        log_n: 8,
        direction: Direction::Forward,
        factor: Factor::Plain,
    };
    let (mut v, _) = device.upload(&x).unwrap();
    device.inject_fault(Fault::MemoryEcc).unwrap();
    let err = device.ntt_on_card(&mut v, &ntt).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Hardware {
                error: HwError::CardMemory,
                ..
            }
        ),
        "{err}"
    );
    assert!(v.is_invalid());
    assert!(matches!(
        device.download(&v),
        Err(Error::CardVecInvalid { .. })
    ));
    assert!(matches!(
        device.ntt_on_card(&mut v, &ntt),
        Err(Error::CardVecInvalid { .. })
    ));
    // On the way in (the write of an upload).
    device.inject_fault(Fault::MemoryEcc).unwrap();
    let err = device.upload(&x).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Hardware {
                error: HwError::CardMemory,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(device.with_sim_board(|b| b.faults_fired()).unwrap(), 2);
    // The next chain is right.
    assert_ntt_on_card_right(&device, &x, &ntt);
}

/// A card that stops answering in the middle of a card-memory job times out, the vector
/// is marked invalid, and the board (its memory port drained) runs the next job.
#[test]
fn a_stuck_card_memory_job_times_out_and_the_card_recovers() {
    type F = ark_bn254::Fr;
    let device = Device::open(PRESETS[0]).unwrap();
    let x: Vec<F> = random(512, 12);
    let (mut v, _) = device.upload(&x).unwrap();
    device.set_timeout(Some(std::time::Duration::from_millis(300)));
    device.inject_fault(Fault::Stuck).unwrap();
    let ntt = NttJob {
        log_n: 8,
        direction: Direction::Inverse,
        factor: Factor::Plain,
    };
    let err = device.ntt_on_card(&mut v, &ntt).unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(v.is_invalid());
    device.set_timeout(None);
    assert_ntt_on_card_right(&device, &x, &ntt);
}

/// Uploads `x`, runs `job` (plain, one core-sized NTT per block) on card memory and checks
/// the download against ark-poly: the board runs card-memory jobs right after a fault.
fn assert_ntt_on_card_right(device: &Device, x: &[ark_bn254::Fr], job: &NttJob<ark_bn254::Fr>) {
    let (mut w, _) = device.upload(x).unwrap();
    device.ntt_on_card(&mut w, job).unwrap();
    assert_eq!(
        device.download(&w).unwrap().0,
        reference(x, job.log_n, job.direction, None)
    );
}

/// A vector of one device is refused by another.
#[test]
fn a_card_vector_belongs_to_its_device() {
    type F = ark_bn254::Fr;
    let a = Device::open(PRESETS[0]).unwrap();
    let b = Device::open(PRESETS[0]).unwrap();
    let (v, _) = a.upload(&random::<F>(8, 1)).unwrap();
    assert!(matches!(b.download(&v), Err(Error::ForeignCardVec { .. })));
}

/// Transforms above the core size run as four-steps inside card memory (the transposes
/// are the memory port's access patterns): forward and inverse equal ark-poly, from
/// N1 = 2 rows up to N² on sim-small, and on the BLS12-381 board under its slower memory.
fn four_step<C: ark_ff::fields::MontConfig<4>>(uri: &str) {
    type F<C> = zkpipe::Scalar<C>;
    let device = Device::open(uri).unwrap();
    let core = device.capabilities().ntt_log_size;
    let sizes: &[u32] = if uri.ends_with("small") {
        &[9, 11, 16]
    } else {
        &[10]
    };
    for &log_n in sizes {
        let x: Vec<F<C>> = random(1 << log_n, 40 + log_n as u64);
        let (mut v, _) = device.upload(&x).unwrap();
        let jobs_before = device.with_sim_board(|b| b.jobs_started()).unwrap();
        let mut y = x.clone();
        for direction in [Direction::Forward, Direction::Inverse] {
            let job = NttJob {
                log_n,
                direction,
                factor: Factor::Plain,
            };
            let report = device.ntt_on_card(&mut v, &job).unwrap();
            assert_eq!(report.n, 2 << log_n, "two jobs over the vector");
            y = reference(&y, log_n, direction, None);
            assert_eq!(device.download(&v).unwrap().0, y, "2^{log_n} {direction:?}");
        }
        assert_eq!(y, x);
        let jobs = device.with_sim_board(|b| b.jobs_started()).unwrap() - jobs_before;
        assert_eq!(jobs, 2 * 2 + 2, "two jobs per transform, one per download");
        assert!(log_n > core);
    }
    assert_eq!(device.card_memory().0, device.card_memory().1);
}
per_curve!(
    ntts_above_the_core_run_as_four_steps_in_card_memory,
    four_step
);

/// Binary jobs read both operands from card memory (the port zips two vectors, the second
/// above or below the first) and write the result over the first; odd lengths and strides
/// with more than two rows are refused.
fn binary<C: ark_ff::fields::MontConfig<4>>(uri: &str) {
    type F<C> = zkpipe::Scalar<C>;
    let device = Device::open(uri).unwrap();
    for n in [2usize, 128, 1000] {
        let x: Vec<F<C>> = random(n, 60 + n as u64);
        let y: Vec<F<C>> = random(n, 61 + n as u64);
        // b first, then a: the second row lies below the first (a wrapping stride).
        let (b, _) = device.upload(&y).unwrap();
        let (a, _) = device.upload(&x).unwrap();
        assert!(b.addr() < a.addr());
        let report = device.mul_on_card(&a, &b).unwrap();
        assert_eq!(
            report.counters.beats_in as usize, n,
            "one a ‖ b beat per element"
        );
        let product: Vec<F<C>> = x.iter().zip(&y).map(|(p, q)| *p * q).collect();
        assert_eq!(device.download(&a).unwrap().0, product, "n = {n}");
        device.sub_on_card(&b, &a).unwrap();
        let difference: Vec<F<C>> = y.iter().zip(&product).map(|(p, q)| *p - q).collect();
        assert_eq!(device.download(&b).unwrap().0, difference, "n = {n}");
    }
    let (odd, _) = device.upload(&random::<F<C>>(3, 1)).unwrap();
    assert!(matches!(
        device.mul_on_card(&odd, &odd),
        Err(Error::Unsupported { .. })
    ));
    // A stride with four rows is not a zip: the card refuses it.
    let mut route = Route::zip(0, 8192, Some(16384));
    route.src_transpose = Some(2);
    let err = device
        .card()
        .submit_routed(&Job::Copy { beats: 8 }, route, 8, |_| None, |_| Ok(()))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Hardware {
                error: HwError::BadMemoryJob,
                ..
            }
        ),
        "{err}"
    );
}
per_curve!(binary_jobs_zip_two_vectors_in_card_memory, binary);

/// ark-groth16's QAP step on card memory: the three vectors uploaded once, each
/// interpolated and evaluated on the coset, a·b − c, and interpolated from the coset —
/// h equals ark-poly's, with no vector crossing PCIe in between.
#[test]
fn the_qap_chain_runs_in_card_memory() {
    type F = ark_bn254::Fr;
    let device = Device::open(PRESETS[0]).unwrap();
    let log_n = 11;
    let n = 1usize << log_n;
    let domain = Radix2EvaluationDomain::<F>::new(n).unwrap();
    let coset = domain.get_coset(F::GENERATOR).unwrap();
    let inputs: Vec<Vec<F>> = (0..3).map(|k| random(n, 90 + k)).collect();
    let expected = {
        let evals: Vec<Vec<F>> = inputs.iter().map(|v| coset.fft(&domain.ifft(v))).collect();
        let h: Vec<F> = (0..n)
            .map(|i| evals[0][i] * evals[1][i] - evals[2][i])
            .collect();
        coset.ifft(&h)
    };
    let mut vecs: Vec<_> = inputs.iter().map(|v| device.upload(v).unwrap().0).collect();
    let jobs_before = device.with_sim_board(|b| b.jobs_started()).unwrap();
    let job = |direction| NttJob {
        log_n,
        direction,
        factor: Factor::Plain,
    };
    for v in &mut vecs {
        device.ntt_on_card(v, &job(Direction::Inverse)).unwrap();
        device.powmul_on_card(v, F::GENERATOR).unwrap();
        device.ntt_on_card(v, &job(Direction::Forward)).unwrap();
    }
    let [a, b, c] = <[_; 3]>::try_from(vecs).unwrap();
    let mut h = a;
    device.mul_on_card(&h, &b).unwrap();
    device.sub_on_card(&h, &c).unwrap();
    device
        .ntt_on_card(&mut h, &job(Direction::Inverse))
        .unwrap();
    device
        .powmul_on_card(&h, F::GENERATOR.inverse().unwrap())
        .unwrap();
    let jobs = device.with_sim_board(|b| b.jobs_started()).unwrap() - jobs_before;
    assert_eq!(jobs, 3 * 5 + 2 + 3, "every step a job on card memory");
    assert_eq!(device.download(&h).unwrap().0, expected);
}
