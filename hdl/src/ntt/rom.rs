//! `Rom<W>`: a combinational lookup table filled at generation time (twiddles, scale
//! factors). Unlisted addresses read zero.

use crate::rtl::*;
use num_bigint::BigUint;
use rust_hdl::core::ast::{VerilogCase, VerilogMatch, VerilogStatement};
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
        let mut cases: Vec<VerilogCase> = self
            ._raw
            .iter()
            .enumerate()
            .map(|(i, v)| VerilogCase {
                condition: format!("{ROM_ADDR_BITS}'d{i}"),
                block: vec![assign("data", lit(v, W))],
            })
            .collect();
        cases.push(VerilogCase {
            condition: "default".into(),
            block: vec![assign("data", lit(&BigUint::default(), W))],
        });
        comb(vec![VerilogStatement::Match(VerilogMatch {
            test: sig("addr"),
            cases,
        })])
    }
}
