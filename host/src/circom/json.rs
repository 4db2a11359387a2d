//! snarkjs's JSON: proofs (`pi_a`, `pi_b`, `pi_c`, `protocol`, `curve`), public signals
//! (decimal strings) and verification keys (`vk_alpha_1`, `vk_beta_2`, `vk_gamma_2`,
//! `vk_delta_2`, `IC`). Points are affine with a third coordinate: G1 `[x, y, "1"]`, G2
//! `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`; infinity has z = 0. Parsed points must be
//! on the curve and in the prime-order subgroup.

use super::curve::CircomCurve;
use super::{FileKind, FormatError};
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, Field, PrimeField, Zero};
use ark_groth16::{Proof, VerifyingKey};
use num_bigint::BigUint;
use serde_json::{json, Value};

/// A proof in snarkjs's format (pretty-printed as snarkjs writes it).
pub fn proof_to_json<E: CircomCurve>(proof: &Proof<E>) -> String {
    let v = json!({
        "pi_a": point_json(&proof.a),
        "pi_b": point_json(&proof.b),
        "pi_c": point_json(&proof.c),
        "protocol": "groth16",
        "curve": E::NAME,
    });
    serde_json::to_string_pretty(&v).expect("JSON values serialise")
}

/// Public signals as snarkjs writes them: an array of decimal strings.
pub fn public_to_json<F: PrimeField>(signals: &[F]) -> String {
    let v = Value::Array(signals.iter().map(|s| Value::String(decimal(*s))).collect());
    serde_json::to_string_pretty(&v).expect("JSON values serialise")
}

/// Reads a snarkjs proof for curve `E`.
pub fn proof_from_json<E: CircomCurve>(text: &str) -> Result<Proof<E>, FormatError> {
    let kind = FileKind::ProofJson;
    let v = parse(kind, text)?;
    check_header::<E>(kind, &v)?;
    Ok(Proof {
        a: point(kind, &v, "pi_a")?,
        b: point(kind, &v, "pi_b")?,
        c: point(kind, &v, "pi_c")?,
    })
}

/// Reads public signals (decimal strings below the scalar field's modulus).
pub fn public_from_json<F: PrimeField>(text: &str) -> Result<Vec<F>, FormatError> {
    let kind = FileKind::PublicJson;
    let v = parse(kind, text)?;
    let items = v
        .as_array()
        .ok_or_else(|| FormatError::json(kind, "expected an array of decimal strings"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, s)| {
            field::<F>(s).map_err(|e| FormatError::json(kind, format!("signal {i}: {e}")))
        })
        .collect()
}

