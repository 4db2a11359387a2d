//! The XDMA descriptor driver: builds descriptor chains in DMA memory and runs the H2C and
//! C2H channels through BAR1. Written once, for the real engine and the simulated one.

use crate::pcie::{DmaBuffer, PcieError, PcieFunction, BAR_DMA};
use zkpipe_spec::xdma::*;

/// Largest transfer of one descriptor. Chains use several for larger buffers.
pub const MAX_DESC_BYTES: usize = 1 << 20;

/// Which channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// H2C: host memory to the card's input stream.
    HostToCard,
    /// C2H: the card's output stream to host memory.
    CardToHost,
}

impl Direction {
    /// The channel and SGDMA register bases of this direction's channel `n`.
    fn bases(self, n: u32) -> (u64, u64) {
        let (channel, sgdma) = match self {
            Direction::HostToCard => (H2C_CHANNEL, H2C_SGDMA),
            Direction::CardToHost => (C2H_CHANNEL, C2H_SGDMA),
        };
        let at = n as u64 * CHANNEL_STRIDE;
        (channel + at, sgdma + at)
    }
    /// The direction's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Direction::HostToCard => "host-to-card",
            Direction::CardToHost => "card-to-host",
        }
    }
}

/// A descriptor chain for one transfer of one or more packets.
#[derive(Debug)]
pub struct Chain {
    /// IOVA of the first descriptor.
    pub first: u64,
    /// Descriptors in the chain.
    pub descriptors: u32,
    /// C2H: IOVA of each descriptor's writeback record.
    pub writebacks: Vec<u64>,
    /// Each packet's last descriptor (index) and its length in bytes: a C2H packet must end
    /// there, its writeback saying end-of-packet after that many bytes.
    pub packet_ends: Vec<(usize, usize)>,
}

/// Writes the descriptor chain moving `len` bytes of `data` (starting at its IOVA) into
/// `ring` at `ring_offset`: one descriptor per [`MAX_DESC_BYTES`], EOP on the last
/// (host-to-card), STOP and COMPLETED on the last. C2H descriptors also get a writeback
/// record each, placed after the descriptors.
pub fn write_chain(
    dir: Direction,
    data: &DmaBuffer,
    len: usize,
    ring: &DmaBuffer,
    ring_offset: usize,
) -> Chain {
    write_packets(dir, data, &[len], ring, ring_offset)
}

/// [`write_chain`] for packets of `packets` bytes one after the other in `data` (a run of
/// jobs: each job's stream is one packet): each packet's descriptors end with EOP
/// (host-to-card: TLAST after its last beat; card-to-host: the job's TLAST ends it there),
/// STOP and COMPLETED only on the chain's last.
pub fn write_packets(
    dir: Direction,
    data: &DmaBuffer,
    packets: &[usize],
    ring: &DmaBuffer,
    ring_offset: usize,
) -> Chain {
    let n = descriptors(packets);
    let desc_base = ring.iova() + ring_offset as u64;
    let wb_base = desc_base + (n * DESC_BYTES) as u64;
    let mut writebacks = vec![];
    let mut packet_ends = vec![];
    let (mut i, mut at) = (0, 0);
    for &len in packets {
        let parts = len.div_ceil(MAX_DESC_BYTES).max(1);
        for part in 0..parts {
            let start = part * MAX_DESC_BYTES;
            let length = (len - start).min(MAX_DESC_BYTES);
            let packet_end = part + 1 == parts;
            let last = i + 1 == n;
            let mut control = 0;
            if last {
                control |= DESC_STOP | DESC_COMPLETED;
            }
            let (src, dst) = match dir {
                Direction::HostToCard => {
                    if packet_end {
                        control |= DESC_EOP;
                    }
                    (data.iova() + (at + start) as u64, 0)
                }
                Direction::CardToHost => {
                    let wb = wb_base + (i * WRITEBACK_BYTES) as u64;
                    writebacks.push(wb);
                    (wb, data.iova() + (at + start) as u64)
                }
            };
            if packet_end {
                packet_ends.push((i, length));
            }
            let d = Descriptor {
                control,
                next_adjacent: 0,
                length: length as u32,
                src,
                dst,
                next: if last {
                    0
                } else {
                    desc_base + ((i + 1) * DESC_BYTES) as u64
                },
            };
            ring.write(ring_offset + i * DESC_BYTES, &d.to_bytes());
            i += 1;
        }
        at += len;
    }
    if dir == Direction::CardToHost {
        ring.write(
            (wb_base - ring.iova()) as usize,
            &vec![0u8; n * WRITEBACK_BYTES],
        );
    }
    Chain {
        first: desc_base,
        descriptors: n as u32,
        writebacks,
        packet_ends,
    }
}

