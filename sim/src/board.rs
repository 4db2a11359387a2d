//! The simulated board as a PCIe function: the verilated board top behind BAR0 (its
//! AXI4-Lite CSR port), an XDMA register subset on BAR1, and a DMA engine model that walks
//! real XDMA descriptors in host memory (reached by IOVA through DMA mappings), feeds the
//! host-to-card stream and drains the card-to-host stream, clocking the model as it goes.
//!
//! Time advances only when the host touches the device (a BAR access takes a few cycles)
//! or calls [`SimBoard::run`] (what a driver's wait does on this device).

use crate::card_memory::{CardDram, MasterIn};
use crate::xdma::*;
use crate::{Model, PortId, SimError};
use std::sync::{Arc, Mutex, Weak};
use zkpipe_spec::regs;

/// BAR of the board's registers.
pub const BAR_CSR: u8 = 0;
/// BAR of the DMA engine's registers.
pub const BAR_DMA: u8 = 1;
/// Stream beat in bytes (512 bits).
pub const BEAT_BYTES: usize = 64;

/// Host memory the simulated DMA engine can reach once mapped at an IOVA.
#[derive(Debug, Default)]
pub struct HostMemory(pub Mutex<Vec<u8>>);

impl HostMemory {
    pub fn new(len: usize) -> Arc<HostMemory> {
        Arc::new(HostMemory(Mutex::new(vec![0; len])))
    }
}

/// Faults a test or a fault campaign can inject; each hits one job (the next, or a later
/// one with [`SimBoard::inject_at`]). A job starts when its host-to-card DMA starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The host-to-card descriptor fetch fails (DMA read error).
    DmaError,
    /// The kernel never finishes: the card-to-host stream is never drained.
    Stuck,
    /// The host-to-card stream ends (TLAST) halfway through the job's data.
    ShortStream,
    /// Bit `bit` (0..512) of the job's host-to-card beat `beat` flips on the way to the
    /// card: the card computes on corrupted data. Does not fire if the stream is shorter.
    CorruptH2c {
        /// Beat of the job's stream.
        beat: u32,
        /// Bit of the beat.
        bit: u16,
    },
    /// Bit `bit` of the job's card-to-host beat `beat` flips on the way to host memory: a
    /// right result corrupted after the card.
    CorruptC2h {
        /// Beat of the job's stream.
        beat: u32,
        /// Bit of the beat.
        bit: u16,
    },
    /// Card memory answers the job's first data beat (read or written) with an
    /// uncorrectable ECC error. Fires only on a job that uses card memory.
    MemoryEcc,
    /// The card's own faults (FAULT_INJECT: a lost deferral, a wrong adder or reduction,
    /// a corrupted scalar or base-memory read), set when the job starts and cleared when
    /// the next one does.
    Card(regs::FaultInject),
}

impl Fault {
    /// Names [`Fault::from_str`](std::str::FromStr) accepts.
    pub const NAMES: [&'static str; 11] = [
        "dma-error",
        "stuck",
        "short-stream",
        "corrupt-h2c",
        "corrupt-c2h",
        "memory-ecc",
        "drop-deferral",
        "corrupt-adder",
        "corrupt-reduce",
        "corrupt-scalar",
        "corrupt-base",
    ];
}

impl std::str::FromStr for Fault {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        // The card's own faults are FAULT_INJECT's fields, named as in the register map
        // with dashes.
        let card = regs::FaultInject::FIELDS
            .iter()
            .find(|f| f.name.replace('_', "-") == s)
            .map(|f| Fault::Card(regs::FaultInject::decode(1 << f.lsb)));
        match s {
            "dma-error" => Ok(Fault::DmaError),
            "stuck" => Ok(Fault::Stuck),
            "short-stream" => Ok(Fault::ShortStream),
            "corrupt-h2c" => Ok(Fault::CorruptH2c { beat: 0, bit: 0 }),
            "corrupt-c2h" => Ok(Fault::CorruptC2h { beat: 0, bit: 0 }),
            "memory-ecc" => Ok(Fault::MemoryEcc),
            _ => card
                .ok_or_else(|| format!("unknown fault `{s}` (known: {})", Fault::NAMES.join(", "))),
        }
    }
}

