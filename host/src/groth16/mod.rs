//! A Groth16 prover whose heavy kernels run on a [`Backend`]: the proof is
//! `ark_groth16::Proof<E>`, equal bit for bit to ark-groth16's prover output for the same
//! randomness (r, s), and accepted by the unmodified `ark_groth16` verifier.
//!
//! It mirrors ark-groth16 0.5 (`LibsnarkReduction` + `create_proof_with_assignment`):
//! * witness map: a = A·z, b = B·z over the constraints (and the instance appended to a),
//!   then iNTT, coset NTT (offset `F::GENERATOR`) of a and b, a∘b, c = C·z through iNTT and
//!   coset NTT, (a∘b − c)·Z_H(g)⁻¹, coset iNTT → h: the seven NTTs and the pointwise steps
//!   on the backend; the sparse matrix–vector products on the host (parallel);
//! * `A = α + a_query[0] + Σ z_i·a_query[i+1] + r·δ`, B (G2 and G1) likewise with β and
//!   s·δ, `C = s·A + r·B₁ − rs·δ + Σ w_i·l_query[i] + Σ h_i·h_query[i]`: the four G1 MSMs
//!   and the G2 MSM on the backend.
//!
//! ark-groth16 computes B in G1 only when r ≠ 0 (it is multiplied by r); so does this.

pub mod circuits;
pub(crate) mod qap;
pub mod timeline;

use qap::witness_map;

use crate::backend::{Alongside, Backend, BackendStats};
use crate::error::{Error, Result};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{Field, Zero};
use ark_groth16::{Groth16, PreparedVerifyingKey, Proof, ProvingKey};
use ark_relations::r1cs::{
    ConstraintMatrices, ConstraintSynthesizer, ConstraintSystem, OptimizationGoal,
};
use std::time::{Duration, Instant};

/// Where one proof's time went.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProofReport {
    /// Constraints of the circuit.
    pub constraints: usize,
    /// The QAP domain size (a power of two ≥ constraints + inputs).
    pub domain_size: usize,
    /// Backend work of this proof (NTT, MSM, elementwise times; device cycles).
    pub backend: BackendStats,
    /// Host work outside the backend: matrix–vector products, group additions.
    pub host: Duration,
    /// Synthesis of the circuit by [`prove`]: the witness and the constraint matrices
    /// (ark-relations). Not part of the proof's time (`total`, `host`, the timeline): a
    /// proof runs from the full assignment in host memory, as rapidsnark's users measure
    /// it (a real prover has the matrices in its key and the witness from a generator).
    pub synthesis: Duration,
    /// Verification (when asked for).
    pub verify: Duration,
    /// Wall time of the whole proof.
    pub total: Duration,
    /// Whether the proof was checked with ark-groth16's verifier before being returned.
    pub verified: bool,
    /// Every backend call and the host work between them, on the card's clock.
    pub timeline: timeline::Timeline,
}

impl ProofReport {
    /// The proof's time on a real card, projected from a (simulated, modelled or real)
    /// board run: the end of its [`timeline`](Self::timeline) — device time of the card's
    /// steps at its clock and the host work that stays on the CPU (the prover's own, the
    /// NTTs' host steps, the MSMs' encodings and reductions), scheduled as the prover's
    /// threads issue them (the MSMs over the witness beside the rest where the card has a
    /// queue for its G2 engine; one after another elsewhere). `None` when no card did any
    /// work (the CPU backend).
    pub fn projected_card_s(&self) -> Option<f64> {
        (self.backend.device.jobs > 0).then(|| self.timeline.end_s())
    }

    /// The proof's time if the prover issued the QAP chain and the MSMs over the witness
    /// concurrently: the end of [`Timeline::overlapped`](timeline::Timeline::overlapped)
    /// (a projection: today's prover issues its calls one after another). `None` as for
    /// [`projected_card_s`](Self::projected_card_s).
    pub fn projected_overlapped_s(&self) -> Option<f64> {
        (self.backend.device.jobs > 0).then(|| self.timeline.overlapped().end_s())
    }
}

