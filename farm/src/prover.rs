//! Proving one job on one device (blocking: the worker runs it on a blocking thread).
//! Keys stay warm: a circom key is loaded once per worker device (its G1 bases then stay
//! resident on a card), a MiMC key is set up once per size; the device is opened once
//! per curve and shared by every key.

use crate::job::{Job, JobKind};
use crate::{FarmError, Result};
use ark_bls12_381::Bls12_381;
use ark_bn254::{Bn254, Fr};
use ark_ff::UniformRand;
use ark_groth16::{Groth16, ProvingKey};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use zkpipe::backend::{self, Backend};
use zkpipe::circom::{json, read_wtns, CircomCurve, CircomProver, Zkey};
use zkpipe::groth16::{self, circuits::MimcChain, ProveOptions};

/// A verified proof of a job, as snarkjs JSON.
#[derive(Clone, Debug)]
pub struct Proved {
    /// snarkjs proof JSON.
    pub proof: serde_json::Value,
    /// snarkjs public signals JSON.
    pub public: serde_json::Value,
    /// Proving time (verification included), seconds.
    pub prove_s: f64,
    /// The verification's part of it, seconds.
    pub verify_s: f64,
}

/// One device's prover with its warm keys.
pub struct JobProver {
    device: String,
    bn254: Option<Arc<dyn Backend<Bn254>>>,
    bls12_381: Option<Arc<dyn Backend<Bls12_381>>>,
    circom_bn254: HashMap<String, CircomProver<Bn254>>,
    circom_bls12_381: HashMap<String, CircomProver<Bls12_381>>,
    mimc: HashMap<usize, ProvingKey<Bn254>>,
}

/// The MiMC jobs' proving keys come from this seed (and the size): every worker sets up
/// the same key.
const MIMC_KEY_SEED: u64 = 0x6d69_6d63;

impl JobProver {
    /// A prover on `device` (opened on first use, per curve).
    pub fn new(device: &str) -> JobProver {
        JobProver {
            device: device.to_string(),
            bn254: None,
            bls12_381: None,
            circom_bn254: HashMap::new(),
            circom_bls12_381: HashMap::new(),
            mimc: HashMap::new(),
        }
    }

    /// The device URI.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// The key blob a job needs that this prover does not hold yet.
    pub fn missing_key<'a>(&self, job: &'a Job) -> Option<&'a str> {
        match &job.kind {
            JobKind::Circom { curve, zkey, .. } => {
                let held = if curve == Bn254::NAME {
                    self.circom_bn254.contains_key(zkey)
                } else {
                    self.circom_bls12_381.contains_key(zkey)
                };
                (!held).then_some(zkey.as_str())
            }
            JobKind::Mimc { .. } => None,
        }
    }

    /// Proves a job (`zkey`: the key blob if [`Self::missing_key`] asked for it;
    /// `witness`: the witness blob of a circom job). The proof is verified.
    pub fn prove(
        &mut self,
        job: &Job,
        zkey: Option<Vec<u8>>,
        witness: Option<Vec<u8>>,
    ) -> Result<Proved> {
        let started = Instant::now();
        let (proof, public, verify_s) = match &job.kind {
            JobKind::Circom {
                curve, zkey: name, ..
            } => {
                let witness = witness.ok_or_else(|| FarmError::BadJob("no witness".into()))?;
                if curve == Bn254::NAME {
                    let backend = backend_for(&mut self.bn254, &self.device)?;
                    prove_circom(&mut self.circom_bn254, backend, name, zkey, &witness)?
                } else if curve == Bls12_381::NAME {
                    let backend = backend_for(&mut self.bls12_381, &self.device)?;
                    prove_circom(&mut self.circom_bls12_381, backend, name, zkey, &witness)?
                } else {
                    return Err(FarmError::BadJob(format!("unknown curve `{curve}`")));
                }
            }
            JobKind::Mimc { constraints, seed } => {
                let backend = backend_for(&mut self.bn254, &self.device)?;
                let circuit = MimcChain::with_constraints(
                    Fr::rand(&mut ChaCha8Rng::seed_from_u64(*seed)),
                    *constraints,
                );
                let pk = match self.mimc.get(constraints) {
                    Some(pk) => pk,
                    None => {
                        let mut rng =
                            ChaCha8Rng::seed_from_u64(MIMC_KEY_SEED ^ *constraints as u64);
                        let pk = Groth16::<Bn254>::generate_random_parameters_with_reduction(
                            circuit.clone(),
                            &mut rng,
                        )
                        .map_err(|e| zkpipe::Error::Circuit(e.to_string()))?;
                        self.mimc.entry(*constraints).or_insert(pk)
                    }
                };
                let mut rng = rand::rngs::OsRng;
                let (r, s) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
                let output = circuit.output();
                let (proof, report) = groth16::prove(
                    backend.as_ref(),
                    pk,
                    circuit,
                    r,
                    s,
                    ProveOptions { verify: true },
                )?;
                (
                    json::proof_to_json(&proof),
                    json::public_to_json(&[output]),
                    report.verify.as_secs_f64(),
                )
            }
        };
        let parse = |s: String| serde_json::from_str(&s).expect("our JSON parses");
        Ok(Proved {
            proof: parse(proof),
            public: parse(public),
            prove_s: started.elapsed().as_secs_f64(),
            verify_s,
        })
    }
}

/// The proving key of the built-in MiMC jobs of a size (every worker derives the same
/// one; its verifying key checks their proofs).
pub fn mimc_key(constraints: usize) -> Result<ProvingKey<Bn254>> {
    let circuit = MimcChain::with_constraints(Fr::from(0u64), constraints);
    let mut rng = ChaCha8Rng::seed_from_u64(MIMC_KEY_SEED ^ constraints as u64);
    Groth16::<Bn254>::generate_random_parameters_with_reduction(circuit, &mut rng)
        .map_err(|e| zkpipe::Error::Circuit(e.to_string()).into())
}

fn backend_for<E: CircomCurve>(
    slot: &mut Option<Arc<dyn Backend<E>>>,
    device: &str,
) -> Result<Arc<dyn Backend<E>>>
where
    zkpipe::backend::BoardBackend: Backend<E>,
{
    if slot.is_none() {
        *slot = Some(Arc::from(backend::open::<E>(device)?));
    }
    Ok(slot.clone().expect("just opened"))
}

fn prove_circom<E: CircomCurve>(
    provers: &mut HashMap<String, CircomProver<E>>,
    backend: Arc<dyn Backend<E>>,
    name: &str,
    zkey: Option<Vec<u8>>,
    witness: &[u8],
) -> Result<(String, String, f64)> {
    if !provers.contains_key(name) {
        let bytes = zkey.ok_or_else(|| FarmError::MissingBlob(name.to_string()))?;
        let key = Zkey::<E>::from_bytes(&bytes).map_err(zkpipe::Error::from)?;
        let prover = CircomProver::new(key, vec![Box::new(backend)])?;
        provers.insert(name.to_string(), prover);
    }
    let prover = &provers[name];
    let witness = read_wtns::<E::ScalarField>(witness).map_err(zkpipe::Error::from)?;
    let out = prover.prove(&witness)?;
    Ok((
        json::proof_to_json(&out.proof),
        json::public_to_json(&out.public),
        out.report.verify.as_secs_f64(),
    ))
}
