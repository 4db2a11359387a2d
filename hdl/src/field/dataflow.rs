//! ASAP scheduling of a small field-arithmetic formula (MontMuls and ModAdd/ModSubs over one
//! field) into a fixed-latency pipeline that accepts one operand set per cycle.
//!
//! A formula is a list of steps `(op, a, b)` whose operands are the block's inputs,
//! constants, or earlier steps. [`plan`] starts every step as soon as both operands exist,
//! adds a delay line wherever one operand is ready before the other, and delays the outputs
//! so that all of them leave together. The point adders (`msm::point_add`) and the Fq2 units
//! ([`super::fq2`]) are such formulas; each block owns the units the plan asks for, in
//! fields named `muls`, `addsubs`, `delays` and `out_delays`, and emits
//! [`Plan::statements`] as its Verilog.
//!
//! **Shared multipliers** ([`plan_shared`]): a block that takes an operand set only every
//! `interval` cycles (at phase 0 of a counter its user drives) needs only
//! ⌈MontMul steps / interval⌉ MontMuls. Each MontMul step is then given a unit and a start
//! cycle whose residue mod `interval` no other step of that unit uses (the earliest such
//! cycle at or after its operands are ready: a modulo schedule), and a multiplexer in
//! front of each shared MontMul picks its operands by the phase. Its output needs no
//! demultiplexer: a consumer's delay line taps it in the exact cycle its product leaves.

use super::{AddSubOp, FieldParams, ModAddSub, MontMul};
use crate::ntt::delay::Delay;
use crate::preset::MulStyle;
use crate::rtl::*;

/// A field operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Mul,
    Add,
    Sub,
}

/// An operand of a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// Input `i` of the block (present from cycle 0, delayed as needed).
    Input(usize),
    /// Constant `i` (never delayed).
    Constant(usize),
    /// The result of step `i`.
    Step(usize),
}

/// Where an operand comes from after scheduling: its source and the delay line (index into
/// the plan's delays) that aligns it, if any.
#[derive(Clone, Copy, Debug)]
pub struct Wire {
    pub src: Operand,
    pub delay: Option<usize>,
}

/// A scheduled formula.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Per step: its operation, its unit (index into the MontMuls or the ModAdd/ModSubs)
    /// and its two operand wires.
    pub steps: Vec<(Op, usize, [Wire; 2])>,
    /// Per step: the cycle it starts, counted from the inputs.
    pub starts: Vec<usize>,
    /// Cycles between two operand sets (1: every cycle, each MontMul step its own unit).
    pub interval: usize,
    /// MontMul units.
    pub mul_units: usize,
    /// Length of each operand delay line.
    pub delays: Vec<usize>,
    /// The steps holding the outputs, and the delay that aligns each of them.
    pub outputs: Vec<(usize, usize)>,
    /// Cycles from inputs to outputs.
    pub latency: usize,
}

/// Schedules `steps` ASAP with MontMuls of `mul_latency` and ModAdd/ModSubs of
/// `add_latency` cycles; `outputs` are the steps whose results leave the block.
pub fn plan(
    steps: &[(Op, Operand, Operand)],
    outputs: &[usize],
    mul_latency: usize,
    add_latency: usize,
) -> Plan {
    plan_shared(steps, outputs, mul_latency, add_latency, 1)
}

