//! MSM performance, one table per question:
//!
//! 1. the simulated board (sim-small: c = 8, 32 windows, adder latency 43): random scalars
//!    at n = 2^12 and 2^16 with resident bases — adder utilisation (additions issued /
//!    accumulation cycles), cycles per point per window, deferrals; the same-bucket worst
//!    case at 2^12 and its slowdown; the cycle model's count beside the board's;
//! 2. projections for 2^20, 2^24 (u250-bn254) and 2^26 (u250-bls12-381) at 250 MHz: the
//!    accumulation from the cycle model run at the real-card geometry (c = 13, 20 windows,
//!    tiled adder latency from the generator) on a 2^16 random sample, scaled to n; the
//!    bases streamed in through card memory (2^18 points per chunk) at XDMA Gen3 x16
//!    rates; one bucket readout and one host reduction per MSM (the chunks accumulate into
//!    the same buckets: JOB_MSM_FLAGS keep/hold), the reduction measured on this machine;
//!    arkworks on this machine and the public anchors beside them.
//!
//! ```text
//! cargo run --release -p zkpipe-tests --example msm_bench
//! ```

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::{BigInt, PrimeField, UniformRand};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::time::Instant;
use zkpipe::model::{accumulate, MsmShape};
use zkpipe::msm::reduce;
use zkpipe::{Device, Preset};
use zkpipe_hdl::msm::{MsmConfig, PointAdd};

/// XDMA Gen3 x16 streaming rates (design brief): host→card, card→host, bytes/s.
const PCIE_H2C: f64 = 9e9;
const PCIE_C2H: f64 = 12e9;
const BEAT_BYTES: f64 = 64.0;

fn bases(n: usize, rng: &mut ChaCha8Rng) -> Vec<G1Affine> {
    let g = G1Projective::generator();
    let q = g * Fr::rand(rng);
    let mut p = g * Fr::rand(rng);
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        v.push(p);
        p += q;
    }
    G1Projective::normalize_batch(&v)
}

fn shape_of(name: &str) -> (MsmShape, MsmConfig, f64) {
    let preset = Preset::by_name(name).unwrap();
    let g = preset.msm();
    let latency = match g.field_width {
        256 => PointAdd::<256, 512>::for_msm(&preset.msm()).latency(),
        _ => PointAdd::<384, 768>::for_msm(&preset.msm()).latency(),
    };
    let shape = MsmShape {
        window_bits: g.window_bits,
        windows: g.windows,
        adder_latency: latency,
        fifo_depth: g.fifo_depth,
        adders: g.adders,
    };
    (shape, g, preset.clock_mhz)
}

