//! The card-memory port: an AXI4 master (one 512-bit read and write channel, INCR bursts
//! of [`MEM_BURST_BEATS`] beats) to the card's DDR or HBM controller, turned into two
//! streams for the board's engines — a read stream that replaces the host-to-card stream
//! when JOB_MEM says `src_card`, and a write stream that takes the engine's output instead
//! of the card-to-host stream when it says `dst_card`.
//!
//! A job's read requests are all issued as fast as the controller takes them (the
//! controller queues them; data come back in order), so the memory's latency is paid once
//! per job, not once per burst. Writes: each burst's address goes out ahead of its data;
//! the job's output is finished when every burst is acknowledged (`writes_done`). Any
//! error response is error [`HwError::CardMemory`]; an address off a 4 KiB page, a range
//! beyond card memory, or an engine output longer or shorter than JOB_DST_BEATS is
//! [`HwError::BadMemoryJob`]. A soft reset does not abandon transactions the controller
//! has taken (AXI has no abort): the port drains outstanding read data and completes
//! accepted write bursts with zero beats, busy until the last response.
//!
//! **Transposed sides** (JOB_MEM src_transpose / dst_transpose): the four-step NTT's
//! transposes as access patterns, so a transform above the core size never leaves card
//! memory. A source read transposed is a matrix of R rows (two elements per beat); the
//! port reads it one column pair at a time (R single-beat reads down the rows), streams
//! the left column's R elements at once and the right column's from a buffer of R/2 beats.
//! A destination written transposed takes the engine's output as sequences of L elements
//! and writes each pair of them as two columns of an L-row matrix (the first sequence held
//! in a buffer of L/2 beats, then interleaved with the second, two beats per input beat).
//! Both keep the kernel's rate of an element per cycle; real DDR serves such single-beat
//! strides at a fraction of its burst rate (see the README's card-memory section).
//!
//! **Two rows in bursts** (`src_zip` / `dst_zip`): a transposed side of two rows whose
//! rows are whole 4 KiB pages — a binary job's zip of two vectors, the 2-point NTTs over a
//! vector's halves, an [even | odd] vector read in natural order — goes in bursts: a read
//! bank takes a 64-beat burst of each row (row 0's beats in `rlo`, row 1's in `rhi`) and
//! emits 128 beats, beat j's low lanes then its high lanes; a write bank takes 128 output
//! beats (even ones in `wa`, odd ones in `wb`) and drains a 64-beat burst to each row. The
//! memory then sees 4 KiB bursts, as for a linear side; the bank's fill (or drain) is paid
//! once per job.

use super::kernel::BEAT_BITS;
use super::regs::{HwError, JobMem};
use super::skid;
use crate::ntt::ram::{Ram, RAM_ADDR_BITS};
use crate::rtl::*;
use rust_hdl::core::prelude::*;
use rust_hdl::widgets::prelude::DFF;
use zkpipe_spec::preset::CardMemoryConfig;
use zkpipe_spec::wire::{BEAT_BYTES, CARD_MEMORY_ALIGN, MEM_BURST_BEATS};

/// log2 of a beat's bytes (beat counts to byte offsets).
const BEAT_SHIFT: usize = BEAT_BYTES.trailing_zeros() as usize;
/// log2 of a burst's beats.
const BURST_SHIFT: usize = MEM_BURST_BEATS.trailing_zeros() as usize;

