//! The command line, declared with clap.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// URIs every command accepts.
const URI_HELP: &str = "Device URI: sim:<preset> (simulated board, e.g. sim:sim-small), \
vfio:<pci address> (a real card, e.g. vfio:0000:65:00.0; see docs/HARDWARE.md), \
model:<preset> (a card of any preset projected by its cycle models, results from arkworks: \
msm, ntt and prove; e.g. model:u250-bn254), cpu \
(arkworks on this machine, where the command has a CPU form), or several card URIs \
separated by commas (a pool)";

/// zkpipe: FPGA acceleration for zero-knowledge provers — inspect a card, run its kernels,
/// MSMs and Groth16 proofs, and compare with arkworks on the CPU.
#[derive(Parser, Debug)]
#[command(name = "zkpipe", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Identify a card: register map, preset, curve, engines, last job's counters.
    Info(InfoArgs),
    /// Run one elementwise job (mul, add, sub, powmul) on random vectors.
    Vec(VecArgs),
    /// Run NTTs of 2^N points (any size up to the field's two-adicity).
    Ntt(NttArgs),
    /// Run a G1 multi-scalar multiplication.
    Msm(MsmArgs),
    /// Prove a built-in circuit with Groth16 (proof equal to ark-groth16's).
    Prove(ProveArgs),
    /// circom circuits: prove from a snarkjs .zkey and a .wtns (rapidsnark's arguments),
    /// verify snarkjs proofs.
    #[command(subcommand)]
    Groth16(Groth16Command),
    /// Fault campaign on a simulated board: jobs and proofs with a random fault injected
    /// into each run; counts typed errors, rejected proofs and wrong results (goal: 0).
    Faults(FaultsArgs),
    /// Prover farm: pull proving jobs from NATS JetStream and prove them (docs/FARM.md).
    Worker(WorkerArgs),
    /// Prover farm: submit jobs (a circom key + witness, or built-in MiMC circuits).
    Submit(SubmitArgs),
    /// Prover farm: every job with its state (queued, proving, proven, failed).
    Jobs(JobsArgs),
}

/// Where the farm is, and its policy when this client creates it.
#[derive(Args, Debug, Clone)]
pub struct FarmArgs {
    /// NATS server URL (JetStream enabled).
    #[arg(long, default_value = "nats://127.0.0.1:4222")]
    pub nats: String,
    /// Seconds a job may go without an ack or heartbeat before redelivery (applies when
    /// this client creates the farm's consumer).
    #[arg(long, default_value_t = 30.0)]
    pub ack_wait: f64,
    /// Deliveries before a failing job becomes a dead letter (when this client creates
    /// the consumer).
    #[arg(long, default_value_t = 3)]
    pub max_deliver: i64,
}

#[derive(Args, Debug)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub farm: FarmArgs,
    /// Devices to prove on, comma-separated (one job at a time on each): cpu,
    /// sim:<preset>, vfio:<pci address>.
    #[arg(long, default_value = "cpu")]
    pub device: String,
    /// The worker's name in job records (default: host name and process id).
    #[arg(long)]
    pub name: Option<String>,
    /// One JSON object per event instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SubmitArgs {
    #[command(flatten)]
    pub farm: FarmArgs,
    /// The proving key (snarkjs .zkey) of a circom job.
    #[arg(long, requires = "witness", conflicts_with = "circuit")]
    pub zkey: Option<std::path::PathBuf>,
    /// The witness (.wtns) of a circom job.
    #[arg(long, requires = "zkey")]
    pub witness: Option<std::path::PathBuf>,
    /// Job id (default: from the key's and the witness's contents, so submitting the same
    /// files again is the same job).
    #[arg(long)]
    pub id: Option<String>,
    /// A built-in circuit instead of a circom job.
    #[arg(long, value_enum)]
    pub circuit: Option<FarmCircuit>,
    /// Constraints of the built-in circuit.
    #[arg(long, default_value_t = 1024)]
    pub constraints: usize,
    /// Built-in jobs to submit (seeds seed … seed + count − 1; ids mimc-<constraints>-<seed>).
    #[arg(long, default_value_t = 1)]
    pub count: u64,
    /// First seed of the built-in jobs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// One JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Built-in job circuits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FarmCircuit {
    /// The MiMC chain of `zkpipe prove` (BN254).
    Mimc,
}

