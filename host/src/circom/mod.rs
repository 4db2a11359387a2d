//! circom / snarkjs interoperability: read snarkjs's Groth16 proving keys (`.zkey`) and
//! circom's witnesses (`.wtns`), prove with snarkjs's QAP reduction on any [`Backend`],
//! and read and write snarkjs's JSON (proof, public signals, verification key), so a
//! proof made here verifies with `snarkjs groth16 verify` and a rapidsnark user can swap
//! in zkpipe.
//!
//! * [`Zkey`]: a memory-mapped `.zkey`, checked and converted once into an
//!   `ark_groth16::ProvingKey` plus the A and B coefficient matrices;
//! * [`read_wtns`]: a `.wtns` into scalars;
//! * [`CircomProver`]: the warm prover — load a key once, then [`CircomProver::prove`]
//!   witness after witness, or [`CircomProver::prove_batch`] across several backends;
//! * [`json`]: snarkjs's JSON formats.
//!
//! Every reader returns a [`FormatError`] naming the file kind, the section and the byte
//! offset of what is wrong; no byte string makes them panic (property-tested over mutated
//! fixtures).
//!
//! [`Backend`]: crate::backend::Backend

mod binfile;
mod curve;
pub mod json;
mod prover;
mod wtns;
mod zkey;

pub use curve::CircomCurve;
pub use prover::{CircomProof, CircomProver};
pub use wtns::{open_wtns, read_wtns};
pub use zkey::{peek_zkey, zkey_curve, Coefficients, Zkey, ZkeyHeader};

use std::fmt;

/// Which kind of file a [`FormatError`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A snarkjs proving key (`.zkey`).
    Zkey,
    /// A circom witness (`.wtns`).
    Wtns,
    /// A snarkjs proof (`proof.json`).
    ProofJson,
    /// snarkjs public signals (`public.json`).
    PublicJson,
    /// A snarkjs verification key (`verification_key.json`).
    VerificationKeyJson,
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Zkey => "zkey",
            FileKind::Wtns => "wtns",
            FileKind::ProofJson => "proof JSON",
            FileKind::PublicJson => "public signals JSON",
            FileKind::VerificationKeyJson => "verification key JSON",
        })
    }
}

/// A malformed input file: what is wrong and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct FormatError {
    /// The kind of file.
    pub file: FileKind,
    /// The section (binary files) the problem is in, if any.
    pub section: Option<u32>,
    /// Byte offset in the file (binary files) or index in the JSON value.
    pub offset: u64,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.file, self.section) {
            (FileKind::Zkey | FileKind::Wtns, Some(s)) => write!(
                f,
                "{}: {} (section {s}, byte offset {})",
                self.file, self.problem, self.offset
            ),
            (FileKind::Zkey | FileKind::Wtns, None) => {
                write!(
                    f,
                    "{}: {} (byte offset {})",
                    self.file, self.problem, self.offset
                )
            }
            _ => write!(f, "{}: {}", self.file, self.problem),
        }
    }
}

impl FormatError {
    pub(crate) fn json(file: FileKind, problem: impl Into<String>) -> FormatError {
        FormatError {
            file,
            section: None,
            offset: 0,
            problem: problem.into(),
        }
    }
}

/// Maps a file read-only (the file must not change while mapped: snarkjs and circom
/// write new files rather than rewrite them).
pub(crate) fn map_file(path: &std::path::Path) -> crate::Result<memmap2::Mmap> {
    let io = |source| crate::Error::Io {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    // SAFETY: read-only mapping; see the note above on concurrent modification.
    unsafe { memmap2::Mmap::map(&file) }.map_err(io)
}

#[cfg(test)]
mod tests;
