//! The worker: one loop per device pulls one job at a time from the shared consumer,
//! proves it (with progress heartbeats so the server keeps it), stores the proof
//! create-only, updates the job's record and acks. A failed attempt is nak'd for
//! redelivery (another worker, or this one later) until the consumer's `max_deliver`,
//! then terminated: a dead letter, its error in the record.

use crate::broker::Broker;
use crate::job::{Job, JobKind, JobRecord, JobState, ProofRecord};
use crate::prover::{JobProver, Proved};
use crate::{FarmError, Result};
use async_nats::jetstream::{consumer::PullConsumer, AckKind, Message};
use futures::StreamExt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// What a worker did, for its log (`zkpipe worker --json` prints it as serialised).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WorkerEvent {
    /// A job was proven; `first` is false when another proof had won (this one dropped).
    Proved {
        /// Job id.
        id: String,
        /// Device.
        device: String,
        /// Proving time (verification included), seconds.
        prove_s: f64,
        /// Verification's part of `prove_s`.
        verify_s: f64,
        /// The whole job on this worker, from delivery to ack: proving plus the broker
        /// work (records, blobs, the proof's store, the ack).
        handled_s: f64,
        /// Delivery number.
        attempt: u64,
        /// Whether this proof was stored.
        first: bool,
    },
    /// An attempt failed; `dead` when it was the last delivery.
    Failed {
        /// Job id.
        id: String,
        /// Device.
        device: String,
        /// The error.
        error: String,
        /// Delivery number.
        attempt: u64,
        /// Terminated (dead letter).
        dead: bool,
    },
    /// A redelivered job that already had a proof: acked without proving.
    AlreadyProven {
        /// Job id.
        id: String,
    },
    /// The broker could not be reached; retrying.
    BrokerRetry {
        /// What failed.
        error: String,
    },
}

/// A worker over one or more devices.
pub struct Worker {
    broker: Broker,
    name: String,
    devices: Vec<String>,
}

/// Pause between retries when the broker is unreachable.
const RETRY: Duration = Duration::from_millis(500);

/// Nak delay before a failed job is offered again.
const NAK_DELAY: Duration = Duration::from_millis(500);

impl Worker {
    /// A worker named `name` (shown in job records) proving on `devices`.
    pub fn new(broker: Broker, name: &str, devices: Vec<String>) -> Worker {
        Worker {
            broker,
            name: name.to_string(),
            devices,
        }
    }

    /// Runs until `shutdown` completes; each device loop then finishes its current job.
    pub async fn run(
        self,
        on_event: impl Fn(WorkerEvent) + Send + Sync + 'static,
        shutdown: impl Future<Output = ()>,
    ) {
        let (stop_tx, stop_rx) = watch::channel(false);
        let on_event = Arc::new(on_event);
        let mut loops = Vec::new();
        for device in &self.devices {
            let ctx = DeviceLoop {
                broker: self.broker.clone(),
                worker: self.name.clone(),
                prover: Some(JobProver::new(device)),
                device: device.clone(),
                on_event: on_event.clone(),
                stop: stop_rx.clone(),
            };
            loops.push(tokio::spawn(ctx.run()));
        }
        shutdown.await;
        let _ = stop_tx.send(true);
        for l in loops {
            let _ = l.await;
        }
    }
}

struct DeviceLoop<F> {
    broker: Broker,
    worker: String,
    device: String,
    prover: Option<JobProver>,
    on_event: Arc<F>,
    stop: watch::Receiver<bool>,
}