/// Options of one proof.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProveOptions {
    /// Verify the proof with `ark_groth16` before returning it; a proof that does not
    /// verify is an error (a faulty card must never publish a wrong proof).
    pub verify: bool,
}

/// Proves from a circuit: synthesises it (ark-relations, optimised for constraints, as
/// ark-groth16 does) and calls [`prove_with_matrices`].
pub fn prove<E: Pairing, C: ConstraintSynthesizer<E::ScalarField>>(
    backend: &dyn Backend<E>,
    pk: &ProvingKey<E>,
    circuit: C,
    r: E::ScalarField,
    s: E::ScalarField,
    options: ProveOptions,
) -> Result<(Proof<E>, ProofReport)> {
    let started = Instant::now();
    let cs = ConstraintSystem::<E::ScalarField>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    circuit
        .generate_constraints(cs.clone())
        .map_err(|e| Error::Circuit(e.to_string()))?;
    if !cs
        .is_satisfied()
        .map_err(|e| Error::Circuit(e.to_string()))?
    {
        return Err(Error::Circuit(
            "the assignment does not satisfy the constraints".into(),
        ));
    }
    cs.finalize();
    let matrices = cs
        .to_matrices()
        .ok_or_else(|| Error::Circuit("no matrices (constraint system without a prover)".into()))?;
    let (num_inputs, num_constraints) = (cs.num_instance_variables(), cs.num_constraints());
    let full_assignment = {
        let cs = cs.borrow().expect("the constraint system is alive");
        [
            cs.instance_assignment.as_slice(),
            cs.witness_assignment.as_slice(),
        ]
        .concat()
    };
    let synthesis = started.elapsed();
    let (proof, mut report) = prove_with_matrices(
        backend,
        pk,
        r,
        s,
        &matrices,
        num_inputs,
        num_constraints,
        &full_assignment,
        options,
    )?;
    report.synthesis = synthesis;
    Ok((proof, report))
}

/// Proves from R1CS matrices and the full assignment z = (1, instance…, witness…).
#[allow(clippy::too_many_arguments)]
pub fn prove_with_matrices<E: Pairing>(
    backend: &dyn Backend<E>,
    pk: &ProvingKey<E>,
    r: E::ScalarField,
    s: E::ScalarField,
    matrices: &ConstraintMatrices<E::ScalarField>,
    num_inputs: usize,
    num_constraints: usize,
    full_assignment: &[E::ScalarField],
    options: ProveOptions,
) -> Result<(Proof<E>, ProofReport)> {
    let started = Instant::now();
    let recorder = timeline::Recorder::new(backend);
    let backend: &dyn Backend<E> = &recorder;
    let before = backend.stats();
    check_shapes(pk, matrices, num_inputs, num_constraints, full_assignment)?;
    std::thread::scope(|scope| {
        let g2 = issue_g2(scope, &recorder, pk, full_assignment);
        let evaluations = qap::evaluations(matrices, num_inputs, num_constraints, full_assignment)?;
        let domain_size = ark_poly::EvaluationDomain::size(&evaluations.1);
        // With card memory the whole QAP step and the h MSM stay on the card; else one
        // call at a time.
        let [a, b, c] = &evaluations.0;
        let on_card = backend.qap_h_msm([a, b, c], &pk.h_query, crate::backend::Reduction::Ark);
        let h = match on_card {
            Some(sum) => H::Sum(sum?),
            None => H::Coefficients(witness_map(backend, evaluations)?),
        };
        let mut report = ProofReport {
            constraints: num_constraints,
            domain_size,
            ..Default::default()
        };
        let proof = prove_from_h(
            &recorder,
            pk,
            r,
            s,
            h.as_ref(),
            g2,
            full_assignment,
            num_inputs,
            options,
            None,
            &mut report,
        )?;
        finish_report(&mut report, &recorder, &before, started);
        Ok((proof, report))
    })
}

