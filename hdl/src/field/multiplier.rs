//! Full-width integer multipliers W×W → 2W, in three styles with identical results.
//!
//! * [`BehaviouralMul`]: one combinational product leaf between registers. Fastest to simulate.
//! * [`TiledMul`]: 16×16 DSP tiles, a registered 4:2 carry-save tree and a segmented final
//!   adder ([`PipeAdd`]); no stage is deeper than one DSP multiply, one 4:2 compressor
//!   (two full-adder levels, no carry chain) or one 128-bit carry chain. What a card is
//!   synthesised from.
//!
//! * [`TermMul`] (style `karatsuba`): 26×17 DSP48E2 tiles, Karatsuba–Ofman, constant
//!   products with only the tiles they need ([`ProductPlan`]).
//!
//! [`Multiplier`] instantiates exactly one of them, chosen at generation time.

use super::en_reg::EnReg;
use super::leaf::{TileMul, WideMulLeaf, TILE_BITS};
use super::pipe_add::PipeAdd;
use super::product_plan::ProductPlan;
use super::term_mul::TermMul;
use crate::preset::MulStyle;
use crate::rtl::*;
use num_bigint::BigUint;
use rust_hdl::core::prelude::*;

// ---------------------------------------------------------------------------------------
// Behavioural
// ---------------------------------------------------------------------------------------

/// Registers, one wide multiply, register. Latency [`BehaviouralMul::LATENCY`].
#[derive(LogicBlock, Default)]
pub struct BehaviouralMul<const W: usize, const W2: usize> {
    pub clock: Signal<In, Clock>,
    /// Clock enable of every register: low holds the pipeline.
    pub enable: Signal<In, Bit>,
    pub a: Signal<In, Bits<W>>,
    pub b: Signal<In, Bits<W>>,
    pub p: Signal<Out, Bits<W2>>,
    a_reg: EnReg<Bits<W>>,
    b_reg: EnReg<Bits<W>>,
    leaf: WideMulLeaf<W, W2>,
    p_reg: EnReg<Bits<W2>>,
}

impl<const W: usize, const W2: usize> BehaviouralMul<W, W2> {
    pub const LATENCY: usize = 2;
}

impl<const W: usize, const W2: usize> Logic for BehaviouralMul<W, W2> {
    #[hdl_gen]
    fn update(&mut self) {
        self.a_reg.clock.next = self.clock.val();
        self.a_reg.enable.next = self.enable.val();
        self.b_reg.clock.next = self.clock.val();
        self.b_reg.enable.next = self.enable.val();
        self.p_reg.clock.next = self.clock.val();
        self.p_reg.enable.next = self.enable.val();
        self.a_reg.d.next = self.a.val();
        self.b_reg.d.next = self.b.val();
        self.leaf.a.next = self.a_reg.q.val();
        self.leaf.b.next = self.b_reg.q.val();
        self.p_reg.d.next = self.leaf.p.val();
        self.p.next = self.p_reg.q.val();
    }
}

// ---------------------------------------------------------------------------------------
// Tiled
// ---------------------------------------------------------------------------------------

/// A registered 4:2 carry-save compressor: `s + c ≡ x0 + x1 + x2 + x3 (mod 2^W)`.
/// Two full-adder levels, no carry propagation.
#[derive(LogicBlock, Default)]
pub struct Compress42<const W: usize> {
    pub clock: Signal<In, Clock>,
    /// Clock enable of every register: low holds the pipeline.
    pub enable: Signal<In, Bit>,
    pub x0: Signal<In, Bits<W>>,
    pub x1: Signal<In, Bits<W>>,
    pub x2: Signal<In, Bits<W>>,
    pub x3: Signal<In, Bits<W>>,
    pub s: Signal<Out, Bits<W>>,
    pub c: Signal<Out, Bits<W>>,
    s1: Signal<Local, Bits<W>>,
    c1: Signal<Local, Bits<W>>,
    s_reg: EnReg<Bits<W>>,
    c_reg: EnReg<Bits<W>>,
}

