//! The board's kernel: elementwise r_i = a_i·b_i, a_i + b_i, a_i − b_i or a_i·g^i over the
//! scalar field, and NTT jobs through [`NttPath`], one element per clock, streamed from the
//! host-to-card stream to the card-to-host stream.
//!
//! Stream format (beat = 512 bits): host-to-card beat i carries a_i in bits 255:0 and b_i in
//! bits 511:256 (ignored by powmul and ntt); card-to-host beat i carries r_i in bits 255:0
//! (upper half zero). The last beat of a job carries TLAST in both directions.
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
    pub soft_reset: Signal<In, Bit>,
    pub opcode: Signal<In, Bits<32>>,
    pub count: Signal<In, Bits<32>>,
    pub param: Signal<In, Elem>,
    pub ntt_cfg: Signal<In, Bits<32>>,
    pub ntt_row: Signal<In, Bits<32>>,
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
const CONTROL_REGS: [&str; 20] = [
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
            soft_reset: Default::default(),
            opcode: Default::default(),
            count: Default::default(),
            param: Default::default(),
            ntt_cfg: Default::default(),
            ntt_row: Default::default(),
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

    /// Next state of the element and performance counters: zero (reset, new job).
    fn zero_counters(&mut self) {
        for r in [
            &mut self.in_count,
            &mut self.out_count,
            &mut self.busy_r,
            &mut self.beats_in_r,
            &mut self.beats_out_r,
            &mut self.stall_r,
        ] {
            r.d.next = bits(0);
        }
    }
}

fn st(v: u64) -> Expr {
    lit_u(v, 3)
}
fn inc(name: &str, width: usize) -> Stmt {
    assign(d(name), add(q(name), lit_u(1, width)))
}

