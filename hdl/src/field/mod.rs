//! Pipelined prime-field arithmetic: parameters from arkworks, modular add/sub, Montgomery
//! multiplication in two multiplier styles, and their software reference models.

pub mod bit_heap;
pub mod carry_chain;
pub mod dataflow;
pub mod en_reg;
pub mod fq2;
pub mod leaf;
pub mod mod_add;
pub mod mont_mul;
pub mod multiplier;
pub mod pipe_add;
pub mod product_plan;
pub mod reference;
pub mod term_mul;

pub use mod_add::{AddSubOp, ModAddSub};
pub use mont_mul::MontMul;
pub use zkpipe_spec::field::{FieldId, FieldParams};

#[cfg(test)]
mod rust_sim;
