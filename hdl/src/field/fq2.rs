//! `Fq2Unit`: pipelined arithmetic in the quadratic extension Fq2 = Fq[u]/(u² − β) of a
//! curve's base field (the field of G2 coordinates), one operation per cycle, fixed
//! latency, built from the base-field units by [`super::dataflow`]:
//!
//! * add / sub: (a0 ± b0, a1 ± b1) — two ModAdd/ModSubs;
//! * mul (Karatsuba, 3 MontMuls): v0 = a0·b0, v1 = a1·b1,
//!   c0 = v0 + β·v1, c1 = (a0 + a1)(b0 + b1) − v0 − v1.
//!
//! β is ark-ff's `Fp2Config::NONRESIDUE` of the curve (−1 on BN254 and on BLS12-381, so
//! β·v1 is a subtraction; another β is refused at generation time). Elements are pairs of
//! base-field elements in ark-ff's Montgomery form, c0 first, as ark-ff's `Fp2` stores them.

use super::dataflow::{self, Op, Operand, Plan};
use super::{ModAddSub, MontMul};
use crate::ntt::delay::Delay;
use crate::preset::{Curve, MulStyle};
use crate::rtl::*;
use rust_hdl::core::prelude::*;

/// Which Fq2 operation a unit computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fq2Op {
    Add,
    Sub,
    Mul,
}

impl Fq2Op {
    /// Every operation.
    pub const ALL: [Fq2Op; 3] = [Fq2Op::Add, Fq2Op::Sub, Fq2Op::Mul];

    /// The formula over (a0, a1, b0, b1) = inputs 0‥3 and its output steps (c0, c1).
    pub fn formula(self) -> (Vec<(Op, Operand, Operand)>, [usize; 2]) {
        use Operand::*;
        let (a0, a1, b0, b1) = (Input(0), Input(1), Input(2), Input(3));
        match self {
            Fq2Op::Add => (vec![(Op::Add, a0, b0), (Op::Add, a1, b1)], [0, 1]),
            Fq2Op::Sub => (vec![(Op::Sub, a0, b0), (Op::Sub, a1, b1)], [0, 1]),
            Fq2Op::Mul => (
                vec![
                    (Op::Mul, a0, b0),           // 0 v0
                    (Op::Mul, a1, b1),           // 1 v1
                    (Op::Add, a0, a1),           // 2
                    (Op::Add, b0, b1),           // 3
                    (Op::Mul, Step(2), Step(3)), // 4 (a0 + a1)(b0 + b1)
                    (Op::Sub, Step(0), Step(1)), // 5 c0 = v0 − v1 (β = −1)
                    (Op::Add, Step(0), Step(1)), // 6 v0 + v1
                    (Op::Sub, Step(4), Step(6)), // 7 c1
                ],
                [5, 7],
            ),
        }
    }
}

impl std::fmt::Display for Fq2Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Fq2Op::Add => "add",
            Fq2Op::Sub => "sub",
            Fq2Op::Mul => "mul",
        })
    }
}

/// Whether ark-ff's Fq2 of `curve` is Fq[u]/(u² + 1) (β = −1), the only non-residue the
/// multiplier implements.
pub fn nonresidue_is_minus_one(curve: Curve) -> bool {
    use ark_ff::{Field, Fp2Config};
    match curve {
        Curve::Bn254 => ark_bn254::Fq2Config::NONRESIDUE == -ark_bn254::Fq::ONE,
        Curve::Bls12_381 => ark_bls12_381::Fq2Config::NONRESIDUE == -ark_bls12_381::Fq::ONE,
    }
}

/// One Fq2 operation over the base field of a curve (`W`-bit elements).
#[derive(LogicBlock)]
pub struct Fq2Unit<const W: usize, const W2: usize> {
    pub clock: Signal<In, Clock>,
    /// Clock enable of every register: low holds the pipeline.
    pub enable: Signal<In, Bit>,
    pub a0: Signal<In, Bits<W>>,
    pub a1: Signal<In, Bits<W>>,
    pub b0: Signal<In, Bits<W>>,
    pub b1: Signal<In, Bits<W>>,
    pub c0: Signal<Out, Bits<W>>,
    pub c1: Signal<Out, Bits<W>>,
    muls: Vec<MontMul<W, W2>>,
    addsubs: Vec<ModAddSub<W>>,
    delays: Vec<Delay<W>>,
    out_delays: Vec<Delay<W>>,
    _plan: Plan,
}

