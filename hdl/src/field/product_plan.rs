//! Product plans of the `karatsuba` multiplier style: which DSP tiles a product needs, and
//! where each tile's product goes in the sum, computed at generation time.
//!
//! A plan is pure arithmetic (no hardware): [`ProductPlan::eval`] is its software model,
//! bit for bit what [`super::term_mul::TermMul`] computes, and the tests below check it
//! against exact integer products. Three kinds of plan make one Montgomery multiplier:
//!
//! * [`ProductPlan::karatsuba`]: the full product `a·b`, split into `2^levels` limbs and
//!   multiplied by polynomial Karatsuba–Ofman (3^levels leaf products instead of 4^levels;
//!   the middle terms `z1 − z0 − z2` are negated tiles, not subtractors).
//! * [`ProductPlan::low_half`]: `x·c mod 2^W` for a constant `c` (Montgomery's
//!   `m = T·(−p⁻¹) mod R`): only tiles below bit W, zero constant chunks dropped, a chunk
//!   that is a power of two is a shift instead of a DSP.
//! * [`ProductPlan::high_truncated`]: `x·c` for a constant `c` without its lowest tiles,
//!   plus an addend row. Montgomery only needs `⌈(T_lo + m·p)/R⌉`; dropping tiles whose
//!   largest possible sum is below R changes nothing because `T_lo + m·p ≡ 0 (mod R)`: with
//!   H the kept tiles and 0 ≤ L < R the dropped ones, `T_lo + H + L` is the one multiple of
//!   R in `[T_lo + H, T_lo + H + R)`, i.e. `R·⌈(T_lo + H)/R⌉`.
//!
//! Tiles are DSP48E2-shaped: 26 × 17 unsigned bits (the 27 × 18 signed multiplier).

use num_bigint::BigUint;
use num_traits::{One, Zero};

/// Width of a tile's A operand (DSP48E2: 27-bit signed → 26 unsigned).
pub const DSP_A_BITS: usize = 26;
/// Width of a tile's B operand (DSP48E2: 18-bit signed → 17 unsigned).
pub const DSP_B_BITS: usize = 17;
/// Width of a tile product.
pub const DSP_P_BITS: usize = DSP_A_BITS + DSP_B_BITS;
/// A product of which at most this many bits are used is LUT logic, not a DSP slice:
/// yosys `synth_xilinx` maps such multiplies to LUTs, and the plans build them as shifts
/// themselves so that the generator's DSP count stays what synthesis uses.
pub const LUT_PRODUCT_BITS: usize = 9;
/// Widest leaf operand of a Karatsuba plan (pre-adder registers are this wide).
pub const LEAF_BITS: usize = 128;

/// Which input a variable chunk is cut from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    A,
    B,
}

/// One operand of a tile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chunk {
    /// Bits `[off, off + width)` of leaf operand `leaf` of input `input`.
    Var {
        input: Input,
        leaf: usize,
        off: usize,
        width: usize,
    },
    /// A constant (below 2^width).
    Const { value: u64, width: usize },
}

impl Chunk {
    /// Bits of the chunk.
    pub fn width(&self) -> usize {
        match self {
            Chunk::Var { width, .. } | Chunk::Const { width, .. } => *width,
        }
    }
}

/// One partial product: `a × b`, `a` at most [`DSP_A_BITS`], `b` at most [`DSP_B_BITS`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tile {
    pub a: Chunk,
    pub b: Chunk,
    /// Placed at this bit of the product (the tile's own offsets included). Terms add
    /// their leaf's shift on top.
    pub offset: usize,
}

impl Tile {
    /// A constant-by-variable tile whose constant is a power of two needs no DSP: it is
    /// the variable chunk shifted by this many bits.
    pub fn shift_only(&self) -> Option<usize> {
        let pow2 = |c: &Chunk| match c {
            Chunk::Const { value, .. } if value.is_power_of_two() => {
                Some(value.trailing_zeros() as usize)
            }
            _ => None,
        };
        pow2(&self.b).or_else(|| pow2(&self.a))
    }
    /// Bits of the tile's product (at most [`DSP_P_BITS`]).
    pub fn width(&self) -> usize {
        if let Some(k) = self.shift_only() {
            let var = match (&self.a, &self.b) {
                (Chunk::Var { width, .. }, _) | (_, Chunk::Var { width, .. }) => *width,
                _ => 0,
            };
            return var + k;
        }
        let bits = |c: &Chunk| match c {
            Chunk::Const { value, .. } => 64 - value.leading_zeros() as usize,
            Chunk::Var { width, .. } => *width,
        };
        bits(&self.a) + bits(&self.b)
    }
}

