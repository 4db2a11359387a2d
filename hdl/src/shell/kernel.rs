//! The board's kernel: elementwise r_i = a_i·b_i, a_i + b_i, a_i − b_i or a_i·g^i over the
//! scalar field, and NTT jobs through [`NttPath`], one element per clock, streamed from the
//! host-to-card stream to the card-to-host stream.
//!
//! Stream format (beat = 512 bits, register map 4.0): a binary job's (mul, add, sub)
//! host-to-card beat i carries a_i in bits 255:0 and b_i in bits 511:256; a unary job's
//! (powmul, ntt) beat i carries a_2i and a_2i+1 (an odd count's last beat: upper half zero),
//! and the kernel holds the upper element a cycle, so it still takes one element per clock
//! from half the beats. Card-to-host beat i carries r_2i in bits 255:0 and r_2i+1 in bits
//! 511:256 for every job (an odd count's last beat: upper half zero): the first result of a
//! pair is parked in a register, the second sends the beat. The last beat of a job carries
//! TLAST in both directions.
//!
//! An ntt job (JOB_NTT) is JOB_COUNT / 2^m NTTs of 2^m points back to back, natural order
//! in and out; its elements are accepted under the same handshake and clock enable, and its
//! output slot is the bit-reverse buffer's read register instead of the elementwise valid
//! pipeline. A coset job uses the powmul recurrence for its factors g^i.
//!
//! The datapath (two MontMuls, ModAdd, ModSub, alignment delays, valid/last bits) shares one
//! clock enable `adv`: it advances when an input beat is accepted (or, once all inputs are
//! in, to drain) and the output slot is free, and holds otherwise. Holding keeps the
//! fixed-latency recurrence of the running power exact: the power unit computes
//! g^(i+L) = g^i · g^L, L = MontMul latency, while the first L powers g^0 … g^(L−1) (and
//! g^L) are computed on chip when a powmul job starts (state INIT, L+1 products).

use super::regs::{HwError, JobNtt, Opcode, Status};
use crate::field::en_reg::EnReg;
use crate::field::{AddSubOp, ModAddSub, MontMul};
use crate::ntt::NttPath;
use crate::preset::{KernelConfig, NttConfig};
use crate::rtl::*;
use rust_hdl::core::prelude::*;
use rust_hdl::widgets::prelude::DFF;

/// Stream beat width.
pub const BEAT_BITS: usize = 512;
/// Jobs of a run the NTT path holds at once (CAPS_KERNEL_SLOTS in_path): a job's
/// elements enter once the job this many places before it has sent its last result.
pub const JOBS_IN_PATH: usize = 4;
/// Scalar-field element width on the wire (both curves: 4 limbs).
pub const ELEM_BITS: usize = 256;

const IDLE: u64 = 0;
const INIT: u64 = 1;
const RUN: u64 = 2;
const DRAIN: u64 = 3;
const FLUSH: u64 = 4;

type Elem = Bits<ELEM_BITS>;

