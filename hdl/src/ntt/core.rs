//! Feed-forward radix-2 DIF stages and the NTT core built from them.
//!
//! Stage with half-size h (block 2h): element x_{j+h} arrives h slots after x_j; the
//! input delay line pairs them, ModAdd/ModSub form x_j + x_{j+h} and x_j − x_{j+h}, the
//! difference is multiplied by the twiddle ω_{2h}^j (ROM), and an output delay line holds
//! the differences so the stage emits, per block, the h sums then the h products, one
//! element per slot. The slot counter advances on valid elements of an active stage only, so
//! a stage's blocks line up with its input however long the stages before it took, and a
//! stage skipped by smaller jobs stays aligned for the next larger one (batches are contiguous
//! runs of valid elements; bubbles come only before and after them). No feedback loop: any arithmetic latency works. Every register shares
//! the core's clock enable, so the whole core holds when no element is offered.
//!
//! A size-n job (n = 2^m ≤ N) uses the last m stages; the others pass data through.
//! After the stages one MontMul scales by 1 (forward) or 1/n (inverse). Results leave in
//! bit-reversed order (the host reorders; see docs/ARCHITECTURE.md).

use super::delay::Delay;
use super::rom::Rom;
use super::twiddles;
use crate::field::en_reg::EnReg;
use crate::field::{mod_add, AddSubOp, FieldParams, ModAddSub, MontMul};
use crate::preset::{Curve, MulStyle};
use crate::rtl::*;
use rust_hdl::core::prelude::*;
use rust_hdl::widgets::prelude::DFF;

type Elem = Bits<256>;

#[derive(LogicBlock)]
pub struct NttStage {
    pub clock: Signal<In, Clock>,
    pub enable: Signal<In, Bit>,
    pub clear: Signal<In, Bit>,
    pub active: Signal<In, Bit>,
    pub inverse: Signal<In, Bit>,
    pub x: Signal<In, Elem>,
    pub v: Signal<In, Bit>,
    pub y: Signal<Out, Elem>,
    pub vo: Signal<Out, Bit>,
    slot: DFF<Bits<16>>,
    phase: Signal<Local, Bit>,
    j: Signal<Local, Bits<16>>,
    d_in: Delay<256>,
    addu: ModAddSub<256>,
    subu: ModAddSub<256>,
    j_delay: Delay<16>,
    rom: Rom<256>,
    mul: MontMul<256, 512>,
    sum_delay: Delay<256>,
    p_delay: Delay<1>,
    d_out: Delay<256>,
    out_reg: EnReg<Elem>,
    v_delay: Delay<1>,
    _h: usize,
    _latency: usize,
}

impl NttStage {
    fn new(curve: Curve, field: &FieldParams, style: MulStyle, h: usize) -> Self {
        let mul = MontMul::new(field, style);
        let l = mul.latency();
        let lb = mod_add::LATENCY + l;
        let mut rom = twiddles::stage(curve, h, false);
        rom.extend(twiddles::stage(curve, h, true));
        Self {
            clock: Default::default(),
            enable: Default::default(),
            clear: Default::default(),
            active: Default::default(),
            inverse: Default::default(),
            x: Default::default(),
            v: Default::default(),
            y: Default::default(),
            vo: Default::default(),
            slot: Default::default(),
            phase: Default::default(),
            j: Default::default(),
            d_in: Delay::new(h),
            addu: ModAddSub::new(field, AddSubOp::Add),
            subu: ModAddSub::new(field, AddSubOp::Sub),
            j_delay: Delay::new(mod_add::LATENCY),
            rom: Rom::new(rom),
            mul,
            sum_delay: Delay::new(l),
            p_delay: Delay::new(lb),
            d_out: Delay::new(h),
            out_reg: Default::default(),
            v_delay: Delay::new(h + lb + 1),
            _h: h,
            _latency: h + lb + 1,
        }
    }
}

const STAGE_CHILDREN: [&str; 11] = [
    "d_in",
    "addu",
    "subu",
    "j_delay",
    "mul",
    "sum_delay",
    "p_delay",
    "d_out",
    "out_reg",
    "v_delay",
    "slot",
];

