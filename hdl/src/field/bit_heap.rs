//! Bit-heap compression: the plan that sums many partial-product bits into two rows.
//!
//! A product's tiles leave a *heap* of bits: column k holds every bit of weight 2^k. The
//! heap is reduced by levels of counters — a counter takes up to six bits of one column
//! and writes their count (three bits) into columns k, k+1, k+2 — until every column holds
//! at most two bits, which a carry-propagate adder then sums. A 6:3 counter is three 6-input
//! functions, one LUT6 each on a Xilinx part, and removes three bits: one LUT per bit
//! removed, against two for the full adders of a carry-save (4:2) tree of whole rows, and
//! only the columns that hold bits cost anything (rows of a row tree are padded with zeros).
//!
//! Tall heaps first go through levels of *ternary adders* ([`super::carry_chain`]): three
//! rows of one column span summed on a carry chain, one LUT per column, so two bits removed
//! per LUT — twice a counter's yield where the heap is high. Each such level is one LUT and
//! a ≤ 64-bit carry chain, two of them per pipeline stage. Counters finish the short heap
//! that remains.
//!
//! The plan is pure arithmetic: [`HeapPlan::eval_level`] is the software model of one level,
//! and the tests check that the rows out of the last level sum to the heap's value.
//! [`super::term_mul::TermMul`] turns it into hardware: each level is combinational logic
//! (one LUT level), and a register follows every second level and the last.

use super::carry_chain::{self, CHAIN_BITS};
use num_bigint::BigUint;
use num_traits::Zero;

/// Levels of counters between two registers (two LUT levels per pipeline stage, the depth
/// of the 4:2 compressor it replaces).
pub const LEVELS_PER_REGISTER: usize = 2;

/// Largest counter: six inputs (one LUT6 per output bit).
const MAX_COUNTER_INPUTS: usize = 6;

/// Heaps higher than this go through ternary-adder levels; counters reduce the rest (a
/// ternary level leaves two carry bits where a chain ends, so it cannot reach two rows).
const TERNARY_ABOVE: usize = 4;

/// One bit entering a level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    /// Bit `col` of input row `row` of the level.
    Row { row: usize, col: usize },
    /// A constant one.
    One,
}

/// A counter: the number of its input bits (all of weight 2^col), written to the columns
/// `col`, `col + 1`, … of the level's output.
#[derive(Clone, Debug)]
pub struct Counter {
    pub inputs: Vec<Src>,
    pub col: usize,
}

impl Counter {
    /// Bits of the count.
    pub fn out_bits(&self) -> usize {
        usize::BITS as usize - self.inputs.len().leading_zeros() as usize
    }
}

/// A ternary adder: up to three bits per column over the columns `lo..lo + width()`
/// (missing bits are zero), on one carry chain.
#[derive(Clone, Debug)]
pub struct RowAdder {
    pub lo: usize,
    /// `columns[i]`: the bits of column `lo + i` (1 to 3).
    pub columns: Vec<Vec<Src>>,
}

impl RowAdder {
    /// Columns spanned (LUTs after synthesis).
    pub fn width(&self) -> usize {
        self.columns.len()
    }
    /// Input `r` (0..3) of column `i`, if present.
    pub fn input(&self, r: usize, i: usize) -> Option<Src> {
        self.columns[i].get(r).copied()
    }
}

/// One bit of a level's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutBit {
    /// An input bit passed through.
    Pass(Src),
    /// Bit `bit` of counter `counter` of the level.
    Count { counter: usize, bit: usize },
    /// Output `bit` of ternary adder `adder`: sum bits `0..width`, then at column
    /// `lo + width` the carry out (`width`) and the top column's majority (`width + 1`).
    Sum { adder: usize, bit: usize },
}

/// One level of counters.
#[derive(Clone, Debug)]
pub struct Level {
    pub counters: Vec<Counter>,
    pub adders: Vec<RowAdder>,
    /// Output rows: `rows[r]` lists `(column, bit)`; a column holds at most one bit per row.
    pub rows: Vec<Vec<(usize, OutBit)>>,
    /// A register follows this level.
    pub registered: bool,
}