impl<const W: usize> Logic for Compress42<W> {
    #[hdl_gen]
    fn update(&mut self) {
        self.s_reg.clock.next = self.clock.val();
        self.s_reg.enable.next = self.enable.val();
        self.c_reg.clock.next = self.clock.val();
        self.c_reg.enable.next = self.enable.val();
        // First full-adder level: x0 + x1 + x2 = s1 + c1.
        self.s1.next = self.x0.val() ^ self.x1.val() ^ self.x2.val();
        self.c1.next = ((self.x0.val() & self.x1.val())
            | (self.x0.val() & self.x2.val())
            | (self.x1.val() & self.x2.val()))
            << 1;
        // Second level: s1 + c1 + x3 = s + c.
        self.s_reg.d.next = self.s1.val() ^ self.c1.val() ^ self.x3.val();
        self.c_reg.d.next = ((self.s1.val() & self.c1.val())
            | (self.s1.val() & self.x3.val())
            | (self.c1.val() & self.x3.val()))
            << 1;
        self.s.next = self.s_reg.q.val();
        self.c.next = self.c_reg.q.val();
    }
}

/// Where a carry-save pair of the tree comes from.
#[derive(Clone, Copy, Debug)]
enum Source {
    /// Row `i` of partial products: (even tiles, odd tiles).
    Row(usize),
    /// Output (s, c) of tree node `k`.
    Node(usize),
    /// Constant zero (pads an odd level).
    Zero,
}

/// 16×16-tiled multiplier with a registered carry-save tree.
///
/// Row `i` holds the products `a_i·b_j` of operand words; the even-`j` tiles of a row do not
/// overlap and form one vector by wiring alone, likewise the odd ones, so each row is a
/// carry-save pair. A binary tree of [`Compress42`] reduces the rows to one pair, and a
/// [`PipeAdd`] resolves it. With `low_half`, only tiles below bit W are built (the product
/// is then valid mod 2^W), which is what the Montgomery `m = T·(−p⁻¹) mod R` step needs.
#[derive(LogicBlock)]
pub struct TiledMul<const W: usize, const W2: usize> {
    pub clock: Signal<In, Clock>,
    /// Clock enable of every register: low holds the pipeline.
    pub enable: Signal<In, Bit>,
    pub a: Signal<In, Bits<W>>,
    pub b: Signal<In, Bits<W>>,
    pub p: Signal<Out, Bits<W2>>,
    a_reg: EnReg<Bits<W>>,
    b_reg: EnReg<Bits<W>>,
    tiles: Vec<TileMul>,
    tile_reg: Vec<EnReg<Bits<32>>>,
    row_even: Vec<Signal<Local, Bits<W2>>>,
    row_odd: Vec<Signal<Local, Bits<W2>>>,
    tree: Vec<Compress42<W2>>,
    final_add: PipeAdd<W2>,
    /// (i, j) word indices of each tile.
    _tile_words: Vec<(usize, usize)>,
    /// Inputs of each tree node: two carry-save pairs.
    _node_inputs: Vec<[Source; 2]>,
    _root: Source,
    _levels: usize,
}

impl<const W: usize, const W2: usize> TiledMul<W, W2> {
    pub fn new(low_half: bool) -> Self {
        assert_eq!(W2, 2 * W);
        assert_eq!(W % TILE_BITS, 0);
        let n = W / TILE_BITS;
        let tile_words: Vec<(usize, usize)> = (0..n)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .filter(|&(i, j)| !low_half || i + j < n)
            .collect();
        // Build the tree level by level; an odd pair out is paired with zero so every
        // input reaches the root through the same number of registered levels.
        let mut level: Vec<Source> = (0..n).map(Source::Row).collect();
        let mut node_inputs = vec![];
        let mut levels = 0;
        while level.len() > 1 {
            let mut next = vec![];
            for pair in level.chunks(2) {
                let second = pair.get(1).copied().unwrap_or(Source::Zero);
                node_inputs.push([pair[0], second]);
                next.push(Source::Node(node_inputs.len() - 1));
            }
            level = next;
            levels += 1;
        }
        Self {
            clock: Default::default(),
            enable: Default::default(),
            a: Default::default(),
            b: Default::default(),
            p: Default::default(),
            a_reg: Default::default(),
            b_reg: Default::default(),
            tiles: (0..tile_words.len()).map(|_| Default::default()).collect(),
            tile_reg: (0..tile_words.len()).map(|_| Default::default()).collect(),
            row_even: (0..n).map(|_| Default::default()).collect(),
            row_odd: (0..n).map(|_| Default::default()).collect(),
            tree: (0..node_inputs.len()).map(|_| Default::default()).collect(),
            final_add: Default::default(),
            _tile_words: tile_words,
            _node_inputs: node_inputs,
            _root: level[0],
            _levels: levels,
        }
    }

