//! `zkpipe worker | submit | jobs`: the prover farm on NATS JetStream (zkpipe-farm).

use crate::args::{FarmArgs, FarmCircuit, JobsArgs, SubmitArgs, WorkerArgs};
use crate::Outcome;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::time::Duration;
use zkpipe::circom::zkey_curve;
use zkpipe_farm::{Broker, FarmConfig, Job, JobKind, JobState, Submitted, WorkerEvent};

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

fn config(args: &FarmArgs) -> Result<FarmConfig, String> {
    if !(args.ack_wait > 0.0 && args.ack_wait.is_finite()) || args.max_deliver < 1 {
        return Err("--ack-wait must be positive and --max-deliver at least 1".into());
    }
    Ok(FarmConfig {
        ack_wait: Duration::from_secs_f64(args.ack_wait),
        max_deliver: args.max_deliver,
        ..FarmConfig::default()
    })
}

async fn connect(args: &FarmArgs) -> Result<Broker, String> {
    let config = config(args)?;
    tokio::time::timeout(
        Duration::from_secs(20),
        Broker::connect(&args.nats, &config),
    )
    .await
    .map_err(|_| {
        format!(
            "no NATS server with JetStream answered at {} in 20 s",
            args.nats
        )
    })?
    .map_err(|e| format!("{}: {e}", args.nats))
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

pub fn worker(args: &WorkerArgs) -> Outcome {
    let devices: Vec<String> = args
        .device
        .split(',')
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect();
    if devices.is_empty() {
        return Err("--device names no device".into());
    }
    let name = args.name.clone().unwrap_or_else(|| {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "worker".into());
        format!("{host}-{}", std::process::id())
    });
    let json = args.json;
    runtime()?.block_on(async {
        let broker = connect(&args.farm).await?;
        if !json {
            println!(
                "worker {name}: {} device(s) on {}",
                devices.len(),
                args.farm.nats
            );
        }
        let worker = zkpipe_farm::Worker::new(broker, &name, devices);
        worker
            .run(move |e| print_event(json, &e), shutdown_signal())
            .await;
        Ok(true)
    })
}

fn print_event(json: bool, e: &WorkerEvent) {
    if json {
        println!("{}", serde_json::to_string(e).expect("events serialise"));
        return;
    }
    match e {
        WorkerEvent::Proved {
            id,
            device,
            prove_s,
            attempt,
            first,
            ..
        } => println!(
            "proved {id} on {device} in {prove_s:.3} s (attempt {attempt}){}",
            if *first {
                ""
            } else {
                ": another proof was first, this one dropped"
            }
        ),
        WorkerEvent::Failed {
            id,
            device,
            error,
            attempt,
            dead,
        } => println!(
            "failed {id} on {device} (attempt {attempt}{}): {error}",
            if *dead {
                ", dead letter"
            } else {
                ", will be retried"
            }
        ),
        WorkerEvent::AlreadyProven { id } => println!("{id} already proven: acked"),
        WorkerEvent::BrokerRetry { error } => eprintln!("broker unavailable, retrying: {error}"),
    }
}

#[derive(Serialize)]
struct SubmitReport {
    submitted: Vec<SubmittedJob>,
}

#[derive(Serialize)]
struct SubmittedJob {
    id: String,
    outcome: &'static str,
}

