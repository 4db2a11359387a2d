//! A Groth16 prover whose heavy kernels run on a [`Backend`]: the proof is
//! `ark_groth16::Proof<E>`, equal bit for bit to ark-groth16's prover output for the same
//! randomness (r, s), and accepted by the unmodified `ark_groth16` verifier.
//!
//! It mirrors ark-groth16 0.5 (`LibsnarkReduction` + `create_proof_with_assignment`):
//! * witness map: a = A·z, b = B·z over the constraints (and the instance appended to a),
//!   then iNTT, coset NTT (offset `F::GENERATOR`) of a and b, a∘b, c = C·z through iNTT and
//!   coset NTT, (a∘b − c)·Z_H(g)⁻¹, coset iNTT → h: the seven NTTs and the pointwise steps
//!   on the backend; the sparse matrix–vector products on the host (parallel);
//! * A = α + a_query[0] + Σ z_i·a_query[i+1] + r·δ, B (G2 and G1) likewise with β and s·δ,
//!   C = s·A + r·B₁ − rs·δ + Σ w_i·l_query[i] + Σ h_i·h_query[i]: the four G1 MSMs and the
//!   G2 MSM on the backend.
//!
//! ark-groth16 computes B in G1 only when r ≠ 0 (it is multiplied by r); so does this.

pub mod circuits;

use crate::backend::{Backend, BackendStats};
use crate::error::{Error, Result};
use crate::ntt::{Coset, Direction};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{FftField, Field, Zero};
use ark_groth16::{Groth16, Proof, ProvingKey};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use ark_relations::r1cs::{
    ConstraintMatrices, ConstraintSynthesizer, ConstraintSystem, OptimizationGoal,
};
use rayon::prelude::*;
use std::time::{Duration, Instant};

/// Where one proof's time went.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ProofReport {
    /// Constraints of the circuit.
    pub constraints: usize,
    /// The QAP domain size (a power of two ≥ constraints + inputs).
    pub domain_size: usize,
    /// Backend work of this proof (NTT, MSM, elementwise times; device cycles).
    pub backend: BackendStats,
    /// Host work outside the backend: synthesis, matrix–vector products, group additions.
    pub host: Duration,
    /// Verification (when asked for).
    pub verify: Duration,
    /// Wall time of the whole proof.
    pub total: Duration,
    /// Whether the proof was checked with ark-groth16's verifier before being returned.
    pub verified: bool,
}

