//! The copy engine (opcode `copy`): passes JOB_COUNT beats from the job's input stream to
//! its output stream unchanged. With the board's routing (JOB_MEM) that is how vectors
//! enter card memory (host stream → card memory), leave it (card memory → host stream)
//! and move inside it; host to host it is a loopback of the DMA path.
//!
//! The input's TLAST must come with the JOB_COUNT-th beat (else ShortStream /
//! LongStream, as the elementwise kernel checks its streams).

use super::kernel::BEAT_BITS;
use super::regs::{HwError, Status};
use super::skid;
use crate::rtl::*;
use rust_hdl::core::prelude::*;
use rust_hdl::widgets::prelude::DFF;

#[derive(LogicBlock)]
pub struct CopyEngine {
    pub clock: Signal<In, Clock>,
    pub start: Signal<In, Bit>,
    pub soft_reset: Signal<In, Bit>,
    pub count: Signal<In, Bits<32>>,
    pub status: Signal<Out, Bits<32>>,
    pub done: Signal<Out, Bit>,
    pub perf_busy: Signal<Out, Bits<32>>,
    pub perf_in: Signal<Out, Bits<32>>,
    pub perf_out: Signal<Out, Bits<32>>,
    pub perf_stall: Signal<Out, Bits<32>>,
    pub h2c_tdata: Signal<In, Bits<BEAT_BITS>>,
    pub h2c_tvalid: Signal<In, Bit>,
    pub h2c_tlast: Signal<In, Bit>,
    pub h2c_tready: Signal<Out, Bit>,
    pub c2h_tdata: Signal<Out, Bits<BEAT_BITS>>,
    pub c2h_tvalid: Signal<Out, Bit>,
    pub c2h_tlast: Signal<Out, Bit>,
    pub c2h_tready: Signal<In, Bit>,
    max_count: Constant<Bits<32>>,
    in_fire: Signal<Local, Bit>,
    out_fire: Signal<Local, Bit>,
    /// A two-beat buffer between the streams (`held` beats, `buf0` first), so that
    /// neither ready depends on the other side in the same cycle.
    buf0: DFF<Bits<BEAT_BITS>>,
    buf1: DFF<Bits<BEAT_BITS>>,
    buf_held: DFF<Bits<2>>,
    in_left: DFF<Bits<32>>,
    out_left: DFF<Bits<32>>,
    busy: DFF<Bit>,
    done_r: DFF<Bit>,
    err_r: DFF<Bits<8>>,
    busy_cycles: DFF<Bits<32>>,
    beats_in: DFF<Bits<32>>,
    beats_out: DFF<Bits<32>>,
    stalls: DFF<Bits<32>>,
}

impl CopyEngine {
    /// A copy engine taking jobs of up to `max_count` beats.
    pub fn new(max_count: u32) -> Self {
        Self {
            clock: Default::default(),
            start: Default::default(),
            soft_reset: Default::default(),
            count: Default::default(),
            status: Default::default(),
            done: Default::default(),
            perf_busy: Default::default(),
            perf_in: Default::default(),
            perf_out: Default::default(),
            perf_stall: Default::default(),
            h2c_tdata: Default::default(),
            h2c_tvalid: Default::default(),
            h2c_tlast: Default::default(),
            h2c_tready: Default::default(),
            c2h_tdata: Default::default(),
            c2h_tvalid: Default::default(),
            c2h_tlast: Default::default(),
            c2h_tready: Default::default(),
            max_count: Constant::new(bits(max_count as u64)),
            in_fire: Default::default(),
            out_fire: Default::default(),
            buf0: Default::default(),
            buf1: Default::default(),
            buf_held: Default::default(),
            in_left: Default::default(),
            out_left: Default::default(),
            busy: Default::default(),
            done_r: Default::default(),
            err_r: Default::default(),
            busy_cycles: Default::default(),
            beats_in: Default::default(),
            beats_out: Default::default(),
            stalls: Default::default(),
        }
    }
}

const REGS: [&str; 12] = [
    "buf0",
    "buf1",
    "buf_held",
    "in_left",
    "out_left",
    "busy",
    "done_r",
    "err_r",
    "busy_cycles",
    "beats_in",
    "beats_out",
    "stalls",
];

impl Logic for CopyEngine {
    /// Not simulated by rust-hdl: the block's Verilog runs under Verilator as part of the
    /// board, its one description.
    fn update(&mut self) {}

