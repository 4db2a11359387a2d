//! `G2PointAdd`: complete point addition on a curve's G2 (the sextic twist over Fq2,
//! a = 0, b′ from ark-ec's G2 config), one addition per cycle, fixed latency — the G1
//! adders' formulas ([`super::point_add::MIXED`], [`super::point_add::FULL`]) *lifted* to
//! Fq2: every Fq2 product becomes 3 base-field MontMuls (Karatsuba, β = −1), every Fq2 sum
//! two ModAdds, and the products by 3·b′ (a full Fq2 constant on BN254, 12 + 12u on
//! BLS12-381) Karatsuba products by constants. The lifted formula is one base-field
//! dataflow ([`crate::field::dataflow`]), scheduled like the G1 adder's.
//!
//! Coordinates are Fq2 elements as ark-ff stores them (c0, c1), each coordinate of each
//! operand a pair of ports `<coord>_c0`, `<coord>_c1` (e.g. `x1_c0`). The mixed kind takes
//! an affine Q (z2 ignored); the full kind a projective one.

use super::point_add::{AdderKind, Src};
use crate::field::dataflow::{self, Op, Operand, Plan};
use crate::field::fq2::nonresidue_is_minus_one;
use crate::field::{ModAddSub, MontMul};
use crate::ntt::delay::Delay;
use crate::preset::{Curve, MulStyle};
use crate::rtl::*;
use num_bigint::BigUint;
use rust_hdl::core::prelude::*;

/// Operand ports in [`Operand::Input`] order: x1, y1, z1, x2, y2, z2, each c0 then c1.
pub const INPUT_PORTS: [&str; 12] = [
    "x1_c0", "x1_c1", "y1_c0", "y1_c1", "z1_c0", "z1_c1", "x2_c0", "x2_c1", "y2_c0", "y2_c1",
    "z2_c0", "z2_c1",
];
/// Output ports, in the order of the lifted outputs.
pub const OUTPUT_PORTS: [&str; 6] = ["x3_c0", "x3_c1", "y3_c0", "y3_c1", "z3_c0", "z3_c1"];
/// Constants: 3·b′ = k0 + k1·u and k0 + k1 (for Karatsuba).
const CONSTANTS: [&str; 3] = ["k0", "k1", "k01"];

/// Base-field MontMuls of a G2 adder of `kind` taking an addition every `interval`
/// cycles, without building it.
pub fn multipliers_of(kind: AdderKind, interval: usize) -> usize {
    lifted_formula(kind)
        .0
        .iter()
        .filter(|s| s.0 == Op::Mul)
        .count()
        .div_ceil(interval)
}

/// The G1 formula of `kind` over Fq2, as base-field steps; returns them and the output
/// steps (X3.c0, X3.c1, Y3.c0, …).
pub fn lifted_formula(kind: AdderKind) -> (Vec<(Op, Operand, Operand)>, [usize; 6]) {
    let (paper, outputs) = kind.paper_formula();
    let mut steps: Vec<(Op, Operand, Operand)> = vec![];
    let mut value: Vec<[Operand; 2]> = vec![]; // each G1 step's Fq2 result
    let input = |src: Src, value: &[[Operand; 2]]| -> [Operand; 2] {
        let at = |i: usize| [Operand::Input(2 * i), Operand::Input(2 * i + 1)];
        match src {
            Src::X1 => at(0),
            Src::Y1 => at(1),
            Src::Z1 => at(2),
            Src::X2 => at(3),
            Src::Y2 => at(4),
            Src::Z2 => at(5),
            Src::B3 => [Operand::Constant(0), Operand::Constant(1)],
            Src::Step(i) => value[i],
        }
    };
    let push = |steps: &mut Vec<(Op, Operand, Operand)>, op, a, b| {
        steps.push((op, a, b));
        Operand::Step(steps.len() - 1)
    };
    for &(op, a, b) in paper {
        let (x, y) = (input(a, &value), input(b, &value));
        let result = match op {
            Op::Add | Op::Sub => [
                push(&mut steps, op, x[0], y[0]),
                push(&mut steps, op, x[1], y[1]),
            ],
            Op::Mul => {
                // Karatsuba with β = −1; by 3·b′ the sum of the constant's halves is
                // itself a constant.
                let (k, other) = if a == Src::B3 { (x, y) } else { (y, x) };
                let v0 = push(&mut steps, Op::Mul, other[0], k[0]);
                let v1 = push(&mut steps, Op::Mul, other[1], k[1]);
                let so = push(&mut steps, Op::Add, other[0], other[1]);
                let sk = if a == Src::B3 || b == Src::B3 {
                    Operand::Constant(2)
                } else {
                    push(&mut steps, Op::Add, k[0], k[1])
                };
                let v2 = push(&mut steps, Op::Mul, so, sk);
                let c0 = push(&mut steps, Op::Sub, v0, v1);
                let t = push(&mut steps, Op::Add, v0, v1);
                let c1 = push(&mut steps, Op::Sub, v2, t);
                [c0, c1]
            }
        };
        value.push(result);
    }
    let step = |o: Operand| match o {
        Operand::Step(i) => i,
        other => unreachable!("an output is a step, not {other:?}"),
    };
    let out = outputs.map(|o| value[o]);
    (
        steps,
        [
            step(out[0][0]),
            step(out[0][1]),
            step(out[1][0]),
            step(out[1][1]),
            step(out[2][0]),
            step(out[2][1]),
        ],
    )
}

