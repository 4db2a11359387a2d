//! `MontMul`: pipelined Montgomery multiplication `r = a·b·R⁻¹ mod p` with ark-ff's
//! R = 2^W (W = 64·limbs), one result per clock.
//!
//! One-shot (full-width) reduction, three multipliers in a row:
//! ```text
//! T = a·b                      (2W bits)
//! m = (T mod R)·(−p⁻¹) mod R   (low half only)
//! u = m·p                      (2W bits; T + u ≡ 0 mod R by construction)
//! t = (T + u)/R = T_hi + u_hi + [T_lo ≠ 0]     (< 2p, the low half of T + u is zero and
//!                                               carries out exactly when T_lo ≠ 0)
//! r = t ≥ p ? t − p : t
//! ```
//! Inputs must be below p (any Montgomery-form ark-ff element is); the output is in [0, p).
//! Only `T_hi` and one flag wait in the delay line while `m` and `u` are computed.
//!
//! The `karatsuba` style computes `u` truncated and with `T_lo` added inside its adder
//! tree (`S = T_lo + H`, H = the kept tiles of m·p): `t = T_hi + S_hi + [S_lo ≠ 0]`,
//! exact because the dropped tiles sum below R (`product_plan.rs` has the argument).
//! `T_lo` then waits for `m` instead of a flag for `m` and `u`.

use super::en_reg::EnReg;
use super::multiplier::{Multiplier, Product};
use super::pipe_add::PipeAdd;
use crate::preset::MulStyle;
use crate::rtl::*;
use num_bigint::BigUint;
use rust_hdl::core::prelude::*;
use zkpipe_spec::field::FieldParams;

#[derive(LogicBlock)]
pub struct MontMul<const W: usize, const W2: usize> {
    pub clock: Signal<In, Clock>,
    /// Clock enable of every register: low holds the pipeline.
    pub enable: Signal<In, Bit>,
    pub a: Signal<In, Bits<W>>,
    pub b: Signal<In, Bits<W>>,
    pub r: Signal<Out, Bits<W>>,
    modulus: Constant<Bits<W>>,
    modulus_not: Constant<Bits<W>>,
    neg_p_inv: Constant<Bits<W>>,
    mul_ab: Multiplier<W, W2>,
    mul_m: Multiplier<W, W2>,
    mul_u: Multiplier<W, W2>,
    t_hi_delay: Vec<EnReg<Bits<W>>>,
    nonzero_delay: Vec<EnReg<Bit>>,
    /// `T_lo` on its way to the truncated product's addend (`karatsuba` style only).
    t_lo_delay: Vec<EnReg<Bits<W>>>,
    add_hi: PipeAdd<W>,
    sub_p: PipeAdd<W>,
    t_delay: Vec<EnReg<Bits<W>>>,
    out_reg: EnReg<Bits<W>>,
}

fn constant<const W: usize>(x: &BigUint) -> Constant<Bits<W>> {
    Constant::new(x.clone().into())
}

impl<const W: usize, const W2: usize> MontMul<W, W2> {
    pub fn new(field: &FieldParams, style: MulStyle) -> Self {
        assert_eq!(field.width(), W, "{}: MontMul width mismatch", field.id);
        let mask = field.r() - 1u32;
        let max = &field.modulus - 1u32;
        let mul_ab = Multiplier::new(style, Product::Full { max: &max });
        let mul_m = Multiplier::new(
            style,
            Product::LowHalf {
                constant: &field.neg_p_inv_r,
            },
        );
        let mul_u = Multiplier::new(
            style,
            Product::HighTruncated {
                constant: &field.modulus,
            },
        );
        let wait = mul_m.latency() + mul_u.latency();
        let truncated = mul_u.adds_addend();
        let (flag_wait, t_lo_wait) = if truncated {
            (0, mul_m.latency())
        } else {
            (wait, 0)
        };
        Self {
            clock: Default::default(),
            enable: Default::default(),
            a: Default::default(),
            b: Default::default(),
            r: Default::default(),
            modulus: constant(&field.modulus),
            modulus_not: constant(&(&field.modulus ^ &mask)),
            neg_p_inv: constant(&field.neg_p_inv_r),
            mul_ab,
            mul_m,
            mul_u,
            t_hi_delay: (0..wait).map(|_| Default::default()).collect(),
            nonzero_delay: (0..flag_wait).map(|_| Default::default()).collect(),
            t_lo_delay: (0..t_lo_wait).map(|_| Default::default()).collect(),
            // The truncated style's flag is an OR over `S_lo` straight from `mul_u`: it
            // enters add_hi's second stage so that it never precedes a 128-bit chain.
            add_hi: if truncated {
                PipeAdd::with_late_cin()
            } else {
                PipeAdd::default()
            },
            sub_p: Default::default(),
            t_delay: (0..PipeAdd::<W>::LATENCY)
                .map(|_| Default::default())
                .collect(),
            out_reg: Default::default(),
        }
    }

