//! `ModAdd` and `ModSub`: pipelined modular addition and subtraction, results in [0, p).
//!
//! Both are two [`PipeAdd`]s and a select, latency [`LATENCY`] = 5:
//! * add: `s = a + b` (fits W bits since 2p < 2^W), then `d = s − p` as `s + ~p + 1`; the
//!   carry out of the second adder says `s ≥ p`, so the result is `d`, else `s`.
//! * sub: `d = a − b` as `a + ~b + 1` (carry out ⇔ no borrow), then `e = d + p`; the result
//!   is `d` without borrow, else `e`.
//!
//! Operands must be below p.

use super::en_reg::EnReg;
use super::pipe_add::PipeAdd;
use crate::rtl::*;
use num_bigint::BigUint;
use rust_hdl::core::prelude::*;
use zkpipe_spec::field::FieldParams;

/// Clock cycles from operands to result for [`ModAdd`] and [`ModSub`].
pub const LATENCY: usize = 2 * PipeAdd::<256>::LATENCY + 1;

/// Which of the two operations a [`ModAddSub`] computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddSubOp {
    Add,
    Sub,
}

/// Modular add or subtract (fixed at generation time).
#[derive(LogicBlock)]
pub struct ModAddSub<const W: usize> {
    pub clock: Signal<In, Clock>,
    /// Clock enable of every register: low holds the pipeline.
    pub enable: Signal<In, Bit>,
    pub a: Signal<In, Bits<W>>,
    pub b: Signal<In, Bits<W>>,
    pub r: Signal<Out, Bits<W>>,
    /// `~p` for add (second stage subtracts p), `p` for sub (second stage adds p).
    correction: Constant<Bits<W>>,
    first: PipeAdd<W>,
    second: PipeAdd<W>,
    value_delay: Vec<EnReg<Bits<W>>>,
    flag_delay: Vec<EnReg<Bit>>,
    out_reg: EnReg<Bits<W>>,
    _op: AddSubOp,
}

/// `r = a + b mod p`.
pub type ModAdd<const W: usize> = ModAddSub<W>;
/// `r = a − b mod p`.
pub type ModSub<const W: usize> = ModAddSub<W>;

impl<const W: usize> ModAddSub<W> {
    pub fn new(field: &FieldParams, op: AddSubOp) -> Self {
        assert_eq!(field.width(), W, "{}: width mismatch", field.id);
        let mask = field.r() - 1u32;
        let correction: BigUint = match op {
            AddSubOp::Add => &field.modulus ^ &mask,
            AddSubOp::Sub => field.modulus.clone(),
        };
        Self {
            clock: Default::default(),
            enable: Default::default(),
            a: Default::default(),
            b: Default::default(),
            r: Default::default(),
            correction: Constant::new(correction.into()),
            first: Default::default(),
            second: Default::default(),
            value_delay: (0..PipeAdd::<W>::LATENCY)
                .map(|_| Default::default())
                .collect(),
            flag_delay: (0..PipeAdd::<W>::LATENCY)
                .map(|_| Default::default())
                .collect(),
            out_reg: Default::default(),
            _op: op,
        }
    }

    pub fn latency(&self) -> usize {
        LATENCY
    }
}

impl<const W: usize> Logic for ModAddSub<W> {
    fn update(&mut self) {
        let clock = self.clock.val();
        let enable = self.enable.val();
        let add = self._op == AddSubOp::Add;
        self.first.clock.next = clock;
        self.first.enable.next = enable;
        self.first.a.next = self.a.val();
        self.first.b.next = if add { self.b.val() } else { !self.b.val() };
        self.first.cin.next = !add;
        self.second.clock.next = clock;
        self.second.enable.next = enable;
        self.second.a.next = self.first.sum.val();
        self.second.b.next = self.correction.val();
        self.second.cin.next = add;
        let last = self.value_delay.len() - 1;
        for k in 0..=last {
            self.value_delay[k].clock.next = clock;
            self.value_delay[k].enable.next = enable;
            self.flag_delay[k].clock.next = clock;
            self.flag_delay[k].enable.next = enable;
            if k == 0 {
                self.value_delay[0].d.next = self.first.sum.val();
                self.flag_delay[0].d.next = self.first.cout.val();
            } else {
                self.value_delay[k].d.next = self.value_delay[k - 1].q.val();
                self.flag_delay[k].d.next = self.flag_delay[k - 1].q.val();
            }
        }
        // add: take s − p when it did not borrow; sub: take a − b when it did not borrow.
        let take_second = if add {
            self.second.cout.val()
        } else {
            !self.flag_delay[last].q.val()
        };
        self.out_reg.clock.next = clock;
        self.out_reg.enable.next = enable;
        self.out_reg.d.next = if take_second {
            self.second.sum.val()
        } else {
            self.value_delay[last].q.val()
        };
        self.r.next = self.out_reg.q.val();
    }

    fn connect(&mut self) {
        for a in [&mut self.first, &mut self.second] {
            a.clock.connect();
            a.enable.connect();
            a.a.connect();
            a.b.connect();
            a.cin.connect();
        }
        for r in &mut self.value_delay {
            r.clock.connect();
            r.enable.connect();
            r.d.connect();
        }
        for r in &mut self.flag_delay {
            r.clock.connect();
            r.enable.connect();
            r.d.connect();
        }
        self.out_reg.clock.connect();
        self.out_reg.enable.connect();
        self.out_reg.d.connect();
        self.r.connect();
    }

    fn hdl(&self) -> Verilog {
        let add_op = self._op == AddSubOp::Add;
        let mut s = vec![];
        for r in ["first", "second", "out_reg"] {
            s.extend(clock_to(r));
        }
        s.push(assign("first$a", sig("a")));
        s.push(assign(
            "first$b",
            if add_op { sig("b") } else { not(sig("b")) },
        ));
        s.push(assign("first$cin", bit(!add_op)));
        s.push(assign("second$a", sig("first$sum")));
        s.push(assign("second$b", sig("correction")));
        s.push(assign("second$cin", bit(add_op)));
        let last = self.value_delay.len() - 1;
        for k in 0..=last {
            s.extend(clock_to(&format!("value_delay${k}")));
            s.extend(clock_to(&format!("flag_delay${k}")));
            let (v, f) = if k == 0 {
                (sig("first$sum"), sig("first$cout"))
            } else {
                (
                    sig(format!("value_delay${}$q", k - 1)),
                    sig(format!("flag_delay${}$q", k - 1)),
                )
            };
            s.push(assign(format!("value_delay${k}$d"), v));
            s.push(assign(format!("flag_delay${k}$d"), f));
        }
        let take_second = if add_op {
            sig("second$cout")
        } else {
            not(sig(format!("flag_delay${last}$q")))
        };
        s.push(if_else(
            take_second,
            vec![assign("out_reg$d", sig("second$sum"))],
            vec![assign("out_reg$d", sig(format!("value_delay${last}$q")))],
        ));
        s.push(assign("r", sig("out_reg$q")));
        comb(s)
    }
}
