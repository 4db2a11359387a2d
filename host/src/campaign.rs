//! The fault campaign (feature `sim`): jobs and proofs on a simulated board with a fault
//! injected into each run — its kind, the workload (engine), the job it hits and, for a
//! stream corruption, the beat and bit all drawn from a seed — and a tally of what came of
//! it. The one outcome that must never happen is a wrong result returned; after every run
//! the same workload runs again without a fault and must succeed (the board recovered,
//! nothing the caller gave was lost).
//!
//! `zkpipe faults --device sim:sim-small --runs 1000 --seed 1` runs it; a short campaign is
//! in the default test suite (`tests/tests/suite/fault_campaign.rs`).
//!
//! Kinds ([`kinds`]): a DMA read error, a stuck engine, a short stream, a bit flipped in a
//! host-to-card or card-to-host beat, and the card's own FAULT_INJECT faults (a lost
//! deferral, a wrong adder, a wrong bucket reduction, a corrupted read of the MSM engine's
//! base memory). Card memory beyond the MSM engines' base memory does not exist yet, so no
//! fault targets it. FAULT_INJECT corrupt_scalar is left out: it stands for a scalar wrong
//! before the card's checks, which no job can detect (only a proof's `verify` can, as the
//! groth16_board test shows).

use crate::backend::BoardBackend;
use crate::elementwise::Scalar;
use crate::error::{Error, Result};
use crate::groth16::{self, circuits::MimcChain, ProveOptions};
use crate::msm::BoardCurve;
use crate::ntt::{self, Coset, Direction};
use crate::{Device, Fault};
use ark_ec::models::short_weierstrass::{Affine, Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{AdditiveGroup, FftField, Field, MontConfig, UniformRand};
use ark_groth16::{Groth16, Proof, ProvingKey};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use zkpipe_spec::preset::{Curve, Group};

/// The fault kinds a campaign draws from: [`Fault::NAMES`] but corrupt-scalar (a scalar
/// wrong before the card's checks, which no job can detect).
pub fn kinds() -> Vec<&'static str> {
    Fault::NAMES
        .into_iter()
        .filter(|k| *k != "corrupt-scalar")
        .collect()
}

/// What a campaign runs; the defaults are the benchmark's.
#[derive(Clone, Debug)]
pub struct CampaignConfig {
    /// Runs, one fault each.
    pub runs: usize,
    /// Seed of every random choice and input.
    pub seed: u64,
    /// How long a job may take before the device is declared hung, beyond twice what its
    /// workload took without a fault (a stuck engine costs about this much wall time; the
    /// margin keeps a slow simulated job, such as a G2 MSM at issue interval 3, from
    /// passing for a hung one).
    pub timeout: Duration,
    /// Elements of the vec workload and points of the G1 MSM (the G2 MSM takes a quarter).
    pub elements: usize,
    /// log2 of the NTT workload's size.
    pub ntt_log_n: u32,
    /// Constraints of the proof workload's MiMC circuit.
    pub proof_constraints: usize,
    /// log2 of the QAP workload's domain, laid out in halves (halves of 128 points up to
    /// N²; clamped to that range).
    pub qap_log_n: u32,
}

impl Default for CampaignConfig {
    fn default() -> Self {
        CampaignConfig {
            runs: 1000,
            seed: 1,
            timeout: Duration::from_secs(3),
            elements: 64,
            ntt_log_n: 6,
            proof_constraints: 32,
            qap_log_n: 10,
        }
    }
}

/// Jobs of the NTT workload's run (its input's quarters, one NTT each).
const NTT_RUN_JOBS: usize = 4;

/// The work a run does while its fault is armed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "kebab-case")
)]
pub enum Workload {
    /// An elementwise product (one job).
    Vec,
    /// An NTT, then NTTs of its input's quarters as a run of appended jobs.
    Ntt,
    /// A G1 MSM over bases resident on the card.
    Msm,
    /// A G2 MSM over resident bases.
    MsmG2,
    /// A Groth16 proof on the board, checked with `verify`.
    Proof,
    /// The QAP step and h's MSM in card memory, laid out in halves (the layout of domains
    /// of 2·N², forced on a small domain: `qap_log_n`), against arkworks.
    Qap,
}

