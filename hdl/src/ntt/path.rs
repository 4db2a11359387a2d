//! `NttPath`: what the board's kernel streams an NTT job through —
//! front multiplier → NTT core → bit-reverse buffer (natural order out).
//!
//! The front multiplier applies one per-element factor, generated on chip:
//! * plain: 1;
//! * coset: `factor`, the kernel's running power g^i (its powmul recurrence);
//! * twiddle (four-step): ω_T^(r·t) for element t of the job's r-th NTT counted from
//!   `row0`, T = 2^log_t, ω_T^−(r·t) for inverse jobs. The exponent e = r·t·2^(S−log_t)
//!   mod 2^S is tracked by additions only; ω^e = T0[e mod 2^h]·T1[e >> h] (two ROMs of
//!   2^h words, h = S/2, filled from ark-ff) costs one extra MontMul, and the element
//!   waits for it in a delay line.
//!
//! Every register shares `enable`, so the path holds with the kernel. `clear` (between
//! runs of jobs) resets the exponent counters, the core's slot counters and the reorder
//! banks; `rearm` on a job's last element makes a queued job's first NTT read its own row.

use super::delay::Delay;
use super::reorder::BitReverseBuffer;
use super::rom::Rom;
use super::{twiddles, NttCore};
use crate::field::MontMul;
use crate::preset::NttConfig;
use crate::rtl::*;
use rust_hdl::core::prelude::*;
use rust_hdl::widgets::prelude::DFF;

type Elem = Bits<256>;

#[derive(LogicBlock)]
pub struct NttPath {
    pub clock: Signal<In, Clock>,
    pub enable: Signal<In, Bit>,
    pub clear: Signal<In, Bit>,
    /// m of the size n = 2^m of every NTT of the job.
    pub log_n: Signal<In, Bits<8>>,
    pub inverse: Signal<In, Bit>,
    pub coset: Signal<In, Bit>,
    pub twiddle: Signal<In, Bit>,
    /// log2 T of the four-step transform whose twiddles are applied (≤ S).
    pub log_t: Signal<In, Bits<8>>,
    /// Index r of the job's first NTT among the four-step rows.
    pub row0: Signal<In, Bits<32>>,
    /// The element offered is its job's last: the next element (a queued job's first)
    /// takes its row from `row0` again.
    pub rearm: Signal<In, Bit>,
    /// Coset factor of the element offered this cycle.
    pub factor: Signal<In, Elem>,
    pub x: Signal<In, Elem>,
    pub v: Signal<In, Bit>,
    pub y: Signal<Out, Elem>,
    pub vo: Signal<Out, Bit>,
    one: Constant<Elem>,
    primed: DFF<Bit>,
    t_r: DFF<Bits<16>>,
    e_r: DFF<Bits<32>>,
    step_r: DFF<Bits<32>>,
    accept: Signal<Local, Bit>,
    last: Signal<Local, Bits<16>>,
    unit: Signal<Local, Bits<32>>,
    step_eff: Signal<Local, Bits<32>>,
    exp: Signal<Local, Bits<32>>,
    rom_lo: Rom<256>,
    rom_hi: Rom<256>,
    twm: MontMul<256, 512>,
    x_delay: Delay<256>,
    fm: MontMul<256, 512>,
    vd1: Delay<1>,
    vd2: Delay<1>,
    core: NttCore,
    reorder: BitReverseBuffer,
    _half: usize,
    _twiddle_log: usize,
    _mul_latency: usize,
}

const REGS: [&str; 4] = ["primed", "t_r", "e_r", "step_r"];

impl NttPath {
    pub fn new(preset: &NttConfig) -> Self {
        let curve = preset.curve;
        let field = curve.scalar_field().params();
        let s = preset.twiddle_log;
        assert!(s.is_multiple_of(2) && s <= 32 && s / 2 <= super::rom::ROM_ADDR_BITS);
        let twm = MontMul::new(&field, preset.mul_style);
        let l = twm.latency();
        Self {
            clock: Default::default(),
            enable: Default::default(),
            clear: Default::default(),
            log_n: Default::default(),
            inverse: Default::default(),
            coset: Default::default(),
            twiddle: Default::default(),
            log_t: Default::default(),
            row0: Default::default(),
            rearm: Default::default(),
            factor: Default::default(),
            x: Default::default(),
            v: Default::default(),
            y: Default::default(),
            vo: Default::default(),
            one: Constant::new(twiddles::field_one(curve).into()),
            primed: Default::default(),
            t_r: Default::default(),
            e_r: Default::default(),
            step_r: Default::default(),
            accept: Default::default(),
            last: Default::default(),
            unit: Default::default(),
            step_eff: Default::default(),
            exp: Default::default(),
            rom_lo: Rom::new(twiddles::exponent_digits(curve, s, 0)),
            rom_hi: Rom::new(twiddles::exponent_digits(curve, s, 1)),
            twm,
            x_delay: Delay::new(l),
            fm: MontMul::new(&field, preset.mul_style),
            vd1: Delay::new(l),
            vd2: Delay::new(l),
            core: NttCore::new(curve, preset.mul_style, preset.log_size),
            reorder: BitReverseBuffer::new(preset.log_size),
            _half: s / 2,
            _twiddle_log: s,
            _mul_latency: l,
        }
    }