#[derive(Default, Debug)]
struct Channel {
    control: u32,
    status: u32,
    completed: u32,
    desc_lo: u32,
    desc_hi: u32,
    adjacent: u32,
    /// Current descriptor, its address and bytes done.
    current: Option<(Descriptor, u64)>,
    offset: usize,
    /// Beats sent on the current descriptor (H2C), for the short-stream fault.
    beats: usize,
}

impl Channel {
    fn running(&self) -> bool {
        self.control & CONTROL_RUN != 0 && self.status & STATUS_BUSY != 0
    }
}

/// A job queue's stream ports (queue q: XDMA channel q).
struct StreamPorts {
    h2c_tdata: PortId,
    h2c_tvalid: PortId,
    h2c_tlast: PortId,
    h2c_tready: PortId,
    c2h_tdata: PortId,
    c2h_tvalid: PortId,
    c2h_tlast: PortId,
    c2h_tready: PortId,
}

/// One job queue as the DMA model sees it: its two channels, its stream ports and the
/// faults armed for its current job.
struct Queue {
    ports: StreamPorts,
    h2c: Channel,
    c2h: Channel,
    beat_in: [u64; 8],
    beat_out: [u64; 8],
    /// Beats of the current job so far, each direction.
    job_beats_in: u32,
    job_beats_out: u32,
    stuck: bool,
    short_stream: bool,
    /// Stream corruption of the current job: (beat, bit).
    corrupt_h2c: Option<(u32, u16)>,
    corrupt_c2h: Option<(u32, u16)>,
    /// FAULT_INJECT was set by an injected fault (cleared when the queue's next job starts).
    card_fault: bool,
    /// JOB_MEM as last written (which streams the next job uses).
    job_mem: regs::JobMem,
    /// An H2C DMA error armed for the current job (fires when its H2C channel starts).
    dma_error: bool,
}

impl Queue {
    fn new(ports: StreamPorts) -> Queue {
        Queue {
            ports,
            h2c: Channel::default(),
            c2h: Channel::default(),
            beat_in: [0; 8],
            beat_out: [0; 8],
            job_beats_in: 0,
            job_beats_out: 0,
            stuck: false,
            short_stream: false,
            corrupt_h2c: None,
            corrupt_c2h: None,
            card_fault: false,
            job_mem: regs::JobMem::default(),
            dma_error: false,
        }
    }
    fn channel(&mut self, h2c: bool) -> &mut Channel {
        if h2c {
            &mut self.h2c
        } else {
            &mut self.c2h
        }
    }
}

/// Job queues the board top has stream ports for (XDMA channels 0 and 1).
const QUEUES: usize = CHANNELS as usize;

struct Ports {
    awvalid: PortId,
    awaddr: PortId,
    awready: PortId,
    wvalid: PortId,
    wdata: PortId,
    bvalid: PortId,
    bready: PortId,
    arvalid: PortId,
    araddr: PortId,
    rvalid: PortId,
    rdata: PortId,
    rready: PortId,
    irq: PortId,
    m: AxiPorts,
}

/// The board's AXI4 master ports to card memory.
struct AxiPorts {
    araddr: PortId,
    arlen: PortId,
    arvalid: PortId,
    arready: PortId,
    rdata: PortId,
    rresp: PortId,
    rlast: PortId,
    rvalid: PortId,
    rready: PortId,
    awaddr: PortId,
    awlen: PortId,
    awvalid: PortId,
    awready: PortId,
    wdata: PortId,
    wlast: PortId,
    wvalid: PortId,
    wready: PortId,
    bresp: PortId,
    bvalid: PortId,
    bready: PortId,
}

/// A simulated board: the verilated top plus the XDMA model.
pub struct SimBoard {
    model: Model,
    p: Ports,
    /// Job queue q and its XDMA channel pair q.
    q: [Queue; QUEUES],
    mappings: Vec<(u64, usize, Weak<HostMemory>)>,
    /// The armed fault and how many job starts to let pass before it.
    armed: Option<(Fault, u32)>,
    /// Injected faults that hit a job.
    fired: u64,
    /// Jobs started (CONTROL.start on any queue).
    jobs: u64,
    /// The card's memory behind the AXI4 master port.
    dram: CardDram,
    /// The interrupt line at the end of the last cycle, and whether it rose since the last
    /// [`SimBoard::run`] returned (waits stop on its rising edge: a line held high by one
    /// queue's finished job must not end another queue's waits at once).
    irq_was: bool,
    irq_rose: bool,
}

