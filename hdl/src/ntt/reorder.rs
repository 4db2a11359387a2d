//! `BitReverseBuffer`: turns the core's bit-reversed output into natural order on chip.
//!
//! Two banks of N words (one `Ram` of 2N). The writer stores the t-th result of an NTT of
//! size n = 2^m at address bitrev_m(t) of its bank; when the bank holds a whole NTT it is
//! marked full and the writer moves to the other bank. The reader streams a full bank out in
//! address order (natural order), one word per enabled cycle, then frees it. Writer and
//! reader share the clock enable, so in a continuous batch the writer fills one bank while
//! the reader empties the other: one element in and one out per cycle, with n cycles of
//! added latency. The writer can never reach a full bank: it needs n enabled cycles to fill
//! its bank, the reader n to empty the other.
//!
//! Held (enable low), the read address is the one of the word on `dout`, so `dout` and `vo`
//! are stable. `clear` empties both banks (between jobs).

use super::ram::Ram;
use crate::rtl::*;
use rust_hdl::core::prelude::*;
use rust_hdl::widgets::prelude::DFF;

type Elem = Bits<256>;

#[derive(LogicBlock)]
pub struct BitReverseBuffer {
    pub clock: Signal<In, Clock>,
    pub enable: Signal<In, Bit>,
    pub clear: Signal<In, Bit>,
    /// m of the job's NTT size n = 2^m (1 ≤ m ≤ log N).
    pub log_n: Signal<In, Bits<8>>,
    pub din: Signal<In, Elem>,
    pub vin: Signal<In, Bit>,
    pub dout: Signal<Out, Elem>,
    pub vo: Signal<Out, Bit>,
    ram: Ram<256>,
    wbank: DFF<Bit>,
    wt: DFF<Bits<16>>,
    rbank: DFF<Bit>,
    rt: DFF<Bits<16>>,
    full0: DFF<Bit>,
    full1: DFF<Bit>,
    vo_r: DFF<Bit>,
    held_addr: DFF<Bits<16>>,
    last: Signal<Local, Bits<16>>,
    shifted: Signal<Local, Bits<16>>,
    wrev: Signal<Local, Bits<16>>,
    rfull: Signal<Local, Bit>,
    wr: Signal<Local, Bit>,
    rd: Signal<Local, Bit>,
    raddr: Signal<Local, Bits<16>>,
    _log_size: usize,
}

const REGS: [&str; 8] = [
    "wbank",
    "wt",
    "rbank",
    "rt",
    "full0",
    "full1",
    "vo_r",
    "held_addr",
];

impl BitReverseBuffer {
    pub fn new(log_size: usize) -> Self {
        assert!((1..=15).contains(&log_size));
        Self {
            clock: Default::default(),
            enable: Default::default(),
            clear: Default::default(),
            log_n: Default::default(),
            din: Default::default(),
            vin: Default::default(),
            dout: Default::default(),
            vo: Default::default(),
            ram: Ram::new(2 << log_size),
            wbank: Default::default(),
            wt: Default::default(),
            rbank: Default::default(),
            rt: Default::default(),
            full0: Default::default(),
            full1: Default::default(),
            vo_r: Default::default(),
            held_addr: Default::default(),
            last: Default::default(),
            shifted: Default::default(),
            wrev: Default::default(),
            rfull: Default::default(),
            wr: Default::default(),
            rd: Default::default(),
            raddr: Default::default(),
            _log_size: log_size,
        }
    }
}

fn bitrev(x: u64, bits: usize) -> u64 {
    (0..bits).fold(0, |acc, i| acc | ((x >> i) & 1) << (bits - 1 - i))
}

impl Logic for BitReverseBuffer {
    fn update(&mut self) {
        let k = self._log_size;
        let clock = self.clock.val();
        let m = (self.log_n.val().to_u64() as usize).min(k);
        let last = (1u64 << m) - 1;
        let (wbank, wt) = (self.wbank.q.val(), self.wt.q.val().to_u64());
        let (rbank, rt) = (self.rbank.q.val(), self.rt.q.val().to_u64());
        let (full0, full1) = (self.full0.q.val(), self.full1.q.val());
        let enable = self.enable.val();
        let shifted = (wt << (k - m)) & 0xFFFF;
        let wrev = bitrev(shifted, k);
        let rfull = if rbank { full1 } else { full0 };
        let wr = enable && self.vin.val();
        let rd = enable && rfull;
        let raddr = if rd {
            ((rbank as u64) << k) | rt
        } else {
            self.held_addr.q.val().to_u64()
        };
        self.last.next = bits(last);
        self.shifted.next = bits(shifted);
        self.wrev.next = bits(wrev);
        self.rfull.next = rfull;
        self.wr.next = wr;
        self.rd.next = rd;
        self.raddr.next = bits(raddr);
        self.ram.clock.next = clock;
        self.ram.we.next = wr;
        self.ram.waddr.next = bits(((wbank as u64) << k) | wrev);
        self.ram.wdata.next = self.din.val();
        self.ram.raddr.next = bits(raddr);
        self.dout.next = self.ram.rdata.val();
        self.vo.next = self.vo_r.q.val();

        macro_rules! hold {
            ($($r:ident),*) => { $( self.$r.clock.next = clock; self.$r.d.next = self.$r.q.val(); )* };
        }
        hold!(wbank, wt, rbank, rt, full0, full1, vo_r, held_addr);
        if self.clear.val() {
            self.wbank.d.next = false;
            self.rbank.d.next = false;
            self.wt.d.next = bits(0);
            self.rt.d.next = bits(0);
            self.full0.d.next = false;
            self.full1.d.next = false;
            self.vo_r.d.next = false;
            return;
        }
        if wr {
            if wt == last {
                self.wt.d.next = bits(0);
                self.wbank.d.next = !wbank;
                if wbank {
                    self.full1.d.next = true;
                } else {
                    self.full0.d.next = true;
                }
            } else {
                self.wt.d.next = bits(wt + 1);
            }
        }
        if enable {
            self.vo_r.d.next = rd;
        }
        if rd {
            self.held_addr.d.next = bits(raddr);
            if rt == last {
                self.rt.d.next = bits(0);
                self.rbank.d.next = !rbank;
                if rbank {
                    self.full1.d.next = false;
                } else {
                    self.full0.d.next = false;
                }
            } else {
                self.rt.d.next = bits(rt + 1);
            }
        }
    }

