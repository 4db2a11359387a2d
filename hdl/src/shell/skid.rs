//! A two-beat stream buffer, the register stage between a producer and a consumer whose
//! ready and valid must not depend on each other in the same cycle (AXI outputs driven
//! from registers, and no combinational path through a block that Verilator would have to
//! iterate). With two places it moves a beat every cycle.
//!
//! The owner declares three registers, `{name}0` and `{name}1` (the beats, `{name}0` the
//! older) and `{name}_held` (`Bits<2>`: beats held), and clocks and holds them; these
//! statements update them.

use crate::rtl::*;

/// `{name}_held == k`.
pub fn held(name: &str, k: u64) -> Expr {
    eq(q(&format!("{name}_held")), lit_u(k, 2))
}

/// Room for a beat this cycle (from registers only).
pub fn ready(name: &str) -> Expr {
    not(held(name, 2))
}

/// A beat to give this cycle (from registers only); the beat is `q("{name}0")`.
pub fn valid(name: &str) -> Expr {
    not(held(name, 0))
}

/// The next state: `pop` takes the oldest beat, `push` appends `data`.
pub fn update(name: &str, push: Expr, data: Expr, pop: Expr) -> Vec<Stmt> {
    let (b0, b1, n) = (
        format!("{name}0"),
        format!("{name}1"),
        format!("{name}_held"),
    );
    vec![
        if_else(pop.clone(), vec![assign(d(&b0), q(&b1))], vec![]),
        if_else(
            push.clone(),
            vec![if_else(
                // The new beat goes first if the buffer is empty after this cycle's pop.
                or(held(name, 0), and(held(name, 1), pop.clone())),
                vec![assign(d(&b0), data.clone())],
                vec![assign(d(&b1), data)],
            )],
            vec![],
        ),
        assign(d(&n), cast(sub(add(q(&n), cast(push, 2)), cast(pop, 2)), 2)),
    ]
}

/// Empties the buffer.
pub fn clear(name: &str) -> Stmt {
    assign(d(&format!("{name}_held")), lit_u(0, 2))
}