impl Workload {
    /// Whether it runs jobs on an MSM engine (the card's FAULT_INJECT faults are the MSM
    /// units').
    pub fn uses_msm(self) -> bool {
        matches!(
            self,
            Workload::Msm | Workload::MsmG2 | Workload::Proof | Workload::Qap
        )
    }

    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Vec => "vec",
            Workload::Ntt => "ntt",
            Workload::Msm => "msm",
            Workload::MsmG2 => "msm-g2",
            Workload::Proof => "proof",
            Workload::Qap => "qap",
        }
    }
}

/// What came of one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "kebab-case")
)]
pub enum Outcome {
    /// A typed error: the caller knows the result is missing.
    Error,
    /// A proof that failed `verify` and was not returned ([`Error::ProofRejected`]).
    Rejected,
    /// The right result: the fault did not touch what the workload computed (a fault of
    /// an engine the workload does not use, or one that did not fire).
    Unaffected,
    /// A wrong result returned as if right: the failure the campaign exists to find.
    Wrong,
}

/// One run.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RunRecord {
    /// Index of the run.
    pub run: usize,
    /// The fault's kind ([`kinds`]).
    pub fault: &'static str,
    /// The workload.
    pub workload: Workload,
    /// The workload's job the fault was armed for (0: its first).
    pub job: u32,
    /// Whether the fault hit (a stream corruption past the stream's end does not).
    pub fired: bool,
    /// What came of it.
    pub outcome: Outcome,
    /// The error, if any.
    pub error: Option<String>,
    /// The caller's data is as it was given (an NTT fails with its input unchanged).
    pub input_kept: bool,
    /// The same workload, run again without a fault, gave the right result.
    pub recovered: bool,
}

/// Counts over a set of runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Tally {
    /// Runs.
    pub runs: usize,
    /// Runs whose fault hit a job.
    pub injected: usize,
    /// Typed errors.
    pub errors: usize,
    /// Proofs rejected by `verify`.
    pub rejected: usize,
    /// Right results (the fault did not touch them).
    pub unaffected: usize,
    /// Wrong results returned (goal: 0).
    pub wrong: usize,
    /// Runs whose caller data changed (goal: 0).
    pub inputs_lost: usize,
    /// Runs after which the board gave the right result again (goal: every run).
    pub recovered: usize,
}

impl Tally {
    fn add(&mut self, r: &RunRecord) {
        self.runs += 1;
        self.injected += r.fired as usize;
        match r.outcome {
            Outcome::Error => self.errors += 1,
            Outcome::Rejected => self.rejected += 1,
            Outcome::Unaffected => self.unaffected += 1,
            Outcome::Wrong => self.wrong += 1,
        }
        self.inputs_lost += !r.input_kept as usize;
        self.recovered += r.recovered as usize;
    }
}

/// A campaign's results.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CampaignReport {
    /// The board.
    pub device: String,
    /// The seed.
    pub seed: u64,
    /// All runs.
    pub total: Tally,
    /// Per fault kind.
    pub by_fault: BTreeMap<&'static str, Tally>,
    /// Per workload.
    pub by_workload: BTreeMap<&'static str, Tally>,
    /// Typed errors by kind (the error variant, or the card's error code).
    pub errors: BTreeMap<String, usize>,
    /// Jobs each workload makes (the moments a fault can hit).
    pub jobs_per_workload: BTreeMap<&'static str, u32>,
    /// Runs that returned a wrong result, lost input or left the board broken.
    pub failures: Vec<RunRecord>,
    /// Wall time of the campaign.
    pub seconds: f64,
}

impl CampaignReport {
    /// Whether the campaign met its goals: no wrong result, no lost input, recovery after
    /// every run.
    pub fn passed(&self) -> bool {
        self.total.wrong == 0
            && self.total.inputs_lost == 0
            && self.total.recovered == self.total.runs
    }
}

/// Runs a campaign on `device` (a simulated board), calling `progress` after each run.
/// BN254 and BLS12-381 boards; a faulted run's timeout is `config.timeout` plus twice its
/// workload's fault-free time, and the device has its default timeout again after.
pub fn run(
    device: &Arc<Device>,
    config: &CampaignConfig,
    progress: impl FnMut(&RunRecord),
) -> Result<CampaignReport> {
    device.with_sim_board(|b| b.disarm())?;
    let report = match device.capabilities().curve() {
        Some(Curve::Bn254) => {
            Campaign::<ark_bn254::Bn254, ark_bn254::FrConfig>::new(device, config)
                .and_then(|c| c.run(progress))
        }
        Some(Curve::Bls12_381) => {
            Campaign::<ark_bls12_381::Bls12_381, ark_bls12_381::FrConfig>::new(device, config)
                .and_then(|c| c.run(progress))
        }
        None => Err(Error::Unsupported {
            device: device.uri().to_string(),
            what: "a fault campaign on this curve (BN254 and BLS12-381 boards only)",
        }),
    };
    device.set_timeout(None);
    let _ = device.with_sim_board(|b| b.disarm());
    report
}