    /// Input registers, tile register, tree levels, final adder.
    pub fn latency(&self) -> usize {
        2 + self._levels + PipeAdd::<W2>::LATENCY
    }

    /// Number of 16×16 tiles (DSP slices after synthesis).
    pub fn tile_count(&self) -> usize {
        self._tile_words.len()
    }

    fn pair_exprs(&self, src: Source) -> (Expr, Expr) {
        match src {
            Source::Row(i) => (sig(format!("row_even${i}")), sig(format!("row_odd${i}"))),
            Source::Node(k) => (sig(format!("tree${k}$s")), sig(format!("tree${k}$c"))),
            Source::Zero => {
                let z = lit(&Default::default(), W2);
                (z.clone(), z)
            }
        }
    }

    fn pair_values(&self, src: Source) -> (Bits<W2>, Bits<W2>) {
        match src {
            Source::Row(i) => (self.row_even[i].val(), self.row_odd[i].val()),
            Source::Node(k) => (self.tree[k].s.val(), self.tree[k].c.val()),
            Source::Zero => Default::default(),
        }
    }
}

impl<const W: usize, const W2: usize> Logic for TiledMul<W, W2> {
    fn update(&mut self) {
        let clock = self.clock.val();
        let enable = self.enable.val();
        self.a_reg.clock.next = clock;
        self.a_reg.enable.next = enable;
        self.b_reg.clock.next = clock;
        self.b_reg.enable.next = enable;
        self.a_reg.d.next = self.a.val();
        self.b_reg.d.next = self.b.val();
        for r in 0..self.row_even.len() {
            self.row_even[r].next = Default::default();
            self.row_odd[r].next = Default::default();
        }
        for (t, &(i, j)) in self._tile_words.iter().enumerate() {
            self.tiles[t].a.next = self.a_reg.q.val().get_bits::<TILE_BITS>(i * TILE_BITS);
            self.tiles[t].b.next = self.b_reg.q.val().get_bits::<TILE_BITS>(j * TILE_BITS);
            self.tile_reg[t].clock.next = clock;
            self.tile_reg[t].enable.next = enable;
            self.tile_reg[t].d.next = self.tiles[t].p.val();
            let placed =
                bit_cast::<W2, 32>(self.tile_reg[t].q.val()) << (((i + j) * TILE_BITS) as u64);
            let row = if j % 2 == 0 {
                &mut self.row_even[i]
            } else {
                &mut self.row_odd[i]
            };
            row.next = row.next | placed;
        }
        for k in 0..self._node_inputs.len() {
            let [x, y] = self._node_inputs[k];
            let (x0, x1) = self.pair_values(x);
            let (x2, x3) = self.pair_values(y);
            let node = &mut self.tree[k];
            node.clock.next = clock;
            node.enable.next = enable;
            node.x0.next = x0;
            node.x1.next = x1;
            node.x2.next = x2;
            node.x3.next = x3;
        }
        let (s, c) = self.pair_values(self._root);
        self.final_add.clock.next = clock;
        self.final_add.enable.next = enable;
        self.final_add.a.next = s;
        self.final_add.b.next = c;
        self.final_add.cin.next = false;
        self.p.next = self.final_add.sum.val();
    }

    fn connect(&mut self) {
        self.a_reg.clock.connect();
        self.a_reg.enable.connect();
        self.a_reg.d.connect();
        self.b_reg.clock.connect();
        self.b_reg.enable.connect();
        self.b_reg.d.connect();
        for t in 0..self.tiles.len() {
            self.tiles[t].a.connect();
            self.tiles[t].b.connect();
            self.tile_reg[t].clock.connect();
            self.tile_reg[t].enable.connect();
            self.tile_reg[t].d.connect();
        }
        for r in 0..self.row_even.len() {
            self.row_even[r].connect();
            self.row_odd[r].connect();
        }
        for node in &mut self.tree {
            node.clock.connect();
            node.enable.connect();
            node.x0.connect();
            node.x1.connect();
            node.x2.connect();
            node.x3.connect();
        }
        self.final_add.clock.connect();
        self.final_add.enable.connect();
        self.final_add.a.connect();
        self.final_add.b.connect();
        self.final_add.cin.connect();
        self.p.connect();
    }