/// A tile product placed in the sum: `± tile << shift`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    pub tile: usize,
    /// Bit position of the tile's bit 0 in the product.
    pub shift: usize,
    /// Subtracted (a Karatsuba middle term).
    pub negate: bool,
}

/// A leaf operand: the sum of some limbs of an input (Karatsuba), or the whole input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    /// Limb indices summed (limb `i` is bits `[i·limb_bits, (i+1)·limb_bits)`).
    pub limbs: Vec<usize>,
    /// Bits of the largest value the sum can take.
    pub width: usize,
}

/// Everything needed to build (and to model) one product.
#[derive(Clone, Debug)]
pub struct ProductPlan {
    /// Operand width W of the block.
    pub width: usize,
    /// Bits per limb (W for single-leaf plans).
    pub limb_bits: usize,
    /// Leaf operands (the same for both inputs in a Karatsuba plan; input A only else).
    pub leaves: Vec<Leaf>,
    /// Register levels of the pre-adders (0 when every leaf is a single limb).
    pub preadd_levels: usize,
    pub tiles: Vec<Tile>,
    pub terms: Vec<Term>,
    /// The block adds its `addend` input to the sum.
    pub addend: bool,
    /// Output bits that are meaningful (W for a low half, 2W otherwise).
    pub out_bits: usize,
}

fn bits_of(x: &BigUint) -> usize {
    x.bits() as usize
}

/// Splits `width` bits into chunks of `size`: (offset, width) each.
fn chunks(width: usize, size: usize) -> Vec<(usize, usize)> {
    (0..width.div_ceil(size))
        .map(|i| (i * size, size.min(width - i * size)))
        .collect()
}

/// Polynomial Karatsuba over coefficient lists: (leaf limbs, shift in limbs, negated).
fn karatsuba_terms(coeffs: &[Vec<usize>]) -> Vec<(Vec<usize>, usize, bool)> {
    if coeffs.len() == 1 {
        return vec![(coeffs[0].clone(), 0, false)];
    }
    let h = coeffs.len() / 2;
    let (lo, hi) = coeffs.split_at(h);
    let sum: Vec<Vec<usize>> = lo
        .iter()
        .zip(hi)
        .map(|(x, y)| x.iter().chain(y).copied().collect())
        .collect();
    let mut out = vec![];
    for (l, s, n) in karatsuba_terms(lo) {
        out.push((l.clone(), s, n));
        out.push((l, s + h, !n));
    }
    for (l, s, n) in karatsuba_terms(hi) {
        out.push((l.clone(), s + 2 * h, n));
        out.push((l, s + h, !n));
    }
    for (l, s, n) in karatsuba_terms(&sum) {
        out.push((l, s + h, n));
    }
    out
}

