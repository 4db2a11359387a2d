//! Proving with zkpipe: a Groth16 proof whose NTTs run on the simulated board.
//!
//! ```text
//! cargo run --release -p zkpipe --features sim --example prove_on_board
//! ```
use ark_bn254::{Bn254, Fr};
use ark_groth16::Groth16;
use zkpipe::groth16::{circuits::MimcChain, prove, ProveOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = ark_std::test_rng();
    let circuit = MimcChain::with_constraints(Fr::from(42u64), 1024);
    let pk =
        Groth16::<Bn254>::generate_random_parameters_with_reduction(circuit.clone(), &mut rng)?;
    let backend = zkpipe::backend::open::<Bn254>("sim:sim-small")?; // or "cpu", "vfio:0000:65:00.0"
    let (r, s) = (Fr::from(7u64), Fr::from(9u64));
    let (proof, report) = prove(
        backend.as_ref(),
        &pk,
        circuit,
        r,
        s,
        ProveOptions { verify: true },
    )?;
    println!(
        "verified: {}, {:?} in total; proof.a = {}",
        report.verified, report.total, proof.a
    );
    Ok(())
}