    fn connect(&mut self) {
        for s in [
            &mut self.done,
            &mut self.h2c_tready,
            &mut self.c2h_tvalid,
            &mut self.c2h_tlast,
        ] {
            s.connect();
        }
        self.in_fire.connect();
        self.out_fire.connect();
        for s in [
            &mut self.status,
            &mut self.perf_busy,
            &mut self.perf_in,
            &mut self.perf_out,
            &mut self.perf_stall,
        ] {
            s.connect();
        }
        self.c2h_tdata.connect();
    }

    fn hdl(&self) -> Verilog {
        let mut s = vec![];
        for r in REGS {
            s.push(clock_only(r));
            s.push(assign(d(r), q(r)));
        }
        let one = || lit_u(1, 32);
        // Ready and valid come from registers only.
        s.push(assign(
            "h2c_tready",
            and_all([q("busy"), any(q("in_left")), skid::ready("buf")]),
        ));
        s.push(assign("c2h_tvalid", and(q("busy"), skid::valid("buf"))));
        s.push(assign("c2h_tdata", q("buf0")));
        s.push(assign("c2h_tlast", eq(q("out_left"), one())));
        s.push(assign("in_fire", and(sig("h2c_tvalid"), sig("h2c_tready"))));
        s.push(assign(
            "out_fire",
            and(sig("c2h_tvalid"), sig("c2h_tready")),
        ));
        s.extend(skid::update(
            "buf",
            sig("in_fire"),
            sig("h2c_tdata"),
            sig("out_fire"),
        ));
        let finish = |err: Option<HwError>| {
            let mut v = vec![
                assign(d("busy"), bit(false)),
                assign(d("done_r"), bit(true)),
                skid::clear("buf"),
            ];
            if let Some(e) = err {
                v.push(assign(d("err_r"), lit_u(e as u64, 8)));
            }
            v
        };
        s.push(if_else(
            q("busy"),
            vec![
                assign(d("busy_cycles"), add(q("busy_cycles"), one())),
                if_else(
                    not(sig("out_fire")),
                    vec![assign(d("stalls"), add(q("stalls"), one()))],
                    vec![],
                ),
                if_else(
                    sig("out_fire"),
                    vec![
                        assign(d("beats_out"), add(q("beats_out"), one())),
                        assign(d("out_left"), sub(q("out_left"), one())),
                        if_else(eq(q("out_left"), one()), finish(None), vec![]),
                    ],
                    vec![],
                ),
                if_else(
                    sig("in_fire"),
                    vec![
                        assign(d("beats_in"), add(q("beats_in"), one())),
                        assign(d("in_left"), sub(q("in_left"), one())),
                        // TLAST must mark the job's last beat, no other.
                        if_else(
                            and(sig("h2c_tlast"), not(eq(q("in_left"), one()))),
                            finish(Some(HwError::ShortStream)),
                            vec![],
                        ),
                        if_else(
                            and(not(sig("h2c_tlast")), eq(q("in_left"), one())),
                            finish(Some(HwError::LongStream)),
                            vec![],
                        ),
                    ],
                    vec![],
                ),
            ],
            vec![],
        ));
        let clear = vec![
            assign(d("busy_cycles"), lit_u(0, 32)),
            assign(d("beats_in"), lit_u(0, 32)),
            assign(d("beats_out"), lit_u(0, 32)),
            assign(d("stalls"), lit_u(0, 32)),
            assign(d("err_r"), lit_u(0, 8)),
            assign(d("done_r"), bit(false)),
            skid::clear("buf"),
        ];
        let mut start = clear.clone();
        start.push(if_else(
            q("busy"),
            finish(Some(HwError::StartWhileBusy)),
            vec![if_else(
                or(not(any(sig("count"))), lt(sig("max_count"), sig("count"))),
                finish(Some(HwError::CountOutOfRange)),
                vec![
                    assign(d("in_left"), sig("count")),
                    assign(d("out_left"), sig("count")),
                    assign(d("busy"), bit(true)),
                ],
            )],
        ));
        let mut reset = clear;
        reset.extend([
            assign(d("in_left"), lit_u(0, 32)),
            assign(d("out_left"), lit_u(0, 32)),
            assign(d("busy"), bit(false)),
        ]);
        s.push(if_else(
            sig("soft_reset"),
            reset,
            vec![if_else(sig("start"), start, vec![])],
        ));
        s.push(assign("done", q("done_r")));
        s.push(assign(
            "status",
            or_all(
                [
                    field_at(Status::ERROR, q("err_r")),
                    field_at(Status::DONE, q("done_r")),
                    field_at(Status::BUSY, q("busy")),
                ],
                32,
            ),
        ));
        s.push(assign("perf_busy", q("busy_cycles")));
        s.push(assign("perf_in", q("beats_in")));
        s.push(assign("perf_out", q("beats_out")));
        s.push(assign("perf_stall", q("stalls")));
        comb(s)
    }
}
