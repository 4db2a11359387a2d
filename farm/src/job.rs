//! What travels on the stream (a [`Job`]) and what is stored ([`JobRecord`],
//! [`ProofRecord`]), as JSON.

use crate::{FarmError, Result};
use serde::{Deserialize, Serialize};

/// One proving job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Unique id: the subject token, the message id (duplicate suppression) and the key of
    /// its record and proof.
    pub id: String,
    /// What to prove.
    #[serde(flatten)]
    pub kind: JobKind,
}

/// What a job proves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobKind {
    /// A circom circuit: a snarkjs key and a witness, both in the object store.
    Circom {
        /// snarkjs's curve name (`bn128`, `bls12381`).
        curve: String,
        /// Object name of the `.zkey`.
        zkey: String,
        /// Object name of the `.wtns`.
        witness: String,
    },
    /// The built-in MiMC chain on BN254 (key from a fixed seed, witness from `seed`).
    Mimc {
        /// Constraints.
        constraints: usize,
        /// Seed of the chain's input.
        seed: u64,
    },
}

impl Job {
    /// Checks the id (subject token and key-value key).
    pub fn validate_id(id: &str) -> Result<()> {
        let ok = !id.is_empty()
            && id.len() <= 128
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(())
        } else {
            Err(FarmError::BadJobId(id.to_string()))
        }
    }

    /// The subject the job is published on.
    pub fn subject(&self) -> String {
        format!("{}.{}", crate::names::JOBS_SUBJECT, self.id)
    }

    /// `circom` or `mimc`.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            JobKind::Circom { .. } => "circom",
            JobKind::Mimc { .. } => "mimc",
        }
    }
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for a worker (or for redelivery after a failed attempt).
    Queued,
    /// A worker is proving it.
    Proving,
    /// A verified proof is in the results bucket.
    Proven,
    /// A dead letter: every delivery failed; `error` says why.
    Failed,
}

/// A job's record in the jobs bucket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    /// The job id.
    pub id: String,
    /// `circom` or `mimc`.
    pub kind: String,
    /// Where it is.
    pub state: JobState,
    /// Deliveries so far (JetStream's count).
    pub attempts: u64,
    /// The worker of the last attempt (the prover, once proven).
    pub worker: Option<String>,
    /// Its device.
    pub device: Option<String>,
    /// Proving time of the winning proof, seconds.
    pub prove_s: Option<f64>,
    /// The last attempt's error.
    pub error: Option<String>,
    /// Valid proofs that arrived after the first (dropped).
    pub duplicates: u64,
    /// When it was submitted (ms since the epoch).
    pub submitted_ms: u64,
    /// Last change (ms since the epoch).
    pub updated_ms: u64,
}

impl JobRecord {
    /// A new record for a submitted job.
    pub fn queued(job: &Job) -> JobRecord {
        let now = crate::now_ms();
        JobRecord {
            id: job.id.clone(),
            kind: job.kind_name().into(),
            state: JobState::Queued,
            attempts: 0,
            worker: None,
            device: None,
            prove_s: None,
            error: None,
            duplicates: 0,
            submitted_ms: now,
            updated_ms: now,
        }
    }
}

/// A verified proof in the results bucket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProofRecord {
    /// The job id.
    pub id: String,
    /// snarkjs's proof JSON.
    pub proof: serde_json::Value,
    /// snarkjs's public signals JSON.
    pub public: serde_json::Value,
    /// Who proved it.
    pub worker: String,
    /// On which device.
    pub device: String,
    /// Proving time, seconds (verification included).
    pub prove_s: f64,
    /// The delivery that proved it.
    pub attempt: u64,
    /// Always true: only verified proofs are stored.
    pub verified: bool,
}