/// [B]₂'s MSM over the assignment. Where the backend runs G2 MSMs beside its other calls
/// ([`Backend::g2_alongside`]: a card whose G2 engine has a job queue of its own) the
/// prover issues it before anything else — it needs only the assignment — on a thread of
/// its own (on a modelled card: computed first, and laid out beside the rest), and
/// collects it when it builds the proof; elsewhere it runs in its turn.
///
/// The G1 MSMs over the assignment stay in the prover's turn: on a board their first use
/// places the key's bases in the MSM unit's memory, and a thread of their own would race
/// h's MSM for that order, which the model card cannot follow cycle for cycle (tried:
/// `model::a_proof_on_the_model_equals_ark_groth16_and_the_boards_cycles` saw 31
/// accumulation cycles of 14,101 apart).
type G2Msm<'scope, E> = Pending<'scope, <E as Pairing>::G2>;

/// A call issued before the rest of the proof.
enum Pending<'scope, T> {
    /// On a thread of its own.
    Running(std::thread::ScopedJoinHandle<'scope, Result<T>>),
    /// Computed first (a modelled card).
    Done(Result<T>),
    /// Not issued yet: [`Pending::result`] runs it.
    Later,
}

impl<'scope, T: Send + 'scope> Pending<'scope, T> {
    fn issue<'env, E: Pairing>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        recorder: &'env timeline::Recorder<'_, E>,
        track: timeline::Track,
        f: impl FnOnce() -> Result<T> + Send + 'scope,
    ) -> Self {
        match recorder.g2_alongside() {
            how @ Alongside::Thread => {
                Pending::Running(scope.spawn(move || recorder.beside(track, how, f)))
            }
            how @ Alongside::Modelled => Pending::Done(recorder.beside(track, how, f)),
            Alongside::No => Pending::Later,
        }
    }

    /// The result: waiting for it, or running `now` in the prover's turn.
    fn result<E: Pairing>(
        self,
        recorder: &timeline::Recorder<'_, E>,
        now: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        match self {
            Pending::Running(thread) => {
                let waiting = Instant::now();
                let result = thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                recorder.waited(waiting);
                result
            }
            Pending::Done(result) => result,
            Pending::Later => now(),
        }
    }
}

/// L, [A]₁ and [B]₁ (zero when r is zero, as ark-groth16 skips it) over the assignment.
fn witness_g1<E: Pairing>(
    backend: &dyn Backend<E>,
    pk: &ProvingKey<E>,
    full_assignment: &[E::ScalarField],
    num_inputs: usize,
    r_is_zero: bool,
) -> Result<[E::G1; 3]> {
    let assignment = &full_assignment[1..];
    let l = backend.msm_g1(&pk.l_query, &full_assignment[num_inputs..])?;
    let a = backend.msm_g1(&pk.a_query[1..], assignment)?;
    let b = if r_is_zero {
        E::G1::zero()
    } else {
        backend.msm_g1(&pk.b_g1_query[1..], assignment)?
    };
    Ok([l, a, b])
}

/// Issues [`G2Msm`].
fn issue_g2<'scope, 'env, E: Pairing>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    recorder: &'env timeline::Recorder<'_, E>,
    pk: &'env ProvingKey<E>,
    full_assignment: &'env [E::ScalarField],
) -> G2Msm<'scope, E> {
    let (bases, scalars) = (&pk.b_g2_query[1..], &full_assignment[1..]);
    Pending::issue(scope, recorder, timeline::Track::G2, move || {
        recorder.msm_g2(bases, scalars)
    })
}

