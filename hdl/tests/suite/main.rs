//! The generator's integration tests: `synth` output, lint, and resource reports.
//!
//! One test binary with a module per area (`cargo test -p <crate> --test suite <area>::`
//! runs one area): each binary links the whole library graph — for the board tests, 70 MB
//! of verilated C++ — so one binary builds in a fraction of the time of one per file, and
//! its tests share the machine's cores instead of running one file after another.

mod resources;
mod synth_cli;
