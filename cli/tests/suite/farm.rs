//! The prover farm against a real nats-server with JetStream (Debian's 2.9.10 in CI;
//! scripts/setup.sh installs it): each test starts its own server on a free port with a
//! temporary file store, runs `zkpipe worker` processes, and kills workers (SIGKILL) and
//! the server. Every stored proof is verified here again.

use ark_bn254::Bn254;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use zkpipe::circom::{json, CircomCurve};
use zkpipe_farm::{Broker, FarmConfig, JobRecord, JobState, ProofRecord};

struct Server {
    port: u16,
    store: PathBuf,
    child: Option<Child>,
}

impl Server {
    fn start(test: &str) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let store = std::env::temp_dir().join(format!("zkpipe-farm-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&store);
        std::fs::create_dir_all(&store).unwrap();
        let mut s = Server {
            port,
            store,
            child: None,
        };
        s.spawn();
        s
    }

    fn spawn(&mut self) {
        let child = Command::new("nats-server")
            .args([
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-sd",
            ])
            .arg(&self.store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server is installed (scripts/setup.sh)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "nats-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.store);
    }
}

fn zkpipe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkpipe"))
        .args(args)
        .output()
        .expect("zkpipe runs")
}

struct WorkerProcess(Child);

impl WorkerProcess {
    fn start(url: &str, name: &str, device: &str) -> WorkerProcess {
        let child = Command::new(env!("CARGO_BIN_EXE_zkpipe"))
            .args(["worker", "--nats", url, "--device", device, "--name", name])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        WorkerProcess(child)
    }