#[derive(LogicBlock)]
pub struct ElementwiseKernel {
    pub clock: Signal<In, Clock>,
    pub start: Signal<In, Bit>,
    /// With `start`: append the job to the current run (CONTROL.append).
    pub append: Signal<In, Bit>,
    pub soft_reset: Signal<In, Bit>,
    pub opcode: Signal<In, Bits<32>>,
    pub count: Signal<In, Bits<32>>,
    pub param: Signal<In, Elem>,
    pub ntt_cfg: Signal<In, Bits<32>>,
    pub ntt_row: Signal<In, Bits<32>>,
    /// The board allows a queued job (its streams are the host's: JOB_MEM = 0).
    pub chainable: Signal<In, Bit>,
    pub status: Signal<Out, Bits<32>>,
    pub done: Signal<Out, Bit>,
    /// One cycle: a queued job left the waiting slot (the host may queue the next).
    pub freed: Signal<Out, Bit>,
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
    one: Constant<Elem>,
    max_count: Constant<Bits<32>>,
    is_run: Signal<Local, Bit>,
    feeding: Signal<Local, Bit>,
    out_pending: Signal<Local, Bit>,
    out_full: Signal<Local, Bit>,
    adv: Signal<Local, Bit>,
    accept: Signal<Local, Bit>,
    out_xfer: Signal<Local, Bit>,
    use_seed: Signal<Local, Bit>,
    power: Signal<Local, Elem>,
    result: Signal<Local, Elem>,
    is_ntt: Signal<Local, Bit>,
    out_valid: Signal<Local, Bit>,
    out_last: Signal<Local, Bit>,
    start_m: Signal<Local, Bits<8>>,
    start_mask: Signal<Local, Bits<32>>,
    ntt_bad: Signal<Local, Bit>,
    ntt_coset: Signal<Local, Bit>,
    unary: Signal<Local, Bit>,
    take: Signal<Local, Bit>,
    x_a: Signal<Local, Elem>,
    beat_two: Signal<Local, Bit>,
    beat_last: Signal<Local, Bit>,
    park: Signal<Local, Bit>,
    out_take: Signal<Local, Bit>,
    out_end: Signal<Local, Bit>,
    chain_end: Signal<Local, Bit>,
    ahead: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
    push: Signal<Local, Bit>,
    can_append: Signal<Local, Bit>,
    state: DFF<Bits<3>>,
    done_r: DFF<Bit>,
    err_r: DFF<Bits<8>>,
    in_count: DFF<Bits<32>>,
    out_count: DFF<Bits<32>>,
    op_r: DFF<Bits<3>>,
    count_r: DFF<Bits<32>>,
    g_r: DFF<Elem>,
    out_taken: DFF<Bit>,
    init_k: DFF<Bits<8>>,
    init_wait: DFF<Bits<8>>,
    flush_k: DFF<Bits<16>>,
    ntt_cfg_r: DFF<Bits<32>>,
    ntt_row_r: DFF<Bits<32>>,
    cur: DFF<Elem>,
    g_pow_l: DFF<Elem>,
    busy_r: DFF<Bits<32>>,
    beats_in_r: DFF<Bits<32>>,
    beats_out_r: DFF<Bits<32>>,
    stall_r: DFF<Bits<32>>,
    hold_phase: DFF<Bit>,
    hold: DFF<Elem>,
    parked: DFF<Elem>,
    out_total: DFF<Bits<32>>,
    /// Jobs in the path behind the output side's (each one's count, oldest first).
    pend: Vec<DFF<Bits<32>>>,
    pend_n: DFF<Bits<8>>,
    wait_valid: DFF<Bit>,
    wait_count: DFF<Bits<32>>,
    wait_row: DFF<Bits<32>>,
    jobs_done_r: DFF<Bits<16>>,
    freed_r: DFF<Bit>,
    seeds: Vec<DFF<Elem>>,
    mul: MontMul<ELEM_BITS, 512>,
    pow: MontMul<ELEM_BITS, 512>,
    add: ModAddSub<ELEM_BITS>,
    sub: ModAddSub<ELEM_BITS>,
    as_delay: Vec<EnReg<Elem>>,
    valid_pipe: Vec<EnReg<Bit>>,
    last_pipe: Vec<EnReg<Bit>>,
    ntt: NttPath,
    _latency: usize,
    _flush: usize,
}

/// Names of the plain control registers (all hold by default).
const CONTROL_REGS: [&str; 30] = [
    "state",
    "done_r",
    "err_r",
    "in_count",
    "out_count",
    "op_r",
    "count_r",
    "g_r",
    "out_taken",
    "init_k",
    "init_wait",
    "flush_k",
    "ntt_cfg_r",
    "ntt_row_r",
    "cur",
    "g_pow_l",
    "busy_r",
    "beats_in_r",
    "beats_out_r",
    "stall_r",
    "hold_phase",
    "hold",
    "parked",
    "out_total",
    "pend_n",
    "wait_valid",
    "wait_count",
    "wait_row",
    "jobs_done_r",
    "freed_r",
];

