//! `Delay<W>`: a chain of [`EnReg`]s delaying a signal by a fixed number of enabled cycles
//! (zero: a wire).

use crate::field::en_reg::EnReg;
use crate::rtl::*;
use rust_hdl::core::prelude::*;

#[derive(LogicBlock)]
pub struct Delay<const W: usize> {
    pub clock: Signal<In, Clock>,
    pub enable: Signal<In, Bit>,
    pub din: Signal<In, Bits<W>>,
    pub dout: Signal<Out, Bits<W>>,
    regs: Vec<EnReg<Bits<W>>>,
}

impl<const W: usize> Delay<W> {
    pub fn new(cycles: usize) -> Self {
        Self {
            clock: Default::default(),
            enable: Default::default(),
            din: Default::default(),
            dout: Default::default(),
            regs: (0..cycles).map(|_| Default::default()).collect(),
        }
    }
}

impl<const W: usize> Logic for Delay<W> {
    fn update(&mut self) {
        let n = self.regs.len();
        for k in 0..n {
            self.regs[k].clock.next = self.clock.val();
            self.regs[k].enable.next = self.enable.val();
            self.regs[k].d.next = if k == 0 {
                self.din.val()
            } else {
                self.regs[k - 1].q.val()
            };
        }
        self.dout.next = if n == 0 {
            self.din.val()
        } else {
            self.regs[n - 1].q.val()
        };
    }
    fn connect(&mut self) {
        for r in &mut self.regs {
            r.clock.connect();
            r.enable.connect();
            r.d.connect();
        }
        self.dout.connect();
    }
    fn hdl(&self) -> Verilog {
        let n = self.regs.len();
        let mut s = vec![];
        for k in 0..n {
            s.extend(clock_to(&format!("regs${k}")));
            let src = if k == 0 {
                sig("din")
            } else {
                sig(format!("regs${}$q", k - 1))
            };
            s.push(assign(format!("regs${k}$d"), src));
        }
        let out = if n == 0 {
            sig("din")
        } else {
            sig(format!("regs${}$q", n - 1))
        };
        s.push(assign("dout", out));
        comb(s)
    }
}
