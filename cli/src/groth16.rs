//! `zkpipe groth16 prove|verify`: circom circuits, snarkjs files — a drop-in for
//! rapidsnark's `prover` and `snarkjs groth16 verify`. Exit statuses are documented on
//! [`crate::args::Groth16Command`].

use crate::args::{Groth16Command, Groth16ProveArgs, Groth16VerifyArgs};
use crate::progress::Progress;
use serde::Serialize;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;
use zkpipe::backend::{Backend, BoardBackend};
use zkpipe::circom::{json, open_wtns, zkey_curve, CircomCurve, CircomProver, FileKind, Zkey};
use zkpipe::Error;

/// A failure with the exit status a script acts on.
struct Failure {
    code: u8,
    message: String,
}

const INVALID: u8 = 1;
const INPUT: u8 = 3;
const DEVICE: u8 = 4;
const OUTPUT: u8 = 5;

fn fail(code: u8, message: impl Into<String>) -> Failure {
    Failure {
        code,
        message: message.into(),
    }
}

/// The exit status of a library error: input, device, or a rejected proof.
fn classify(e: Error) -> Failure {
    let code = match &e {
        Error::Format(_) | Error::Io { .. } | Error::WitnessLength { .. } | Error::Circuit(_) => {
            INPUT
        }
        Error::ProofRejected { .. } => INVALID,
        _ => DEVICE,
    };
    fail(code, e.to_string())
}

pub fn run(command: &Groth16Command) -> ExitCode {
    let result = match command {
        Groth16Command::Prove(a) => prove(a),
        Groth16Command::Verify(a) => verify(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("zkpipe: error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn read_text(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| fail(INPUT, format!("{}: {e}", path.display())))
}

#[derive(Serialize)]
struct ProveReport {
    curve: &'static str,
    device: String,
    variables: usize,
    public_signals: usize,
    constraints: usize,
    domain_size: usize,
    verified: bool,
    load_s: f64,
    prove_s: f64,
    ntt_s: f64,
    msm_g1_s: f64,
    msm_g2_s: f64,
    host_s: f64,
    verify_s: f64,
    device_cycles: u64,
    projected_card_s: Option<f64>,
    proof: String,
    public: String,
}

fn prove(args: &Groth16ProveArgs) -> Result<(), Failure> {
    let bytes = std::fs::read(&args.zkey)
        .map_err(|e| fail(INPUT, format!("{}: {e}", args.zkey.display())))?;
    let curve =
        zkey_curve(&bytes).map_err(|e| fail(INPUT, format!("{}: {e}", args.zkey.display())))?;
    if curve == <ark_bn254::Bn254 as CircomCurve>::NAME {
        prove_on::<ark_bn254::Bn254>(args, &bytes)
    } else {
        prove_on::<ark_bls12_381::Bls12_381>(args, &bytes)
    }
}

/// Proves with the key's bytes, read once by [`prove`].
fn prove_on<E: CircomCurve>(args: &Groth16ProveArgs, zkey: &[u8]) -> Result<(), Failure>
where
    BoardBackend: Backend<E>,
{
    let progress = Progress::start(&args.device, "loading the key");
    let started = Instant::now();
    fn in_file(path: &Path) -> impl Fn(Error) -> Failure + '_ {
        move |e| {
            let f = classify(e);
            fail(f.code, format!("{}: {}", path.display(), f.message))
        }
    }
    let zkey = Zkey::<E>::from_bytes(zkey).map_err(|e| in_file(&args.zkey)(Error::Format(e)))?;
    let witness = open_wtns::<E::ScalarField>(&args.witness).map_err(in_file(&args.witness))?;
    let mut prover = CircomProver::open(zkey, &[args.device.as_str()]).map_err(classify)?;
    prover.set_verify(!args.no_verify);
    let load_s = started.elapsed().as_secs_f64();
    progress.stage(&format!("proving on {}", args.device));
    let out = prover.prove(&witness).map_err(|e| match e {
        Error::ProofRejected { backend } => fail(
            INVALID,
            format!(
                "the proof did not verify, so it was not written: the witness does not satisfy \
                 this key's circuit, the key is corrupt, or {backend} computed wrongly"
            ),
        ),
        e => classify(e),
    })?;
    drop(progress);
    let proof_json = json::proof_to_json(&out.proof);
    let public_json = json::public_to_json(&out.public);
    write_atomically(&args.proof, &proof_json)?;
    write_atomically(&args.public, &public_json)?;
    let r = &out.report;
    let h = prover.zkey().header;
    let report = ProveReport {
        curve: E::NAME,
        device: prover.backends()[0].describe(),
        variables: h.n_vars,
        public_signals: h.n_public,
        constraints: r.constraints,
        domain_size: r.domain_size,
        verified: r.verified,
        load_s,
        prove_s: r.total.as_secs_f64(),
        ntt_s: r.backend.ntt_time.as_secs_f64(),
        msm_g1_s: r.backend.msm_g1_time.as_secs_f64(),
        msm_g2_s: r.backend.msm_g2_time.as_secs_f64(),
        host_s: r.host.as_secs_f64(),
        verify_s: r.verify.as_secs_f64(),
        device_cycles: r.backend.device.busy_cycles,
        projected_card_s: r.projected_card_s(),
        proof: args.proof.display().to_string(),
        public: args.public.display().to_string(),
    };
    crate::emit(args.json, &report, |r| {
        println!(
            "proved        {} ({} constraints, domain 2^{}, {} public signals) on {}",
            r.curve,
            r.constraints,
            r.domain_size.trailing_zeros(),
            r.public_signals,
            r.device
        );
        println!("load          {:.3} s", r.load_s);
        println!(
            "prove         {:.3} s (NTT {:.3}, MSM G1 {:.3}, G2 {:.3}, host {:.3})",
            r.prove_s, r.ntt_s, r.msm_g1_s, r.msm_g2_s, r.host_s
        );
        if let Some(p) = r.projected_card_s {
            println!(
                "card          {} cycles; projected on the real card {:.3} s",
                r.device_cycles, p
            );
        }
        println!(
            "verified      {}",
            if r.verified {
                format!("yes ({:.3} s)", r.verify_s)
            } else {
                "no (--no-verify)".into()
            }
        );
        println!("wrote         {} and {}", r.proof, r.public);
    });
    Ok(())
}

/// Writes beside the target, then renames: a reader never sees half a proof.
fn write_atomically(path: &Path, text: &str) -> Result<(), Failure> {
    let tmp = path.with_extension("json.tmp");
    let out = |e: std::io::Error| fail(OUTPUT, format!("{}: {e}", path.display()));
    std::fs::write(&tmp, text).map_err(out)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        out(e)
    })
}