impl SimBoard {
    /// A board of the preset whose board top is built into this crate (`sim-small`).
    pub fn new(preset: &str) -> Result<SimBoard, SimError> {
        let config = zkpipe_spec::Preset::by_name(preset)
            .map_err(|_| SimError::UnknownModel {
                name: preset.to_string(),
                known: vec![],
            })?
            .card_memory;
        let name = format!("board_{}", preset.replace('-', "_"));
        let mut model = Model::new(&name)?;
        let port = |n: &str| model.port(n);
        let streams = |q: usize| -> Result<StreamPorts, SimError> {
            let n = if q == 0 { String::new() } else { q.to_string() };
            let port = |p: &str| model.port(&format!("{}{n}_{}", &p[..3], &p[4..]));
            Ok(StreamPorts {
                h2c_tdata: port("h2c_tdata")?,
                h2c_tvalid: port("h2c_tvalid")?,
                h2c_tlast: port("h2c_tlast")?,
                h2c_tready: port("h2c_tready")?,
                c2h_tdata: port("c2h_tdata")?,
                c2h_tvalid: port("c2h_tvalid")?,
                c2h_tlast: port("c2h_tlast")?,
                c2h_tready: port("c2h_tready")?,
            })
        };
        let q = [Queue::new(streams(0)?), Queue::new(streams(1)?)];
        let p = Ports {
            awvalid: port("csr_awvalid")?,
            awaddr: port("csr_awaddr")?,
            awready: port("csr_awready")?,
            wvalid: port("csr_wvalid")?,
            wdata: port("csr_wdata")?,
            bvalid: port("csr_bvalid")?,
            bready: port("csr_bready")?,
            arvalid: port("csr_arvalid")?,
            araddr: port("csr_araddr")?,
            rvalid: port("csr_rvalid")?,
            rdata: port("csr_rdata")?,
            rready: port("csr_rready")?,
            irq: port("irq")?,
            m: AxiPorts {
                araddr: port("m_araddr")?,
                arlen: port("m_arlen")?,
                arvalid: port("m_arvalid")?,
                arready: port("m_arready")?,
                rdata: port("m_rdata")?,
                rresp: port("m_rresp")?,
                rlast: port("m_rlast")?,
                rvalid: port("m_rvalid")?,
                rready: port("m_rready")?,
                awaddr: port("m_awaddr")?,
                awlen: port("m_awlen")?,
                awvalid: port("m_awvalid")?,
                awready: port("m_awready")?,
                wdata: port("m_wdata")?,
                wlast: port("m_wlast")?,
                wvalid: port("m_wvalid")?,
                wready: port("m_wready")?,
                bresp: port("m_bresp")?,
                bvalid: port("m_bvalid")?,
                bready: port("m_bready")?,
            },
        };
        model.tick(1);
        Ok(SimBoard {
            model,
            p,
            q,
            mappings: vec![],
            armed: None,
            fired: 0,
            jobs: 0,
            dram: CardDram::new(config),
            irq_was: false,
            irq_rose: false,
        })
    }

    /// The card's memory (tests read and write it directly).
    pub fn card_memory(&mut self) -> &mut CardDram {
        &mut self.dram
    }

    /// Clock cycles simulated so far.
    pub fn cycles(&self) -> u64 {
        self.model.cycles()
    }

    /// Arms a fault for the next job.
    pub fn inject(&mut self, fault: Fault) {
        self.inject_at(fault, 0);
    }

    /// Arms a fault for the job after `later` more job starts (0: the next job), replacing
    /// any armed fault.
    pub fn inject_at(&mut self, fault: Fault, later: u32) {
        self.armed = Some((fault, later));
    }

    /// Injected faults that hit a job so far (a stream corruption counts once its beat
    /// passed; one armed for a job that never came, or a beat past the stream's end, not).
    pub fn faults_fired(&self) -> u64 {
        self.fired
    }

    /// Jobs started so far (a job starts when CONTROL.start is written, on any queue).
    pub fn jobs_started(&self) -> u64 {
        self.jobs
    }

    /// Disarms a fault that has not hit a job yet.
    pub fn disarm(&mut self) {
        self.armed = None;
    }

