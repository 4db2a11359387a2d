//! snarkjs's Groth16 proving key (`.zkey`, version 1). Sections:
//!
//! | id | content |
//! |----|---------|
//! | 1  | protocol (u32; 1 = Groth16) |
//! | 2  | n8q, q, n8r, r, nVars, nPublic, domainSize, α₁, β₁, β₂, γ₂, δ₁, δ₂ |
//! | 3  | IC: nPublic + 1 G1 points (the verifying key's γ-ABC) |
//! | 4  | coefficients: count, then (matrix 0 = A / 1 = B, row, signal, value) |
//! | 5, 6, 7 | A, B in G1, B in G2: nVars points each |
//! | 8  | C: nVars − nPublic − 1 G1 points (ark-groth16's `l_query`) |
//! | 9  | H: domainSize G1 points, for evaluations on the odd powers of ω₂ₙ |
//! | 10 | the ceremony's contributions (not read) |
//!
//! Points are (x, y) in Montgomery form, little-endian, n8q bytes per coordinate (G2:
//! x.c0, x.c1, y.c0, y.c1); all-zero bytes are the point at infinity. This is ark-ff's
//! in-memory limb order, so each coordinate is copied, not converted; the points are then
//! checked (on the curve, in the prime-order subgroup) once, in parallel, at load, and
//! held as ark-ec affine points — ark's `Affine` carries an infinity flag (72 bytes in
//! G1 on BN254 against the file's 64), so the sections cannot be used in place.
//! Coefficient values are stored as c·R² mod r (snarkjs multiplies them into a witness
//! in standard form with a Montgomery product); they are read back to c.

use super::binfile::{BinFile, Reader};
use super::curve::{fr_from_le, modulus_le, n8q, CircomCurve};
use super::{FileKind, FormatError};
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ec::CurveConfig;
use ark_ff::PrimeField;
use ark_groth16::{ProvingKey, VerifyingKey};
use rayon::prelude::*;
use std::path::Path;

/// The sizes a key was made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZkeyHeader {
    /// Wires of the circuit, the constant 1 included (the witness length).
    pub n_vars: usize,
    /// Public signals (outputs, then public inputs), the constant 1 excluded.
    pub n_public: usize,
    /// The QAP domain: a power of two ≥ constraints + public signals + 1.
    pub domain_size: usize,
}

/// The A and B matrices of the QAP, row by row (rows are constraints, then one row per
/// public signal and the constant, which snarkjs appends to A). snarkjs has no C matrix:
/// its reduction takes C·z as (A·z)∘(B·z) on every row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Coefficients<F> {
    /// A: for each row, (coefficient, signal) pairs.
    pub a: Vec<Vec<(F, usize)>>,
    /// B: for each row, (coefficient, signal) pairs.
    pub b: Vec<Vec<(F, usize)>>,
}

/// A loaded `.zkey`: its sizes, the proving key in ark-groth16's form, and the matrices.
#[derive(Clone, Debug)]
pub struct Zkey<E: CircomCurve> {
    /// Sizes.
    pub header: ZkeyHeader,
    /// The key: `a_query` = A, `b_g1_query` = B₁, `b_g2_query` = B₂, `l_query` = C,
    /// `h_query` = H (for snarkjs's reduction, not ark-groth16's), `vk.gamma_abc_g1` = IC.
    pub pk: ProvingKey<E>,
    /// The A and B matrices.
    pub coefficients: Coefficients<E::ScalarField>,
}