impl ProductPlan {
    /// `a·b` for `a, b ≤ max` (W-bit inputs), `levels` of Karatsuba (0 = schoolbook).
    pub fn karatsuba(width: usize, max: &BigUint, levels: usize) -> Self {
        let n = 1usize << levels;
        assert_eq!(width % n, 0, "width {width} does not split into {n} limbs");
        let limb_bits = width / n;
        let limb_max: Vec<BigUint> = (0..n)
            .map(|i| {
                let top = (max >> (i * limb_bits)).clone();
                let mask = (BigUint::one() << limb_bits) - 1u32;
                if bits_of(&top) > limb_bits {
                    mask
                } else {
                    top
                }
            })
            .collect();
        let coeffs: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
        let appearances = karatsuba_terms(&coeffs);
        let mut leaves: Vec<Leaf> = vec![];
        let mut tiles = vec![];
        let mut terms = vec![];
        // Tiles of each leaf, created once and shared by all its appearances.
        let mut leaf_tiles: Vec<Vec<usize>> = vec![];
        for (limbs, shift_limbs, negate) in appearances {
            let mut sorted = limbs.clone();
            sorted.sort_unstable();
            let leaf = match leaves.iter().position(|l| l.limbs == sorted) {
                Some(k) => k,
                None => {
                    let value: BigUint = sorted.iter().map(|&i| &limb_max[i]).sum();
                    let w = bits_of(&value).max(1);
                    if levels > 0 {
                        assert!(w <= LEAF_BITS, "leaf of {w} bits exceeds {LEAF_BITS}");
                    }
                    leaves.push(Leaf {
                        limbs: sorted,
                        width: w,
                    });
                    let k = leaves.len() - 1;
                    let mut ids = vec![];
                    for &(ao, aw) in &chunks(w, DSP_A_BITS) {
                        for &(bo, bw) in &chunks(w, DSP_B_BITS) {
                            tiles.push(Tile {
                                a: Chunk::Var {
                                    input: Input::A,
                                    leaf: k,
                                    off: ao,
                                    width: aw,
                                },
                                b: Chunk::Var {
                                    input: Input::B,
                                    leaf: k,
                                    off: bo,
                                    width: bw,
                                },
                                offset: ao + bo,
                            });
                            ids.push(tiles.len() - 1);
                        }
                    }
                    leaf_tiles.push(ids);
                    k
                }
            };
            for &t in &leaf_tiles[leaf] {
                terms.push(Term {
                    tile: t,
                    shift: shift_limbs * limb_bits + tiles[t].offset,
                    negate,
                });
            }
        }
        let max_limbs = leaves.iter().map(|l| l.limbs.len()).max().unwrap_or(1);
        ProductPlan {
            width,
            limb_bits,
            leaves,
            preadd_levels: if levels == 0 {
                0
            } else {
                max_limbs.next_power_of_two().trailing_zeros() as usize
            },
            tiles,
            terms,
            addend: false,
            out_bits: 2 * width,
        }
    }

    /// The Karatsuba depth (0–3 levels, leaves within [`LEAF_BITS`]) with the fewest DSPs:
    /// 2 levels at 256 bits (108 DSPs), 3 at 384 (162: 27 leaves of 6 tiles).
    pub fn best_karatsuba(width: usize, max: &BigUint) -> Self {
        (0..=3usize)
            .filter(|&l| {
                width.is_multiple_of(1 << l) && (l == 0 || width / (1 << l) + l <= LEAF_BITS)
            })
            .map(|l| Self::karatsuba(width, max, l))
            .min_by_key(|p| (p.dsp_count(), p.preadd_levels))
            .expect("schoolbook always fits")
    }

    /// Tiles of `x · c` (x below 2^x_bits, c a constant) in the orientation (variable on
    /// the A or the B port) that `keep` leaves with fewer DSPs.
    fn constant_tiles(x_bits: usize, c: &BigUint, keep: impl Fn(&Tile) -> bool) -> Vec<Tile> {
        let orient = |var_on_a: bool| -> Vec<Tile> {
            let (vs, cs) = if var_on_a {
                (DSP_A_BITS, DSP_B_BITS)
            } else {
                (DSP_B_BITS, DSP_A_BITS)
            };
            let mut out = vec![];
            for &(vo, vw) in &chunks(x_bits, vs) {
                for &(co, cw) in &chunks(bits_of(c).max(1), cs) {
                    let value = ((c >> co) & ((BigUint::one() << cw) - 1u32))
                        .to_u64_digits()
                        .first()
                        .copied()
                        .unwrap_or(0);
                    if value == 0 {
                        continue;
                    }
                    let var = Chunk::Var {
                        input: Input::A,
                        leaf: 0,
                        off: vo,
                        width: vw,
                    };
                    let cst = Chunk::Const { value, width: cw };
                    let (a, b) = if var_on_a { (var, cst) } else { (cst, var) };
                    let t = Tile {
                        a,
                        b,
                        offset: vo + co,
                    };
                    if keep(&t) {
                        out.push(t);
                    }
                }
            }
            out
        };
        let dsps = |ts: &[Tile]| ts.iter().filter(|t| t.shift_only().is_none()).count();
        let (on_a, on_b) = (orient(true), orient(false));
        if dsps(&on_b) < dsps(&on_a) {
            on_b
        } else {
            on_a
        }
    }

