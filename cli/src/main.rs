//! `zkpipe`: inspect a card and run kernels, MSMs and proofs on it (or on the CPU with
//! arkworks, for comparison). Every command prints a human summary, or with `--json` one
//! JSON object (its report's `Serialize` derive); long work shows a progress spinner on a
//! terminal's stderr.

mod args;
mod farm;
mod faults;
mod groth16;
mod info;
mod msm;
mod ntt;
mod progress;
mod prove;
mod sizes;
mod vec;

use clap::Parser;
use std::process::ExitCode;

/// The outcome of a command: `Ok(false)` when it ran but its check failed.
type Outcome = Result<bool, String>;

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = args::Cli::parse();
    let result = match cli.command {
        args::Command::Info(a) => info::run(&a),
        args::Command::Vec(a) => vec::run(&a),
        args::Command::Ntt(a) => ntt::run(&a),
        args::Command::Msm(a) => msm::run(&a),
        args::Command::Prove(a) => prove::run(&a),
        args::Command::Groth16(c) => return groth16::run(&c),
        args::Command::Faults(a) => faults::run(&a),
        args::Command::Worker(a) => farm::worker(&a),
        args::Command::Submit(a) => farm::submit(&a),
        args::Command::Jobs(a) => farm::jobs(&a),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(msg) => {
            eprintln!("zkpipe: error: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// Rust ignores SIGPIPE, so printing into a closed pipe (`zkpipe … | head`) would panic;
/// like other command-line tools, the process ends quietly instead.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of a signal at start-up, before any thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Prints a report: JSON from its `Serialize` derive, or the human text.
fn emit<R: serde::Serialize>(json: bool, report: &R, text: impl FnOnce(&R)) {
    if json {
        println!(
            "{}",
            serde_json::to_string(report).expect("reports serialise")
        );
    } else {
        text(report)
    }
}

/// The last lines of a job's text report: host time and, if checked, the comparison.
fn print_host_and_check(host_s: f64, checked: bool, check_s: f64, ok: bool, reference: &str) {
    println!("host           {host_s:.3} s");
    if checked {
        println!(
            "check          against {reference} in {check_s:.3} s: {}",
            if ok { "equal" } else { "DIFFERENT" }
        );
    }
}

/// A job's outcome: on a mismatch, says so on stderr (the exit status is then 1).
fn verdict(ok: bool, what: &str, reference: &str) -> Outcome {
    if !ok {
        eprintln!("zkpipe: error: the device's {what} differ from {reference}");
    }
    Ok(ok)
}
