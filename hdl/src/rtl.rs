//! A small builder for rust-hdl's Verilog AST.
//!
//! rust-hdl's `#[hdl_gen]` macro translates a restricted Rust `update()` into Verilog, but
//! it cannot express structure whose shape depends on generation-time parameters (tile
//! grids, adder trees, carry chains of `width/128` segments). Generator blocks in zkpipe
//! therefore implement `Logic::hdl()` by building the same `ast::VerilogBlock` the macro
//! would build, with the helpers below, and implement `Logic::update()` with the equivalent
//! Rust so the blocks remain simulatable by rust-hdl itself. Module hierarchy, ports,
//! registers (`DFF`) and Verilog emission are all rust-hdl's.

use num_bigint::BigUint;
use rust_hdl::core::ast::{
    VerilogBlockOrConditional, VerilogConditional, VerilogExpression as E, VerilogOp,
    VerilogOpUnary, VerilogStatement as S,
};
use rust_hdl::core::prelude::*;

pub use rust_hdl::core::ast::{VerilogExpression as Expr, VerilogStatement as Stmt};

/// A signal of this module or a child port (`child$port`, `vec$3$port`).
pub fn sig(name: impl Into<String>) -> Expr {
    E::Signal(name.into())
}

/// A `width`-bit literal.
pub fn lit(value: &BigUint, width: usize) -> Expr {
    E::Literal(literal_with_width(value, width))
}

/// `VerilogLiteral` takes its width from the `Bits<N>` it is built from.
fn literal_with_width(value: &BigUint, width: usize) -> VerilogLiteral {
    macro_rules! at {
        ($($w:literal),*) => {
            match width {
                $($w => {
                    let b: Bits<$w> = value.clone().into();
                    b.into()
                })*
                _ => panic!("unsupported literal width {width}"),
            }
        };
    }
    at!(1, 2, 3, 4, 8, 16, 17, 26, 32, 43, 64, 128, 129, 256, 384, 512, 768)
}

/// A one-bit literal.
pub fn bit(v: bool) -> Expr {
    E::Literal(v.into())
}

/// `x[offset +: width]` of a signal.
pub fn slice(x: Expr, offset: usize, width: usize) -> Expr {
    E::Slice(
        Box::new(x),
        width,
        Box::new(E::Literal((offset as u64).into())),
    )
}

/// `x[index]` of a signal.
pub fn index(x: Expr, i: usize) -> Expr {
    E::Index(Box::new(x), Box::new(E::Literal((i as u64).into())))
}

/// Zero-extends (or masks) `x` to `width` bits.
pub fn cast(x: Expr, width: usize) -> Expr {
    E::Cast(Box::new(x), width)
}

fn bin(a: Expr, op: VerilogOp, b: Expr) -> Expr {
    E::Paren(Box::new(E::Binary(Box::new(a), op, Box::new(b))))
}

pub fn add(a: Expr, b: Expr) -> Expr {
    bin(a, VerilogOp::Add, b)
}
pub fn xor(a: Expr, b: Expr) -> Expr {
    bin(a, VerilogOp::BitXor, b)
}
pub fn and(a: Expr, b: Expr) -> Expr {
    bin(a, VerilogOp::BitAnd, b)
}
pub fn or(a: Expr, b: Expr) -> Expr {
    bin(a, VerilogOp::BitOr, b)
}
/// `a - b` (wraps at the width of the destination).
pub fn sub(a: Expr, b: Expr) -> Expr {
    bin(a, VerilogOp::Sub, b)
}
/// `a << b` with a run-time shift amount.
pub fn shl_by(a: Expr, b: Expr) -> Expr {
    bin(a, VerilogOp::Shl, b)
}
/// `a >> b` (logical) with a run-time shift amount.
pub fn shr_by(a: Expr, b: Expr) -> Expr {
    bin(a, VerilogOp::Shr, b)
}
/// `a >> by` (logical).
pub fn shr(a: Expr, by: usize) -> Expr {
    bin(a, VerilogOp::Shr, E::Literal((by as u64).into()))
}
pub fn shl(a: Expr, by: usize) -> Expr {
    bin(a, VerilogOp::Shl, E::Literal((by as u64).into()))
}
pub fn not(a: Expr) -> Expr {
    E::Unary(VerilogOpUnary::Not, Box::new(a))
}
/// Reduction AND (`&x`).
pub fn all(a: Expr) -> Expr {
    E::Unary(VerilogOpUnary::All, Box::new(a))
}
/// Reduction OR (`|x`).
pub fn any(a: Expr) -> Expr {
    E::Unary(VerilogOpUnary::Any, Box::new(a))
}