impl ProofReport {
    /// The proof's time on a real card, projected from a (simulated or real) board run:
    /// the device's busy cycles at its clock plus the host work that stays on the CPU —
    /// the prover's own ([`Self::host`]), the NTTs' host steps, the G2 MSM and the G1
    /// MSMs' bucket reductions. `None` when no card did any work (the CPU backend).
    pub fn projected_card_s(&self) -> Option<f64> {
        let b = &self.backend;
        (b.device.jobs > 0).then_some(
            b.device.projected_s
                + self.host.as_secs_f64()
                + b.ntt_host_time.as_secs_f64()
                + b.msm_g2_time.as_secs_f64()
                + b.msm_device.reduce_s,
        )
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
    report.host += synthesis;
    report.total += synthesis;
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
    let before = backend.stats();
    check_shapes(pk, matrices, num_inputs, num_constraints, full_assignment)?;
    let h = witness_map(
        backend,
        matrices,
        num_inputs,
        num_constraints,
        full_assignment,
    )?;
    let domain_size = h.len();
    let input = &full_assignment[1..num_inputs];
    let aux = &full_assignment[num_inputs..];
    // ark's msm_bigint uses min(len) of bases and scalars: h_query has domain_size − 1
    // points and h's top coefficient is zero.
    let h_len = pk.h_query.len().min(h.len());
    let h_acc = backend.msm_g1(&pk.h_query[..h_len], &h[..h_len])?;
    let l_aux_acc = backend.msm_g1(&pk.l_query, aux)?;
    let r_s_delta_g1 = pk.delta_g1 * (r * s);
    let assignment: Vec<E::ScalarField> = [input, aux].concat();
    let g_a = coeff::<E::G1Affine>(
        backend.msm_g1(&pk.a_query[1..], &assignment)?,
        pk.delta_g1 * r,
        pk.a_query[0],
        pk.vk.alpha_g1,
    );
    let s_g_a = g_a * s;
    let g1_b = if !r.is_zero() {
        coeff::<E::G1Affine>(
            backend.msm_g1(&pk.b_g1_query[1..], &assignment)?,
            pk.delta_g1 * s,
            pk.b_g1_query[0],
            pk.beta_g1,
        )
    } else {
        E::G1::zero()
    };
    let g2_b = coeff::<E::G2Affine>(
        backend.msm_g2(&pk.b_g2_query[1..], &assignment)?,
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
    let proving = started.elapsed();
    let mut report = ProofReport {
        constraints: num_constraints,
        domain_size,
        backend: backend.stats().since(&before),
        ..Default::default()
    };
    if options.verify {
        let t = Instant::now();
        let pvk = ark_groth16::prepare_verifying_key(&pk.vk);
        let ok = Groth16::<E>::verify_proof(&pvk, &proof, input)
            .map_err(|e| Error::Circuit(e.to_string()))?;
        report.verify = t.elapsed();
        if !ok {
            return Err(Error::ProofRejected {
                backend: backend.describe(),
            });
        }
        report.verified = true;
    }
    let b = &report.backend;
    let backend_time = b.ntt_time + b.msm_g1_time + b.msm_g2_time + b.elementwise_time;
    report.host = proving.saturating_sub(backend_time);
    report.total = started.elapsed();
    Ok((proof, report))
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

/// The QAP witness map (ark-groth16's `LibsnarkReduction::witness_map_from_matrices`) with
/// its NTTs and pointwise products on the backend.
fn witness_map<E: Pairing>(
    backend: &dyn Backend<E>,
    m: &ConstraintMatrices<E::ScalarField>,
    num_inputs: usize,
    num_constraints: usize,
    z: &[E::ScalarField],
) -> Result<Vec<E::ScalarField>> {
    type F<E> = <E as Pairing>::ScalarField;
    let domain = Radix2EvaluationDomain::<F<E>>::new(num_constraints + num_inputs).ok_or(
        Error::NttTooLarge {
            n: num_constraints + num_inputs,
            max: 1usize << F::<E>::TWO_ADICITY.min(usize::BITS - 1),
        },
    )?;
    let n = domain.size();
    let eval = |rows: &[Vec<(F<E>, usize)>]| -> Vec<F<E>> {
        let mut v = vec![F::<E>::zero(); n];
        v[..num_constraints]
            .par_iter_mut()
            .zip(rows)
            .for_each(|(x, row)| *x = row.iter().map(|(c, i)| z[*i] * c).sum());
        v
    };
    let mut a = eval(&m.a);
    a[num_constraints..num_constraints + num_inputs].copy_from_slice(&z[..num_inputs]);
    let mut b = eval(&m.b);
    let g = Coset::Offset(F::<E>::GENERATOR);
    for v in [&mut a, &mut b] {
        backend.ntt(v, Direction::Inverse, Coset::None)?;
        backend.ntt(v, Direction::Forward, g)?;
    }
    backend.mul_assign(&mut a, &b)?;
    drop(b);
    let mut c = eval(&m.c);
    backend.ntt(&mut c, Direction::Inverse, Coset::None)?;
    backend.ntt(&mut c, Direction::Forward, g)?;
    backend.sub_assign(&mut a, &c)?;
    let z_inv = domain
        .evaluate_vanishing_polynomial(F::<E>::GENERATOR)
        .inverse()
        .expect("the generator is not in the subgroup");
    c.iter_mut().for_each(|x| *x = z_inv);
    backend.mul_assign(&mut a, &c)?;
    backend.ntt(&mut a, Direction::Inverse, g)?;
    Ok(a)
}

#[cfg(test)]
mod tests;