impl<E: CircomCurve> Zkey<E> {
    /// Reads and checks a key from memory.
    pub fn from_bytes(bytes: &[u8]) -> Result<Zkey<E>, FormatError> {
        let file = BinFile::parse(FileKind::Zkey, b"zkey", &[1], bytes)?;
        let mut protocol = file.section(1)?;
        match protocol.u32()? {
            1 => {}
            2 => return Err(protocol.error("a PLONK key; zkpipe proves Groth16 keys".into())),
            10 => return Err(protocol.error("an FFLONK key; zkpipe proves Groth16 keys".into())),
            p => return Err(protocol.error(format!("unknown protocol {p} (1 is Groth16)"))),
        }
        let mut h = file.section(2)?;
        expect_modulus::<E::BaseField>(&mut h, "base field q", E::NAME)?;
        expect_modulus::<E::ScalarField>(&mut h, "scalar field r", E::NAME)?;
        let n_vars = h.u32()? as usize;
        let n_public = h.u32()? as usize;
        let domain_size = h.u32()? as usize;
        if n_vars == 0 || n_public >= n_vars {
            return Err(h.error(format!(
                "{n_public} public signals of {n_vars} variables: impossible sizes"
            )));
        }
        if !domain_size.is_power_of_two() || domain_size <= n_public {
            return Err(h.error(format!(
                "domain size {domain_size} is not a power of two above the public signals"
            )));
        }
        let two_adicity = <E::ScalarField as ark_ff::FftField>::TWO_ADICITY;
        if domain_size.trailing_zeros() >= two_adicity {
            return Err(h.error(format!(
                "domain size {domain_size} needs a 2n-th root of unity this field lacks (2-adicity {two_adicity})"
            )));
        }
        let alpha_g1 = g1::<E>(&mut h)?;
        let beta_g1 = g1::<E>(&mut h)?;
        let beta_g2 = g2::<E>(&mut h)?;
        let gamma_g2 = g2::<E>(&mut h)?;
        let delta_g1 = g1::<E>(&mut h)?;
        let delta_g2 = g2::<E>(&mut h)?;
        h.expect_end()?;
        let header = ZkeyHeader {
            n_vars,
            n_public,
            domain_size,
        };
        let gamma_abc_g1 = g1_section::<E>(&file, 3, n_public + 1)?;
        let coefficients = read_coefficients::<E::ScalarField>(&file, &header)?;
        let a_query = g1_section::<E>(&file, 5, n_vars)?;
        let b_g1_query = g1_section::<E>(&file, 6, n_vars)?;
        let b_g2_query = points_section::<E::G2Config>(&file, 7, n_vars, E::fq2_from_mont)?;
        let l_query = g1_section::<E>(&file, 8, n_vars - n_public - 1)?;
        let h_query = g1_section::<E>(&file, 9, domain_size)?;
        let pk = ProvingKey {
            vk: VerifyingKey {
                alpha_g1,
                beta_g2,
                gamma_g2,
                delta_g2,
                gamma_abc_g1,
            },
            beta_g1,
            delta_g1,
            a_query,
            b_g1_query,
            b_g2_query,
            h_query,
            l_query,
        };
        Ok(Zkey {
            header,
            pk,
            coefficients,
        })
    }

    /// Reads and checks a key file (memory-mapped while it is read).
    pub fn open(path: &Path) -> crate::Result<Zkey<E>> {
        let map = super::map_file(path)?;
        Ok(Self::from_bytes(&map)?)
    }
}

/// The curve a key is for (`"bn128"` or `"bls12381"`), from its header's base field; an
/// error when the file is not a zkey of a supported curve.
pub fn zkey_curve(bytes: &[u8]) -> Result<&'static str, FormatError> {
    peek_zkey(bytes).map(|(curve, _)| curve)
}

/// The curve and the sizes a key declares, from its header alone: no point is read or
/// checked (that is [`Zkey::from_bytes`]'s work), so this is cheap on any key.
pub fn peek_zkey(bytes: &[u8]) -> Result<(&'static str, ZkeyHeader), FormatError> {
    let file = BinFile::parse(FileKind::Zkey, b"zkey", &[1], bytes)?;
    let mut h = file.section(2)?;
    let n8q = h.u32()? as usize;
    let q = h.bytes(n8q)?;
    let curve = if q == modulus_le::<ark_bn254::Fq>() {
        <ark_bn254::Bn254 as CircomCurve>::NAME
    } else if q == modulus_le::<ark_bls12_381::Fq>() {
        <ark_bls12_381::Bls12_381 as CircomCurve>::NAME
    } else {
        return Err(h.error_at(
            h.offset() as usize - n8q,
            "the base field is neither BN254's nor BLS12-381's".into(),
        ));
    };
    let n8r = h.u32()? as usize;
    h.bytes(n8r)?;
    let header = ZkeyHeader {
        n_vars: h.u32()? as usize,
        n_public: h.u32()? as usize,
        domain_size: h.u32()? as usize,
    };
    Ok((curve, header))
}

fn expect_modulus<F: PrimeField>(
    r: &mut Reader<'_>,
    what: &str,
    curve: &str,
) -> Result<(), FormatError> {
    let at = r.offset() as usize;
    let n8 = r.u32()? as usize;
    let modulus = modulus_le::<F>();
    if n8 != modulus.len() || r.bytes(n8)? != modulus.as_slice() {
        return Err(r.error_at(
            at,
            format!("the {what} is not {curve}'s: a key for another curve"),
        ));
    }
    Ok(())
}

