//! Writes every arithmetic unit of every field to a folder (development aid).
use zkpipe_hdl::field::FieldId;
use zkpipe_hdl::generate::{arith_unit, ArithUnit};
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
}