impl Logic for NttStage {
    fn update(&mut self) {
        let (clock, enable) = (self.clock.val(), self.enable.val());
        let h = self._h as u64;
        let slot = self.slot.q.val().to_u64();
        self.slot.clock.next = clock;
        self.slot.d.next = if self.clear.val() {
            bits(0)
        } else if enable && self.v.val() && self.active.val() {
            bits((slot + 1) & (2 * h - 1))
        } else {
            self.slot.q.val()
        };
        let phase = slot & h != 0;
        let j = slot & (h - 1);
        self.phase.next = phase;
        self.j.next = bits(j);
        macro_rules! pipe {
            ($($c:ident),*) => { $( self.$c.clock.next = clock; self.$c.enable.next = enable; )* };
        }
        pipe!(d_in, addu, subu, j_delay, mul, sum_delay, p_delay, d_out, out_reg, v_delay);
        let x = self.x.val();
        self.d_in.din.next = x;
        self.addu.a.next = self.d_in.dout.val();
        self.addu.b.next = x;
        self.subu.a.next = self.d_in.dout.val();
        self.subu.b.next = x;
        self.j_delay.din.next = bits(j);
        let jd = self.j_delay.dout.val().to_u64();
        self.rom.addr.next = bits(if self.inverse.val() { jd + h } else { jd });
        self.mul.a.next = self.subu.r.val();
        self.mul.b.next = self.rom.data.val();
        self.sum_delay.din.next = self.addu.r.val();
        self.p_delay.din.next = bits(phase as u64);
        self.d_out.din.next = self.mul.r.val();
        self.out_reg.d.next = if self.p_delay.dout.val().get_bit(0) {
            self.sum_delay.dout.val()
        } else {
            self.d_out.dout.val()
        };
        // Only an active stage's own elements enter its valid line: elements passing through
        // an inactive stage must not surface when a later, larger job activates it.
        self.v_delay.din.next = bits((self.v.val() && self.active.val()) as u64);
        let active = self.active.val();
        self.y.next = if active { self.out_reg.q.val() } else { x };
        self.vo.next = if active {
            self.v_delay.dout.val().get_bit(0)
        } else {
            self.v.val()
        };
    }

    fn connect(&mut self) {
        self.phase.connect();
        self.j.connect();
        self.y.connect();
        self.vo.connect();
    }

    fn hdl(&self) -> Verilog {
        let h = self._h as u64;
        let mut s = vec![clock_only("slot")];
        for c in STAGE_CHILDREN.iter().take(10) {
            s.extend(clock_to(c));
        }
        s.push(if_else(
            sig("clear"),
            vec![assign("slot$d", lit_u(0, 16))],
            vec![if_else(
                and_all([sig("enable"), sig("v"), sig("active")]),
                vec![assign(
                    "slot$d",
                    and(add(sig("slot$q"), lit_u(1, 16)), lit_u(2 * h - 1, 16)),
                )],
                vec![assign("slot$d", sig("slot$q"))],
            )],
        ));
        s.push(assign(
            "phase",
            index(sig("slot$q"), h.trailing_zeros() as usize),
        ));
        s.push(assign("j", and(sig("slot$q"), lit_u(h - 1, 16))));
        s.push(assign("d_in$din", sig("x")));
        for u in ["addu", "subu"] {
            s.push(assign(format!("{u}$a"), sig("d_in$dout")));
            s.push(assign(format!("{u}$b"), sig("x")));
        }
        s.push(assign("j_delay$din", sig("j")));
        s.push(mux_assign(
            "rom$addr",
            sig("inverse"),
            add(sig("j_delay$dout"), lit_u(h, 16)),
            sig("j_delay$dout"),
        ));
        s.push(assign("mul$a", sig("subu$r")));
        s.push(assign("mul$b", sig("rom$data")));
        s.push(assign("sum_delay$din", sig("addu$r")));
        s.push(assign("p_delay$din", sig("phase")));
        s.push(assign("d_out$din", sig("mul$r")));
        s.push(mux_assign(
            "out_reg$d",
            sig("p_delay$dout"),
            sig("sum_delay$dout"),
            sig("d_out$dout"),
        ));
        s.push(assign("v_delay$din", and(sig("v"), sig("active"))));
        s.push(mux_assign("y", sig("active"), sig("out_reg$q"), sig("x")));
        s.push(mux_assign(
            "vo",
            sig("active"),
            sig("v_delay$dout"),
            sig("v"),
        ));
        comb(s)
    }
}

/// The NTT core of size N = 2^log_size.
#[derive(LogicBlock)]
pub struct NttCore {
    pub clock: Signal<In, Clock>,
    /// Clock enable: one element slot per enabled cycle.
    pub enable: Signal<In, Bit>,
    /// Resets the stages' slot counters (between jobs).
    pub clear: Signal<In, Bit>,
    pub inverse: Signal<In, Bit>,
    /// m of the active size n = 2^m (1 ≤ m ≤ log_size).
    pub log_n: Signal<In, Bits<8>>,
    pub x: Signal<In, Elem>,
    pub v: Signal<In, Bit>,
    pub y: Signal<Out, Elem>,
    pub vo: Signal<Out, Bit>,
    stages: Vec<NttStage>,
    scale_rom: Rom<256>,
    scale: MontMul<256, 512>,
    v_scale: Delay<1>,
    _stage_latency: Vec<usize>,
}

