//! Shared harness of the simulated-board test suite.
//!
//! [`field`] streams operand pairs through a verilated arithmetic unit, one pair per clock,
//! and compares every result with a reference computed by arkworks on the same
//! Montgomery-form limbs (the zero-copy wire format). [`msm_model`] is a cycle model of
//! the MSM unit's accumulation, checked against the simulated board. [`groth16`] proves on
//! a backend and compares with ark-groth16.

pub mod field;
pub mod groth16;
pub mod msm_model;
