//! `Device`: a [`Card`] with its engines. Opened by URI, safe to share between threads
//! (jobs serialise on the card's lock). The engines are modules over the card:
//! [`crate::elementwise`] (mul, add, sub, powmul and NTT jobs on scalar-field vectors) and
//! [`crate::msm`] (resident bases, MSM runs; its card-memory allocator lives there).

use crate::card::Card;
use crate::driver::kernel::{Capabilities, Counters};
use crate::error::Result;
use crate::msm::MsmState;
use std::time::Duration;
use zkpipe_spec::regs::FaultInject;

/// An opened board and the state of its engines.
#[derive(Debug)]
pub struct Device {
    card: Card,
    /// The MSM engine's card memory (resident base sets) and call serialisation.
    pub(crate) msm: MsmState,
    /// The G2 MSM engine's resident bases and lock.
    pub(crate) msm_g2: MsmState,
}

impl Device {
    /// Opens `sim:<preset>` (feature `sim`) or `vfio:<pci address>` (feature `vfio`); see
    /// [`Card::open`].
    pub fn open(uri: &str) -> Result<Device> {
        Ok(Device::from_card(Card::open(uri)?))
    }

    /// Wraps an already opened function; `expected_preset` is checked against the card.
    pub fn from_function(
        func: Box<dyn crate::pcie::PcieFunction>,
        expected_preset: Option<&str>,
    ) -> Result<Device> {
        Ok(Device::from_card(Card::from_function(
            func,
            expected_preset,
        )?))
    }

    /// A device over an opened card.
    pub fn from_card(card: Card) -> Device {
        Device {
            card,
            msm: MsmState::default(),
            msm_g2: MsmState::default(),
        }
    }

    /// The card: transport, identity, staging buffers, job submission.
    pub fn card(&self) -> &Card {
        &self.card
    }

    /// The URI the device was opened with.
    pub fn uri(&self) -> &str {
        self.card.uri()
    }

    /// What the card reported about itself.
    pub fn capabilities(&self) -> &Capabilities {
        self.card.capabilities()
    }

    /// Performance counters of the last job.
    pub fn counters(&self) -> Result<Counters> {
        self.card.counters()
    }

    /// Overrides how long a job may take before the device is declared hung.
    pub fn set_timeout(&self, timeout: Option<Duration>) {
        self.card.set_timeout(timeout)
    }

    /// Test hook: FAULT_INJECT (see [`Card::set_fault_inject`]).
    pub fn set_fault_inject(&self, fault: FaultInject) -> Result<()> {
        self.card.set_fault_inject(fault)
    }

    /// Arms a fault of the simulated board for the next job; a device that is not a
    /// simulated board refuses with [`crate::Error::Unsupported`].
    #[cfg(feature = "sim")]
    pub fn inject_fault(&self, fault: crate::Fault) -> Result<()> {
        self.card.with_function(|f| {
            match f
                .as_any_mut()
                .downcast_mut::<crate::pcie::sim::SimFunction>()
            {
                Some(sim) => {
                    sim.inject(fault);
                    Ok(())
                }
                None => Err(crate::Error::Unsupported {
                    device: f.describe(),
                    what: "fault injection (simulated boards only: sim:<preset>)",
                }),
            }
        })
    }
}