    fn single_leaf(width: usize, tiles: Vec<Tile>, addend: bool, out_bits: usize) -> Self {
        let terms = (0..tiles.len())
            .map(|t| Term {
                tile: t,
                shift: tiles[t].offset,
                negate: false,
            })
            .collect();
        ProductPlan {
            width,
            limb_bits: width,
            leaves: vec![Leaf {
                limbs: vec![0],
                width,
            }],
            preadd_levels: 0,
            tiles,
            terms,
            addend,
            out_bits,
        }
    }

    /// `x·c mod 2^W` for W-bit `x` and a constant `c`. A tile of which at most
    /// [`LUT_PRODUCT_BITS`] bits fall below W becomes shifts (the non-adjacent form of its
    /// constant cut to those bits) instead of a DSP slice.
    pub fn low_half(width: usize, c: &BigUint) -> Self {
        let mut plan = Self::single_leaf(width, vec![], false, width);
        for t in Self::constant_tiles(width, c, |t| t.offset < width) {
            let used = width - t.offset;
            let var_const = match (&t.a, &t.b) {
                (v @ Chunk::Var { .. }, Chunk::Const { value, .. })
                | (Chunk::Const { value, .. }, v @ Chunk::Var { .. }) => Some((v.clone(), *value)),
                _ => None,
            };
            match var_const {
                Some((
                    Chunk::Var {
                        input,
                        leaf,
                        off,
                        width: vw,
                    },
                    value,
                )) if used <= LUT_PRODUCT_BITS && t.shift_only().is_none() => {
                    for (j, negate) in naf(&BigUint::from(value % (1u64 << used))) {
                        if j >= used {
                            continue;
                        }
                        plan.tiles.push(Tile {
                            a: Chunk::Var {
                                input,
                                leaf,
                                off,
                                width: vw.min(used - j),
                            },
                            b: Chunk::Const {
                                value: 1 << j,
                                width: j + 1,
                            },
                            offset: t.offset,
                        });
                        plan.terms.push(Term {
                            tile: plan.tiles.len() - 1,
                            shift: t.offset,
                            negate,
                        });
                    }
                }
                _ => {
                    plan.terms.push(Term {
                        tile: plan.tiles.len(),
                        shift: t.offset,
                        negate: false,
                    });
                    plan.tiles.push(t);
                }
            }
        }
        plan
    }

    /// `x·c mod 2^W` for a constant `c` without DSPs: one shifted copy of `x` per non-zero
    /// digit of c's non-adjacent form (about W/3 digits, negative ones as negated terms),
    /// each cut at bit W. The copies are plain shifts of x's chunks, so the whole product
    /// is bit-heap LUTs: ~W²/6 heap bits in place of [`Self::low_half`]'s DSPs (85 at 256
    /// bits). Style `karatsuba-naf` computes Montgomery's m this way.
    pub fn low_half_shift_add(width: usize, c: &BigUint) -> Self {
        let tiles: Vec<Tile> = chunks(width, DSP_A_BITS)
            .into_iter()
            .map(|(off, w)| Tile {
                a: Chunk::Var {
                    input: Input::A,
                    leaf: 0,
                    off,
                    width: w,
                },
                b: Chunk::Const { value: 1, width: 1 },
                offset: off,
            })
            .collect();
        let terms = naf(&(c % (BigUint::one() << width)))
            .into_iter()
            .flat_map(|(s, negate)| {
                tiles
                    .iter()
                    .enumerate()
                    .filter(move |(_, t)| t.offset + s < width)
                    .map(move |(tile, t)| Term {
                        tile,
                        shift: t.offset + s,
                        negate,
                    })
            })
            .collect();
        ProductPlan {
            terms,
            ..Self::single_leaf(width, tiles, false, width)
        }
    }

    /// `addend + (x·c without the lowest tiles)`, where the dropped tiles' largest
    /// possible sum is below 2^W (see the module docs for why that is exact enough).
    pub fn high_truncated(width: usize, c: &BigUint) -> Self {
        let all = Self::constant_tiles(width, c, |_| true);
        let max_of = |t: &Tile| -> BigUint {
            let m = |ch: &Chunk| match ch {
                Chunk::Const { value, .. } => BigUint::from(*value),
                Chunk::Var { width, .. } => (BigUint::one() << *width) - 1u32,
            };
            (m(&t.a) * m(&t.b)) << t.offset
        };
        let mut order: Vec<usize> = (0..all.len()).collect();
        order.sort_by_key(|&i| all[i].offset + all[i].width());
        let limit = BigUint::one() << width;
        let mut dropped = BigUint::zero();
        let mut drop = vec![false; all.len()];
        for i in order {
            let next = &dropped + max_of(&all[i]);
            if next >= limit {
                break;
            }
            dropped = next;
            drop[i] = true;
        }
        let tiles = all
            .into_iter()
            .zip(drop)
            .filter(|(_, d)| !d)
            .map(|(t, _)| t)
            .collect();
        Self::single_leaf(width, tiles, true, 2 * width)
    }

