//! The NTT core: a radix-2 decimation-in-frequency pipeline of log2(N) feed-forward
//! single-path delay stages, one element per cycle, forward and inverse (1/n on chip),
//! any active size n = 2^m ≤ N. Output is in bit-reversed order.

pub mod core;
pub mod delay;
pub mod rom;
pub mod twiddles;

pub use self::core::NttCore;

#[cfg(test)]
mod rust_sim;