#[derive(LogicBlock)]
pub struct MemoryPort {
    pub clock: Signal<In, Clock>,
    /// A job starts (CONTROL.start).
    pub start: Signal<In, Bit>,
    pub soft_reset: Signal<In, Bit>,
    /// JOB_MEM, JOB_SRC_ADDR, JOB_DST_ADDR, JOB_SRC_BEATS, JOB_DST_BEATS.
    pub mem_cfg: Signal<In, Bits<32>>,
    pub src_addr: Signal<In, Bits<64>>,
    pub dst_addr: Signal<In, Bits<64>>,
    pub src_beats: Signal<In, Bits<32>>,
    pub dst_beats: Signal<In, Bits<32>>,
    /// JOB_SRC_STRIDE: a two-row transposed source's row distance (0: its own).
    pub src_row_stride: Signal<In, Bits<64>>,
    /// The job's engine has finished (its output stream is complete).
    pub engine_done: Signal<In, Bit>,
    pub m_araddr: Signal<Out, Bits<64>>,
    pub m_arlen: Signal<Out, Bits<8>>,
    pub m_arvalid: Signal<Out, Bit>,
    pub m_arready: Signal<In, Bit>,
    pub m_rdata: Signal<In, Bits<BEAT_BITS>>,
    pub m_rresp: Signal<In, Bits<2>>,
    pub m_rlast: Signal<In, Bit>,
    pub m_rvalid: Signal<In, Bit>,
    pub m_rready: Signal<Out, Bit>,
    pub m_awaddr: Signal<Out, Bits<64>>,
    pub m_awlen: Signal<Out, Bits<8>>,
    pub m_awvalid: Signal<Out, Bit>,
    pub m_awready: Signal<In, Bit>,
    pub m_wdata: Signal<Out, Bits<BEAT_BITS>>,
    pub m_wlast: Signal<Out, Bit>,
    pub m_wvalid: Signal<Out, Bit>,
    pub m_wready: Signal<In, Bit>,
    pub m_bresp: Signal<In, Bits<2>>,
    pub m_bvalid: Signal<In, Bit>,
    pub m_bready: Signal<Out, Bit>,
    /// The read stream (an engine's input when `src_card`).
    pub rd_tdata: Signal<Out, Bits<BEAT_BITS>>,
    pub rd_tvalid: Signal<Out, Bit>,
    pub rd_tlast: Signal<Out, Bit>,
    pub rd_tready: Signal<In, Bit>,
    /// The write stream (an engine's output when `dst_card`).
    pub wr_tdata: Signal<In, Bits<BEAT_BITS>>,
    pub wr_tvalid: Signal<In, Bit>,
    pub wr_tready: Signal<Out, Bit>,
    /// Error code of the job's memory traffic (0: none).
    pub error: Signal<Out, Bits<8>>,
    /// Every write of the job is acknowledged (1 when the job writes nothing).
    pub writes_done: Signal<Out, Bit>,
    /// Transactions are outstanding (the board reports busy).
    pub busy: Signal<Out, Bit>,
    size: Constant<Bits<64>>,
    max_log_rows: Constant<Bits<8>>,
    /// The transposing sides' double-buffered memories, two banks of N/2 beats each: a
    /// read side's column pair as its rows arrive (left column's beats, right column's),
    /// a write side's pair of sequences (first, second).
    rlo: Ram<BEAT_BITS>,
    rhi: Ram<BEAT_BITS>,
    wa: Ram<BEAT_BITS>,
    wb: Ram<BEAT_BITS>,
    bad_src: Signal<Local, Bit>,
    bad_dst: Signal<Local, Bit>,
    ar_burst: Signal<Local, Bits<32>>,
    aw_burst: Signal<Local, Bits<32>>,
    r_fire: Signal<Local, Bit>,
    w_fire: Signal<Local, Bit>,
    rd_fire: Signal<Local, Bit>,
    wr_fire: Signal<Local, Bit>,
    rpush: Signal<Local, Bit>,
    rpush_data: Signal<Local, Bits<BEAT_BITS>>,
    wpush: Signal<Local, Bit>,
    wpush_data: Signal<Local, Bits<BEAT_BITS>>,
    /// The drained pair's words (a buffer's output or its bypass).
    wfirst: Signal<Local, Bits<BEAT_BITS>>,
    wsecond: Signal<Local, Bits<BEAT_BITS>>,
    ar_addr: DFF<Bits<64>>,
    ar_left: DFF<Bits<32>>,
    r_left: DFF<Bits<32>>,
    aw_addr: DFF<Bits<64>>,
    aw_left: DFF<Bits<32>>,
    w_left: DFF<Bits<32>>,
    w_in_burst: DFF<Bits<8>>,
    b_left: DFF<Bits<32>>,
    /// Beats still to give the engine (read) and to take from it (write).
    out_left: DFF<Bits<32>>,
    in_left: DFF<Bits<32>>,
    /// Register stages on both sides ([`skid`]).
    rbuf0: DFF<Bits<BEAT_BITS>>,
    rbuf1: DFF<Bits<BEAT_BITS>>,
    rbuf_held: DFF<Bits<2>>,
    wbuf0: DFF<Bits<BEAT_BITS>>,
    wbuf1: DFF<Bits<BEAT_BITS>>,
    wbuf_held: DFF<Bits<2>>,
    dst_on: DFF<Bit>,
    draining: DFF<Bit>,
    err_r: DFF<Bits<8>>,
    /// Transposed read: rows R, the row stride in bytes, the address of the current
    /// column pair's first row, the request's row; the fill side's bank, row and held even
    /// row; the banks holding a whole pair; the emit side's bank and index; the read
    /// bypass (a word written and read in the same cycle).
    src_tr: DFF<Bit>,
    /// The transposed source is two rows read in bursts (see the module docs).
    src_zip: DFF<Bit>,
    r_rows: DFF<Bits<32>>,
    src_stride: DFF<Bits<64>>,
    ar_pair_addr: DFF<Bits<64>>,
    ar_row: DFF<Bits<32>>,
    rfill: DFF<Bit>,
    rrow: DFF<Bits<32>>,
    rprev: DFF<Bits<BEAT_BITS>>,
    rfull: DFF<Bits<2>>,
    remit_bank: DFF<Bit>,
    remit: DFF<Bits<32>>,
    rbyp: DFF<Bit>,
    rbyp_lo: DFF<Bits<BEAT_BITS>>,
    rbyp_hi: DFF<Bits<BEAT_BITS>>,
    /// Transposed write: sequence length L, the destination's row stride in bytes, the
    /// address of the current column pair's first row, the request's row; the fill side's
    /// bank, beat and sequence of the pair; the full banks; the drain side's bank and index,
    /// the second beat of a drained pair and its flag; the bypasses.
    dst_tr: DFF<Bit>,
    /// The transposed destination is two rows written in bursts.
    dst_zip: DFF<Bit>,
    w_rows: DFF<Bits<32>>,
    dst_stride: DFF<Bits<64>>,
    aw_pair_addr: DFF<Bits<64>>,
    aw_row: DFF<Bits<32>>,
    wfill: DFF<Bit>,
    wk: DFF<Bits<32>>,
    wseq: DFF<Bit>,
    wfull: DFF<Bits<2>>,
    wdrain_bank: DFF<Bit>,
    wd: DFF<Bits<32>>,
    wpend: DFF<Bits<BEAT_BITS>>,
    wpend_v: DFF<Bit>,
    wbyp_a: DFF<Bit>,
    wbyp_b: DFF<Bit>,
    wbyp_a_data: DFF<Bits<BEAT_BITS>>,
    wbyp_b_data: DFF<Bits<BEAT_BITS>>,
    /// Half a buffer memory's depth: the second bank's base.
    _bank: usize,
}