/// The levels that reduce a heap to at most two bits per column.
#[derive(Clone, Debug)]
pub struct HeapPlan {
    /// Columns kept: the sum is computed mod 2^width.
    pub width: usize,
    pub levels: Vec<Level>,
}

impl HeapPlan {
    /// Plans the reduction of `columns` (column k: the input bits of weight 2^k, `Src::Row`
    /// naming the first level's input rows) plus `constant`, mod 2^`width`. There is always
    /// at least one (registered) level, so the result is registered.
    pub fn new(width: usize, columns: Vec<Vec<Src>>, constant: &BigUint) -> Self {
        Self::with_ternary_above(width, columns, constant, TERNARY_ABOVE)
    }

    /// [`HeapPlan::new`] with ternary levels while the heap is higher than `ternary_above`
    /// (`usize::MAX`: counters only, the plan before ternary adders; for comparisons).
    pub fn with_ternary_above(
        width: usize,
        mut columns: Vec<Vec<Src>>,
        constant: &BigUint,
        ternary_above: usize,
    ) -> Self {
        columns.resize(width, vec![]);
        for (k, column) in columns.iter_mut().enumerate() {
            if constant.bit(k as u64) {
                column.push(Src::One);
            }
        }
        let mut levels = vec![];
        loop {
            let height = columns.iter().map(Vec::len).max().unwrap_or(0);
            let last = height <= 3;
            let level = if height > ternary_above {
                Self::ternary(width, &columns)
            } else {
                Self::compress(width, &columns, last)
            };
            columns = (0..width)
                .map(|k| {
                    level
                        .rows
                        .iter()
                        .enumerate()
                        .filter(|(_, row)| row.iter().any(|&(c, _)| c == k))
                        .map(|(r, _)| Src::Row { row: r, col: k })
                        .collect()
                })
                .collect();
            levels.push(level);
            if columns.iter().all(|c| c.len() <= 2) {
                break;
            }
        }
        // Two levels per stage: two LUT levels, or LUT + 64-bit chain twice (about one
        // 128-bit carry chain).
        let last = levels.len() - 1;
        for (l, level) in levels.iter_mut().enumerate() {
            level.registered = l == last || l % LEVELS_PER_REGISTER == LEVELS_PER_REGISTER - 1;
        }
        Self { width, levels }
    }

    /// One level of ternary adders: the bits of each column are taken three at a time
    /// (group g: bits 3g..3g+3), and each group's columns with two or more bits are summed
    /// on chains of at most [`CHAIN_BITS`] columns; single bits outside a chain pass through.
    fn ternary(width: usize, columns: &[Vec<Src>]) -> Level {
        let mut adders = vec![];
        let mut out: Vec<Vec<OutBit>> = vec![vec![]; width];
        let height = columns.iter().map(Vec::len).max().unwrap_or(0);
        for g in 0..height.div_ceil(3) {
            let group = |k: usize| {
                let c = &columns[k];
                &c[(3 * g).min(c.len())..(3 * g + 3).min(c.len())]
            };
            let mut k = 0;
            while k < width {
                if group(k).len() < 2 {
                    out[k].extend(group(k).iter().map(|&s| OutBit::Pass(s)));
                    k += 1;
                    continue;
                }
                // A chain from k over the group's non-empty columns, ending at its last
                // column of two or more bits (single bits above it pass through).
                let mut hi = k;
                while hi < width && hi - k < CHAIN_BITS && !group(hi).is_empty() {
                    hi += 1;
                }
                let hi = 1
                    + (k..hi)
                        .rev()
                        .find(|&j| group(j).len() >= 2)
                        .expect("k qualifies");
                let adder = adders.len();
                for (i, column) in out[k..hi].iter_mut().enumerate() {
                    column.push(OutBit::Sum { adder, bit: i });
                }
                if hi < width {
                    let w = hi - k;
                    out[hi].push(OutBit::Sum { adder, bit: w });
                    out[hi].push(OutBit::Sum { adder, bit: w + 1 });
                }
                adders.push(RowAdder {
                    lo: k,
                    columns: (k..hi).map(|j| group(j).to_vec()).collect(),
                });
                k = hi;
            }
        }
        Level {
            counters: vec![],
            adders,
            rows: Self::rows_of(&out),
            registered: false,
        }
    }

