//! MSM engine: the complete point adders (mixed and projective) and the Pippenger unit around them.

pub mod blocks;
pub mod g2_add;
pub mod pippenger;
pub mod point_add;

pub use pippenger::{MsmConfig, MsmUnit};
pub use point_add::{AdderKind, PointAdd};