impl MemoryPort {
    /// A port to `config`'s memory whose transposed sides take matrices of up to
    /// 2^`max_log_rows` rows (the NTT core's size: the four-step's column length).
    pub fn new(config: &CardMemoryConfig, max_log_rows: usize) -> Self {
        let depth = 1usize << max_log_rows.max(1);
        Self {
            clock: Default::default(),
            start: Default::default(),
            soft_reset: Default::default(),
            mem_cfg: Default::default(),
            src_addr: Default::default(),
            dst_addr: Default::default(),
            src_beats: Default::default(),
            dst_beats: Default::default(),
            src_row_stride: Default::default(),
            engine_done: Default::default(),
            m_araddr: Default::default(),
            m_arlen: Default::default(),
            m_arvalid: Default::default(),
            m_arready: Default::default(),
            m_rdata: Default::default(),
            m_rresp: Default::default(),
            m_rlast: Default::default(),
            m_rvalid: Default::default(),
            m_rready: Default::default(),
            m_awaddr: Default::default(),
            m_awlen: Default::default(),
            m_awvalid: Default::default(),
            m_awready: Default::default(),
            m_wdata: Default::default(),
            m_wlast: Default::default(),
            m_wvalid: Default::default(),
            m_wready: Default::default(),
            m_bresp: Default::default(),
            m_bvalid: Default::default(),
            m_bready: Default::default(),
            rd_tdata: Default::default(),
            rd_tvalid: Default::default(),
            rd_tlast: Default::default(),
            rd_tready: Default::default(),
            wr_tdata: Default::default(),
            wr_tvalid: Default::default(),
            wr_tready: Default::default(),
            error: Default::default(),
            writes_done: Default::default(),
            busy: Default::default(),
            size: Constant::new(bits(config.bytes())),
            max_log_rows: Constant::new(bits(max_log_rows as u64)),
            rlo: Ram::new(depth),
            rhi: Ram::new(depth),
            wa: Ram::new(depth),
            wb: Ram::new(depth),
            bad_src: Default::default(),
            bad_dst: Default::default(),
            ar_burst: Default::default(),
            aw_burst: Default::default(),
            r_fire: Default::default(),
            w_fire: Default::default(),
            rd_fire: Default::default(),
            wr_fire: Default::default(),
            rpush: Default::default(),
            rpush_data: Default::default(),
            wpush: Default::default(),
            wpush_data: Default::default(),
            wfirst: Default::default(),
            wsecond: Default::default(),
            ar_addr: Default::default(),
            ar_left: Default::default(),
            r_left: Default::default(),
            aw_addr: Default::default(),
            aw_left: Default::default(),
            w_left: Default::default(),
            w_in_burst: Default::default(),
            b_left: Default::default(),
            out_left: Default::default(),
            in_left: Default::default(),
            rbuf0: Default::default(),
            rbuf1: Default::default(),
            rbuf_held: Default::default(),
            wbuf0: Default::default(),
            wbuf1: Default::default(),
            wbuf_held: Default::default(),
            dst_on: Default::default(),
            draining: Default::default(),
            err_r: Default::default(),
            src_tr: Default::default(),
            src_zip: Default::default(),
            r_rows: Default::default(),
            src_stride: Default::default(),
            ar_pair_addr: Default::default(),
            ar_row: Default::default(),
            rfill: Default::default(),
            rrow: Default::default(),
            rprev: Default::default(),
            rfull: Default::default(),
            remit_bank: Default::default(),
            remit: Default::default(),
            rbyp: Default::default(),
            rbyp_lo: Default::default(),
            rbyp_hi: Default::default(),
            dst_tr: Default::default(),
            dst_zip: Default::default(),
            w_rows: Default::default(),
            dst_stride: Default::default(),
            aw_pair_addr: Default::default(),
            aw_row: Default::default(),
            wfill: Default::default(),
            wk: Default::default(),
            wseq: Default::default(),
            wfull: Default::default(),
            wdrain_bank: Default::default(),
            wd: Default::default(),
            wpend: Default::default(),
            wpend_v: Default::default(),
            wbyp_a: Default::default(),
            wbyp_b: Default::default(),
            wbyp_a_data: Default::default(),
            wbyp_b_data: Default::default(),
            _bank: depth / 2,
        }
    }
}

/// Registers held unless a statement below assigns them.
const HELD: [&str; 52] = [
    "ar_addr",
    "ar_left",
    "r_left",
    "aw_addr",
    "aw_left",
    "w_left",
    "w_in_burst",
    "b_left",
    "out_left",
    "in_left",
    "rbuf0",
    "rbuf1",
    "rbuf_held",
    "wbuf0",
    "wbuf1",
    "wbuf_held",
    "dst_on",
    "draining",
    "err_r",
    "src_tr",
    "src_zip",
    "r_rows",
    "src_stride",
    "ar_pair_addr",
    "ar_row",
    "rfill",
    "rrow",
    "rprev",
    "rfull",
    "remit_bank",
    "remit",
    "rbyp",
    "rbyp_lo",
    "rbyp_hi",
    "dst_tr",
    "dst_zip",
    "w_rows",
    "dst_stride",
    "aw_pair_addr",
    "aw_row",
    "wfill",
    "wk",
    "wseq",
    "wfull",
    "wdrain_bank",
    "wd",
    "wpend",
    "wpend_v",
    "wbyp_a",
    "wbyp_b",
    "wbyp_a_data",
    "wbyp_b_data",
];

/// Beats of one row's burst in a bank of a side of two rows in bursts, as a mask.
const ZIP_MASK: u64 = MEM_BURST_BEATS as u64 - 1;
/// Beats a bank of a side of two rows in bursts holds: a burst of each row.
const ZIP_BANK_BEATS: u64 = 2 * MEM_BURST_BEATS as u64;

/// `c ? a : b` of 32-bit values (`c` one bit).
fn sel32(c: Expr, a: Expr, b: Expr) -> Expr {
    let c = cast(c, 32);
    or(
        and(a, sub(lit_u(0, 32), c.clone())),
        and(b, sub(c, lit_u(1, 32))),
    )
}

/// `x != 0` of a counter.
fn nonzero(x: Expr) -> Expr {
    any(x)
}

fn one() -> Expr {
    lit_u(1, 32)
}

/// `x + 1` / `x - 1` of a 32-bit counter.
fn inc(x: Expr) -> Expr {
    add(x, one())
}
fn dec(x: Expr) -> Expr {
    sub(x, one())
}

/// Whether a job's range `addr .. addr + beats·64` is unusable: off a page, empty, or
/// beyond card memory (`addr ≤ size` first, so the sum cannot wrap).
fn bad_range(addr: &str, beats: &str) -> Expr {
    let end = add(sig(addr), shl(cast(sig(beats), 64), BEAT_SHIFT));
    let page_bits = CARD_MEMORY_ALIGN.trailing_zeros() as usize;
    or_all(
        [
            any(slice(sig(addr), 0, page_bits)),
            not(nonzero(sig(beats))),
            lt(sig("size"), sig(addr)),
            lt(sig("size"), end),
        ],
        1,
    )
}