/// [`plan`] for a block that takes an operand set every `interval` cycles: MontMul steps
/// share ⌈MontMul steps / interval⌉ units (see the module documentation).
pub fn plan_shared(
    steps: &[(Op, Operand, Operand)],
    outputs: &[usize],
    mul_latency: usize,
    add_latency: usize,
    interval: usize,
) -> Plan {
    assert!(interval >= 1, "an interval is at least one cycle");
    let mul_steps = steps.iter().filter(|s| s.0 == Op::Mul).count();
    let mul_units = mul_steps.div_ceil(interval);
    // busy[u][phase]: unit u's slot at that phase is taken.
    let mut busy = vec![vec![false; interval]; mul_units];
    let mut ready: Vec<usize> = vec![];
    let mut starts = vec![];
    let mut delays = vec![];
    let mut scheduled = vec![];
    let mut addsubs = 0;
    let ready_of = |src: Operand, ready: &[usize]| match src {
        Operand::Step(i) => ready[i],
        _ => 0,
    };
    for &(op, a, b) in steps {
        let mut start = ready_of(a, &ready).max(ready_of(b, &ready));
        // A MontMul step waits for the first phase at which some unit is free (within
        // `interval` cycles: the units have a free slot for every step).
        let mul_unit = (op == Op::Mul).then(|| loop {
            let phase = start % interval;
            if let Some(u) = (0..mul_units).find(|&u| !busy[u][phase]) {
                busy[u][phase] = true;
                break u;
            }
            start += 1;
        });
        let mut wire = |src: Operand| {
            let lag = start - ready_of(src, &ready);
            let delay = (lag > 0 && !matches!(src, Operand::Constant(_))).then(|| {
                delays.push(lag);
                delays.len() - 1
            });
            Wire { src, delay }
        };
        let wires = [wire(a), wire(b)];
        let unit = match mul_unit {
            Some(u) => u,
            None => {
                addsubs += 1;
                addsubs - 1
            }
        };
        starts.push(start);
        ready.push(
            start
                + match op {
                    Op::Mul => mul_latency,
                    _ => add_latency,
                },
        );
        scheduled.push((op, unit, wires));
    }
    let latency = outputs.iter().map(|&o| ready[o]).max().unwrap_or(0);
    Plan {
        steps: scheduled,
        starts,
        interval,
        mul_units,
        delays,
        outputs: outputs.iter().map(|&o| (o, latency - ready[o])).collect(),
        latency,
    }
}

/// Width of the `phase` input of a block whose plan shares MontMuls.
pub const PHASE_BITS: usize = 8;

/// The child units a [`Plan`] lists, for the block that owns them (fields of these names).
pub struct Units<const W: usize, const W2: usize> {
    pub muls: Vec<MontMul<W, W2>>,
    pub addsubs: Vec<ModAddSub<W>>,
    pub delays: Vec<Delay<W>>,
    pub out_delays: Vec<Delay<W>>,
}

impl Plan {
    /// Builds the units over `field`, MontMuls of `style`.
    pub fn units<const W: usize, const W2: usize>(
        &self,
        field: &FieldParams,
        style: MulStyle,
    ) -> Units<W, W2> {
        Units {
            muls: (0..self.mul_units)
                .map(|_| MontMul::new(field, style))
                .collect(),
            addsubs: self
                .addsub_ops()
                .into_iter()
                .map(|op| ModAddSub::new(field, op))
                .collect(),
            delays: self.delays.iter().map(|&d| Delay::new(d)).collect(),
            out_delays: self.outputs.iter().map(|&(_, d)| Delay::new(d)).collect(),
        }
    }

    /// MontMuls the block has (the formula's MontMul steps, shared `interval` ways).
    pub fn multipliers(&self) -> usize {
        self.mul_units
    }

    /// The ModAdd/ModSub units in order, each with its operation.
    pub fn addsub_ops(&self) -> Vec<AddSubOp> {
        self.steps
            .iter()
            .filter_map(|s| match s.0 {
                Op::Add => Some(AddSubOp::Add),
                Op::Sub => Some(AddSubOp::Sub),
                Op::Mul => None,
            })
            .collect()
    }

    /// The child unit computing step `i`.
    fn unit_name(&self, i: usize) -> String {
        let (op, unit, _) = self.steps[i];
        match op {
            Op::Mul => format!("muls${unit}"),
            Op::Add | Op::Sub => format!("addsubs${unit}"),
        }
    }

    /// The signal of an operand: inputs and constants as `name` says, steps from their unit.
    fn operand(&self, src: Operand, name: &dyn Fn(Operand) -> Expr) -> Expr {
        match src {
            Operand::Step(i) => sig(format!("{}$r", self.unit_name(i))),
            other => name(other),
        }
    }

