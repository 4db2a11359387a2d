//! `TermMul`: the hardware of a [`ProductPlan`] — the `karatsuba` multiplier style.
//!
//! ```text
//! a, b, addend ─▶ input regs ─▶ pre-adders (Karatsuba leaf sums, ≤ 128-bit adds,
//!                 one register level each) ─▶ 26×17 DSP tiles (registered products)
//!              ─▶ rows: terms packed side by side, negated terms as masked complements,
//!                 one correction constant, the addend ─▶ registered 4:2 tree ─▶ PipeAdd
//! ```
//! Stages: one DSP multiply, one ≤128-bit carry chain (pre-add, PipeAdd segment) or one
//! 4:2 compressor (two full-adder levels) each. The result is `plan.eval(a, b, addend)`
//! (mod 2^(2W)) after [`TermMul::latency`] clocks, one result per clock.

use super::en_reg::EnReg;
use super::leaf::DspTile;
use super::multiplier::Compress42;
use super::pipe_add::PipeAdd;
use super::product_plan::{Chunk, Input, ProductPlan, DSP_P_BITS, LEAF_BITS};
use crate::rtl::*;
use num_bigint::BigUint;
use num_traits::One;
use rust_hdl::core::prelude::*;

/// Where a vector of the compressor tree comes from.
#[derive(Clone, Copy, Debug)]
enum Vector {
    Row(usize),
    /// Sum or carry output of tree node `k`.
    NodeS(usize),
    NodeC(usize),
    Zero,
}

/// One pre-adder register: the sum of two earlier values of the same input.
#[derive(Clone, Debug)]
struct PreAdd {
    input: Input,
    /// Sources: limb index at level 0, else a node index of the level below.
    left: Source,
    right: Option<Source>,
}

#[derive(Clone, Copy, Debug)]
enum Source {
    Limb(usize),
    Node(usize),
}

#[derive(LogicBlock)]
pub struct TermMul<const W: usize, const W2: usize> {
    pub clock: Signal<In, Clock>,
    /// Clock enable of every register: low holds the pipeline.
    pub enable: Signal<In, Bit>,
    pub a: Signal<In, Bits<W>>,
    pub b: Signal<In, Bits<W>>,
    /// Added to the sum (used by the truncated Montgomery product); presented with a, b.
    pub addend: Signal<In, Bits<W2>>,
    pub p: Signal<Out, Bits<W2>>,
    a_reg: EnReg<Bits<W>>,
    b_reg: EnReg<Bits<W>>,
    addend_delay: Vec<EnReg<Bits<W2>>>,
    preadd: Vec<EnReg<Bits<LEAF_BITS>>>,
    tiles: Vec<DspTile>,
    tile_reg: Vec<EnReg<Bits<DSP_P_BITS>>>,
    rows: Vec<Signal<Local, Bits<W2>>>,
    tree: Vec<Compress42<W2>>,
    final_add: PipeAdd<W2>,
    _plan: ProductPlan,
    /// Pre-adder nodes (same order as `preadd`).
    _preadd_nodes: Vec<PreAdd>,
    /// Per input (A, B) and leaf: the node holding the leaf operand (None: `x_reg` itself).
    _leaf_node: [Vec<Option<usize>>; 2],
    /// DSP index of each tile (None: the tile is a plain shift).
    _tile_dsp: Vec<Option<usize>>,
    /// Terms in each row.
    _row_terms: Vec<Vec<usize>>,
    /// Row index of the correction constant and of the addend, if present.
    _const_row: Option<usize>,
    _addend_row: Option<usize>,
    _node_inputs: Vec<[Vector; 4]>,
    _root: [Vector; 2],
    _levels: usize,
}

fn input_ix(i: Input) -> usize {
    match i {
        Input::A => 0,
        Input::B => 1,
    }
}