impl ElementwiseKernel {
    pub fn new(cfg: &KernelConfig, ntt: &NttConfig) -> Self {
        let field = cfg.field.params();
        let (field, style, max_count) = (&field, cfg.mul_style, cfg.max_job_elements);
        assert_eq!(
            field.width(),
            ELEM_BITS,
            "the elementwise kernel is for 256-bit fields"
        );
        let mul = MontMul::new(field, style);
        let latency = mul.latency();
        let addsub_latency = crate::field::mod_add::LATENCY;
        assert!(latency > addsub_latency && latency < 255);
        let ntt = NttPath::new(ntt);
        let flush = latency.max(ntt.depth());
        assert!(flush < 1 << 16);
        Self {
            clock: Default::default(),
            start: Default::default(),
            append: Default::default(),
            soft_reset: Default::default(),
            opcode: Default::default(),
            count: Default::default(),
            param: Default::default(),
            ntt_cfg: Default::default(),
            ntt_row: Default::default(),
            chainable: Default::default(),
            status: Default::default(),
            done: Default::default(),
            freed: Default::default(),
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
            one: Constant::new(field.r_mod_p.clone().into()),
            max_count: Constant::new(bits(max_count as u64)),
            is_run: Default::default(),
            feeding: Default::default(),
            out_pending: Default::default(),
            out_full: Default::default(),
            adv: Default::default(),
            accept: Default::default(),
            out_xfer: Default::default(),
            use_seed: Default::default(),
            power: Default::default(),
            result: Default::default(),
            is_ntt: Default::default(),
            out_valid: Default::default(),
            out_last: Default::default(),
            start_m: Default::default(),
            start_mask: Default::default(),
            ntt_bad: Default::default(),
            ntt_coset: Default::default(),
            unary: Default::default(),
            take: Default::default(),
            x_a: Default::default(),
            beat_two: Default::default(),
            beat_last: Default::default(),
            park: Default::default(),
            out_take: Default::default(),
            out_end: Default::default(),
            chain_end: Default::default(),
            ahead: Default::default(),
            pop: Default::default(),
            push: Default::default(),
            can_append: Default::default(),
            state: Default::default(),
            done_r: Default::default(),
            err_r: Default::default(),
            in_count: Default::default(),
            out_count: Default::default(),
            op_r: Default::default(),
            count_r: Default::default(),
            g_r: Default::default(),
            out_taken: Default::default(),
            init_k: Default::default(),
            init_wait: Default::default(),
            flush_k: Default::default(),
            ntt_cfg_r: Default::default(),
            ntt_row_r: Default::default(),
            cur: Default::default(),
            g_pow_l: Default::default(),
            busy_r: Default::default(),
            beats_in_r: Default::default(),
            beats_out_r: Default::default(),
            stall_r: Default::default(),
            hold_phase: Default::default(),
            hold: Default::default(),
            parked: Default::default(),
            out_total: Default::default(),
            pend: (0..JOBS_IN_PATH - 1).map(|_| Default::default()).collect(),
            pend_n: Default::default(),
            wait_valid: Default::default(),
            wait_count: Default::default(),
            wait_row: Default::default(),
            jobs_done_r: Default::default(),
            freed_r: Default::default(),
            seeds: (0..=latency).map(|_| Default::default()).collect(),
            pow: MontMul::new(field, style),
            mul,
            add: ModAddSub::new(field, AddSubOp::Add),
            sub: ModAddSub::new(field, AddSubOp::Sub),
            as_delay: (0..latency - addsub_latency)
                .map(|_| Default::default())
                .collect(),
            valid_pipe: (0..latency).map(|_| Default::default()).collect(),
            last_pipe: (0..latency).map(|_| Default::default()).collect(),
            ntt,
            _latency: latency,
            _flush: flush,
        }
    }

    /// The NTT path (core size, twiddle range, latency).
    pub fn ntt(&self) -> &NttPath {
        &self.ntt
    }

    /// Cycles from an accepted input beat to its output beat (when never held).
    pub fn latency(&self) -> usize {
        self._latency
    }
}

fn st(v: u64) -> Expr {
    lit_u(v, 3)
}
fn inc(name: &str, width: usize) -> Stmt {
    assign(d(name), add(q(name), lit_u(1, width)))
}

impl Logic for ElementwiseKernel {
    /// Not simulated by rust-hdl: the block's Verilog comes from `hdl()` and runs under
    /// Verilator, its one description (no hand-kept behavioural copy to drift from it).
    fn update(&mut self) {}

    fn connect(&mut self) {
        for s in [
            &mut self.is_run,
            &mut self.feeding,
            &mut self.out_pending,
            &mut self.out_full,
            &mut self.adv,
            &mut self.accept,
            &mut self.out_xfer,
            &mut self.use_seed,
            &mut self.is_ntt,
            &mut self.out_valid,
            &mut self.out_last,
            &mut self.ntt_bad,
            &mut self.ntt_coset,
            &mut self.unary,
            &mut self.take,
            &mut self.beat_two,
            &mut self.beat_last,
            &mut self.park,
            &mut self.out_take,
            &mut self.out_end,
            &mut self.chain_end,
            &mut self.ahead,
            &mut self.pop,
            &mut self.push,
            &mut self.can_append,
        ] {
            s.connect();
        }
        self.start_m.connect();
        self.start_mask.connect();
        for s in [
            &mut self.h2c_tready,
            &mut self.c2h_tvalid,
            &mut self.c2h_tlast,
            &mut self.done,
            &mut self.freed,
        ] {
            s.connect();
        }
        self.power.connect();
        self.result.connect();
        self.x_a.connect();
        self.c2h_tdata.connect();
        for s in [
            &mut self.status,
            &mut self.perf_busy,
            &mut self.perf_in,
            &mut self.perf_out,
            &mut self.perf_stall,
        ] {
            s.connect();
        }
    }