/// Whether a transposed side's rows are unusable: 2^0, above the buffers, or not
/// dividing its beats.
fn bad_rows(log_rows: Expr, beats: &str) -> Expr {
    let rows = shl_by(lit_u(1, 32), log_rows.clone());
    or_all(
        [
            not(nonzero(log_rows.clone())),
            lt(cast(sig("max_log_rows"), 8), cast(log_rows, 8)),
            nonzero(and(sig(beats), dec(rows))),
        ],
        1,
    )
}

/// `min(left, MEM_BURST_BEATS)`, or 1 on a transposed side (`transposed`: one of single
/// beats, not two rows in bursts).
fn burst_of(dst: &str, left: Expr, transposed: Expr) -> Stmt {
    if_else(
        transposed,
        vec![assign(dst, lit_u(1, 32))],
        vec![mux_assign(
            dst,
            lt(left.clone(), lit_u(MEM_BURST_BEATS as u64, 32)),
            left,
            lit_u(MEM_BURST_BEATS as u64, 32),
        )],
    )
}

/// Sets the error register unless an earlier error is there.
fn raise(code: HwError) -> Stmt {
    if_else(
        nonzero(q("err_r")),
        vec![],
        vec![assign(d("err_r"), lit_u(code as u64, 8))],
    )
}

/// The low and high lanes of a beat.
fn lo(x: Expr) -> Expr {
    slice(x, 0, BEAT_BITS / 2)
}
fn hi(x: Expr) -> Expr {
    slice(x, BEAT_BITS / 2, BEAT_BITS / 2)
}
/// A beat of two lanes.
fn beat(low: Expr, high: Expr) -> Expr {
    or(
        cast(low, BEAT_BITS),
        shl(cast(high, BEAT_BITS), BEAT_BITS / 2),
    )
}

impl MemoryPort {
    /// Requests of one side (AR or AW, `ch` = "ar" / "aw"): bursts along the job's
    /// range, or single beats down a column pair's rows (`tr`: the side is transposed;
    /// `rows`, `stride`: its matrix's rows and row stride in bytes).
    fn requests(
        &self,
        s: &mut Vec<Stmt>,
        ch: &str,
        (tr, zip): (&str, &str),
        rows: &str,
        stride: &str,
    ) {
        let r = |name: &str| format!("{ch}_{name}");
        let port = |name: &str| format!("m_{ch}{name}");
        s.push(burst_of(
            &r("burst"),
            q(&r("left")),
            and(q(tr), not(q(zip))),
        ));
        s.push(assign(port("valid"), nonzero(q(&r("left")))));
        s.push(assign(port("addr"), q(&r("addr"))));
        s.push(assign(port("len"), cast(dec(sig(r("burst"))), 8)));
        let linear = vec![assign(
            d(&r("addr")),
            add(q(&r("addr")), shl(cast(sig(r("burst")), 64), BEAT_SHIFT)),
        )];
        // The next column pair: a beat on, or a burst on for two rows in bursts.
        let zip_bit = || cast(q(zip), 64);
        let step = add(
            lit_u(BEAT_BYTES as u64, 64),
            sub(
                shl(zip_bit(), CARD_MEMORY_ALIGN.trailing_zeros() as usize),
                shl(zip_bit(), BEAT_SHIFT),
            ),
        );
        let next_pair = add(q(&r("pair_addr")), step);
        let transposed = vec![if_else(
            eq(q(&r("row")), dec(q(rows))),
            vec![
                assign(d(&r("row")), lit_u(0, 32)),
                assign(d(&r("pair_addr")), next_pair.clone()),
                assign(d(&r("addr")), next_pair),
            ],
            vec![
                assign(d(&r("row")), inc(q(&r("row")))),
                assign(d(&r("addr")), add(q(&r("addr")), q(stride))),
            ],
        )];
        s.push(if_else(
            and(sig(port("valid")), sig(port("ready"))),
            vec![
                assign(d(&r("left")), sub(q(&r("left")), sig(r("burst")))),
                if_else(q(tr), transposed, linear),
            ],
            vec![],
        ));
    }