/// 3·b′ of the curve's G2 (ark-ec's `g2::Config::COEFF_B`) as (c0, c1, c0 + c1) in
/// Montgomery form (ark-ff's in-memory limbs).
fn three_b_prime_mont(curve: Curve) -> [BigUint; 3] {
    use ark_ec::short_weierstrass::SWCurveConfig;
    let big = |limbs: &[u64]| {
        let bytes: Vec<u8> = limbs.iter().flat_map(|w| w.to_le_bytes()).collect();
        BigUint::from_bytes_le(&bytes)
    };
    match curve {
        Curve::Bn254 => {
            let k = ark_bn254::g2::Config::COEFF_B * ark_bn254::Fq2::from(3u64);
            [k.c0, k.c1, k.c0 + k.c1].map(|x| big(&x.0 .0))
        }
        Curve::Bls12_381 => {
            let k = ark_bls12_381::g2::Config::COEFF_B * ark_bls12_381::Fq2::from(3u64);
            [k.c0, k.c1, k.c0 + k.c1].map(|x| big(&x.0 .0))
        }
    }
}

/// The G2 adder of a curve.
#[derive(LogicBlock)]
pub struct G2PointAdd<const W: usize, const W2: usize> {
    pub clock: Signal<In, Clock>,
    pub enable: Signal<In, Bit>,
    /// Cycle phase mod the issue interval, driven by the user: operands are taken when it
    /// is 0 (ignored with an interval of 1).
    pub phase: Signal<In, Bits<{ dataflow::PHASE_BITS }>>,
    pub x1_c0: Signal<In, Bits<W>>,
    pub x1_c1: Signal<In, Bits<W>>,
    pub y1_c0: Signal<In, Bits<W>>,
    pub y1_c1: Signal<In, Bits<W>>,
    pub z1_c0: Signal<In, Bits<W>>,
    pub z1_c1: Signal<In, Bits<W>>,
    pub x2_c0: Signal<In, Bits<W>>,
    pub x2_c1: Signal<In, Bits<W>>,
    pub y2_c0: Signal<In, Bits<W>>,
    pub y2_c1: Signal<In, Bits<W>>,
    /// Z of the second operand; ignored by the mixed kind.
    pub z2_c0: Signal<In, Bits<W>>,
    pub z2_c1: Signal<In, Bits<W>>,
    pub v: Signal<In, Bit>,
    /// Carried alongside (a bucket address).
    pub tag: Signal<In, Bits<32>>,
    pub x3_c0: Signal<Out, Bits<W>>,
    pub x3_c1: Signal<Out, Bits<W>>,
    pub y3_c0: Signal<Out, Bits<W>>,
    pub y3_c1: Signal<Out, Bits<W>>,
    pub z3_c0: Signal<Out, Bits<W>>,
    pub z3_c1: Signal<Out, Bits<W>>,
    pub vo: Signal<Out, Bit>,
    pub tag_o: Signal<Out, Bits<32>>,
    k0: Constant<Bits<W>>,
    k1: Constant<Bits<W>>,
    k01: Constant<Bits<W>>,
    muls: Vec<MontMul<W, W2>>,
    addsubs: Vec<ModAddSub<W>>,
    delays: Vec<Delay<W>>,
    out_delays: Vec<Delay<W>>,
    v_delay: Delay<1>,
    tag_delay: Delay<32>,
    _plan: Plan,
}

