//! The NTT core: a radix-2 decimation-in-frequency pipeline of log2(N) feed-forward
//! single-path delay stages, one element per cycle, forward and inverse (1/n on chip),
//! any active size n = 2^m ≤ N. The core's output is in bit-reversed order; [`NttPath`]
//! (front multiplier, core, bit-reverse buffer) is what the board streams jobs through.

pub mod core;
pub mod delay;
pub mod path;
pub mod ram;
pub mod reorder;
pub mod rom;
pub mod twiddles;

pub use self::core::NttCore;
pub use self::path::NttPath;

#[cfg(test)]
mod rust_sim;