    /// DSP slices the plan uses (tiles that are not plain shifts).
    pub fn dsp_count(&self) -> usize {
        self.tiles
            .iter()
            .filter(|t| t.shift_only().is_none())
            .count()
    }

    /// The constant that turns every negated term `−v·2^s` into `(v ⊕ mask)·2^s`:
    /// `Σ (2^s − 2^(s+w))` over negated terms, mod 2^(2W).
    pub fn correction(&self) -> BigUint {
        let modulus = BigUint::one() << (2 * self.width);
        let mut k = BigUint::zero();
        for t in self.terms.iter().filter(|t| t.negate) {
            let w = self.tiles[t.tile].width();
            k += BigUint::one() << t.shift;
            k += &modulus - ((BigUint::one() << (t.shift + w)) % &modulus);
            k %= &modulus;
        }
        k
    }

    /// Value of leaf operand `leaf` of an input.
    pub fn leaf_value(&self, x: &BigUint, leaf: usize) -> BigUint {
        let mask = (BigUint::one() << self.limb_bits) - 1u32;
        self.leaves[leaf]
            .limbs
            .iter()
            .map(|&i| (x >> (i * self.limb_bits)) & &mask)
            .sum()
    }

    fn chunk_value(&self, c: &Chunk, a: &BigUint, b: &BigUint) -> u64 {
        match c {
            Chunk::Const { value, .. } => *value,
            Chunk::Var {
                input,
                leaf,
                off,
                width,
            } => {
                let x = if *input == Input::A { a } else { b };
                let v = (self.leaf_value(x, *leaf) >> *off) & ((BigUint::one() << *width) - 1u32);
                v.to_u64_digits().first().copied().unwrap_or(0)
            }
        }
    }

    /// Tile `t`'s product for inputs `a`, `b`.
    pub fn tile_value(&self, t: usize, a: &BigUint, b: &BigUint) -> u64 {
        let tile = &self.tiles[t];
        self.chunk_value(&tile.a, a, b) * self.chunk_value(&tile.b, a, b)
    }

    /// What the hardware computes (mod 2^(2W)): every term (negated ones as masked
    /// complements), the correction constant and the addend.
    pub fn eval(&self, a: &BigUint, b: &BigUint, addend: &BigUint) -> BigUint {
        let modulus = BigUint::one() << (2 * self.width);
        let mut sum = self.correction();
        if self.addend {
            sum += addend;
        }
        for term in &self.terms {
            let v = self.tile_value(term.tile, a, b);
            let w = self.tiles[term.tile].width();
            let v = if term.negate {
                v ^ ((1u64 << w) - 1)
            } else {
                v
            };
            sum += BigUint::from(v) << term.shift;
        }
        sum % modulus
    }
}

