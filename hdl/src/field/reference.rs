//! Software reference models of the arithmetic units, on integers.
//!
//! These state what each unit computes on its input bits, independently of arkworks; the
//! tests check the hardware against arkworks *and* these models agree with arkworks on the
//! elements arkworks can represent.

use num_bigint::BigUint;
use zkpipe_spec::field::FieldParams;

/// `a + b mod p` for a, b < p.
pub fn mod_add(f: &FieldParams, a: &BigUint, b: &BigUint) -> BigUint {
    (a + b) % &f.modulus
}

/// `a − b mod p` for a, b < p.
pub fn mod_sub(f: &FieldParams, a: &BigUint, b: &BigUint) -> BigUint {
    (a + &f.modulus - b) % &f.modulus
}

/// `a·b·R⁻¹ mod p` by the same one-shot reduction the hardware performs.
pub fn mont_mul(f: &FieldParams, a: &BigUint, b: &BigUint) -> BigUint {
    let r = f.r();
    let t = a * b;
    let m = ((&t % &r) * &f.neg_p_inv_r) % &r;
    let u = (t + m * &f.modulus) >> f.width();
    if u >= f.modulus {
        u - &f.modulus
    } else {
        u
    }
}
