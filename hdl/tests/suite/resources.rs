//! Resource reports: every real-card preset fits its part, an oversized one is refused,
//! and the generator's DSP count agrees with yosys.

use zkpipe_hdl::generate::{arith_unit, ArithUnit};
use zkpipe_hdl::preset::{MulStyle, Preset, PRESETS};
use zkpipe_hdl::resources::{count, ResourceReport};
use zkpipe_hdl::synth::{check_preset, SynthError};
use zkpipe_spec::field::FieldId;

/// `check_preset` of a listed preset, computed once per test binary: each writes the
/// preset's whole Verilog (seconds), and three tests read the real-card presets' reports.
fn checked(preset: &'static Preset) -> &'static ResourceReport {
    static REPORTS: std::sync::LazyLock<Vec<std::sync::OnceLock<ResourceReport>>> =
        std::sync::LazyLock::new(|| PRESETS.iter().map(|_| std::sync::OnceLock::new()).collect());
    let i = PRESETS
        .iter()
        .position(|p| p.name == preset.name)
        .expect("a listed preset");
    REPORTS[i]
        .get_or_init(|| check_preset(preset).unwrap_or_else(|e| panic!("{}: {e}", preset.name)))
}

/// Every real-card preset fits under 80 % of its part's DSPs and RAM, and of its LUTs and
/// FFs as far as yosys measured them: every MontMul and point adder's logic of every
/// real-card preset has a recorded measurement of its current Verilog
/// (hdl/yosys-measured.json; a generator change that alters one needs a new `synth --yosys`).
#[test]
fn every_real_card_preset_fits_its_part() {
    for preset in PRESETS.iter().filter(|p| p.part.is_some()) {
        let report = checked(preset);
        let limit = report.limit.expect("a real-card preset has a part");
        for m in &report.modules {
            if m.name.contains("_mont_mul_") || m.name.starts_with("point_add_") {
                assert!(m.lut.is_some(), "{}: {} not measured", preset.name, m.name);
            }
        }
        let (lut, ff) = (report.used.lut.unwrap(), report.used.ff.unwrap());
        assert!(lut <= limit.lut, "{}: {lut} LUTs", preset.name);
        assert!(ff <= limit.ff, "{}: {ff} FFs", preset.name);
        assert!(report.used.dsp <= limit.dsp, "{}", preset.name);
        assert!(report.used.uram_bits <= limit.uram_bits, "{}", preset.name);
        assert!(
            report.used.dsp > 0 && report.used.uram_bits > 0,
            "{}",
            preset.name
        );
        assert!(
            report.max_msm_adders.unwrap() >= preset.msm_adders as u64,
            "{}",
            preset.name
        );
    }
}

/// Issues 13 and 15: the U250 BN254 board holds its NTT path (a 2^10 core), two G1 adders
/// and a G2 adder sharing 11 MontMuls over its issue interval of 4, under 80 % of the
/// part's DSPs, LUTs (the MontMuls and adders measured by yosys, recorded in
/// hdl/yosys-measured.json) and RAM.
#[test]
fn u250_bn254_holds_the_ntt_path_two_g1_adders_and_a_g2_adder() {
    let preset = Preset::by_name("u250-bn254").unwrap();
    assert!(preset.msm_adders >= 2 && preset.msm_g2_adders >= 1);
    let report = checked(preset);
    let g2 = report
        .modules
        .iter()
        .find(|m| m.name.ends_with("_mont_mul_karatsuba_naf_g2"))
        .expect("the G2 adder's MontMuls are listed apart");
    assert_eq!(g2.instances, 42u64.div_ceil(preset.msm_g2_interval as u64));
    let g1 = report
        .modules
        .iter()
        .find(|m| m.name == "bn254_fq_mont_mul_karatsuba_naf")
        .unwrap();
    assert_eq!(
        g1.instances,
        12 * preset.msm_adders as u64,
        "full G1 adders"
    );
    let limit = report.limit.unwrap();
    let lut = report.used.lut.expect("the MontMuls' LUTs are recorded");
    assert!(lut <= limit.lut, "{lut} LUTs > {}", limit.lut);
    assert!(report.used.dsp <= limit.dsp);
    assert!(report.used.bram_bits <= limit.bram_bits && report.used.uram_bits <= limit.uram_bits);
    for m in &report.modules {
        if m.name.contains("_mont_mul_") {
            assert!(m.lut.is_some(), "{} not measured", m.name);
        }
    }
}

#[test]
fn a_preset_over_its_part_is_refused_with_what_is_over() {
    let u55c = Preset::by_name("u55c-bn254").unwrap();
    // A 2^10 NTT path on the U55C: 15 + 24 MontMuls of ~195 DSPs > 80 % of 9,024.
    let big = Preset {
        name: "u55c-bn254-big-ntt",
        ntt_log_size: 10,
        ..u55c.clone()
    };
    match check_preset(&big) {
        Err(SynthError::DoesNotFit(e)) => {
            assert_eq!(e.over[0].0, "dsp");
            let msg = e.to_string();
            assert!(
                msg.contains("does not fit xcu55c") && msg.contains("dsp"),
                "{msg}"
            );
        }
        other => panic!("expected DoesNotFit, got {other:?}"),
    }
    for adders in [0, u55c.msm().windows + 1] {
        let impossible = Preset {
            msm_adders: adders,
            ..u55c.clone()
        };
        assert!(matches!(
            check_preset(&impossible),
            Err(SynthError::Unsupported(_))
        ));
    }
}

#[test]
fn marker_counts_equal_the_generators_dsp_accounting() {
    for f in FieldId::ALL {
        for style in [MulStyle::Tiled, MulStyle::Karatsuba, MulStyle::KaratsubaNaf] {
            let m = arith_unit(f, ArithUnit::MontMul(style));
            assert_eq!(count(&m.verilog).dsp, m.tiles as u64, "{}", m.name);
        }
    }
}

/// The recorded yosys runs (hdl/yosys-measured.json, `synth --yosys`) saw as many DSP48E2
/// as the generator counts, for every module measured on its current Verilog.
#[test]
fn recorded_yosys_dsp_counts_equal_the_generators() {
    let cache = zkpipe_hdl::yosys::committed();
    let mut checked = 0;
    for (f, style) in FieldId::ALL
        .into_iter()
        .flat_map(|f| [(f, MulStyle::Karatsuba), (f, MulStyle::KaratsubaNaf)])
    {
        let m = arith_unit(f, ArithUnit::MontMul(style));
        if let Some(y) = zkpipe_hdl::yosys::lookup(&cache, &m.name, &m.verilog) {
            assert_eq!(y.dsp, count(&m.verilog).dsp, "{}", m.name);
            assert!(
                y.longest_path_cells <= 42,
                "{}: {} cells",
                m.name,
                y.longest_path_cells
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 1,
        "no karatsuba MontMul has a current yosys measurement"
    );
}

/// Issue 15 item 5: a real-card preset reports what a G2 adder of its style would take
/// (the G1 formulas lifted to Fq2: 42 base-field MontMuls for the full kind, shared over
/// the preset's G2 issue interval) and how many more fit beside its board. On the U250
/// BN254 board, which has one at interval 4, no second one does.
#[test]
fn real_card_presets_size_a_g2_adder_from_their_budget() {
    for preset in PRESETS.iter().filter(|p| p.part.is_some()) {
        let report = checked(preset);
        let g2 = report
            .g2_adder
            .expect("a real-card preset reports a G2 adder's cost");
        let base = arith_unit(
            preset.curve.base_field(),
            ArithUnit::MontMul(preset.mul_style),
        );
        let base_dsp = count(&base.verilog).dsp;
        let montmuls = 42u64.div_ceil(preset.msm_g2_interval as u64);
        assert_eq!(
            g2.montmuls, montmuls,
            "{}: full adders lifted to Fq2",
            preset.name
        );
        assert_eq!(g2.dsp, montmuls * base_dsp, "{}", preset.name);
        let limit = report.limit.unwrap().dsp;
        assert_eq!(g2.dsp_free, limit - report.used.dsp, "{}", preset.name);
        assert_eq!(g2.fit, g2.dsp_free / g2.dsp, "{}", preset.name);
    }
    let u250 = checked(Preset::by_name("u250-bn254").unwrap());
    assert_eq!(u250.g2_adder.unwrap().fit, 0);
}
