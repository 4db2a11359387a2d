//! The board shell: register map, CSR block, kernels and the board top.

pub mod board;
pub mod checksum;
pub mod copy;
pub mod csr;
pub mod kernel;
pub mod memory;
pub mod skid;
/// The register map: defined in `zkpipe-spec`, re-exported for the generators.
pub use zkpipe_spec::regs;
