//! zkpipe's C ABI: rapidsnark's `groth16_prover_*` functions (same names, arguments,
//! buffer conventions and error codes; `include/zkpipe_prover.h`) over zkpipe's warm
//! circom prover, plus `*_with_device` forms that take a device URI. Existing rapidsnark
//! wrappers (Go, JS, mobile) link `libzkpipe_prover` instead and gain the card.
//!
//! Every entry point checks its pointers, never unwinds into C (a panic becomes
//! `PROVER_ERROR` with a message), and verifies each proof before returning it.

#![deny(missing_docs)]

use ark_bls12_381::Bls12_381;
use ark_bn254::Bn254;
use std::ffi::{c_char, c_int, c_ulonglong, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex;
use zkpipe::circom::{json, peek_zkey, read_wtns, zkey_curve, CircomCurve, CircomProver, Zkey};
use zkpipe::Error;

/// Success.
pub const PROVER_OK: c_int = 0;
/// Any other failure; `error_msg` says what.
pub const PROVER_ERROR: c_int = 1;
/// An output buffer is too small; the sizes needed were written back.
pub const PROVER_ERROR_SHORT_BUFFER: c_int = 2;
/// The witness length is not the key's variable count.
pub const PROVER_INVALID_WITNESS_LENGTH: c_int = 3;

/// Bytes of the largest proof JSON either curve produces, NUL included (BLS12-381: 16
/// numbers of up to 116 digits in snarkjs's pretty layout, with room to spare).
const PROOF_SIZE: u64 = 4096;

/// The environment variable the device-less functions read (default `cpu`).
const DEVICE_ENV: &str = "ZKPIPE_DEVICE";

enum AnyProver {
    Bn254(Box<CircomProver<Bn254>>),
    Bls12_381(Box<CircomProver<Bls12_381>>),
}

/// What a prover handle points to: calls on one handle are serialised.
struct Handle(Mutex<AnyProver>);

struct Failure {
    code: c_int,
    message: String,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match e {
            Error::WitnessLength { .. } => PROVER_INVALID_WITNESS_LENGTH,
            _ => PROVER_ERROR,
        };
        Failure {
            code,
            message: e.to_string(),
        }
    }
}

impl From<zkpipe::circom::FormatError> for Failure {
    fn from(e: zkpipe::circom::FormatError) -> Self {
        Error::from(e).into()
    }
}

fn error(message: impl Into<String>) -> Failure {
    Failure {
        code: PROVER_ERROR,
        message: message.into(),
    }
}

fn load(zkey: &[u8], device: &str) -> Result<Handle, Failure> {
    let prover = match zkey_curve(zkey)? {
        "bn128" => AnyProver::Bn254(Box::new(CircomProver::open(
            Zkey::from_bytes(zkey)?,
            &[device],
        )?)),
        _ => AnyProver::Bls12_381(Box::new(CircomProver::open(
            Zkey::from_bytes(zkey)?,
            &[device],
        )?)),
    };
    Ok(Handle(Mutex::new(prover)))
}

fn prove_json<E: CircomCurve>(
    prover: &CircomProver<E>,
    wtns: &[u8],
) -> Result<(String, String), Failure> {
    let witness = read_wtns::<E::ScalarField>(wtns)?;
    let out = prover.prove(&witness)?;
    Ok((
        json::proof_to_json(&out.proof),
        json::public_to_json(&out.public),
    ))
}

fn public_json_bound(zkey: &[u8]) -> Result<u64, Failure> {
    let (_, header) = peek_zkey(zkey)?;
    let n_public = header.n_public;
    // Per signal: up to 78 digits (BN254 r and BLS12-381 r both < 10^78), quotes, comma,
    // newline and indentation; brackets and NUL.
    Ok(n_public as u64 * (78 + 6) + 8)
}

/// Runs `f`, turning a failure or a panic into its code and message.
fn guard(
    error_msg: *mut c_char,
    error_msg_maxsize: c_ulonglong,
    f: impl FnOnce() -> Result<(), Failure>,
) -> c_int {
    let outcome = catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        Err(error(format!("internal error (a bug in zkpipe): {what}")))
    });
    match outcome {
        Ok(()) => PROVER_OK,
        Err(f) => {
            // SAFETY: the caller passes a buffer of error_msg_maxsize bytes or null.
            unsafe { write_c_string(error_msg, error_msg_maxsize, &f.message) };
            f.code
        }
    }
}

