//! Shared harness of the simulated-board test suite.
//!
//! [`field`] streams operand pairs through a verilated arithmetic unit, one pair per clock,
//! and compares every result with a reference computed by arkworks on the same
//! Montgomery-form limbs (the zero-copy wire format).

pub mod field;
