//! The simulated board (`zkpipe-sim`) as a [`PcieFunction`].

use super::{DmaBacking, DmaBuffer, PcieError, PcieFunction};
use std::sync::Arc;
use std::time::Duration;
use zkpipe_sim::board::{Fault, HostMemory, SimBoard};

/// Clock cycles simulated per wait quantum.
const QUANTUM: u64 = 2048;

impl DmaBacking for Arc<HostMemory> {
    fn with_bytes(&self, f: &mut dyn FnMut(&mut [u8])) {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// A simulated board of a preset.
pub struct SimFunction {
    preset: String,
    board: SimBoard,
    next_iova: u64,
    dma_maps: usize,
}

impl SimFunction {
    /// Opens the simulated board of `preset` (the boards built into `zkpipe-sim`).
    pub fn open(preset: &str) -> Result<SimFunction, PcieError> {
        let board = SimBoard::new(preset).map_err(|e| {
            PcieError::Unavailable(format!(
                "no simulated board for preset `{preset}` ({e}); the simulator is built with the `sim-small` (BN254) and `sim-bls12-381` boards"
            ))
        })?;
        Ok(SimFunction {
            preset: preset.to_string(),
            board,
            // Start away from 0 so a zero address is never valid.
            next_iova: 0x1_0000_0000,
            dma_maps: 0,
        })
    }

    /// Arms a fault for the next job (tests and `zkpipe vec --inject`).
    pub fn inject(&mut self, fault: Fault) {
        self.board.inject(fault);
    }

    /// The simulated board itself: fault injection at a chosen job
    /// ([`SimBoard::inject_at`]), faults fired, jobs started.
    pub fn board(&mut self) -> &mut SimBoard {
        &mut self.board
    }

    /// DMA buffers mapped so far (each an IOMMU mapping on a real card): tests check that
    /// a card maps its staging buffers once, not per job.
    pub fn dma_maps(&self) -> usize {
        self.dma_maps
    }
}

impl PcieFunction for SimFunction {
    fn describe(&self) -> String {
        format!("sim:{}", self.preset)
    }
    fn read32(&mut self, bar: u8, offset: u64) -> Result<u32, PcieError> {
        check(bar, offset)?;
        Ok(self.board.bar_read(bar, offset))
    }
    fn write32(&mut self, bar: u8, offset: u64, value: u32) -> Result<(), PcieError> {
        check(bar, offset)?;
        self.board.bar_write(bar, offset, value);
        Ok(())
    }
    fn alloc_dma(&mut self, len: usize) -> Result<DmaBuffer, PcieError> {
        let memory = HostMemory::new(len);
        let iova = self.next_iova;
        // 4 KiB aligned, like IOMMU mappings.
        self.next_iova += (len as u64).div_ceil(4096).max(1) * 4096;
        self.board.map_dma(iova, &memory);
        self.dma_maps += 1;
        Ok(DmaBuffer::new(iova, len, Box::new(memory)))
    }
    fn wait(&mut self, _max: Duration) -> Result<(), PcieError> {
        // One quantum of device time per wait (or less if the interrupt rises); the
        // wall-clock bound only matters for the hardware implementation.
        self.board.run(QUANTUM);
        Ok(())
    }
    fn default_timeout(&self, elements: usize) -> Duration {
        // Verilator runs the board at tens of kHz; be generous.
        Duration::from_secs(20) + Duration::from_micros(500) * elements as u32
    }
    fn device_cycles(&self) -> Option<u64> {
        Some(self.board.cycles())
    }
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

fn check(bar: u8, offset: u64) -> Result<(), PcieError> {
    let size = match bar {
        // One register bank per job queue.
        0 => zkpipe_spec::regs::QUEUE_STRIDE as u64 * zkpipe_spec::xdma::CHANNELS,
        1 => 0x1_0000,
        _ => 0,
    };
    if offset >= size || !offset.is_multiple_of(4) {
        return Err(PcieError::OutOfRange { bar, offset, size });
    }
    Ok(())
}
