//! `zkpipe faults`: the fault campaign on a simulated board (`zkpipe::campaign`).

use crate::args::FaultsArgs;
use crate::{emit, Outcome};

#[cfg(feature = "sim")]
pub fn run(args: &FaultsArgs) -> Outcome {
    use indicatif::{ProgressBar, ProgressStyle};
    use std::io::IsTerminal;
    use std::sync::Arc;
    use std::time::Duration;
    use zkpipe::campaign::{self, CampaignConfig, CampaignReport, Outcome as RunOutcome};
    use zkpipe::Device;

    if !args.device.starts_with("sim:") {
        return Err(format!(
            "`{}`: the fault campaign injects faults into a simulated board; use sim:<preset> (e.g. sim:sim-small)",
            args.device
        ));
    }
    let device = Arc::new(Device::open(&args.device).map_err(|e| e.to_string())?);
    let config = CampaignConfig {
        runs: args.runs,
        seed: args.seed,
        timeout: Duration::from_millis(args.timeout_ms),
        proof_constraints: args.constraints,
        qap_log_n: args.qap_log_n,
        ..CampaignConfig::default()
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(args.runs as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} runs, {msg} [{elapsed_precise}, eta {eta}]",
            )
            .expect("valid template"),
        );
        bar
    });
    let mut wrong = 0;
    let report = campaign::run(&device, &config, |r| {
        wrong += (r.outcome == RunOutcome::Wrong) as usize;
        if let Some(bar) = &bar {
            bar.set_message(format!("{} wrong", wrong));
            bar.inc(1);
        }
    })
    .map_err(|e| e.to_string())?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    emit(args.json, &report, |r: &CampaignReport| {
        println!(
            "fault campaign on {}: {} runs, seed {}, {:.0} s",
            r.device, r.total.runs, r.seed, r.seconds
        );
        let jobs: Vec<String> = r
            .jobs_per_workload
            .iter()
            .map(|(w, j)| format!("{w} {j}"))
            .collect();
        println!(
            "jobs per workload (moments a fault can hit): {}",
            jobs.join(", ")
        );
        println!();
        println!(
            "{:<16} {:>5} {:>8} {:>6} {:>8} {:>10} {:>5} {:>10} {:>9}",
            "",
            "runs",
            "injected",
            "errors",
            "rejected",
            "unaffected",
            "WRONG",
            "input lost",
            "recovered"
        );
        let row = |name: &str, t: &campaign::Tally| {
            println!(
                "{:<16} {:>5} {:>8} {:>6} {:>8} {:>10} {:>5} {:>10} {:>9}",
                name,
                t.runs,
                t.injected,
                t.errors,
                t.rejected,
                t.unaffected,
                t.wrong,
                t.inputs_lost,
                t.recovered
            )
        };
        for (kind, t) in &r.by_fault {
            row(kind, t);
        }
        println!();
        for (workload, t) in &r.by_workload {
            row(workload, t);
        }
        println!();
        row("total", &r.total);
        println!();
        let errors: Vec<String> = r.errors.iter().map(|(e, n)| format!("{e} {n}")).collect();
        println!("typed errors: {}", errors.join(", "));
        for f in &r.failures {
            println!(
                "FAILED run {}: {} on {} job {}: {:?}{}",
                f.run,
                f.fault,
                f.workload.name(),
                f.job,
                f.outcome,
                if f.recovered {
                    ""
                } else {
                    ", board did not recover"
                }
            );
        }
        println!(
            "{}",
            if r.passed() {
                "passed: no wrong result, no lost input, the board recovered after every run"
            } else {
                "FAILED: see the runs above"
            }
        );
    });
    Ok(report.passed())
}

#[cfg(not(feature = "sim"))]
pub fn run(_: &FaultsArgs) -> Outcome {
    Err("the fault campaign needs zkpipe built with its `sim` feature (simulated boards)".into())
}