/// Copies `text` truncated to `max − 1` bytes and a NUL.
unsafe fn write_c_string(buf: *mut c_char, max: c_ulonglong, text: &str) {
    if buf.is_null() || max == 0 {
        return;
    }
    let n = text.len().min(max as usize - 1);
    std::ptr::copy_nonoverlapping(text.as_ptr(), buf as *mut u8, n);
    *buf.add(n) = 0;
}

unsafe fn bytes<'a>(ptr: *const c_void, len: c_ulonglong, what: &str) -> Result<&'a [u8], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(error(format!("{what} is null")));
    }
    Ok(std::slice::from_raw_parts(ptr as *const u8, len as usize))
}

unsafe fn c_str<'a>(ptr: *const c_char, what: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(error(format!("{what} is null")));
    }
    CStr::from_ptr(ptr)
        .to_str()
        .map_err(|_| error(format!("{what} is not UTF-8")))
}

fn default_device() -> String {
    std::env::var(DEVICE_ENV).unwrap_or_else(|_| "cpu".into())
}

fn read_file(path: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| error(format!("{path}: {e}")))
}

unsafe fn create(
    prover_object: *mut *mut c_void,
    zkey: &[u8],
    device: &str,
) -> Result<(), Failure> {
    if prover_object.is_null() {
        return Err(error("prover_object is null"));
    }
    let handle = load(zkey, device)?;
    *prover_object = Box::into_raw(Box::new(handle)) as *mut c_void;
    Ok(())
}

/// Writes both outputs if both fit; otherwise the sizes needed and SHORT_BUFFER.
unsafe fn write_outputs(
    proof: &str,
    proof_buffer: *mut c_char,
    proof_size: *mut c_ulonglong,
    public: &str,
    public_buffer: *mut c_char,
    public_size: *mut c_ulonglong,
) -> Result<(), Failure> {
    if proof_size.is_null() || public_size.is_null() {
        return Err(error("proof_size or public_size is null"));
    }
    let fits = |buf: *mut c_char, size: u64, text: &str| !buf.is_null() && size > text.len() as u64;
    if !fits(proof_buffer, *proof_size, proof) || !fits(public_buffer, *public_size, public) {
        *proof_size = proof.len() as u64 + 1;
        *public_size = public.len() as u64 + 1;
        return Err(Failure {
            code: PROVER_ERROR_SHORT_BUFFER,
            message: format!(
                "output buffers too small: the proof needs {} bytes, the public signals {}",
                *proof_size, *public_size
            ),
        });
    }
    write_c_string(proof_buffer, *proof_size, proof);
    write_c_string(public_buffer, *public_size, public);
    *proof_size = proof.len() as u64;
    *public_size = public.len() as u64;
    Ok(())
}

/// Writes the upper bound of a proof's JSON size (bytes, NUL included).
///
/// # Safety
/// `proof_size` is null or points to writable memory.
#[no_mangle]
pub unsafe extern "C" fn groth16_proof_size(proof_size: *mut c_ulonglong) {
    if !proof_size.is_null() {
        *proof_size = PROOF_SIZE;
    }
}

/// Writes the upper bound of the public signals' JSON size for a key in memory.
///
/// # Safety
/// Pointers are null or valid for their sizes.
#[no_mangle]
pub unsafe extern "C" fn groth16_public_size_for_zkey_buf(
    zkey_buffer: *const c_void,
    zkey_size: c_ulonglong,
    public_size: *mut c_ulonglong,
    error_msg: *mut c_char,
    error_msg_maxsize: c_ulonglong,
) -> c_int {
    guard(error_msg, error_msg_maxsize, || {
        let size = public_json_bound(bytes(zkey_buffer, zkey_size, "zkey_buffer")?)?;
        out_u64(public_size, size)
    })
}