#[derive(Args, Debug)]
pub struct JobsArgs {
    #[command(flatten)]
    pub farm: FarmArgs,
    /// One JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `zkpipe groth16 …`: snarkjs-compatible Groth16.
///
/// Exit status: 0 done (proof written / proof valid); 1 the proof is invalid (verify) or
/// was rejected before writing (prove: a witness that does not satisfy the circuit, or a
/// faulty card); 2 usage; 3 an input file is unreadable or malformed; 4 the device
/// failed; 5 an output file could not be written.
#[derive(Subcommand, Debug)]
pub enum Groth16Command {
    /// Prove: `zkpipe groth16 prove [--device URI] circuit.zkey witness.wtns proof.json
    /// public.json` (rapidsnark's positional arguments), writing snarkjs's JSON.
    Prove(Groth16ProveArgs),
    /// Verify: `zkpipe groth16 verify verification_key.json public.json proof.json`
    /// (snarkjs's arguments); exit status 0 when valid, 1 when not.
    Verify(Groth16VerifyArgs),
}

#[derive(Args, Debug)]
pub struct Groth16ProveArgs {
    /// The proving key (snarkjs `.zkey`, BN254 "bn128" or BLS12-381).
    pub zkey: std::path::PathBuf,
    /// The witness (circom `.wtns`).
    pub witness: std::path::PathBuf,
    /// Where to write the proof (snarkjs JSON).
    pub proof: std::path::PathBuf,
    /// Where to write the public signals (snarkjs JSON).
    pub public: std::path::PathBuf,
    #[arg(long, default_value = "cpu", help = URI_HELP)]
    pub device: String,
    /// Verify the proof before writing it (the default; a rejected proof is not written).
    #[arg(long, conflicts_with = "no_verify")]
    pub verify: bool,
    /// Write the proof without verifying it first.
    #[arg(long)]
    pub no_verify: bool,
    /// Print one JSON report on stdout instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct Groth16VerifyArgs {
    /// The verification key (snarkjs `verification_key.json`).
    pub verification_key: std::path::PathBuf,
    /// The public signals (snarkjs `public.json`).
    pub public: std::path::PathBuf,
    /// The proof (snarkjs `proof.json`).
    pub proof: std::path::PathBuf,
}

/// A group of a pairing-friendly curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GroupArg {
    /// G1 (coordinates in Fq).
    G1,
    /// G2 (coordinates in Fq2, on the twist).
    G2,
}

impl GroupArg {
    pub fn group(self) -> zkpipe::Group {
        match self {
            GroupArg::G1 => zkpipe::Group::G1,
            GroupArg::G2 => zkpipe::Group::G2,
        }
    }
}

/// A pairing-friendly curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CurveArg {
    /// BN254 (alt_bn128).
    Bn254,
    /// BLS12-381.
    #[value(name = "bls12-381")]
    Bls12_381,
}

impl CurveArg {
    pub fn name(self) -> &'static str {
        match self {
            CurveArg::Bn254 => "bn254",
            CurveArg::Bls12_381 => "bls12-381",
        }
    }
}

/// Options every job command shares.
#[derive(Args, Debug, Clone)]
pub struct Common {
    #[arg(long, help = URI_HELP)]
    pub device: String,
    /// Seed of the random inputs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct InfoArgs {
    #[arg(long, help = URI_HELP)]
    pub device: String,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Elementwise operations of the card's kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OpArg {
    /// r_i = a_i · b_i
    Mul,
    /// r_i = a_i + b_i
    Add,
    /// r_i = a_i − b_i
    Sub,
    /// r_i = a_i · g^i
    Powmul,
}

/// Faults the simulated board can inject into the job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FaultArg {
    /// The host-to-card descriptor fetch fails.
    DmaError,
    /// The kernel never finishes.
    Stuck,
    /// The input stream ends halfway.
    ShortStream,
    /// A bit of the first input beat flips on the way to the card.
    CorruptH2c,
    /// A bit of the first result beat flips on the way to host memory.
    CorruptC2h,
}

