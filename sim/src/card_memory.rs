//! The card's memory as the simulated board's AXI4 slave: a sparse byte store of the
//! preset's size behind a controller with the preset's latency and bandwidth
//! (`zkpipe_spec::preset::CardMemoryConfig`).
//!
//! Reads: each accepted burst's data start `latency` cycles after its request and come back
//! in request order. Writes: a burst's data are taken after its address, and its response
//! comes `latency` cycles after its last beat. Every data beat, either way, spends 64
//! bytes of a token bucket refilled by `bytes_per_cycle` each cycle, and a burst's first
//! beat also its `burst_overhead_bytes` (opening the row), so a memory slower than the
//! engines back-pressures them as a real channel would, and single-beat strides cost more
//! than long bursts. Accesses beyond the size
//! answer DECERR; an injected ECC error answers SLVERR (and flips a bit of the beat, as the
//! error it reports would have).

use std::collections::{HashMap, VecDeque};
use zkpipe_spec::preset::CardMemoryConfig;

const BEAT: usize = 64;
const PAGE: u64 = 4096;
/// Bursts the controller queues per direction before it stops taking requests.
const QUEUE: usize = 32;
/// AXI responses.
const OKAY: u64 = 0;
const SLVERR: u64 = 2;
const DECERR: u64 = 3;

#[derive(Debug)]
struct Burst {
    addr: u64,
    beats: usize,
    done: usize,
    /// Cycle from which its data may move (reads).
    ready_at: u64,
    /// Worst response of its beats so far (writes).
    resp: u64,
}

/// What the slave drives this cycle.
#[derive(Debug, Default, Clone, Copy)]
pub struct SlaveOut {
    pub arready: bool,
    pub rvalid: bool,
    pub rlast: bool,
    pub rresp: u64,
    pub awready: bool,
    pub wready: bool,
    pub bvalid: bool,
    pub bresp: u64,
}

/// What the master drove this cycle (after settling).
#[derive(Debug, Default, Clone, Copy)]
pub struct MasterIn {
    pub araddr: u64,
    pub arlen: u64,
    pub arvalid: bool,
    pub rready: bool,
    pub awaddr: u64,
    pub awlen: u64,
    pub awvalid: bool,
    pub wvalid: bool,
    pub wlast: bool,
    pub bready: bool,
}

/// The simulated card memory.
#[derive(Debug)]
pub struct CardDram {
    config: CardMemoryConfig,
    pages: HashMap<u64, Box<[u8]>>,
    reads: VecDeque<Burst>,
    writes: VecDeque<Burst>,
    responses: VecDeque<(u64, u64)>,
    tokens: i64,
    /// A read beat was offered and not yet taken.
    rvalid_held: bool,
    /// An ECC error armed for the next data beat either way.
    ecc_error: bool,
    /// Beats moved, each way.
    pub beats_read: u64,
    pub beats_written: u64,
}

impl CardDram {
    pub fn new(config: CardMemoryConfig) -> CardDram {
        CardDram {
            config,
            pages: HashMap::new(),
            reads: VecDeque::new(),
            writes: VecDeque::new(),
            responses: VecDeque::new(),
            tokens: 0,
            rvalid_held: false,
            ecc_error: false,
            beats_read: 0,
            beats_written: 0,
        }
    }

    /// Arms an uncorrectable ECC error on the next data beat (read or written).
    pub fn inject_ecc_error(&mut self) {
        self.ecc_error = true;
    }

    /// Disarms an ECC error that has not hit a beat (a fault is for one job).
    pub fn disarm_ecc_error(&mut self) {
        self.ecc_error = false;
    }

    /// Whether an armed ECC error has not hit a beat yet.
    pub fn ecc_error_armed(&self) -> bool {
        self.ecc_error
    }

    /// Channel bytes the next beat of burst `b` takes: a beat, and the row opening on a
    /// burst's first.
    fn cost(&self, b: &Burst) -> i64 {
        let open = if b.done == 0 {
            self.config.burst_overhead_bytes as i64
        } else {
            0
        };
        BEAT as i64 + open
    }

    fn in_range(&self, addr: u64) -> bool {
        addr.checked_add(BEAT as u64)
            .is_some_and(|end| end <= self.config.bytes())
    }

    /// Reads one beat at `addr` (zeros where nothing was written).
    pub fn read_beat(&self, addr: u64, out: &mut [u8; BEAT]) {
        let (page, at) = (addr / PAGE, (addr % PAGE) as usize);
        match self.pages.get(&page) {
            Some(p) => out.copy_from_slice(&p[at..at + BEAT]),
            None => out.fill(0),
        }
    }