    /// Output rows of a level from its per-column output bits: row r holds each column's
    /// r-th bit.
    fn rows_of(out: &[Vec<OutBit>]) -> Vec<Vec<(usize, OutBit)>> {
        let height = out.iter().map(Vec::len).max().unwrap_or(0).max(1);
        (0..height)
            .map(|r| {
                out.iter()
                    .enumerate()
                    .filter_map(|(k, bits)| bits.get(r).map(|&b| (k, b)))
                    .collect()
            })
            .collect()
    }

    /// One level: every column of three or more bits goes through counters (6:3, 5:3, 3:2),
    /// one or two leftover bits pass through. Heights fall by about half per level, down to
    /// three; then `last`: a full adder over every column of three bits and a half adder
    /// over a pair that receives a carry (one bit stays, one carries), so each column ends
    /// with at most two bits — greedy levels would instead ripple height-3 columns one
    /// column per level.
    fn compress(width: usize, columns: &[Vec<Src>], last: bool) -> Level {
        let mut counters = vec![];
        let mut out: Vec<Vec<OutBit>> = vec![vec![]; width];
        for (k, column) in columns.iter().enumerate() {
            let mut rest = &column[..];
            // In the last level a pair needs a half adder only below an incoming carry.
            let carry_in = k > 0 && counters.last().is_some_and(|c: &Counter| c.col == k - 1);
            let smallest = if last && carry_in { 2 } else { 3 };
            while rest.len() >= smallest {
                let n = match rest.len() {
                    2 => 2,
                    3 | 4 => 3,
                    5 => 5,
                    _ => MAX_COUNTER_INPUTS,
                };
                let counter = Counter {
                    inputs: rest[..n].to_vec(),
                    col: k,
                };
                for bit in 0..counter.out_bits() {
                    if k + bit < width {
                        out[k + bit].push(OutBit::Count {
                            counter: counters.len(),
                            bit,
                        });
                    }
                }
                counters.push(counter);
                rest = &rest[n..];
            }
            out[k].extend(rest.iter().map(|&s| OutBit::Pass(s)));
        }
        Level {
            counters,
            adders: vec![],
            rows: Self::rows_of(&out),
            registered: false,
        }
    }

    /// Registers (pipeline stages) of the plan.
    pub fn registers(&self) -> usize {
        self.levels.iter().filter(|l| l.registered).count()
    }

    /// Counters of all levels.
    pub fn counter_count(&self) -> usize {
        self.levels.iter().map(|l| l.counters.len()).sum()
    }

    /// LUTs the plan should map to: one per ternary-adder column, one per counter output
    /// bit (half and full adders included).
    pub fn lut_estimate(&self) -> usize {
        self.levels
            .iter()
            .map(|l| {
                l.adders.iter().map(RowAdder::width).sum::<usize>()
                    + l.counters.iter().map(Counter::out_bits).sum::<usize>()
            })
            .sum()
    }

    /// Outputs of ternary adder `a` of level `l` (sum bits, carry out, top majority).
    pub fn eval_adder(&self, l: usize, a: usize, inputs: &[BigUint]) -> (Vec<bool>, bool, bool) {
        let adder = &self.levels[l].adders[a];
        let row = |r: usize| -> Vec<bool> {
            (0..adder.width())
                .map(|i| adder.input(r, i).is_some_and(|s| src_bit(inputs, s)))
                .collect()
        };
        carry_chain::eval(adder.width(), &row(0), &row(1), &row(2), false, false)
    }