/// Writes the upper bound of the public signals' JSON size for a key file.
///
/// # Safety
/// Pointers are null or valid (`zkey_fname` NUL-terminated).
#[no_mangle]
pub unsafe extern "C" fn groth16_public_size_for_zkey_file(
    zkey_fname: *const c_char,
    public_size: *mut c_ulonglong,
    error_msg: *mut c_char,
    error_msg_maxsize: c_ulonglong,
) -> c_int {
    guard(error_msg, error_msg_maxsize, || {
        let zkey = read_file(c_str(zkey_fname, "zkey_fname")?)?;
        out_u64(public_size, public_json_bound(&zkey)?)
    })
}

unsafe fn out_u64(ptr: *mut c_ulonglong, value: u64) -> Result<(), Failure> {
    if ptr.is_null() {
        return Err(error("public_size is null"));
    }
    *ptr = value;
    Ok(())
}

/// Creates a prover for a key in memory, on the device `ZKPIPE_DEVICE` names (`cpu` when
/// unset).
///
/// # Safety
/// Pointers are null or valid for their sizes.
#[no_mangle]
pub unsafe extern "C" fn groth16_prover_create(
    prover_object: *mut *mut c_void,
    zkey_buffer: *const c_void,
    zkey_size: c_ulonglong,
    error_msg: *mut c_char,
    error_msg_maxsize: c_ulonglong,
) -> c_int {
    guard(error_msg, error_msg_maxsize, || {
        let zkey = bytes(zkey_buffer, zkey_size, "zkey_buffer")?;
        create(prover_object, zkey, &default_device())
    })
}

/// Creates a prover for a key in memory on a device (`cpu`, `sim:<preset>`,
/// `vfio:<address>`, or card URIs separated by commas).
///
/// # Safety
/// Pointers are null or valid for their sizes (`device_uri` NUL-terminated).
#[no_mangle]
pub unsafe extern "C" fn groth16_prover_create_with_device(
    prover_object: *mut *mut c_void,
    zkey_buffer: *const c_void,
    zkey_size: c_ulonglong,
    device_uri: *const c_char,
    error_msg: *mut c_char,
    error_msg_maxsize: c_ulonglong,
) -> c_int {
    guard(error_msg, error_msg_maxsize, || {
        let zkey = bytes(zkey_buffer, zkey_size, "zkey_buffer")?;
        create(prover_object, zkey, c_str(device_uri, "device_uri")?)
    })
}

/// Creates a prover for a key file, on the device `ZKPIPE_DEVICE` names.
///
/// # Safety
/// Pointers are null or valid (`zkey_file_path` NUL-terminated).
#[no_mangle]
pub unsafe extern "C" fn groth16_prover_create_zkey_file(
    prover_object: *mut *mut c_void,
    zkey_file_path: *const c_char,
    error_msg: *mut c_char,
    error_msg_maxsize: c_ulonglong,
) -> c_int {
    guard(error_msg, error_msg_maxsize, || {
        let zkey = read_file(c_str(zkey_file_path, "zkey_file_path")?)?;
        create(prover_object, &zkey, &default_device())
    })
}

/// Creates a prover for a key file on a device.
///
/// # Safety
/// Pointers are null or valid (strings NUL-terminated).
#[no_mangle]
pub unsafe extern "C" fn groth16_prover_create_zkey_file_with_device(
    prover_object: *mut *mut c_void,
    zkey_file_path: *const c_char,
    device_uri: *const c_char,
    error_msg: *mut c_char,
    error_msg_maxsize: c_ulonglong,
) -> c_int {
    guard(error_msg, error_msg_maxsize, || {
        let zkey = read_file(c_str(zkey_file_path, "zkey_file_path")?)?;
        create(prover_object, &zkey, c_str(device_uri, "device_uri")?)
    })
}

