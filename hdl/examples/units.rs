//! Writes every arithmetic unit of every field, and the NTT core of the default real-card
//! preset, to a folder (what `scripts/resources.sh` synthesises).
use zkpipe_hdl::field::FieldId;
use zkpipe_hdl::generate::{arith_unit, ntt_core, ArithUnit};
use zkpipe_hdl::preset::{Preset, DEFAULT_PRESET};
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
}
