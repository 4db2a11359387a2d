//! `Ram<W>`: a simple dual-port memory with a registered read (one write port, one read
//! port, one clock) — the leaf primitive rust-hdl lacks in this form. Vivado infers block
//! RAM from it; Verilator models it as an array.
//!
//! The read register has no enable: a user holds `raddr` to keep `rdata` (see
//! [`super::reorder`]).

use rust_hdl::core::prelude::*;

/// Address width of every `Ram` (up to 2^16 words).
pub const RAM_ADDR_BITS: usize = 16;

#[derive(LogicBlock)]
pub struct Ram<const W: usize> {
    pub clock: Signal<In, Clock>,
    pub we: Signal<In, Bit>,
    pub waddr: Signal<In, Bits<RAM_ADDR_BITS>>,
    pub wdata: Signal<In, Bits<W>>,
    pub raddr: Signal<In, Bits<RAM_ADDR_BITS>>,
    pub rdata: Signal<Out, Bits<W>>,
    _mem: Vec<Bits<W>>,
    _rdata: Bits<W>,
}

impl<const W: usize> Ram<W> {
    pub fn new(depth: usize) -> Self {
        assert!((1..=1 << RAM_ADDR_BITS).contains(&depth));
        Self {
            clock: Default::default(),
            we: Default::default(),
            waddr: Default::default(),
            wdata: Default::default(),
            raddr: Default::default(),
            rdata: Default::default(),
            _mem: vec![Bits::default(); depth],
            _rdata: Bits::default(),
        }
    }

    pub fn depth(&self) -> usize {
        self._mem.len()
    }
}

impl<const W: usize> Logic for Ram<W> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let r = self.raddr.val().to_u64() as usize;
            self._rdata = self._mem.get(r).copied().unwrap_or_default();
            if self.we.val() {
                let w = self.waddr.val().to_u64() as usize;
                if let Some(slot) = self._mem.get_mut(w) {
                    *slot = self.wdata.val();
                }
            }
        }
        self.rdata.next = self._rdata;
    }
    fn connect(&mut self) {
        self.rdata.connect();
    }
    fn hdl(&self) -> Verilog {
        let depth = self._mem.len();
        Verilog::Custom(format!(
            "reg [{hi}:0] mem [0:{last}];\n\
             always @(posedge clock) begin\n\
             \x20 if (we) mem[waddr] <= wdata;\n\
             \x20 rdata <= mem[raddr];\n\
             end\n{marker}",
            hi = W - 1,
            last = depth - 1,
            marker = crate::resources::marker(crate::resources::Kind::Bram, (depth * W) as u64)
        ))
    }
}