    /// Whether a fault is armed and has not hit a job yet.
    pub fn fault_armed(&self) -> bool {
        self.armed.is_some()
    }

    /// Makes `memory` reachable by the DMA engine at `iova`.
    pub fn map_dma(&mut self, iova: u64, memory: &Arc<HostMemory>) {
        let len = memory.0.lock().unwrap().len();
        self.mappings.retain(|(_, _, m)| m.strong_count() > 0);
        self.mappings.push((iova, len, Arc::downgrade(memory)));
    }

    /// Whether the interrupt line is asserted.
    pub fn irq(&self) -> bool {
        self.model.get(self.p.irq)[0] != 0
    }

    fn set(&mut self, port: PortId, v: u64) {
        self.model.set(port, &[v]).expect("board port");
    }

    /// Reads a 32-bit register of a BAR.
    pub fn bar_read(&mut self, bar: u8, offset: u64) -> u32 {
        match bar {
            BAR_CSR => {
                self.set(self.p.araddr, offset & 0xFFFF);
                self.set(self.p.arvalid, 1);
                self.set(self.p.rready, 1);
                self.step();
                self.set(self.p.arvalid, 0);
                while self.model.get(self.p.rvalid)[0] == 0 {
                    self.step();
                }
                let v = self.model.get(self.p.rdata)[0] as u32;
                self.step();
                self.set(self.p.rready, 0);
                v
            }
            BAR_DMA => self.dma_read(offset),
            _ => u32::MAX,
        }
    }

    /// Writes a 32-bit register of a BAR.
    pub fn bar_write(&mut self, bar: u8, offset: u64, value: u32) {
        match bar {
            BAR_CSR => {
                let queue = (offset / regs::QUEUE_STRIDE as u64) as usize;
                let reg = offset % regs::QUEUE_STRIDE as u64;
                if queue < QUEUES {
                    if reg == regs::JOB_MEM as u64 {
                        self.q[queue].job_mem = regs::JobMem::decode(value);
                    }
                    if reg == regs::CONTROL as u64 {
                        let control = regs::Control::decode(value);
                        if control.soft_reset {
                            // Queue 0's soft reset resets the whole board.
                            for q in if queue == 0 {
                                0..QUEUES
                            } else {
                                queue..queue + 1
                            } {
                                self.q[q].stuck = false;
                                self.q[q].dma_error = false;
                            }
                        }
                        if control.start {
                            self.job_starts(queue, control.append);
                        }
                    }
                }
                self.set(self.p.awaddr, offset & 0xFFFF);
                self.set(self.p.wdata, value as u64);
                self.set(self.p.awvalid, 1);
                self.set(self.p.wvalid, 1);
                self.set(self.p.bready, 1);
                self.model.eval();
                while self.model.get(self.p.awready)[0] == 0 {
                    self.step();
                }
                self.step();
                self.set(self.p.awvalid, 0);
                self.set(self.p.wvalid, 0);
                while self.model.get(self.p.bvalid)[0] == 0 {
                    self.step();
                }
                self.step();
                self.set(self.p.bready, 0);
            }
            BAR_DMA => self.dma_write(offset, value),
            _ => {}
        }
    }

    /// A BAR1 offset's channel: (queue, host-to-card?, SGDMA block?, register).
    fn channel(offset: u64) -> Option<(usize, bool, bool, u64)> {
        let (base, n, reg) = (
            offset & !0xFFF,
            (offset & 0xFFF) / CHANNEL_STRIDE,
            offset % CHANNEL_STRIDE,
        );
        let (h2c, sgdma) = match base {
            H2C_CHANNEL => (true, false),
            C2H_CHANNEL => (false, false),
            H2C_SGDMA => (true, true),
            C2H_SGDMA => (false, true),
            _ => return None,
        };
        (n < CHANNELS).then_some((n as usize, h2c, sgdma, reg))
    }