impl<const W: usize, const W2: usize> TermMul<W, W2> {
    pub fn new(plan: ProductPlan) -> Self {
        assert_eq!(plan.width, W);
        assert_eq!(W2, 2 * W);
        // Pre-adders: a balanced tree of register levels per leaf, every leaf the same depth.
        let mut nodes: Vec<PreAdd> = vec![];
        let mut leaf_node: [Vec<Option<usize>>; 2] = [vec![], vec![]];
        let inputs: &[Input] = if plan.tiles.iter().any(|t| {
            matches!(
                t.b,
                Chunk::Var {
                    input: Input::B,
                    ..
                }
            ) || matches!(
                t.a,
                Chunk::Var {
                    input: Input::B,
                    ..
                }
            )
        }) {
            &[Input::A, Input::B]
        } else {
            &[Input::A]
        };
        for &input in inputs {
            for leaf in &plan.leaves {
                if plan.preadd_levels == 0 {
                    leaf_node[input_ix(input)].push(None);
                    continue;
                }
                let mut level: Vec<Source> = leaf.limbs.iter().map(|&l| Source::Limb(l)).collect();
                for _ in 0..plan.preadd_levels {
                    let mut next = vec![];
                    for pair in level.chunks(2) {
                        nodes.push(PreAdd {
                            input,
                            left: pair[0],
                            right: pair.get(1).copied(),
                        });
                        next.push(Source::Node(nodes.len() - 1));
                    }
                    level = next;
                }
                let Source::Node(k) = level[0] else {
                    unreachable!()
                };
                leaf_node[input_ix(input)].push(Some(k));
            }
        }
        let mut dsp = 0;
        let tile_dsp: Vec<Option<usize>> = plan
            .tiles
            .iter()
            .map(|t| {
                t.shift_only().is_none().then(|| {
                    dsp += 1;
                    dsp - 1
                })
            })
            .collect();
        // Rows: first-fit packing of the terms' bit ranges (sorted by position).
        let mut order: Vec<usize> = (0..plan.terms.len()).collect();
        order.sort_by_key(|&i| plan.terms[i].shift);
        let mut row_terms: Vec<Vec<usize>> = vec![];
        let mut row_end: Vec<usize> = vec![];
        for i in order {
            let term = &plan.terms[i];
            if term.shift >= W2 {
                continue;
            }
            let end = term.shift + plan.tiles[term.tile].width();
            match row_end.iter().position(|&e| e <= term.shift) {
                Some(r) => {
                    row_terms[r].push(i);
                    row_end[r] = end;
                }
                None => {
                    row_terms.push(vec![i]);
                    row_end.push(end);
                }
            }
        }
        let mut vectors: Vec<Vector> = (0..row_terms.len()).map(Vector::Row).collect();
        let mut extra = row_terms.len();
        let const_row = plan.terms.iter().any(|t| t.negate).then(|| {
            extra += 1;
            extra - 1
        });
        let addend_row = plan.addend.then(|| {
            extra += 1;
            extra - 1
        });
        vectors.extend((row_terms.len()..extra).map(Vector::Row));
        let mut node_inputs = vec![];
        let mut levels = 0;
        while vectors.len() > 2 {
            let mut next = vec![];
            for group in vectors.chunks(4) {
                let mut ins = [Vector::Zero; 4];
                ins[..group.len()].copy_from_slice(group);
                node_inputs.push(ins);
                let k = node_inputs.len() - 1;
                next.push(Vector::NodeS(k));
                next.push(Vector::NodeC(k));
            }
            vectors = next;
            levels += 1;
        }
        let root = [
            vectors.first().copied().unwrap_or(Vector::Zero),
            vectors.get(1).copied().unwrap_or(Vector::Zero),
        ];
        let addend_stages = 1 + plan.preadd_levels + 1;
        Self {
            clock: Default::default(),
            enable: Default::default(),
            a: Default::default(),
            b: Default::default(),
            addend: Default::default(),
            p: Default::default(),
            a_reg: Default::default(),
            b_reg: Default::default(),
            addend_delay: (0..if plan.addend { addend_stages } else { 0 })
                .map(|_| Default::default())
                .collect(),
            preadd: (0..nodes.len()).map(|_| Default::default()).collect(),
            tiles: (0..dsp).map(|_| Default::default()).collect(),
            tile_reg: (0..plan.tiles.len()).map(|_| Default::default()).collect(),
            rows: (0..extra).map(|_| Default::default()).collect(),
            tree: (0..node_inputs.len()).map(|_| Default::default()).collect(),
            final_add: Default::default(),
            _plan: plan,
            _preadd_nodes: nodes,
            _leaf_node: leaf_node,
            _tile_dsp: tile_dsp,
            _row_terms: row_terms,
            _const_row: const_row,
            _addend_row: addend_row,
            _node_inputs: node_inputs,
            _root: root,
            _levels: levels,
        }
    }

    /// Input register, pre-adders, tile register, tree levels, final adder.
    pub fn latency(&self) -> usize {
        1 + self._plan.preadd_levels + 1 + self._levels + PipeAdd::<W2>::LATENCY
    }

    /// DSP slices (tiles that are not plain shifts).
    pub fn dsp_count(&self) -> usize {
        self.tiles.len()
    }

