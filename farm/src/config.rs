//! Names and timing of the farm's JetStream objects.

use std::time::Duration;

/// The JetStream objects, by name (one farm per NATS account).
pub mod names {
    /// Work-queue stream of jobs (file storage): a message is removed when acked.
    pub const JOBS_STREAM: &str = "ZKPIPE_JOBS";
    /// Subject prefix: a job is published on `zkpipe.jobs.<id>`.
    pub const JOBS_SUBJECT: &str = "zkpipe.jobs";
    /// The durable pull consumer every worker shares.
    pub const CONSUMER: &str = "zkpipe-workers";
    /// Key-value bucket of job records (state, attempts, worker, error), key = job id.
    pub const JOBS_BUCKET: &str = "zkpipe-jobs";
    /// Key-value bucket of proofs, written create-only: key = job id.
    pub const RESULTS_BUCKET: &str = "zkpipe-results";
    /// Object store of large blobs: proving keys (`zkey-<sha256>`) and witnesses
    /// (`wtns-<job id>`).
    pub const BLOBS: &str = "zkpipe-blobs";
}

/// Timing and retry policy, fixed when the farm's stream and consumer are first created
/// (by the first `submit` or worker); later clients use what exists.
#[derive(Clone, Debug, PartialEq)]
pub struct FarmConfig {
    /// How long a delivered job may go without an ack or a progress heartbeat before the
    /// server redelivers it (a worker that died).
    pub ack_wait: Duration,
    /// Deliveries of a job before it is a dead letter (state `failed`).
    pub max_deliver: i64,
    /// Window in which a re-published job (same id) is dropped by the server.
    pub duplicate_window: Duration,
}

impl Default for FarmConfig {
    fn default() -> Self {
        Self {
            ack_wait: Duration::from_secs(30),
            max_deliver: 3,
            duplicate_window: Duration::from_secs(600),
        }
    }
}

impl FarmConfig {
    /// How often a worker sends a progress heartbeat while proving: a third of
    /// `ack_wait`, so two may be lost before the server redelivers.
    pub fn heartbeat(&self) -> Duration {
        (self.ack_wait / 3).max(Duration::from_millis(100))
    }
}