    /// Writes one beat at `addr`.
    pub fn write_beat(&mut self, addr: u64, beat: &[u8; BEAT]) {
        let (page, at) = (addr / PAGE, (addr % PAGE) as usize);
        let p = self
            .pages
            .entry(page)
            .or_insert_with(|| vec![0u8; PAGE as usize].into_boxed_slice());
        p[at..at + BEAT].copy_from_slice(beat);
    }

    /// Bytes of host memory the store holds (pages written so far).
    pub fn resident_bytes(&self) -> u64 {
        self.pages.len() as u64 * PAGE
    }

    /// The slave's outputs for cycle `now`, and the read beat to put on RDATA if any.
    pub fn outputs(&self, now: u64, rdata: &mut [u8; BEAT]) -> SlaveOut {
        let mut out = SlaveOut {
            arready: self.reads.len() < QUEUE,
            awready: self.writes.len() < QUEUE,
            ..Default::default()
        };
        // Each side moves when the channel has its beat's bytes; both may move in one
        // cycle (the bucket then owes, and waits to refill): no bandwidth is held back for
        // a read beat the master is not taking. A read beat offered stays offered (AXI).
        let tokens = self.tokens;
        if let Some(r) = self.reads.front() {
            let need = self.cost(r);
            if now >= r.ready_at && (tokens >= need || self.rvalid_held) {
                let addr = r.addr + (r.done * BEAT) as u64;
                out.rvalid = true;
                out.rlast = r.done + 1 == r.beats;
                if self.in_range(addr) {
                    self.read_beat(addr, rdata);
                    if self.ecc_error {
                        rdata[0] ^= 1;
                        out.rresp = SLVERR;
                    }
                } else {
                    rdata.fill(0);
                    out.rresp = DECERR;
                }
            }
        }
        out.wready = self.writes.front().is_some_and(|w| tokens >= self.cost(w));
        if let Some(&(at, resp)) = self.responses.front() {
            out.bvalid = now >= at;
            out.bresp = resp;
        }
        out
    }

    /// Takes the handshakes of cycle `now` (`wdata`: the beat on WDATA) and refills the
    /// bandwidth.
    pub fn clock(&mut self, now: u64, out: &SlaveOut, m: &MasterIn, wdata: &[u8; BEAT]) {
        if m.arvalid && out.arready {
            self.reads.push_back(Burst {
                addr: m.araddr,
                beats: m.arlen as usize + 1,
                done: 0,
                ready_at: now + self.config.latency_cycles as u64,
                resp: OKAY,
            });
        }
        self.rvalid_held = out.rvalid && !m.rready;
        if out.rvalid && m.rready {
            self.tokens -= self.cost(self.reads.front().expect("rvalid has a burst"));
            self.beats_read += 1;
            if out.rresp == SLVERR {
                self.ecc_error = false;
            }
            let r = self.reads.front_mut().expect("rvalid has a burst");
            r.done += 1;
            if r.done == r.beats {
                self.reads.pop_front();
            }
        }
        if m.awvalid && out.awready {
            self.writes.push_back(Burst {
                addr: m.awaddr,
                beats: m.awlen as usize + 1,
                done: 0,
                ready_at: 0,
                resp: OKAY,
            });
        }
        if m.wvalid && out.wready {
            self.tokens -= self.cost(self.writes.front().expect("wready has a burst"));
            self.beats_written += 1;
            let w = self.writes.front().expect("wready has a burst");
            let addr = w.addr + (w.done * BEAT) as u64;
            let mut resp = OKAY;
            if !self.in_range(addr) {
                resp = DECERR;
            } else {
                self.write_beat(addr, wdata);
                if self.ecc_error {
                    self.ecc_error = false;
                    resp = SLVERR;
                }
            }
            let w = self.writes.front_mut().expect("a burst");
            w.resp = w.resp.max(resp);
            w.done += 1;
            let last = w.done == w.beats;
            if last != m.wlast {
                // WLAST on the wrong beat: the controller reports the burst bad.
                w.resp = SLVERR;
            }
            if last {
                let w = self.writes.pop_front().expect("a burst");
                let at = now + self.config.latency_cycles as u64;
                self.responses.push_back((at, w.resp));
            }
        }
        if out.bvalid && m.bready {
            self.responses.pop_front();
        }
        let cap = 4 * BEAT as i64;
        self.tokens = (self.tokens + self.config.bytes_per_cycle as i64).min(cap);
    }
}
