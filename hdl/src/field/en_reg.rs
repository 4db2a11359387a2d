//! `EnReg`: a register with clock enable, the only register the arithmetic uses.
//!
//! Every pipeline register of a unit shares the unit's `enable`: with it low the whole
//! pipeline holds its state, which is how the board's kernels stall on an empty input or a
//! full output without breaking fixed-latency recurrences (e.g. running powers g^i).
//! After synthesis the enable is the CE pin of the flip-flop (FDRE), not a mux.

use rust_hdl::core::prelude::*;
use rust_hdl::widgets::prelude::DFF;

#[derive(LogicBlock, Default)]
pub struct EnReg<T: Synth> {
    pub clock: Signal<In, Clock>,
    pub enable: Signal<In, Bit>,
    pub d: Signal<In, T>,
    pub q: Signal<Out, T>,
    held: DFF<T>,
}

impl<T: Synth> Logic for EnReg<T> {
    #[hdl_gen]
    fn update(&mut self) {
        self.held.clock.next = self.clock.val();
        self.held.d.next = self.held.q.val();
        if self.enable.val() {
            self.held.d.next = self.d.val();
        }
        self.q.next = self.held.q.val();
    }
}
