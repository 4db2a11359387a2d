//! MSM engine building blocks (issue 6, in progress): the complete mixed point adder.
//! The Pippenger unit (digit extraction, bucket memory, deferral FIFO) is not written yet.

pub mod point_add;

pub use point_add::MixedAdd;
