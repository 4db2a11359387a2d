//! Builds capi/tests/c/prove.c against include/zkpipe_prover.h and libzkpipe_prover, runs
//! it on the circom fixtures, and checks the proofs it wrote with snarkjs's verifier
//! (zkpipe's implementation of `snarkjs groth16 verify`, itself checked against snarkjs by
//! the CLI tests) — the path a rapidsnark wrapper takes.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// target/<profile>, where cargo put libzkpipe_prover.so for this test.
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

fn build_c_program(out: &Path) {
    let lib = lib_dir();
    assert!(
        lib.join("libzkpipe_prover.so").exists(),
        "libzkpipe_prover.so not in {}: `cargo test` builds libraries as rlibs only; run \
         `cargo build --workspace` (or -p zkpipe-capi) first (the README's test command does)",
        lib.display()
    );
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(cc)
        .arg(root().join("tests/c/prove.c"))
        .arg("-I")
        .arg(root().join("include"))
        .arg("-Wall")
        .arg("-Werror")
        .arg("-o")
        .arg(out)
        .arg("-L")
        .arg(&lib)
        .arg("-lzkpipe_prover")
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .status()
        .expect("a C compiler runs");
    assert!(status.success(), "compiling prove.c");
}

fn verify(name: &str, proof: &Path, public: &Path) -> bool {
    use zkpipe::circom::json;
    let vk = std::fs::read_to_string(fixture(name, "verification_key.json")).unwrap();
    let proof = std::fs::read_to_string(proof).unwrap();
    let public = std::fs::read_to_string(public).unwrap();
    return if name.ends_with("_bls") {
        check::<ark_bls12_381::Bls12_381>(&vk, &proof, &public)
    } else {
        check::<ark_bn254::Bn254>(&vk, &proof, &public)
    };
    fn check<E: zkpipe::circom::CircomCurve>(vk: &str, proof: &str, public: &str) -> bool {
        let vk = json::verifying_key_from_json::<E>(vk).unwrap();
        let proof = json::proof_from_json::<E>(proof).unwrap();
        let public = json::public_from_json::<E::ScalarField>(public).unwrap();
        let pvk = ark_groth16::prepare_verifying_key(&vk);
        ark_groth16::Groth16::<E>::verify_proof(&pvk, &proof, &public).unwrap()
    }
}

fn fixture(name: &str, file: &str) -> String {
    root()
        .join("../fixtures/circom")
        .join(name)
        .join(file)
        .display()
        .to_string()
}

#[test]
fn a_c_program_proves_through_the_rapidsnark_abi() {
    let dir = std::env::temp_dir().join(format!("zkpipe-capi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let exe = dir.join("prove");
    build_c_program(&exe);
    for (name, other) in [
        ("mul_chain", Some("poseidon")),
        ("mul_chain_bls", None),
        ("poseidon", Some("merkle")),
    ] {
        let (proof, public) = (
            dir.join(format!("{name}.proof.json")),
            dir.join(format!("{name}.public.json")),
        );
        let out = Command::new(&exe)
            .arg(fixture(name, "circuit.zkey"))
            .arg(fixture(name, "witness.wtns"))
            .arg(&proof)
            .arg(&public)
            .arg("cpu")
            .args(other.map(|o| fixture(o, "witness.wtns")))
            .env_remove("ZKPIPE_DEVICE")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(verify(name, &proof, &public), "{name}");
        assert_eq!(
            std::fs::read_to_string(&public)
                .unwrap()
                .replace(char::is_whitespace, ""),
            std::fs::read_to_string(fixture(name, "public.json"))
                .unwrap()
                .replace(char::is_whitespace, "")
        );
    }
    std::fs::remove_dir_all(dir).ok();
}