/// Non-adjacent form of `c`: its non-zero digits as (position, negative), no two adjacent.
pub fn naf(c: &BigUint) -> Vec<(usize, bool)> {
    let mut k = c.clone();
    let mut digits = vec![];
    let mut i = 0;
    while !k.is_zero() {
        if k.bit(0) {
            let negative = k.bit(1);
            if negative {
                k += 1u32;
            } else {
                k -= 1u32;
            }
            digits.push((i, negative));
        }
        k >>= 1;
        i += 1;
    }
    digits
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use zkpipe_spec::field::FieldId;

    fn random_below(rng: &mut ChaCha8Rng, bound: &BigUint) -> BigUint {
        let bytes: Vec<u8> = (0..bound.bits().div_ceil(8) + 8)
            .map(|_| rng.gen())
            .collect();
        BigUint::from_bytes_le(&bytes) % bound
    }

    #[test]
    fn karatsuba_products_are_exact() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for f in FieldId::ALL {
            let p = f.params();
            let w = p.width();
            let max = &p.modulus - 1u32;
            for levels in [0, 2, 3] {
                let plan = ProductPlan::karatsuba(w, &max, levels);
                let mut cases = vec![
                    (BigUint::zero(), BigUint::zero()),
                    (max.clone(), max.clone()),
                    (max.clone(), BigUint::one()),
                ];
                for _ in 0..200 {
                    cases.push((
                        random_below(&mut rng, &p.modulus),
                        random_below(&mut rng, &p.modulus),
                    ));
                }
                for (a, b) in cases {
                    assert_eq!(
                        plan.eval(&a, &b, &BigUint::zero()),
                        &a * &b,
                        "{f} levels {levels}"
                    );
                }
            }
        }
    }

    #[test]
    fn montgomery_with_constant_plans_matches_the_definition() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for f in FieldId::ALL {
            let p = f.params();
            let w = p.width();
            let r = BigUint::one() << w;
            let mask = &r - 1u32;
            let m_plan = ProductPlan::low_half(w, &p.neg_p_inv_r);
            let m_naf = ProductPlan::low_half_shift_add(w, &p.neg_p_inv_r);
            assert_eq!(m_naf.dsp_count(), 0);
            let u_plan = ProductPlan::high_truncated(w, &p.modulus);
            let max = &p.modulus - 1u32;
            let mut cases = vec![
                (BigUint::zero(), BigUint::zero()),
                (max.clone(), max.clone()),
                (BigUint::one(), BigUint::one()),
                (p.r_mod_p.clone(), max.clone()),
            ];
            for _ in 0..300 {
                cases.push((
                    random_below(&mut rng, &p.modulus),
                    random_below(&mut rng, &p.modulus),
                ));
            }
            for (a, b) in cases {
                let t = &a * &b;
                let (t_lo, t_hi) = (&t & &mask, &t >> w);
                let m = m_plan.eval(&t_lo, &BigUint::zero(), &BigUint::zero()) & &mask;
                assert_eq!(m, (&t_lo * &p.neg_p_inv_r) & &mask, "{f}: m");
                let m2 = m_naf.eval(&t_lo, &BigUint::zero(), &BigUint::zero()) & &mask;
                assert_eq!(m2, m, "{f}: m by shift-and-add");
                let s = u_plan.eval(&m, &BigUint::zero(), &t_lo);
                let ceil = (&s >> w) + u32::from(!(&s & &mask).is_zero());
                let exact = (&t + &m * &p.modulus) >> w;
                assert_eq!(t_hi + ceil, exact, "{f}: (T + m·p)/R");
            }
        }
    }

    #[test]
    fn naf_digits_rebuild_the_constant_and_are_non_adjacent() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut cases: Vec<BigUint> = (0..200)
            .map(|_| random_below(&mut rng, &(BigUint::one() << 256)))
            .collect();
        cases.extend([0u32, 1, 3, 7, 0xff, 0x5555].map(BigUint::from));
        cases.push((BigUint::one() << 256) - 1u32);
        for c in cases {
            let digits = naf(&c);
            let (mut pos, mut neg) = (BigUint::zero(), BigUint::zero());
            for &(i, n) in &digits {
                *(if n { &mut neg } else { &mut pos }) += BigUint::one() << i;
            }
            assert_eq!(pos - neg, c);
            assert!(digits.windows(2).all(|d| d[1].0 >= d[0].0 + 2));
        }
    }

    #[test]
    fn karatsuba_saves_dsps_and_constants_drop_tiles() {
        let p = FieldId::Bn254Fq.params();
        let max = &p.modulus - 1u32;
        let school = ProductPlan::karatsuba(256, &max, 0).dsp_count();
        let two = ProductPlan::karatsuba(256, &max, 2).dsp_count();
        assert_eq!(school, 150, "254 bits: 10 × 15 tiles of 26 × 17");
        assert_eq!(two, 108, "9 leaves of 12 tiles");
        let bls = FieldId::Bls12_381Fq.params();
        let best = ProductPlan::best_karatsuba(384, &(&bls.modulus - 1u32));
        assert_eq!(best.dsp_count(), 162, "27 leaves of 6 tiles");
        let low = ProductPlan::low_half(256, &p.neg_p_inv_r).dsp_count();
        let high = ProductPlan::high_truncated(256, &p.modulus).dsp_count();
        assert!(low < 100 && high < 110, "low {low} high {high}");
    }
}