impl<const W: usize, const W2: usize> G2PointAdd<W, W2> {
    /// The G2 adder of `curve` of this kind, MontMuls of `style`, taking an addition every
    /// `interval` cycles (its MontMul steps shared `interval` ways: see
    /// [`dataflow::plan_shared`]).
    pub fn new(curve: Curve, style: MulStyle, kind: AdderKind, interval: usize) -> Self {
        assert!(
            nonresidue_is_minus_one(curve),
            "{curve:?}: Fq2 non-residue other than −1 is not implemented"
        );
        let field = curve.base_field().params();
        assert_eq!(field.width(), W, "base-field width");
        let lm = MontMul::<W, W2>::new(&field, style).latency();
        let (steps, outputs) = lifted_formula(kind);
        let plan = dataflow::plan_shared(
            &steps,
            &outputs,
            lm,
            crate::field::mod_add::LATENCY,
            interval,
        );
        let latency = plan.latency;
        let [k0, k1, k01] = three_b_prime_mont(curve);
        let dataflow::Units {
            muls,
            addsubs,
            delays,
            out_delays,
        } = plan.units(&field, style);
        Self {
            clock: Default::default(),
            enable: Default::default(),
            phase: Default::default(),
            x1_c0: Default::default(),
            x1_c1: Default::default(),
            y1_c0: Default::default(),
            y1_c1: Default::default(),
            z1_c0: Default::default(),
            z1_c1: Default::default(),
            x2_c0: Default::default(),
            x2_c1: Default::default(),
            y2_c0: Default::default(),
            y2_c1: Default::default(),
            z2_c0: Default::default(),
            z2_c1: Default::default(),
            v: Default::default(),
            tag: Default::default(),
            x3_c0: Default::default(),
            x3_c1: Default::default(),
            y3_c0: Default::default(),
            y3_c1: Default::default(),
            z3_c0: Default::default(),
            z3_c1: Default::default(),
            vo: Default::default(),
            tag_o: Default::default(),
            k0: Constant::new(k0.into()),
            k1: Constant::new(k1.into()),
            k01: Constant::new(k01.into()),
            muls,
            addsubs,
            delays,
            out_delays,
            v_delay: Delay::new(latency),
            tag_delay: Delay::new(latency),
            _plan: plan,
        }
    }

    /// Cycles from inputs to the sum.
    pub fn latency(&self) -> usize {
        self._plan.latency
    }

    /// Base-field MontMuls in the adder (DSP cost: this × one MontMul's tiles).
    pub fn multipliers(&self) -> usize {
        self.muls.len()
    }

    /// DSP-sized tiles of all its MontMuls (0 when behavioural).
    pub fn tiles(&self) -> usize {
        self.muls.iter().map(|m| m.tile_count()).sum()
    }
}

impl<const W: usize, const W2: usize> Logic for G2PointAdd<W, W2> {
    /// Not simulated by rust-hdl: the Verilog from `hdl()` runs under Verilator.
    fn update(&mut self) {}

    fn connect(&mut self) {
        for s in [
            &mut self.x3_c0,
            &mut self.x3_c1,
            &mut self.y3_c0,
            &mut self.y3_c1,
            &mut self.z3_c0,
            &mut self.z3_c1,
        ] {
            s.connect();
        }
        self.vo.connect();
        self.tag_o.connect();
    }