    /// The Verilog connecting the units, delay lines and outputs: `name` gives the signal
    /// of each input and constant (and `phase`, the block's phase input, when the plan
    /// shares its MontMuls), `out_ports` the output ports in the order of `outputs`.
    pub fn statements(&self, name: &dyn Fn(Operand) -> Expr, out_ports: &[&str]) -> Vec<Stmt> {
        let mut s = vec![];
        let mut clocked = std::collections::HashSet::new();
        for (i, (op, _, wires)) in self.steps.iter().enumerate() {
            let unit = self.unit_name(i);
            // A shared MontMul takes its first step's operands by default and another
            // step's at that step's phase (a default first, so no latch is inferred).
            let first = clocked.insert(unit.clone());
            if first {
                s.extend(clock_to(&unit));
            }
            let shared = *op == Op::Mul && self.interval > 1 && !first;
            let phase = self.starts[i] % self.interval;
            for (port, w) in ["a", "b"].into_iter().zip(wires) {
                let value = match w.delay {
                    Some(d) => {
                        let dl = format!("delays${d}");
                        s.extend(clock_to(&dl));
                        s.push(assign(format!("{dl}$din"), self.operand(w.src, name)));
                        sig(format!("{dl}$dout"))
                    }
                    None => self.operand(w.src, name),
                };
                let target = format!("{unit}${port}");
                if shared {
                    s.push(if_else(
                        eq(sig("phase"), lit_u(phase as u64, PHASE_BITS)),
                        vec![assign(target, value)],
                        vec![],
                    ));
                } else {
                    s.push(assign(target, value));
                }
            }
        }
        assert_eq!(out_ports.len(), self.outputs.len(), "one port per output");
        for (k, (&(o, _), port)) in self.outputs.iter().zip(out_ports).enumerate() {
            let dl = format!("out_delays${k}");
            s.extend(clock_to(&dl));
            s.push(assign(
                format!("{dl}$din"),
                self.operand(Operand::Step(o), name),
            ));
            s.push(assign(*port, sig(format!("{dl}$dout"))));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operands_meet_and_outputs_leave_together() {
        use Operand::*;
        // (a·b) + c, and c alone: c waits for the product, the sum leaves with c's copy.
        let steps = [
            (Op::Mul, Input(0), Input(1)),
            (Op::Add, Step(0), Input(2)),
            (Op::Add, Input(2), Constant(0)),
        ];
        let p = plan(&steps, &[1, 2], 10, 3);
        assert_eq!(p.latency, 13);
        assert_eq!(p.delays, vec![10]);
        assert_eq!(p.outputs, vec![(1, 0), (2, 10)]);
        assert_eq!(p.multipliers(), 1);
        assert_eq!(p.addsub_ops(), vec![AddSubOp::Add, AddSubOp::Add]);
        assert!(
            p.steps[2].2[1].delay.is_none(),
            "constants are never delayed"
        );
    }

    #[test]
    fn shared_multipliers_take_each_phase_once() {
        use Operand::*;
        // Five products, two of them chained, shared three ways: two units.
        let steps = [
            (Op::Mul, Input(0), Input(1)),
            (Op::Mul, Input(0), Input(2)),
            (Op::Mul, Input(1), Input(2)),
            (Op::Mul, Step(0), Step(1)),
            (Op::Add, Step(3), Step(2)),
            (Op::Mul, Step(4), Constant(0)),
        ];
        let p = plan_shared(&steps, &[5], 10, 3, 3);
        assert_eq!(p.multipliers(), 2);
        let mut seen = std::collections::HashSet::new();
        for (i, &(op, unit, wires)) in p.steps.iter().enumerate() {
            if op != Op::Mul {
                continue;
            }
            assert!(
                seen.insert((unit, p.starts[i] % 3)),
                "step {i}: unit {unit} twice at one phase"
            );
            // Every operand arrives exactly at the step's start.
            for w in wires {
                let ready = match w.src {
                    Step(j) => p.starts[j] + if p.steps[j].0 == Op::Mul { 10 } else { 3 },
                    _ => 0,
                };
                let lag = w.delay.map_or(0, |d| p.delays[d]);
                if !matches!(w.src, Constant(_)) {
                    assert_eq!(ready + lag, p.starts[i], "step {i}");
                }
            }
        }
        // Three products at cycle 0 on two units: one waits a cycle.
        assert_eq!(p.starts[..3], [0, 0, 1]);
        let unshared = plan(&steps, &[5], 10, 3);
        assert_eq!(unshared.multipliers(), 5);
        assert!(p.latency >= unshared.latency && p.latency <= unshared.latency + 2 * 2);
    }
}