impl NttCore {
    pub fn new(curve: Curve, style: MulStyle, log_size: usize) -> Self {
        let field = curve.scalar_field().params();
        assert!((1..=16).contains(&log_size));
        let stages: Vec<NttStage> = (0..log_size)
            .map(|s| NttStage::new(curve, &field, style, 1 << (log_size - 1 - s)))
            .collect();
        let mut scale = vec![twiddles::field_one(curve)];
        scale.extend(twiddles::inverse_size_factors(curve, log_size));
        let mul = MontMul::new(&field, style);
        let l = mul.latency();
        Self {
            clock: Default::default(),
            enable: Default::default(),
            clear: Default::default(),
            inverse: Default::default(),
            log_n: Default::default(),
            x: Default::default(),
            v: Default::default(),
            y: Default::default(),
            vo: Default::default(),
            _stage_latency: stages.iter().map(|s| s._latency).collect(),
            stages,
            scale_rom: Rom::new(scale),
            scale: mul,
            v_scale: Delay::new(l),
        }
    }

    /// log2 of the core size N.
    pub fn log_size(&self) -> usize {
        self.stages.len()
    }

    /// Enabled cycles from the first element of a size-2^m NTT in to its first result out.
    pub fn latency(&self, m: usize) -> usize {
        let k = self.stages.len();
        let stages: usize = self._stage_latency[k - m..].iter().sum();
        stages + self.v_scale_len()
    }

    fn v_scale_len(&self) -> usize {
        self.scale.latency()
    }
}

impl Logic for NttCore {
    fn update(&mut self) {
        let (clock, enable) = (self.clock.val(), self.enable.val());
        let k = self.stages.len();
        let m = self.log_n.val().to_u64() as usize;
        for s in 0..k {
            let (x, v) = if s == 0 {
                (self.x.val(), self.v.val())
            } else {
                (self.stages[s - 1].y.val(), self.stages[s - 1].vo.val())
            };
            let st = &mut self.stages[s];
            st.clock.next = clock;
            st.enable.next = enable;
            st.clear.next = self.clear.val();
            st.inverse.next = self.inverse.val();
            st.active.next = k - 1 - s < m;
            st.x.next = x;
            st.v.next = v;
        }
        let inverse = self.inverse.val();
        self.scale_rom.addr.next = bits(if inverse { 1 + m as u64 } else { 0 });
        self.scale.clock.next = clock;
        self.scale.enable.next = enable;
        self.scale.a.next = self.stages[k - 1].y.val();
        self.scale.b.next = self.scale_rom.data.val();
        self.v_scale.clock.next = clock;
        self.v_scale.enable.next = enable;
        self.v_scale.din.next = bits(self.stages[k - 1].vo.val() as u64);
        self.y.next = self.scale.r.val();
        self.vo.next = self.v_scale.dout.val().get_bit(0);
    }

    fn connect(&mut self) {
        self.y.connect();
        self.vo.connect();
    }

    fn hdl(&self) -> Verilog {
        let k = self.stages.len();
        let mut s = vec![];
        for st in 0..k {
            let name = format!("stages${st}");
            let (x, v) = if st == 0 {
                (sig("x"), sig("v"))
            } else {
                (
                    sig(format!("stages${}$y", st - 1)),
                    sig(format!("stages${}$vo", st - 1)),
                )
            };
            s.extend(clock_to(&name));
            s.push(assign(format!("{name}$clear"), sig("clear")));
            s.push(assign(format!("{name}$inverse"), sig("inverse")));
            s.push(assign(
                format!("{name}$active"),
                lt(lit_u((k - 1 - st) as u64, 8), sig("log_n")),
            ));
            s.push(assign(format!("{name}$x"), x));
            s.push(assign(format!("{name}$v"), v));
        }
        s.push(mux_assign(
            "scale_rom$addr",
            sig("inverse"),
            add(cast(sig("log_n"), 16), lit_u(1, 16)),
            lit_u(0, 16),
        ));
        s.extend(clock_to("scale"));
        s.extend(clock_to("v_scale"));
        s.push(assign("scale$a", sig(format!("stages${}$y", k - 1))));
        s.push(assign("scale$b", sig("scale_rom$data")));
        s.push(assign("v_scale$din", sig(format!("stages${}$vo", k - 1))));
        s.push(assign("y", sig("scale$r")));
        s.push(assign("vo", sig("v_scale$dout")));
        comb(s)
    }
}
