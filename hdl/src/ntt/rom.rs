//! `Rom<W>`: a combinational lookup table filled at generation time (twiddles, scale
//! factors). Unlisted addresses read zero.

use num_bigint::BigUint;
use rust_hdl::core::prelude::*;

/// Address width of every ROM (up to 2^16 entries).
pub const ROM_ADDR_BITS: usize = 16;

#[derive(LogicBlock)]
pub struct Rom<const W: usize> {
    pub addr: Signal<In, Bits<ROM_ADDR_BITS>>,
    pub data: Signal<Out, Bits<W>>,
    _contents: Vec<Bits<W>>,
    _raw: Vec<BigUint>,
}

impl<const W: usize> Rom<W> {
    pub fn new(contents: Vec<BigUint>) -> Self {
        assert!(contents.len() <= 1 << ROM_ADDR_BITS);
        Self {
            addr: Default::default(),
            data: Default::default(),
            _contents: contents.iter().map(|c| c.clone().into()).collect(),
            _raw: contents,
        }
    }
}

impl<const W: usize> Logic for Rom<W> {
    fn update(&mut self) {
        let a = self.addr.val().to_u64() as usize;
        self.data.next = self._contents.get(a).copied().unwrap_or_default();
    }
    fn connect(&mut self) {
        self.data.connect();
    }
    fn hdl(&self) -> Verilog {
        // Written as text (a case statement, as rust-hdl would emit it) so that the
        // resource marker travels with the table.
        let mut v = String::from("always @(*) begin\n  case (addr)\n");
        for (i, x) in self._raw.iter().enumerate() {
            v += &format!("    {ROM_ADDR_BITS}'d{i}: data = {W}'h{x:x};\n");
        }
        v += &format!("    default: data = {W}'h0;\n  endcase\nend\n");
        v += &crate::resources::marker(crate::resources::Kind::Bram, (self._raw.len() * W) as u64);
        Verilog::Custom(v)
    }
}
