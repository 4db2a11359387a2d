//! Shared harness of the simulated-board test suite.
//!
//! [`field`] streams operand pairs through a verilated arithmetic unit, one pair per clock,
//! and compares every result with a reference computed by arkworks on the same
//! Montgomery-form limbs (the zero-copy wire format).
//! (The MSM unit's cycle model is `zkpipe::model::accumulate`.) [`groth16`] proves on
//! a backend and compares with ark-groth16.

pub mod field;
pub mod groth16;
pub mod msm;