impl<F: Fn(WorkerEvent) + Send + Sync + 'static> DeviceLoop<F> {
    fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    async fn pause(&mut self, error: String) {
        (self.on_event)(WorkerEvent::BrokerRetry { error });
        let _ = tokio::time::timeout(RETRY, self.stop.changed()).await;
    }

    async fn run(mut self) {
        let mut consumer: Option<PullConsumer> = None;
        while !self.stopped() {
            let c = match &consumer {
                Some(c) => c.clone(),
                None => match self.broker.consumer().await {
                    Ok(c) => {
                        consumer = Some(c.clone());
                        c
                    }
                    Err(e) => {
                        self.pause(e.to_string()).await;
                        continue;
                    }
                },
            };
            let batch = c
                .fetch()
                .max_messages(1)
                .expires(Duration::from_secs(1))
                .messages()
                .await;
            let mut batch = match batch {
                Ok(b) => b,
                Err(e) => {
                    consumer = None;
                    self.pause(e.to_string()).await;
                    continue;
                }
            };
            match batch.next().await {
                Some(Ok(msg)) => {
                    let max_deliver = c.cached_info().config.max_deliver;
                    self.handle(msg, max_deliver).await
                }
                Some(Err(e)) => self.pause(e.to_string()).await,
                None => {}
            }
        }
    }

    /// Retries a broker operation until it succeeds (the server may be restarting).
    async fn retry<T, Fut: Future<Output = Result<T>>>(&mut self, op: impl Fn() -> Fut) -> T {
        loop {
            match op().await {
                Ok(v) => return v,
                Err(e) => {
                    (self.on_event)(WorkerEvent::BrokerRetry {
                        error: e.to_string(),
                    });
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
    }

    async fn handle(&mut self, msg: Message, max_deliver: i64) {
        let started = std::time::Instant::now();
        let attempt = msg.info().map_or(1, |i| i.delivered.max(1) as u64);
        let job: Job = match serde_json::from_slice(&msg.payload) {
            Ok(job) => job,
            Err(e) => {
                (self.on_event)(WorkerEvent::Failed {
                    id: msg.subject.to_string(),
                    device: self.device.clone(),
                    error: format!("malformed job message: {e}"),
                    attempt,
                    dead: true,
                });
                let _ = msg.ack_with(AckKind::Term).await;
                return;
            }
        };
        let broker = self.broker.clone();
        let fallback = {
            let job = job.clone();
            move || JobRecord::queued(&job)
        };
        if let Some(stored) = self.retry(|| broker.result(&job.id)).await {
            // The worker that stored the proof may have died before recording it.
            self.retry(|| broker.update_record(&job.id, &fallback, |r| record_proof(r, &stored)))
                .await;
            let _ = msg.ack().await;
            (self.on_event)(WorkerEvent::AlreadyProven { id: job.id });
            return;
        }
        let (worker, device) = (self.worker.clone(), self.device.clone());
        self.retry(|| {
            broker.update_record(&job.id, &fallback, |r| {
                r.state = JobState::Proving;
                r.attempts = attempt;
                r.worker = Some(worker.clone());
                r.device = Some(device.clone());
            })
        })
        .await;
        // Keep the job while proving: "+WPI" resets the server's ack_wait timer.
        let heartbeat = {
            let msg = msg.clone();
            let every = broker.config().heartbeat();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(every).await;
                    let _ = msg.ack_with(AckKind::Progress).await;
                }
            })
        };
        let outcome = self.prove(&job).await;
        heartbeat.abort();
        match outcome {
            Ok(proved) => {
                let proof = ProofRecord {
                    id: job.id.clone(),
                    proof: proved.proof,
                    public: proved.public,
                    worker: self.worker.clone(),
                    device: self.device.clone(),
                    prove_s: proved.prove_s,
                    attempt,
                    verified: true,
                };
                let first = self.retry(|| broker.store_result(&proof)).await;
                // A duplicate records the first proof (its worker may have died before
                // recording it), read back from the store.
                let recorded = if first {
                    Some(proof)
                } else {
                    self.retry(|| broker.result(&job.id)).await
                };
                self.retry(|| {
                    broker.update_record(&job.id, &fallback, |r| {
                        if let Some(recorded) = &recorded {
                            record_proof(r, recorded);
                        }
                        r.state = JobState::Proven;
                        if !first {
                            r.duplicates += 1;
                        }
                    })
                })
                .await;
                let _ = msg.double_ack().await;
                (self.on_event)(WorkerEvent::Proved {
                    id: job.id,
                    device: self.device.clone(),
                    prove_s: proved.prove_s,
                    verify_s: proved.verify_s,
                    handled_s: started.elapsed().as_secs_f64(),
                    attempt,
                    first,
                });
            }
            Err(e) => {
                let dead = max_deliver > 0 && attempt >= max_deliver as u64;
                let error = e.to_string();
                self.retry(|| {
                    broker.update_record(&job.id, &fallback, |r| {
                        r.state = if dead {
                            JobState::Failed
                        } else {
                            JobState::Queued
                        };
                        r.attempts = attempt;
                        r.error = Some(error.clone());
                    })
                })
                .await;
                let ack = if dead {
                    AckKind::Term
                } else {
                    AckKind::Nak(Some(NAK_DELAY))
                };
                let _ = msg.ack_with(ack).await;
                (self.on_event)(WorkerEvent::Failed {
                    id: job.id,
                    device: self.device.clone(),
                    error,
                    attempt,
                    dead,
                });
            }
        }
    }

    /// Fetches the blobs, then proves on a blocking thread.
    async fn prove(&mut self, job: &Job) -> Result<Proved> {
        let mut prover = self
            .prover
            .take()
            .unwrap_or_else(|| JobProver::new(&self.device));
        let blobs = async {
            let zkey = match prover.missing_key(job) {
                Some(name) => Some(self.broker.blob(name).await?),
                None => None,
            };
            let witness = match &job.kind {
                JobKind::Circom { witness, .. } => Some(self.broker.blob(witness).await?),
                JobKind::Mimc { .. } => None,
            };
            Ok::<_, FarmError>((zkey, witness))
        }
        .await;
        let (zkey, witness) = match blobs {
            Ok(b) => b,
            Err(e) => {
                self.prover = Some(prover);
                return Err(e);
            }
        };
        let job = job.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let out = prover.prove(&job, zkey, witness);
            (prover, out)
        })
        .await;
        match joined {
            Ok((prover, out)) => {
                self.prover = Some(prover);
                out
            }
            // A panic in the prover: a fresh prover next time, the job retried.
            Err(e) => Err(FarmError::BadJob(format!("the prover panicked: {e}"))),
        }
    }
}

/// Marks a record proven by `proof`: its worker, device, time and attempt.
fn record_proof(record: &mut JobRecord, proof: &ProofRecord) {
    record.state = JobState::Proven;
    record.worker = Some(proof.worker.clone());
    record.device = Some(proof.device.clone());
    record.prove_s = Some(proof.prove_s);
    record.attempts = proof.attempt;
    record.error = None;
}
