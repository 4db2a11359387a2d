//! What the driver needs of a PCIe function: 32-bit BAR access, DMA memory mapped at an
//! IOVA, and a way to let time pass while waiting. Two implementations: [`vfio`] for real
//! cards and [`sim`] for the simulated board. The XDMA and kernel drivers above are written
//! once against this trait.

pub mod sim;
pub mod vfio;

use std::time::Duration;

/// BAR holding the board's registers (`docs/REGISTERS.md`).
pub const BAR_CSR: u8 = 0;
/// BAR holding the XDMA engine's registers.
pub const BAR_DMA: u8 = 1;

/// Errors of the PCIe layer, with what to do about them.
#[derive(Debug, thiserror::Error)]
pub enum PcieError {
    #[error("{0}")]
    Unavailable(String),
    #[error("BAR{bar} offset {offset:#x} is outside the BAR ({size:#x} bytes)")]
    OutOfRange { bar: u8, offset: u64, size: u64 },
    #[error("cannot allocate or map {len} bytes of DMA memory: {reason}")]
    Dma { len: usize, reason: String },
    #[error("{0}")]
    Io(String),
}

/// Memory behind a [`DmaBuffer`].
pub trait DmaBacking: Send + Sync {
    fn read(&self, offset: usize, out: &mut [u8]);
    fn write(&self, offset: usize, data: &[u8]);
}

/// Host memory the device reaches at `iova`. Unmapped when dropped.
pub struct DmaBuffer {
    iova: u64,
    len: usize,
    backing: Box<dyn DmaBacking>,
}

impl DmaBuffer {
    pub fn new(iova: u64, len: usize, backing: Box<dyn DmaBacking>) -> Self {
        DmaBuffer { iova, len, backing }
    }
    /// Device address of the first byte.
    pub fn iova(&self) -> u64 {
        self.iova
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Copies bytes out; panics if the range is outside the buffer (a driver bug).
    pub fn read(&self, offset: usize, out: &mut [u8]) {
        assert!(
            offset + out.len() <= self.len,
            "DMA read outside the buffer"
        );
        self.backing.read(offset, out)
    }
    /// Copies bytes in; panics if the range is outside the buffer (a driver bug).
    pub fn write(&self, offset: usize, data: &[u8]) {
        assert!(
            offset + data.len() <= self.len,
            "DMA write outside the buffer"
        );
        self.backing.write(offset, data)
    }
}

/// One PCIe function as the driver sees it.
pub trait PcieFunction: Send {
    /// Human-readable identity (URI-like), for messages.
    fn describe(&self) -> String;
    fn read32(&mut self, bar: u8, offset: u64) -> Result<u32, PcieError>;
    fn write32(&mut self, bar: u8, offset: u64, value: u32) -> Result<(), PcieError>;
    /// Allocates `len` bytes of DMA memory and maps it for the device.
    fn alloc_dma(&mut self, len: usize) -> Result<DmaBuffer, PcieError>;
    /// Lets up to `max` pass while the device works (sleep on hardware; run the clock in
    /// the simulator). Returns early if the device raised its interrupt.
    fn wait(&mut self, max: Duration) -> Result<(), PcieError>;
    /// How long to allow a job of `elements` elements before declaring the device hung.
    fn default_timeout(&self, elements: usize) -> Duration;
    /// Clock cycles the device has run, if known (the simulator knows).
    fn device_cycles(&self) -> Option<u64> {
        None
    }
    /// Arms a fault for the next job. Only simulated devices take faults.
    fn inject_fault(&mut self, fault: zkpipe_sim::board::Fault) -> Result<(), PcieError> {
        Err(PcieError::Unavailable(format!(
            "{}: fault injection ({fault:?}) needs a simulated device (sim:<preset>)",
            self.describe()
        )))
    }
}
