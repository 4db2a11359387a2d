//! zkpipe's simulated-board suite: generated hardware under Verilator against arkworks.
//!
//! One binary with a module per area (`cargo test -p zkpipe-tests --test suite msm_board::`
//! runs one area): each test binary links the 70 MB of verilated C++, so one binary builds
//! in a fraction of the time of one per file, and its tests share the machine's cores
//! instead of running one file after another.
//! `tests/trace.rs` stays a binary of its own: it sets `ZKPIPE_TRACE`, which every model in the process reads.

mod bls_board;
mod board;
mod card;
mod card_memory;
mod circom_board;
mod fault_campaign;
mod field_arith;
mod fq2_arith;
mod g2_add;
mod groth16_board;
mod harness;
mod model;
mod msm_blocks;
mod msm_board;
mod msm_g2_board;
mod msm_model;
mod ntt_board;
mod ntt_core;
mod ntt_runs;
mod point_add;
mod qap_halves;
mod queues;