    fn reg_name(input: Input) -> &'static str {
        match input {
            Input::A => "a_reg",
            Input::B => "b_reg",
        }
    }

    fn source_expr(&self, input: Input, s: Source) -> Expr {
        match s {
            Source::Limb(l) => {
                let lb = self._plan.limb_bits;
                slice(sig(format!("{}$q", Self::reg_name(input))), l * lb, lb)
            }
            Source::Node(k) => sig(format!("preadd${k}$q")),
        }
    }

    /// The signal holding leaf operand `leaf` of `input`.
    fn leaf_expr(&self, input: Input, leaf: usize) -> Expr {
        match self._leaf_node[input_ix(input)][leaf] {
            Some(k) => sig(format!("preadd${k}$q")),
            None => sig(format!("{}$q", Self::reg_name(input))),
        }
    }

    fn chunk_expr(&self, c: &Chunk, width: usize) -> Expr {
        match c {
            Chunk::Const { value, .. } => lit_u(*value, width),
            Chunk::Var {
                input,
                leaf,
                off,
                width: w,
            } => slice(self.leaf_expr(*input, *leaf), *off, *w),
        }
    }

    fn vector_expr(&self, v: Vector) -> Expr {
        match v {
            Vector::Row(r) => sig(format!("rows${r}")),
            Vector::NodeS(k) => sig(format!("tree${k}$s")),
            Vector::NodeC(k) => sig(format!("tree${k}$c")),
            Vector::Zero => lit(&BigUint::default(), W2),
        }
    }

    fn vector_value(&self, v: Vector) -> Bits<W2> {
        match v {
            Vector::Row(r) => self.rows[r].val(),
            Vector::NodeS(k) => self.tree[k].s.val(),
            Vector::NodeC(k) => self.tree[k].c.val(),
            Vector::Zero => Default::default(),
        }
    }

    fn mask(width: usize) -> BigUint {
        (BigUint::one() << width) - 1u32
    }

    // --- values for rust-hdl's own simulation (`update`) ---

    fn reg_value(&self, input: Input) -> BigUint {
        match input {
            Input::A => self.a_reg.q.val().into(),
            Input::B => self.b_reg.q.val().into(),
        }
    }

    fn source_value(&self, input: Input, s: Source) -> BigUint {
        match s {
            Source::Limb(l) => {
                let lb = self._plan.limb_bits;
                (self.reg_value(input) >> (l * lb)) & Self::mask(lb)
            }
            Source::Node(k) => self.preadd[k].q.val().into(),
        }
    }

    fn chunk_value(&self, c: &Chunk) -> u64 {
        match c {
            Chunk::Const { value, .. } => *value,
            Chunk::Var {
                input,
                leaf,
                off,
                width,
            } => {
                let x: BigUint = match self._leaf_node[input_ix(*input)][*leaf] {
                    Some(k) => self.preadd[k].q.val().into(),
                    None => self.reg_value(*input),
                };
                ((x >> *off) & Self::mask(*width))
                    .to_u64_digits()
                    .first()
                    .copied()
                    .unwrap_or(0)
            }
        }
    }
}

impl<const W: usize, const W2: usize> Logic for TermMul<W, W2> {
    fn update(&mut self) {
        let clock = self.clock.val();
        let enable = self.enable.val();
        self.a_reg.clock.next = clock;
        self.a_reg.enable.next = enable;
        self.a_reg.d.next = self.a.val();
        self.b_reg.clock.next = clock;
        self.b_reg.enable.next = enable;
        self.b_reg.d.next = self.b.val();
        for k in 0..self.addend_delay.len() {
            self.addend_delay[k].clock.next = clock;
            self.addend_delay[k].enable.next = enable;
            self.addend_delay[k].d.next = if k == 0 {
                self.addend.val()
            } else {
                self.addend_delay[k - 1].q.val()
            };
        }
        for k in 0..self.preadd.len() {
            let node = self._preadd_nodes[k].clone();
            let mut v = self.source_value(node.input, node.left);
            if let Some(r) = node.right {
                v += self.source_value(node.input, r);
            }
            self.preadd[k].clock.next = clock;
            self.preadd[k].enable.next = enable;
            self.preadd[k].d.next = v.into();
        }
        for t in 0..self._plan.tiles.len() {
            let tile = self._plan.tiles[t].clone();
            let (a, b) = (self.chunk_value(&tile.a), self.chunk_value(&tile.b));
            let product = match self._tile_dsp[t] {
                Some(d) => {
                    self.tiles[d].a.next = bits(a);
                    self.tiles[d].b.next = bits(b);
                    self.tiles[d].p.val().to_u64()
                }
                None => a * b,
            };
            self.tile_reg[t].clock.next = clock;
            self.tile_reg[t].enable.next = enable;
            self.tile_reg[t].d.next = bits(product);
        }
        for r in 0..self._row_terms.len() {
            let mut row = BigUint::default();
            for &i in &self._row_terms[r] {
                let term = &self._plan.terms[i];
                let w = self._plan.tiles[term.tile].width();
                let mut v = self.tile_reg[term.tile].q.val().to_u64();
                if term.negate {
                    v ^= (1u64 << w) - 1;
                }
                row |= BigUint::from(v) << term.shift;
            }
            self.rows[r].next = (row & Self::mask(W2)).into();
        }
        if let Some(r) = self._const_row {
            self.rows[r].next = self._plan.correction().into();
        }
        if let Some(r) = self._addend_row {
            self.rows[r].next = self.addend_delay.last().expect("addend delay").q.val();
        }
        for k in 0..self._node_inputs.len() {
            let ins = self._node_inputs[k];
            let v: Vec<Bits<W2>> = ins.iter().map(|&x| self.vector_value(x)).collect();
            let node = &mut self.tree[k];
            node.clock.next = clock;
            node.enable.next = enable;
            node.x0.next = v[0];
            node.x1.next = v[1];
            node.x2.next = v[2];
            node.x3.next = v[3];
        }
        let (s, c) = (
            self.vector_value(self._root[0]),
            self.vector_value(self._root[1]),
        );
        self.final_add.clock.next = clock;
        self.final_add.enable.next = enable;
        self.final_add.a.next = s;
        self.final_add.b.next = c;
        self.final_add.cin.next = false;
        self.p.next = self.final_add.sum.val();
    }