    /// Read data (R) into the register stage: as they come, or — transposed — a column
    /// pair's rows into a bank of the buffers (left column's beats, right column's) while
    /// the other bank streams out its pair, left column first; dropped while draining.
    fn read_data(&self, s: &mut Vec<Stmt>) {
        let draining = q("draining");
        let room = not(bit_of(q("rfull"), q("rfill")));
        let taking = mux_expr_bit(q("src_tr"), room, skid::ready("rbuf"));
        s.push(assign(
            "m_rready",
            and(nonzero(q("r_left")), or(draining.clone(), taking)),
        ));
        s.push(assign("r_fire", and(sig("m_rvalid"), sig("m_rready"))));
        s.push(if_else(
            sig("r_fire"),
            vec![
                assign(d("r_left"), dec(q("r_left"))),
                if_else(
                    nonzero(sig("m_rresp")),
                    vec![raise(HwError::CardMemory)],
                    vec![],
                ),
            ],
            vec![],
        ));
        let data = || sig("m_rdata");
        let taken = and(sig("r_fire"), not(draining.clone()));
        s.push(assign("rpush", bit(false)));
        s.push(assign("rpush_data", data()));
        // Fill: even rows wait in rprev, odd rows write both buffers; two rows in bursts:
        // row 0's burst into rlo, row 1's into rhi, as they come.
        let zip = || q("src_zip");
        let waddr = add(
            self.bank_base(q("rfill")),
            sel32(
                zip(),
                and(q("rrow"), lit_u(ZIP_MASK, 32)),
                shr(q("rrow"), 1),
            ),
        );
        for ram in ["rlo", "rhi"] {
            s.push(assign(format!("{ram}$clock"), sig("clock")));
            s.push(assign(format!("{ram}$we"), bit(false)));
            s.push(assign(
                format!("{ram}$waddr"),
                cast(waddr.clone(), RAM_ADDR_BITS),
            ));
        }
        s.push(if_else(
            zip(),
            vec![assign("rlo$wdata", data()), assign("rhi$wdata", data())],
            vec![
                assign("rlo$wdata", beat(lo(q("rprev")), lo(data()))),
                assign("rhi$wdata", beat(hi(q("rprev")), hi(data()))),
            ],
        ));
        let odd_row = index(q("rrow"), 0);
        let second_burst = index(q("rrow"), BURST_SHIFT);
        let fill_last = or(
            and(zip(), eq(q("rrow"), lit_u(ZIP_BANK_BEATS - 1, 32))),
            and(not(zip()), eq(q("rrow"), dec(q("r_rows")))),
        );
        let fill = vec![
            if_else(
                zip(),
                vec![if_else(
                    second_burst,
                    vec![assign("rhi$we", bit(true))],
                    vec![assign("rlo$we", bit(true))],
                )],
                vec![if_else(
                    odd_row,
                    vec![assign("rlo$we", bit(true)), assign("rhi$we", bit(true))],
                    vec![assign(d("rprev"), data())],
                )],
            ),
            step_bank("rrow", fill_last, "rfull", "rfill", true),
        ];
        // Emit: the full bank's R beats, left column's then right column's; two rows in
        // bursts: beat j of both rows as two beats, their low lanes then their high ones.
        let half = shr(q("r_rows"), 1);
        let (low_pair, high_pair) = (
            beat(lo(sig("rlo$rdata")), lo(sig("rhi$rdata"))),
            beat(hi(sig("rlo$rdata")), hi(sig("rhi$rdata"))),
        );
        let emit_last = or(
            and(zip(), eq(q("remit"), lit_u(ZIP_BANK_BEATS - 1, 32))),
            and(not(zip()), eq(q("remit"), dec(q("r_rows")))),
        );
        let bypass = |b: &str, ram: &str| {
            if_else(
                q("rbyp"),
                vec![assign("rpush_data", q(b))],
                vec![assign("rpush_data", sig(format!("{ram}$rdata")))],
            )
        };
        let emit = if_else(
            and(bit_of(q("rfull"), q("remit_bank")), skid::ready("rbuf")),
            vec![
                assign("rpush", bit(true)),
                if_else(
                    zip(),
                    vec![if_else(
                        index(q("remit"), 0),
                        vec![assign("rpush_data", high_pair)],
                        vec![assign("rpush_data", low_pair)],
                    )],
                    vec![if_else(
                        lt(q("remit"), half.clone()),
                        vec![bypass("rbyp_lo", "rlo")],
                        vec![bypass("rbyp_hi", "rhi")],
                    )],
                ),
                step_bank("remit", emit_last, "rfull", "remit_bank", false),
            ],
            vec![],
        );
        s.push(if_else(
            and(q("src_tr"), not(draining)),
            vec![if_else(taken.clone(), fill, vec![]), emit],
            vec![assign("rpush", taken)],
        ));
        s.push(assign("rd_tdata", q("rbuf0")));
        s.push(assign("rd_tvalid", skid::valid("rbuf")));
        s.push(assign("rd_tlast", eq(q("out_left"), one())));
        s.push(assign("rd_fire", and(sig("rd_tvalid"), sig("rd_tready"))));
        s.push(if_else(
            sig("rd_fire"),
            vec![assign(d("out_left"), dec(q("out_left")))],
            vec![],
        ));
        s.extend(skid::update(
            "rbuf",
            sig("rpush"),
            sig("rpush_data"),
            sig("rd_fire"),
        ));
    }

    /// Address in a buffer memory of bank `bank` (a 1-bit expression).
    fn bank_base(&self, bank: Expr) -> Expr {
        shl(cast(bank, 32), self._bank.trailing_zeros() as usize)
    }

