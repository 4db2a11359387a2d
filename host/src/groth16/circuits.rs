//! Built-in circuits for demos, tests and benchmarks, sized by a constraint count.

use ark_ff::PrimeField;
use ark_relations::lc;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

/// A MiMC-style chain: x_{i+1} = (x_i + k_i)^3 with round constants k_i = i + 7, two
/// constraints per round (t² and t²·t). The witness is the starting value x_0; the one
/// public input is the final value. `rounds = constraints / 2`.
#[derive(Clone, Debug)]
pub struct MimcChain<F: PrimeField> {
    /// The starting value (the witness).
    pub x0: F,
    /// Rounds (two constraints each).
    pub rounds: usize,
}

impl<F: PrimeField> MimcChain<F> {
    /// A chain with about `constraints` constraints (rounded down to even, at least 2).
    pub fn with_constraints(x0: F, constraints: usize) -> Self {
        Self {
            x0,
            rounds: (constraints / 2).max(1),
        }
    }

    /// The chain's output: the public input.
    pub fn output(&self) -> F {
        (0..self.rounds).fold(self.x0, |x, i| {
            let t = x + Self::constant(i);
            t * t * t
        })
    }

    fn constant(i: usize) -> F {
        F::from(i as u64 + 7)
    }
}

impl<F: PrimeField> ConstraintSynthesizer<F> for MimcChain<F> {
    fn generate_constraints(self, cs: ConstraintSystemRef<F>) -> Result<(), SynthesisError> {
        let out = cs.new_input_variable(|| Ok(self.output()))?;
        let mut x_val = self.x0;
        let mut x = cs.new_witness_variable(|| Ok(self.x0))?;
        for i in 0..self.rounds {
            let k = Self::constant(i);
            let t_val = x_val + k;
            let t2_val = t_val * t_val;
            let t2 = cs.new_witness_variable(|| Ok(t2_val))?;
            // (x + k)·(x + k) = t2
            cs.enforce_constraint(
                lc!() + x + (k, ark_relations::r1cs::Variable::One),
                lc!() + x + (k, ark_relations::r1cs::Variable::One),
                lc!() + t2,
            )?;
            let next_val = t2_val * t_val;
            let next = if i + 1 == self.rounds {
                out
            } else {
                cs.new_witness_variable(|| Ok(next_val))?
            };
            // t2·(x + k) = next
            cs.enforce_constraint(
                lc!() + t2,
                lc!() + x + (k, ark_relations::r1cs::Variable::One),
                lc!() + next,
            )?;
            x = next;
            x_val = next_val;
        }
        Ok(())
    }
}