    fn dma_read(&mut self, offset: u64) -> u32 {
        let Some((queue, h2c, sgdma, reg)) = Self::channel(offset) else {
            return 0;
        };
        let ch = self.q[queue].channel(h2c);
        match (sgdma, reg) {
            (false, CH_IDENTIFIER) => {
                let id = if h2c { H2C_IDENTIFIER } else { C2H_IDENTIFIER };
                id | (queue as u32) << 8
            }
            (false, CH_CONTROL) => ch.control,
            (false, CH_STATUS) => ch.status,
            (false, CH_STATUS_RC) => {
                let s = ch.status;
                ch.status &= STATUS_BUSY;
                s
            }
            (false, CH_COMPLETED_COUNT) => ch.completed,
            (true, SG_DESC_LO) => ch.desc_lo,
            (true, SG_DESC_HI) => ch.desc_hi,
            (true, SG_DESC_ADJACENT) => ch.adjacent,
            _ => 0,
        }
    }

    fn dma_write(&mut self, offset: u64, value: u32) {
        let Some((queue, h2c, sgdma, reg)) = Self::channel(offset) else {
            return;
        };
        let ch = self.q[queue].channel(h2c);
        let was = ch.control;
        match (sgdma, reg) {
            (false, CH_CONTROL) => ch.control = value,
            (false, CH_CONTROL_W1S) => ch.control |= value,
            (false, CH_CONTROL_W1C) => ch.control &= !value,
            (false, CH_STATUS) => ch.status &= !value | STATUS_BUSY,
            (true, SG_DESC_LO) => ch.desc_lo = value,
            (true, SG_DESC_HI) => ch.desc_hi = value,
            (true, SG_DESC_ADJACENT) => ch.adjacent = value,
            _ => {}
        }
        let now = ch.control;
        if was & CONTROL_RUN == 0 && now & CONTROL_RUN != 0 {
            // Run rising: start at the first descriptor; completed count restarts.
            ch.completed = 0;
            ch.status = STATUS_BUSY;
            ch.offset = 0;
            ch.beats = 0;
            let first = ch.desc_lo as u64 | (ch.desc_hi as u64) << 32;
            if !h2c {
                self.q[queue].job_beats_out = 0;
                self.load_descriptor(queue, false, first);
                return;
            }
            if std::mem::take(&mut self.q[queue].dma_error) {
                self.q[queue].h2c.status = STATUS_READ_ERROR | STATUS_DESC_STOPPED;
                self.q[queue].h2c.current = None;
                self.fired += 1;
            } else {
                self.load_descriptor(queue, true, first);
            }
        } else if was & CONTROL_RUN != 0 && now & CONTROL_RUN == 0 {
            ch.status &= !STATUS_BUSY;
            ch.current = None;
        }
    }

    /// Runs a memory access against the DMA mappings; `None` if unmapped.
    fn with_memory<R>(&self, addr: u64, len: usize, f: impl FnOnce(&mut [u8]) -> R) -> Option<R> {
        for (iova, size, mem) in &self.mappings {
            if addr >= *iova && addr + len as u64 <= iova + *size as u64 {
                let mem = mem.upgrade()?;
                let mut bytes = mem.0.lock().unwrap();
                let start = (addr - iova) as usize;
                return Some(f(&mut bytes[start..start + len]));
            }
        }
        None
    }

    /// CONTROL.start on `queue`: arms the job's fault, if it is the armed fault's target
    /// and the fault applies to its streams (a host-stream fault to a job with that
    /// stream, a card-memory fault to a job using card memory).
    /// A job appended to a run (CONTROL.append) keeps the run's stream counts: a stream
    /// corruption armed for it hits the given beat counted from its start.
    fn job_starts(&mut self, queue: usize, append: bool) {
        let fault = self.next_job_fault(queue, append);
        let mem = self.q[queue].job_mem;
        let (src_card, dst_card) = (mem.src_card, mem.dst_card);
        let applies = match fault {
            None => false,
            Some(Fault::DmaError | Fault::ShortStream | Fault::CorruptH2c { .. }) => !src_card,
            Some(Fault::CorruptC2h { .. }) => !dst_card,
            Some(Fault::Stuck | Fault::Card(_)) => true,
            Some(Fault::MemoryEcc) => queue == 0 && (src_card || dst_card),
        };
        if !applies {
            return;
        }
        let q = &mut self.q[queue];
        match fault.expect("applies") {
            // A job appended to a run has no channel start of its own: its descriptor
            // fetch fails now, in the run's running channel.
            // (A run whose input has all been sent by then has nothing left to fail: the
            // fault does not apply, rather than wait armed for a later job.)
            Fault::DmaError if append => {
                if q.h2c.running() {
                    q.h2c.status = STATUS_READ_ERROR | STATUS_DESC_STOPPED;
                    q.h2c.current = None;
                    self.fired += 1;
                }
            }
            Fault::DmaError => q.dma_error = true,
            Fault::ShortStream if append && !q.h2c.running() => return,
            Fault::Stuck => q.stuck = true,
            Fault::ShortStream => q.short_stream = true,
            Fault::CorruptH2c { beat, bit } => {
                q.corrupt_h2c = Some((q.job_beats_in + beat, bit));
            }
            Fault::CorruptC2h { beat, bit } => {
                q.corrupt_c2h = Some((q.job_beats_out + beat, bit));
            }
            Fault::Card(inject) => {
                q.card_fault = true;
                let reg = regs::queue_register(queue as u32, regs::FAULT_INJECT);
                self.bar_write(BAR_CSR, reg as u64, inject.encode());
            }
            Fault::MemoryEcc => self.dram.inject_ecc_error(),
        }
        if matches!(
            fault,
            Some(Fault::Stuck | Fault::ShortStream | Fault::Card(_) | Fault::MemoryEcc)
        ) {
            self.fired += 1;
        }
    }

