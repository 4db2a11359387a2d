//! `DevicePool`: spreads a batch of jobs over several boards, one worker thread per board,
//! each board taking the next job as it finishes the last (the rollup case: many
//! independent batches, many cards).

use crate::device::Device;
use crate::elementwise::{JobReport, Scalar};
use crate::error::{Error, Result};
use ark_ff::fields::models::fp::MontConfig;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use zkpipe_spec::regs::Opcode;

/// One elementwise job of a batch.
#[derive(Clone, Debug)]
pub struct Job<C: MontConfig<4>> {
    /// The operation.
    pub op: Opcode,
    /// First operand.
    pub a: Vec<Scalar<C>>,
    /// Second operand (binary operations).
    pub b: Option<Vec<Scalar<C>>>,
    /// powmul's g.
    pub g: Option<Scalar<C>>,
}

/// The outcome of one job: its result and which device ran it.
pub type JobOutcome<C> = Result<(Vec<Scalar<C>>, JobReport, usize)>;

/// Several boards serving a batch of jobs.
pub struct DevicePool {
    devices: Vec<Arc<Device>>,
}

impl DevicePool {
    /// A pool over opened devices (at least one).
    pub fn new(devices: Vec<Arc<Device>>) -> Result<DevicePool> {
        if devices.is_empty() {
            return Err(Error::Empty);
        }
        Ok(DevicePool { devices })
    }

    /// Opens every URI.
    pub fn open(uris: &[&str]) -> Result<DevicePool> {
        let devices = uris
            .iter()
            .map(|u| Device::open(u).map(Arc::new))
            .collect::<Result<Vec<_>>>()?;
        DevicePool::new(devices)
    }

    /// The pool's devices.
    pub fn devices(&self) -> &[Arc<Device>] {
        &self.devices
    }

    /// Runs every job; results come back in job order. A failing job does not stop the
    /// others.
    pub fn run<C: MontConfig<4>>(&self, jobs: &[Job<C>]) -> Vec<JobOutcome<C>> {
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Option<JobOutcome<C>>>> =
            Mutex::new((0..jobs.len()).map(|_| None).collect());
        std::thread::scope(|s| {
            for (d, device) in self.devices.iter().enumerate() {
                let (next, results) = (&next, &results);
                s.spawn(move || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let out = device
                        .elementwise(job.op, &job.a, job.b.as_deref(), job.g)
                        .map(|(r, report)| (r, report, d));
                    results.lock().unwrap()[i] = Some(out);
                });
            }
        });
        results
            .into_inner()
            .unwrap()
            .into_iter()
            .map(|r| r.expect("every job ran"))
            .collect()
    }
}
