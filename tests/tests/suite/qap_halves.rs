//! Domains of 2·N² in card memory: transforms in halves around a radix-2 layer
//! (`Device::ntt_halves_on_card`), the interleaved powmul, and the QAP step laid out in
//! halves (`qap_on_card::Layout::Halves`) — against ark-poly and arkworks' MSM, at sizes
//! sim-small runs in seconds (the layout a card picks for 2·N² is forced on smaller
//! domains), and the `model:` device's projection of the same jobs.

use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{FftField, Field, PrimeField, UniformRand};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zkpipe::backend::Reduction;
use zkpipe::model::ModelCard;
use zkpipe::qap_on_card::{self, Layout};
use zkpipe::{Device, Direction, Error, Order};

fn random<F: PrimeField>(n: usize, seed: u64) -> Vec<F> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| F::rand(&mut rng)).collect()
}

/// [even | odd] order of `x`.
fn even_odd<F: Copy>(x: &[F]) -> Vec<F> {
    x.iter()
        .step_by(2)
        .chain(x.iter().skip(1).step_by(2))
        .copied()
        .collect()
}

/// Every direction from both orders equals ark-poly, in the order the call promises; the
/// interleaved powmul takes [even | odd] back to natural order times g^i; halves of one
/// job (h ≤ N) and of four-steps (h > N) on both curves.
fn halves<C: ark_ff::fields::MontConfig<4>>(uri: &str) {
    type F<C> = zkpipe::Scalar<C>;
    let device = Device::open(uri).unwrap();
    let core = device.capabilities().ntt_log_size;
    for log_m in [8, core + 2] {
        let m = 1usize << log_m;
        let domain = Radix2EvaluationDomain::<F<C>>::new(m).unwrap();
        let x: Vec<F<C>> = random(m, log_m as u64);
        let cases = [
            (
                Direction::Forward,
                Order::Natural,
                x.clone(),
                even_odd(&domain.fft(&x)),
            ),
            (
                Direction::Inverse,
                Order::Natural,
                x.clone(),
                even_odd(&domain.ifft(&x)),
            ),
            (
                Direction::Forward,
                Order::EvenOdd,
                even_odd(&x),
                domain.fft(&x),
            ),
            (
                Direction::Inverse,
                Order::EvenOdd,
                even_odd(&x),
                domain.ifft(&x),
            ),
        ];
        for (direction, order, input, expected) in cases {
            let (mut v, _) = device.upload(&input).unwrap();
            let report = device.ntt_halves_on_card(&mut v, direction, order).unwrap();
            // The pairs and twiddles, then one job per half up to N, two (a four-step)
            // above: every job read its range from card memory, nothing from the host.
            let half_jobs = if log_m - 1 <= core { 1 } else { 2 };
            assert_eq!(
                (report.jobs, report.n),
                (2 + 2 * half_jobs, m + m / 2 + 2 * half_jobs * (m / 2)),
                "jobs and elements streamed"
            );
            assert_eq!(
                device.download(&v).unwrap().0,
                expected,
                "2^{log_m} {direction:?} from {order:?}"
            );
        }
        let g = F::<C>::GENERATOR;
        let (v, _) = device.upload(&even_odd(&x)).unwrap();
        let (w, _) = device.powmul_interleaved_on_card(&v, g).unwrap();
        let expected: Vec<F<C>> = x
            .iter()
            .scan(F::<C>::ONE, |p, xi| {
                let r = *xi * *p;
                *p *= g;
                Some(r)
            })
            .collect();
        assert_eq!(
            device.download(&w).unwrap().0,
            expected,
            "2^{log_m} interleaved"
        );
        assert_eq!(device.download(&v).unwrap().0, even_odd(&x), "source kept");
    }
    // Beyond 2·N², below a page per half, or not a power of two: refused before any job.
    for m in [2usize << (2 * core + 1), 128, 384] {
        let (mut v, _) = device.upload(&random::<F<C>>(m, 1)).unwrap();
        let err = device
            .ntt_halves_on_card(&mut v, Direction::Forward, Order::Natural)
            .unwrap_err();
        assert!(matches!(err, Error::Unsupported { .. }), "{m}: {err}");
    }
}