fn g1<E: CircomCurve>(r: &mut Reader<'_>) -> Result<E::G1Affine, FormatError> {
    let at = r.offset() as usize;
    let bytes = r.bytes(2 * n8q::<E>())?;
    decode_point::<E::G1Config>(bytes, E::fq_from_mont)
        .map_err(|problem| r.error_at(at, format!("point {problem}")))
}

fn g2<E: CircomCurve>(r: &mut Reader<'_>) -> Result<E::G2Affine, FormatError> {
    let at = r.offset() as usize;
    let bytes = r.bytes(4 * n8q::<E>())?;
    decode_point::<E::G2Config>(bytes, E::fq2_from_mont)
        .map_err(|problem| r.error_at(at, format!("point {problem}")))
}

fn g1_section<E: CircomCurve>(
    file: &BinFile<'_>,
    id: u32,
    count: usize,
) -> Result<Vec<E::G1Affine>, FormatError> {
    points_section::<E::G1Config>(file, id, count, E::fq_from_mont)
}

/// `count` points of section `id`, decoded and checked in parallel.
fn points_section<C: SWCurveConfig>(
    file: &BinFile<'_>,
    id: u32,
    count: usize,
    coord: fn(&[u8]) -> Option<C::BaseField>,
) -> Result<Vec<Affine<C>>, FormatError> {
    let mut r = file.section(id)?;
    let size = 2 * coordinate_bytes::<C>();
    let base = r.offset() as usize;
    let raw = r.records(count, size)?;
    raw.par_chunks_exact(size)
        .enumerate()
        .map(|(i, bytes)| {
            decode_point::<C>(bytes, coord)
                .map_err(|problem| r.error_at(base + i * size, format!("point {i} {problem}")))
        })
        .collect()
}

fn coordinate_bytes<C: CurveConfig>() -> usize {
    use ark_ff::Field;
    let base_bytes = <<C::BaseField as Field>::BasePrimeField as PrimeField>::MODULUS
        .as_ref()
        .len()
        * 8;
    base_bytes * C::BaseField::extension_degree() as usize
}

/// One point: all zeros is infinity; otherwise coordinates below q, on the curve, in the
/// prime-order subgroup.
fn decode_point<C: SWCurveConfig>(
    bytes: &[u8],
    coord: fn(&[u8]) -> Option<C::BaseField>,
) -> Result<Affine<C>, &'static str> {
    if bytes.iter().all(|&b| b == 0) {
        return Ok(Affine::identity());
    }
    let (x, y) = bytes.split_at(bytes.len() / 2);
    let (Some(x), Some(y)) = (coord(x), coord(y)) else {
        return Err("has a coordinate not below the base field modulus");
    };
    let p = Affine::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err("is not on the curve");
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err("is not in the prime-order subgroup");
    }
    Ok(p)
}

fn read_coefficients<F: PrimeField>(
    file: &BinFile<'_>,
    header: &ZkeyHeader,
) -> Result<Coefficients<F>, FormatError> {
    let mut r = file.section(4)?;
    let count = r.u32()? as usize;
    let n8 = modulus_le::<F>().len();
    let size = 12 + n8;
    let base = r.offset() as usize;
    let raw = r.records(count, size)?;
    // c·R² → c: multiply by R⁻², R = 2^(8·n8).
    let r_inv2 = F::from(2u64)
        .pow([8 * n8 as u64])
        .square()
        .inverse()
        .expect("R is invertible");
    let mut out = Coefficients {
        a: vec![Vec::new(); header.domain_size],
        b: vec![Vec::new(); header.domain_size],
    };
    for (i, rec) in raw.chunks_exact(size).enumerate() {
        let word = |k: usize| u32::from_le_bytes(rec[4 * k..4 * k + 4].try_into().unwrap());
        let (matrix, row, signal) = (word(0), word(1) as usize, word(2) as usize);
        let at = base + i * size;
        let bad = |problem: String| r.error_at(at, format!("coefficient {i}: {problem}"));
        let rows = match matrix {
            0 => &mut out.a,
            1 => &mut out.b,
            m => return Err(bad(format!("matrix {m} (0 = A, 1 = B)"))),
        };
        if row >= header.domain_size || signal >= header.n_vars {
            return Err(bad(format!(
                "row {row} / signal {signal} beyond the domain ({}) or the variables ({})",
                header.domain_size, header.n_vars
            )));
        }
        let value = fr_from_le::<F>(&rec[12..])
            .ok_or_else(|| bad("value not below the scalar field modulus".into()))?;
        rows[row].push((value * r_inv2, signal));
    }
    Ok(out)
}