    /// Clock cycles from operands to result.
    pub fn latency(&self) -> usize {
        self.mul_ab.latency()
            + self.t_hi_delay.len()
            + PipeAdd::<W>::LATENCY
            + PipeAdd::<W>::LATENCY
            + 1
    }

    /// DSP-sized tiles of the three multipliers (0 in the behavioural style).
    pub fn tile_count(&self) -> usize {
        self.mul_ab.tile_count() + self.mul_m.tile_count() + self.mul_u.tile_count()
    }
}

impl<const W: usize, const W2: usize> Logic for MontMul<W, W2> {
    fn update(&mut self) {
        let clock = self.clock.val();
        let enable = self.enable.val();
        self.mul_ab.clock.next = clock;
        self.mul_ab.enable.next = enable;
        self.mul_m.clock.next = clock;
        self.mul_m.enable.next = enable;
        self.mul_u.clock.next = clock;
        self.mul_u.enable.next = enable;
        self.mul_ab.a.next = self.a.val();
        self.mul_ab.b.next = self.b.val();
        let t = self.mul_ab.p.val();
        self.mul_m.a.next = t.get_bits::<W>(0);
        self.mul_m.b.next = self.neg_p_inv.val();
        self.mul_u.a.next = self.mul_m.p.val().get_bits::<W>(0);
        self.mul_u.b.next = self.modulus.val();
        let depth = self.t_hi_delay.len();
        for k in 0..depth {
            self.t_hi_delay[k].clock.next = clock;
            self.t_hi_delay[k].enable.next = enable;
            self.t_hi_delay[k].d.next = if k == 0 {
                t.get_bits::<W>(W)
            } else {
                self.t_hi_delay[k - 1].q.val()
            };
        }
        for k in 0..self.nonzero_delay.len() {
            self.nonzero_delay[k].clock.next = clock;
            self.nonzero_delay[k].enable.next = enable;
            self.nonzero_delay[k].d.next = if k == 0 {
                t.get_bits::<W>(0).any()
            } else {
                self.nonzero_delay[k - 1].q.val()
            };
        }
        for k in 0..self.t_lo_delay.len() {
            self.t_lo_delay[k].clock.next = clock;
            self.t_lo_delay[k].enable.next = enable;
            self.t_lo_delay[k].d.next = if k == 0 {
                t.get_bits::<W>(0)
            } else {
                self.t_lo_delay[k - 1].q.val()
            };
        }
        self.mul_ab.addend.next = Default::default();
        self.mul_m.addend.next = Default::default();
        self.mul_u.addend.next = match self.t_lo_delay.last() {
            Some(r) => bit_cast::<W2, W>(r.q.val()),
            None => Default::default(),
        };
        let u = self.mul_u.p.val();
        self.add_hi.clock.next = clock;
        self.add_hi.enable.next = enable;
        self.add_hi.a.next = self.t_hi_delay[depth - 1].q.val();
        self.add_hi.b.next = u.get_bits::<W>(W);
        self.add_hi.cin.next = match self.nonzero_delay.last() {
            Some(r) => r.q.val(),
            None => u.get_bits::<W>(0).any(),
        };
        self.sub_p.clock.next = clock;
        self.sub_p.enable.next = enable;
        self.sub_p.a.next = self.add_hi.sum.val();
        self.sub_p.b.next = self.modulus_not.val();
        self.sub_p.cin.next = true;
        let last = self.t_delay.len() - 1;
        for k in 0..=last {
            self.t_delay[k].clock.next = clock;
            self.t_delay[k].enable.next = enable;
            self.t_delay[k].d.next = if k == 0 {
                self.add_hi.sum.val()
            } else {
                self.t_delay[k - 1].q.val()
            };
        }
        self.out_reg.clock.next = clock;
        self.out_reg.enable.next = enable;
        self.out_reg.d.next = if self.sub_p.cout.val() {
            self.sub_p.sum.val()
        } else {
            self.t_delay[last].q.val()
        };
        self.r.next = self.out_reg.q.val();
    }