/// Proves a witness (`.wtns` bytes) with a prover object.
///
/// # Safety
/// `prover_object` comes from a `groth16_prover_create*` and was not destroyed; other
/// pointers are null or valid for their sizes.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn groth16_prover_prove(
    prover_object: *mut c_void,
    wtns_buffer: *const c_void,
    wtns_size: c_ulonglong,
    proof_buffer: *mut c_char,
    proof_size: *mut c_ulonglong,
    public_buffer: *mut c_char,
    public_size: *mut c_ulonglong,
    error_msg: *mut c_char,
    error_msg_maxsize: c_ulonglong,
) -> c_int {
    guard(error_msg, error_msg_maxsize, || {
        if prover_object.is_null() {
            return Err(error("prover_object is null"));
        }
        let handle = &*(prover_object as *const Handle);
        let wtns = bytes(wtns_buffer, wtns_size, "wtns_buffer")?;
        let prover = handle.0.lock().unwrap_or_else(|e| e.into_inner());
        let (proof, public) = match &*prover {
            AnyProver::Bn254(p) => prove_json(p, wtns)?,
            AnyProver::Bls12_381(p) => prove_json(p, wtns)?,
        };
        write_outputs(
            &proof,
            proof_buffer,
            proof_size,
            &public,
            public_buffer,
            public_size,
        )
    })
}

/// Frees a prover object (null is ignored).
///
/// # Safety
/// `prover_object` is null or comes from a `groth16_prover_create*` and was not
/// destroyed before.
#[no_mangle]
pub unsafe extern "C" fn groth16_prover_destroy(prover_object: *mut c_void) {
    if !prover_object.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| {
            drop(Box::from_raw(prover_object as *mut Handle));
        }));
    }
}

/// The output arguments of a prove call.
struct Outputs {
    proof_buffer: *mut c_char,
    proof_size: *mut c_ulonglong,
    public_buffer: *mut c_char,
    public_size: *mut c_ulonglong,
}

/// The second half of the one-shot forms.
unsafe fn prove_and_destroy(
    prover: *mut c_void,
    wtns_buffer: *const c_void,
    wtns_size: c_ulonglong,
    out: Outputs,
    error_msg: *mut c_char,
    error_msg_maxsize: c_ulonglong,
) -> c_int {
    let code = groth16_prover_prove(
        prover,
        wtns_buffer,
        wtns_size,
        out.proof_buffer,
        out.proof_size,
        out.public_buffer,
        out.public_size,
        error_msg,
        error_msg_maxsize,
    );
    groth16_prover_destroy(prover);
    code
}

/// One-shot: create for a key in memory, prove, destroy.
///
/// # Safety
/// As [`groth16_prover_create`] and [`groth16_prover_prove`].
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn groth16_prover(
    zkey_buffer: *const c_void,
    zkey_size: c_ulonglong,
    wtns_buffer: *const c_void,
    wtns_size: c_ulonglong,
    proof_buffer: *mut c_char,
    proof_size: *mut c_ulonglong,
    public_buffer: *mut c_char,
    public_size: *mut c_ulonglong,
    error_msg: *mut c_char,
    error_msg_maxsize: c_ulonglong,
) -> c_int {
    let mut prover: *mut c_void = std::ptr::null_mut();
    let code = groth16_prover_create(
        &mut prover,
        zkey_buffer,
        zkey_size,
        error_msg,
        error_msg_maxsize,
    );
    if code != PROVER_OK {
        return code;
    }
    let outputs = Outputs {
        proof_buffer,
        proof_size,
        public_buffer,
        public_size,
    };
    prove_and_destroy(
        prover,
        wtns_buffer,
        wtns_size,
        outputs,
        error_msg,
        error_msg_maxsize,
    )
}

/// One-shot: create for a key file, prove, destroy.
///
/// # Safety
/// As [`groth16_prover_create_zkey_file`] and [`groth16_prover_prove`].
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn groth16_prover_zkey_file(
    zkey_file_path: *const c_char,
    wtns_buffer: *const c_void,
    wtns_size: c_ulonglong,
    proof_buffer: *mut c_char,
    proof_size: *mut c_ulonglong,
    public_buffer: *mut c_char,
    public_size: *mut c_ulonglong,
    error_msg: *mut c_char,
    error_msg_maxsize: c_ulonglong,
) -> c_int {
    let mut prover: *mut c_void = std::ptr::null_mut();
    let code =
        groth16_prover_create_zkey_file(&mut prover, zkey_file_path, error_msg, error_msg_maxsize);
    if code != PROVER_OK {
        return code;
    }
    let outputs = Outputs {
        proof_buffer,
        proof_size,
        public_buffer,
        public_size,
    };
    prove_and_destroy(
        prover,
        wtns_buffer,
        wtns_size,
        outputs,
        error_msg,
        error_msg_maxsize,
    )
}
