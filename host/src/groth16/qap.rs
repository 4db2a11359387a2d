//! The two QAP reductions: h from the R1CS matrices and the witness, with the NTTs and
//! pointwise products on the backend, the sparse matrix–vector products on the host.
//!
//! * ark-groth16's (`LibsnarkReduction`): evaluations on the coset g·H (g = the field's
//!   generator), divided by Z_H(g), interpolated back to h's coefficients;
//! * snarkjs's (circom keys): evaluations of A·B − C on the odd powers of ω₂ₙ, used as
//!   they are (the key's H points absorb Z's constant value there).

use crate::backend::Backend;
use crate::circom::Coefficients;
use crate::error::{Error, Result};
use crate::ntt::{Coset, Direction};
use ark_ec::pairing::Pairing;
use ark_ff::{FftField, Field};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use ark_relations::r1cs::ConstraintMatrices;
use rayon::prelude::*;

/// M·z for sparse rows, into a vector of `n` (≥ rows) values.
fn sparse_product<F: Field>(rows: &[Vec<(F, usize)>], z: &[F], n: usize) -> Vec<F> {
    let mut v = vec![F::zero(); n];
    v[..rows.len()]
        .par_iter_mut()
        .zip(rows)
        .for_each(|(x, row)| *x = row.iter().map(|(c, i)| z[*i] * c).sum());
    v
}

/// The QAP witness map (ark-groth16's `LibsnarkReduction::witness_map_from_matrices`) with
/// its NTTs and pointwise products on the backend.
/// The constraint evaluations A·z (with the inputs appended, as ark-groth16 does), B·z
/// and C·z over the QAP's domain, and the domain.
pub(super) type Evaluations<F> = ([Vec<F>; 3], Radix2EvaluationDomain<F>);

pub(super) fn evaluations<F: ark_ff::PrimeField>(
    m: &ConstraintMatrices<F>,
    num_inputs: usize,
    num_constraints: usize,
    z: &[F],
) -> Result<Evaluations<F>> {
    let domain = Radix2EvaluationDomain::<F>::new(num_constraints + num_inputs).ok_or(
        Error::NttTooLarge {
            n: num_constraints + num_inputs,
            max: 1usize << F::TWO_ADICITY.min(usize::BITS - 1),
        },
    )?;
    let n = domain.size();
    let eval = |rows: &[Vec<(F, usize)>]| sparse_product(&rows[..num_constraints], z, n);
    let mut a = eval(&m.a);
    a[num_constraints..num_constraints + num_inputs].copy_from_slice(&z[..num_inputs]);
    Ok(([a, eval(&m.b), eval(&m.c)], domain))
}

/// 1/Z_H(g) for ark-groth16's coset g·H (g the field's generator).
pub(crate) fn coset_vanishing_inverse<F: FftField>(domain: &Radix2EvaluationDomain<F>) -> F {
    domain
        .evaluate_vanishing_polynomial(F::GENERATOR)
        .inverse()
        .expect("the generator is not in the subgroup")
}

pub(super) fn witness_map<E: Pairing>(
    backend: &dyn Backend<E>,
    evaluations: Evaluations<E::ScalarField>,
) -> Result<Vec<E::ScalarField>> {
    type F<E> = <E as Pairing>::ScalarField;
    let ([mut a, mut b, mut c], domain) = evaluations;
    let g = Coset::Offset(F::<E>::GENERATOR);
    for v in [&mut a, &mut b] {
        backend.ntt(v, Direction::Inverse, Coset::None)?;
        backend.ntt(v, Direction::Forward, g)?;
    }
    backend.mul_assign(&mut a, &b)?;
    drop(b);
    backend.ntt(&mut c, Direction::Inverse, Coset::None)?;
    backend.ntt(&mut c, Direction::Forward, g)?;
    backend.sub_assign(&mut a, &c)?;
    let z_inv = coset_vanishing_inverse(&domain);
    c.iter_mut().for_each(|x| *x = z_inv);
    backend.mul_assign(&mut a, &c)?;
    backend.ntt(&mut a, Direction::Inverse, g)?;
    Ok(a)
}

/// snarkjs's reduction (`groth16_prove.js`: buildABC1, the odd-coset FFTs, joinABC): a = A·z,
/// b = B·z, c = a∘b on every row; each interpolated and evaluated at ω₂ₙ·ωₙ^i; h = a∘b − c
/// there. ω is snarkjs's (`root`, of order 2^TWO_ADICITY); where it is ark's ω^k rather
/// than ark's own, row i of snarkjs is ark's point k·i mod n, and the rows are permuted
/// in and out (host work, O(n)). `z` has been checked against the matrices' signals by
/// the key reader.
pub(super) fn snarkjs_witness_map<E: Pairing>(
    backend: &dyn Backend<E>,
    m: &Coefficients<E::ScalarField>,
    z: &[E::ScalarField],
    root: E::ScalarField,
) -> Result<Vec<E::ScalarField>> {
    type F<E> = <E as Pairing>::ScalarField;
    let n = m.a.len();
    let log_n = n.trailing_zeros();
    if !n.is_power_of_two() || log_n >= F::<E>::TWO_ADICITY {
        return Err(Error::NttTooLarge {
            n: 2 * n,
            max: 1usize << F::<E>::TWO_ADICITY.min(usize::BITS - 1),
        });
    }
    let odd = root.pow([1u64 << (F::<E>::TWO_ADICITY - log_n - 1)]);
    let k = two_adic_log(F::<E>::TWO_ADIC_ROOT_OF_UNITY, root, F::<E>::TWO_ADICITY)
        .expect("both are roots of order 2^TWO_ADICITY") as usize
        & (n - 1);
    let mut a = sparse_product(&m.a, z, n);
    let mut b = sparse_product(&m.b, z, n);
    let mut c = a.clone();
    backend.mul_assign(&mut c, &b)?;
    for v in [&mut a, &mut b, &mut c] {
        if k != 1 {
            permute(v, k, true);
        }
        backend.ntt(v, Direction::Inverse, Coset::None)?;
        backend.ntt(v, Direction::Forward, Coset::Offset(odd))?;
    }
    backend.mul_assign(&mut a, &b)?;
    backend.sub_assign(&mut a, &c)?;
    if k != 1 {
        permute(&mut a, k, false);
    }
    Ok(a)
}