    fn connect(&mut self) {
        for m in [&mut self.mul_ab, &mut self.mul_m, &mut self.mul_u] {
            m.clock.connect();
            m.enable.connect();
            m.a.connect();
            m.b.connect();
            m.addend.connect();
        }
        for r in &mut self.t_lo_delay {
            r.clock.connect();
            r.enable.connect();
            r.d.connect();
        }
        for r in &mut self.t_hi_delay {
            r.clock.connect();
            r.enable.connect();
            r.d.connect();
        }
        for r in &mut self.nonzero_delay {
            r.clock.connect();
            r.enable.connect();
            r.d.connect();
        }
        for r in &mut self.t_delay {
            r.clock.connect();
            r.enable.connect();
            r.d.connect();
        }
        for a in [&mut self.add_hi, &mut self.sub_p] {
            a.clock.connect();
            a.enable.connect();
            a.a.connect();
            a.b.connect();
            a.cin.connect();
        }
        self.out_reg.clock.connect();
        self.out_reg.enable.connect();
        self.out_reg.d.connect();
        self.r.connect();
    }

    fn hdl(&self) -> Verilog {
        let mut s = vec![];
        for m in ["mul_ab", "mul_m", "mul_u", "add_hi", "sub_p", "out_reg"] {
            s.extend(clock_to(m));
        }
        s.push(assign("mul_ab$a", sig("a")));
        s.push(assign("mul_ab$b", sig("b")));
        s.push(assign("mul_m$a", slice(sig("mul_ab$p"), 0, W)));
        s.push(assign("mul_m$b", sig("neg_p_inv")));
        s.push(assign("mul_u$a", slice(sig("mul_m$p"), 0, W)));
        s.push(assign("mul_u$b", sig("modulus")));
        let depth = self.t_hi_delay.len();
        let line = |s: &mut Vec<Stmt>, name: &str, len: usize, first: Expr| {
            for k in 0..len {
                s.extend(clock_to(&format!("{name}${k}")));
                let src = if k == 0 {
                    first.clone()
                } else {
                    sig(format!("{name}${}$q", k - 1))
                };
                s.push(assign(format!("{name}${k}$d"), src));
            }
        };
        line(&mut s, "t_hi_delay", depth, slice(sig("mul_ab$p"), W, W));
        let nz_len = self.nonzero_delay.len();
        line(
            &mut s,
            "nonzero_delay",
            nz_len,
            any(slice(sig("mul_ab$p"), 0, W)),
        );
        let lo_len = self.t_lo_delay.len();
        line(&mut s, "t_lo_delay", lo_len, slice(sig("mul_ab$p"), 0, W));
        let zero2 = lit(&BigUint::default(), W2);
        s.push(assign("mul_ab$addend", zero2.clone()));
        s.push(assign("mul_m$addend", zero2.clone()));
        s.push(assign(
            "mul_u$addend",
            match lo_len {
                0 => zero2,
                n => cast(sig(format!("t_lo_delay${}$q", n - 1)), W2),
            },
        ));
        s.push(assign(
            "add_hi$a",
            sig(format!("t_hi_delay${}$q", depth - 1)),
        ));
        s.push(assign("add_hi$b", slice(sig("mul_u$p"), W, W)));
        s.push(assign(
            "add_hi$cin",
            match nz_len {
                0 => any(slice(sig("mul_u$p"), 0, W)),
                n => sig(format!("nonzero_delay${}$q", n - 1)),
            },
        ));
        s.push(assign("sub_p$a", sig("add_hi$sum")));
        s.push(assign("sub_p$b", sig("modulus_not")));
        s.push(assign("sub_p$cin", bit(true)));
        let last = self.t_delay.len() - 1;
        for k in 0..=last {
            s.extend(clock_to(&format!("t_delay${k}")));
            let src = if k == 0 {
                sig("add_hi$sum")
            } else {
                sig(format!("t_delay${}$q", k - 1))
            };
            s.push(assign(format!("t_delay${k}$d"), src));
        }
        s.push(if_else(
            sig("sub_p$cout"),
            vec![assign("out_reg$d", sig("sub_p$sum"))],
            vec![assign("out_reg$d", sig(format!("t_delay${last}$q")))],
        ));
        s.push(assign("r", sig("out_reg$q")));
        comb(s)
    }
}