/// The name of an error's kind, for the tally.
fn error_kind(e: &Error) -> String {
    match e {
        Error::Hardware { error, .. } => format!("Hardware({error:?})"),
        other => {
            let debug = format!("{other:?}");
            debug
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("Error")
                .to_string()
        }
    }
}

/// The fault kinds, each with its stream position drawn where it has one.
fn draw_fault(kind: &'static str, rng: &mut StdRng) -> Fault {
    let fault: Fault = kind.parse().expect("a known fault name");
    let (beat, bit) = (rng.gen_range(0..4), rng.gen_range(0..512));
    match fault {
        Fault::CorruptH2c { .. } => Fault::CorruptH2c { beat, bit },
        Fault::CorruptC2h { .. } => Fault::CorruptC2h { beat, bit },
        other => other,
    }
}

struct Campaign<'a, E: Pairing, C: MontConfig<4>> {
    device: &'a Arc<Device>,
    board: BoardBackend,
    config: &'a CampaignConfig,
    rng: StdRng,
    workloads: Vec<Workload>,
    vec_b: Vec<Scalar<C>>,
    ntt_input: Vec<Scalar<C>>,
    g1_bases: Vec<E::G1Affine>,
    g2_bases: Vec<E::G2Affine>,
    pk: ProvingKey<E>,
    circuit: MimcChain<E::ScalarField>,
    rs: (E::ScalarField, E::ScalarField),
    expected_proof: Proof<E>,
    qap: QapInput<E>,
}

/// The QAP workload's vectors, H points and their sum by arkworks.
struct QapInput<E: Pairing> {
    abc: [Vec<E::ScalarField>; 3],
    h_query: Vec<E::G1Affine>,
    expected: E::G1,
}

impl<E: Pairing> QapInput<E> {
    /// Random a, b, c over 2^log_n points and n − 1 H points (ark-groth16's shape), and
    /// Σ h_i·H_i / Z_H(g) from ark-poly's h.
    fn new(log_n: u32, rng: &mut StdRng) -> Self {
        type Domain<F> = Radix2EvaluationDomain<F>;
        let n = 1usize << log_n;
        let abc = [0, 1, 2].map(|_| (0..n).map(|_| E::ScalarField::rand(rng)).collect());
        let h_query =
            E::G1::normalize_batch(&(0..n - 1).map(|_| E::G1::rand(rng)).collect::<Vec<_>>());
        let domain = Domain::<E::ScalarField>::new(n).expect("a two-adic size");
        let g = E::ScalarField::GENERATOR;
        let coset = domain.get_coset(g).expect("an invertible offset");
        let evals: Vec<Vec<_>> = abc
            .iter()
            .map(|v: &Vec<_>| coset.fft(&domain.ifft(v)))
            .collect();
        let q: Vec<_> = (0..n)
            .map(|i| evals[0][i] * evals[1][i] - evals[2][i])
            .collect();
        let h = coset.ifft(&q);
        let z_inv = (g.pow([n as u64]) - E::ScalarField::ONE)
            .inverse()
            .expect("g is off the domain");
        let expected = E::G1::msm(&h_query, &h[..n - 1]).expect("equal lengths") * z_inv;
        QapInput {
            abc,
            h_query,
            expected,
        }
    }
}