    fn hdl(&self) -> Verilog {
        let mut s = clock_to("a_reg");
        s.extend(clock_to("b_reg"));
        s.push(assign("a_reg$d", sig("a")));
        s.push(assign("b_reg$d", sig("b")));
        let rows = self.row_even.len();
        let mut even: Vec<Vec<Expr>> = vec![vec![]; rows];
        let mut odd: Vec<Vec<Expr>> = vec![vec![]; rows];
        for (t, &(i, j)) in self._tile_words.iter().enumerate() {
            s.push(assign(
                format!("tiles${t}$a"),
                slice(sig("a_reg$q"), i * TILE_BITS, TILE_BITS),
            ));
            s.push(assign(
                format!("tiles${t}$b"),
                slice(sig("b_reg$q"), j * TILE_BITS, TILE_BITS),
            ));
            s.extend(clock_to(&format!("tile_reg${t}")));
            s.push(assign(
                format!("tile_reg${t}$d"),
                sig(format!("tiles${t}$p")),
            ));
            let placed = shl(
                cast(sig(format!("tile_reg${t}$q")), W2),
                (i + j) * TILE_BITS,
            );
            if j % 2 == 0 {
                even[i].push(placed);
            } else {
                odd[i].push(placed);
            }
        }
        for (i, (e, o)) in even.into_iter().zip(odd).enumerate() {
            s.push(assign(format!("row_even${i}"), or_all(e, W2)));
            s.push(assign(format!("row_odd${i}"), or_all(o, W2)));
        }
        for (k, &[x, y]) in self._node_inputs.iter().enumerate() {
            let (x0, x1) = self.pair_exprs(x);
            let (x2, x3) = self.pair_exprs(y);
            s.extend(clock_to(&format!("tree${k}")));
            s.push(assign(format!("tree${k}$x0"), x0));
            s.push(assign(format!("tree${k}$x1"), x1));
            s.push(assign(format!("tree${k}$x2"), x2));
            s.push(assign(format!("tree${k}$x3"), x3));
        }
        let (root_s, root_c) = self.pair_exprs(self._root);
        s.extend(clock_to("final_add"));
        s.push(assign("final_add$a", root_s));
        s.push(assign("final_add$b", root_c));
        s.push(assign("final_add$cin", bit(false)));
        s.push(assign("p", sig("final_add$sum")));
        comb(s)
    }
}

// ---------------------------------------------------------------------------------------
// Style selection
// ---------------------------------------------------------------------------------------