    /// The engine's output into the register stage — as it comes, or, transposed, a pair
    /// of sequences into a bank of the buffers (the first sequence's beats, the second's)
    /// while the other bank drains to memory as two columns (two beats per stored pair of
    /// beats: the rows' low elements, then their high ones) — then to memory (zeros while
    /// draining).
    fn write_data(&self, s: &mut Vec<Stmt>) {
        let draining = q("draining");
        let taking = and(q("dst_on"), nonzero(q("in_left")));
        let room = mux_expr_bit(
            q("dst_tr"),
            not(bit_of(q("wfull"), q("wfill"))),
            skid::ready("wbuf"),
        );
        s.push(assign(
            "wr_tready",
            and_all([taking, not(draining.clone()), room]),
        ));
        s.push(assign("wr_fire", and(sig("wr_tvalid"), sig("wr_tready"))));
        s.push(if_else(
            sig("wr_fire"),
            vec![assign(d("in_left"), dec(q("in_left")))],
            vec![],
        ));
        let data = || sig("wr_tdata");
        s.push(assign("wpush", bit(false)));
        s.push(assign("wpush_data", data()));
        let waddr = add(self.bank_base(q("wfill")), q("wk"));
        for ram in ["wa", "wb"] {
            s.push(assign(format!("{ram}$clock"), sig("clock")));
            s.push(assign(format!("{ram}$we"), bit(false)));
            s.push(assign(
                format!("{ram}$waddr"),
                cast(waddr.clone(), RAM_ADDR_BITS),
            ));
            s.push(assign(format!("{ram}$wdata"), data()));
        }
        let half = shr(q("w_rows"), 1);
        let zip = || q("dst_zip");
        // Two rows in bursts: even output beats into wa, odd ones into wb.
        let zip_fill = vec![
            if_else(
                q("wseq"),
                vec![assign("wb$we", bit(true))],
                vec![assign("wa$we", bit(true))],
            ),
            assign(d("wseq"), not(q("wseq"))),
            if_else(
                q("wseq"),
                vec![step_bank(
                    "wk",
                    eq(q("wk"), lit_u(ZIP_MASK, 32)),
                    "wfull",
                    "wfill",
                    true,
                )],
                vec![],
            ),
        ];
        let fill = vec![
            if_else(
                q("wseq"),
                vec![assign("wb$we", bit(true))],
                vec![assign("wa$we", bit(true))],
            ),
            if_else(
                eq(q("wk"), dec(half.clone())),
                vec![
                    assign(d("wk"), lit_u(0, 32)),
                    assign(d("wseq"), not(q("wseq"))),
                    if_else(
                        q("wseq"),
                        vec![
                            set_bank(d("wfull"), q("wfill"), true),
                            assign(d("wfill"), not(q("wfill"))),
                        ],
                        vec![],
                    ),
                ],
                vec![assign(d("wk"), inc(q("wk")))],
            ),
        ];
        s.push(mux_assign(
            "wfirst",
            q("wbyp_a"),
            q("wbyp_a_data"),
            sig("wa$rdata"),
        ));
        s.push(mux_assign(
            "wsecond",
            q("wbyp_b"),
            q("wbyp_b_data"),
            sig("wb$rdata"),
        ));
        let (first, second) = (sig("wfirst"), sig("wsecond"));
        // Two rows in bursts: row 0's burst (the pairs' low lanes), then row 1's.
        let zip_drain = if_else(
            and(bit_of(q("wfull"), q("wdrain_bank")), skid::ready("wbuf")),
            vec![
                assign("wpush", bit(true)),
                if_else(
                    index(q("wd"), BURST_SHIFT),
                    vec![assign(
                        "wpush_data",
                        beat(hi(first.clone()), hi(second.clone())),
                    )],
                    vec![assign(
                        "wpush_data",
                        beat(lo(first.clone()), lo(second.clone())),
                    )],
                ),
                step_bank(
                    "wd",
                    eq(q("wd"), lit_u(ZIP_BANK_BEATS - 1, 32)),
                    "wfull",
                    "wdrain_bank",
                    false,
                ),
            ],
            vec![],
        );
        let drain = if_else(
            q("wpend_v"),
            vec![if_else(
                skid::ready("wbuf"),
                vec![
                    assign("wpush", bit(true)),
                    assign("wpush_data", q("wpend")),
                    assign(d("wpend_v"), bit(false)),
                ],
                vec![],
            )],
            vec![if_else(
                and(bit_of(q("wfull"), q("wdrain_bank")), skid::ready("wbuf")),
                vec![
                    assign("wpush", bit(true)),
                    assign("wpush_data", beat(lo(first.clone()), lo(second.clone()))),
                    assign(d("wpend"), beat(hi(first), hi(second))),
                    assign(d("wpend_v"), bit(true)),
                    step_bank("wd", eq(q("wd"), dec(half)), "wfull", "wdrain_bank", false),
                ],
                vec![],
            )],
        );
        s.push(if_else(
            q("dst_tr"),
            vec![if_else(
                zip(),
                vec![if_else(sig("wr_fire"), zip_fill, vec![]), zip_drain],
                vec![if_else(sig("wr_fire"), fill, vec![]), drain],
            )],
            vec![assign("wpush", sig("wr_fire"))],
        ));
        s.push(mux_assign(
            "m_wdata",
            draining.clone(),
            lit_u(0, BEAT_BITS),
            q("wbuf0"),
        ));
        s.push(assign(
            "m_wvalid",
            and(
                nonzero(q("w_left")),
                or(draining.clone(), skid::valid("wbuf")),
            ),
        ));
        s.push(assign(
            "m_wlast",
            or_all(
                [
                    and(q("dst_tr"), not(q("dst_zip"))),
                    eq(q("w_in_burst"), lit_u(MEM_BURST_BEATS as u64 - 1, 8)),
                    eq(q("w_left"), one()),
                ],
                1,
            ),
        ));
        s.push(assign("w_fire", and(sig("m_wvalid"), sig("m_wready"))));
        s.push(if_else(
            sig("w_fire"),
            vec![
                assign(d("w_left"), dec(q("w_left"))),
                assign(
                    d("w_in_burst"),
                    cast(
                        and(
                            add(q("w_in_burst"), lit_u(1, 8)),
                            lit_u(MEM_BURST_BEATS as u64 - 1, 8),
                        ),
                        8,
                    ),
                ),
            ],
            vec![],
        ));
        s.extend(skid::update(
            "wbuf",
            sig("wpush"),
            sig("wpush_data"),
            and(sig("w_fire"), not(draining)),
        ));
        s.push(assign("m_bready", bit(true)));
        s.push(if_else(
            and(sig("m_bvalid"), nonzero(q("b_left"))),
            vec![
                assign(d("b_left"), dec(q("b_left"))),
                if_else(
                    nonzero(sig("m_bresp")),
                    vec![raise(HwError::CardMemory)],
                    vec![],
                ),
            ],
            vec![],
        ));
    }

    /// The buffers' read addresses — the next emit / drain index, so each memory's output
    /// is the current one's word — and the bypasses of a word written and read in the same
    /// cycle (a registered read returns the old word). After every next-state assignment.
    fn buffer_reads(&self, s: &mut Vec<Stmt>) {
        let next = |r: &str| sig(d(r));
        let r_addr = add(
            self.bank_base(next("remit_bank")),
            sel32(
                next("src_zip"),
                shr(next("remit"), 1),
                and(next("remit"), dec(shr(next("r_rows"), 1))),
            ),
        );
        let w_addr = add(
            self.bank_base(next("wdrain_bank")),
            sel32(
                next("dst_zip"),
                and(next("wd"), lit_u(ZIP_MASK, 32)),
                next("wd"),
            ),
        );
        for (ram, addr) in [
            ("rlo", &r_addr),
            ("rhi", &r_addr),
            ("wa", &w_addr),
            ("wb", &w_addr),
        ] {
            s.push(assign(
                format!("{ram}$raddr"),
                cast(addr.clone(), RAM_ADDR_BITS),
            ));
        }
        let hit = |ram: &str| {
            and(
                sig(format!("{ram}$we")),
                eq(sig(format!("{ram}$waddr")), sig(format!("{ram}$raddr"))),
            )
        };
        s.push(assign(d("rbyp"), hit("rlo")));
        s.push(assign(d("rbyp_lo"), sig("rlo$wdata")));
        s.push(assign(d("rbyp_hi"), sig("rhi$wdata")));
        s.push(assign(d("wbyp_a"), hit("wa")));
        s.push(assign(d("wbyp_b"), hit("wb")));
        s.push(assign(d("wbyp_a_data"), sig("wa$wdata")));
        s.push(assign(d("wbyp_b_data"), sig("wb$wdata")));
    }