/// snarkjs's QAP step and h's MSM in card memory, where the backend can; `None`
/// otherwise. Where snarkjs's root is ark's ω^k with k ≠ 1 (BLS12-381), the card still
/// computes in ark's order: a, b and c are scattered to it on the host (row i of snarkjs
/// is ark's point k·i), and H's points the same way, so that Σ_j h_j·H'_j over ark's
/// order is snarkjs's Σ_i h_i·H_i (the permuted points are another resident set of bases;
/// O(n) host copies per proof).
pub(super) fn snarkjs_on_card<E: Pairing>(
    backend: &dyn Backend<E>,
    m: &Coefficients<E::ScalarField>,
    z: &[E::ScalarField],
    root: E::ScalarField,
    h_query: &[E::G1Affine],
) -> Option<Result<E::G1>> {
    type F<E> = <E as Pairing>::ScalarField;
    let n = m.a.len();
    let log_n = n.trailing_zeros();
    if !n.is_power_of_two() || log_n >= F::<E>::TWO_ADICITY || h_query.len() != n {
        return None;
    }
    let k =
        two_adic_log(F::<E>::TWO_ADIC_ROOT_OF_UNITY, root, F::<E>::TWO_ADICITY)? as usize & (n - 1);
    let odd = root.pow([1u64 << (F::<E>::TWO_ADICITY - log_n - 1)]);
    let mut a = sparse_product(&m.a, z, n);
    let mut b = sparse_product(&m.b, z, n);
    let mut c: Vec<F<E>> = a.par_iter().zip(&b).map(|(x, y)| *x * y).collect();
    let permuted;
    let h_query = if k == 1 {
        h_query
    } else {
        for v in [&mut a, &mut b, &mut c] {
            permute(v, k, true);
        }
        let mut h = h_query.to_vec();
        permute(&mut h, k, true);
        permuted = h;
        &permuted
    };
    backend.qap_h_msm(
        [&a, &b, &c],
        h_query,
        crate::backend::Reduction::Snarkjs { odd },
    )
}

/// snarkjs's (ffjavascript's) root of unity of order 2^TWO_ADICITY: nqr^t.
pub(super) fn snarkjs_two_adic_root<F: ark_ff::PrimeField>(nqr: u64) -> F {
    F::from(nqr).pow(F::TRACE)
}

/// k with base^k = target, both of order 2^s (bit by bit, Pohlig–Hellman); `None` if
/// target is not a power of base.
fn two_adic_log<F: Field>(base: F, target: F, s: u32) -> Option<u64> {
    let mut k = 0u64;
    let base_inv = base.inverse()?;
    for i in 0..s {
        // (target · base^-k)^(2^(s-1-i)) is 1 when bit i of the rest is 0, −1 otherwise.
        let rest = target * base_inv.pow([k]);
        let probe = rest.pow([1u64 << (s - 1 - i)]);
        if probe != F::ONE {
            k |= 1 << i;
        }
    }
    (base.pow([k]) == target).then_some(k)
}

/// Index map i ↔ k·i mod n (k odd, n a power of two): `scatter` moves v[i] to k·i,
/// otherwise gathers v[k·i] into i.
fn permute<F: Copy + Send + Sync>(v: &mut [F], k: usize, scatter: bool) {
    let n = v.len();
    let src = v.to_vec();
    for (i, &x) in src.iter().enumerate() {
        let j = i.wrapping_mul(k) & (n - 1);
        if scatter {
            v[j] = x;
        } else {
            v[i] = src[j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::PrimeField;

    #[test]
    fn snarkjs_roots_of_unity() {
        // BN254: ffjavascript's nqr (5) is ark's generator: the same roots.
        type Bn = ark_bn254::Fr;
        assert_eq!(snarkjs_two_adic_root::<Bn>(5), Bn::TWO_ADIC_ROOT_OF_UNITY);
        // BLS12-381: ark uses 7; snarkjs's root is a different odd power of ark's.
        type Bls = ark_bls12_381::Fr;
        let root = snarkjs_two_adic_root::<Bls>(5);
        assert_ne!(root, Bls::TWO_ADIC_ROOT_OF_UNITY);
        let k = two_adic_log(Bls::TWO_ADIC_ROOT_OF_UNITY, root, Bls::TWO_ADICITY).unwrap();
        assert_eq!(k % 2, 1);
        assert_eq!(Bls::TWO_ADIC_ROOT_OF_UNITY.pow([k]), root);
        assert_eq!(root.pow([1u64 << Bls::TWO_ADICITY]), Bls::ONE);
        assert_ne!(root.pow([1u64 << (Bls::TWO_ADICITY - 1)]), Bls::ONE);
        let _ = Bls::MODULUS;
    }

    #[test]
    fn permutation_round_trip() {
        let v: Vec<u32> = (0..16).collect();
        let mut w = v.clone();
        permute(&mut w, 5, true);
        assert_eq!(w[5], 1);
        assert_eq!(w[10], 2);
        permute(&mut w, 5, false);
        assert_eq!(w, v);
    }
}
