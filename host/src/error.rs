//! The library's error type: every failure a caller can act on, typed.

use crate::pcie::PcieError;
use zkpipe_spec::regs::HwError;

/// Every failure of the library, with what the caller can do about it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unknown device URI `{0}`: use `sim:<preset>` (e.g. sim:sim-small), `vfio:<pci address>` (e.g. vfio:0000:65:00.0) or, for a backend, `model:<preset>` (e.g. model:u250-bn254)")]
    /// The device URI has an unknown scheme.
    BadUri(String),
    #[error("`{uri}` needs zkpipe built with its `{feature}` feature (e.g. `zkpipe = {{ version = \"…\", features = [\"{feature}\"] }}`)")]
    /// The URI needs a cargo feature this build of zkpipe lacks.
    FeatureMissing {
        /// The URI.
        uri: String,
        /// The cargo feature to enable.
        feature: &'static str,
    },
    #[error(transparent)]
    /// The PCIe layer failed.
    Pcie(#[from] PcieError),
    #[error("{device}: not a zkpipe board (ID register reads {found:#010x}, expected {expected:#010x}); is the bitstream loaded?")]
    /// The card is not a zkpipe board.
    NotZkpipe {
        /// The device.
        device: String,
        /// What the card reported.
        found: u32,
        /// What this driver expects.
        expected: u32,
    },
    #[error("{device}: register map version {found:#x} is not supported (driver speaks {expected:#x}); rebuild the bitstream or update zkpipe")]
    /// The card speaks another major version of the register map.
    VersionMismatch {
        /// The device.
        device: String,
        /// What the card reported.
        found: u32,
        /// What this driver expects.
        expected: u32,
    },
    #[error("{device}: the card was generated for another preset (hash {found:#010x}, expected {expected:#010x} for `{preset}`)")]
    /// The card was generated for another preset than the URI names.
    PresetMismatch {
        /// The device.
        device: String,
        /// The preset the URI names.
        preset: String,
        /// What the card reported.
        found: u32,
        /// What this driver expects.
        expected: u32,
    },
    #[error("{device}: the card computes over {} (curve id {found}); this call needs {} (curve id {expected}): open a card of that curve's preset", curve_name(*.found), curve_name(*.expected))]
    /// The call's field or curve is not the card's.
    CurveMismatch {
        /// The device.
        device: String,
        /// What the card reported.
        found: u32,
        /// What this driver expects.
        expected: u32,
    },
    #[error("operand lengths differ: a has {a} elements, b has {b}")]
    /// Two operands that must have equal lengths do not.
    LengthMismatch {
        /// Length of a.
        a: usize,
        /// Length of b.
        b: usize,
    },
    #[error("empty input: a job needs at least one element")]
    /// An empty input where a job needs at least one element.
    Empty,
    #[error("{n} is not a power of two: NTT sizes are 2^m")]
    /// An NTT size that is not a power of two.
    NotPowerOfTwo {
        /// Elements asked for.
        n: usize,
    },
    #[error(
        "an NTT of {n} points is larger than the field's two-adic subgroup allows ({max} points)"
    )]
    /// An NTT larger than the field's two-adic subgroup.
    NttTooLarge {
        /// Elements asked for.
        n: usize,
        /// The limit.
        max: usize,
    },
    #[error("the coset offset is zero: a coset needs an invertible offset (ark-groth16 uses F::GENERATOR)")]
    /// A coset offset of zero.
    ZeroCosetOffset,
    #[error("{device}: {what} is not implemented by this card")]
    /// The card lacks the engine or feature a call needs.
    Unsupported {
        /// The device.
        device: String,
        /// What is missing.
        what: &'static str,
    },
    #[error("circuit: {0}")]
    /// The circuit failed to synthesize.
    Circuit(String),
    #[error("{backend}: the proof did not verify; it was not returned (is the card faulty?)")]
    /// A proof did not verify and was not returned.
    ProofRejected {
        /// The backend that produced it.
        backend: String,
    },
    #[error("{n} elements exceed the device's limit of {max} per job")]
    /// More elements than one job of the device takes.
    TooLarge {
        /// Elements asked for.
        n: usize,
        /// The limit.
        max: usize,
    },
    #[error("{device}: the kernel reported an error: {}", .error.describe())]
    /// The kernel reported an error code.
    Hardware {
        /// The device.
        device: String,
        /// The error code.
        error: HwError,
    },
    #[error("{device}: the kernel reported unknown error code {code}")]
    /// The kernel reported an error code this driver does not know.
    UnknownHardwareError {
        /// The device.
        device: String,
        /// The raw code.
        code: u8,
    },
    #[error("{device}: DMA {channel} channel failed (status {status:#x}); the job was aborted and the device reset")]
    /// A DMA channel reported an error.
    Dma {
        /// The device.
        device: String,
        /// Which channel.
        channel: &'static str,
        /// The status register.
        status: u32,
    },
    #[error("{device}: no answer after {waited_ms} ms (kernel status {status:#x}); the job was aborted and the device reset")]
    /// The card did not finish in time.
    Timeout {
        /// The device.
        device: String,
        /// How long the driver waited.
        waited_ms: u128,
        /// The status register.
        status: u32,
    },
    #[error("{device}: the {direction} stream arrived corrupted (card checksum {card:#010x}, host {host:#010x}); the job's result was discarded and the device reset: run it again, and if it recurs check the PCIe link (AER errors in `dmesg`)")]
    /// A stream's checksum on the card differs from the host's over the same bytes: data
    /// changed between host memory and the card (or back).
    StreamCorrupted {
        /// The device.
        device: String,
        /// `host-to-card` or `card-to-host`.
        direction: &'static str,
        /// The card's checksum (PERF_H2C_SUM or PERF_C2H_SUM).
        card: u32,
        /// The host's over the bytes it sent or received.
        host: u32,
    },
    #[error("{device}: {reason}")]
    /// The card answered something the protocol does not allow (a faulty card).
    Protocol {
        /// The device.
        device: String,
        /// What was wrong.
        reason: String,
    },
    #[error("base point {index} is not on the curve; MSM bases must be valid affine points (ark-ec's Affine::new checks, new_unchecked does not)")]
    /// An MSM base point is not on the curve.
    NotOnCurve {
        /// Index of the point.
        index: usize,
    },
    #[error("{device}: card memory holds {capacity} base points and {used} are resident; {needed} more do not fit (Device::clear_bases frees them)")]
    /// Card memory has no room for more resident bases.
    CardMemoryFull {
        /// The device.
        device: String,
        /// Points asked for.
        needed: usize,
        /// Points resident.
        used: usize,
        /// Points card memory holds.
        capacity: usize,
    },
    #[error("{device}: card memory has no free range of {needed} bytes (largest free: {largest_free}, card memory: {capacity} bytes); drop card vectors no longer needed")]
    /// Card memory has no room for a vector.
    OutOfCardMemory {
        /// The device.
        device: String,
        /// Bytes asked for.
        needed: u64,
        /// The largest free range.
        largest_free: u64,
        /// Bytes of card memory.
        capacity: u64,
    },
    #[error("{device}: this card vector belongs to {owner}; card vectors are used on the device that made them")]
    /// A card vector used with another device.
    ForeignCardVec {
        /// The device it was used with.
        device: String,
        /// The device holding it.
        owner: String,
    },
    #[error("{device}: the card vector at {addr:#x} was left half written by a failed job; upload it again")]
    /// A card vector a failed job may have partly overwritten.
    CardVecInvalid {
        /// The device.
        device: String,
        /// Its card-memory address.
        addr: u64,
    },
    #[error("{device}: these resident bases were freed or replaced (Device::clear_bases); load them again")]
    /// A resident-bases handle that was freed or replaced.
    StaleBases {
        /// The device.
        device: String,
    },
    #[error("the witness has {found} values; the key was made for {expected} (a .wtns of another circuit?)")]
    /// A witness whose length is not the key's variable count.
    WitnessLength {
        /// Values in the witness.
        found: usize,
        /// Variables of the key.
        expected: usize,
    },
    #[error(transparent)]
    /// A circom/snarkjs file (`.zkey`, `.wtns`, proof or key JSON) is malformed.
    Format(#[from] crate::circom::FormatError),
    #[error("{path}: {source}")]
    /// A file could not be read or written.
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
}

/// A curve's name from its id (`unknown` for ids this driver does not know).
fn curve_name(id: u32) -> &'static str {
    zkpipe_spec::preset::Curve::from_id(id).map_or("an unknown curve", |c| c.name())
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;
