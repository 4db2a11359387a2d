//! The subset of the Xilinx XDMA (PG195) register interface and descriptor format that
//! zkpipe uses: H2C and C2H channels 0 and 1 (one per job queue) in streaming (AXI4-Stream) mode.
//!
//! These constants are shared by the simulated DMA engine (`zkpipe_sim::board`) and the host's
//! XDMA driver, so both sides of BAR1 agree by construction.

/// H2C channel 0 registers (BAR1 offsets).
pub const H2C_CHANNEL: u64 = 0x0000;
/// C2H channel 0 registers.
pub const C2H_CHANNEL: u64 = 0x1000;
/// H2C channel 0 SGDMA registers.
pub const H2C_SGDMA: u64 = 0x4000;
/// C2H channel 0 SGDMA registers.
pub const C2H_SGDMA: u64 = 0x5000;

/// Bytes between channel n and channel n + 1 of one direction (channel, SGDMA blocks).
pub const CHANNEL_STRIDE: u64 = 0x100;

/// Channel registers the board has (job queue q streams through channel q).
pub const CHANNELS: u64 = 2;

/// Channel register offsets (from the channel base).
pub const CH_IDENTIFIER: u64 = 0x00;
/// Channel control (bit 0 run).
pub const CH_CONTROL: u64 = 0x04;
/// Channel control, write 1 to set.
pub const CH_CONTROL_W1S: u64 = 0x08;
/// Channel control, write 1 to clear.
pub const CH_CONTROL_W1C: u64 = 0x0C;
/// Channel status.
pub const CH_STATUS: u64 = 0x40;
/// Channel status, clear on read.
pub const CH_STATUS_RC: u64 = 0x44;
/// Descriptors completed since the channel started.
pub const CH_COMPLETED_COUNT: u64 = 0x48;

/// SGDMA register offsets (from the SGDMA base).
pub const SG_DESC_LO: u64 = 0x80;
/// First descriptor's address, high word.
pub const SG_DESC_HI: u64 = 0x84;
/// Descriptors adjacent to the first one.
pub const SG_DESC_ADJACENT: u64 = 0x88;

/// Channel identifier values (subsystem 0x1FC, H2C/C2H target, version 6).
pub const H2C_IDENTIFIER: u32 = 0x1FC0_0006;
/// C2H channel identifier.
pub const C2H_IDENTIFIER: u32 = 0x1FC1_0006;

/// CONTROL bit 0: run.
pub const CONTROL_RUN: u32 = 1 << 0;

/// STATUS bits.
pub const STATUS_BUSY: u32 = 1 << 0;
/// STATUS: the engine stopped at a descriptor with STOP.
pub const STATUS_DESC_STOPPED: u32 = 1 << 1;
/// STATUS: a descriptor with COMPLETED finished.
pub const STATUS_DESC_COMPLETED: u32 = 1 << 2;
/// STATUS: a descriptor had a wrong magic.
pub const STATUS_MAGIC_STOPPED: u32 = 1 << 4;
/// Descriptor or data read error (XDMA's read_error field, bits 13:9; zkpipe reports 9).
pub const STATUS_READ_ERROR: u32 = 1 << 9;
/// Descriptor error (XDMA's desc_error field, bits 23:19; zkpipe reports 19).
pub const STATUS_DESC_ERROR: u32 = 1 << 19;
/// Any error bit.
pub const STATUS_ERRORS: u32 = STATUS_MAGIC_STOPPED | STATUS_READ_ERROR | STATUS_DESC_ERROR;

/// Descriptor magic (word 0, bits 31:16).
pub const DESC_MAGIC: u32 = 0xAD4B;
/// Descriptor control bits (word 0, bits 7:0).
pub const DESC_STOP: u32 = 1 << 0;
/// Descriptor control: report completion of this descriptor.
pub const DESC_COMPLETED: u32 = 1 << 1;
/// Descriptor control: end of packet (TLAST after this descriptor's data).
pub const DESC_EOP: u32 = 1 << 4;
/// Size of a descriptor in host memory.
pub const DESC_BYTES: usize = 32;
/// Magic of the C2H streaming writeback record (word 0, bits 31:16).
pub const WRITEBACK_MAGIC: u32 = 0x52B4;
/// Size of the writeback record.
pub const WRITEBACK_BYTES: usize = 8;