fn verify(args: &Groth16VerifyArgs) -> Result<(), Failure> {
    let vk = read_text(&args.verification_key)?;
    let curve = json::curve_of(FileKind::VerificationKeyJson, &vk)
        .map_err(|e| fail(INPUT, format!("{}: {e}", args.verification_key.display())))?;
    match curve.as_str() {
        "bn128" => verify_on::<ark_bn254::Bn254>(args, &vk),
        "bls12381" => verify_on::<ark_bls12_381::Bls12_381>(args, &vk),
        other => Err(fail(
            INPUT,
            format!(
                "{}: curve `{other}` is not supported (bn128, bls12381)",
                args.verification_key.display()
            ),
        )),
    }
}

fn verify_on<E: CircomCurve>(args: &Groth16VerifyArgs, vk_text: &str) -> Result<(), Failure> {
    fn at(path: &Path) -> impl Fn(zkpipe::circom::FormatError) -> Failure + '_ {
        move |e| fail(INPUT, format!("{}: {e}", path.display()))
    }
    let vk = json::verifying_key_from_json::<E>(vk_text).map_err(at(&args.verification_key))?;
    let public = json::public_from_json::<E::ScalarField>(&read_text(&args.public)?)
        .map_err(at(&args.public))?;
    let proof = json::proof_from_json::<E>(&read_text(&args.proof)?).map_err(at(&args.proof))?;
    if public.len() + 1 != vk.gamma_abc_g1.len() {
        return Err(fail(
            INPUT,
            format!(
                "{}: {} public signals; the verification key expects {}",
                args.public.display(),
                public.len(),
                vk.gamma_abc_g1.len() - 1
            ),
        ));
    }
    let pvk = ark_groth16::prepare_verifying_key(&vk);
    let ok = ark_groth16::Groth16::<E>::verify_proof(&pvk, &proof, &public)
        .map_err(|e| fail(INPUT, e.to_string()))?;
    if ok {
        println!("OK: the proof is valid");
        Ok(())
    } else {
        Err(fail(INVALID, "INVALID: the proof does not verify"))
    }
}