/// What a MontMul asks of one of its three multipliers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Product<'a> {
    /// `a·b`, both inputs below `max`.
    Full { max: &'a BigUint },
    /// `a·c mod 2^W` for the constant `c` (on the `b` input in the other styles).
    LowHalf { constant: &'a BigUint },
    /// `a·c` for the constant `c`; the `karatsuba` style truncates it and adds `addend`
    /// (see [`super::product_plan::ProductPlan::high_truncated`]).
    HighTruncated { constant: &'a BigUint },
}

/// A W×W → 2W multiplier of the style chosen at generation time. Exactly one of the
/// vectors holds an instance; the others are empty and generate nothing.
#[derive(LogicBlock)]
pub struct Multiplier<const W: usize, const W2: usize> {
    pub clock: Signal<In, Clock>,
    /// Clock enable of every register: low holds the pipeline.
    pub enable: Signal<In, Bit>,
    pub a: Signal<In, Bits<W>>,
    pub b: Signal<In, Bits<W>>,
    /// Added to the product by the truncated `karatsuba` product only (ignored otherwise).
    pub addend: Signal<In, Bits<W2>>,
    pub p: Signal<Out, Bits<W2>>,
    behavioural: Vec<BehaviouralMul<W, W2>>,
    tiled: Vec<TiledMul<W, W2>>,
    karatsuba: Vec<TermMul<W, W2>>,
}

impl<const W: usize, const W2: usize> Multiplier<W, W2> {
    pub fn new(style: MulStyle, product: Product) -> Self {
        let low_half = matches!(product, Product::LowHalf { .. });
        let (mut behavioural, mut tiled, mut karatsuba) = (vec![], vec![], vec![]);
        match style {
            MulStyle::Behavioural => behavioural.push(BehaviouralMul::default()),
            MulStyle::Tiled => tiled.push(TiledMul::new(low_half)),
            MulStyle::Karatsuba | MulStyle::KaratsubaNaf => {
                karatsuba.push(TermMul::new(match product {
                    Product::Full { max } => ProductPlan::best_karatsuba(W, max),
                    Product::LowHalf { constant } if style == MulStyle::KaratsubaNaf => {
                        ProductPlan::low_half_shift_add(W, constant)
                    }
                    Product::LowHalf { constant } => ProductPlan::low_half(W, constant),
                    Product::HighTruncated { constant } => ProductPlan::high_truncated(W, constant),
                }))
            }
        }
        Self {
            clock: Default::default(),
            enable: Default::default(),
            a: Default::default(),
            b: Default::default(),
            addend: Default::default(),
            p: Default::default(),
            behavioural,
            tiled,
            karatsuba,
        }
    }

    pub fn latency(&self) -> usize {
        if let Some(t) = self.tiled.first() {
            t.latency()
        } else if let Some(k) = self.karatsuba.first() {
            k.latency()
        } else {
            BehaviouralMul::<W, W2>::LATENCY
        }
    }

    /// DSP slices used (0 for the behavioural style).
    pub fn tile_count(&self) -> usize {
        self.tiled.first().map_or(0, |t| t.tile_count())
            + self.karatsuba.first().map_or(0, |k| k.dsp_count())
    }

    /// The `karatsuba` style's truncated product adds `addend`; the others do not.
    pub fn adds_addend(&self) -> bool {
        !self.karatsuba.is_empty()
    }

    fn inner(&self) -> &'static str {
        if !self.tiled.is_empty() {
            "tiled$0"
        } else if !self.karatsuba.is_empty() {
            "karatsuba$0"
        } else {
            "behavioural$0"
        }
    }
}

impl<const W: usize, const W2: usize> Logic for Multiplier<W, W2> {
    fn update(&mut self) {
        let (clock, enable) = (self.clock.val(), self.enable.val());
        let (a, b) = (self.a.val(), self.b.val());
        if let Some(m) = self.behavioural.first_mut() {
            m.clock.next = clock;
            m.enable.next = enable;
            m.a.next = a;
            m.b.next = b;
            self.p.next = m.p.val();
        }
        if let Some(m) = self.tiled.first_mut() {
            m.clock.next = clock;
            m.enable.next = enable;
            m.a.next = a;
            m.b.next = b;
            self.p.next = m.p.val();
        }
        if let Some(m) = self.karatsuba.first_mut() {
            m.clock.next = clock;
            m.enable.next = enable;
            m.a.next = a;
            m.b.next = b;
            m.addend.next = self.addend.val();
            self.p.next = m.p.val();
        }
    }

    fn connect(&mut self) {
        for m in &mut self.behavioural {
            m.clock.connect();
            m.enable.connect();
            m.a.connect();
            m.b.connect();
        }
        for m in &mut self.tiled {
            m.clock.connect();
            m.enable.connect();
            m.a.connect();
            m.b.connect();
        }
        for m in &mut self.karatsuba {
            m.clock.connect();
            m.enable.connect();
            m.a.connect();
            m.b.connect();
            m.addend.connect();
        }
        self.p.connect();
    }

    fn hdl(&self) -> Verilog {
        let inner = self.inner();
        let mut s = vec![
            assign(format!("{inner}$clock"), sig("clock")),
            assign(format!("{inner}$enable"), sig("enable")),
            assign(format!("{inner}$a"), sig("a")),
            assign(format!("{inner}$b"), sig("b")),
            assign("p", sig(format!("{inner}$p"))),
        ];
        if self.adds_addend() {
            s.push(assign(format!("{inner}$addend"), sig("addend")));
        }
        comb(s)
    }
}