/// The scalar field of the card's curve as the device's elementwise engine takes it.
impl<'a, E, C, P1, P2> Campaign<'a, E, C>
where
    C: MontConfig<4>,
    P1: BoardCurve<ScalarField = Scalar<C>>,
    P2: BoardCurve<ScalarField = Scalar<C>>,
    E: Pairing<
        ScalarField = Scalar<C>,
        G1Affine = Affine<P1>,
        G2Affine = Affine<P2>,
        G1 = Projective<P1>,
        G2 = Projective<P2>,
    >,
{
    fn new(device: &'a Arc<Device>, config: &'a CampaignConfig) -> Result<Self> {
        let mut rng = StdRng::seed_from_u64(config.seed);
        let caps = device.capabilities();
        let mut workloads = vec![Workload::Vec, Workload::Proof];
        if caps.ntt_log_size > 0 {
            workloads.push(Workload::Ntt);
        }
        if device.has_msm_engine(Group::G1) {
            workloads.push(Workload::Msm);
        }
        if device.has_msm_engine(Group::G2) {
            workloads.push(Workload::MsmG2);
        }
        // Halves of 128 points (a page) up to N².
        let qap_log_n = config
            .qap_log_n
            .clamp(8, (2 * caps.ntt_log_size + 1).max(8));
        let qap_fits = crate::qap_on_card::layout(caps, caps.card_memory_bytes(), 1 << 4, false)
            .is_some()
            && caps.ntt_log_size > 0
            && (1u64 << qap_log_n) <= caps.max_count as u64;
        if qap_fits {
            workloads.push(Workload::Qap);
        }
        workloads.sort();
        let n = config.elements.max(4);
        let random_points = |n: usize, rng: &mut StdRng| -> Vec<Affine<P1>> {
            let p: Vec<Projective<P1>> = (0..n).map(|_| Projective::rand(rng)).collect();
            Projective::normalize_batch(&p)
        };
        let g1_bases = random_points(n, &mut rng);
        let g2: Vec<Projective<P2>> = (0..n / 4).map(|_| Projective::rand(&mut rng)).collect();
        let circuit =
            MimcChain::with_constraints(E::ScalarField::rand(&mut rng), config.proof_constraints);
        let pk = Groth16::<E>::generate_random_parameters_with_reduction(circuit.clone(), &mut rng)
            .map_err(|e| Error::Circuit(e.to_string()))?;
        let rs = (
            E::ScalarField::rand(&mut rng),
            E::ScalarField::rand(&mut rng),
        );
        let expected_proof =
            Groth16::<E>::create_proof_with_reduction(circuit.clone(), &pk, rs.0, rs.1)
                .map_err(|e| Error::Circuit(e.to_string()))?;
        let qap = QapInput::new(if qap_fits { qap_log_n } else { 2 }, &mut rng);
        Ok(Campaign {
            device,
            board: BoardBackend::new(device.clone()),
            config,
            vec_b: (0..n).map(|_| Scalar::<C>::rand(&mut rng)).collect(),
            ntt_input: (0..1usize << config.ntt_log_n)
                .map(|_| Scalar::<C>::rand(&mut rng))
                .collect(),
            g1_bases,
            g2_bases: Projective::normalize_batch(&g2),
            workloads,
            pk,
            circuit,
            rs,
            expected_proof,
            qap,
            rng,
        })
    }

    /// Scalars for one run: random, with the edge values 0, 1 and −1 at the end (the
    /// first point is the one the base-memory fault corrupts: a zero scalar would hide it).
    fn scalars(&mut self, n: usize) -> Vec<Scalar<C>> {
        let edge = [Scalar::<C>::ZERO, Scalar::<C>::ONE, -Scalar::<C>::ONE];
        let mut s: Vec<_> = (0..n).map(|_| Scalar::<C>::rand(&mut self.rng)).collect();
        let k = edge.len().min(n);
        s[n - k..].copy_from_slice(&edge[..k]);
        s
    }

    /// Runs `workload` once; `Ok(true)` if its result is right, `Ok(false)` if wrong,
    /// `Err` if it failed; the flag says whether the caller's data is unchanged.
    fn attempt(&mut self, workload: Workload) -> (Result<bool>, bool) {
        let device = self.device.as_ref();
        match workload {
            Workload::Vec => {
                let a = self.scalars(self.vec_b.len());
                let expected: Vec<_> = a.iter().zip(&self.vec_b).map(|(x, y)| *x * y).collect();
                (
                    device.mul::<C>(&a, &self.vec_b).map(|(r, _)| r == expected),
                    true,
                )
            }
            Workload::Ntt => {
                // One transform of the whole input, then its NTT_RUN_JOBS quarters as jobs
                // of one run (appended to each other on a card with the waiting slot).
                let mut data = self.ntt_input.clone();
                let domain =
                    Radix2EvaluationDomain::<Scalar<C>>::new(data.len()).expect("a two-adic size");
                let expected = domain.fft(&self.ntt_input);
                if let Err(e) = ntt::ntt(device, &mut data, Direction::Forward, Coset::None) {
                    return (Err(e), data == self.ntt_input);
                }
                if data != expected {
                    return (Ok(false), true);
                }
                let part = (self.ntt_input.len() / NTT_RUN_JOBS).max(2);
                if part > self.ntt_input.len() {
                    return (Ok(true), true);
                }
                let quarter =
                    Radix2EvaluationDomain::<Scalar<C>>::new(part).expect("a two-adic size");
                let expected: Vec<_> = self
                    .ntt_input
                    .chunks(part)
                    .flat_map(|c| quarter.fft(c))
                    .collect();
                let job = ntt::NttJob {
                    log_n: part.trailing_zeros(),
                    direction: Direction::Forward,
                    factor: ntt::Factor::Plain,
                };
                let jobs = vec![(part, job); self.ntt_input.len() / part];
                let mut data = self.ntt_input.clone();
                match device.ntt_run::<C>(&mut data, &jobs) {
                    Ok(_) => (Ok(data == expected), true),
                    Err(e) => (Err(e), data == self.ntt_input),
                }
            }
            Workload::Msm => {
                let scalars = self.scalars(self.g1_bases.len());
                let expected =
                    Projective::<P1>::msm(&self.g1_bases, &scalars).expect("equal lengths");
                let got = device.msm::<P1>(&self.g1_bases, &scalars);
                (got.map(|(p, _)| p == expected), true)
            }
            Workload::MsmG2 => {
                let scalars = self.scalars(self.g2_bases.len());
                let expected =
                    Projective::<P2>::msm(&self.g2_bases, &scalars).expect("equal lengths");
                let got = device.msm::<P2>(&self.g2_bases, &scalars);
                (got.map(|(p, _)| p == expected), true)
            }
            Workload::Proof => {
                let got = groth16::prove::<E, _>(
                    &self.board,
                    &self.pk,
                    self.circuit.clone(),
                    self.rs.0,
                    self.rs.1,
                    ProveOptions { verify: true },
                );
                (got.map(|(proof, _)| proof == self.expected_proof), true)
            }
            Workload::Qap => {
                let [a, b, c] = &self.qap.abc;
                let got = crate::qap_on_card::run::<C, P1>(
                    device,
                    [a, b, c],
                    &self.qap.h_query,
                    crate::backend::Reduction::Ark,
                    crate::qap_on_card::Layout::Halves,
                );
                (got.map(|(sum, _)| sum == self.qap.expected), true)
            }
        }
    }

    fn jobs(&self) -> Result<u64> {
        self.device.with_sim_board(|b| b.jobs_started())
    }

    fn fired(&self) -> Result<u64> {
        self.device.with_sim_board(|b| b.faults_fired())
    }

    fn run(mut self, mut progress: impl FnMut(&RunRecord)) -> Result<CampaignReport> {
        let started = Instant::now();
        // Each workload twice without a fault (and the device's default timeout): the
        // board works, resident bases are loaded, and the second run's jobs are the
        // moments a fault can hit; its wall time sets the workload's timeout.
        let mut jobs_per = BTreeMap::new();
        let mut timeout_per = BTreeMap::new();
        self.device.set_timeout(None);
        for w in self.workloads.clone() {
            for _ in 0..2 {
                let before = self.jobs()?;
                let t0 = Instant::now();
                let (result, _) = self.attempt(w);
                timeout_per.insert(w, self.config.timeout + 2 * t0.elapsed());
                if !result? {
                    return Err(Error::Protocol {
                        device: self.device.uri().to_string(),
                        reason: format!("the {} workload is wrong without a fault", w.name()),
                    });
                }
                jobs_per.insert(w, (self.jobs()? - before).max(1) as u32);
            }
        }
        let mut report = CampaignReport {
            device: self.device.uri().to_string(),
            seed: self.config.seed,
            total: Tally::default(),
            by_fault: BTreeMap::new(),
            by_workload: BTreeMap::new(),
            errors: BTreeMap::new(),
            jobs_per_workload: jobs_per.iter().map(|(w, j)| (w.name(), *j)).collect(),
            failures: vec![],
            seconds: 0.0,
        };
        // Kinds in a fresh random order every cycle of all kinds: every kind equally often.
        let mut kinds = kinds();
        for run in 0..self.config.runs {
            if run % kinds.len() == 0 {
                kinds.shuffle(&mut self.rng);
            }
            let kind = kinds[run % kinds.len()];
            let fault = draw_fault(kind, &mut self.rng);
            // The card's MSM faults go to a workload that uses an MSM engine.
            let candidates: Vec<Workload> = match fault {
                Fault::Card(_) => self
                    .workloads
                    .iter()
                    .copied()
                    .filter(|w| w.uses_msm())
                    .collect(),
                _ => self.workloads.clone(),
            };
            let workload = *candidates
                .choose(&mut self.rng)
                .expect("proof is always there");
            let job = self.rng.gen_range(0..jobs_per[&workload]);
            let fired_before = self.fired()?;
            self.device.set_timeout(Some(timeout_per[&workload]));
            self.device.with_sim_board(|b| b.inject_at(fault, job))?;
            let (result, input_kept) = self.attempt(workload);
            self.device.with_sim_board(|b| b.disarm())?;
            let fired = self.fired()? > fired_before;
            let (outcome, error) = match &result {
                Ok(true) => (Outcome::Unaffected, None),
                Ok(false) => (Outcome::Wrong, None),
                Err(Error::ProofRejected { .. }) => (Outcome::Rejected, None),
                Err(e) => (Outcome::Error, Some(e)),
            };
            if let Some(e) = error {
                *report.errors.entry(error_kind(e)).or_default() += 1;
            }
            let recovered = matches!(self.attempt(workload).0, Ok(true));
            let record = RunRecord {
                run,
                fault: kind,
                workload,
                job,
                fired,
                outcome,
                error: error.map(|e| e.to_string()),
                input_kept,
                recovered,
            };
            report.total.add(&record);
            report.by_fault.entry(kind).or_default().add(&record);
            report
                .by_workload
                .entry(workload.name())
                .or_default()
                .add(&record);
            if outcome == Outcome::Wrong || !input_kept || !recovered {
                report.failures.push(record.clone());
            }
            progress(&record);
        }
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_kinds_name_the_variant_or_the_card_code() {
        let e = Error::Hardware {
            device: "sim:x".into(),
            error: zkpipe_spec::regs::HwError::LostDeferral,
        };
        assert_eq!(error_kind(&e), "Hardware(LostDeferral)");
        let e = Error::StreamCorrupted {
            device: "sim:x".into(),
            direction: "host-to-card",
            card: 1,
            host: 2,
        };
        assert_eq!(error_kind(&e), "StreamCorrupted");
    }

    #[test]
    fn every_fault_name_parses_and_stream_faults_get_a_position() {
        let mut rng = StdRng::seed_from_u64(3);
        assert_eq!(kinds().len(), Fault::NAMES.len() - 1);
        // The card's faults are FAULT_INJECT's fields, one flag each.
        use zkpipe_spec::regs::FaultInject;
        let base: Fault = "corrupt-base".parse().unwrap();
        let expected = FaultInject {
            corrupt_base: true,
            ..Default::default()
        };
        assert_eq!(base, Fault::Card(expected));
        for name in [
            "drop-deferral",
            "corrupt-adder",
            "corrupt-reduce",
            "corrupt-scalar",
        ] {
            match name.parse::<Fault>() {
                Ok(Fault::Card(f)) => assert_eq!(f.encode().count_ones(), 1, "{name}"),
                other => panic!("{name}: {other:?}"),
            }
        }
        assert!("corrupt-nothing".parse::<Fault>().is_err());
        for name in Fault::NAMES {
            let f = draw_fault(name, &mut rng);
            if let Fault::CorruptH2c { beat, bit } | Fault::CorruptC2h { beat, bit } = f {
                assert!(beat < 4 && bit < 512);
            }
        }
    }

    #[test]
    fn a_wrong_result_or_a_broken_board_fails_the_campaign() {
        let record = |outcome, recovered| RunRecord {
            run: 0,
            fault: "stuck",
            workload: Workload::Vec,
            job: 0,
            fired: true,
            outcome,
            error: None,
            input_kept: true,
            recovered,
        };
        let report = |records: &[RunRecord]| {
            let mut total = Tally::default();
            records.iter().for_each(|r| total.add(r));
            CampaignReport {
                device: String::new(),
                seed: 0,
                total,
                by_fault: BTreeMap::new(),
                by_workload: BTreeMap::new(),
                errors: BTreeMap::new(),
                jobs_per_workload: BTreeMap::new(),
                failures: vec![],
                seconds: 0.0,
            }
        };
        assert!(report(&[
            record(Outcome::Error, true),
            record(Outcome::Rejected, true)
        ])
        .passed());
        assert!(!report(&[record(Outcome::Wrong, true)]).passed());
        assert!(!report(&[record(Outcome::Error, false)]).passed());
    }
}
