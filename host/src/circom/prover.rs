//! The warm prover: a circom key loaded once, proofs for witness after witness — on one
//! backend, or a batch spread over several (the operator's N rollup batches on N cards).
//! On a card backend the key's G1 bases stay resident in card memory after the first
//! proof (the card finds them by content), so later proofs send scalars only.

use super::{CircomCurve, Zkey};
use crate::backend::{self, Backend, BoardBackend};
use crate::error::{Error, Result};
use crate::groth16::{self, ProofReport, ProveOptions};
use ark_ff::UniformRand;
use ark_groth16::Proof;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// One proof with its public signals (the witness's values 1..=nPublic: the circuit's
/// outputs, then its public inputs — snarkjs's `public.json`).
#[derive(Clone, Debug)]
pub struct CircomProof<E: CircomCurve> {
    /// The proof.
    pub proof: Proof<E>,
    /// The public signals.
    pub public: Vec<E::ScalarField>,
    /// Where the time went.
    pub report: ProofReport,
}

/// A circom key held for many proofs, on one or more backends.
pub struct CircomProver<E: CircomCurve> {
    zkey: Zkey<E>,
    /// Prepared once: verifying each proof then costs the pairing check only.
    pvk: ark_groth16::PreparedVerifyingKey<E>,
    backends: Vec<Box<dyn Backend<E>>>,
    verify: bool,
}

impl<E: CircomCurve> std::fmt::Debug for CircomProver<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CircomProver")
            .field("header", &self.zkey.header)
            .field(
                "backends",
                &self
                    .backends
                    .iter()
                    .map(|b| b.describe())
                    .collect::<Vec<_>>(),
            )
            .field("verify", &self.verify)
            .finish()
    }
}

impl<E: CircomCurve> CircomProver<E>
where
    BoardBackend: Backend<E>,
{
    /// Opens one backend per URI (`cpu`, `sim:<preset>`, `vfio:<address>`; a URI with
    /// commas is one backend over a pool of cards) for a loaded key.
    pub fn open(zkey: Zkey<E>, uris: &[&str]) -> Result<Self> {
        let backends = uris
            .iter()
            .map(|u| backend::open::<E>(u))
            .collect::<Result<Vec<_>>>()?;
        Self::new(zkey, backends)
    }
}

impl<E: CircomCurve> CircomProver<E> {
    /// A prover over already opened backends (at least one). Proofs are verified before
    /// they are returned unless [`Self::set_verify`] turns it off.
    pub fn new(zkey: Zkey<E>, backends: Vec<Box<dyn Backend<E>>>) -> Result<Self> {
        if backends.is_empty() {
            return Err(Error::Empty);
        }
        Ok(Self {
            pvk: ark_groth16::prepare_verifying_key(&zkey.pk.vk),
            zkey,
            backends,
            verify: true,
        })
    }

    /// Whether proofs are checked with the key's verifying key before being returned (on
    /// by default: a faulty card must never hand out a wrong proof; a proof that fails is
    /// [`Error::ProofRejected`]).
    pub fn set_verify(&mut self, verify: bool) {
        self.verify = verify;
    }

    /// The loaded key.
    pub fn zkey(&self) -> &Zkey<E> {
        &self.zkey
    }

    /// The backends.
    pub fn backends(&self) -> &[Box<dyn Backend<E>>] {
        &self.backends
    }

    /// A proof of `witness` (the full `.wtns` assignment) with fresh randomness, on the
    /// first backend.
    pub fn prove(&self, witness: &[E::ScalarField]) -> Result<CircomProof<E>> {
        let (r, s) = fresh_randomness::<E>();
        self.prove_on(0, witness, r, s)
    }

    /// A proof with given randomness (r, s): equal to snarkjs's and ark-groth16's proof
    /// for the same r and s (tests; never reuse randomness for real proofs).
    pub fn prove_with_randomness(
        &self,
        witness: &[E::ScalarField],
        r: E::ScalarField,
        s: E::ScalarField,
    ) -> Result<CircomProof<E>> {
        self.prove_on(0, witness, r, s)
    }

    /// Proves every witness, spread over the backends (each takes the next witness as it
    /// finishes the last); results in input order. A failing witness does not stop the
    /// others.
    pub fn prove_batch(&self, witnesses: &[Vec<E::ScalarField>]) -> Vec<Result<CircomProof<E>>> {
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Option<Result<CircomProof<E>>>>> =
            Mutex::new((0..witnesses.len()).map(|_| None).collect());
        std::thread::scope(|scope| {
            for b in 0..self.backends.len() {
                let (next, results) = (&next, &results);
                scope.spawn(move || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(w) = witnesses.get(i) else { break };
                    let (r, s) = fresh_randomness::<E>();
                    let out = self.prove_on(b, w, r, s);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(out);
                });
            }
        });
        results
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_iter()
            .map(|r| r.expect("every witness was taken by a worker"))
            .collect()
    }

    fn prove_on(
        &self,
        backend: usize,
        witness: &[E::ScalarField],
        r: E::ScalarField,
        s: E::ScalarField,
    ) -> Result<CircomProof<E>> {
        let h = &self.zkey.header;
        let (proof, report) = groth16::prove_snarkjs(
            self.backends[backend].as_ref(),
            &self.zkey.pk,
            &self.zkey.coefficients,
            h.n_public,
            witness,
            r,
            s,
            ProveOptions {
                verify: self.verify,
            },
            Some(&self.pvk),
        )?;
        Ok(CircomProof {
            proof,
            public: witness[1..=h.n_public].to_vec(),
            report,
        })
    }
}

fn fresh_randomness<E: CircomCurve>() -> (E::ScalarField, E::ScalarField) {
    let mut rng = rand::rngs::OsRng;
    (
        E::ScalarField::rand(&mut rng),
        E::ScalarField::rand(&mut rng),
    )
}