pub fn submit(args: &SubmitArgs) -> Outcome {
    let jobs = jobs_to_submit(args)?;
    runtime()?.block_on(async {
        let broker = connect(&args.farm).await?;
        let mut report = SubmitReport {
            submitted: Vec::new(),
        };
        for (job, blobs) in jobs {
            for (name, bytes) in &blobs {
                broker
                    .put_blob(name, bytes)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            let outcome = match broker.submit(&job).await.map_err(|e| e.to_string())? {
                Submitted::Queued => "queued",
                Submitted::Requeued => "requeued",
                Submitted::Finished(JobState::Proven) => "already proven",
                Submitted::Finished(_) => "already failed",
            };
            report.submitted.push(SubmittedJob {
                id: job.id,
                outcome,
            });
        }
        crate::emit(args.json, &report, |r| {
            for j in &r.submitted {
                println!("{} {}", j.id, j.outcome);
            }
        });
        Ok(true)
    })
}

type Blobs = Vec<(String, Vec<u8>)>;

fn jobs_to_submit(args: &SubmitArgs) -> Result<Vec<(Job, Blobs)>, String> {
    let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    match (&args.zkey, &args.witness, args.circuit) {
        (Some(zkey_path), Some(wtns_path), None) => {
            let zkey = read(zkey_path)?;
            let witness = read(wtns_path)?;
            let curve = zkey_curve(&zkey).map_err(|e| format!("{}: {e}", zkey_path.display()))?;
            let zkey_name = format!("zkey-{}", hex32(&[&zkey]));
            let id = match &args.id {
                Some(id) => id.clone(),
                None => format!("c-{}", hex32(&[&zkey, &witness])),
            };
            Job::validate_id(&id).map_err(|e| e.to_string())?;
            let witness_name = format!("wtns-{id}");
            let job = Job {
                id,
                kind: JobKind::Circom {
                    curve: curve.to_string(),
                    zkey: zkey_name.clone(),
                    witness: witness_name.clone(),
                },
            };
            Ok(vec![(
                job,
                vec![(zkey_name, zkey), (witness_name, witness)],
            )])
        }
        (None, None, Some(FarmCircuit::Mimc)) => {
            if args.id.is_some() && args.count != 1 {
                return Err("--id names one job: use it with --count 1".into());
            }
            Ok((0..args.count)
                .map(|k| {
                    let seed = args.seed + k;
                    let id = args
                        .id
                        .clone()
                        .unwrap_or_else(|| format!("mimc-{}-{seed}", args.constraints));
                    (
                        Job {
                            id,
                            kind: JobKind::Mimc {
                                constraints: args.constraints,
                                seed,
                            },
                        },
                        Vec::new(),
                    )
                })
                .collect())
        }
        _ => Err("give --zkey and --witness (a circom job) or --circuit mimc".into()),
    }
}

/// The first 128 bits of SHA-256 over the parts, in hex.
fn hex32(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Serialize)]
struct JobsReport {
    jobs: Vec<zkpipe_farm::JobRecord>,
    queued: usize,
    proving: usize,
    proven: usize,
    failed: usize,
    duplicates: u64,
}

pub fn jobs(args: &JobsArgs) -> Outcome {
    runtime()?.block_on(async {
        let broker = connect(&args.farm).await?;
        let jobs = broker.records().await.map_err(|e| e.to_string())?;
        let count = |s: JobState| jobs.iter().filter(|j| j.state == s).count();
        let report = JobsReport {
            queued: count(JobState::Queued),
            proving: count(JobState::Proving),
            proven: count(JobState::Proven),
            failed: count(JobState::Failed),
            duplicates: jobs.iter().map(|j| j.duplicates).sum(),
            jobs,
        };
        crate::emit(args.json, &report, |r| {
            println!(
                "{:<36} {:<8} {:<7} {:>8} {:<24} {:>9}  error",
                "id", "state", "kind", "attempts", "worker", "prove s"
            );
            for j in &r.jobs {
                println!(
                    "{:<36} {:<8} {:<7} {:>8} {:<24} {:>9}  {}",
                    j.id,
                    format!("{:?}", j.state).to_lowercase(),
                    j.kind,
                    j.attempts,
                    j.worker.as_deref().unwrap_or("-"),
                    j.prove_s.map_or("-".into(), |s| format!("{s:.3}")),
                    j.error.as_deref().unwrap_or("")
                );
            }
            println!(
                "{} jobs: {} queued, {} proving, {} proven, {} failed; {} duplicate proofs dropped",
                r.jobs.len(),
                r.queued,
                r.proving,
                r.proven,
                r.failed,
                r.duplicates
            );
        });
        Ok(true)
    })
}
