//! What the driver needs of a PCIe function: 32-bit BAR access, DMA memory mapped at an
//! IOVA, and a way to let time pass while waiting. Two implementations, each behind its
//! cargo feature: `vfio` (default) for real cards and `sim` for the simulated board. The
//! XDMA and kernel drivers above are written once against this trait.

#[cfg(feature = "sim")]
pub mod sim;
#[cfg(feature = "vfio")]
pub mod vfio;

use std::time::Duration;

/// BAR holding the board's registers (`docs/REGISTERS.md`).
pub const BAR_CSR: u8 = 0;
/// BAR holding the XDMA engine's registers.
pub const BAR_DMA: u8 = 1;

/// Errors of the PCIe layer, with what to do about them.
#[derive(Debug, thiserror::Error)]
pub enum PcieError {
    /// The device cannot be opened or used; the message says why and what to do.
    #[error("{0}")]
    Unavailable(String),
    /// A register access outside its BAR (a driver bug or a wrong BAR layout).
    #[error("BAR{bar} offset {offset:#x} is outside the BAR ({size:#x} bytes)")]
    OutOfRange {
        /// The BAR.
        bar: u8,
        /// The offset accessed.
        offset: u64,
        /// The BAR's size.
        size: u64,
    },
    /// DMA memory could not be allocated or mapped for the device.
    #[error("cannot allocate or map {len} bytes of DMA memory: {reason}")]
    Dma {
        /// Bytes asked for.
        len: usize,
        /// What the system said.
        reason: String,
    },
    /// An I/O error of the kernel interface.
    #[error("{0}")]
    Io(String),
}

/// Memory behind a [`DmaBuffer`]: the host reaches all of it as one byte slice.
pub trait DmaBacking: Send + Sync {
    /// Runs `f` on the whole buffer. The device does not access the buffer meanwhile: the
    /// driver only touches staging memory between jobs, under the card's lock.
    fn with_bytes(&self, f: &mut dyn FnMut(&mut [u8]));
}

/// Host memory the device reaches at `iova`. Unmapped when dropped.
pub struct DmaBuffer {
    iova: u64,
    len: usize,
    backing: Box<dyn DmaBacking>,
}

impl DmaBuffer {
    /// A buffer of `len` bytes the device reaches at `iova`.
    pub fn new(iova: u64, len: usize, backing: Box<dyn DmaBacking>) -> Self {
        DmaBuffer { iova, len, backing }
    }
    /// Device address of the first byte.
    pub fn iova(&self) -> u64 {
        self.iova
    }
    /// Bytes in the buffer.
    pub fn len(&self) -> usize {
        self.len
    }
    /// Whether the buffer has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Copies bytes out; panics if the range is outside the buffer (a driver bug).
    pub fn read(&self, offset: usize, out: &mut [u8]) {
        assert!(
            offset + out.len() <= self.len,
            "DMA read outside the buffer"
        );
        self.backing
            .with_bytes(&mut |b| out.copy_from_slice(&b[offset..offset + out.len()]))
    }
    /// Copies bytes in; panics if the range is outside the buffer (a driver bug).
    pub fn write(&self, offset: usize, data: &[u8]) {
        assert!(
            offset + data.len() <= self.len,
            "DMA write outside the buffer"
        );
        self.backing
            .with_bytes(&mut |b| b[offset..offset + data.len()].copy_from_slice(data))
    }
    /// Runs `f` on the first `len` bytes in place: how the driver encodes a job straight
    /// into mapped memory and decodes results straight out of it, with no staging copy.
    /// Panics if `len` exceeds the buffer (a driver bug).
    pub fn with_bytes<R>(&self, len: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
        assert!(len <= self.len, "DMA access outside the buffer");
        let mut f = Some(f);
        let mut out = None;
        self.backing.with_bytes(&mut |b| {
            out = Some((f.take().expect("called once"))(&mut b[..len]));
        });
        out.expect("the backing ran the closure")
    }
}

/// One PCIe function as the driver sees it.
pub trait PcieFunction: Send {
    /// Human-readable identity (URI-like), for messages.
    fn describe(&self) -> String;
    /// Reads a 32-bit register.
    fn read32(&mut self, bar: u8, offset: u64) -> Result<u32, PcieError>;
    /// Writes a 32-bit register.
    fn write32(&mut self, bar: u8, offset: u64, value: u32) -> Result<(), PcieError>;
    /// Allocates `len` bytes of DMA memory and maps it for the device.
    fn alloc_dma(&mut self, len: usize) -> Result<DmaBuffer, PcieError>;
    /// Lets up to `max` pass while the device works (sleep on hardware; run the clock in
    /// the simulator). Returns early if the device raised its interrupt.
    fn wait(&mut self, max: Duration) -> Result<(), PcieError>;
    /// Whether [`Self::wait`] only sleeps (hardware: the device runs on its own), so a
    /// driver shared by several job queues may sleep without holding the function's lock
    /// and let another queue's register accesses through meanwhile. The simulator's wait
    /// runs the board's clock and needs the lock: false.
    fn wait_is_sleep(&self) -> bool {
        false
    }
    /// How long to allow a job of `elements` elements before declaring the device hung.
    fn default_timeout(&self, elements: usize) -> Duration;
    /// Clock cycles the device has run, if known (the simulator knows).
    fn device_cycles(&self) -> Option<u64> {
        None
    }
    /// The function as `Any`, so code that knows the implementation (tests, the simulated
    /// board's fault injection) can reach its own methods.
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any;
}
