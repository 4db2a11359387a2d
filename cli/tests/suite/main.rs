//! The `zkpipe` command line and the prover farm, run as a user runs them.
//!
//! One test binary with a module per area (`cargo test -p <crate> --test suite <area>::`
//! runs one area): each binary links the whole library graph — for the board tests, 70 MB
//! of verilated C++ — so one binary builds in a fraction of the time of one per file, and
//! its tests share the machine's cores instead of running one file after another.

mod cli;
mod farm;
mod groth16;
