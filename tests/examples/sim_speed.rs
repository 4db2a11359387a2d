//! Verilator simulation speed of the arithmetic units: clock cycles per second with a new
//! random operand pair every cycle.
//!
//! ```text
//! cargo run --release -p zkpipe-tests --example sim_speed [-- CYCLES]
//! cargo run --release -p zkpipe-tests --features tiled --example sim_speed   # + tiled
//! cargo run --release -p zkpipe-tests --features karatsuba --example sim_speed   # + karatsuba
//! ```

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;
use zkpipe_hdl::field::FieldId;
use zkpipe_hdl::generate::ArithUnit;
use zkpipe_sim::Model;

fn main() {
    let cycles: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("CYCLES must be a number"))
        .unwrap_or(20_000);
    println!(
        "{:<36} {:>5} {:>8} {:>7} {:>12}",
        "model", "bits", "latency", "tiles", "cycles/s"
    );
    for field in FieldId::ALL {
        for unit in ArithUnit::ALL {
            let name = unit.module_name(field);
            let Ok(mut model) = Model::new(&name) else {
                println!("{name:<36} (not built: --features tiled / karatsuba)");
                continue;
            };
            let (pa, pb) = (model.port("a").unwrap(), model.port("b").unwrap());
            let params = field.params();
            let mut rng = ChaCha8Rng::seed_from_u64(1);
            // Operands below p: random limbs with the top limb masked under p's top bit.
            let top_bits = params.modulus_bits as usize - 64 * (params.limbs - 1) - 1;
            let operands: Vec<Vec<u64>> = (0..1024)
                .map(|_| {
                    let mut v: Vec<u64> = (0..params.limbs).map(|_| rng.gen()).collect();
                    *v.last_mut().unwrap() &= (1u64 << top_bits) - 1;
                    v
                })
                .collect();
            let start = Instant::now();
            for c in 0..cycles {
                model.set(pa, &operands[c % 1024]).unwrap();
                model.set(pb, &operands[(c * 7 + 3) % 1024]).unwrap();
                model.tick(1);
            }
            let rate = cycles as f64 / start.elapsed().as_secs_f64();
            println!(
                "{:<36} {:>5} {:>8} {:>7} {:>12.0}",
                name,
                params.modulus_bits,
                model.desc().latency,
                model.desc().tiles,
                rate
            );
        }
    }
}
