//! Drivers written once over [`crate::pcie::PcieFunction`]: the XDMA descriptor driver and
//! the kernel (CSR) driver.

pub mod kernel;
pub mod xdma;
