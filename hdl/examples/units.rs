//! Writes every arithmetic unit of every field, the NTT core of the default real-card
//! preset, and that preset's Fq2 multiplier and G2 adder with their MontMuls as black
//! boxes (`*_logic`: what they add to the MontMuls measured alone) to a folder (what
//! `scripts/resources.sh` synthesises).
use zkpipe_hdl::field::fq2::Fq2Op;
use zkpipe_hdl::field::FieldId;
use zkpipe_hdl::generate::{arith_unit, fq2_module_name, fq2_unit, g2_add, ntt_core, ArithUnit};
use zkpipe_hdl::preset::{Preset, DEFAULT_PRESET};
use zkpipe_hdl::yosys::black_box_children;
fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| "units".into());
    std::fs::create_dir_all(&out).unwrap();
    for f in FieldId::ALL {
        for u in ArithUnit::ALL {
            let m = arith_unit(f, u);
            std::fs::write(format!("{out}/{}.v", m.name), &m.verilog).unwrap();
            println!("{} latency {} tiles {}", m.name, m.latency, m.tiles);
        }
    }
    let preset = Preset::by_name(DEFAULT_PRESET).expect("the default preset exists");
    let m = ntt_core(preset);
    std::fs::write(format!("{out}/{}.v", m.name), &m.verilog).unwrap();
    println!("{} latency {} tiles {}", m.name, m.latency, m.tiles);
    // A G2 engine's building blocks at the preset's multiplier style, MontMuls boxed.
    let fq2 = fq2_unit(preset.curve, Fq2Op::Mul, preset.mul_style);
    let g2 = g2_add(preset);
    for (name, m) in [
        (
            fq2_module_name(preset.curve, Fq2Op::Mul, preset.mul_style),
            fq2,
        ),
        (g2.name.clone(), g2),
    ] {
        let logic = black_box_children(&m.verilog, "top$muls$");
        std::fs::write(format!("{out}/{name}_logic.v"), logic).unwrap();
        println!("{name}_logic latency {} tiles {}", m.latency, m.tiles);
    }
}