    /// Enabled cycles from the first element of a job in to its first result out, for
    /// NTTs of 2^m points.
    pub fn latency(&self, m: usize, twiddle: bool) -> usize {
        let front = self._mul_latency * if twiddle { 2 } else { 1 };
        front + self.core.latency(m) + (1 << m) + 1
    }

    /// Enabled cycles after which no element of an aborted job is left in the path.
    pub fn depth(&self) -> usize {
        let k = self.core.log_size();
        self.latency(k, true)
    }

    pub fn log_size(&self) -> usize {
        self.core.log_size()
    }

    pub fn twiddle_log(&self) -> usize {
        self._twiddle_log
    }
}

impl Logic for NttPath {
    /// Not simulated by rust-hdl: the block's Verilog comes from `hdl()` and runs under
    /// Verilator, its one description (no hand-kept behavioural copy to drift from it).
    fn update(&mut self) {}

    fn connect(&mut self) {
        self.accept.connect();
        self.last.connect();
        self.unit.connect();
        self.step_eff.connect();
        self.exp.connect();
        self.y.connect();
        self.vo.connect();
    }

    fn hdl(&self) -> Verilog {
        let h = self._half;
        let s_log = self._twiddle_log as u64;
        let mut s = vec![];
        let shift = sub(lit_u(s_log, 8), sig("log_t"));
        s.push(assign("accept", and(sig("enable"), sig("v"))));
        s.push(assign(
            "last",
            sub(shl_by(lit_u(1, 16), sig("log_n")), lit_u(1, 16)),
        ));
        s.push(assign("unit", shl_by(lit_u(1, 32), shift.clone())));
        s.push(mux_assign(
            "step_eff",
            q("primed"),
            q("step_r"),
            shl_by(sig("row0"), shift),
        ));
        s.push(mux_assign(
            "exp",
            sig("inverse"),
            sub(lit_u(0, 32), q("e_r")),
            q("e_r"),
        ));
        s.push(assign("rom_lo$addr", cast(slice(sig("exp"), 0, h), 16)));
        s.push(assign("rom_hi$addr", cast(slice(sig("exp"), h, h), 16)));
        for unit in ["twm", "fm", "x_delay", "vd1", "vd2", "core", "reorder"] {
            s.extend(clock_to(unit));
        }
        s.push(assign("twm$a", sig("rom_lo$data")));
        s.push(assign("twm$b", sig("rom_hi$data")));
        s.push(assign("x_delay$din", sig("x")));
        s.push(mux_assign(
            "fm$a",
            sig("twiddle"),
            sig("x_delay$dout"),
            sig("x"),
        ));
        s.push(if_else(
            sig("twiddle"),
            vec![assign("fm$b", sig("twm$r"))],
            vec![mux_assign("fm$b", sig("coset"), sig("factor"), sig("one"))],
        ));
        s.push(assign("vd1$din", sig("v")));
        s.push(assign("vd2$din", and(sig("vd1$dout"), sig("twiddle"))));
        s.push(assign("core$clear", sig("clear")));
        s.push(assign("core$inverse", sig("inverse")));
        s.push(assign("core$log_n", sig("log_n")));
        s.push(assign("core$x", sig("fm$r")));
        s.push(mux_assign(
            "core$v",
            sig("twiddle"),
            sig("vd2$dout"),
            sig("vd1$dout"),
        ));
        s.push(assign("reorder$clear", sig("clear")));
        s.push(assign("reorder$log_n", sig("log_n")));
        s.push(assign("reorder$din", sig("core$y")));
        s.push(assign("reorder$vin", sig("core$vo")));
        s.push(assign("y", sig("reorder$dout")));
        s.push(assign("vo", sig("reorder$vo")));
        for r in REGS {
            s.push(clock_only(r));
            s.push(assign(d(r), q(r)));
        }
        s.push(if_else(
            sig("clear"),
            vec![
                assign(d("primed"), bit(false)),
                assign(d("t_r"), lit_u(0, 16)),
                assign(d("e_r"), lit_u(0, 32)),
                assign(d("step_r"), lit_u(0, 32)),
            ],
            vec![if_else(
                sig("accept"),
                vec![
                    assign(d("primed"), bit(true)),
                    if_else(
                        eq(q("t_r"), sig("last")),
                        vec![
                            assign(d("t_r"), lit_u(0, 16)),
                            assign(d("e_r"), lit_u(0, 32)),
                            assign(d("step_r"), add(sig("step_eff"), sig("unit"))),
                            mux_assign(&d("primed"), sig("rearm"), bit(false), bit(true)),
                        ],
                        vec![
                            assign(d("t_r"), add(q("t_r"), lit_u(1, 16))),
                            assign(d("e_r"), add(q("e_r"), sig("step_eff"))),
                            assign(d("step_r"), sig("step_eff")),
                        ],
                    ),
                ],
                vec![],
            )],
        ));
        comb(s)
    }
}