#[derive(Args, Debug)]
pub struct FaultsArgs {
    /// A simulated board (sim:<preset>): faults are injected by its DMA model and its
    /// FAULT_INJECT register.
    #[arg(long)]
    pub device: String,
    /// Runs, one fault each (the benchmark figure uses 1000).
    #[arg(long, default_value_t = 1000)]
    pub runs: usize,
    /// Seed of every choice (fault kind, workload, job, beat, bit) and input.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Declare the board hung this many milliseconds after twice the workload's
    /// fault-free time (each stuck-engine fault costs about that much wall time).
    #[arg(long, default_value_t = 3000)]
    pub timeout_ms: u64,
    /// Constraints of the proof workload's MiMC circuit.
    #[arg(long, default_value_t = 32)]
    pub constraints: usize,
    /// log2 of the QAP workload's domain, laid out in halves (as a domain of 2·N² is):
    /// 10 on sim-small transforms halves of 512 points by four-steps.
    #[arg(long, default_value_t = 10)]
    pub qap_log_n: u32,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct VecArgs {
    #[command(flatten)]
    pub common: Common,
    /// The operation.
    #[arg(long, value_enum)]
    pub op: OpArg,
    /// Elements (1 ..= the card's job limit; checked before anything is allocated).
    #[arg(long)]
    pub n: usize,
    /// Scalar field of the vectors: the curve's.
    #[arg(long, value_enum, default_value = "bn254")]
    pub curve: CurveArg,
    /// Compare with arkworks.
    #[arg(long)]
    pub check: bool,
    /// Inject a fault into the job (simulated boards only).
    #[arg(long, value_enum)]
    pub inject: Option<FaultArg>,
    /// Declare the card hung after this many milliseconds.
    #[arg(long)]
    pub timeout_ms: Option<u64>,
}

#[derive(Args, Debug)]
pub struct NttArgs {
    #[command(flatten)]
    pub common: Common,
    /// log2 of the transform size (up to the field's two-adicity: 28 for BN254, 32 for
    /// BLS12-381).
    #[arg(long)]
    pub log_n: u32,
    /// Inverse transform.
    #[arg(long)]
    pub inverse: bool,
    /// Over the coset g·⟨ω⟩ with g the field's generator (as ark-groth16).
    #[arg(long)]
    pub coset: bool,
    /// Transforms to run (back to back in one job where the card can).
    #[arg(long, default_value_t = 1)]
    pub batch: usize,
    /// At most this many transforms per card job (default: as many as one job holds);
    /// the jobs are appended to runs, each entering the card while the one before drains.
    #[arg(long)]
    pub per_job: Option<usize>,
    /// Scalar field of the transform: the curve's.
    #[arg(long, value_enum, default_value = "bn254")]
    pub curve: CurveArg,
    /// Compare with ark-poly.
    #[arg(long)]
    pub check: bool,
}

/// Scalars of an MSM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScalarsArg {
    /// Uniformly random.
    Random,
    /// All zero (no additions).
    Zero,
    /// All −1 (every digit maximal).
    Max,
    /// The same digit in every window: every point hits the same bucket (worst case for
    /// conflicts).
    SameBucket,
}

impl ScalarsArg {
    pub fn name(self) -> &'static str {
        match self {
            ScalarsArg::Random => "random",
            ScalarsArg::Zero => "zero",
            ScalarsArg::Max => "max",
            ScalarsArg::SameBucket => "same-bucket",
        }
    }
}

#[derive(Args, Debug)]
pub struct MsmArgs {
    #[command(flatten)]
    pub common: Common,
    /// Points.
    #[arg(long)]
    pub n: usize,
    /// The curve.
    #[arg(long, value_enum, default_value = "bn254")]
    pub curve: CurveArg,
    /// The group of the points: g1, or g2 (the card's G2 engine when it has one, else
    /// the host).
    #[arg(long, value_enum, default_value = "g1")]
    pub group: GroupArg,
    /// Scalar pattern.
    #[arg(long, value_enum, default_value = "random")]
    pub scalars: ScalarsArg,
    /// Run the MSM twice and report the second: the first loads the bases into card
    /// memory (its time is load_s), the second streams scalars only.
    #[arg(long)]
    pub resident: bool,
    /// Compare with arkworks' VariableBaseMSM.
    #[arg(long)]
    pub check: bool,
}

/// Built-in circuits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CircuitArg {
    /// A MiMC-style chain x ← x³ + c: two constraints per round.
    Mimc,
}

#[derive(Args, Debug)]
pub struct ProveArgs {
    #[command(flatten)]
    pub common: Common,
    /// The circuit.
    #[arg(long, value_enum, default_value = "mimc")]
    pub circuit: CircuitArg,
    /// Constraints (2 ..= 2^24).
    #[arg(long, value_parser = clap::value_parser!(u64).range(2..=1 << 24))]
    pub constraints: u64,
    /// The curve.
    #[arg(long, value_enum, default_value = "bn254")]
    pub curve: CurveArg,
    /// Verify the proof with ark-groth16 before reporting it.
    #[arg(long)]
    pub verify: bool,
    /// Draw the proof's timeline (host CPU and the card's engines as lanes, on the card's
    /// clock) into this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    pub timeline: Option<std::path::PathBuf>,
    /// Draw the same steps laid out by their dependencies (the QAP chain and the witness
    /// MSMs overlapped: `projected_overlapped_s`) into this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    pub timeline_overlapped: Option<std::path::PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
