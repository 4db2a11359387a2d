//! The library's error type: every failure a caller can act on, typed.

use crate::pcie::PcieError;
use zkpipe_hdl::shell::regs::HwError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unknown device URI `{0}`: use `sim:<preset>` (e.g. sim:sim-small) or `vfio:<pci address>` (e.g. vfio:0000:65:00.0)")]
    BadUri(String),
    #[error(transparent)]
    Pcie(#[from] PcieError),
    #[error("{device}: not a zkpipe board (ID register reads {found:#010x}, expected {expected:#010x}); is the bitstream loaded?")]
    NotZkpipe {
        device: String,
        found: u32,
        expected: u32,
    },
    #[error("{device}: register map version {found:#x} is not supported (driver speaks {expected:#x}); rebuild the bitstream or update zkpipe")]
    VersionMismatch {
        device: String,
        found: u32,
        expected: u32,
    },
    #[error("{device}: the card was generated for another preset (hash {found:#010x}, expected {expected:#010x} for `{preset}`)")]
    PresetMismatch {
        device: String,
        preset: String,
        found: u32,
        expected: u32,
    },
    #[error("{device}: the card's curve id is {found}, this call needs {expected}")]
    CurveMismatch {
        device: String,
        found: u32,
        expected: u32,
    },
    #[error("operand lengths differ: a has {a} elements, b has {b}")]
    LengthMismatch { a: usize, b: usize },
    #[error("empty input: a job needs at least one element")]
    Empty,
    #[error("{n} is not a power of two: NTT sizes are 2^m")]
    NotPowerOfTwo { n: usize },
    #[error(
        "an NTT of {n} points is larger than the field's two-adic subgroup allows ({max} points)"
    )]
    NttTooLarge { n: usize, max: usize },
    #[error("the coset offset is zero: a coset needs an invertible offset (ark-groth16 uses F::GENERATOR)")]
    ZeroCosetOffset,
    #[error("{device}: {what} is not implemented by this card")]
    Unsupported { device: String, what: &'static str },
    #[error("circuit: {0}")]
    Circuit(String),
    #[error("{backend}: the proof did not verify; it was not returned (is the card faulty?)")]
    ProofRejected { backend: String },
    #[error("{n} elements exceed the device's limit of {max} per job")]
    TooLarge { n: usize, max: usize },
    #[error("{device}: the kernel reported an error: {}", .error.describe())]
    Hardware { device: String, error: HwError },
    #[error("{device}: the kernel reported unknown error code {code}")]
    UnknownHardwareError { device: String, code: u8 },
    #[error("{device}: DMA {channel} channel failed (status {status:#x}); the job was aborted and the device reset")]
    Dma {
        device: String,
        channel: &'static str,
        status: u32,
    },
    #[error("{device}: no answer after {waited_ms} ms (kernel status {status:#x}); the job was aborted and the device reset")]
    Timeout {
        device: String,
        waited_ms: u128,
        status: u32,
    },
    #[error("{device}: {reason}")]
    Protocol { device: String, reason: String },
    #[error("base point {index} is not on the curve; MSM bases must be valid affine points (ark-ec's Affine::new checks, new_unchecked does not)")]
    NotOnCurve { index: usize },
    #[error("{device}: card memory holds {capacity} base points and {used} are resident; {needed} more do not fit (Device::clear_bases frees them)")]
    CardMemoryFull {
        device: String,
        needed: usize,
        used: usize,
        capacity: usize,
    },
    #[error("{device}: these resident bases were freed or replaced (Device::clear_bases); load them again")]
    StaleBases { device: String },
}

pub type Result<T> = std::result::Result<T, Error>;