/// A card-memory ECC error in a transform in halves is a typed error, leaves the vector
/// invalid (never read back as a result) — whether the failed job was the pairs' (in
/// place) or a half's four-step column job (which writes a scratch) —, so does a card
/// that stops answering mid-burst, and the card runs the next transform right.
#[test]
fn a_failed_transform_in_halves_leaves_its_vector_invalid() {
    use zkpipe::{Fault, HwError};
    type F = ark_bn254::Fr;
    let device = Device::open("sim:sim-small").unwrap();
    let core = device.capabilities().ntt_log_size;
    let m = 1usize << (core + 2);
    let x: Vec<F> = random(m, 21);
    for order in [Order::Natural, Order::EvenOdd] {
        let (mut v, _) = device.upload(&x).unwrap();
        device.inject_fault(Fault::MemoryEcc).unwrap();
        let err = device
            .ntt_halves_on_card(&mut v, Direction::Forward, order)
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Hardware {
                    error: HwError::CardMemory,
                    ..
                }
            ),
            "{order:?}: {err}"
        );
        assert!(v.is_invalid(), "{order:?}");
        assert!(matches!(
            device.download(&v),
            Err(Error::CardVecInvalid { .. })
        ));
    }
    // A card that stops answering in the pairs job (both sides two rows in bursts, in
    // place): a timeout, the soft reset drains the port's bursts, the vector is invalid.
    let (mut v, _) = device.upload(&x).unwrap();
    device.set_timeout(Some(std::time::Duration::from_millis(300)));
    device.inject_fault(Fault::Stuck).unwrap();
    let err = device
        .ntt_halves_on_card(&mut v, Direction::Forward, Order::Natural)
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(v.is_invalid());
    device.set_timeout(None);
    // The next transforms and a zipped product are right.
    let domain = Radix2EvaluationDomain::<F>::new(m).unwrap();
    let (mut v, _) = device.upload(&x).unwrap();
    device
        .ntt_halves_on_card(&mut v, Direction::Forward, Order::Natural)
        .unwrap();
    assert_eq!(device.download(&v).unwrap().0, even_odd(&domain.fft(&x)));
    let (w, _) = device.upload(&x).unwrap();
    device.mul_on_card(&v, &w).unwrap();
    let product: Vec<F> = even_odd(&domain.fft(&x))
        .iter()
        .zip(&x)
        .map(|(p, q)| *p * q)
        .collect();
    assert_eq!(device.download(&v).unwrap().0, product);
}

#[test]
fn transforms_in_halves_equal_ark_poly() {
    halves::<ark_bn254::FrConfig>("sim:sim-small");
    halves::<ark_bls12_381::FrConfig>("sim:sim-bls12-381");
}

/// ark-groth16's h from a, b, c: interpolated, evaluated on the coset, a·b − c,
/// interpolated from the coset (ark-poly), and the sum Σ h_i·H_i / Z_H(g) by arkworks.
fn ark_expected(
    abc: &[Vec<ark_bn254::Fr>],
    h_query: &[ark_bn254::G1Affine],
) -> ark_bn254::G1Projective {
    type F = ark_bn254::Fr;
    let n = abc[0].len();
    let domain = Radix2EvaluationDomain::<F>::new(n).unwrap();
    let g = F::GENERATOR;
    let coset = domain.get_coset(g).unwrap();
    let evals: Vec<Vec<F>> = abc.iter().map(|v| coset.fft(&domain.ifft(v))).collect();
    let q: Vec<F> = (0..n)
        .map(|i| evals[0][i] * evals[1][i] - evals[2][i])
        .collect();
    let h = coset.ifft(&q);
    let z_inv = (g.pow([n as u64]) - F::ONE).inverse().unwrap();
    ark_bn254::G1Projective::msm(h_query, &h[..h_query.len()]).unwrap() * z_inv
}