/// OR of many expressions (`0` of `width` bits if empty).
pub fn or_all(items: impl IntoIterator<Item = Expr>, width: usize) -> Expr {
    items
        .into_iter()
        .reduce(or)
        .unwrap_or_else(|| lit(&BigUint::default(), width))
}

/// Majority of three (the carry of a full adder), bitwise.
pub fn maj(a: Expr, b: Expr, c: Expr) -> Expr {
    or(or(and(a.clone(), b.clone()), and(a, c.clone())), and(b, c))
}

/// `dst = value;`
pub fn assign(dst: impl Into<String>, value: Expr) -> Stmt {
    S::Assignment(sig(dst), value)
}

/// `dst[i] = value;` (one bit of a wider signal, the rest left as assigned before).
pub fn set_bit(dst: &str, i: usize, value: Expr) -> Stmt {
    S::SliceAssignment {
        base: sig(dst),
        width: 1,
        offset: E::Literal((i as u64).into()),
        replacement: value,
    }
}

/// `dst[offset +: width] = value;`
pub fn set_bits(dst: &str, offset: usize, width: usize, value: Expr) -> Stmt {
    S::SliceAssignment {
        base: sig(dst),
        width,
        offset: E::Literal((offset as u64).into()),
        replacement: value,
    }
}

/// `if (test) then else otherwise`
pub fn if_else(test: Expr, then: Vec<Stmt>, otherwise: Vec<Stmt>) -> Stmt {
    S::If(VerilogConditional {
        test,
        then,
        otherwise: VerilogBlockOrConditional::Block(otherwise),
    })
}

/// Clock and clock-enable wiring of a register or pipelined child `name`:
/// `name$clock = clock; name$enable = enable;`
pub fn clock_to(name: &str) -> Vec<Stmt> {
    vec![
        assign(format!("{name}$clock"), sig("clock")),
        assign(format!("{name}$enable"), sig("enable")),
    ]
}

/// A combinational `Verilog` body from statements.
pub fn comb(stmts: Vec<Stmt>) -> Verilog {
    Verilog::Combinatorial(stmts)
}

/// `a == b` (1 bit).
pub fn eq(a: Expr, b: Expr) -> Expr {
    bin(a, VerilogOp::Eq, b)
}
/// `a < b` (unsigned, 1 bit).
pub fn lt(a: Expr, b: Expr) -> Expr {
    bin(a, VerilogOp::Lt, b)
}
/// Logical/bitwise AND of 1-bit terms.
pub fn and_all(items: impl IntoIterator<Item = Expr>) -> Expr {
    items.into_iter().reduce(and).unwrap_or_else(|| bit(true))
}
/// A `width`-bit literal from a u64.
pub fn lit_u(value: u64, width: usize) -> Expr {
    lit(&BigUint::from(value), width)
}
/// `cond ? a : b` as an expression-level mux: `(a & {W{cond}}) | (b & {W{!cond}})` would
/// need replication; instead assign through [`if_else`] into a local signal.
pub fn mux_assign(dst: &str, cond: Expr, a: Expr, b: Expr) -> Stmt {
    if_else(cond, vec![assign(dst, a)], vec![assign(dst, b)])
}
/// Plain (always enabled) register clocking: `name$clock = clock;`
pub fn clock_only(name: &str) -> Stmt {
    assign(format!("{name}$clock"), sig("clock"))
}

/// The output of register (`DFF`) `name`.
pub fn q(name: &str) -> Expr {
    sig(format!("{name}$q"))
}
/// The next-state input of register (`DFF`) `name`.
pub fn d(name: &str) -> String {
    format!("{name}$d")
}

/// A register field of `x` as defined in `zkpipe-spec` (one bit: an index, else a slice),
/// so decode logic never spells a bit position itself.
pub fn field(x: Expr, f: zkpipe_spec::regs::BitField) -> Expr {
    if f.width == 1 {
        index(x, f.lsb as usize)
    } else {
        slice(x, f.lsb as usize, f.width as usize)
    }
}

/// A value placed in a register field (for status words built in generated logic).
pub fn field_at(f: zkpipe_spec::regs::BitField, value: Expr) -> Expr {
    shl(cast(value, 32), f.lsb as usize)
}
