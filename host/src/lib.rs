//! zkpipe: the host library provers link.
//!
//! Status: the foundation only. The PCIe driver (VFIO and the simulated board), the
//! device pool, the prover backends and the Groth16 prover are separate issues and land
//! here; until then this crate re-exports the generator's presets and field parameters so
//! that host code and hardware agree on one definition of each.

pub use zkpipe_hdl::field::{FieldId, FieldParams};
pub use zkpipe_hdl::preset::{Curve, MulStyle, Preset, DEFAULT_PRESET, PRESETS};

#[cfg(test)]
mod tests {
    #[test]
    fn presets_are_reachable_from_the_host_crate() {
        assert!(super::Preset::by_name(super::DEFAULT_PRESET).is_ok());
    }
}
