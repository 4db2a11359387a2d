//! `TermMul`: the hardware of a [`ProductPlan`] — the `karatsuba` multiplier style.
//!
//! ```text
//! a, b, addend ─▶ input regs ─▶ pre-adders (Karatsuba leaf sums, ≤ 128-bit adds,
//!                 one register level each) ─▶ 26×17 DSP tiles (registered products)
//!              ─▶ rows: terms packed side by side, negated terms as masked complements,
//!                 the addend ─▶ bit heap (+ the correction constant): levels of 6:3
//!                 counters, a register every two levels ─▶ PipeAdd
//! ```
//! Stages: one DSP multiply, one ≤128-bit carry chain (pre-add, PipeAdd segment) or two
//! LUT levels of counters ([`super::bit_heap`]) each. The result is
//! `plan.eval(a, b, addend) mod 2^out` (out = `plan.out_bits`, at most 2W; the bits above
//! are zero) after [`TermMul::latency`] clocks, one result per clock. The addend is below
//! 2^W (Montgomery's T_lo).

use super::bit_heap::{src_bit, HeapPlan, OutBit, Src};
use super::carry_chain::{TernaryAdder, CHAIN_BITS};
use super::en_reg::EnReg;
use super::leaf::DspTile;
use super::pipe_add::PipeAdd;
use super::product_plan::{Chunk, Input, ProductPlan, DSP_P_BITS, LEAF_BITS};
use crate::rtl::*;
use num_bigint::BigUint;
use num_traits::One;
use rust_hdl::core::prelude::*;

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
    /// The two full adders {c2, s2, c1, s1} of every 5- and 6-input heap counter
    /// (flattened over levels; `_pairs_of[l][i]` is counter i of level l's).
    heap_pairs: Vec<Signal<Local, Bits<4>>>,
    /// Ternary adders of every heap level (flattened; `_adder_off`).
    heap_adders: Vec<TernaryAdder<CHAIN_BITS>>,
    /// Output rows of every heap level (flattened; `_row_off`).
    heap_rows: Vec<Signal<Local, Bits<W2>>>,
    /// Registers after the registered levels (flattened; `_reg_off`).
    heap_regs: Vec<EnReg<Bits<W2>>>,
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
    /// Row index of the addend, if present.
    _addend_row: Option<usize>,
    _heap: HeapPlan,
    _pairs_of: Vec<Vec<Option<usize>>>,
    _adder_off: Vec<usize>,
    _row_off: Vec<usize>,
    _reg_off: Vec<Option<usize>>,
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
        let addend_row = plan.addend.then_some(row_terms.len());
        let rows = row_terms.len() + usize::from(plan.addend);
        let columns = Self::heap_columns(&plan, &row_terms, addend_row);
        let out = columns.len();
        let heap = HeapPlan::new(out, columns, &plan.correction());
        let (mut pairs_of, mut row_off, mut reg_off) = (vec![], vec![], vec![]);
        let (mut adder_off, mut adders) = (vec![], vec![]);
        let (mut pairs, mut heap_rows, mut regs) = (0, 0, 0);
        for level in &heap.levels {
            pairs_of.push(
                level
                    .counters
                    .iter()
                    .map(|c| {
                        (c.inputs.len() >= 5).then(|| {
                            pairs += 1;
                            pairs - 1
                        })
                    })
                    .collect(),
            );
            adder_off.push(adders.len());
            adders.extend(level.adders.iter().map(|a| TernaryAdder::new(a.width())));
            row_off.push(heap_rows);
            reg_off.push(level.registered.then_some(regs));
            heap_rows += level.rows.len();
            if level.registered {
                regs += level.rows.len();
            }
        }
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
            rows: (0..rows).map(|_| Default::default()).collect(),
            heap_pairs: (0..pairs).map(|_| Default::default()).collect(),
            heap_adders: adders,
            heap_rows: (0..heap_rows).map(|_| Default::default()).collect(),
            heap_regs: (0..regs).map(|_| Default::default()).collect(),
            final_add: Default::default(),
            _plan: plan,
            _preadd_nodes: nodes,
            _leaf_node: leaf_node,
            _tile_dsp: tile_dsp,
            _row_terms: row_terms,
            _addend_row: addend_row,
            _heap: heap,
            _pairs_of: pairs_of,
            _adder_off: adder_off,
            _row_off: row_off,
            _reg_off: reg_off,
        }
    }

    /// The heap's columns (`plan.out_bits` of them, at most 2W): every bit a term of a row
    /// or the addend row can set.
    fn heap_columns(
        plan: &ProductPlan,
        row_terms: &[Vec<usize>],
        addend_row: Option<usize>,
    ) -> Vec<Vec<Src>> {
        let out = plan.out_bits.min(W2);
        let mut columns: Vec<Vec<Src>> = vec![vec![]; out];
        for (r, terms) in row_terms.iter().enumerate() {
            for &i in terms {
                let term = &plan.terms[i];
                let end = (term.shift + plan.tiles[term.tile].width()).min(out);
                for (col, column) in columns.iter_mut().enumerate().take(end).skip(term.shift) {
                    column.push(Src::Row { row: r, col });
                }
            }
        }
        if let Some(r) = addend_row {
            for (col, column) in columns.iter_mut().enumerate().take(W.min(out)) {
                column.push(Src::Row { row: r, col });
            }
        }
        columns
    }

    /// Input register, pre-adders, tile register, heap registers, final adder.
    pub fn latency(&self) -> usize {
        1 + self._plan.preadd_levels + 1 + self._heap.registers() + PipeAdd::<W2>::LATENCY
    }

    /// Counters of the bit heap (LUTs after synthesis: about one per output bit).
    pub fn counter_count(&self) -> usize {
        self._heap.counter_count()
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

    /// The signal holding input row `row` of heap level `l`.
    fn heap_input(&self, l: usize, row: usize) -> Expr {
        if l == 0 {
            return sig(format!("rows${row}"));
        }
        match self._reg_off[l - 1] {
            Some(off) => sig(format!("heap_regs${}$q", off + row)),
            None => sig(format!("heap_rows${}", self._row_off[l - 1] + row)),
        }
    }

    fn heap_src(&self, l: usize, s: Src) -> Expr {
        match s {
            Src::Row { row, col } => index(self.heap_input(l, row), col),
            Src::One => bit(true),
        }
    }

    /// `dst = bits` (bit i from level `l`'s input `bits[i]`, zero where None), written as
    /// slices where consecutive bits come from consecutive columns of one row.
    fn assign_bits(&self, l: usize, dst: &str, bits: &[Option<Src>]) -> Vec<Stmt> {
        let mut s = vec![assign(dst, lit_u(0, CHAIN_BITS))];
        let mut i = 0;
        while i < bits.len() {
            match bits[i] {
                None => i += 1,
                Some(Src::Row { row, col }) => {
                    let run = bits[i..]
                        .iter()
                        .enumerate()
                        .take_while(|(n, &b)| b == Some(Src::Row { row, col: col + n }))
                        .count();
                    s.push(set_bits(
                        dst,
                        i,
                        run,
                        slice(self.heap_input(l, row), col, run),
                    ));
                    i += run;
                }
                Some(one) => {
                    s.push(set_bit(dst, i, self.heap_src(l, one)));
                    i += 1;
                }
            }
        }
        s
    }

    /// Bit `bit` of counter `counter` of level `l`: a half or full adder over its inputs,
    /// or (5 and 6 inputs) `s1 + s2 + 2(c1 + c2)` from its two full adders:
    /// bit 0 = s1 ⊕ s2, and h + c1 + c2 (h = s1·s2) gives bits 1 and 2.
    fn count_bit(&self, l: usize, counter: usize, bit: usize) -> Expr {
        let c = &self._heap.levels[l].counters[counter];
        let x: Vec<Expr> = c.inputs.iter().map(|&x| self.heap_src(l, x)).collect();
        match (self._pairs_of[l][counter], x.len()) {
            (None, 2) => [
                xor(x[0].clone(), x[1].clone()),
                and(x[0].clone(), x[1].clone()),
            ][bit]
                .clone(),
            (None, 3) => {
                let (s, c) = full_adder(&x[0], &x[1], &x[2]);
                [s, c][bit].clone()
            }
            (Some(k), _) => {
                let p = |i| index(sig(format!("heap_pairs${k}")), i);
                let h = and(p(0), p(2));
                match bit {
                    0 => xor(p(0), p(2)),
                    1 => xor(xor(p(1), p(3)), h),
                    _ => maj(p(1), p(3), h),
                }
            }
            (None, n) => unreachable!("the heap plans no counter of {n} inputs"),
        }
    }

    /// The last level's output row `r` (a register), or zero.
    fn heap_root(&self, r: usize) -> Expr {
        let l = self._heap.levels.len() - 1;
        if r < self._heap.levels[l].rows.len() {
            sig(format!(
                "heap_regs${}$q",
                self._reg_off[l].expect("last level registered") + r
            ))
        } else {
            lit(&BigUint::default(), W2)
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

/// A full adder as logic: (sum, carry). Counters are written as adders of single bits,
/// not `+` (synthesis would build a carry chain per counter; as plain logic each count
/// bit is one LUT of at most six inputs).
fn full_adder(a: &Expr, b: &Expr, c: &Expr) -> (Expr, Expr) {
    (
        xor(xor(a.clone(), b.clone()), c.clone()),
        maj(a.clone(), b.clone(), c.clone()),
    )
}

/// {c2, s2, c1, s1} of a 5- or 6-input counter: full adders over inputs 0–2 and 3–5
/// (input 5 zero for five), the software twin of `heap_pairs` in [`TermMul`]'s Verilog.
fn full_adder_pairs(x: &[bool]) -> u64 {
    let fa = |a: bool, b: bool, c: bool| (a ^ b ^ c, (a & b) | (a & c) | (b & c));
    let (s1, c1) = fa(x[0], x[1], x[2]);
    let (s2, c2) = fa(x[3], x[4], x.get(5).copied().unwrap_or(false));
    u64::from(s1) | u64::from(c1) << 1 | u64::from(s2) << 2 | u64::from(c2) << 3
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
        if let Some(r) = self._addend_row {
            self.rows[r].next = self.addend_delay.last().expect("addend delay").q.val();
        }
        let mut inputs: Vec<BigUint> = self.rows.iter().map(|r| r.val().into()).collect();
        for l in 0..self._heap.levels.len() {
            let outs = self._heap.eval_level(l, &inputs).1;
            for (i, counter) in self._heap.levels[l].counters.iter().enumerate() {
                if let Some(k) = self._pairs_of[l][i] {
                    let x: Vec<bool> = counter
                        .inputs
                        .iter()
                        .map(|&s| src_bit(&inputs, s))
                        .collect();
                    self.heap_pairs[k].next = bits(full_adder_pairs(&x));
                }
            }
            for (a, adder) in self._heap.levels[l].adders.iter().enumerate() {
                let child = &mut self.heap_adders[self._adder_off[l] + a];
                let row = |r: usize| -> Bits<CHAIN_BITS> {
                    let mut v = BigUint::default();
                    for i in 0..adder.width() {
                        if adder.input(r, i).is_some_and(|s| src_bit(&inputs, s)) {
                            v.set_bit(i as u64, true);
                        }
                    }
                    v.into()
                };
                child.a.next = row(0);
                child.b.next = row(1);
                child.c.next = row(2);
                child.x0.next = false;
                child.ci.next = false;
            }
            for (r, v) in outs.iter().enumerate() {
                self.heap_rows[self._row_off[l] + r].next = v.clone().into();
            }
            inputs = match self._reg_off[l] {
                Some(off) => (0..outs.len())
                    .map(|r| {
                        let reg = &mut self.heap_regs[off + r];
                        reg.clock.next = clock;
                        reg.enable.next = enable;
                        reg.d.next = outs[r].clone().into();
                        reg.q.val().into()
                    })
                    .collect(),
                None => outs,
            };
        }
        let root = |r: usize| -> Bits<W2> { inputs.get(r).cloned().unwrap_or_default().into() };
        let (s, c) = (root(0), root(1));
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
        for c in &mut self.heap_pairs {
            c.connect();
        }
        for a in &mut self.heap_adders {
            a.a.connect();
            a.b.connect();
            a.c.connect();
            a.x0.connect();
            a.ci.connect();
        }
        for r in &mut self.heap_rows {
            r.connect();
        }
        for r in &mut self.heap_regs {
            r.clock.connect();
            r.enable.connect();
            r.d.connect();
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
        if let Some(r) = self._addend_row {
            let last = self.addend_delay.len() - 1;
            s.push(assign(
                format!("rows${r}"),
                sig(format!("addend_delay${last}$q")),
            ));
        }
        for (l, level) in self._heap.levels.iter().enumerate() {
            for (i, counter) in level.counters.iter().enumerate() {
                if let Some(k) = self._pairs_of[l][i] {
                    let name = format!("heap_pairs${k}");
                    let x: Vec<Expr> = counter
                        .inputs
                        .iter()
                        .map(|&x| self.heap_src(l, x))
                        .collect();
                    let (s1, c1) = full_adder(&x[0], &x[1], &x[2]);
                    let zero = bit(false);
                    let (s2, c2) = full_adder(&x[3], &x[4], x.get(5).unwrap_or(&zero));
                    s.push(assign(name.clone(), lit_u(0, 4)));
                    for (b, v) in [s1, c1, s2, c2].into_iter().enumerate() {
                        s.push(set_bit(&name, b, v));
                    }
                }
            }
            for (a, adder) in level.adders.iter().enumerate() {
                let name = format!("heap_adders${}", self._adder_off[l] + a);
                for (r, port) in ["a", "b", "c"].into_iter().enumerate() {
                    let bits: Vec<Option<Src>> =
                        (0..adder.width()).map(|i| adder.input(r, i)).collect();
                    s.extend(self.assign_bits(l, &format!("{name}${port}"), &bits));
                }
                s.push(assign(format!("{name}$x0"), bit(false)));
                s.push(assign(format!("{name}$ci"), bit(false)));
            }
            for (r, row) in level.rows.iter().enumerate() {
                let name = format!("heap_rows${}", self._row_off[l] + r);
                s.push(assign(name.clone(), lit(&BigUint::default(), W2)));
                let mut j = 0;
                while j < row.len() {
                    let (col, b) = row[j];
                    // A run of one ternary adder's sum bits: one slice.
                    if let OutBit::Sum { adder, bit: first } = b {
                        let width = level.adders[adder].width();
                        let run = row[j..]
                            .iter()
                            .enumerate()
                            .take_while(|(n, &(c, o))| {
                                c == col + n
                                    && first + n < width
                                    && o == OutBit::Sum {
                                        adder,
                                        bit: first + n,
                                    }
                            })
                            .count();
                        let k = self._adder_off[l] + adder;
                        let value = if run > 0 {
                            slice(sig(format!("heap_adders${k}$sum")), first, run)
                        } else if first == width {
                            sig(format!("heap_adders${k}$co"))
                        } else {
                            sig(format!("heap_adders${k}$mt"))
                        };
                        let run = run.max(1);
                        s.push(set_bits(&name, col, run, value));
                        j += run;
                        continue;
                    }
                    // A run of bits passed through from one input row: one slice.
                    if let OutBit::Pass(Src::Row { row: from, .. }) = b {
                        let run = row[j..]
                            .iter()
                            .enumerate()
                            .take_while(|(n, &(c, o))| {
                                c == col + n && o == OutBit::Pass(Src::Row { row: from, col: c })
                            })
                            .count();
                        let src = slice(self.heap_input(l, from), col, run);
                        s.push(set_bits(&name, col, run, src));
                        j += run;
                        continue;
                    }
                    let value = match b {
                        OutBit::Pass(x) => self.heap_src(l, x),
                        OutBit::Count { counter, bit } => self.count_bit(l, counter, bit),
                        OutBit::Sum { .. } => unreachable!("written as runs above"),
                    };
                    s.push(set_bit(&name, col, value));
                    j += 1;
                }
                if let Some(off) = self._reg_off[l] {
                    s.extend(clock_to(&format!("heap_regs${}", off + r)));
                    s.push(assign(format!("heap_regs${}$d", off + r), sig(name)));
                }
            }
        }
        s.extend(clock_to("final_add"));
        s.push(assign("final_add$a", self.heap_root(0)));
        s.push(assign("final_add$b", self.heap_root(1)));
        s.push(assign("final_add$cin", bit(false)));
        s.push(assign("p", sig("final_add$sum")));
        comb(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::FieldId;

    /// Ternary adders take at most 60 % of the LUTs of a counters-only heap, for every
    /// product of a MontMul of both curves (in both reductions' styles), in no more
    /// register stages.
    #[test]
    fn ternary_levels_save_luts() {
        for f in [FieldId::Bn254Fq, FieldId::Bls12_381Fq] {
            let p = f.params();
            let w = p.modulus.bits().next_multiple_of(128) as usize;
            let r = BigUint::one() << w;
            let m = (&r - p.modulus.modinv(&r).unwrap()) % &r;
            for plan in [
                ProductPlan::best_karatsuba(w, &p.modulus),
                ProductPlan::low_half(w, &m),
                ProductPlan::low_half_shift_add(w, &m),
                ProductPlan::high_truncated(w, &p.modulus),
            ] {
                let (heap, counters) = if w == 256 {
                    both_heaps::<256, 512>(plan)
                } else {
                    both_heaps::<384, 768>(plan)
                };
                assert!(
                    heap.lut_estimate() * 10 <= counters.lut_estimate() * 6,
                    "{f:?}: {} LUTs vs {} with counters only",
                    heap.lut_estimate(),
                    counters.lut_estimate()
                );
                assert!(
                    heap.registers() <= counters.registers(),
                    "{f:?}: {} vs {} registers",
                    heap.registers(),
                    counters.registers()
                );
            }
        }
    }

    /// The product's heap as planned, and the same heap reduced by counters only.
    fn both_heaps<const W: usize, const W2: usize>(plan: ProductPlan) -> (HeapPlan, HeapPlan) {
        let t = TermMul::<W, W2>::new(plan);
        let columns = TermMul::<W, W2>::heap_columns(&t._plan, &t._row_terms, t._addend_row);
        let counters =
            HeapPlan::with_ternary_above(columns.len(), columns, &t._plan.correction(), usize::MAX);
        (t._heap, counters)
    }
}
