//! `PipeAdd`: a W-bit adder pipelined so that no stage has a carry chain longer than
//! [`SEGMENT_BITS`].
//!
//! Stage 1 adds each 128-bit segment independently and registers its sum, its carry-out
//! (generate) and whether the sum is all ones (propagate). Stage 2 resolves the carry into
//! every segment by carry-lookahead over the (at most six) segment flags and adds it with a
//! 128-bit increment. Latency [`PipeAdd::LATENCY`] = 2, one result per clock.
//!
//! [`PipeAdd::with_late_cin`] registers `cin` beside the stage-1 flags and adds it in
//! stage 2's lookahead instead of stage 1's chain, so a `cin` that is itself computed
//! (MontMul's `[S_lo ≠ 0]`, an OR tree over 384 bits) does not lengthen a 128-bit chain.

use super::en_reg::EnReg;
use crate::rtl::*;
use num_bigint::BigUint;
use rust_hdl::core::prelude::*;

/// Longest carry chain in one pipeline stage.
pub const SEGMENT_BITS: usize = 128;

/// `sum = a + b + cin mod 2^W`, `cout` = carry out of bit W−1. W must be a multiple of 128.
#[derive(LogicBlock)]
pub struct PipeAdd<const W: usize> {
    pub clock: Signal<In, Clock>,
    /// Clock enable of every register: low holds the pipeline.
    pub enable: Signal<In, Bit>,
    pub a: Signal<In, Bits<W>>,
    pub b: Signal<In, Bits<W>>,
    pub cin: Signal<In, Bit>,
    pub sum: Signal<Out, Bits<W>>,
    pub cout: Signal<Out, Bit>,
    seg_wide: Vec<Signal<Local, Bits<129>>>,
    seg_sum: Vec<EnReg<Bits<SEGMENT_BITS>>>,
    seg_gen: Vec<EnReg<Bit>>,
    seg_prop: Vec<EnReg<Bit>>,
    out_seg: Vec<EnReg<Bits<SEGMENT_BITS>>>,
    carry_out: EnReg<Bit>,
    /// `cin` registered for stage 2: one register with `late_cin`, none without.
    cin_reg: Vec<EnReg<Bit>>,
}

impl<const W: usize> Default for PipeAdd<W> {
    fn default() -> Self {
        assert!(
            W.is_multiple_of(SEGMENT_BITS),
            "PipeAdd width {W} is not a multiple of 128"
        );
        let n = W / SEGMENT_BITS;
        Self {
            clock: Default::default(),
            enable: Default::default(),
            a: Default::default(),
            b: Default::default(),
            cin: Default::default(),
            sum: Default::default(),
            cout: Default::default(),
            seg_wide: (0..n).map(|_| Default::default()).collect(),
            seg_sum: (0..n).map(|_| Default::default()).collect(),
            seg_gen: (0..n).map(|_| Default::default()).collect(),
            seg_prop: (0..n).map(|_| Default::default()).collect(),
            out_seg: (0..n).map(|_| Default::default()).collect(),
            carry_out: Default::default(),
            cin_reg: vec![],
        }
    }
}

impl<const W: usize> PipeAdd<W> {
    /// Clock cycles from operands to result.
    pub const LATENCY: usize = 2;

    /// The same sum, with `cin` added in stage 2 (see the module doc).
    pub fn with_late_cin() -> Self {
        Self {
            cin_reg: vec![Default::default()],
            ..Default::default()
        }
    }

    fn late_cin(&self) -> bool {
        !self.cin_reg.is_empty()
    }

    fn segments(&self) -> usize {
        W / SEGMENT_BITS
    }

    /// Carry into segment `k` as an expression over the stage-1 flags (lookahead).
    fn carry_expr(&self, k: usize) -> Expr {
        let mut c = if self.late_cin() {
            sig("cin_reg$0$q")
        } else {
            bit(false)
        };
        for j in 0..k {
            c = or(
                sig(format!("seg_gen${j}$q")),
                and(sig(format!("seg_prop${j}$q")), c),
            );
        }
        c
    }
}

