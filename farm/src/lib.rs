//! A prover farm on NATS JetStream. Proving jobs (a circom key and witness in the object
//! store, or a built-in MiMC circuit) go to a work-queue stream; workers with cards pull
//! them one at a time, prove, verify, store the proof create-only in a key-value bucket
//! (the first valid proof of a job wins; a later one is dropped and counted), then ack.
//! JetStream's explicit acks, redelivery after `ack_wait`, progress heartbeats and
//! `max_deliver` make a killed worker's job someone else's, and a job that keeps failing a
//! dead letter with its error recorded (docs/FARM.md).
//!
//! * [`FarmConfig`] and the names of the stream, consumer, buckets ([`names`]);
//! * [`Job`], [`JobRecord`], [`ProofRecord`]: what travels and what is stored;
//! * [`Broker`]: the client side — set up, submit, list, read results;
//! * [`Worker`]: the loop a `zkpipe worker` runs per device.

#![deny(missing_docs)]

mod broker;
mod config;
mod job;
mod prover;
mod worker;

pub use broker::{Broker, Submitted};
pub use config::{names, FarmConfig};
pub use job::{Job, JobKind, JobRecord, JobState, ProofRecord};
pub use prover::{mimc_key, JobProver, Proved};
pub use worker::{Worker, WorkerEvent};

/// Everything that can fail in the farm.
#[derive(Debug, thiserror::Error)]
pub enum FarmError {
    #[error("NATS ({what}): {message}")]
    /// The broker failed (connection, JetStream API, key-value, object store).
    Nats {
        /// What was being done.
        what: &'static str,
        /// The client's message.
        message: String,
    },
    #[error("job id `{0}`: use 1–128 characters of A–Z, a–z, 0–9, `-` and `_`")]
    /// A job id that cannot be a subject token and a key.
    BadJobId(String),
    #[error("blob `{0}` is not in the object store (was the job submitted with its files?)")]
    /// A job refers to a blob the object store does not have.
    MissingBlob(String),
    #[error("malformed job message: {0}")]
    /// A message on the jobs stream that is not a job.
    BadJob(String),
    #[error(transparent)]
    /// Proving failed (a typed zkpipe error: input, device, rejected proof).
    Prove(#[from] zkpipe::Error),
}

/// Maps a NATS client error, saying what was being done.
pub(crate) fn nats<E: std::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> FarmError {
    move |e| FarmError::Nats {
        what,
        message: e.to_string(),
    }
}

/// The farm's result type.
pub type Result<T> = std::result::Result<T, FarmError>;

/// Milliseconds since the Unix epoch (job records' clocks).
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
