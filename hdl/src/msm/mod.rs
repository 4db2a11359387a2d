//! MSM engine: the complete mixed point adder and the Pippenger unit around it.

pub mod pippenger;
pub mod point_add;

pub use pippenger::{MsmConfig, MsmUnit};
pub use point_add::MixedAdd;