    /// A job starts on `queue`: ends that queue's previous job's faults and returns the
    /// armed fault if this job is its target.
    fn next_job_fault(&mut self, queue: usize, append: bool) -> Option<Fault> {
        self.jobs += 1;
        let q = &mut self.q[queue];
        if !append {
            q.job_beats_in = 0;
            q.corrupt_h2c = None;
            q.corrupt_c2h = None;
        }
        if std::mem::take(&mut q.card_fault) {
            let reg = regs::queue_register(queue as u32, regs::FAULT_INJECT);
            self.bar_write(BAR_CSR, reg as u64, 0);
        }
        if queue == 0 {
            self.dram.disarm_ecc_error();
        }
        match self.armed.take() {
            Some((fault, 0)) => Some(fault),
            Some((fault, later)) => {
                self.armed = Some((fault, later - 1));
                None
            }
            None => None,
        }
    }

    fn load_descriptor(&mut self, queue: usize, h2c: bool, addr: u64) {
        let raw = self.with_memory(addr, DESC_BYTES, |b| {
            <[u8; DESC_BYTES]>::try_from(&*b).unwrap()
        });
        let ch = self.q[queue].channel(h2c);
        ch.offset = 0;
        ch.beats = 0;
        match raw {
            None => {
                ch.status = (ch.status & !STATUS_BUSY) | STATUS_READ_ERROR;
                ch.current = None;
            }
            Some(raw) => match Descriptor::from_bytes(&raw) {
                None => {
                    ch.status = (ch.status & !STATUS_BUSY) | STATUS_MAGIC_STOPPED;
                    ch.current = None;
                }
                Some(d) => ch.current = Some((d, addr)),
            },
        }
    }

    /// Finishes the current descriptor of a channel and moves to the next (or stops).
    fn complete_descriptor(&mut self, queue: usize, h2c: bool) {
        let ch = self.q[queue].channel(h2c);
        let Some((d, _)) = ch.current.take() else {
            return;
        };
        ch.completed += 1;
        if d.control & DESC_COMPLETED != 0 {
            ch.status |= STATUS_DESC_COMPLETED;
        }
        if d.control & DESC_STOP != 0 {
            ch.status = (ch.status & !STATUS_BUSY) | STATUS_DESC_STOPPED;
        } else {
            self.load_descriptor(queue, h2c, d.next);
        }
    }

