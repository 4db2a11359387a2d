//! Farm throughput on this machine: a local nats-server (JetStream, file store), jobs of a
//! circom fixture, W worker loops in one process; proofs per second and the share of a
//! job's time on its worker spent outside proving (broker calls, blob transfer,
//! verification).
//!
//! ```text
//! cargo run --release -p zkpipe-farm --features sim --example farm_bench
//! ```
//!
//! Needs `nats-server` on PATH (scripts/setup.sh).

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zkpipe_farm::{Broker, FarmConfig, Job, JobKind, Worker, WorkerEvent};

#[derive(Default)]
struct Tally {
    proofs: usize,
    prove_s: f64,
    verify_s: f64,
    handled_s: f64,
}

fn fixture(file: &str) -> Vec<u8> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/circom/poseidon");
    std::fs::read(dir.join(file)).unwrap()
}

async fn run(url: &str, tag: &str, device: &str, workers: usize, jobs: usize) -> (f64, Tally) {
    let broker = Broker::connect(url, &FarmConfig::default()).await.unwrap();
    let zkey = fixture("circuit.zkey");
    let wtns = fixture("witness.wtns");
    broker.put_blob("zkey-poseidon", &zkey).await.unwrap();
    broker.put_blob("wtns-poseidon", &wtns).await.unwrap();
    // Warm the keys: one job per worker loop first, not timed.
    let submit = |n: usize, prefix: String| {
        let broker = broker.clone();
        async move {
            for i in 0..n {
                let job = Job {
                    id: format!("{prefix}-{i}"),
                    kind: JobKind::Circom {
                        curve: "bn128".into(),
                        zkey: "zkey-poseidon".into(),
                        witness: "wtns-poseidon".into(),
                    },
                };
                broker.submit(&job).await.unwrap();
            }
        }
    };
    let tally = Arc::new(Mutex::new(Tally::default()));
    let counting = Arc::new(Mutex::new(false));
    let proven = Arc::new(AtomicUsize::new(0));
    let (t2, c2, p2) = (tally.clone(), counting.clone(), proven.clone());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let worker = Worker::new(broker.clone(), tag, vec![device.to_string(); workers]);
    let handle = tokio::spawn(worker.run(
        move |e| {
            if debug() {
                eprintln!("{e:?}");
            }
            if let WorkerEvent::Proved {
                prove_s,
                verify_s,
                handled_s,
                first,
                ..
            } = e
            {
                if first {
                    p2.fetch_add(1, Ordering::SeqCst);
                }
                if *c2.lock().unwrap() {
                    let mut t = t2.lock().unwrap();
                    t.proofs += 1;
                    t.prove_s += prove_s;
                    t.verify_s += verify_s;
                    t.handled_s += handled_s;
                }
            }
        },
        async move {
            let _ = stop_rx.await;
        },
    ));
    submit(workers, format!("{tag}-warm")).await;
    wait(&proven, workers).await;
    *counting.lock().unwrap() = true;
    let started = Instant::now();
    submit(jobs, format!("{tag}-job")).await;
    wait(&proven, workers + jobs).await;
    let wall = started.elapsed().as_secs_f64();
    eprintln!("{tag}: {jobs} jobs proven in {wall:.2} s; stopping the workers");
    let _ = stop_tx.send(());
    handle.await.unwrap();
    eprintln!("{tag}: stopped");
    let t = std::mem::take(&mut *tally.lock().unwrap());
    (wall, t)
}

/// Waits until the workers have reported `target` stored proofs.
async fn wait(proven: &AtomicUsize, target: usize) {
    let mut last = Instant::now();
    while proven.load(Ordering::SeqCst) < target {
        tokio::time::sleep(Duration::from_millis(5)).await;
        if last.elapsed() > Duration::from_secs(2) && std::env::var_os("FARM_BENCH_DEBUG").is_some()
        {
            eprintln!("{} of {target}", proven.load(Ordering::SeqCst));
            last = Instant::now();
        }
    }
}

#[tokio::main]
async fn main() {
    println!("| device | workers | jobs | wall | proofs/s | mean prove (incl. verify) | outside proving: broker + transfer | + verification | share of a job outside proving |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let cases: &[(&str, usize, usize)] = &[
        ("cpu", 1, 200),
        ("cpu", 2, 200),
        ("cpu", 4, 200),
        ("sim:sim-small", 1, 4),
        ("sim:sim-small", 2, 4),
    ];
    for &(device, workers, jobs) in cases {
        // A fresh server (and store) per case.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let store = std::env::temp_dir().join(format!("zkpipe-farm-bench-{port}"));
        let mut server = Command::new("nats-server")
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(&store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server on PATH (scripts/setup.sh)");
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            std::thread::sleep(Duration::from_millis(20));
        }
        let url = format!("nats://127.0.0.1:{port}");
        let tag = format!("{}-{workers}", device.replace(':', "-"));
        let (wall, t) = run(&url, &tag, device, workers, jobs).await;
        let n = t.proofs.max(1) as f64;
        let outside = (t.handled_s - t.prove_s) / n;
        let verify = t.verify_s / n;
        println!(
            "| {device} | {workers} | {jobs} | {wall:.2} s | {:.1} | {:.1} ms | {:.2} ms | {:.2} ms | {:.1} % |",
            jobs as f64 / wall,
            t.prove_s / n * 1e3,
            outside * 1e3,
            verify * 1e3,
            100.0 * (outside + verify) / (t.handled_s / n),
        );
        let _ = server.kill();
        let _ = server.wait();
        let _ = std::fs::remove_dir_all(store);
    }
}

/// FARM_BENCH_DEBUG=1 prints every worker event and the progress.
fn debug() -> bool {
    std::env::var_os("FARM_BENCH_DEBUG").is_some()
}