/// Reads a snarkjs verification key for curve `E`.
pub fn verifying_key_from_json<E: CircomCurve>(text: &str) -> Result<VerifyingKey<E>, FormatError> {
    let kind = FileKind::VerificationKeyJson;
    let v = parse(kind, text)?;
    check_header::<E>(kind, &v)?;
    let ic = v
        .get("IC")
        .and_then(Value::as_array)
        .ok_or_else(|| FormatError::json(kind, "`IC` is missing or not an array"))?;
    let gamma_abc_g1 = ic
        .iter()
        .enumerate()
        .map(|(i, p)| point_value(p).map_err(|e| FormatError::json(kind, format!("IC[{i}]: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(n) = v.get("nPublic").and_then(Value::as_u64) {
        if n as usize + 1 != gamma_abc_g1.len() {
            return Err(FormatError::json(
                kind,
                format!("nPublic is {n} but IC has {} points", gamma_abc_g1.len()),
            ));
        }
    }
    Ok(VerifyingKey {
        alpha_g1: point(kind, &v, "vk_alpha_1")?,
        beta_g2: point(kind, &v, "vk_beta_2")?,
        gamma_g2: point(kind, &v, "vk_gamma_2")?,
        delta_g2: point(kind, &v, "vk_delta_2")?,
        gamma_abc_g1,
    })
}

/// The `curve` field of a snarkjs JSON document (`"bn128"`, `"bls12381"`).
pub fn curve_of(kind: FileKind, text: &str) -> Result<String, FormatError> {
    parse(kind, text)?
        .get("curve")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| FormatError::json(kind, "no `curve` field"))
}

fn parse(kind: FileKind, text: &str) -> Result<Value, FormatError> {
    serde_json::from_str(text).map_err(|e| FormatError::json(kind, format!("not JSON: {e}")))
}

fn check_header<E: CircomCurve>(kind: FileKind, v: &Value) -> Result<(), FormatError> {
    match v.get("protocol").and_then(Value::as_str) {
        Some("groth16") | None => {}
        Some(p) => {
            return Err(FormatError::json(
                kind,
                format!("protocol `{p}`; zkpipe verifies groth16"),
            ))
        }
    }
    match v.get("curve").and_then(Value::as_str) {
        Some(c) if c != E::NAME => Err(FormatError::json(
            kind,
            format!("curve `{c}`, expected `{}`", E::NAME),
        )),
        _ => Ok(()),
    }
}

fn point<C: SWCurveConfig>(kind: FileKind, v: &Value, key: &str) -> Result<Affine<C>, FormatError> {
    let p = v
        .get(key)
        .ok_or_else(|| FormatError::json(kind, format!("`{key}` is missing")))?;
    point_value(p).map_err(|e| FormatError::json(kind, format!("{key}: {e}")))
}

/// A point from `[x, y, z]` with z = 1 (affine) or z = 0 (infinity).
fn point_value<C: SWCurveConfig>(v: &Value) -> Result<Affine<C>, String> {
    let coords = v
        .as_array()
        .filter(|a| a.len() == 3)
        .ok_or("expected [x, y, z]")?;
    let x: C::BaseField = element(&coords[0])?;
    let y: C::BaseField = element(&coords[1])?;
    let z: C::BaseField = element(&coords[2])?;
    if z.is_zero() {
        return Ok(Affine::identity());
    }
    if z != C::BaseField::ONE {
        return Err("z must be 1 (affine) or 0 (infinity)".into());
    }
    let p = Affine::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err("the point is not on the curve".into());
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err("the point is not in the prime-order subgroup".into());
    }
    Ok(p)
}

/// A base-field or extension element: a decimal string, or an array of them (c0, c1…).
fn element<F: Field>(v: &Value) -> Result<F, String> {
    let parts: Vec<&Value> = match v {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    if parts.len() != F::extension_degree() as usize {
        return Err(format!(
            "expected {} coordinate component(s), found {}",
            F::extension_degree(),
            parts.len()
        ));
    }
    let elems = parts
        .into_iter()
        .map(field::<F::BasePrimeField>)
        .collect::<Result<Vec<_>, _>>()?;
    F::from_base_prime_field_elems(elems).ok_or_else(|| "bad field element".into())
}

/// A prime-field element from a decimal string below the modulus.
fn field<F: PrimeField>(v: &Value) -> Result<F, String> {
    let s = v.as_str().ok_or("expected a decimal string")?;
    let n: BigUint = s
        .parse()
        .map_err(|_| format!("`{s}` is not a decimal number"))?;
    if n >= F::MODULUS.into() {
        return Err(format!("`{s}` is not below the field modulus"));
    }
    F::BigInt::try_from(n)
        .ok()
        .and_then(F::from_bigint)
        .ok_or_else(|| format!("`{s}` is not below the field modulus"))
}

fn decimal<F: PrimeField>(x: F) -> String {
    x.into_bigint().to_string()
}

fn element_json<F: Field>(x: &F) -> Value {
    let parts: Vec<Value> = x
        .to_base_prime_field_elements()
        .map(|e| Value::String(decimal(e)))
        .collect();
    if parts.len() == 1 {
        parts.into_iter().next().unwrap()
    } else {
        Value::Array(parts)
    }
}

fn point_json<C: SWCurveConfig>(p: &Affine<C>) -> Value {
    let (x, y, z) = match p.xy() {
        Some((x, y)) => (x, y, C::BaseField::ONE),
        None => (C::BaseField::ZERO, C::BaseField::ONE, C::BaseField::ZERO),
    };
    Value::Array(vec![element_json(&x), element_json(&y), element_json(&z)])
}