    /// Drives queue `qi`'s host-to-card stream and card-to-host ready for this cycle;
    /// returns (h2c valid, h2c last, h2c bytes, c2h ready).
    fn drive_streams(&mut self, qi: usize) -> (bool, bool, usize, bool) {
        let mut h2c_valid = false;
        let mut h2c_last = false;
        let mut h2c_len = 0;
        if self.q[qi].h2c.running() {
            if let Some((d, _)) = self.q[qi].h2c.current {
                let q = &self.q[qi];
                let remaining = d.length as usize - q.h2c.offset;
                h2c_len = remaining.min(BEAT_BYTES);
                let mut beat = [0u8; BEAT_BYTES];
                let src = d.src + q.h2c.offset as u64;
                let ok = self
                    .with_memory(src, h2c_len, |b| beat[..h2c_len].copy_from_slice(b))
                    .is_some();
                let q = &mut self.q[qi];
                if !ok {
                    q.h2c.status = (q.h2c.status & !STATUS_BUSY) | STATUS_READ_ERROR;
                    q.h2c.current = None;
                } else {
                    if let Some((at, bit)) = q.corrupt_h2c {
                        if at == q.job_beats_in {
                            beat[bit as usize / 8 % BEAT_BYTES] ^= 1 << (bit % 8);
                        }
                    }
                    for (i, w) in q.beat_in.iter_mut().enumerate() {
                        *w = u64::from_le_bytes(beat[8 * i..8 * i + 8].try_into().unwrap());
                    }
                    h2c_valid = true;
                    let total_beats = (d.length as usize).div_ceil(BEAT_BYTES);
                    let cut = q.short_stream && q.h2c.beats + 1 >= total_beats.div_ceil(2);
                    h2c_last = (remaining <= BEAT_BYTES && d.control & DESC_EOP != 0) || cut;
                }
            }
        }
        let q = &self.q[qi];
        let (beat_in, ports) = (q.beat_in, &q.ports);
        let c2h_ready = q.c2h.running() && q.c2h.current.is_some() && !q.stuck;
        self.model
            .set(ports.h2c_tdata, &beat_in)
            .expect("h2c_tdata");
        for (port, v) in [
            (ports.h2c_tvalid, h2c_valid),
            (ports.h2c_tlast, h2c_last),
            (ports.c2h_tready, c2h_ready),
        ] {
            self.model.set(port, &[v as u64]).expect("stream port");
        }
        (h2c_valid, h2c_last, h2c_len, c2h_ready)
    }

    /// Accounts queue `qi`'s stream handshakes of the cycle that just ended.
    fn finish_streams(
        &mut self,
        qi: usize,
        h2c_fire: bool,
        h2c_last: bool,
        h2c_len: usize,
        c2h: Option<bool>,
    ) {
        if h2c_fire {
            let q = &mut self.q[qi];
            if q.corrupt_h2c.is_some_and(|(at, _)| at == q.job_beats_in) {
                q.corrupt_h2c = None;
                self.fired += 1;
            }
            q.job_beats_in += 1;
            q.h2c.offset += h2c_len;
            q.h2c.beats += 1;
            let (d, _) = q.h2c.current.unwrap();
            if h2c_last && q.short_stream {
                q.short_stream = false;
                self.complete_descriptor(qi, true);
            } else if q.h2c.offset >= d.length as usize {
                self.complete_descriptor(qi, true);
            }
        }
        if let Some(c2h_last) = c2h {
            let q = &mut self.q[qi];
            let (d, _) = q.c2h.current.unwrap();
            let room = (d.length as usize).saturating_sub(q.c2h.offset);
            let n = room.min(BEAT_BYTES);
            let mut bytes = [0u8; BEAT_BYTES];
            for (i, w) in q.beat_out.iter().enumerate() {
                bytes[8 * i..8 * i + 8].copy_from_slice(&w.to_le_bytes());
            }
            if let Some((at, bit)) = q.corrupt_c2h {
                if at == q.job_beats_out {
                    bytes[bit as usize / 8 % BEAT_BYTES] ^= 1 << (bit % 8);
                    q.corrupt_c2h = None;
                    self.fired += 1;
                }
            }
            let q = &mut self.q[qi];
            q.job_beats_out += 1;
            let dst = d.dst + q.c2h.offset as u64;
            let ok = self
                .with_memory(dst, n, |b| b.copy_from_slice(&bytes[..n]))
                .is_some();
            let q = &mut self.q[qi];
            if !ok {
                q.c2h.status = (q.c2h.status & !STATUS_BUSY) | STATUS_READ_ERROR;
                q.c2h.current = None;
                return;
            }
            q.c2h.offset += n;
            if c2h_last || q.c2h.offset >= d.length as usize {
                let wb = writeback_bytes(c2h_last, q.c2h.offset as u32);
                let _ = self.with_memory(d.src, WRITEBACK_BYTES, |b| b.copy_from_slice(&wb));
                self.complete_descriptor(qi, false);
            }
        }
    }