/// Descriptors of a chain of `packets`.
fn descriptors(packets: &[usize]) -> usize {
    packets
        .iter()
        .map(|len| len.div_ceil(MAX_DESC_BYTES).max(1))
        .sum::<usize>()
        .max(1)
}

/// Bytes of ring a chain for `len` bytes needs (descriptors plus writebacks).
pub fn ring_bytes(len: usize) -> usize {
    ring_bytes_packets(&[len])
}

/// Bytes of ring a chain of `packets` needs (descriptors plus writebacks).
pub fn ring_bytes_packets(packets: &[usize]) -> usize {
    descriptors(packets) * (DESC_BYTES + WRITEBACK_BYTES)
}

/// Points channel 0 of a direction at a chain and sets its run bit.
pub fn start(f: &mut dyn PcieFunction, dir: Direction, chain: &Chain) -> Result<(), PcieError> {
    start_channel(f, dir, 0, chain)
}

/// Points channel `n` (job queue n's) of a direction at a chain and sets its run bit.
pub fn start_channel(
    f: &mut dyn PcieFunction,
    dir: Direction,
    n: u32,
    chain: &Chain,
) -> Result<(), PcieError> {
    let (channel, sgdma) = dir.bases(n);
    f.write32(BAR_DMA, channel + CH_CONTROL, 0)?;
    f.write32(BAR_DMA, sgdma + SG_DESC_LO, chain.first as u32)?;
    f.write32(BAR_DMA, sgdma + SG_DESC_HI, (chain.first >> 32) as u32)?;
    f.write32(BAR_DMA, sgdma + SG_DESC_ADJACENT, 0)?;
    f.write32(BAR_DMA, channel + CH_STATUS, u32::MAX)?;
    f.write32(BAR_DMA, channel + CH_CONTROL, CONTROL_RUN)
}

/// Clears channel 0's run bit.
pub fn stop(f: &mut dyn PcieFunction, dir: Direction) -> Result<(), PcieError> {
    stop_channel(f, dir, 0)
}

/// Clears channel `n`'s run bit.
pub fn stop_channel(f: &mut dyn PcieFunction, dir: Direction, n: u32) -> Result<(), PcieError> {
    f.write32(BAR_DMA, dir.bases(n).0 + CH_CONTROL, 0)
}

/// Channel 0's status register and completed-descriptor count.
pub fn status(f: &mut dyn PcieFunction, dir: Direction) -> Result<(u32, u32), PcieError> {
    status_channel(f, dir, 0)
}

/// Channel `n`'s status register and completed-descriptor count.
pub fn status_channel(
    f: &mut dyn PcieFunction,
    dir: Direction,
    n: u32,
) -> Result<(u32, u32), PcieError> {
    let channel = dir.bases(n).0;
    Ok((
        f.read32(BAR_DMA, channel + CH_STATUS)?,
        f.read32(BAR_DMA, channel + CH_COMPLETED_COUNT)?,
    ))
}

/// Whether the engine at BAR1 identifies as XDMA.
pub fn identify(f: &mut dyn PcieFunction) -> Result<bool, PcieError> {
    Ok(
        f.read32(BAR_DMA, H2C_CHANNEL + CH_IDENTIFIER)? == H2C_IDENTIFIER
            && f.read32(BAR_DMA, C2H_CHANNEL + CH_IDENTIFIER)? == C2H_IDENTIFIER,
    )
}
