//! The client side of the farm: connect (creating the stream, consumer and buckets on
//! first use), submit jobs and blobs, read records and proofs.

use crate::config::{names, FarmConfig};
use crate::job::{Job, JobRecord, JobState, ProofRecord};
use crate::{nats, FarmError, Result};
use async_nats::jetstream::{self, consumer, kv, object_store, stream};
use futures::TryStreamExt;
use tokio::io::AsyncReadExt;

/// A connection to a farm.
#[derive(Clone)]
pub struct Broker {
    js: jetstream::Context,
    jobs: kv::Store,
    results: kv::Store,
    blobs: object_store::ObjectStore,
    config: FarmConfig,
}

/// What [`Broker::submit`] did.
#[derive(Clone, Debug, PartialEq)]
pub enum Submitted {
    /// A new job, queued.
    Queued,
    /// The id was known and not finished: published again (the server drops the copy
    /// within its duplicate window; a worker finding a proof acks it without proving).
    Requeued,
    /// The id was known and finished: nothing done.
    Finished(JobState),
}

impl Broker {
    /// Connects and makes sure the stream, the consumer and the buckets exist (created
    /// with `config` if they do not; existing ones are used as they are).
    pub async fn connect(url: &str, config: &FarmConfig) -> Result<Broker> {
        let client = async_nats::ConnectOptions::new()
            .name("zkpipe")
            .retry_on_initial_connect()
            .connection_timeout(std::time::Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(nats("connect"))?;
        let js = jetstream::new(client);
        let stream = js
            .get_or_create_stream(stream::Config {
                name: names::JOBS_STREAM.into(),
                subjects: vec![format!("{}.>", names::JOBS_SUBJECT)],
                retention: stream::RetentionPolicy::WorkQueue,
                storage: stream::StorageType::File,
                duplicate_window: config.duplicate_window,
                ..Default::default()
            })
            .await
            .map_err(nats("create the jobs stream"))?;
        stream
            .get_or_create_consumer(
                names::CONSUMER,
                consumer::pull::Config {
                    durable_name: Some(names::CONSUMER.into()),
                    ack_policy: consumer::AckPolicy::Explicit,
                    ack_wait: config.ack_wait,
                    max_deliver: config.max_deliver,
                    ..Default::default()
                },
            )
            .await
            .map_err(nats("create the workers' consumer"))?;
        let jobs = kv_bucket(&js, names::JOBS_BUCKET, 1).await?;
        let results = kv_bucket(&js, names::RESULTS_BUCKET, 1).await?;
        let blobs = match js.get_object_store(names::BLOBS).await {
            Ok(store) => store,
            Err(_) => js
                .create_object_store(object_store::Config {
                    bucket: names::BLOBS.into(),
                    storage: stream::StorageType::File,
                    ..Default::default()
                })
                .await
                .map_err(nats("create the blob store"))?,
        };
        Ok(Broker {
            js,
            jobs,
            results,
            blobs,
            config: config.clone(),
        })
    }

    /// The farm's policy as this client was configured (the consumer's own settings are
    /// those of its creation).
    pub fn config(&self) -> &FarmConfig {
        &self.config
    }

    /// The workers' pull consumer.
    pub(crate) async fn consumer(&self) -> Result<consumer::PullConsumer> {
        let stream = self
            .js
            .get_stream(names::JOBS_STREAM)
            .await
            .map_err(nats("get the jobs stream"))?;
        stream
            .get_consumer(names::CONSUMER)
            .await
            .map_err(nats("get the workers' consumer"))
    }

    /// Stores a blob under `name` unless it is there already.
    pub async fn put_blob(&self, name: &str, bytes: &[u8]) -> Result<()> {
        if self.blobs.info(name).await.is_ok() {
            return Ok(());
        }
        let mut reader = bytes;
        self.blobs
            .put(name, &mut reader)
            .await
            .map_err(nats("store a blob"))?;
        Ok(())
    }

    /// Reads a blob.
    pub async fn blob(&self, name: &str) -> Result<Vec<u8>> {
        let mut object = self
            .blobs
            .get(name)
            .await
            .map_err(|_| FarmError::MissingBlob(name.to_string()))?;
        let mut out = Vec::new();
        object
            .read_to_end(&mut out)
            .await
            .map_err(nats("read a blob"))?;
        Ok(out)
    }

    /// Submits a job: idempotent by id (see [`Submitted`]).
    pub async fn submit(&self, job: &Job) -> Result<Submitted> {
        Job::validate_id(&job.id)?;
        let payload = serde_json::to_vec(job).expect("jobs serialise");
        let record = serde_json::to_vec(&JobRecord::queued(job)).expect("records serialise");
        let outcome = match self.jobs.create(&job.id, record.into()).await {
            Ok(_) => Submitted::Queued,
            Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => {
                match self.record(&job.id).await?.map(|r| r.state) {
                    Some(s @ (JobState::Proven | JobState::Failed)) => {
                        return Ok(Submitted::Finished(s))
                    }
                    _ => Submitted::Requeued,
                }
            }
            Err(e) => return Err(nats("create a job record")(e)),
        };
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", job.id.as_str());
        self.js
            .publish_with_headers(job.subject(), headers, payload.into())
            .await
            .map_err(nats("publish a job"))?
            .await
            .map_err(nats("publish a job (ack)"))?;
        Ok(outcome)
    }

    /// A job's record.
    pub async fn record(&self, id: &str) -> Result<Option<JobRecord>> {
        let bytes = self.jobs.get(id).await.map_err(nats("read a job record"))?;
        Ok(bytes.and_then(|b| serde_json::from_slice(&b).ok()))
    }

    /// Changes a job's record with compare-and-set (retried when another worker wrote
    /// in between); a missing record is created from `fallback`.
    pub async fn update_record(
        &self,
        id: &str,
        fallback: impl Fn() -> JobRecord,
        change: impl Fn(&mut JobRecord),
    ) -> Result<JobRecord> {
        loop {
            let entry = self
                .jobs
                .entry(id)
                .await
                .map_err(nats("read a job record"))?;
            let (mut record, revision) = match &entry {
                Some(e) if e.operation == kv::Operation::Put => (
                    serde_json::from_slice(&e.value).unwrap_or_else(|_| fallback()),
                    Some(e.revision),
                ),
                _ => (fallback(), None),
            };
            change(&mut record);
            record.updated_ms = crate::now_ms();
            let bytes = serde_json::to_vec(&record).expect("records serialise");
            let written = match revision {
                Some(r) => self.jobs.update(id, bytes.into(), r).await.is_ok(),
                None => self.jobs.create(id, bytes.into()).await.is_ok(),
            };
            if written {
                return Ok(record);
            }
        }
    }

    /// Every job's record, sorted by submission time.
    pub async fn records(&self) -> Result<Vec<JobRecord>> {
        let keys = list_keys(&self.jobs, "list jobs").await?;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(r) = self.record(&key).await? {
                out.push(r);
            }
        }
        out.sort_by(|a, b| (a.submitted_ms, &a.id).cmp(&(b.submitted_ms, &b.id)));
        Ok(out)
    }

