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
//! The plan is pure arithmetic: [`HeapPlan::eval_level`] is the software model of one level,
//! and the tests check that the rows out of the last level sum to the heap's value.
//! [`super::term_mul::TermMul`] turns it into hardware: each level is combinational logic
//! (one LUT level), and a register follows every second level and the last.

use num_bigint::BigUint;
use num_traits::Zero;

/// Levels of counters between two registers (two LUT levels per pipeline stage, the depth
/// of the 4:2 compressor it replaces).
pub const LEVELS_PER_REGISTER: usize = 2;

/// Largest counter: six inputs (one LUT6 per output bit).
const MAX_COUNTER_INPUTS: usize = 6;

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

/// One bit of a level's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutBit {
    /// An input bit passed through.
    Pass(Src),
    /// Bit `bit` of counter `counter` of the level.
    Count { counter: usize, bit: usize },
}

/// One level of counters.
#[derive(Clone, Debug)]
pub struct Level {
    pub counters: Vec<Counter>,
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
    pub fn new(width: usize, mut columns: Vec<Vec<Src>>, constant: &BigUint) -> Self {
        columns.resize(width, vec![]);
        for (k, column) in columns.iter_mut().enumerate() {
            if constant.bit(k as u64) {
                column.push(Src::One);
            }
        }
        let mut levels = vec![];
        loop {
            let last = columns.iter().all(|c| c.len() <= 3);
            let level = Self::compress(width, &columns, last);
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
        let last = levels.len() - 1;
        for (l, level) in levels.iter_mut().enumerate() {
            level.registered = l == last || l % LEVELS_PER_REGISTER == LEVELS_PER_REGISTER - 1;
        }
        Self { width, levels }
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
        let height = out.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let rows = (0..height)
            .map(|r| {
                out.iter()
                    .enumerate()
                    .filter_map(|(k, bits)| bits.get(r).map(|&b| (k, b)))
                    .collect()
            })
            .collect();
        Level {
            counters,
            rows,
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

    /// Software model of level `l`: its counters' values and output rows from its input
    /// rows.
    pub fn eval_level(&self, l: usize, inputs: &[BigUint]) -> (Vec<u64>, Vec<BigUint>) {
        let level = &self.levels[l];
        let bit = |s: &Src| match *s {
            Src::Row { row, col } => inputs[row].bit(col as u64),
            Src::One => true,
        };
        let counts: Vec<u64> = level
            .counters
            .iter()
            .map(|c| c.inputs.iter().filter(|s| bit(s)).count() as u64)
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