    fn hdl(&self) -> Verilog {
        let l = self._latency;
        let mut s = vec![];
        let state_is = |v: u64| eq(q("state"), st(v));
        let op_is = |o: Opcode| eq(q("op_r"), lit_u(o as u64, 3));
        // Handshake and advance.
        s.push(assign("is_run", state_is(RUN)));
        s.push(assign("is_ntt", op_is(Opcode::Ntt)));
        // Unary jobs carry two elements per input beat.
        s.push(assign("unary", or(op_is(Opcode::PowMul), sig("is_ntt"))));
        s.push(mux_assign(
            "out_valid",
            sig("is_ntt"),
            sig("ntt$vo"),
            q(&format!("valid_pipe${}", l - 1)),
        ));
        s.push(mux_assign(
            "out_last",
            sig("is_ntt"),
            eq(add(q("out_count"), lit_u(1, 32)), q("out_total")),
            q(&format!("last_pipe${}", l - 1)),
        ));
        s.push(assign(
            "feeding",
            and(sig("is_run"), lt(q("in_count"), q("count_r"))),
        ));
        s.push(assign(
            "out_pending",
            and(sig("out_valid"), not(q("out_taken"))),
        ));
        // The first result of an output pair (unless it is the job's last) is parked in a
        // register, never waiting for the stream; the second sends the beat.
        s.push(assign(
            "park",
            and_all([
                sig("out_pending"),
                not(index(q("out_count"), 0)),
                not(eq(add(q("out_count"), lit_u(1, 32)), q("out_total"))),
            ]),
        ));
        s.push(assign(
            "out_full",
            and_all([sig("out_pending"), not(sig("park")), not(sig("c2h_tready"))]),
        ));
        s.push(assign(
            "adv",
            or(
                state_is(FLUSH),
                and_all([
                    sig("is_run"),
                    not(sig("out_full")),
                    or_all([sig("h2c_tvalid"), not(sig("feeding")), q("hold_phase")], 1),
                ]),
            ),
        ));
        // While the upper element of a unary beat is held, the stream waits.
        s.push(assign(
            "h2c_tready",
            or(
                and_all([sig("feeding"), not(sig("out_full")), not(q("hold_phase"))]),
                state_is(DRAIN),
            ),
        ));
        s.push(assign(
            "accept",
            and_all([sig("h2c_tvalid"), sig("h2c_tready"), sig("is_run")]),
        ));
        // An element enters the datapath: a beat's (lower) element, or the held one.
        s.push(assign(
            "take",
            or(
                sig("accept"),
                and_all([q("hold_phase"), sig("adv"), sig("is_run")]),
            ),
        ));
        s.push(mux_assign(
            "x_a",
            q("hold_phase"),
            q("hold"),
            slice(sig("h2c_tdata"), 0, ELEM_BITS),
        ));
        // The beat offered now carries two elements (unary, not an odd count's last), and
        // whether it holds the job's last element.
        s.push(assign(
            "beat_two",
            and(
                sig("unary"),
                lt(add(q("in_count"), lit_u(1, 32)), q("count_r")),
            ),
        ));
        s.push(if_else(
            sig("beat_two"),
            vec![assign(
                "beat_last",
                eq(add(q("in_count"), lit_u(2, 32)), q("count_r")),
            )],
            vec![assign(
                "beat_last",
                eq(add(q("in_count"), lit_u(1, 32)), q("count_r")),
            )],
        ));
        s.push(assign("use_seed", lt(q("in_count"), lit_u(l as u64, 32))));
        s.push(mux_assign(
            "power",
            sig("use_seed"),
            q("seeds$0"),
            sig("pow$r"),
        ));
        s.push(assign(
            "c2h_tvalid",
            and_all([sig("out_pending"), not(sig("park")), sig("is_run")]),
        ));
        s.push(assign(
            "out_xfer",
            and(sig("c2h_tvalid"), sig("c2h_tready")),
        ));
        s.push(assign(
            "out_take",
            or(sig("out_xfer"), and(sig("park"), sig("is_run"))),
        ));
        // This cycle takes the output job's last result; with no job behind it, the run's.
        s.push(assign(
            "out_end",
            and(
                sig("out_take"),
                eq(add(q("out_count"), lit_u(1, 32)), q("out_total")),
            ),
        ));
        // Jobs behind the output side's in the path; the run ends with the last of them.
        s.push(assign("ahead", not(eq(q("pend_n"), lit_u(0, 8)))));
        s.push(assign("chain_end", and(sig("out_end"), not(sig("ahead")))));
        s.push(assign("pop", and(sig("out_end"), sig("ahead"))));
        // The input side moves on to the waiting job once the running job's elements are
        // all in (the path keeps draining them), while the path holds fewer than
        // JOBS_IN_PATH jobs.
        s.push(assign(
            "push",
            and_all([
                sig("is_run"),
                not(sig("feeding")),
                q("wait_valid"),
                lt(q("pend_n"), lit_u(JOBS_IN_PATH as u64 - 1, 8)),
                not(sig("chain_end")),
            ]),
        ));
        // Datapath.
        let a = sig("x_a");
        let b = slice(sig("h2c_tdata"), ELEM_BITS, ELEM_BITS);
        for unit in ["mul", "pow", "add", "sub"] {
            s.push(assign(format!("{unit}$clock"), sig("clock")));
            s.push(assign(format!("{unit}$enable"), sig("adv")));
        }
        // Operand isolation: a unit the job does not use sees constant zero operands, so
        // its pipeline stops toggling (dynamic power on a card; evaluation time under
        // Verilator, which only re-evaluates logic whose inputs changed).
        let zero = lit_u(0, ELEM_BITS);
        let uses_mul = or(op_is(Opcode::Mul), op_is(Opcode::PowMul));
        s.push(mux_assign(
            "mul$a",
            uses_mul.clone(),
            a.clone(),
            zero.clone(),
        ));
        s.push(if_else(
            op_is(Opcode::PowMul),
            vec![assign("mul$b", sig("power"))],
            vec![mux_assign("mul$b", uses_mul, b.clone(), zero.clone())],
        ));
        // The running power serves powmul and coset NTTs (both seed it in INIT).
        s.push(assign(
            "pow$enable",
            or(
                and(sig("adv"), or(op_is(Opcode::PowMul), sig("is_ntt"))),
                state_is(INIT),
            ),
        ));
        s.push(mux_assign("pow$a", state_is(INIT), q("cur"), sig("power")));
        s.push(mux_assign("pow$b", state_is(INIT), q("g_r"), q("g_pow_l")));
        let uses_addsub = or(op_is(Opcode::Add), op_is(Opcode::Sub));
        for unit in ["add", "sub"] {
            s.push(mux_assign(
                &format!("{unit}$a"),
                uses_addsub.clone(),
                a.clone(),
                zero.clone(),
            ));
            s.push(mux_assign(
                &format!("{unit}$b"),
                uses_addsub.clone(),
                b.clone(),
                zero.clone(),
            ));
        }
        let last = self.as_delay.len() - 1;
        for k in 0..=last {
            let name = format!("as_delay${k}");
            s.push(assign(format!("{name}$clock"), sig("clock")));
            s.push(assign(format!("{name}$enable"), sig("adv")));
            if k > 0 {
                s.push(assign(d(&name), q(&format!("as_delay${}", k - 1))));
            } else {
                s.push(mux_assign(
                    &d(&name),
                    op_is(Opcode::Add),
                    sig("add$r"),
                    sig("sub$r"),
                ));
            }
        }
        for k in 0..l {
            for pipe in ["valid_pipe", "last_pipe"] {
                let name = format!("{pipe}${k}");
                s.push(assign(format!("{name}$clock"), sig("clock")));
                s.push(assign(format!("{name}$enable"), sig("adv")));
                if k > 0 {
                    s.push(assign(d(&name), q(&format!("{pipe}${}", k - 1))));
                }
            }
        }
        s.push(assign("valid_pipe$0$d", sig("take")));
        s.push(assign(
            "last_pipe$0$d",
            and(
                sig("take"),
                eq(add(q("in_count"), lit_u(1, 32)), q("count_r")),
            ),
        ));
        // NTT path.
        let cfg = q("ntt_cfg_r");
        s.push(assign("ntt$clock", sig("clock")));
        s.push(assign("ntt$enable", sig("adv")));
        s.push(assign("ntt$clear", state_is(IDLE)));
        s.push(assign(
            "ntt$log_n",
            cast(field(cfg.clone(), JobNtt::LOG_N), 8),
        ));
        s.push(assign("ntt$inverse", field(cfg.clone(), JobNtt::INVERSE)));
        s.push(assign("ntt$coset", field(cfg.clone(), JobNtt::COSET)));
        s.push(assign("ntt$twiddle", field(cfg.clone(), JobNtt::TWIDDLE)));
        s.push(assign("ntt$log_t", cast(field(cfg, JobNtt::LOG_T), 8)));
        s.push(assign("ntt$row0", q("ntt_row_r")));
        // Each job's last element re-arms the twiddle counter: the next job's first NTT
        // takes its row from JOB_NTT_ROW again.
        s.push(assign(
            "ntt$rearm",
            eq(add(q("in_count"), lit_u(1, 32)), q("count_r")),
        ));
        s.push(assign("ntt$factor", sig("power")));
        s.push(mux_assign("ntt$x", sig("is_ntt"), a.clone(), zero));
        s.push(assign("ntt$v", and(sig("take"), sig("is_ntt"))));
        s.push(if_else(
            sig("is_ntt"),
            vec![assign("result", sig("ntt$y"))],
            vec![mux_assign(
                "result",
                or(op_is(Opcode::Add), op_is(Opcode::Sub)),
                q(&format!("as_delay${last}")),
                sig("mul$r"),
            )],
        ));
        s.push(assign("c2h_tdata", cast(sig("result"), BEAT_BITS)));
        s.push(if_else(
            index(q("out_count"), 0),
            vec![
                set_bits("c2h_tdata", 0, ELEM_BITS, q("parked")),
                set_bits("c2h_tdata", ELEM_BITS, ELEM_BITS, sig("result")),
            ],
            vec![],
        ));
        s.push(assign("c2h_tlast", sig("out_last")));

        // Control registers hold by default.
        for r in CONTROL_REGS {
            s.push(clock_only(r));
            s.push(assign(d(r), q(r)));
        }
        s.push(assign(d("freed_r"), bit(false)));
        for i in 0..JOBS_IN_PATH - 1 {
            let r = format!("pend${i}");
            s.push(clock_only(&r));
            s.push(assign(d(&r), q(&r)));
        }
        s.push(mux_assign(
            "out_taken$d",
            sig("adv"),
            bit(false),
            or(q("out_taken"), sig("out_take")),
        ));
        let push = and(state_is(INIT), eq(q("init_wait"), lit_u(0, 8)));
        let consume = and(sig("take"), sig("use_seed"));
        for k in 0..=l {
            let name = format!("seeds${k}");
            s.push(clock_only(&name));
            let next = if k < l {
                q(&format!("seeds${}", k + 1))
            } else {
                q("cur")
            };
            s.push(mux_assign(
                &d(&name),
                or(push.clone(), consume.clone()),
                next,
                q(&name),
            ));
        }
        let set_err = |e: HwError| {
            vec![
                assign(d("err_r"), lit_u(e as u64, 8)),
                assign(d("done_r"), bit(true)),
            ]
        };
        let goto = |v: u64| assign(d("state"), st(v));
        let zero_counts = || {
            [
                "in_count",
                "out_count",
                "busy_r",
                "beats_in_r",
                "beats_out_r",
                "stall_r",
            ]
            .into_iter()
            .map(|r| assign(d(r), lit_u(0, 32)))
            .collect::<Vec<_>>()
        };
        let flush = || {
            vec![
                goto(FLUSH),
                assign(d("flush_k"), lit_u(0, 16)),
                assign(d("hold_phase"), bit(false)),
                assign(d("pend_n"), lit_u(0, 8)),
                assign(d("wait_valid"), bit(false)),
            ]
        };

        // A job of the run starting on the drained kernel (appended after the run ended, or
        // in the very cycle it did): both sides take it, op and JOB_NTT stay the run's.
        let enter_run = |count: Expr, row: Expr| {
            vec![
                assign(d("count_r"), count.clone()),
                assign(d("out_total"), count),
                assign(d("ntt_row_r"), row),
                assign(d("in_count"), lit_u(0, 32)),
                assign(d("out_count"), lit_u(0, 32)),
                assign(d("done_r"), bit(false)),
                assign(d("hold_phase"), bit(false)),
                goto(RUN),
            ]
        };
        let mut on_reset = flush();
        on_reset.push(assign(d("done_r"), bit(false)));
        on_reset.push(assign(d("err_r"), lit_u(0, 8)));
        on_reset.push(assign(d("jobs_done_r"), lit_u(0, 16)));
        on_reset.extend(zero_counts());

        let opcode = sig("opcode");
        let count = sig("count");
        let live_cfg = sig("ntt_cfg");
        s.push(assign(
            "start_m",
            cast(field(live_cfg.clone(), JobNtt::LOG_N), 8),
        ));
        s.push(assign(
            "start_mask",
            sub(shl_by(lit_u(1, 32), sig("start_m")), lit_u(1, 32)),
        ));
        s.push(assign("ntt_coset", field(live_cfg.clone(), JobNtt::COSET)));
        let twiddle = field(live_cfg.clone(), JobNtt::TWIDDLE);
        let log_t = cast(field(live_cfg, JobNtt::LOG_T), 8);
        s.push(assign(
            "ntt_bad",
            or_all(
                [
                    eq(sig("start_m"), lit_u(0, 8)),
                    lt(lit_u(self.ntt.log_size() as u64, 8), sig("start_m")),
                    not(eq(and(count.clone(), sig("start_mask")), lit_u(0, 32))),
                    and(
                        sig("ntt_coset"),
                        or(
                            twiddle.clone(),
                            not(eq(count.clone(), add(sig("start_mask"), lit_u(1, 32)))),
                        ),
                    ),
                    and(twiddle, lt(lit_u(self.ntt.twiddle_log() as u64, 8), log_t)),
                ],
                1,
            ),
        ));
        // A job that may follow the run's last (CONTROL.append): ntt jobs of one JOB_NTT,
        // not coset (its powers restart per job), the host's streams, the waiting slot
        // free, the run running or drained without error, the job's own checks passed.
        s.push(assign(
            "can_append",
            and_all([
                or(sig("is_run"), state_is(IDLE)),
                eq(q("err_r"), lit_u(0, 8)),
                sig("is_ntt"),
                eq(opcode.clone(), lit_u(Opcode::Ntt as u64, 32)),
                eq(sig("ntt_cfg"), q("ntt_cfg_r")),
                not(field(q("ntt_cfg_r"), JobNtt::COSET)),
                not(q("wait_valid")),
                sig("chainable"),
                not(eq(count.clone(), lit_u(0, 32))),
                not(lt(sig("max_count"), count.clone())),
                not(sig("ntt_bad")),
            ]),
        ));
        let mut accept_job = vec![
            assign(d("op_r"), slice(opcode.clone(), 0, 3)),
            assign(d("count_r"), count.clone()),
            assign(d("out_total"), count.clone()),
            assign(d("pend_n"), lit_u(0, 8)),
            assign(d("wait_valid"), bit(false)),
            assign(d("jobs_done_r"), lit_u(0, 16)),
            assign(d("g_r"), sig("param")),
            assign(d("ntt_cfg_r"), sig("ntt_cfg")),
            assign(d("ntt_row_r"), sig("ntt_row")),
            assign(d("done_r"), bit(false)),
            assign(d("err_r"), lit_u(0, 8)),
            assign(d("cur"), sig("one")),
            assign(d("init_k"), lit_u(0, 8)),
            assign(d("init_wait"), lit_u(0, 8)),
            assign(d("hold_phase"), bit(false)),
            mux_assign(
                &d("state"),
                or(
                    eq(opcode.clone(), lit_u(Opcode::PowMul as u64, 32)),
                    and(
                        eq(opcode.clone(), lit_u(Opcode::Ntt as u64, 32)),
                        sig("ntt_coset"),
                    ),
                ),
                st(INIT),
                st(RUN),
            ),
        ];
        accept_job.extend(zero_counts());

        let init_step = vec![
            inc("busy_r", 32),
            if_else(
                eq(q("init_wait"), lit_u(0, 8)),
                vec![if_else(
                    eq(q("init_k"), lit_u(l as u64, 8)),
                    vec![assign(d("g_pow_l"), q("cur")), goto(RUN)],
                    vec![assign(d("init_wait"), lit_u(1, 8))],
                )],
                vec![if_else(
                    eq(q("init_wait"), lit_u(l as u64, 8)),
                    vec![
                        assign(d("cur"), sig("pow$r")),
                        assign(d("init_wait"), lit_u(0, 8)),
                        inc("init_k", 8),
                    ],
                    vec![inc("init_wait", 8)],
                )],
            ),
        ];
        let mut short = set_err(HwError::ShortStream);
        short.extend(flush());
        let mut long = set_err(HwError::LongStream);
        long.push(goto(DRAIN));
        let mut run_step = vec![
            inc("busy_r", 32),
            if_else(sig("adv"), vec![], vec![inc("stall_r", 32)]),
            if_else(sig("take"), vec![inc("in_count", 32)], vec![]),
            // A held element is taken: the next beat may come.
            if_else(
                and(q("hold_phase"), sig("take")),
                vec![assign(d("hold_phase"), bit(false))],
                vec![],
            ),
            if_else(
                sig("accept"),
                vec![
                    inc("beats_in_r", 32),
                    if_else(
                        sig("beat_two"),
                        vec![
                            assign(d("hold"), slice(sig("h2c_tdata"), ELEM_BITS, ELEM_BITS)),
                            assign(d("hold_phase"), bit(true)),
                        ],
                        vec![],
                    ),
                    if_else(
                        and(sig("h2c_tlast"), not(sig("beat_last"))),
                        short,
                        vec![if_else(
                            and(not(sig("h2c_tlast")), sig("beat_last")),
                            long,
                            vec![],
                        )],
                    ),
                ],
                vec![],
            ),
            if_else(
                and(sig("park"), sig("is_run")),
                vec![assign(d("parked"), sig("result"))],
                vec![],
            ),
            if_else(sig("out_xfer"), vec![inc("beats_out_r", 32)], vec![]),
            if_else(
                sig("out_take"),
                vec![
                    inc("out_count", 32),
                    if_else(
                        sig("out_end"),
                        vec![
                            inc("jobs_done_r", 16),
                            // The job queued behind (its input already entering) now
                            // owns the output side; else the run of jobs has ended.
                            if_else(
                                sig("ahead"),
                                vec![
                                    assign(d("out_total"), q("pend$0")),
                                    assign(d("out_count"), lit_u(0, 32)),
                                ],
                                vec![assign(d("done_r"), bit(true)), goto(IDLE)],
                            ),
                        ],
                        vec![],
                    ),
                ],
                vec![],
            ),
            if_else(
                sig("push"),
                vec![
                    assign(d("count_r"), q("wait_count")),
                    assign(d("ntt_row_r"), q("wait_row")),
                    assign(d("in_count"), lit_u(0, 32)),
                    assign(d("wait_valid"), bit(false)),
                    assign(d("freed_r"), bit(true)),
                ],
                vec![],
            ),
        ];
        // The counts of the jobs behind the output side's: the oldest leaves when the
        // output side takes it (pop), a job entering joins at the end (push).
        let last = JOBS_IN_PATH - 2;
        run_step.push(if_else(
            sig("pop"),
            (0..=last)
                .map(|i| {
                    let next = if i < last {
                        q(&format!("pend${}", i + 1))
                    } else {
                        q(&format!("pend${i}"))
                    };
                    assign(d(&format!("pend${i}")), next)
                })
                .collect(),
            vec![],
        ));
        let slot = sub(q("pend_n"), cast(sig("pop"), 8));
        for i in 0..=last {
            run_step.push(if_else(
                and(sig("push"), eq(slot.clone(), lit_u(i as u64, 8))),
                vec![assign(d(&format!("pend${i}")), q("wait_count"))],
                vec![],
            ));
        }
        run_step.push(assign(
            d("pend_n"),
            sub(add(q("pend_n"), cast(sig("push"), 8)), cast(sig("pop"), 8)),
        ));
        let mut busy_start = set_err(HwError::StartWhileBusy);
        busy_start.extend(flush());
        // Appended while the run's job runs: it waits in the slot, the running job's cycle
        // goes on (CAPS_KERNEL_SLOTS = 2).
        let mut queue_start = run_step.clone();
        queue_start.extend([
            assign(d("wait_valid"), bit(true)),
            assign(d("wait_count"), count.clone()),
            assign(d("wait_row"), sig("ntt_row")),
        ]);
        // Appended to a drained run: it starts at once, the run's counters going on.
        let continue_run = enter_run(count.clone(), sig("ntt_row"));
        let mut cannot_append = set_err(HwError::CannotAppend);
        cannot_append.extend(flush());
        let on_append = vec![if_else(
            sig("can_append"),
            vec![if_else(state_is(IDLE), continue_run, queue_start)],
            cannot_append,
        )];
        let on_start = vec![if_else(
            or(not(state_is(IDLE)), q("wait_valid")),
            busy_start,
            vec![if_else(
                or(
                    eq(opcode.clone(), lit_u(0, 32)),
                    lt(lit_u(Opcode::KERNEL_MAX as u64, 32), opcode.clone()),
                ),
                set_err(HwError::UnknownOpcode),
                vec![if_else(
                    or(eq(count.clone(), lit_u(0, 32)), lt(sig("max_count"), count)),
                    set_err(HwError::CountOutOfRange),
                    vec![if_else(
                        and(
                            eq(opcode.clone(), lit_u(Opcode::Ntt as u64, 32)),
                            sig("ntt_bad"),
                        ),
                        set_err(HwError::BadNttConfig),
                        accept_job,
                    )],
                )],
            )],
        )];
        let drain_step = vec![if_else(
            and(sig("h2c_tvalid"), sig("h2c_tlast")),
            flush(),
            vec![],
        )];
        let flush_step = vec![if_else(
            eq(q("flush_k"), lit_u(self._flush as u64, 16)),
            vec![goto(IDLE)],
            vec![inc("flush_k", 16)],
        )];
        // A job queued in the very cycle the run ended starts as the next run's first
        // (the path is cleared by this idle cycle; op and JOB_NTT are the last job's).
        let mut promote = enter_run(q("wait_count"), q("wait_row"));
        promote.extend([
            assign(d("wait_valid"), bit(false)),
            assign(d("freed_r"), bit(true)),
        ]);
        let otherwise = vec![
            if_else(and(state_is(IDLE), q("wait_valid")), promote, vec![]),
            if_else(state_is(INIT), init_step, vec![]),
            if_else(state_is(RUN), run_step, vec![]),
            if_else(state_is(DRAIN), drain_step, vec![]),
            if_else(state_is(FLUSH), flush_step, vec![]),
        ];
        s.push(if_else(
            sig("soft_reset"),
            on_reset,
            vec![if_else(
                sig("start"),
                vec![if_else(sig("append"), on_append, on_start)],
                otherwise,
            )],
        ));
        s.push(assign(
            "status",
            or_all(
                [
                    field_at(Status::ERROR, q("err_r")),
                    field_at(Status::DONE, q("done_r")),
                    field_at(
                        Status::BUSY,
                        or(lt(st(IDLE), q("state")), cast(q("wait_valid"), 3)),
                    ),
                    field_at(Status::WAITING, q("wait_valid")),
                    field_at(Status::JOBS_DONE, q("jobs_done_r")),
                ],
                32,
            ),
        ));
        s.push(assign("done", q("done_r")));
        s.push(assign("freed", q("freed_r")));
        s.push(assign("perf_busy", q("busy_r")));
        s.push(assign("perf_in", q("beats_in_r")));
        s.push(assign("perf_out", q("beats_out_r")));
        s.push(assign("perf_stall", q("stall_r")));
        comb(s)
    }
}
