//! circom's witness file (`.wtns`, version 2): section 1 = (n8, q, count), section 2 =
//! `count` field elements of n8 bytes, standard form, little-endian. The witness is the
//! full assignment z = (1, public signals…, private signals…) in the circuit's wire order.

use super::binfile::BinFile;
use super::curve::{fr_from_le, modulus_le};
use super::{FileKind, FormatError};
use ark_ff::PrimeField;
use std::path::Path;

/// Reads a witness over the field `F` (its `q` must be F's modulus).
pub fn read_wtns<F: PrimeField>(bytes: &[u8]) -> Result<Vec<F>, FormatError> {
    let file = BinFile::parse(FileKind::Wtns, b"wtns", &[2], bytes)?;
    let mut header = file.section(1)?;
    let n8 = header.u32()? as usize;
    let modulus = modulus_le::<F>();
    if n8 != modulus.len() {
        return Err(header.error(format!(
            "elements of {n8} bytes; this field's are {} bytes (a witness for another curve?)",
            modulus.len()
        )));
    }
    let at = header.offset();
    if header.bytes(n8)? != modulus.as_slice() {
        return Err(header.error_at(
            at as usize,
            "the field modulus is not the curve's scalar field (a witness for another curve?)"
                .into(),
        ));
    }
    let count = header.u32()? as usize;
    header.expect_end()?;
    let mut values = file.section(2)?;
    let base = values.offset();
    let raw = values.records(count, n8)?;
    raw.chunks_exact(n8)
        .enumerate()
        .map(|(i, b)| {
            fr_from_le::<F>(b).ok_or_else(|| {
                values.error_at(
                    base as usize + i * n8,
                    format!("witness value {i} is not below the field modulus"),
                )
            })
        })
        .collect()
}

/// Reads a witness file (memory-mapped).
pub fn open_wtns<F: PrimeField>(path: &Path) -> crate::Result<Vec<F>> {
    let map = super::map_file(path)?;
    Ok(read_wtns(&map)?)
}