impl Logic for ElementwiseKernel {
    fn update(&mut self) {
        let l = self._latency;
        let clock = self.clock.val();
        let state = self.state.q.val().to_u64();
        let op = self.op_r.q.val().to_u64();
        let in_count = self.in_count.q.val().to_u64();
        let out_count = self.out_count.q.val().to_u64();
        let count_r = self.count_r.q.val().to_u64();
        // Handshake and advance.
        let is_run = state == RUN;
        let feeding = is_run && in_count < count_r;
        let is_ntt = op == Opcode::Ntt as u64;
        let out_valid = if is_ntt {
            self.ntt.vo.val()
        } else {
            self.valid_pipe[l - 1].q.val()
        };
        let out_last = if is_ntt {
            out_count + 1 == count_r
        } else {
            self.last_pipe[l - 1].q.val()
        };
        let out_pending = out_valid && !self.out_taken.q.val();
        let out_full = out_pending && !self.c2h_tready.val();
        let adv = state == FLUSH || (is_run && !out_full && (self.h2c_tvalid.val() || !feeding));
        let h2c_tready = (feeding && !out_full) || state == DRAIN;
        let accept = self.h2c_tvalid.val() && h2c_tready && is_run;
        let use_seed = in_count < l as u64;
        let power = if use_seed {
            self.seeds[0].q.val()
        } else {
            self.pow.r.val()
        };
        let c2h_tvalid = out_pending && is_run;
        let out_xfer = c2h_tvalid && self.c2h_tready.val();
        self.is_run.next = is_run;
        self.feeding.next = feeding;
        self.is_ntt.next = is_ntt;
        self.out_valid.next = out_valid;
        self.out_last.next = out_last;
        self.out_pending.next = out_pending;
        self.out_full.next = out_full;
        self.adv.next = adv;
        self.accept.next = accept;
        self.use_seed.next = use_seed;
        self.power.next = power;
        self.out_xfer.next = out_xfer;
        self.h2c_tready.next = h2c_tready;
        self.c2h_tvalid.next = c2h_tvalid;
        // Datapath.
        let data = self.h2c_tdata.val();
        let (a, b) = (
            data.get_bits::<ELEM_BITS>(0),
            data.get_bits::<ELEM_BITS>(ELEM_BITS),
        );
        let pow_op = op == Opcode::PowMul as u64;
        for unit in [&mut self.mul, &mut self.pow] {
            unit.clock.next = clock;
            unit.enable.next = adv;
        }
        self.mul.a.next = a;
        self.mul.b.next = if pow_op { power } else { b };
        self.pow.enable.next = adv || state == INIT;
        self.pow.a.next = if state == INIT {
            self.cur.q.val()
        } else {
            power
        };
        self.pow.b.next = if state == INIT {
            self.g_r.q.val()
        } else {
            self.g_pow_l.q.val()
        };
        for unit in [&mut self.add, &mut self.sub] {
            unit.clock.next = clock;
            unit.enable.next = adv;
            unit.a.next = a;
            unit.b.next = b;
        }
        let last = self.as_delay.len() - 1;
        for k in 0..=last {
            self.as_delay[k].clock.next = clock;
            self.as_delay[k].enable.next = adv;
            self.as_delay[k].d.next = if k > 0 {
                self.as_delay[k - 1].q.val()
            } else if op == Opcode::Add as u64 {
                self.add.r.val()
            } else {
                self.sub.r.val()
            };
        }
        for k in 0..l {
            for pipe in [&mut self.valid_pipe, &mut self.last_pipe] {
                pipe[k].clock.next = clock;
                pipe[k].enable.next = adv;
            }
            self.valid_pipe[k].d.next = if k > 0 {
                self.valid_pipe[k - 1].q.val()
            } else {
                accept
            };
            self.last_pipe[k].d.next = if k > 0 {
                self.last_pipe[k - 1].q.val()
            } else {
                accept && in_count + 1 == count_r
            };
        }
        let cfg = JobNtt::decode(self.ntt_cfg_r.q.val().to_u64() as u32);
        let ntt = &mut self.ntt;
        ntt.clock.next = clock;
        ntt.enable.next = adv;
        ntt.clear.next = state == IDLE;
        ntt.log_n.next = bits(cfg.log_n as u64);
        ntt.inverse.next = cfg.inverse;
        ntt.coset.next = cfg.coset;
        ntt.twiddle.next = cfg.twiddle;
        ntt.log_t.next = bits(cfg.log_t as u64);
        ntt.row0.next = self.ntt_row_r.q.val();
        ntt.factor.next = power;
        ntt.x.next = a;
        ntt.v.next = accept && is_ntt;
        let result = if is_ntt {
            self.ntt.y.val()
        } else if op == Opcode::Add as u64 || op == Opcode::Sub as u64 {
            self.as_delay[last].q.val()
        } else {
            self.mul.r.val()
        };
        self.result.next = result;
        self.c2h_tdata.next = bit_cast::<BEAT_BITS, ELEM_BITS>(result);
        self.c2h_tlast.next = out_last;

        // Control registers hold by default.
        macro_rules! hold {
            ($($r:ident),*) => { $( self.$r.clock.next = clock; self.$r.d.next = self.$r.q.val(); )* };
        }
        hold!(
            state,
            done_r,
            err_r,
            in_count,
            out_count,
            op_r,
            count_r,
            g_r,
            out_taken,
            init_k,
            init_wait,
            flush_k,
            ntt_cfg_r,
            ntt_row_r,
            cur,
            g_pow_l,
            busy_r,
            beats_in_r,
            beats_out_r,
            stall_r
        );
        self.out_taken.d.next = if adv {
            false
        } else {
            self.out_taken.q.val() || out_xfer
        };
        let init_wait = self.init_wait.q.val().to_u64();
        let push = state == INIT && init_wait == 0;
        let consume = accept && use_seed;
        for k in 0..=l {
            self.seeds[k].clock.next = clock;
            self.seeds[k].d.next = if !(push || consume) {
                self.seeds[k].q.val()
            } else if k < l {
                self.seeds[k + 1].q.val()
            } else {
                self.cur.q.val()
            };
        }
        let set_err = |s: &mut Self, e: HwError| {
            s.err_r.d.next = bits(e as u64);
            s.done_r.d.next = true;
        };
        if self.soft_reset.val() {
            self.state.d.next = bits(FLUSH);
            self.flush_k.d.next = bits(0);
            self.done_r.d.next = false;
            self.err_r.d.next = bits(0);
            self.zero_counters();
        } else if self.start.val() {
            let opcode = self.opcode.val().to_u64();
            let count = self.count.val().to_u64();
            let cfg = JobNtt::decode(self.ntt_cfg.val().to_u64() as u32);
            let start_m = cfg.log_n as u64;
            let start_mask = (1u64 << start_m) - 1;
            let ntt_coset = cfg.coset;
            let twiddle = cfg.twiddle;
            let log_t = cfg.log_t as u64;
            let ntt_bad = start_m == 0
                || start_m > self.ntt.log_size() as u64
                || count & start_mask != 0
                || (ntt_coset && (twiddle || count != start_mask + 1))
                || (twiddle && log_t > self.ntt.twiddle_log() as u64);
            self.start_m.next = bits(start_m);
            self.start_mask.next = bits(start_mask);
            self.ntt_coset.next = ntt_coset;
            self.ntt_bad.next = ntt_bad;
            if state != IDLE {
                set_err(self, HwError::StartWhileBusy);
                self.state.d.next = bits(FLUSH);
                self.flush_k.d.next = bits(0);
            } else if opcode == 0 || opcode > Opcode::KERNEL_MAX as u64 {
                set_err(self, HwError::UnknownOpcode);
            } else if count == 0 || count > self.max_count.val().to_u64() {
                set_err(self, HwError::CountOutOfRange);
            } else if opcode == Opcode::Ntt as u64 && ntt_bad {
                set_err(self, HwError::BadNttConfig);
            } else {
                self.op_r.d.next = bits(opcode);
                self.count_r.d.next = bits(count);
                self.g_r.d.next = self.param.val();
                self.ntt_cfg_r.d.next = self.ntt_cfg.val();
                self.ntt_row_r.d.next = self.ntt_row.val();
                self.zero_counters();
                self.done_r.d.next = false;
                self.err_r.d.next = bits(0);
                self.cur.d.next = self.one.val();
                self.init_k.d.next = bits(0);
                self.init_wait.d.next = bits(0);
                let powers =
                    opcode == Opcode::PowMul as u64 || (opcode == Opcode::Ntt as u64 && ntt_coset);
                self.state.d.next = bits(if powers { INIT } else { RUN });
            }
        } else {
            if state == INIT {
                self.busy_r.d.next = self.busy_r.q.val() + 1;
                if init_wait == 0 {
                    if self.init_k.q.val().to_u64() == l as u64 {
                        self.g_pow_l.d.next = self.cur.q.val();
                        self.state.d.next = bits(RUN);
                    } else {
                        self.init_wait.d.next = bits(1);
                    }
                } else if init_wait == l as u64 {
                    self.cur.d.next = self.pow.r.val();
                    self.init_wait.d.next = bits(0);
                    self.init_k.d.next = self.init_k.q.val() + 1;
                } else {
                    self.init_wait.d.next = self.init_wait.q.val() + 1;
                }
            }
            if state == RUN {
                self.busy_r.d.next = self.busy_r.q.val() + 1;
                if !adv {
                    self.stall_r.d.next = self.stall_r.q.val() + 1;
                }
                if accept {
                    self.in_count.d.next = self.in_count.q.val() + 1;
                    self.beats_in_r.d.next = self.beats_in_r.q.val() + 1;
                    let tlast = self.h2c_tlast.val();
                    if tlast && in_count + 1 < count_r {
                        set_err(self, HwError::ShortStream);
                        self.state.d.next = bits(FLUSH);
                        self.flush_k.d.next = bits(0);
                    } else if !tlast && in_count + 1 == count_r {
                        set_err(self, HwError::LongStream);
                        self.state.d.next = bits(DRAIN);
                    }
                }
                if out_xfer {
                    self.out_count.d.next = self.out_count.q.val() + 1;
                    self.beats_out_r.d.next = self.beats_out_r.q.val() + 1;
                    if out_count + 1 == count_r {
                        self.done_r.d.next = true;
                        self.state.d.next = bits(IDLE);
                    }
                }
            }
            if state == DRAIN && self.h2c_tvalid.val() && self.h2c_tlast.val() {
                self.state.d.next = bits(FLUSH);
                self.flush_k.d.next = bits(0);
            }
            if state == FLUSH {
                if self.flush_k.q.val().to_u64() == self._flush as u64 {
                    self.state.d.next = bits(IDLE);
                } else {
                    self.flush_k.d.next = self.flush_k.q.val() + 1;
                }
            }
        }
        let status = Status {
            busy: state != IDLE,
            done: self.done_r.q.val(),
            error: self.err_r.q.val().to_u64() as u32,
        };
        self.status.next = bits(status.encode() as u64);
        self.done.next = self.done_r.q.val();
        self.perf_busy.next = self.busy_r.q.val();
        self.perf_in.next = self.beats_in_r.q.val();
        self.perf_out.next = self.beats_out_r.q.val();
        self.perf_stall.next = self.stall_r.q.val();
    }

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
        ] {
            s.connect();
        }
        self.power.connect();
        self.result.connect();
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
        s.push(mux_assign(
            "out_valid",
            sig("is_ntt"),
            sig("ntt$vo"),
            q(&format!("valid_pipe${}", l - 1)),
        ));
        s.push(mux_assign(
            "out_last",
            sig("is_ntt"),
            eq(add(q("out_count"), lit_u(1, 32)), q("count_r")),
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
        s.push(assign(
            "out_full",
            and(sig("out_pending"), not(sig("c2h_tready"))),
        ));
        s.push(assign(
            "adv",
            or(
                state_is(FLUSH),
                and_all([
                    sig("is_run"),
                    not(sig("out_full")),
                    or(sig("h2c_tvalid"), not(sig("feeding"))),
                ]),
            ),
        ));
        s.push(assign(
            "h2c_tready",
            or(and(sig("feeding"), not(sig("out_full"))), state_is(DRAIN)),
        ));
        s.push(assign(
            "accept",
            and_all([sig("h2c_tvalid"), sig("h2c_tready"), sig("is_run")]),
        ));
        s.push(assign("use_seed", lt(q("in_count"), lit_u(l as u64, 32))));
        s.push(mux_assign(
            "power",
            sig("use_seed"),
            q("seeds$0"),
            sig("pow$r"),
        ));
        s.push(assign("c2h_tvalid", and(sig("out_pending"), sig("is_run"))));
        s.push(assign(
            "out_xfer",
            and(sig("c2h_tvalid"), sig("c2h_tready")),
        ));
        // Datapath.
        let a = slice(sig("h2c_tdata"), 0, ELEM_BITS);
        let b = slice(sig("h2c_tdata"), ELEM_BITS, ELEM_BITS);
        for unit in ["mul", "pow", "add", "sub"] {
            s.push(assign(format!("{unit}$clock"), sig("clock")));
            s.push(assign(format!("{unit}$enable"), sig("adv")));
        }
        s.push(assign("mul$a", a.clone()));
        s.push(mux_assign(
            "mul$b",
            op_is(Opcode::PowMul),
            sig("power"),
            b.clone(),
        ));
        s.push(assign("pow$enable", or(sig("adv"), state_is(INIT))));
        s.push(mux_assign("pow$a", state_is(INIT), q("cur"), sig("power")));
        s.push(mux_assign("pow$b", state_is(INIT), q("g_r"), q("g_pow_l")));
        for unit in ["add", "sub"] {
            s.push(assign(format!("{unit}$a"), a.clone()));
            s.push(assign(format!("{unit}$b"), b.clone()));
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
        s.push(assign("valid_pipe$0$d", sig("accept")));
        s.push(assign(
            "last_pipe$0$d",
            and(
                sig("accept"),
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
        s.push(assign("ntt$factor", sig("power")));
        s.push(assign("ntt$x", a.clone()));
        s.push(assign("ntt$v", and(sig("accept"), sig("is_ntt"))));
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
        s.push(assign("c2h_tlast", sig("out_last")));

        // Control registers hold by default.
        for r in CONTROL_REGS {
            s.push(clock_only(r));
            s.push(assign(d(r), q(r)));
        }
        s.push(mux_assign(
            "out_taken$d",
            sig("adv"),
            bit(false),
            or(q("out_taken"), sig("out_xfer")),
        ));
        let push = and(state_is(INIT), eq(q("init_wait"), lit_u(0, 8)));
        let consume = and(sig("accept"), sig("use_seed"));
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
        let flush = || vec![goto(FLUSH), assign(d("flush_k"), lit_u(0, 16))];

        let mut on_reset = flush();
        on_reset.push(assign(d("done_r"), bit(false)));
        on_reset.push(assign(d("err_r"), lit_u(0, 8)));
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
        let mut accept_job = vec![
            assign(d("op_r"), slice(opcode.clone(), 0, 3)),
            assign(d("count_r"), count.clone()),
            assign(d("g_r"), sig("param")),
            assign(d("ntt_cfg_r"), sig("ntt_cfg")),
            assign(d("ntt_row_r"), sig("ntt_row")),
            assign(d("done_r"), bit(false)),
            assign(d("err_r"), lit_u(0, 8)),
            assign(d("cur"), sig("one")),
            assign(d("init_k"), lit_u(0, 8)),
            assign(d("init_wait"), lit_u(0, 8)),
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
        let mut busy_start = set_err(HwError::StartWhileBusy);
        busy_start.extend(flush());
        let on_start = vec![if_else(
            not(state_is(IDLE)),
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
        let in_next_eq_count = eq(add(q("in_count"), lit_u(1, 32)), q("count_r"));
        let run_step = vec![
            inc("busy_r", 32),
            if_else(sig("adv"), vec![], vec![inc("stall_r", 32)]),
            if_else(
                sig("accept"),
                vec![
                    inc("in_count", 32),
                    inc("beats_in_r", 32),
                    if_else(
                        and(
                            sig("h2c_tlast"),
                            lt(add(q("in_count"), lit_u(1, 32)), q("count_r")),
                        ),
                        short,
                        vec![if_else(
                            and(not(sig("h2c_tlast")), in_next_eq_count),
                            long,
                            vec![],
                        )],
                    ),
                ],
                vec![],
            ),
            if_else(
                sig("out_xfer"),
                vec![
                    inc("out_count", 32),
                    inc("beats_out_r", 32),
                    if_else(
                        eq(add(q("out_count"), lit_u(1, 32)), q("count_r")),
                        vec![assign(d("done_r"), bit(true)), goto(IDLE)],
                        vec![],
                    ),
                ],
                vec![],
            ),
        ];
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
        let otherwise = vec![
            if_else(state_is(INIT), init_step, vec![]),
            if_else(state_is(RUN), run_step, vec![]),
            if_else(state_is(DRAIN), drain_step, vec![]),
            if_else(state_is(FLUSH), flush_step, vec![]),
        ];
        s.push(if_else(
            sig("soft_reset"),
            on_reset,
            vec![if_else(sig("start"), on_start, otherwise)],
        ));
        s.push(assign(
            "status",
            or_all(
                [
                    field_at(Status::ERROR, q("err_r")),
                    field_at(Status::DONE, q("done_r")),
                    field_at(Status::BUSY, lt(st(IDLE), q("state"))),
                ],
                32,
            ),
        ));
        s.push(assign("done", q("done_r")));
        s.push(assign("perf_busy", q("busy_r")));
        s.push(assign("perf_in", q("beats_in_r")));
        s.push(assign("perf_out", q("beats_out_r")));
        s.push(assign("perf_stall", q("stall_r")));
        comb(s)
    }
}