/// snarkjs's: a, b, c evaluated on the odd powers of ω₂ₙ, Σ (a·b − c)_i·H_i.
fn snarkjs_expected(
    abc: &[Vec<ark_bn254::Fr>],
    h_query: &[ark_bn254::G1Affine],
    odd: ark_bn254::Fr,
) -> ark_bn254::G1Projective {
    type F = ark_bn254::Fr;
    let n = abc[0].len();
    let domain = Radix2EvaluationDomain::<F>::new(n).unwrap();
    let coset = domain.get_coset(odd).unwrap();
    let evals: Vec<Vec<F>> = abc.iter().map(|v| coset.fft(&domain.ifft(v))).collect();
    let h: Vec<F> = (0..n)
        .map(|i| evals[0][i] * evals[1][i] - evals[2][i])
        .collect();
    ark_bn254::G1Projective::msm(h_query, &h[..h_query.len()]).unwrap()
}

/// The QAP step laid out in halves on sim-small equals arkworks for both reductions (and
/// the whole layout on the same card): halves of one job (2^9) and of four-steps (2^12).
/// Its jobs are the `model:` device's, job for job, and its busy cycles within 3 % (and
/// 40 cycles a job) of the model's.
#[test]
fn the_qap_step_in_halves_equals_arkworks_and_the_model() {
    type F = ark_bn254::Fr;
    let device = Device::open("sim:sim-small").unwrap();
    let model = ModelCard::open("model:sim-small").unwrap();
    let core = device.capabilities().ntt_log_size;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for log_n in [9, core + 4] {
        let n = 1usize << log_n;
        let abc: Vec<Vec<F>> = (0..3).map(|k| random(n, 40 + k + log_n as u64)).collect();
        let h_query: Vec<ark_bn254::G1Affine> = (0..n - 1)
            .map(|_| ark_bn254::G1Projective::rand(&mut rng).into_affine())
            .collect();
        let odd = F::get_root_of_unity(2 * n as u64).unwrap();
        for (reduction, expected) in [
            (Reduction::Ark, ark_expected(&abc, &h_query)),
            (
                Reduction::Snarkjs { odd },
                snarkjs_expected(&abc, &h_query, odd),
            ),
        ] {
            let abc_ref = [&abc[0][..], &abc[1][..], &abc[2][..]];
            let (sum, report) =
                qap_on_card::run(&device, abc_ref, &h_query, reduction, Layout::Halves).unwrap();
            assert_eq!(sum, expected, "2^{log_n} {reduction:?} in halves");
            let (whole, _) =
                qap_on_card::run(&device, abc_ref, &h_query, reduction, Layout::Whole).unwrap();
            assert_eq!(whole, expected, "2^{log_n} {reduction:?} whole");
            let (modelled, projected) = model
                .qap_run(abc_ref, &h_query, reduction, Layout::Halves)
                .unwrap();
            assert_eq!(modelled, expected, "the model's arithmetic");
            let (b, m) = (&report.device, &projected.device);
            assert_eq!((m.jobs, m.elements), (b.jobs, b.elements), "2^{log_n} jobs");
            let (bc, mc) = (b.busy_cycles as f64, m.busy_cycles as f64);
            println!(
                "2^{log_n} {reduction:?}: board {bc} cycles, model {mc}, {} jobs",
                b.jobs
            );
            // 3 %, and 40 cycles a job (as the job-by-job check allows).
            assert!(
                (bc - mc).abs() <= 0.03 * bc + 40.0 * b.jobs as f64,
                "2^{log_n} {reduction:?}: board {bc} cycles, model {mc}"
            );
        }
    }
    assert_eq!(
        device.card_memory().1,
        device.card_memory().0,
        "every vector freed"
    );
}