    /// SIGKILL: no chance to ack, nak or clean up.
    fn kill(mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn farm_args<'a>(url: &'a str, ack_wait: &'a str, max_deliver: &'a str) -> Vec<&'a str> {
    vec![
        "--nats",
        url,
        "--ack-wait",
        ack_wait,
        "--max-deliver",
        max_deliver,
    ]
}

fn submit(url: &str, extra: &[&str]) -> serde_json::Value {
    submit_with(url, "10", extra)
}

/// Submits with ack_wait 2 s and `max_deliver` (which apply if this creates the farm).
fn submit_with(url: &str, max_deliver: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["submit", "--json"];
    args.extend(farm_args(url, "2", max_deliver));
    args.extend(extra);
    let out = zkpipe(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn broker(url: &str) -> (tokio::runtime::Runtime, Broker) {
    let rt = runtime();
    let b = rt
        .block_on(Broker::connect(url, &FarmConfig::default()))
        .unwrap();
    (rt, b)
}

/// Polls the job records until `done` holds for them (or panics after `limit`);
/// `on_poll` sees each poll's records.
fn wait_for(
    url: &str,
    limit: Duration,
    mut on_poll: impl FnMut(&[JobRecord]),
    done: impl Fn(&[JobRecord]) -> bool,
) -> Vec<JobRecord> {
    let (rt, b) = broker(url);
    let deadline = Instant::now() + limit;
    loop {
        let records = rt.block_on(b.records()).unwrap_or_default();
        if done(&records) {
            return records;
        }
        assert!(
            Instant::now() < deadline,
            "timed out; records: {:?}",
            records
                .iter()
                .map(|r| (&r.id, r.state, r.attempts))
                .collect::<Vec<_>>()
        );
        on_poll(&records);
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn all_in(state: JobState, n: usize) -> impl Fn(&[JobRecord]) -> bool {
    move |r| r.len() == n && r.iter().all(|j| j.state == state)
}

fn results(url: &str) -> Vec<ProofRecord> {
    let (rt, b) = broker(url);
    rt.block_on(b.results()).unwrap()
}

/// Every stored proof verifies: MiMC ones under the farm's MiMC key, circom ones under
/// their fixture's verification key.
fn verify_all(proofs: &[ProofRecord], mimc_constraints: usize, circom: Option<&str>) {
    let mimc_vk = zkpipe_farm::mimc_key(mimc_constraints).unwrap().vk;
    let circom_vk = circom.map(|name| {
        json::verifying_key_from_json::<Bn254>(
            &std::fs::read_to_string(fixture(name, "verification_key.json")).unwrap(),
        )
        .unwrap()
    });
    for p in proofs {
        assert!(p.verified);
        let proof = json::proof_from_json::<Bn254>(&p.proof.to_string()).unwrap();
        assert_eq!(p.proof["curve"], <Bn254 as CircomCurve>::NAME);
        let public = json::public_from_json::<ark_bn254::Fr>(&p.public.to_string()).unwrap();
        let vk = if p.id.starts_with("mimc-") {
            &mimc_vk
        } else {
            circom_vk.as_ref().unwrap()
        };
        let pvk = ark_groth16::prepare_verifying_key(vk);
        assert!(
            ark_groth16::Groth16::<Bn254>::verify_proof(&pvk, &proof, &public).unwrap(),
            "{}",
            p.id
        );
    }
}

fn fixture(name: &str, file: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/circom")
        .join(name)
        .join(file)
        .display()
        .to_string()
}

#[test]
fn a_hundred_jobs_over_three_workers_killed_at_random() {
    let server = Server::start("hundred");
    let url = server.url();
    submit(
        &url,
        &[
            "--circuit",
            "mimc",
            "--constraints",
            "512",
            "--count",
            "100",
        ],
    );
    let mut workers: Vec<WorkerProcess> = (0..3)
        .map(|i| WorkerProcess::start(&url, &format!("w{i}"), "cpu"))
        .collect();
    // Each time another 8 jobs are proven, SIGKILL a worker chosen at random (it may be
    // mid-proof, mid-ack or idle) and start a new one in its place: driven by progress,
    // not by the clock, so a faster machine kills as often.
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut kills = 0;
    let mut spawned = 3;
    let records = wait_for(
        &url,
        Duration::from_secs(240),
        |records| {
            let proven = records
                .iter()
                .filter(|r| r.state == JobState::Proven)
                .count();
            // (A loop: when proofs outrun the polls — a busy machine — every 8 proven
            // since the last poll still costs a worker, so the schedule does not depend
            // on the poll rate.)
            while proven >= 8 * (kills + 1) && kills < 11 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let victim = (rng % 3) as usize;
                let w = std::mem::replace(
                    &mut workers[victim],
                    WorkerProcess::start(&url, &format!("w{spawned}"), "cpu"),
                );
                w.kill();
                kills += 1;
                spawned += 1;
            }
        },
        all_in(JobState::Proven, 100),
    );
    assert!(kills >= 3, "the workers were killed {kills} times");
    eprintln!("{kills} workers killed");
    let proofs = results(&url);
    assert_eq!(proofs.len(), 100, "exactly one proof per job");
    let mut ids: Vec<_> = proofs.iter().map(|p| p.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 100);
    verify_all(&proofs, 512, None);
    for r in &records {
        assert!(r.worker.is_some() && r.prove_s.is_some(), "{r:?}");
    }
}

#[test]
fn a_worker_killed_mid_proof_loses_its_job_to_another() {
    let server = Server::start("mid-proof");
    let url = server.url();
    // A proof of seconds on the simulated board.
    submit(
        &url,
        &[
            "--circuit",
            "mimc",
            "--constraints",
            "256",
            "--id",
            "mimc-slow",
        ],
    );
    let first = WorkerProcess::start(&url, "doomed", "sim:sim-small");
    wait_for(
        &url,
        Duration::from_secs(60),
        |_| {},
        |r| r.len() == 1 && r[0].state == JobState::Proving,
    );
    first.kill();
    let _second = WorkerProcess::start(&url, "survivor", "cpu");
    let records = wait_for(
        &url,
        Duration::from_secs(60),
        |_| {},
        all_in(JobState::Proven, 1),
    );
    assert_eq!(records[0].worker.as_deref(), Some("survivor"));
    assert_eq!(records[0].attempts, 2, "redelivered once");
    let proofs = results(&url);
    assert_eq!(proofs.len(), 1);
    assert_eq!(proofs[0].worker, "survivor");
    verify_all(&proofs, 256, None);
}

#[test]
fn the_server_restarted_mid_run_loses_nothing() {
    let mut server = Server::start("restart");
    let url = server.url();
    submit(
        &url,
        &["--circuit", "mimc", "--constraints", "512", "--count", "30"],
    );
    let _workers: Vec<_> = (0..2)
        .map(|i| WorkerProcess::start(&url, &format!("w{i}"), "cpu"))
        .collect();
    wait_for(
        &url,
        Duration::from_secs(60),
        |_| {},
        |r| r.iter().filter(|j| j.state == JobState::Proven).count() >= 5,
    );
    server.stop();
    std::thread::sleep(Duration::from_secs(1));
    server.spawn();
    wait_for(
        &url,
        Duration::from_secs(120),
        |_| {},
        all_in(JobState::Proven, 30),
    );
    let proofs = results(&url);
    assert_eq!(proofs.len(), 30);
    verify_all(&proofs, 512, None);
}

#[test]
fn an_unsatisfied_witness_is_a_dead_letter_and_others_are_proven() {
    let server = Server::start("dead-letter");
    let url = server.url();
    let dir = std::env::temp_dir().join(format!("zkpipe-farm-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut wtns = std::fs::read(fixture("mul_chain", "witness.wtns")).unwrap();
    let n = wtns.len();
    wtns[n - 32] ^= 1;
    let bad = dir.join("bad.wtns");
    std::fs::write(&bad, wtns).unwrap();
    let zkey = fixture("mul_chain", "circuit.zkey");
    let good = fixture("mul_chain", "witness.wtns");
    submit_with(
        &url,
        "2",
        &[
            "--zkey",
            &zkey,
            "--witness",
            bad.to_str().unwrap(),
            "--id",
            "bad",
        ],
    );
    submit(&url, &["--zkey", &zkey, "--witness", &good, "--id", "good"]);
    let _worker = WorkerProcess::start(&url, "w", "cpu");
    let records = wait_for(
        &url,
        Duration::from_secs(60),
        |_| {},
        |r| {
            r.len() == 2
                && r.iter()
                    .all(|j| matches!(j.state, JobState::Proven | JobState::Failed))
        },
    );
    let bad = records.iter().find(|r| r.id == "bad").unwrap();
    assert_eq!(bad.state, JobState::Failed);
    assert_eq!(bad.attempts, 2, "max_deliver attempts");
    assert!(
        bad.error.as_deref().unwrap().contains("did not verify"),
        "{bad:?}"
    );
    let good = records.iter().find(|r| r.id == "good").unwrap();
    assert_eq!(good.state, JobState::Proven);
    let proofs = results(&url);
    assert_eq!(proofs.len(), 1);
    verify_all(&proofs, 2, Some("mul_chain"));
    // The jobs command shows both, as JSON.
    let out = zkpipe(&["jobs", "--json", "--nats", &url]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["proven"].as_u64(), v["failed"].as_u64()),
        (Some(1), Some(1))
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_job_submitted_twice_is_proven_once() {
    let server = Server::start("duplicate");
    let url = server.url();
    let (zkey, wtns) = (
        fixture("poseidon", "circuit.zkey"),
        fixture("poseidon", "witness.wtns"),
    );
    let first = submit(&url, &["--zkey", &zkey, "--witness", &wtns]);
    let again = submit(&url, &["--zkey", &zkey, "--witness", &wtns]);
    let id = first["submitted"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        again["submitted"][0]["id"],
        id.as_str(),
        "the id comes from the contents"
    );
    assert_eq!(again["submitted"][0]["outcome"], "requeued");
    let _worker = WorkerProcess::start(&url, "w", "cpu");
    wait_for(
        &url,
        Duration::from_secs(60),
        |_| {},
        all_in(JobState::Proven, 1),
    );
    // Give a duplicate message time to be (wrongly) proven, then check there is one proof.
    std::thread::sleep(Duration::from_secs(1));
    let after = submit(&url, &["--zkey", &zkey, "--witness", &wtns]);
    assert_eq!(after["submitted"][0]["outcome"], "already proven");
    let proofs = results(&url);
    assert_eq!(proofs.len(), 1);
    verify_all(&proofs, 2, Some("poseidon"));
}
