//! The generator's integration tests: `synth` output, lint, and resource reports.
//!
//! One binary with a module per area (`cargo test -p zkpipe-hdl --test suite resources::`
//! runs one area), so that both areas' tests share the machine's cores.

mod resources;
mod synth_cli;
