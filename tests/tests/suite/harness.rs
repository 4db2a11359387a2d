//! The harness itself: it must be able to fail, and the pipeline must keep its timing.

use ark_bn254::FqConfig;
use ark_ff::Field;
use zkpipe_hdl::field::{reference, FieldId, FieldParams};
use zkpipe_hdl::generate::ArithUnit;
use zkpipe_hdl::preset::MulStyle;
use zkpipe_sim::Model;
use zkpipe_tests::field::*;

type Fq = F<FqConfig, 4>;

#[test]
fn a_wrong_reference_is_detected() {
    let name = ArithUnit::MontMul(MulStyle::Behavioural).module_name(FieldId::Bn254Fq);
    let pairs = operand_pairs::<FqConfig, 4>(200, 1);
    // a·b + 1 instead of a·b: every single result must be reported.
    let report = stream_check::<FqConfig, 4>(&name, &pairs, |a, b| *a * b + Fq::ONE).unwrap();
    assert_eq!(report.mismatches.len(), pairs.len());
    // An off-by-one-cycle reading (the previous pair's product) is also caught. Random
    // pairs only, so that each pair identifies its position.
    let edges = edge_values::<FqConfig, 4>().len();
    let pairs = &pairs[edges * edges..];
    let report = stream_check::<FqConfig, 4>(&name, &pairs[1..], |a, b| {
        let i = pairs.iter().position(|(x, y)| x == a && y == b).unwrap();
        pairs[i - 1].0 * pairs[i - 1].1
    })
    .unwrap();
    assert_eq!(report.mismatches.len(), pairs.len() - 1);
}

#[test]
fn results_appear_after_exactly_the_documented_latency() {
    // The tiled models are built with `--features tiled` (minutes of C++).
    let styles = MulStyle::ALL.into_iter().filter(|s| {
        (cfg!(feature = "tiled") || *s != MulStyle::Tiled)
            && (cfg!(feature = "karatsuba") || *s != MulStyle::Karatsuba)
    });
    for style in styles {
        // Of the karatsuba-naf models the default build has one field's.
        let field = match style {
            MulStyle::KaratsubaNaf if !cfg!(feature = "karatsuba") => {
                zkpipe_hdl::generate::DEFAULT_KARATSUBA_FIELD
            }
            _ => FieldId::Bn254Fq,
        };
        let name = ArithUnit::MontMul(style).module_name(field);
        let mut model = Model::new(&name).unwrap();
        let (pa, pb, pr) = (
            model.port("a").unwrap(),
            model.port("b").unwrap(),
            model.port("r").unwrap(),
        );
        let latency = model.desc().latency;
        model.set(model.port("enable").unwrap(), &[1]).unwrap();
        let (x, y, expected) = if field == FieldId::Bn254Fq {
            let (x, y) = (-Fq::from(7u64), Fq::from(3u64));
            (limbs_of(&x), limbs_of(&y), limbs_of(&(x * y)))
        } else {
            let (x, y) = (-ark_bn254::Fr::from(7u64), ark_bn254::Fr::from(3u64));
            (limbs_of(&x), limbs_of(&y), limbs_of(&(x * y)))
        };
        model.set(pa, &x).unwrap();
        model.set(pb, &y).unwrap();
        model.tick(1);
        model.set(pa, &[0; 4]).unwrap();
        model.set(pb, &[0; 4]).unwrap();
        let expected = expected.to_vec();
        for cycle in 1..latency {
            assert_ne!(
                model.get(pr),
                expected,
                "{name}: result early at cycle {cycle}"
            );
            model.tick(1);
        }
        assert_eq!(
            model.get(pr),
            expected,
            "{name}: result not there at cycle {latency}"
        );
        model.tick(1);
        assert_eq!(
            model.get(pr),
            vec![0; 4],
            "{name}: pipeline did not move on"
        );
    }
}

#[test]
fn integer_reference_models_agree_with_arkworks() {
    let params = FieldId::Bn254Fq.params();
    for (a, b) in operand_pairs::<FqConfig, 4>(2_000, 7) {
        let (ai, bi) = (
            FieldParams::limbs_to_biguint(&limbs_of(&a)),
            FieldParams::limbs_to_biguint(&limbs_of(&b)),
        );
        let check = |got: num_bigint::BigUint, want: Fq| {
            assert_eq!(params.biguint_to_limbs(&got), limbs_of(&want).to_vec());
        };
        check(reference::mod_add(&params, &ai, &bi), a + b);
        check(reference::mod_sub(&params, &ai, &bi), a - b);
        check(reference::mont_mul(&params, &ai, &bi), a * b);
    }
}

#[test]
fn bad_port_use_is_a_typed_error() {
    let name = ArithUnit::ModAdd.module_name(FieldId::Bn254Fr);
    let mut model = Model::new(&name).unwrap();
    assert!(model.port("nope").is_err());
    let r = model.port("r").unwrap();
    assert!(model.set(r, &[1]).is_err(), "outputs cannot be driven");
    let a = model.port("a").unwrap();
    assert!(
        model.set(a, &[0, 0, 0, 0, 1]).is_err(),
        "a fifth limb does not fit 256 bits"
    );
    assert!(Model::new("no_such_model").is_err());
}

#[test]
fn a_low_enable_holds_every_unit() {
    // The tiled and karatsuba MontMuls are built with `--features tiled` / `karatsuba`
    // (minutes of C++); BN254 Fr's karatsuba-naf one is in the default build.
    let units = ArithUnit::ALL.into_iter().filter(|u| {
        (cfg!(feature = "tiled") || *u != ArithUnit::MontMul(MulStyle::Tiled))
            && (cfg!(feature = "karatsuba") || *u != ArithUnit::MontMul(MulStyle::Karatsuba))
    });
    for unit in units {
        let name = unit.module_name(FieldId::Bn254Fr);
        let pairs = operand_pairs::<ark_bn254::FrConfig, 4>(300, 3);
        let report = stream_check_with_stalls::<ark_bn254::FrConfig, 4>(
            &name,
            &pairs,
            ark_reference::<ark_bn254::FrConfig, 4>(unit),
            0.3,
            9,
        )
        .unwrap();
        assert_eq!(report.checked, pairs.len());
        assert_clean(&name, &report);
    }
}
