//! zkpipe: the host library provers link.
//!
//! * [`pcie`]: the PCIe function abstraction and its two implementations, VFIO (real
//!   cards) and the simulated board;
//! * [`driver`]: the XDMA descriptor driver and the kernel (CSR) driver, written once;
//! * [`Device`]: a board opened by URI (`sim:<preset>`, `vfio:<pci address>`), shared
//!   between threads, running the elementwise kernel on ark-ff vectors;
//! * [`DevicePool`]: several boards serving a batch of jobs;
//! * [`ntt`]: NTTs of any power-of-two size on a card (four-step beyond the core size);
//! * [`backend`]: the prover-kernel trait with CPU and card implementations, opened by URI;
//! * [`groth16`]: a Groth16 prover on a backend, producing `ark_groth16::Proof`s.

pub mod backend;
pub mod device;
pub mod driver;
pub mod error;
pub mod groth16;
pub mod msm;
pub mod ntt;
pub mod pcie;
pub mod pool;

pub use device::{Device, JobReport, Scalar};
pub use error::{Error, Result};
pub use ntt::{ntt, Coset, Direction};
pub use pool::DevicePool;
pub use zkpipe_hdl::field::{FieldId, FieldParams};
pub use zkpipe_hdl::preset::{Curve, MulStyle, Preset, DEFAULT_PRESET, PRESETS};
pub use zkpipe_hdl::shell::regs::{HwError, Opcode};
pub use zkpipe_sim::board::Fault;
