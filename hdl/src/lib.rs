//! zkpipe-hdl: hardware generators for zkpipe, written with rust-hdl.
//!
//! * [`field`]: pipelined modular arithmetic over BN254 and BLS12-381 fields, constants
//!   from arkworks;
//! * [`ntt`]: the pipelined NTT core and its board path;
//! * [`msm`]: MSM building blocks (the complete mixed point adder);
//! * [`preset`]: typed configurations (`sim-small`, real-card presets), from `zkpipe-spec`;
//! * [`timing`]: a board's identification registers and engine latencies as numbers, for
//!   cycle models;
//! * [`generate`]: blocks → Verilog tops with ports and latency, used by the `synth`
//!   command and by `zkpipe-sim`'s build script;
//! * [`dedup`]: merges rust-hdl's per-instance copies of identical modules (simulator
//!   builds);
//! * [`rtl`]: helpers to build rust-hdl's Verilog AST for parameterised structure.

pub mod dedup;
pub mod field;
pub mod generate;
pub mod msm;
pub mod ntt;
pub mod resources;
/// Presets and engine configs: defined in `zkpipe-spec`, re-exported for the generators.
pub use zkpipe_spec::preset;
pub mod rtl;
pub mod shell;
pub mod synth;
pub mod timing;
pub mod yosys;

/// Version of the generator, recorded in every manifest.
pub const GENERATOR_VERSION: &str = env!("CARGO_PKG_VERSION");