/// The layout rule the driver and the model share: whole up to N², halves at 2·N², none
/// above (or when four vectors do not fit).
#[test]
fn the_layout_follows_the_core_and_the_memory() {
    let device = Device::open("sim:sim-small").unwrap();
    let caps = device.capabilities();
    let core = caps.ntt_log_size;
    let free = caps.card_memory_bytes();
    assert_eq!(
        qap_on_card::layout(caps, free, 1 << 4, false),
        Some(Layout::Whole)
    );
    // Preferred halves where they fit (halves of a page up to N²), else as before.
    assert_eq!(
        qap_on_card::layout(caps, free, 1 << 9, true),
        Some(Layout::Halves)
    );
    assert_eq!(
        qap_on_card::layout(caps, free, 1 << 4, true),
        Some(Layout::Whole)
    );
    assert_eq!(
        qap_on_card::layout(caps, free, 1 << (2 * core), false),
        Some(Layout::Whole)
    );
    // sim-small's 2·N² exceeds its job limit; a card with a larger limit runs it in halves.
    let mut big = caps.clone();
    big.max_count = 1 << 20;
    let free_big = 1u64 << 30;
    assert_eq!(
        qap_on_card::layout(&big, free_big, 2 << (2 * core), false),
        Some(Layout::Halves)
    );
    assert_eq!(
        qap_on_card::layout(&big, free_big, 4 << (2 * core), false),
        None
    );
    assert_eq!(
        qap_on_card::layout(&big, 1 << 20, 2 << (2 * core), false),
        None,
        "memory"
    );
}

/// Whole proofs with their QAP step in halves (preferred on a small domain, as a domain of
/// 2·N² takes it): an ark-groth16 proof equals ark-groth16's, and a circom proof (snarkjs's
/// reduction) equals the CPU's, both verified.
#[test]
fn proofs_with_the_qap_in_halves_equal_arkworks_and_the_cpu() {
    use std::sync::Arc;
    use zkpipe::backend::{Backend, BoardBackend};
    use zkpipe::circom::{open_wtns, CircomProver, Zkey};
    use zkpipe_tests::groth16::{mimc_key, prove_equals_ark_groth16};
    type E = ark_bn254::Bn254;
    let device = Arc::new(Device::open("sim:sim-small").unwrap());
    let (circuit, pk) = mimc_key::<E>(300, 3, 6);
    let whole = BoardBackend::new(device.clone());
    // Twice: the second proof finds the key's bases resident, as the one in halves will.
    prove_equals_ark_groth16(&whole, &pk, &circuit, 5, 6);
    let in_whole = prove_equals_ark_groth16(&whole, &pk, &circuit, 5, 6);
    device.prefer_qap_halves(true);
    let halves = BoardBackend::new(device.clone());
    let in_halves = prove_equals_ark_groth16(&halves, &pk, &circuit, 5, 6);
    assert_eq!(in_halves.domain_size, 512);
    assert_eq!(in_halves.backend.qap_on_card_calls, 1);
    // 2^9 points on the 2^8 core. Whole: per vector an upload, two four-steps (two jobs
    // each) and a powmul, 6 jobs; the final transform and powmul 3. In halves: per vector
    // the upload, two transforms of a pairs job, a twiddle job and two halves of one job
    // each, and the interleaved powmul, 10; the final 5. 14 more.
    assert_eq!(
        in_halves.backend.device.jobs,
        in_whole.backend.device.jobs + 3 * 4 + 2,
        "the QAP step's jobs in halves"
    );
    // snarkjs's reduction (a circom key) in halves.
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/circom/poseidon");
    let zkey = Zkey::<E>::open(&dir.join("circuit.zkey")).unwrap();
    let witness = open_wtns(&dir.join("witness.wtns")).unwrap();
    let domain = zkey.pk.h_query.len();
    assert!(
        domain >= 256,
        "poseidon's domain {domain} has halves of a page"
    );
    let cpu = CircomProver::open(zkey.clone(), &["cpu"]).unwrap();
    let boards: Vec<Box<dyn Backend<E>>> = vec![Box::new(BoardBackend::new(device.clone()))];
    let card = CircomProver::new(zkey, boards).unwrap();
    let (r, s) = (F::from(123u64), F::from(456u64));
    let on_cpu = cpu.prove_with_randomness(&witness, r, s).unwrap();
    let on_card = card.prove_with_randomness(&witness, r, s).unwrap();
    assert_eq!(on_card.proof, on_cpu.proof, "poseidon in halves");
    assert!(on_card.report.verified);
    assert_eq!(on_card.report.backend.qap_on_card_calls, 1);
    type F = ark_bn254::Fr;
}