    fn connect(&mut self) {
        for r in [&mut self.a_reg, &mut self.b_reg] {
            r.clock.connect();
            r.enable.connect();
            r.d.connect();
        }
        for r in &mut self.addend_delay {
            r.clock.connect();
            r.enable.connect();
            r.d.connect();
        }
        for r in &mut self.preadd {
            r.clock.connect();
            r.enable.connect();
            r.d.connect();
        }
        for t in &mut self.tiles {
            t.a.connect();
            t.b.connect();
        }
        for r in &mut self.tile_reg {
            r.clock.connect();
            r.enable.connect();
            r.d.connect();
        }
        for r in &mut self.rows {
            r.connect();
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
        for k in 0..self.addend_delay.len() {
            s.extend(clock_to(&format!("addend_delay${k}")));
            let src = if k == 0 {
                sig("addend")
            } else {
                sig(format!("addend_delay${}$q", k - 1))
            };
            s.push(assign(format!("addend_delay${k}$d"), src));
        }
        for (k, node) in self._preadd_nodes.iter().enumerate() {
            s.extend(clock_to(&format!("preadd${k}")));
            let left = self.source_expr(node.input, node.left);
            let value = match node.right {
                Some(r) => add(
                    cast(left, LEAF_BITS),
                    cast(self.source_expr(node.input, r), LEAF_BITS),
                ),
                None => cast(left, LEAF_BITS),
            };
            s.push(assign(format!("preadd${k}$d"), value));
        }
        for (t, tile) in self._plan.tiles.iter().enumerate() {
            s.extend(clock_to(&format!("tile_reg${t}")));
            let product = match (self._tile_dsp[t], tile.shift_only()) {
                (Some(d), _) => {
                    s.push(assign(format!("tiles${d}$a"), self.chunk_expr(&tile.a, 26)));
                    s.push(assign(format!("tiles${d}$b"), self.chunk_expr(&tile.b, 17)));
                    sig(format!("tiles${d}$p"))
                }
                (None, Some(k)) => {
                    let var = if matches!(tile.a, Chunk::Var { .. }) {
                        &tile.a
                    } else {
                        &tile.b
                    };
                    shl(cast(self.chunk_expr(var, 26), DSP_P_BITS), k)
                }
                (None, None) => unreachable!("a tile without a DSP is a shift"),
            };
            s.push(assign(format!("tile_reg${t}$d"), product));
        }
        for (r, terms) in self._row_terms.iter().enumerate() {
            let items = terms.iter().map(|&i| {
                let term = &self._plan.terms[i];
                let w = self._plan.tiles[term.tile].width();
                let q = cast(sig(format!("tile_reg${}$q", term.tile)), W2);
                let v = if term.negate {
                    xor(q, lit(&Self::mask(w), W2))
                } else {
                    q
                };
                shl(v, term.shift)
            });
            s.push(assign(format!("rows${r}"), or_all(items, W2)));
        }
        if let Some(r) = self._const_row {
            s.push(assign(
                format!("rows${r}"),
                lit(&self._plan.correction(), W2),
            ));
        }
        if let Some(r) = self._addend_row {
            let last = self.addend_delay.len() - 1;
            s.push(assign(
                format!("rows${r}"),
                sig(format!("addend_delay${last}$q")),
            ));
        }
        for (k, ins) in self._node_inputs.iter().enumerate() {
            s.extend(clock_to(&format!("tree${k}")));
            for (j, v) in ins.iter().enumerate() {
                s.push(assign(format!("tree${k}$x{j}"), self.vector_expr(*v)));
            }
        }
        s.extend(clock_to("final_add"));
        s.push(assign("final_add$a", self.vector_expr(self._root[0])));
        s.push(assign("final_add$b", self.vector_expr(self._root[1])));
        s.push(assign("final_add$cin", bit(false)));
        s.push(assign("p", sig("final_add$sum")));
        comb(s)
    }
}