    /// A job starts (counters and patterns loaded, none if a range is bad) or the port
    /// is reset (what the controller has taken is drained).
    fn start_and_reset(&self, s: &mut Vec<Stmt>) {
        let cfg = || sig("mem_cfg");
        let src_card = field(cfg(), JobMem::SRC_CARD);
        let dst_card = field(cfg(), JobMem::DST_CARD);
        let src_tr = and(src_card.clone(), field(cfg(), JobMem::SRC_TRANSPOSE));
        let dst_tr = and(dst_card.clone(), field(cfg(), JobMem::DST_TRANSPOSE));
        let src_log = || cast(field(cfg(), JobMem::SRC_LOG_ROWS), 32);
        let dst_log = || cast(field(cfg(), JobMem::DST_LOG_ROWS), 32);
        // A given stride (two rows only): both rows, each half the beats, in memory.
        let strided = and(src_tr.clone(), nonzero(sig("src_row_stride")));
        let row_bytes = || shl(cast(shr(sig("src_beats"), 1), 64), BEAT_SHIFT);
        let second = add(sig("src_addr"), sig("src_row_stride"));
        let page_bits = CARD_MEMORY_ALIGN.trailing_zeros() as usize;
        // Two rows each half the beats, anywhere in memory; else the job's whole range.
        let bad_strided = or_all(
            [
                not(eq(src_log(), one())),
                any(slice(sig("src_addr"), 0, page_bits)),
                any(slice(sig("src_row_stride"), 0, page_bits)),
                lt(sig("size"), sig("src_addr")),
                lt(sig("size"), add(sig("src_addr"), row_bytes())),
                lt(sig("size"), second.clone()),
                lt(sig("size"), add(second, row_bytes())),
            ],
            1,
        );
        s.push(mux_assign(
            "bad_src",
            strided.clone(),
            or(bad_strided, bad_rows(src_log(), "src_beats")),
            and(
                src_card.clone(),
                or(
                    bad_range("src_addr", "src_beats"),
                    and(src_tr.clone(), bad_rows(src_log(), "src_beats")),
                ),
            ),
        ));
        s.push(assign(
            "bad_dst",
            and(
                dst_card.clone(),
                or(
                    bad_range("dst_addr", "dst_beats"),
                    and(dst_tr.clone(), bad_rows(dst_log(), "dst_beats")),
                ),
            ),
        ));
        // Two rows whose rows are whole pages go in bursts (a bank holds a burst of each).
        let zip_ok = self._bank >= MEM_BURST_BEATS;
        let two_rows_of_pages = |tr: Expr, log: Expr, beats: &str| {
            and_all([
                tr,
                bit(zip_ok),
                eq(log, one()),
                not(any(and(shr(sig(beats), 1), lit_u(ZIP_MASK, 32)))),
            ])
        };
        let src_zip = two_rows_of_pages(src_tr.clone(), src_log(), "src_beats");
        let dst_zip = two_rows_of_pages(dst_tr.clone(), dst_log(), "dst_beats");
        let bursts = |beats: Expr| {
            shr(
                add(beats, lit_u(MEM_BURST_BEATS as u64 - 1, 32)),
                BURST_SHIFT,
            )
        };
        let stride = |beats: &str, log: Expr| shl(cast(shr_by(sig(beats), log), 64), BEAT_SHIFT);
        let zero = |r: &str| assign(d(r), lit_u(0, 32));
        let mut start = vec![
            assign(d("ar_addr"), sig("src_addr")),
            assign(d("ar_pair_addr"), sig("src_addr")),
            assign(d("aw_addr"), sig("dst_addr")),
            assign(d("aw_pair_addr"), sig("dst_addr")),
            assign(d("w_in_burst"), lit_u(0, 8)),
            skid::clear("rbuf"),
            skid::clear("wbuf"),
            assign(d("dst_on"), dst_card.clone()),
            assign(d("err_r"), lit_u(0, 8)),
            assign(d("src_tr"), src_tr),
            assign(d("dst_tr"), dst_tr.clone()),
            assign(d("src_zip"), src_zip),
            assign(d("dst_zip"), dst_zip.clone()),
            assign(d("r_rows"), shl_by(lit_u(1, 32), src_log())),
            assign(d("w_rows"), shl_by(lit_u(1, 32), dst_log())),
            mux_assign(
                &d("src_stride"),
                strided,
                sig("src_row_stride"),
                stride("src_beats", src_log()),
            ),
            assign(d("dst_stride"), stride("dst_beats", dst_log())),
            zero("ar_row"),
            zero("aw_row"),
        ];
        start.extend(transposers_idle());
        // Counters of each side: (register, loaded from the source's beats?).
        let counters = [
            ("ar_left", true),
            ("r_left", true),
            ("out_left", true),
            ("aw_left", false),
            ("w_left", false),
            ("in_left", false),
        ];
        start.push(if_else(
            or(sig("bad_src"), sig("bad_dst")),
            counters
                .iter()
                .map(|(r, _)| zero(r))
                .chain([
                    zero("b_left"),
                    assign(d("err_r"), lit_u(HwError::BadMemoryJob as u64, 8)),
                ])
                .collect(),
            counters
                .iter()
                .map(|&(r, source)| {
                    let (on, beats) = if source {
                        (src_card.clone(), "src_beats")
                    } else {
                        (dst_card.clone(), "dst_beats")
                    };
                    mux_assign(&d(r), on, sig(beats), lit_u(0, 32))
                })
                .chain([if_else(
                    dst_card.clone(),
                    vec![mux_assign(
                        &d("b_left"),
                        and(dst_tr, not(dst_zip)),
                        sig("dst_beats"),
                        bursts(sig("dst_beats")),
                    )],
                    vec![zero("b_left")],
                )])
                .collect(),
        ));
        // (From the next-state values: a handshake in the reset's own cycle counts. A
        // transposed side's bursts are single beats, so its responses are its beats.)
        let next = |r: &str| sig(d(r));
        let mut reset = vec![
            assign(d("r_left"), sub(next("r_left"), next("ar_left"))),
            assign(d("w_left"), sub(next("w_left"), next("aw_left"))),
        ];
        reset.push(mux_assign(
            &d("b_left"),
            and(q("dst_tr"), not(q("dst_zip"))),
            sub(next("b_left"), next("aw_left")),
            sub(next("b_left"), bursts(next("aw_left"))),
        ));
        reset.extend([
            zero("ar_left"),
            zero("aw_left"),
            zero("out_left"),
            zero("in_left"),
            skid::clear("rbuf"),
            skid::clear("wbuf"),
            assign(d("dst_on"), bit(false)),
            assign(d("draining"), bit(true)),
            assign(d("err_r"), lit_u(0, 8)),
        ]);
        reset.extend(transposers_idle());
        s.push(if_else(
            sig("soft_reset"),
            reset,
            vec![if_else(sig("start"), start, vec![])],
        ));
    }
}

