//! The `zkpipe` command line and the prover farm, run as a user runs them.
//!
//! One binary with a module per area (`cargo test -p zkpipe-cli --test suite farm::` runs
//! one area): each test binary links the simulated boards' verilated C++, and one binary's
//! tests share the machine's cores.

mod cli;
mod farm;
mod groth16;