/// Proves with snarkjs's QAP reduction (circom keys: see [`crate::circom`]): `pk.h_query`
/// holds snarkjs's H points, `coefficients` the A and B matrices of the key, `z` the full
/// witness (1, public signals…, private signals…). `pvk`: the key's prepared verifying
/// key when the caller keeps one (preparing it costs a pairing: about half of a
/// verification), used when `options.verify`.
#[allow(clippy::too_many_arguments)]
pub fn prove_snarkjs<E: crate::circom::CircomCurve>(
    backend: &dyn Backend<E>,
    pk: &ProvingKey<E>,
    coefficients: &crate::circom::Coefficients<E::ScalarField>,
    n_public: usize,
    z: &[E::ScalarField],
    r: E::ScalarField,
    s: E::ScalarField,
    options: ProveOptions,
    pvk: Option<&PreparedVerifyingKey<E>>,
) -> Result<(Proof<E>, ProofReport)> {
    let started = Instant::now();
    let recorder = timeline::Recorder::new(backend);
    let backend: &dyn Backend<E> = &recorder;
    let before = backend.stats();
    let domain_size = pk.h_query.len();
    if z.len() != pk.a_query.len() {
        return Err(Error::WitnessLength {
            found: z.len(),
            expected: pk.a_query.len(),
        });
    }
    if z[0] != E::ScalarField::ONE {
        return Err(Error::Circuit(
            "witness value 0 must be the constant 1: is this a .wtns of this circuit?".into(),
        ));
    }
    if coefficients.a.len() != domain_size || coefficients.b.len() != domain_size {
        return Err(Error::Circuit(format!(
            "the key's matrices have {} and {} rows for a domain of {domain_size}",
            coefficients.a.len(),
            coefficients.b.len()
        )));
    }
    std::thread::scope(|scope| {
        let g2 = issue_g2(scope, &recorder, pk, z);
        let root = qap::snarkjs_two_adic_root::<E::ScalarField>(E::SNARKJS_NQR);
        let h = match qap::snarkjs_on_card(backend, coefficients, z, root, &pk.h_query) {
            Some(sum) => H::Sum(sum?),
            None => H::Coefficients(qap::snarkjs_witness_map(backend, coefficients, z, root)?),
        };
        let rows = coefficients
            .a
            .iter()
            .zip(&coefficients.b)
            .rposition(|(a, b)| !a.is_empty() || !b.is_empty())
            .map_or(0, |last| last + 1);
        let mut report = ProofReport {
            constraints: rows.saturating_sub(n_public + 1),
            domain_size,
            ..Default::default()
        };
        let proof = prove_from_h(
            &recorder,
            pk,
            r,
            s,
            h.as_ref(),
            g2,
            z,
            n_public + 1,
            options,
            pvk,
            &mut report,
        )?;
        finish_report(&mut report, &recorder, &before, started);
        Ok((proof, report))
    })
}

/// The QAP's result as the rest of the proof takes it: h's coefficients (the h MSM is
/// still to run), or the h MSM's sum (computed where h was, in card memory).
enum H<E: Pairing> {
    Coefficients(Vec<E::ScalarField>),
    Sum(E::G1),
}

/// [`H`] borrowed.
enum HRef<'a, E: Pairing> {
    Coefficients(&'a [E::ScalarField]),
    Sum(E::G1),
}

impl<E: Pairing> H<E> {
    fn as_ref(&self) -> HRef<'_, E> {
        match self {
            H::Coefficients(h) => HRef::Coefficients(h),
            H::Sum(s) => HRef::Sum(*s),
        }
    }
}
#[allow(clippy::too_many_arguments)]
fn prove_from_h<E: Pairing>(
    backend: &timeline::Recorder<'_, E>,
    pk: &ProvingKey<E>,
    r: E::ScalarField,
    s: E::ScalarField,
    h: HRef<'_, E>,
    g2: G2Msm<'_, E>,
    full_assignment: &[E::ScalarField],
    num_inputs: usize,
    options: ProveOptions,
    pvk: Option<&PreparedVerifyingKey<E>>,
    report: &mut ProofReport,
) -> Result<Proof<E>> {
    let input = &full_assignment[1..num_inputs];
    // ark's msm_bigint uses min(len) of bases and scalars: h_query has domain_size − 1
    // points and h's top coefficient is zero.
    let h_acc = match h {
        HRef::Coefficients(h) => {
            let h_len = pk.h_query.len().min(h.len());
            backend.msm_g1(&pk.h_query[..h_len], &h[..h_len])?
        }
        HRef::Sum(sum) => sum,
    };
    // The rest needs only the assignment (the timeline's witness chain); [B]₂ was issued
    // at the start where the backend runs it beside the rest.
    backend.set_chain(timeline::Chain::Witness);
    let assignment = &full_assignment[1..];
    let [l_aux_acc, a_acc, b_acc] =
        witness_g1(backend, pk, full_assignment, num_inputs, r.is_zero())?;
    let r_s_delta_g1 = pk.delta_g1 * (r * s);
    let g_a = coeff::<E::G1Affine>(a_acc, pk.delta_g1 * r, pk.a_query[0], pk.vk.alpha_g1);
    let s_g_a = g_a * s;
    let g1_b = if !r.is_zero() {
        coeff::<E::G1Affine>(b_acc, pk.delta_g1 * s, pk.b_g1_query[0], pk.beta_g1)
    } else {
        E::G1::zero()
    };
    let g2_b = coeff::<E::G2Affine>(
        g2.result(backend, || backend.msm_g2(&pk.b_g2_query[1..], assignment))?,
        pk.vk.delta_g2 * s,
        pk.b_g2_query[0],
        pk.vk.beta_g2,
    );
    let mut g_c = s_g_a;
    g_c += g1_b * r;
    g_c -= r_s_delta_g1;
    g_c += l_aux_acc;
    g_c += h_acc;
    let proof = Proof {
        a: g_a.into_affine(),
        b: g2_b.into_affine(),
        c: g_c.into_affine(),
    };
    if options.verify {
        let t = Instant::now();
        let prepared;
        let pvk = match pvk {
            Some(p) => p,
            None => {
                prepared = ark_groth16::prepare_verifying_key(&pk.vk);
                &prepared
            }
        };
        let ok = Groth16::<E>::verify_proof(pvk, &proof, input)
            .map_err(|e| Error::Circuit(e.to_string()))?;
        report.verify = t.elapsed();
        if !ok {
            return Err(Error::ProofRejected {
                backend: backend.describe(),
            });
        }
        report.verified = true;
    }
    Ok(proof)
}

