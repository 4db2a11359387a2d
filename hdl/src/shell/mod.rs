//! The board shell: register map, CSR block, kernels and the board top.

pub mod board;
pub mod csr;
pub mod kernel;
pub mod regs;