/// One XDMA descriptor (32 bytes, little-endian words).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Descriptor {
    /// Control bits (STOP, COMPLETED, EOP).
    pub control: u32,
    /// Number of adjacent descriptors that follow in memory (hint; zkpipe uses 0).
    pub next_adjacent: u32,
    /// Bytes to transfer.
    pub length: u32,
    /// H2C: source in host memory. C2H streaming: address of the writeback record.
    pub src: u64,
    /// H2C streaming: unused. C2H: destination in host memory.
    pub dst: u64,
    /// Address of the next descriptor (ignored after STOP).
    pub next: u64,
}

impl Descriptor {
    /// The descriptor as the engine reads it from host memory.
    pub fn to_bytes(&self) -> [u8; DESC_BYTES] {
        let w0 = DESC_MAGIC << 16 | (self.next_adjacent & 0x3F) << 8 | (self.control & 0xFF);
        let words = [
            w0,
            self.length,
            self.src as u32,
            (self.src >> 32) as u32,
            self.dst as u32,
            (self.dst >> 32) as u32,
            self.next as u32,
            (self.next >> 32) as u32,
        ];
        let mut out = [0u8; DESC_BYTES];
        for (i, w) in words.iter().enumerate() {
            out[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// Parses a descriptor; `None` if the magic is wrong.
    pub fn from_bytes(b: &[u8; DESC_BYTES]) -> Option<Descriptor> {
        let w = |i: usize| u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().unwrap());
        let lohi = |i: usize| w(i) as u64 | (w(i + 1) as u64) << 32;
        if w(0) >> 16 != DESC_MAGIC {
            return None;
        }
        Some(Descriptor {
            control: w(0) & 0xFF,
            next_adjacent: (w(0) >> 8) & 0x3F,
            length: w(1),
            src: lohi(2),
            dst: lohi(4),
            next: lohi(6),
        })
    }
}

/// A C2H streaming writeback record: whether the packet ended (EOP) and the bytes the
/// descriptor received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Writeback {
    /// The stream's TLAST arrived in this descriptor.
    pub eop: bool,
    /// Bytes received.
    pub length: u32,
}

impl Writeback {
    /// The record as the engine writes it: word 0 = magic << 16 | EOP, word 1 = length.
    pub fn to_bytes(&self) -> [u8; WRITEBACK_BYTES] {
        let mut out = [0u8; WRITEBACK_BYTES];
        out[..4].copy_from_slice(&(WRITEBACK_MAGIC << 16 | self.eop as u32).to_le_bytes());
        out[4..].copy_from_slice(&self.length.to_le_bytes());
        out
    }

    /// Parses a record; `None` if the magic is wrong (nothing written there yet).
    pub fn from_bytes(b: &[u8; WRITEBACK_BYTES]) -> Option<Writeback> {
        let status = u32::from_le_bytes(b[..4].try_into().unwrap());
        (status >> 16 == WRITEBACK_MAGIC).then(|| Writeback {
            eop: status & 1 != 0,
            length: u32::from_le_bytes(b[4..].try_into().unwrap()),
        })
    }
}

/// The C2H writeback record of `eop` and `length` ([`Writeback::to_bytes`]).
pub fn writeback_bytes(eop: bool, length: u32) -> [u8; WRITEBACK_BYTES] {
    Writeback { eop, length }.to_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_round_trip_and_magic() {
        let d = Descriptor {
            control: DESC_STOP | DESC_EOP,
            next_adjacent: 0,
            length: 4096,
            src: 0x1_2345_6780,
            dst: 0xdead_beef_0000,
            next: 0x40,
        };
        let b = d.to_bytes();
        assert_eq!(&b[2..4], &[0x4B, 0xAD]);
        assert_eq!(Descriptor::from_bytes(&b), Some(d));
        let mut bad = b;
        bad[3] = 0;
        assert_eq!(Descriptor::from_bytes(&bad), None);
    }

    #[test]
    fn writeback_round_trip_and_magic() {
        let wb = Writeback {
            eop: true,
            length: 4096,
        };
        assert_eq!(Writeback::from_bytes(&wb.to_bytes()), Some(wb));
        assert_eq!(Writeback::from_bytes(&[0; WRITEBACK_BYTES]), None);
    }
}