    /// One clock cycle: drive the streams from the DMA state, clock, account handshakes.
    fn step(&mut self) {
        let drive = [self.drive_streams(0), self.drive_streams(1)];
        // Card memory: the slave's side of this cycle (queue 0's jobs use it).
        let now = self.model.cycles();
        let mut rdata = [0u8; BEAT_BYTES];
        let mut mem_out = self.dram.outputs(now, &mut rdata);
        if self.q[0].stuck {
            mem_out.rvalid = false;
            mem_out.wready = false;
        }
        let m = &self.p.m;
        let mem_ports = [
            (m.arready, mem_out.arready as u64),
            (m.rvalid, mem_out.rvalid as u64),
            (m.rlast, mem_out.rlast as u64),
            (m.rresp, mem_out.rresp),
            (m.awready, mem_out.awready as u64),
            (m.wready, mem_out.wready as u64),
            (m.bvalid, mem_out.bvalid as u64),
            (m.bresp, mem_out.bresp),
        ];
        for (port, v) in mem_ports {
            self.model.set(port, &[v]).expect("card-memory port");
        }
        if mem_out.rvalid {
            let mut limbs = [0u64; 8];
            for (i, w) in limbs.iter_mut().enumerate() {
                *w = u64::from_le_bytes(rdata[8 * i..8 * i + 8].try_into().unwrap());
            }
            self.model.set(self.p.m.rdata, &limbs).expect("m_rdata");
        }
        self.model.settle();
        let get1 = |model: &Model, port: PortId| {
            let mut v = [0u64; 1];
            model.get_into(port, &mut v);
            v[0]
        };
        let master = MasterIn {
            araddr: get1(&self.model, m.araddr),
            arlen: get1(&self.model, m.arlen),
            arvalid: get1(&self.model, m.arvalid) != 0,
            rready: get1(&self.model, m.rready) != 0,
            awaddr: get1(&self.model, m.awaddr),
            awlen: get1(&self.model, m.awlen),
            awvalid: get1(&self.model, m.awvalid) != 0,
            wvalid: get1(&self.model, m.wvalid) != 0,
            wlast: get1(&self.model, m.wlast) != 0,
            bready: get1(&self.model, m.bready) != 0,
        };
        let mut wdata = [0u8; BEAT_BYTES];
        if master.wvalid && mem_out.wready {
            let mut limbs = [0u64; 8];
            self.model.get_into(m.wdata, &mut limbs);
            for (i, w) in limbs.iter().enumerate() {
                wdata[8 * i..8 * i + 8].copy_from_slice(&w.to_le_bytes());
            }
        }
        self.dram.clock(now, &mem_out, &master, &wdata);
        let mut fires = [(false, None); QUEUES];
        for (qi, &(h2c_valid, _, _, c2h_ready)) in drive.iter().enumerate() {
            let ports = &self.q[qi].ports;
            let h2c_fire = h2c_valid && self.model.get(ports.h2c_tready)[0] != 0;
            let c2h_fire = c2h_ready && self.model.get(ports.c2h_tvalid)[0] != 0;
            let c2h_last = self.model.get(ports.c2h_tlast)[0] != 0;
            if c2h_fire {
                let mut out = [0u64; 8];
                self.model.get_into(ports.c2h_tdata, &mut out);
                self.q[qi].beat_out = out;
            }
            fires[qi] = (h2c_fire, c2h_fire.then_some(c2h_last));
        }
        self.model.rise();
        for (qi, (h2c_fire, c2h)) in fires.into_iter().enumerate() {
            let (_, h2c_last, h2c_len, _) = drive[qi];
            self.finish_streams(qi, h2c_fire, h2c_last, h2c_len, c2h);
        }
        let irq = self.irq();
        self.irq_rose |= irq && !self.irq_was;
        self.irq_was = irq;
    }

    /// Runs `cycles` clock cycles, or fewer if the interrupt line rises (a job on some
    /// queue ended; a line already high from another queue's finished job does not stop
    /// the run).
    pub fn run(&mut self, cycles: u64) -> u64 {
        for c in 0..cycles {
            if std::mem::take(&mut self.irq_rose) {
                return c;
            }
            self.step();
        }
        cycles
    }
}
