//! zkpipe: the host library provers link.
//!
//! Depends on the protocol crate (`zkpipe-spec`) and arkworks only. Cargo features:
//! `vfio` (default: real cards through VFIO), `sim` (the simulated board: pulls
//! `zkpipe-sim`, which needs Verilator at build time), `model` (the `model:<preset>`
//! device: cycle models from the generator crate `zkpipe-hdl`, no Verilator), `serde`
//! (`Serialize` on reports).
//!
//! * [`pcie`]: the PCIe function abstraction and its implementations, VFIO (real cards)
//!   and the simulated board;
//! * [`driver`]: the XDMA descriptor driver and the kernel (CSR) driver, written once;
//! * [`Card`]: transport, lock, identity, timeouts, DMA staging buffers mapped once, and
//!   the one job-submission path ([`card::Job`]);
//! * [`Device`]: a card with its engines — [`elementwise`] (mul, add, sub, powmul, NTT
//!   jobs) and [`msm`] (resident bases, MSM runs, bucket reduction);
//! * [`DevicePool`]: several boards serving a batch of jobs;
//! * [`ntt`](mod@ntt): NTTs of any power-of-two size on a card (four-step beyond the core size);
//! * `model` (feature `model`): a card of any preset projected by its cycle models,
//!   results from arkworks (`model:<preset>`);
//! * [`backend`]: the prover-kernel trait with CPU and card implementations, opened by URI;
//! * [`groth16`]: a Groth16 prover on a backend, producing `ark_groth16::Proof`s;
//! * [`circom`]: snarkjs `.zkey` and circom `.wtns` readers, snarkjs's QAP reduction, its
//!   JSON formats, and the warm prover ([`circom::CircomProver`]);
//! * [`qap_on_card`]: the QAP step in card memory (domains up to 2·N²);
//! * `campaign` (feature `sim`): the fault campaign on a simulated board.

#![deny(missing_docs)]

pub mod backend;
#[cfg(feature = "sim")]
pub mod campaign;
pub mod card;
pub mod card_memory;
pub mod circom;
pub mod device;
pub mod driver;
pub mod elementwise;
pub mod error;
pub mod groth16;
#[doc(hidden)]
pub mod instances;
#[cfg(feature = "model")]
pub mod model;
pub mod msm;
pub mod ntt;
pub mod pcie;
pub mod pool;
pub mod qap_on_card;
pub mod stats;

pub use card::{Card, Job, Route};
pub use card_memory::{CardVec, Order};
pub use device::Device;
pub use elementwise::{JobReport, Scalar};
pub use error::{Error, Result};
pub use ntt::{ntt, Coset, Direction};
pub use pool::DevicePool;
/// Faults the simulated board can inject into its next job.
#[cfg(feature = "sim")]
pub use zkpipe_sim::board::Fault;
/// The card–host protocol (registers, wire formats, presets): the `zkpipe-spec` crate.
pub use zkpipe_spec as spec;
pub use zkpipe_spec::field::{FieldId, FieldParams};
pub use zkpipe_spec::preset::{Curve, Group, MulStyle, Preset, DEFAULT_PRESET, PRESETS};
pub use zkpipe_spec::regs::{FaultInject, HwError, Opcode};
