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
    /// The transposing sides' buffers: the right column of a pair (read), the first
    /// sequence of a pair (write).
    rram: Ram<BEAT_BITS>,
    wram: Ram<BEAT_BITS>,
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
    /// column pair's first row, the request's row; the data side's phase (0: the pair's
    /// rows arrive, 1: the right column leaves the buffer), its row, the held even row,
    /// the buffer's read index and its one-cycle wait.
    src_tr: DFF<Bit>,
    r_rows: DFF<Bits<32>>,
    src_stride: DFF<Bits<64>>,
    ar_pair_addr: DFF<Bits<64>>,
    ar_row: DFF<Bits<32>>,
    rphase: DFF<Bit>,
    rrow: DFF<Bits<32>>,
    rprev: DFF<Bits<BEAT_BITS>>,
    remit: DFF<Bits<32>>,
    rwait: DFF<Bit>,
    /// Transposed write: sequence length L, the destination's row stride in bytes, the
    /// address of the current column pair's first row, the request's row; the data side's
    /// phase (0: the pair's first sequence fills the buffer, 1: the second interleaves with
    /// it), its beat index, the second output beat of an input beat and its flag, the wait.
    dst_tr: DFF<Bit>,
    w_rows: DFF<Bits<32>>,
    dst_stride: DFF<Bits<64>>,
    aw_pair_addr: DFF<Bits<64>>,
    aw_row: DFF<Bits<32>>,
    wphase: DFF<Bit>,
    wk: DFF<Bits<32>>,
    wpend: DFF<Bits<BEAT_BITS>>,
    wpend_v: DFF<Bit>,
    wwait: DFF<Bit>,
}

impl MemoryPort {
    /// A port to `config`'s memory whose transposed sides take matrices of up to
    /// 2^`max_log_rows` rows (the NTT core's size: the four-step's column length).
    pub fn new(config: &CardMemoryConfig, max_log_rows: usize) -> Self {
        let depth = (1usize << max_log_rows.max(1)) / 2;
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
            rram: Ram::new(depth),
            wram: Ram::new(depth),
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
            r_rows: Default::default(),
            src_stride: Default::default(),
            ar_pair_addr: Default::default(),
            ar_row: Default::default(),
            rphase: Default::default(),
            rrow: Default::default(),
            rprev: Default::default(),
            remit: Default::default(),
            rwait: Default::default(),
            dst_tr: Default::default(),
            w_rows: Default::default(),
            dst_stride: Default::default(),
            aw_pair_addr: Default::default(),
            aw_row: Default::default(),
            wphase: Default::default(),
            wk: Default::default(),
            wpend: Default::default(),
            wpend_v: Default::default(),
            wwait: Default::default(),
        }
    }
}

/// Registers held unless a statement below assigns them.
const HELD: [&str; 39] = [
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
    "r_rows",
    "src_stride",
    "ar_pair_addr",
    "ar_row",
    "rphase",
    "rrow",
    "rprev",
    "remit",
    "rwait",
    "dst_tr",
    "w_rows",
    "dst_stride",
    "aw_pair_addr",
    "aw_row",
    "wphase",
    "wk",
    "wpend",
    "wpend_v",
    "wwait",
];

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

