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
    /// Card memory (DDR/HBM) for vectors between jobs ([`crate::card_memory`]).
    pub(crate) card_heap: crate::card_memory::SharedAllocator,
    /// Lay every QAP step that fits out in halves ([`Device::prefer_qap_halves`]).
    pub(crate) qap_halves: std::sync::atomic::AtomicBool,
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
        let heap = crate::card_memory::Allocator::new(card.capabilities().card_memory_bytes());
        Device {
            card_heap: std::sync::Arc::new(std::sync::Mutex::new(heap)),
            card,
            msm: MsmState::default(),
            msm_g2: MsmState::default(),
            qap_halves: Default::default(),
        }
    }

    /// Lays every QAP step whose halves fit (128 points to N² each) out in halves
    /// ([`crate::qap_on_card::Layout::Halves`]), not only domains of 2·N²: how proofs in
    /// halves are checked on a small simulated board. Off by default.
    pub fn prefer_qap_halves(&self, on: bool) {
        self.qap_halves
            .store(on, std::sync::atomic::Ordering::Relaxed);
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
        self.with_sim_board(|board| board.inject(fault))
    }

    /// Runs `f` on the simulated board behind this device (fault injection at a chosen
    /// job, faults fired, jobs started); a device that is not a simulated board refuses
    /// with [`crate::Error::Unsupported`].
    #[cfg(feature = "sim")]
    pub fn with_sim_board<R>(
        &self,
        f: impl FnOnce(&mut zkpipe_sim::board::SimBoard) -> R,
    ) -> Result<R> {
        self.card.with_function(|func| {
            let device = func.describe();
            match func
                .as_any_mut()
                .downcast_mut::<crate::pcie::sim::SimFunction>()
            {
                Some(sim) => Ok(f(sim.board())),
                None => Err(crate::Error::Unsupported {
                    device,
                    what: "fault injection (simulated boards only: sim:<preset>)",
                }),
            }
        })
    }
}