    /// Software model of level `l`: its counters' values and output rows from its input
    /// rows.
    pub fn eval_level(&self, l: usize, inputs: &[BigUint]) -> (Vec<u64>, Vec<BigUint>) {
        let level = &self.levels[l];
        let bit = |s: &Src| src_bit(inputs, *s);
        let counts: Vec<u64> = level
            .counters
            .iter()
            .map(|c| c.inputs.iter().filter(|s| bit(s)).count() as u64)
            .collect();
        let sums: Vec<(Vec<bool>, bool, bool)> = (0..level.adders.len())
            .map(|a| self.eval_adder(l, a, inputs))
            .collect();
        let rows = level
            .rows
            .iter()
            .map(|row| {
                let mut v = BigUint::zero();
                for &(k, b) in row {
                    let one = match b {
                        OutBit::Pass(s) => bit(&s),
                        OutBit::Count { counter, bit } => counts[counter] >> bit & 1 == 1,
                        OutBit::Sum { adder, bit } => {
                            let (s, co, mt) = &sums[adder];
                            match bit.checked_sub(s.len()) {
                                None => s[bit],
                                Some(0) => *co,
                                Some(_) => *mt,
                            }
                        }
                    };
                    if one {
                        v.set_bit(k as u64, true);
                    }
                }
                v
            })
            .collect();
        (counts, rows)
    }

    /// The two rows out of the last level (zero where the level has fewer).
    pub fn eval(&self, inputs: &[BigUint]) -> [BigUint; 2] {
        let mut rows = inputs.to_vec();
        for l in 0..self.levels.len() {
            rows = self.eval_level(l, &rows).1;
        }
        [
            rows.first().cloned().unwrap_or_default(),
            rows.get(1).cloned().unwrap_or_default(),
        ]
    }
}

/// The value of a level's input bit.
pub fn src_bit(inputs: &[BigUint], s: Src) -> bool {
    match s {
        Src::Row { row, col } => inputs[row].bit(col as u64),
        Src::One => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::One;
    use rand::{Rng, SeedableRng};

    /// Rows of random bits at random offsets, a constant: the two output rows sum to the
    /// heap mod 2^width, and every column ends with at most two bits.
    #[test]
    fn levels_sum_to_the_heap() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for trial in 0..40 {
            let width = [8, 64, 130, 512][trial % 4];
            let n_rows = rng.gen_range(1..30);
            let spans: Vec<(usize, usize)> = (0..n_rows)
                .map(|_| {
                    let lo = rng.gen_range(0..width);
                    (lo, rng.gen_range(lo + 1..=width))
                })
                .collect();
            let columns = (0..width)
                .map(|k| {
                    spans
                        .iter()
                        .enumerate()
                        .filter(|(_, &(lo, hi))| (lo..hi).contains(&k))
                        .map(|(r, _)| Src::Row { row: r, col: k })
                        .collect()
                })
                .collect();
            let constant: BigUint = (0..width)
                .filter(|_| rng.gen())
                .fold(BigUint::zero(), |v, k| v | (BigUint::one() << k));
            let plan = HeapPlan::new(width, columns, &constant);
            let modulus = BigUint::one() << width;
            for _ in 0..5 {
                let inputs: Vec<BigUint> = spans
                    .iter()
                    .map(|&(lo, hi)| {
                        (lo..hi)
                            .filter(|_| rng.gen())
                            .fold(BigUint::zero(), |v, k| v | (BigUint::one() << k))
                    })
                    .collect();
                let want = (inputs.iter().sum::<BigUint>() + &constant) % &modulus;
                let [s, c] = plan.eval(&inputs);
                assert_eq!((s + c) % &modulus, want, "trial {trial}");
            }
            let last = plan.levels.last().unwrap();
            assert!(last.registered && last.rows.len() <= 2);
            for level in &plan.levels {
                for c in &level.counters {
                    assert!((2..=MAX_COUNTER_INPUTS).contains(&c.inputs.len()));
                }
            }
        }
    }

    /// All-ones inputs (the largest count of every counter) still sum exactly.
    #[test]
    fn all_ones() {
        let width = 40;
        let n_rows = 17;
        let columns = (0..width)
            .map(|k| (0..n_rows).map(|r| Src::Row { row: r, col: k }).collect())
            .collect();
        let plan = HeapPlan::new(width, columns, &BigUint::zero());
        let ones = (BigUint::one() << width) - 1u32;
        let inputs = vec![ones.clone(); n_rows];
        let [s, c] = plan.eval(&inputs);
        let modulus = BigUint::one() << width;
        assert_eq!((s + c) % &modulus, (ones * n_rows) % &modulus);
    }
}