/// `min(left, MEM_BURST_BEATS)`, or 1 on a transposed side.
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
    fn requests(&self, s: &mut Vec<Stmt>, ch: &str, tr: &str, rows: &str, stride: &str) {
        let r = |name: &str| format!("{ch}_{name}");
        let port = |name: &str| format!("m_{ch}{name}");
        s.push(burst_of(&r("burst"), q(&r("left")), q(tr)));
        s.push(assign(port("valid"), nonzero(q(&r("left")))));
        s.push(assign(port("addr"), q(&r("addr"))));
        s.push(assign(port("len"), cast(dec(sig(r("burst"))), 8)));
        let linear = vec![assign(
            d(&r("addr")),
            add(q(&r("addr")), shl(cast(sig(r("burst")), 64), BEAT_SHIFT)),
        )];
        let next_pair = add(q(&r("pair_addr")), lit_u(BEAT_BYTES as u64, 64));
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

    /// Read data (R) into the register stage: as they come, or a column pair's left
    /// column as its rows come (two rows a beat) and its right column from the buffer
    /// after them; dropped while draining.
    fn read_data(&self, s: &mut Vec<Stmt>) {
        let draining = q("draining");
        let odd_row = index(q("rrow"), 0);
        let taking = or(
            not(q("src_tr")),
            and(
                not(q("rphase")),
                or(not(odd_row.clone()), skid::ready("rbuf")),
            ),
        );
        let linear_room = or(q("src_tr"), skid::ready("rbuf"));
        s.push(assign(
            "m_rready",
            and(
                nonzero(q("r_left")),
                or(draining.clone(), and(taking, linear_room)),
            ),
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
        // Defaults: nothing into the stage, the buffer idle at the next emit index.
        s.push(assign("rpush", bit(false)));
        s.push(assign("rpush_data", data()));
        s.push(assign("rram$we", bit(false)));
        s.push(assign("rram$waddr", cast(shr(q("rrow"), 1), RAM_ADDR_BITS)));
        s.push(assign("rram$wdata", beat(hi(q("rprev")), hi(data()))));
        let phase_a = vec![if_else(
            taken.clone(),
            vec![
                if_else(
                    odd_row,
                    vec![
                        assign("rpush", bit(true)),
                        assign("rpush_data", beat(lo(q("rprev")), lo(data()))),
                        assign("rram$we", bit(true)),
                    ],
                    vec![assign(d("rprev"), data())],
                ),
                if_else(
                    eq(q("rrow"), dec(q("r_rows"))),
                    vec![
                        assign(d("rrow"), lit_u(0, 32)),
                        assign(d("rphase"), bit(true)),
                        assign(d("rwait"), bit(true)),
                        assign(d("remit"), lit_u(0, 32)),
                    ],
                    vec![assign(d("rrow"), inc(q("rrow")))],
                ),
            ],
            vec![],
        )];
        let phase_b = vec![if_else(
            q("rwait"),
            vec![assign(d("rwait"), bit(false))],
            vec![if_else(
                skid::ready("rbuf"),
                vec![
                    assign("rpush", bit(true)),
                    assign("rpush_data", sig("rram$rdata")),
                    assign(d("remit"), inc(q("remit"))),
                    if_else(
                        eq(q("remit"), dec(shr(q("r_rows"), 1))),
                        vec![assign(d("rphase"), bit(false))],
                        vec![],
                    ),
                ],
                vec![],
            )],
        )];
        s.push(if_else(
            and(q("src_tr"), not(draining)),
            vec![if_else(q("rphase"), phase_b, phase_a)],
            vec![assign("rpush", taken)],
        ));
        // The buffer reads the next emit index, so its output is remit's word.
        s.push(assign("rram$clock", sig("clock")));
        s.push(assign("rram$raddr", cast(sig(d("remit")), RAM_ADDR_BITS)));
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

    /// The engine's output into the register stage — as it comes, or a pair of
    /// sequences interleaved into two columns (the first held in the buffer, then two
    /// beats per beat of the second) — then to memory (zeros while draining).
    fn write_data(&self, s: &mut Vec<Stmt>) {
        let draining = q("draining");
        let taking = and(q("dst_on"), nonzero(q("in_left")));
        let room = or(
            not(q("dst_tr")),
            or(not(q("wphase")), and(not(q("wpend_v")), not(q("wwait")))),
        );
        let linear_room = or(
            and(q("dst_tr"), not(q("wphase"))),
            and(skid::ready("wbuf"), not(q("wpend_v"))),
        );
        s.push(assign(
            "wr_tready",
            and_all([taking, not(draining.clone()), room, linear_room]),
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
        s.push(assign("wram$we", bit(false)));
        s.push(assign("wram$waddr", cast(q("wk"), RAM_ADDR_BITS)));
        s.push(assign("wram$wdata", data()));
        let last_beat = eq(q("wk"), dec(shr(q("w_rows"), 1)));
        let wrap = |phase: bool| {
            vec![
                assign(d("wk"), lit_u(0, 32)),
                assign(d("wphase"), bit(phase)),
            ]
        };
        let phase_a = vec![
            assign("wram$we", bit(true)),
            if_else(
                last_beat.clone(),
                [wrap(true), vec![assign(d("wwait"), bit(true))]].concat(),
                vec![assign(d("wk"), inc(q("wk")))],
            ),
        ];
        let first = || sig("wram$rdata");
        let phase_b = vec![
            assign("wpush", bit(true)),
            assign("wpush_data", beat(lo(first()), lo(data()))),
            assign(d("wpend"), beat(hi(first()), hi(data()))),
            assign(d("wpend_v"), bit(true)),
            if_else(last_beat, wrap(false), vec![assign(d("wk"), inc(q("wk")))]),
        ];
        s.push(if_else(
            sig("wr_fire"),
            vec![if_else(
                q("dst_tr"),
                vec![if_else(q("wphase"), phase_b, phase_a)],
                vec![assign("wpush", bit(true))],
            )],
            vec![],
        ));
        // The second beat of an interleaved pair, the cycle after the first.
        s.push(if_else(
            and(q("wpend_v"), skid::ready("wbuf")),
            vec![
                assign("wpush", bit(true)),
                assign("wpush_data", q("wpend")),
                assign(d("wpend_v"), bit(false)),
            ],
            vec![],
        ));
        s.push(if_else(
            q("wwait"),
            vec![assign(d("wwait"), bit(false))],
            vec![],
        ));
        s.push(assign("wram$clock", sig("clock")));
        s.push(assign("wram$raddr", cast(sig(d("wk")), RAM_ADDR_BITS)));
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
                    q("dst_tr"),
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
            zero("rrow"),
            zero("remit"),
            zero("aw_row"),
            zero("wk"),
            assign(d("rphase"), bit(false)),
            assign(d("rwait"), bit(false)),
            assign(d("wphase"), bit(false)),
            assign(d("wwait"), bit(false)),
            assign(d("wpend_v"), bit(false)),
        ];
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
                        dst_tr,
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
            q("dst_tr"),
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
            assign(d("wpend_v"), bit(false)),
            assign(d("dst_on"), bit(false)),
            assign(d("draining"), bit(true)),
            assign(d("err_r"), lit_u(0, 8)),
        ]);
        s.push(if_else(
            sig("soft_reset"),
            reset,
            vec![if_else(sig("start"), start, vec![])],
        ));
    }
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
    }

    fn hdl(&self) -> Verilog {
        let mut s = vec![];
        for r in HELD {
            s.push(clock_only(r));
            s.push(assign(d(r), q(r)));
        }
        self.requests(&mut s, "ar", "src_tr", "r_rows", "src_stride");
        self.read_data(&mut s);
        self.requests(&mut s, "aw", "dst_tr", "w_rows", "dst_stride");
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
        s.push(assign("error", q("err_r")));
        s.push(assign(
            "writes_done",
            not(or_all(
                [
                    nonzero(q("aw_left")),
                    nonzero(q("w_left")),
                    nonzero(q("b_left")),
                    q("wpend_v"),
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
