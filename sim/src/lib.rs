//! zkpipe-sim: the generated hardware, verilated and linked into Rust.
//!
//! The build script generates every simulation top with `zkpipe-hdl`, verilates it with
//! its own `--prefix`, and links it behind a small C ABI. [`Model`] is the safe handle:
//! create a model by name, set and read ports as little-endian u64 limbs, tick the clock.
//!
//! Which models are built: the `sim-small` and `sim-bls12-381` boards always; feature
//! `units` adds the standalone arithmetic units, NTT core and point adder; `tiled` the
//! tiled MontMuls (minutes of C++). Compiled models are cached by content (see the build
//! script), so switching features or profiles never recompiles an identical model.
//!
//! Waveforms (feature `trace`): set `ZKPIPE_TRACE=<folder>` and every model created
//! afterwards writes `<folder>/<model>-<n>.vcd`.

use std::ffi::CString;
use std::fmt;
use std::os::raw::{c_char, c_void};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

include!(concat!(env!("OUT_DIR"), "/models.rs"));

/// Entry points of one verilated model.
#[doc(hidden)]
pub struct Vtable {
    new: unsafe extern "C" fn(*const c_char) -> *mut c_void,
    free: unsafe extern "C" fn(*mut c_void),
    set: unsafe extern "C" fn(*mut c_void, u32, *const u64),
    get: unsafe extern "C" fn(*mut c_void, u32, *mut u64),
    eval: unsafe extern "C" fn(*mut c_void),
    settle: unsafe extern "C" fn(*mut c_void),
    rise: unsafe extern "C" fn(*mut c_void),
    tick: unsafe extern "C" fn(*mut c_void, u64),
}

/// A port of a model.
#[derive(Debug)]
pub struct PortDesc {
    pub name: &'static str,
    pub width: usize,
    pub input: bool,
}

/// A model linked into this crate.
pub struct ModelDesc {
    /// Model name, e.g. `bn254_fq_mont_mul_tiled`.
    pub name: &'static str,
    /// Cycles from inputs to outputs, as generated.
    pub latency: usize,
    /// DSP-sized multiplier tiles (0 for behavioural or none).
    pub tiles: usize,
    pub ports: &'static [PortDesc],
    #[doc(hidden)]
    pub vtable: Vtable,
}

impl fmt::Debug for ModelDesc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelDesc")
            .field("name", &self.name)
            .field("latency", &self.latency)
            .field("ports", &self.ports)
            .finish()
    }
}

/// Errors of the simulator API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimError {
    /// No model of that name was built into this crate.
    UnknownModel {
        name: String,
        known: Vec<&'static str>,
    },
    /// The model has no port of that name.
    UnknownPort { model: &'static str, port: String },
    /// The port is an output and cannot be driven.
    NotAnInput {
        model: &'static str,
        port: &'static str,
    },
    /// The value has bits set above the port's width.
    ValueTooWide { port: &'static str, width: usize },
    /// The waveform file could not be created.
    Trace(String),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::UnknownModel { name, known } => {
                write!(
                    f,
                    "no simulation model `{name}`; built models: {} (zkpipe-sim features: \
                     `units` adds the arithmetic units, NTT core and point adder, `tiled` the \
                     tiled MontMuls)",
                    known.join(", ")
                )
            }
            SimError::UnknownPort { model, port } => {
                write!(f, "model `{model}` has no port `{port}`")
            }
            SimError::NotAnInput { model, port } => {
                write!(f, "port `{port}` of model `{model}` is an output")
            }
            SimError::ValueTooWide { port, width } => {
                write!(f, "value for port `{port}` does not fit in {width} bits")
            }
            SimError::Trace(msg) => write!(f, "cannot open waveform trace: {msg}"),
        }
    }
}

impl std::error::Error for SimError {}

/// A handle to a port, resolved once by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortId {
    index: u32,
    width: usize,
    input: bool,
    name: &'static str,
}

impl PortId {
    pub fn width(&self) -> usize {
        self.width
    }
    /// Number of u64 limbs of the port's value.
    pub fn limbs(&self) -> usize {
        self.width.div_ceil(64)
    }
}

/// Every model built into this crate.
pub fn models() -> &'static [ModelDesc] {
    MODELS
}

/// Looks a model up by name.
pub fn model_desc(name: &str) -> Result<&'static ModelDesc, SimError> {
    MODELS
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| SimError::UnknownModel {
            name: name.to_string(),
            known: MODELS.iter().map(|m| m.name).collect(),
        })
}

static TRACE_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// One running instance of a verilated model.
pub struct Model {
    desc: &'static ModelDesc,
    handle: NonNull<c_void>,
    cycles: u64,
}

// The C++ model has no thread affinity; `&mut self` serialises all access to it.
unsafe impl Send for Model {}

