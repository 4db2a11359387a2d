//! zkpipe-spec: the protocol between a zkpipe card and its host, defined once.
//!
//! Both sides use this crate: the hardware generator (`zkpipe-hdl`) builds its register
//! block, decode logic and stream formats from it, and the host library (`zkpipe`) drives
//! a card with it. It depends on arkworks (for field constants) and nothing else: no
//! rust-hdl, no Verilator.
//!
//! * [`regs`]: the BAR0 register map, typed bit fields of every packed register, opcodes,
//!   hardware error codes (rendered into `docs/REGISTERS.md`);
//! * [`wire`]: the stream formats of every job (elementwise, ntt, msm_load, msm_run,
//!   bucket readout) as encode/decode functions on u64 limbs — ark-ff's memory layout;
//! * [`xdma`]: the Xilinx XDMA register, descriptor and writeback layout;
//! * [`preset`]: presets, curves, multiplier styles and one config per engine;
//! * [`field`]: field parameters derived from arkworks at run time.

#![deny(missing_docs)]

pub mod field;
pub mod part;
pub mod preset;
pub mod regs;
pub mod wire;
pub mod xdma;

pub use field::{FieldId, FieldParams};
pub use preset::{
    Curve, KernelConfig, MsmConfig, MulStyle, NttConfig, Preset, ReducePlan, UnknownPreset,
    DEFAULT_PRESET, PRESETS,
};
pub use regs::{HwError, Opcode};