    /// A job's proof, if one was stored.
    pub async fn result(&self, id: &str) -> Result<Option<ProofRecord>> {
        let bytes = self.results.get(id).await.map_err(nats("read a proof"))?;
        Ok(bytes.and_then(|b| serde_json::from_slice(&b).ok()))
    }

    /// Every stored proof.
    pub async fn results(&self) -> Result<Vec<ProofRecord>> {
        let keys = list_keys(&self.results, "list proofs").await?;
        let mut out = Vec::new();
        for key in keys {
            if let Some(p) = self.result(&key).await? {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Stores a verified proof create-only: `true` if it is the job's first.
    pub(crate) async fn store_result(&self, proof: &ProofRecord) -> Result<bool> {
        let bytes = serde_json::to_vec(proof).expect("proofs serialise");
        match self.results.create(&proof.id, bytes.into()).await {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(nats("store a proof")(e)),
        }
    }
}

/// A bucket's keys, bounded in time: the listing is an ordered consumer that ends when
/// it has caught up, and a stalled one must not hang a caller.
async fn list_keys(store: &kv::Store, what: &'static str) -> Result<Vec<String>> {
    let listing = async {
        match store.keys().await {
            Ok(keys) => keys.try_collect().await.map_err(nats(what)),
            Err(e) => Err(nats(what)(e)),
        }
    };
    tokio::time::timeout(KEYS_TIMEOUT, listing)
        .await
        .map_err(|_| FarmError::Nats {
            what,
            message: format!("no answer in {} s", KEYS_TIMEOUT.as_secs()),
        })?
}

/// How long a key listing may take.
const KEYS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A key-value bucket, created if missing. Created as its backing stream with the KV
/// conventions (`KV_<bucket>`, subjects `$KV.<bucket>.>`, rollups, direct gets, discard
/// new) rather than with `create_key_value`: async-nats 0.49 first asks for the account
/// info, and nats-server 2.9's answer does not parse in it.
async fn kv_bucket(js: &jetstream::Context, bucket: &str, history: i64) -> Result<kv::Store> {
    if let Ok(store) = js.get_key_value(bucket).await {
        return Ok(store);
    }
    js.get_or_create_stream(stream::Config {
        name: format!("KV_{bucket}"),
        subjects: vec![format!("$KV.{bucket}.>")],
        max_messages_per_subject: history,
        storage: stream::StorageType::File,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: stream::DiscardPolicy::New,
        num_replicas: 1,
        ..Default::default()
    })
    .await
    .map_err(nats("create a key-value bucket"))?;
    js.get_key_value(bucket)
        .await
        .map_err(nats("open a key-value bucket"))
}
