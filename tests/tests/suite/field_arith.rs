//! Every arithmetic unit over every field, both multiplier styles, under Verilator,
//! against ark-ff: all edge pairs plus 10,000 random pairs streamed one pair per clock.
//! The tiled MontMuls need the `tiled` feature (their models take minutes of C++):
//! `cargo test -p zkpipe-tests --features tiled --test suite field_arith::`. Of the `karatsuba`
//! MontMuls the default build has BN254 Fr's; `--features karatsuba` adds the others.

use ark_ff::fields::models::fp::MontConfig;
use zkpipe_hdl::field::FieldId;
use zkpipe_hdl::generate::{ArithUnit, DEFAULT_KARATSUBA_FIELD};
use zkpipe_hdl::preset::MulStyle;
use zkpipe_tests::field::*;

const RANDOM_PAIRS: usize = 10_000;

fn check<C: MontConfig<N>, const N: usize>(field: FieldId, unit: ArithUnit) {
    assert_eq!(field.limbs(), N);
    let name = unit.module_name(field);
    let pairs = operand_pairs::<C, N>(RANDOM_PAIRS, 0x5eed ^ name.len() as u64);
    let report = stream_check::<C, N>(&name, &pairs, ark_reference::<C, N>(unit)).unwrap();
    assert_eq!(
        report.checked,
        pairs.len(),
        "{name}: not every pair produced a result"
    );
    assert_clean(&name, &report);
}

macro_rules! field_tests {
    ($module:ident, $field:expr, $config:ty, $limbs:literal) => {
        mod $module {
            use super::*;
            #[test]
            fn mod_add() {
                check::<$config, $limbs>($field, ArithUnit::ModAdd);
            }
            #[test]
            fn mod_sub() {
                check::<$config, $limbs>($field, ArithUnit::ModSub);
            }
            #[test]
            fn mont_mul_behavioural() {
                check::<$config, $limbs>($field, ArithUnit::MontMul(MulStyle::Behavioural));
            }
            #[test]
            #[cfg_attr(
                not(feature = "tiled"),
                ignore = "tiled models build with `--features tiled` (minutes of C++)"
            )]
            fn mont_mul_tiled() {
                check::<$config, $limbs>($field, ArithUnit::MontMul(MulStyle::Tiled));
            }
            #[test]
            #[cfg_attr(
                not(feature = "karatsuba"),
                ignore = "karatsuba models build with `--features karatsuba` (minutes of C++)"
            )]
            fn mont_mul_karatsuba() {
                check::<$config, $limbs>($field, ArithUnit::MontMul(MulStyle::Karatsuba));
            }
            #[test]
            fn mont_mul_karatsuba_naf() {
                // BN254 Fr's model is in the default build; the others need the feature.
                if $field != DEFAULT_KARATSUBA_FIELD && !cfg!(feature = "karatsuba") {
                    eprintln!("skipped: build with `--features karatsuba` (minutes of C++)");
                    return;
                }
                check::<$config, $limbs>($field, ArithUnit::MontMul(MulStyle::KaratsubaNaf));
            }
        }
    };
}

field_tests!(bn254_fr, FieldId::Bn254Fr, ark_bn254::FrConfig, 4);
field_tests!(bn254_fq, FieldId::Bn254Fq, ark_bn254::FqConfig, 4);
field_tests!(
    bls12_381_fr,
    FieldId::Bls12_381Fr,
    ark_bls12_381::FrConfig,
    4
);
field_tests!(
    bls12_381_fq,
    FieldId::Bls12_381Fq,
    ark_bls12_381::FqConfig,
    6
);