/// Backend statistics of the proof and the host time outside the backend.
fn finish_report<E: Pairing>(
    report: &mut ProofReport,
    backend: &timeline::Recorder<'_, E>,
    before: &BackendStats,
    started: Instant,
) {
    report.backend = Backend::stats(backend).since(before);
    let b = &report.backend;
    // A G2 MSM on a thread of its own ran beside the prover's thread: not part of it.
    let g2_time = match backend.g2_alongside() {
        Alongside::Thread => Duration::ZERO,
        _ => b.msm_g2_time,
    };
    let backend_time =
        b.ntt_time + b.msm_g1_time + g2_time + b.elementwise_time + b.qap_on_card_time;
    report.total = started.elapsed();
    report.host = report
        .total
        .saturating_sub(backend_time)
        .saturating_sub(report.verify);
    report.timeline = backend.timeline(report.verify);
}

/// initial + query[0] + Σ + vk_param, in ark-groth16's order of additions.
fn coeff<G: AffineRepr>(acc: G::Group, initial: G::Group, el: G, vk_param: G) -> G::Group {
    let mut res = initial;
    res += el;
    res += acc;
    res += vk_param;
    res
}

fn check_shapes<E: Pairing>(
    pk: &ProvingKey<E>,
    m: &ConstraintMatrices<E::ScalarField>,
    num_inputs: usize,
    num_constraints: usize,
    z: &[E::ScalarField],
) -> Result<()> {
    let bad = |what: String| Err(Error::Circuit(what));
    if num_inputs == 0 || z.first() != Some(&E::ScalarField::ONE) {
        return bad("the full assignment must start with the constant 1".into());
    }
    if z.len() != m.num_instance_variables + m.num_witness_variables
        || num_inputs != m.num_instance_variables
        || num_constraints != m.num_constraints
        || m.a.len() != num_constraints
        || m.b.len() != num_constraints
        || m.c.len() != num_constraints
    {
        return bad(format!(
            "assignment of {} values, {} inputs, {} constraints do not match the matrices \
             ({} instance + {} witness variables, {} constraints)",
            z.len(),
            num_inputs,
            num_constraints,
            m.num_instance_variables,
            m.num_witness_variables,
            m.num_constraints
        ));
    }
    if pk.a_query.len() != z.len()
        || pk.b_g1_query.len() != z.len()
        || pk.b_g2_query.len() != z.len()
        || pk.l_query.len() != z.len() - num_inputs
    {
        return bad("the proving key was generated for another circuit".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
