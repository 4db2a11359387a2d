//! The `zkpipe` command line on the simulated board.

use std::process::{Command, Output};

fn zkpipe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkpipe"))
        .args(args)
        .output()
        .expect("zkpipe runs")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn vec_mul_4096_checks_against_arkworks() {
    let v = json(&zkpipe(&[
        "vec",
        "--device",
        "sim:sim-small",
        "--op",
        "mul",
        "--n",
        "4096",
        "--check",
        "--json",
    ]));
    assert_eq!(v["ok"], true);
    assert_eq!(v["n"], 4096);
    assert!(v["cycles"].as_u64().unwrap() >= 4096);
    assert_eq!(v["clock_mhz"], 250.0);
    assert!(v["projected_s"].as_f64().unwrap() > 0.0);
    assert!(v["host_s"].as_f64().unwrap() > 0.0);
}

#[test]
fn every_op_runs_and_checks() {
    for op in ["add", "sub", "powmul"] {
        let v = json(&zkpipe(&[
            "vec",
            "--device",
            "sim:sim-small",
            "--op",
            op,
            "--n",
            "300",
            "--seed",
            "9",
            "--check",
            "--json",
        ]));
        assert_eq!(v["ok"], true, "{op}");
    }
}

#[test]
fn info_reports_the_board() {
    let v = json(&zkpipe(&["info", "--device", "sim:sim-small", "--json"]));
    assert_eq!(v["preset"], "sim-small");
    assert_eq!(v["curve"], "bn254");
    assert_eq!(v["beat_bits"], 512);
    assert_eq!(v["ntt"]["log_core_size"], 8);
    assert_eq!(v["ntt"]["twiddle_log"], 16);
    assert!(v["opcodes"].as_array().unwrap().iter().any(|o| o == "ntt"));
    assert_eq!(
        v["queues"], 2,
        "sim-small's G2 engine has its own job queue"
    );
    assert!(v["card_memory_mib"].as_u64().unwrap() > 0);
    assert_eq!(v["kernel_slots"], 2, "register map 4.3: runs of NTT jobs");
    assert_eq!(v["kernel_in_path"], 4);
    let text = zkpipe(&["info", "--device", "sim:sim-small"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("register map"));
    assert!(text.contains("core 2^8"), "{text}");
    assert!(text.contains("queue 1: the G2 MSM engine"), "{text}");
}

#[test]
fn injected_faults_exit_non_zero_with_the_driver_message() {
    for (fault, words) in [
        ("dma-error", "DMA host-to-card channel failed"),
        ("stuck", "no answer after"),
        ("short-stream", "stream shorter than the job"),
        ("corrupt-h2c", "host-to-card stream arrived corrupted"),
        ("corrupt-c2h", "card-to-host stream arrived corrupted"),
    ] {
        let out = zkpipe(&[
            "vec",
            "--device",
            "sim:sim-small",
            "--op",
            "mul",
            "--n",
            "64",
            "--check",
            "--inject",
            fault,
            "--timeout-ms",
            "300",
        ]);
        assert!(!out.status.success(), "{fault} must fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(words), "{fault}: {err}");
        assert!(out.stdout.is_empty(), "{fault}: no result is printed");
    }
}

#[test]
fn a_fault_campaign_reports_every_run_and_refuses_real_cards() {
    let v = json(&zkpipe(&[
        "faults",
        "--device",
        "sim:sim-small",
        "--runs",
        "3",
        "--seed",
        "4",
        "--constraints",
        "8",
        "--json",
    ]));
    assert_eq!(v["total"]["runs"], 3);
    assert_eq!(v["total"]["wrong"], 0);
    assert_eq!(v["total"]["recovered"], 3);
    assert_eq!(v["seed"], 4);
    assert!(v["jobs_per_workload"]["proof"].as_u64().unwrap() > 1);
    let out = zkpipe(&["faults", "--device", "model:u250-bn254", "--runs", "1"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("simulated board"));
}

#[test]
fn usage_errors_are_clear() {
    let out = zkpipe(&[
        "vec",
        "--device",
        "sim:sim-small",
        "--op",
        "div",
        "--n",
        "4",
    ]);
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid value 'div' for '--op <OP>'"), "{err}");
    assert!(
        err.contains("possible values: mul, add, sub, powmul"),
        "{err}"
    );
    let out = zkpipe(&["vec", "--device", "bogus", "--op", "mul", "--n", "4"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown device URI"));
    let out = zkpipe(&[
        "vec",
        "--device",
        "sim:sim-small",
        "--op",
        "mul",
        "--n",
        "0",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least one element"));
    let out = zkpipe(&["info", "--device", "sim:sim-small", "--inject", "stuck"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unexpected argument '--inject'"));
}

#[test]
fn sizes_beyond_the_card_are_refused_before_allocating() {
    // 10^11 elements would be a 3.2 TB allocation: the card's limit is reported instead.
    let out = zkpipe(&[
        "vec",
        "--device",
        "sim:sim-small",
        "--op",
        "mul",
        "--n",
        "99999999999",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("exceed the device's limit of 65536"), "{err}");
    // The CPU has no card limit: host memory is the limit.
    let out = zkpipe(&["msm", "--device", "cpu", "--n", "99999999999"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("GiB of host memory"), "{err}");
}

#[test]
fn help_is_clap_help_for_every_command() {
    for cmd in [
        &["--help"][..],
        &["msm", "--help"],
        &["vec", "--help"],
        &["prove", "--help"],
    ] {
        let out = zkpipe(cmd);
        assert!(out.status.success(), "{cmd:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Usage: zkpipe"), "{cmd:?}: {text}");
    }
    let msm = String::from_utf8_lossy(&zkpipe(&["msm", "--help"]).stdout).to_string();
    for flag in [
        "--device",
        "--n",
        "--curve",
        "--scalars",
        "--resident",
        "--check",
        "--json",
        "--seed",
    ] {
        assert!(msm.contains(flag), "msm --help lacks {flag}");
    }
}

#[test]
fn vec_and_ntt_take_the_curve() {
    let v = json(&zkpipe(&[
        "vec",
        "--device",
        "sim:sim-bls12-381",
        "--curve",
        "bls12-381",
        "--op",
        "mul",
        "--n",
        "64",
        "--check",
        "--json",
    ]));
    assert_eq!(v["ok"], true);
    assert_eq!(v["curve"], "bls12-381");
    let v = json(&zkpipe(&[
        "ntt",
        "--device",
        "sim:sim-bls12-381",
        "--curve",
        "bls12-381",
        "--log-n",
        "9",
        "--check",
        "--json",
    ]));
    assert_eq!(v["ok"], true);
    // A curve that is not the card's is refused with the reason.
    let out = zkpipe(&[
        "vec",
        "--device",
        "sim:sim-small",
        "--curve",
        "bls12-381",
        "--op",
        "add",
        "--n",
        "4",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("curve id 1"));
}

#[test]
fn ntt_checks_against_ark_poly() {
    // Core size batch, four-step with coset, inverse; and the CPU comparison.
    for args in [
        &["--log-n", "8", "--batch", "4"][..],
        &["--log-n", "10", "--coset"][..],
        &["--log-n", "9", "--inverse", "--coset"][..],
    ] {
        let mut all = vec!["ntt", "--device", "sim:sim-small", "--check", "--json"];
        all.extend_from_slice(args);
        let v = json(&zkpipe(&all));
        assert_eq!(v["ok"], true, "{args:?}");
        assert_eq!(v["checked"], true);
        assert!(v["cycles"].as_u64().unwrap() > 0);
        let u = v["utilisation"].as_f64().unwrap();
        assert!(u > 0.0 && u <= 1.0, "{u}");
        assert!(v["projected_s"].as_f64().unwrap() > 0.0);
    }
    // Jobs of eight NTTs of 2^6 (longer than the path) appended to a run: the same
    // results, and the path's latency paid once — one idle cycle between two jobs.
    let run = |per_job: &str| {
        json(&zkpipe(&[
            "ntt",
            "--device",
            "sim:sim-small",
            "--log-n",
            "6",
            "--batch",
            "32",
            "--per-job",
            per_job,
            "--check",
            "--json",
        ]))
    };
    let (runs, one) = (run("8"), run("32"));
    assert_eq!(
        (runs["ok"].clone(), runs["jobs"].clone()),
        (true.into(), 4.into())
    );
    assert_eq!(
        (one["ok"].clone(), one["jobs"].clone()),
        (true.into(), 1.into())
    );
    assert_eq!(runs["per_job"], 8);
    let cycles = |v: &serde_json::Value| v["cycles"].as_u64().unwrap();
    assert_eq!(cycles(&runs), cycles(&one) + 3, "{runs} {one}");
    let v = json(&zkpipe(&[
        "ntt", "--device", "cpu", "--log-n", "12", "--json",
    ]));
    assert_eq!(v["ok"], true);
    assert!(v["host_s"].as_f64().unwrap() > 0.0);
}

#[test]
fn ntt_rejects_sizes_beyond_the_field() {
    // Sizes beyond the card take host radix-2 steps (tests/tests/ntt_board.rs); beyond
    // BN254 Fr's two-adicity (28) there is no such NTT, refused before any allocation.
    let out = zkpipe(&["ntt", "--device", "sim:sim-small", "--log-n", "29"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("at most 2^28 points"), "{err}");
}

#[test]
fn prove_verifies_on_the_board_and_the_cpu() {
    for device in ["sim:sim-small", "cpu"] {
        let v = json(&zkpipe(&[
            "prove",
            "--device",
            device,
            "--circuit",
            "mimc",
            "--constraints",
            "256",
            "--verify",
            "--json",
        ]));
        assert_eq!(v["verified"], true, "{device}");
        // On the board the QAP step runs in card memory: no NTT call through the host.
        let on_card = device != "cpu";
        assert_eq!(v["qap_on_card"], on_card);
        assert_eq!(v["ntt_calls"], if on_card { 0 } else { 7 });
        assert_eq!(v["domain_size"], 512);
        if device == "cpu" {
            assert!(v["projected_card_s"].is_null());
        } else {
            assert!(v["device_cycles"].as_u64().unwrap() > 0);
            assert!(v["msm_adds"].as_u64().unwrap() > 0, "G1 MSMs on the card");
            let projected = v["projected_card_s"].as_f64().unwrap();
            assert!(
                projected
                    >= v["device_projected_s"].as_f64().unwrap()
                        + v["msm_reduce_s"].as_f64().unwrap()
            );
        }
    }
    let out = zkpipe(&[
        "prove",
        "--device",
        "sim:sim-small",
        "--curve",
        "bls12-381",
        "--constraints",
        "16",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("curve"));
}

#[test]
fn msm_checks_against_arkworks_for_every_scalar_kind() {
    for kind in ["random", "zero", "max", "same-bucket"] {
        let v = json(&zkpipe(&[
            "msm",
            "--device",
            "sim:sim-small",
            "--n",
            "200",
            "--scalars",
            kind,
            "--resident",
            "--check",
            "--json",
        ]));
        assert_eq!(v["ok"], true, "{kind}");
        assert_eq!(v["checked"], true);
        assert_eq!(v["windows"], 32);
        assert_eq!(v["load_jobs"], 0, "--resident loads before the timed run");
        let adds = v["adds"].as_u64().unwrap();
        match kind {
            "zero" => assert_eq!(adds, 0),
            "same-bucket" => assert!(v["deferrals"].as_u64().unwrap() > 0),
            _ => assert!(adds > 0),
        }
        assert!(v["projected_s"].as_f64().unwrap() > 0.0);
    }
    let v = json(&zkpipe(&["msm", "--device", "cpu", "--n", "64", "--json"]));
    assert_eq!(v["ok"], true);
    assert!(v["cycles"].is_null());
}

#[test]
fn msm_usage_errors_are_clear() {
    let out = zkpipe(&[
        "msm",
        "--device",
        "sim:sim-small",
        "--n",
        "4",
        "--scalars",
        "odd",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid value 'odd' for '--scalars <SCALARS>'"),
        "{err}"
    );
    let out = zkpipe(&[
        "msm",
        "--device",
        "sim:sim-small",
        "--n",
        "4",
        "--curve",
        "bls12-381",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("curve id"));
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_zkpipe"))
        .args(["info", "--device", "sim:sim-small"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away before the report is printed
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn model_devices_project_real_card_presets() {
    let v = json(&zkpipe(&[
        "msm",
        "--device",
        "model:u250-bn254",
        "--n",
        "5000",
        "--resident",
        "--check",
        "--json",
    ]));
    assert_eq!(
        (v["ok"].clone(), v["checked"].clone()),
        (true.into(), true.into())
    );
    let preset = zkpipe::Preset::by_name("u250-bn254").unwrap();
    assert_eq!(v["adders"], preset.msm_adders);
    assert_eq!(v["window_bits"], preset.msm_window_bits);
    assert_eq!(
        v["load_jobs"], 0,
        "the measured call finds the bases resident"
    );
    let accum = v["accum_cycles"].as_u64().unwrap();
    let per_lane = 5000 * 20 / preset.msm_adders as u64;
    assert!(
        accum >= per_lane,
        "one window per lane and cycle at best: {accum}"
    );
    // The lanes share 20 windows evenly (two lanes: 10 each).
    assert!(v["utilisation"].as_f64().unwrap() > 0.8);
    let projected = v["projected_s"].as_f64().unwrap();
    assert!(projected >= accum as f64 / 250e6, "{projected}");
    assert!(v["host_cpu_s"].as_f64().unwrap() > 0.0);

    let svg = std::env::temp_dir().join(format!("zkpipe-timeline-{}.svg", std::process::id()));
    let svg_overlapped = svg.with_extension("overlapped.svg");
    let p = json(&zkpipe(&[
        "prove",
        "--device",
        "model:u250-bls12-381",
        "--curve",
        "bls12-381",
        "--constraints",
        "300",
        "--verify",
        "--timeline",
        svg.to_str().unwrap(),
        "--timeline-overlapped",
        svg_overlapped.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(p["verified"], true);
    let steps = p["timeline"]["steps"].as_array().unwrap();
    for lane in ["host", "card_ntt", "card_msm"] {
        assert!(steps.iter().any(|s| s["lane"] == lane), "{lane}");
    }
    let last_end = steps.last().unwrap()["end_s"].as_f64().unwrap();
    assert!((last_end - p["projected_s"].as_f64().unwrap()).abs() < 1e-9);
    // Synthesis (witness and matrices) is reported apart, outside the proof's time.
    assert!(p["synthesis_s"].as_f64().unwrap() > 0.0);
    assert!(steps.iter().all(|s| s["what"] != "synthesis"));
    // The QAP and the witness MSMs overlapped: never later than issued one after another,
    // never sooner than the busier of host and card.
    let overlapped = p["projected_overlapped_s"].as_f64().unwrap();
    let busy = |host: bool| -> f64 {
        steps
            .iter()
            .filter(|s| (s["lane"] == "host") == host)
            .map(|s| s["end_s"].as_f64().unwrap() - s["start_s"].as_f64().unwrap())
            .sum()
    };
    assert!(overlapped <= last_end + 1e-9, "{overlapped} {last_end}");
    assert!(overlapped >= busy(true).max(busy(false)) - 1e-9);
    for chain in ["qap", "witness", "join"] {
        assert!(steps.iter().any(|s| s["chain"] == chain), "{chain}");
    }
    let [one, two] = [0, 1].map(|i| p["stream_proofs_per_s"][i].as_f64().unwrap());
    assert!(
        one > 0.0 && two >= one && one * last_end >= 1.0 - 1e-9,
        "{one} {two}"
    );
    let picture = std::fs::read_to_string(&svg).unwrap();
    assert!(picture.starts_with("<svg") && picture.contains("card: MSM"));
    std::fs::remove_file(&svg).ok();
    let picture = std::fs::read_to_string(&svg_overlapped).unwrap();
    assert!(picture.starts_with("<svg") && picture.contains("overlapped"));
    std::fs::remove_file(&svg_overlapped).ok();
    assert!(p["projected_s"].as_f64().unwrap() > p["host_cpu_s"].as_f64().unwrap());

    // A model has no registers: commands that read them say so; a wrong curve is refused.
    let info = zkpipe(&["info", "--device", "model:sim-small"]);
    assert!(!info.status.success());
    assert!(String::from_utf8_lossy(&info.stderr).contains("model:sim-small"));
    let wrong = zkpipe(&[
        "msm",
        "--device",
        "model:u250-bn254",
        "--curve",
        "bls12-381",
        "--n",
        "4",
    ]);
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("curve"));
}