/// Both transposers empty, at bank 0.
fn transposers_idle() -> Vec<Stmt> {
    let zero = |r: &str| assign(d(r), lit_u(0, 32));
    vec![
        zero("rrow"),
        zero("remit"),
        zero("wk"),
        zero("wd"),
        assign(d("rfull"), lit_u(0, 2)),
        assign(d("wfull"), lit_u(0, 2)),
        assign(d("rfill"), bit(false)),
        assign(d("remit_bank"), bit(false)),
        assign(d("wfill"), bit(false)),
        assign(d("wdrain_bank"), bit(false)),
        assign(d("wseq"), bit(false)),
        assign(d("wpend_v"), bit(false)),
    ]
}

/// `counter` steps on; after `last` it restarts at 0, marks the bank `bank` it worked on
/// full or empty (`now_full`) in the 2-bit register `full`, and moves to the other bank:
/// the fill and emit / drain sides of every transposer.
fn step_bank(counter: &str, last: Expr, full: &str, bank: &str, now_full: bool) -> Stmt {
    if_else(
        last,
        vec![
            assign(d(counter), lit_u(0, 32)),
            set_bank(d(full), q(bank), now_full),
            assign(d(bank), not(q(bank))),
        ],
        vec![assign(d(counter), inc(q(counter)))],
    )
}

/// Bit `i` (a 1-bit expression) of a 2-bit register.
fn bit_of(x: Expr, i: Expr) -> Expr {
    mux_expr_bit(i, index(x.clone(), 1), index(x, 0))
}

/// Sets bit `i` (a 1-bit expression) of a 2-bit next-state register to `v`.
fn set_bank(dst: String, i: Expr, v: bool) -> Stmt {
    if_else(
        i,
        vec![set_bit(&dst, 1, bit(v))],
        vec![set_bit(&dst, 0, bit(v))],
    )
}

/// A 1-bit `c ? a : b` (all operands one bit: `!` stays a one-bit inversion).
fn mux_expr_bit(c: Expr, a: Expr, b: Expr) -> Expr {
    or(and(c.clone(), a), and(not(c), b))
}

impl Logic for MemoryPort {
    /// Not simulated by rust-hdl: the block's Verilog runs under Verilator as part of the
    /// board, its one description.
    fn update(&mut self) {}

    fn connect(&mut self) {
        for s in [
            &mut self.m_arvalid,
            &mut self.m_rready,
            &mut self.m_awvalid,
            &mut self.m_wlast,
            &mut self.m_wvalid,
            &mut self.m_bready,
            &mut self.rd_tvalid,
            &mut self.rd_tlast,
            &mut self.wr_tready,
            &mut self.writes_done,
            &mut self.busy,
        ] {
            s.connect();
        }
        for s in [
            &mut self.bad_src,
            &mut self.bad_dst,
            &mut self.r_fire,
            &mut self.w_fire,
            &mut self.rd_fire,
            &mut self.wr_fire,
            &mut self.rpush,
            &mut self.wpush,
        ] {
            s.connect();
        }
        self.m_araddr.connect();
        self.m_awaddr.connect();
        self.m_arlen.connect();
        self.m_awlen.connect();
        self.m_wdata.connect();
        self.rd_tdata.connect();
        self.error.connect();
        self.ar_burst.connect();
        self.aw_burst.connect();
        self.rpush_data.connect();
        self.wpush_data.connect();
        self.wfirst.connect();
        self.wsecond.connect();
    }

    fn hdl(&self) -> Verilog {
        let mut s = vec![];
        for r in HELD {
            s.push(clock_only(r));
            s.push(assign(d(r), q(r)));
        }
        self.requests(&mut s, "ar", ("src_tr", "src_zip"), "r_rows", "src_stride");
        self.read_data(&mut s);
        self.requests(&mut s, "aw", ("dst_tr", "dst_zip"), "w_rows", "dst_stride");
        self.write_data(&mut s);
        // An engine output the destination does not expect, or one that ends short.
        s.push(if_else(
            and_all([
                q("dst_on"),
                not(q("draining")),
                or(
                    and(sig("wr_tvalid"), not(nonzero(q("in_left")))),
                    and(sig("engine_done"), nonzero(q("in_left"))),
                ),
            ]),
            vec![raise(HwError::BadMemoryJob)],
            vec![],
        ));
        s.push(if_else(
            and_all([
                q("draining"),
                not(nonzero(q("r_left"))),
                not(nonzero(q("w_left"))),
                not(nonzero(q("b_left"))),
            ]),
            vec![assign(d("draining"), bit(false))],
            vec![],
        ));
        self.start_and_reset(&mut s);
        self.buffer_reads(&mut s);
        s.push(assign("error", q("err_r")));
        s.push(assign(
            "writes_done",
            not(or_all(
                [
                    nonzero(q("aw_left")),
                    nonzero(q("w_left")),
                    nonzero(q("b_left")),
                ],
                1,
            )),
        ));
        s.push(assign(
            "busy",
            or_all(
                [
                    nonzero(q("r_left")),
                    nonzero(q("w_left")),
                    nonzero(q("b_left")),
                    q("draining"),
                ],
                1,
            ),
        ));
        comb(s)
    }
}