impl<const W: usize> Logic for PipeAdd<W> {
    fn update(&mut self) {
        let n = self.segments();
        let mut carry = false;
        for r in &mut self.cin_reg {
            r.clock.next = self.clock.val();
            r.enable.next = self.enable.val();
            r.d.next = self.cin.val();
            carry = r.q.val();
        }
        let mut sum = Bits::<W>::default();
        for k in 0..n {
            let off = k * SEGMENT_BITS;
            let cin = if k == 0 && !self.late_cin() && self.cin.val() {
                1
            } else {
                0
            };
            let wide = bit_cast::<129, SEGMENT_BITS>(self.a.val().get_bits::<SEGMENT_BITS>(off))
                + bit_cast::<129, SEGMENT_BITS>(self.b.val().get_bits::<SEGMENT_BITS>(off))
                + bits::<129>(cin);
            self.seg_wide[k].next = wide;
            self.seg_sum[k].clock.next = self.clock.val();
            self.seg_sum[k].enable.next = self.enable.val();
            self.seg_gen[k].clock.next = self.clock.val();
            self.seg_gen[k].enable.next = self.enable.val();
            self.seg_prop[k].clock.next = self.clock.val();
            self.seg_prop[k].enable.next = self.enable.val();
            self.out_seg[k].clock.next = self.clock.val();
            self.out_seg[k].enable.next = self.enable.val();
            self.seg_sum[k].d.next = wide.get_bits::<SEGMENT_BITS>(0);
            self.seg_gen[k].d.next = wide.get_bit(SEGMENT_BITS);
            self.seg_prop[k].d.next = wide.get_bits::<SEGMENT_BITS>(0).all();
            // Stage 2, from the registered flags.
            self.out_seg[k].d.next = self.seg_sum[k].q.val() + bits::<SEGMENT_BITS>(carry as u64);
            carry = self.seg_gen[k].q.val() || (self.seg_prop[k].q.val() && carry);
            sum.set_bits::<SEGMENT_BITS>(off, self.out_seg[k].q.val());
        }
        self.carry_out.clock.next = self.clock.val();
        self.carry_out.enable.next = self.enable.val();
        self.carry_out.d.next = carry;
        self.sum.next = sum;
        self.cout.next = self.carry_out.q.val();
    }

    fn connect(&mut self) {
        for k in 0..self.segments() {
            self.seg_wide[k].connect();
            self.seg_sum[k].clock.connect();
            self.seg_sum[k].enable.connect();
            self.seg_sum[k].d.connect();
            self.seg_gen[k].clock.connect();
            self.seg_gen[k].enable.connect();
            self.seg_gen[k].d.connect();
            self.seg_prop[k].clock.connect();
            self.seg_prop[k].enable.connect();
            self.seg_prop[k].d.connect();
            self.out_seg[k].clock.connect();
            self.out_seg[k].enable.connect();
            self.out_seg[k].d.connect();
        }
        self.carry_out.clock.connect();
        self.carry_out.enable.connect();
        self.carry_out.d.connect();
        for r in &mut self.cin_reg {
            r.clock.connect();
            r.enable.connect();
            r.d.connect();
        }
        self.sum.connect();
        self.cout.connect();
    }

    fn hdl(&self) -> Verilog {
        let n = self.segments();
        let zero129 = lit(&BigUint::default(), 129);
        let mut s = vec![];
        for k in 0..n {
            let off = k * SEGMENT_BITS;
            let carry_in = if k == 0 && !self.late_cin() {
                cast(sig("cin"), 129)
            } else {
                zero129.clone()
            };
            s.push(assign(
                format!("seg_wide${k}"),
                add(
                    add(
                        cast(slice(sig("a"), off, SEGMENT_BITS), 129),
                        cast(slice(sig("b"), off, SEGMENT_BITS), 129),
                    ),
                    carry_in,
                ),
            ));
            for r in ["seg_sum", "seg_gen", "seg_prop", "out_seg"] {
                s.extend(clock_to(&format!("{r}${k}")));
            }
            let wide = sig(format!("seg_wide${k}"));
            s.push(assign(
                format!("seg_sum${k}$d"),
                slice(wide.clone(), 0, SEGMENT_BITS),
            ));
            s.push(assign(
                format!("seg_gen${k}$d"),
                index(wide.clone(), SEGMENT_BITS),
            ));
            s.push(assign(
                format!("seg_prop${k}$d"),
                all(slice(wide, 0, SEGMENT_BITS)),
            ));
            s.push(assign(
                format!("out_seg${k}$d"),
                add(
                    sig(format!("seg_sum${k}$q")),
                    cast(self.carry_expr(k), SEGMENT_BITS),
                ),
            ));
        }
        s.extend(clock_to("carry_out"));
        s.push(assign("carry_out$d", self.carry_expr(n)));
        if self.late_cin() {
            s.extend(clock_to("cin_reg$0"));
            s.push(assign("cin_reg$0$d", sig("cin")));
        }
        s.push(assign(
            "sum",
            or_all(
                (0..n).map(|k| shl(cast(sig(format!("out_seg${k}$q")), W), k * SEGMENT_BITS)),
                W,
            ),
        ));
        s.push(assign("cout", sig("carry_out$q")));
        comb(s)
    }
}