impl Model {
    /// Instantiates a model, with its clock low and evaluated once.
    pub fn new(name: &str) -> Result<Model, SimError> {
        let desc = model_desc(name)?;
        let trace = match std::env::var_os("ZKPIPE_TRACE") {
            Some(_) if !TRACE => {
                return Err(SimError::Trace(
                    "ZKPIPE_TRACE is set but zkpipe-sim was built without its `trace` feature \
                     (e.g. `cargo test -p zkpipe-tests --features trace`)"
                        .into(),
                ))
            }
            Some(dir) => {
                std::fs::create_dir_all(&dir)
                    .map_err(|e| SimError::Trace(format!("{}: {e}", dir.to_string_lossy())))?;
                let n = TRACE_COUNTER.fetch_add(1, Ordering::Relaxed);
                let path = std::path::Path::new(&dir).join(format!("{name}-{n}.vcd"));
                Some(
                    CString::new(path.to_string_lossy().as_bytes())
                        .map_err(|e| SimError::Trace(e.to_string()))?,
                )
            }
            None => None,
        };
        let ptr = trace.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
        // SAFETY: the shim allocates a fresh model; the path outlives the call.
        let raw = unsafe { (desc.vtable.new)(ptr) };
        let handle = NonNull::new(raw).expect("verilated model allocation failed");
        Ok(Model {
            desc,
            handle,
            cycles: 0,
        })
    }

    pub fn desc(&self) -> &'static ModelDesc {
        self.desc
    }

    /// Resolves a port by name.
    pub fn port(&self, name: &str) -> Result<PortId, SimError> {
        self.desc
            .ports
            .iter()
            .enumerate()
            .find(|(_, p)| p.name == name)
            .map(|(i, p)| PortId {
                index: i as u32,
                width: p.width,
                input: p.input,
                name: p.name,
            })
            .ok_or_else(|| SimError::UnknownPort {
                model: self.desc.name,
                port: name.to_string(),
            })
    }

    /// Drives an input port. Missing high limbs are zero; bits above the width are an
    /// error (the value is not silently truncated).
    pub fn set(&mut self, port: PortId, value: &[u64]) -> Result<(), SimError> {
        if !port.input {
            return Err(SimError::NotAnInput {
                model: self.desc.name,
                port: port.name,
            });
        }
        let mut limbs = vec![0u64; port.limbs()];
        for (i, &v) in value.iter().enumerate() {
            if i < limbs.len() {
                limbs[i] = v;
            } else if v != 0 {
                return Err(SimError::ValueTooWide {
                    port: port.name,
                    width: port.width,
                });
            }
        }
        let top_bits = port.width % 64;
        if top_bits != 0 && limbs[limbs.len() - 1] >> top_bits != 0 {
            return Err(SimError::ValueTooWide {
                port: port.name,
                width: port.width,
            });
        }
        // SAFETY: `limbs` holds at least the port's limbs; the index is the port's.
        unsafe { (self.desc.vtable.set)(self.handle.as_ptr(), port.index, limbs.as_ptr()) };
        Ok(())
    }

    /// Reads a port (input or output) into `out`, which must hold `port.limbs()` limbs.
    pub fn get_into(&self, port: PortId, out: &mut [u64]) {
        assert!(out.len() >= port.limbs(), "output buffer too small");
        // SAFETY: `out` holds at least the port's limbs.
        unsafe { (self.desc.vtable.get)(self.handle.as_ptr(), port.index, out.as_mut_ptr()) };
    }

    /// Reads a port as limbs.
    pub fn get(&self, port: PortId) -> Vec<u64> {
        let mut out = vec![0u64; port.limbs()];
        self.get_into(port, &mut out);
        out
    }

    /// Re-evaluates combinational logic after inputs changed, without a clock edge.
    pub fn eval(&mut self) {
        // SAFETY: valid handle.
        unsafe { (self.desc.vtable.eval)(self.handle.as_ptr()) };
    }

    /// Clock low, then evaluates: the inputs set since the last edge take effect. With
    /// [`Model::rise`], one cycle costs two evaluations (the form the simulated board's
    /// hot loop uses: set inputs, settle, read outputs, rise); `tick` costs three with the
    /// `eval` a caller needs between setting inputs and reading outputs. Only for
    /// designs without falling-edge logic (every zkpipe design).
    pub fn settle(&mut self) {
        // SAFETY: valid handle.
        unsafe { (self.desc.vtable.settle)(self.handle.as_ptr()) };
    }

    /// Clock high: the rising edge of one cycle (see [`Model::settle`]).
    pub fn rise(&mut self) {
        // SAFETY: valid handle.
        unsafe { (self.desc.vtable.rise)(self.handle.as_ptr()) };
        self.cycles += 1;
    }

    /// Runs `n` clock cycles (rising then falling edge each).
    pub fn tick(&mut self, n: u64) {
        // SAFETY: valid handle.
        unsafe { (self.desc.vtable.tick)(self.handle.as_ptr(), n) };
        self.cycles += n;
    }

    /// Drives every input except the clock to zero and clocks the pipeline empty.
    pub fn reset(&mut self) {
        for (i, p) in self.desc.ports.iter().enumerate() {
            if p.input && p.name != "clock" {
                let zeros = vec![0u64; p.width.div_ceil(64)];
                // SAFETY: buffer sized for the port.
                unsafe { (self.desc.vtable.set)(self.handle.as_ptr(), i as u32, zeros.as_ptr()) };
            }
        }
        self.tick(self.desc.latency as u64 + 1);
    }

    /// Clock cycles run since creation.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        // SAFETY: the handle came from `new` and is freed once.
        unsafe { (self.desc.vtable.free)(self.handle.as_ptr()) };
    }
}

pub mod board;
#[cfg(test)]
mod cache;
pub mod card_memory;
/// The XDMA layout the DMA engine model implements: defined in `zkpipe-spec`.
pub use zkpipe_spec::xdma;