    fn connect(&mut self) {
        for s in [&mut self.rfull, &mut self.wr, &mut self.rd] {
            s.connect();
        }
        self.vo.connect();
        for s in [
            &mut self.last,
            &mut self.shifted,
            &mut self.wrev,
            &mut self.raddr,
        ] {
            s.connect();
        }
        self.dout.connect();
    }

    fn hdl(&self) -> Verilog {
        let k = self._log_size;
        let mut s = vec![];
        let log_n = sig("log_n");
        s.push(assign(
            "last",
            sub(shl_by(lit_u(1, 16), log_n.clone()), lit_u(1, 16)),
        ));
        s.push(assign(
            "shifted",
            shl_by(q("wt"), sub(lit_u(k as u64, 8), log_n)),
        ));
        s.push(assign(
            "wrev",
            or_all(
                (0..k).map(|i| shl(cast(index(sig("shifted"), i), 16), k - 1 - i)),
                16,
            ),
        ));
        s.push(mux_assign("rfull", q("rbank"), q("full1"), q("full0")));
        s.push(assign("wr", and(sig("enable"), sig("vin"))));
        s.push(assign("rd", and(sig("enable"), sig("rfull"))));
        let bank_base = |bank: Expr| shl(cast(bank, 16), k);
        s.push(mux_assign(
            "raddr",
            sig("rd"),
            or(bank_base(q("rbank")), q("rt")),
            q("held_addr"),
        ));
        s.push(clock_only("ram"));
        s.push(assign("ram$we", sig("wr")));
        s.push(assign("ram$waddr", or(bank_base(q("wbank")), sig("wrev"))));
        s.push(assign("ram$wdata", sig("din")));
        s.push(assign("ram$raddr", sig("raddr")));
        s.push(assign("dout", sig("ram$rdata")));
        s.push(assign("vo", q("vo_r")));
        for r in REGS {
            s.push(clock_only(r));
            s.push(assign(d(r), q(r)));
        }
        let set_full = |bank: Expr, v: bool| {
            if_else(
                bank,
                vec![assign(d("full1"), bit(v))],
                vec![assign(d("full0"), bit(v))],
            )
        };
        let on_clear = vec![
            assign(d("wbank"), bit(false)),
            assign(d("rbank"), bit(false)),
            assign(d("wt"), lit_u(0, 16)),
            assign(d("rt"), lit_u(0, 16)),
            assign(d("full0"), bit(false)),
            assign(d("full1"), bit(false)),
            assign(d("vo_r"), bit(false)),
        ];
        let run = vec![
            if_else(
                sig("wr"),
                vec![if_else(
                    eq(q("wt"), sig("last")),
                    vec![
                        assign(d("wt"), lit_u(0, 16)),
                        assign(d("wbank"), not(q("wbank"))),
                        set_full(q("wbank"), true),
                    ],
                    vec![assign(d("wt"), add(q("wt"), lit_u(1, 16)))],
                )],
                vec![],
            ),
            if_else(sig("enable"), vec![assign(d("vo_r"), sig("rd"))], vec![]),
            if_else(
                sig("rd"),
                vec![
                    assign(d("held_addr"), sig("raddr")),
                    if_else(
                        eq(q("rt"), sig("last")),
                        vec![
                            assign(d("rt"), lit_u(0, 16)),
                            assign(d("rbank"), not(q("rbank"))),
                            set_full(q("rbank"), false),
                        ],
                        vec![assign(d("rt"), add(q("rt"), lit_u(1, 16)))],
                    ),
                ],
                vec![],
            ),
        ];
        s.push(if_else(sig("clear"), on_clear, run));
        comb(s)
    }
}