impl<const W: usize, const W2: usize> Fq2Unit<W, W2> {
    /// `op` over the base field of `curve`, MontMuls of `style`.
    pub fn new(curve: Curve, style: MulStyle, op: Fq2Op) -> Self {
        assert!(
            nonresidue_is_minus_one(curve),
            "{curve:?}: Fq2 non-residue other than −1 is not implemented"
        );
        let field = curve.base_field().params();
        assert_eq!(field.width(), W, "base-field width");
        let lm = MontMul::<W, W2>::new(&field, style).latency();
        let (steps, outputs) = op.formula();
        let plan = dataflow::plan(&steps, &outputs, lm, super::mod_add::LATENCY);
        let dataflow::Units {
            muls,
            addsubs,
            delays,
            out_delays,
        } = plan.units(&field, style);
        Self {
            clock: Default::default(),
            enable: Default::default(),
            a0: Default::default(),
            a1: Default::default(),
            b0: Default::default(),
            b1: Default::default(),
            c0: Default::default(),
            c1: Default::default(),
            muls,
            addsubs,
            delays,
            out_delays,
            _plan: plan,
        }
    }

    /// Cycles from operands to result.
    pub fn latency(&self) -> usize {
        self._plan.latency
    }

    /// MontMuls in the unit (3 for mul, 0 for add/sub).
    pub fn multipliers(&self) -> usize {
        self.muls.len()
    }

    /// DSP-sized tiles of all its MontMuls (0 when behavioural or without multipliers).
    pub fn tiles(&self) -> usize {
        self.muls.iter().map(|m| m.tile_count()).sum()
    }
}

impl<const W: usize, const W2: usize> Logic for Fq2Unit<W, W2> {
    /// Not simulated by rust-hdl: the Verilog from `hdl()` runs under Verilator.
    fn update(&mut self) {}

    fn connect(&mut self) {
        self.c0.connect();
        self.c1.connect();
    }

    fn hdl(&self) -> Verilog {
        const PORTS: [&str; 4] = ["a0", "a1", "b0", "b1"];
        let name = |src: Operand| match src {
            Operand::Input(i) => sig(PORTS[i]),
            other => unreachable!("Fq2 formulas have no {other:?}"),
        };
        comb(self._plan.statements(&name, &["c0", "c1"]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{AdditiveGroup, Field, UniformRand};

    /// Each formula over ark-ff's Fq2 (the software twin of the unit).
    #[test]
    fn formulas_equal_ark_ff_fq2() {
        use ark_bn254::{Fq, Fq2};
        assert!(nonresidue_is_minus_one(Curve::Bn254));
        assert!(nonresidue_is_minus_one(Curve::Bls12_381));
        let mut rng = ark_std::test_rng();
        for _ in 0..50 {
            let (a, b) = (Fq2::rand(&mut rng), Fq2::rand(&mut rng));
            let inputs = [a.c0, a.c1, b.c0, b.c1];
            for op in Fq2Op::ALL {
                let (steps, out) = op.formula();
                let mut v: Vec<Fq> = vec![];
                for &(o, x, y) in &steps {
                    let get = |s: Operand, v: &[Fq]| match s {
                        Operand::Input(i) => inputs[i],
                        Operand::Step(i) => v[i],
                        Operand::Constant(_) => unreachable!(),
                    };
                    let (x, y) = (get(x, &v), get(y, &v));
                    v.push(match o {
                        Op::Mul => x * y,
                        Op::Add => x + y,
                        Op::Sub => x - y,
                    });
                }
                let expected = match op {
                    Fq2Op::Add => a + b,
                    Fq2Op::Sub => a - b,
                    Fq2Op::Mul => a * b,
                };
                assert_eq!(Fq2::new(v[out[0]], v[out[1]]), expected, "{op}");
            }
        }
        assert_eq!(
            Fq2::new(Fq::ZERO, Fq::ONE).square(),
            -Fq2::ONE,
            "u² = β = −1"
        );
    }

    #[test]
    fn multiplier_counts_and_latency() {
        let mul = Fq2Unit::<256, 512>::new(Curve::Bn254, MulStyle::Behavioural, Fq2Op::Mul);
        assert_eq!(mul.multipliers(), 3);
        let add = Fq2Unit::<256, 512>::new(Curve::Bn254, MulStyle::Behavioural, Fq2Op::Add);
        assert_eq!(add.multipliers(), 0);
        assert_eq!(add.latency(), super::super::mod_add::LATENCY);
        // add, MontMul, sub after it.
        let lm =
            MontMul::<256, 512>::new(&Curve::Bn254.base_field().params(), MulStyle::Behavioural)
                .latency();
        assert_eq!(mul.latency(), 2 * super::super::mod_add::LATENCY + lm);
    }
}