fn main() -> zkpipe::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let device = Device::open("sim:sim-small")?;
    let (sim_shape, _, _) = shape_of("sim-small");
    println!(
        "## 1. Simulated board (sim-small, {} adders; utilisation: the lowest adder's)\n",
        sim_shape.adders
    );
    println!("| n | scalars | accumulation cycles | model | additions | deferrals | utilisation | cycles / point / window | busy cycles | projected @250 MHz | simulation wall time |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let mut random_accum_4096 = 0u64;
    for (log_n, same) in [(12, false), (12, true), (16, false)] {
        let n = 1usize << log_n;
        let b = bases(n, &mut rng);
        let k: Vec<Fr> = if same {
            vec![Fr::from_bigint(BigInt([0x1B1B_1B1B_1B1B_1B1B; 4])).unwrap(); n]
        } else {
            (0..n).map(|_| Fr::rand(&mut rng)).collect()
        };
        let handle = device.load_bases(&b)?;
        let t = Instant::now();
        let (sum, r) = device.msm_resident(&handle, &k)?;
        let wall = t.elapsed().as_secs_f64();
        assert_eq!(sum, G1Projective::msm(&b, &k).unwrap(), "board ≠ arkworks");
        device.clear_bases();
        let limbs: Vec<[u64; 4]> = k.iter().map(|x| x.into_bigint().0).collect();
        let model = accumulate(sim_shape, &limbs);
        if !same && log_n == 12 {
            random_accum_4096 = r.accum_cycles;
        }
        println!(
            "| 2^{log_n} | {} | {} | {} | {} | {} | {:.3} | {:.3} | {} | {:.3} ms | {:.1} s |",
            if same { "same bucket" } else { "random" },
            r.accum_cycles,
            model.cycles,
            r.adds,
            r.deferrals,
            r.utilisation(),
            r.accum_cycles as f64 / (n * sim_shape.windows) as f64,
            r.busy_cycles,
            r.projected_s * 1e3,
            wall
        );
        if same {
            println!(
                "|  | slowdown vs random | {:.2}× |  |  |  |  |  |  |  |  |",
                r.accum_cycles as f64 / random_accum_4096 as f64
            );
        }
    }

    println!("\n## 2. Projections at the real-card presets (250 MHz)\n");
    let sample = 1 << 16;
    let sample_scalars: Vec<[u64; 4]> = (0..sample)
        .map(|_| Fr::rand(&mut rng).into_bigint().0)
        .collect();
    // Host reduction of one chunk's buckets at the u250 geometry, measured.
    let (u250, g250, mhz) = shape_of("u250-bn254");
    let buckets = g250.windows * g250.buckets_per_window();
    let pts = bases(1024, &mut rng);
    let z = ark_bn254::Fq::from(5u64);
    let fake: Vec<_> = (0..buckets)
        .map(|i| {
            let p = pts[i % pts.len()];
            (p.x * z, p.y * z, z)
        })
        .collect();
    let t = Instant::now();
    let _ = reduce::reduce::<ark_bn254::g1::Config>(&fake, g250.window_bits).unwrap();
    let host_reduce_s = t.elapsed().as_secs_f64();
    let bucket_readout_s = (3 * buckets) as f64 * BEAT_BYTES / PCIE_C2H;
    // The preset reduces on the card: the reduction's cycles, 2·W·G sums read back, and the
    // host's combination of them (measured).
    let plan = g250
        .reduce_plan(u250.adder_latency)
        .expect("u250-bn254 reduces on the card");
    let sums = 2 * g250.windows * plan.groups;
    let t = Instant::now();
    let _ =
        reduce::combine_sums::<ark_bn254::g1::Config>(&fake[..sums], g250.window_bits, plan.groups)
            .unwrap();
    let combine_s = t.elapsed().as_secs_f64();
    let card_reduce_s = plan.cycles() as f64 / (mhz * 1e6);
    let reduce_s = card_reduce_s + combine_s;
    let readout_s = (3 * sums) as f64 * BEAT_BYTES / PCIE_C2H;
    let model = accumulate(u250, &sample_scalars);
    let per_point = model.cycles as f64 / sample as f64;
    println!(
        "u250-bn254: c = {}, {} windows, adder latency {}, {} buckets per chunk of {} points; \
         model on 2^16 random scalars: {:.3} cycles per point (utilisation {:.3}, {} deferrals); \
         reduction on the card in {} groups per window: {} cycles ({:.2} ms), {} sums read back \
         ({:.3} ms), combined by the host in {:.3} ms — instead of reading back the buckets \
         ({:.2} ms) and reducing them on the host ({:.3} s)\n",
        g250.window_bits,
        g250.windows,
        u250.adder_latency,
        buckets,
        g250.capacity(),
        per_point,
        model.adds_min as f64 / model.cycles as f64,
        model.deferrals,
        plan.groups,
        plan.cycles(),
        card_reduce_s * 1e3,
        sums,
        readout_s * 1e3,
        combine_s * 1e3,
        bucket_readout_s * 1e3,
        host_reduce_s
    );
    println!("| n | curve | accumulation | bases in (PCIe) | scalars in | readout | reduction (card + host) | total | arkworks here (2 cores) | public anchor |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let ark_2_20 = {
        let n = 1 << 20;
        let b = bases(n, &mut rng);
        let k: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        let t = Instant::now();
        let _ = G1Projective::msm(&b, &k).unwrap();
        t.elapsed().as_secs_f64()
    };
    for log_n in [20usize, 24] {
        let n = (1usize << log_n) as f64;
        let chunks = (n / g250.capacity() as f64).ceil();
        let accum = n * per_point / (mhz * 1e6);
        let bases_in = n * BEAT_BYTES / PCIE_H2C;
        let scalars_in = n * BEAT_BYTES / PCIE_H2C;
        let total = accum + bases_in + readout_s + reduce_s;
        let (ark, anchor) = if log_n == 20 {
            (format!("{ark_2_20:.2} s"), "ICICLE (RTX 4090): 14.8 ms")
        } else {
            (
                format!("{:.1} s (2^20 × 16)", ark_2_20 * 16.0),
                "arkworks 32-core Xeon 2^20: 796 ms",
            )
        };
        println!(
            "| 2^{log_n} | BN254 | {:.1} ms | {:.1} ms ({chunks} chunks) | {:.1} ms (overlaps) | {:.3} ms | {:.2} ms | {:.1} ms | {ark} | {anchor} |",
            accum * 1e3,
            bases_in * 1e3,
            scalars_in * 1e3,
            readout_s * 1e3,
            reduce_s * 1e3,
            total * 1e3
        );
    }
    let (bls, gbls, mhz) = shape_of("u250-bls12-381");
    let bls_model = accumulate(bls, &sample_scalars);
    let per_point = bls_model.cycles as f64 / sample as f64;
    let n = (1u64 << 26) as f64;
    let accum = n * per_point / (mhz * 1e6);
    let bases_in = n * 2.0 * BEAT_BYTES / PCIE_H2C;
    let readout = (3 * gbls.windows * gbls.buckets_per_window()) as f64 * BEAT_BYTES / PCIE_C2H;
    println!(
        "| 2^26 | BLS12-381 | {:.2} s | {:.2} s | (overlaps) | {:.1} ms | one per MSM | {:.2} s + reduction | — | hardcaml (VU9P, BLS12-377): 5.08 s |",
        accum,
        bases_in,
        readout * 1e3,
        accum + bases_in + readout
    );
    let mhz250 = shape_of("u250-bn254").2;
    println!(
        "\n## 3. Adders (lanes) at the u250-bn254 geometry, from the cycle model\n\n\
         What more adders would buy once the DSP budget holds them (issue 13); 2^16 \
         scalars, accumulation projected to 2^20 at {mhz250} MHz.\n"
    );
    println!("| adders | scalars | cycles / point | lowest utilisation | deferrals | accumulation, 2^20 |");
    println!("|---|---|---|---|---|---|");
    let same_scalars = vec![[0x1B1B_1B1B_1B1B_1B1Bu64; 4]; sample];
    for adders in [1, 2, 3, 4, 6, 8] {
        for (label, scalars) in [("random", &sample_scalars), ("same bucket", &same_scalars)] {
            let m = accumulate(MsmShape { adders, ..u250 }, scalars);
            let per_point = m.cycles as f64 / sample as f64;
            println!(
                "| {adders} | {label} | {per_point:.3} | {:.3} | {} | {:.1} ms |",
                m.adds_min as f64 / m.cycles as f64,
                m.deferrals,
                (1u64 << 20) as f64 * per_point / (mhz250 * 1e6) * 1e3
            );
        }
    }
    Ok(())
}