    fn hdl(&self) -> Verilog {
        let name = |src: Operand| match src {
            Operand::Input(i) => sig(INPUT_PORTS[i]),
            Operand::Constant(i) => sig(CONSTANTS[i]),
            Operand::Step(_) => unreachable!("steps are named by the plan"),
        };
        let mut s = self._plan.statements(&name, &OUTPUT_PORTS);
        s.extend(clock_to("v_delay"));
        s.push(assign("v_delay$din", sig("v")));
        s.push(assign("vo", sig("v_delay$dout")));
        s.extend(clock_to("tag_delay"));
        s.push(assign("tag_delay$din", sig("tag")));
        s.push(assign("tag_o", sig("tag_delay$dout")));
        comb(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
    use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
    use ark_ff::{AdditiveGroup, Field, Fp2, Fp2Config, UniformRand};

    /// The lifted formulas evaluated over ark-ff's Fq (the software twin of the adder) add
    /// points of a curve's G2 like ark-ec: random pairs, identity, doubling, P = −Q.
    fn lifted_formulas_add_like_ark_ec<C: Fp2Config, P: SWCurveConfig<BaseField = Fp2<C>>>() {
        let mut rng = ark_std::test_rng();
        let k = P::COEFF_B * Fp2::<C>::from(3u64);
        let consts = [k.c0, k.c1, k.c0 + k.c1];
        let hom = |p: &Affine<P>, z: Fp2<C>| -> [Fp2<C>; 3] {
            if p.is_zero() {
                [Fp2::ZERO, Fp2::ONE, Fp2::ZERO]
            } else {
                [p.x * z, p.y * z, z]
            }
        };
        let random =
            |rng: &mut _| (Projective::<P>::generator() * P::ScalarField::rand(rng)).into_affine();
        for kind in [AdderKind::Mixed, AdderKind::Full] {
            let (steps, out) = lifted_formula(kind);
            let muls = steps.iter().filter(|s| s.0 == Op::Mul).count();
            let g1_muls = kind
                .paper_formula()
                .0
                .iter()
                .filter(|s| s.0 == Op::Mul)
                .count();
            assert_eq!(
                muls,
                3 * g1_muls,
                "{kind:?}: three MontMuls per Fq2 product"
            );
            for i in 0..12 {
                let p = random(&mut rng);
                let q = match i % 4 {
                    0 => p,
                    1 => -p,
                    _ => random(&mut rng),
                };
                let p = if i == 5 { Affine::<P>::zero() } else { p };
                let z2 = match kind {
                    AdderKind::Mixed => Fp2::ONE,
                    AdderKind::Full => Fp2::rand(&mut rng),
                };
                let (a, b) = (hom(&p, Fp2::rand(&mut rng)), hom(&q, z2));
                let inputs: Vec<C::Fp> = a.iter().chain(&b).flat_map(|c| [c.c0, c.c1]).collect();
                let mut v: Vec<C::Fp> = vec![];
                for &(op, x, y) in &steps {
                    let get = |s: Operand, v: &[C::Fp]| match s {
                        Operand::Input(i) => inputs[i],
                        Operand::Constant(i) => consts[i],
                        Operand::Step(i) => v[i],
                    };
                    let (x, y) = (get(x, &v), get(y, &v));
                    v.push(match op {
                        Op::Mul => x * y,
                        Op::Add => x + y,
                        Op::Sub => x - y,
                    });
                }
                let o = out.map(|i| v[i]);
                let (x, y, z) = (
                    Fp2::<C>::new(o[0], o[1]),
                    Fp2::<C>::new(o[2], o[3]),
                    Fp2::<C>::new(o[4], o[5]),
                );
                let expected = (Projective::<P>::from(p) + q).into_affine();
                if z == Fp2::ZERO {
                    assert!(expected.is_zero(), "{kind:?} case {i}");
                } else {
                    let zi = z.inverse().unwrap();
                    let got = Affine::<P>::new_unchecked(x * zi, y * zi);
                    assert_eq!(got, expected, "{kind:?} case {i}");
                }
            }
        }
    }

    #[test]
    fn bn254_g2() {
        lifted_formulas_add_like_ark_ec::<ark_bn254::Fq2Config, ark_bn254::g2::Config>();
    }

    #[test]
    fn bls12_381_g2() {
        lifted_formulas_add_like_ark_ec::<ark_bls12_381::Fq2Config, ark_bls12_381::g2::Config>();
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;

    #[test]
    fn three_montmuls_per_fq2_product() {
        for (kind, muls) in [(AdderKind::Mixed, 39usize), (AdderKind::Full, 42)] {
            for interval in [1, 3, 4] {
                let add = G2PointAdd::<256, 512>::new(
                    Curve::Bn254,
                    MulStyle::Behavioural,
                    kind,
                    interval,
                );
                assert_eq!(add.multipliers(), muls.div_ceil(interval), "{kind:?}");
                assert_eq!(add.multipliers(), multipliers_of(kind, interval));
            }
        }
    }
}
