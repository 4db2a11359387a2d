//! MSM performance, one table per question:
//!
//! 1. the simulated board (sim-small: c = 8, 32 windows, adder latency 43): random scalars
//!    at n = 2^12 and 2^16 with resident bases — adder utilisation (additions issued /
//!    accumulation cycles), cycles per point per window, deferrals; the same-bucket worst
//!    case at 2^12 and its slowdown; the cycle model's count beside the board's;
//! 2. projections for 2^20, 2^24 (u250-bn254) and 2^26 (u250-bls12-381) at 250 MHz: the
//!    accumulation from the cycle model run at the real-card geometry (the preset's window
//!    size, adders and adder latency from the generator) on a 2^16 random sample, scaled
//!    to n; the bases streamed in through card memory (2^18 points per chunk) at XDMA Gen3
//!    x16 rates; one reduction per MSM (the chunks accumulate into the same buckets:
//!    JOB_MSM_FLAGS keep/hold), on the card, its sums combined on the host (measured);
//!    arkworks on this machine and the public anchors beside them;
//! 3. what more adders (lanes) would buy at the u250-bn254 geometry (cycle model);
//! 4. a plot of the projected u250-bn254 MSM time against n (1 adder, the preset's, and 6)
//!    beside arkworks here and ICICLE's published 2^20 figure: `docs/msm-projection-u250-bn254.svg`.
//!
//! ```text
//! cargo run --release -p zkpipe-tests --example msm_bench
//! ZKPIPE_BENCH_SKIP_SIM=1 cargo run --release -p zkpipe-tests --example msm_bench  # 2–4 only
//! ```

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::time::Instant;
use zkpipe::model::{accumulate, MsmShape};
use zkpipe::msm::reduce;
use zkpipe::msm::scalars::seen_by_card_as;
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
    let shape = MsmShape::of(&g, latency);
    (shape, g, preset.clock_mhz)
}

fn main() -> zkpipe::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    if std::env::var_os("ZKPIPE_BENCH_SKIP_SIM").is_none() {
        simulated_board(&mut rng)?;
    }
    projections(&mut rng);
    Ok(())
}

/// Section 1: the simulated board against the cycle model.
fn simulated_board(rng: &mut ChaCha8Rng) -> zkpipe::Result<()> {
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
        let b = bases(n, rng);
        let k: Vec<Fr> = if same {
            vec![seen_by_card_as::<Fr>([0x1B1B_1B1B_1B1B_1B1B; 4]); n]
        } else {
            (0..n).map(|_| Fr::rand(rng)).collect()
        };
        let handle = device.load_bases(&b)?;
        let t = Instant::now();
        let (sum, r) = device.msm_resident(&handle, &k)?;
        let wall = t.elapsed().as_secs_f64();
        assert_eq!(sum, G1Projective::msm(&b, &k).unwrap(), "board ≠ arkworks");
        device.clear_bases();
        let limbs: Vec<[u64; 4]> = k.iter().map(|x| x.0 .0).collect(); // Montgomery limbs: what the card sees
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
    Ok(())
}

/// Sections 2–4: projections at the real-card presets from the cycle models.
fn projections(rng: &mut ChaCha8Rng) {
    println!("\n## 2. Projections at the real-card presets (250 MHz)\n");
    let sample = 1 << 16;
    let sample_scalars: Vec<[u64; 4]> = (0..sample).map(|_| Fr::rand(rng).0 .0).collect();
    // Host reduction of one chunk's buckets at the u250 geometry, measured.
    let (u250, g250, mhz) = shape_of("u250-bn254");
    let buckets = g250.windows * g250.buckets_per_window();
    let pts = bases(1024, rng);
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
        let b = bases(n, rng);
        let k: Vec<Fr> = (0..n).map(|_| Fr::rand(rng)).collect();
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
    // u250-bls12-381: one full adder, reduction on the card; two beats per base point and
    // per coordinate read back (384-bit coordinates).
    let (bls, gbls, mhz) = shape_of("u250-bls12-381");
    let bls_model = accumulate(bls, &sample_scalars);
    let per_point = bls_model.cycles as f64 / sample as f64;
    let n = (1u64 << 26) as f64;
    let accum = n * per_point / (mhz * 1e6);
    let bases_in = n * 2.0 * BEAT_BYTES / PCIE_H2C;
    let bls_plan = gbls
        .reduce_plan(bls.adder_latency)
        .expect("u250-bls12-381 reduces on the card");
    let bls_sums = 2 * gbls.windows * bls_plan.groups;
    let bls_card_reduce = bls_plan.cycles() as f64 / (mhz * 1e6);
    let readout = (3 * bls_sums) as f64 * BEAT_BYTES / PCIE_C2H;
    println!(
        "| 2^26 | BLS12-381 | {:.2} s | {:.2} s | (overlaps) | {:.3} ms | {:.2} ms on the card ({} groups), {} sums to combine | {:.2} s | — | hardcaml (VU9P, BLS12-377): 5.08 s |",
        accum,
        bases_in,
        readout * 1e3,
        bls_card_reduce * 1e3,
        bls_plan.groups,
        bls_sums,
        accum + bases_in + readout + bls_card_reduce
    );
    println!(
        "\nu250-bls12-381: {} adder(s) of latency {}, {:.3} cycles per point (utilisation {:.3})",
        bls.adders,
        bls.adder_latency,
        per_point,
        bls_model.adds_min as f64 / bls_model.cycles as f64
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
    let mut per_point_of = vec![];
    for adders in [1, 2, 3, 4, 6, 8] {
        for (label, scalars) in [("random", &sample_scalars), ("same bucket", &same_scalars)] {
            let m = accumulate(MsmShape { adders, ..u250 }, scalars);
            let per_point = m.cycles as f64 / sample as f64;
            if label == "random" {
                per_point_of.push((adders, per_point));
            }
            println!(
                "| {adders} | {label} | {per_point:.3} | {:.3} | {} | {:.1} ms |",
                m.adds_min as f64 / m.cycles as f64,
                m.deferrals,
                (1u64 << 20) as f64 * per_point / (mhz250 * 1e6) * 1e3
            );
        }
    }

    // 4. The plot: bases resident up to card memory's 2^18 points, streamed in chunks
    // beyond; one reduction (card + host) and readout per MSM.
    let capacity = g250.capacity() as f64;
    let projected = |n: f64, per_point: f64| {
        let accum = n * per_point / (mhz250 * 1e6);
        let bases_in = if n > capacity {
            n * BEAT_BYTES / PCIE_H2C
        } else {
            0.0
        };
        accum + bases_in + readout_s + reduce_s
    };
    let logs: Vec<u32> = (10..=26).collect();
    let mut series = vec![];
    for adders in [1, u250.adders, 6] {
        let per_point = per_point_of
            .iter()
            .find(|(a, _)| *a == adders)
            .map(|(_, p)| *p)
            .expect("modelled above");
        let label = format!(
            "zkpipe u250-bn254, {adders} adder{} (projected{})",
            if adders > 1 { "s" } else { "" },
            match adders {
                1 => "; one adder, as before issue 13".to_string(),
                a if a == u250.adders => "; the preset today".to_string(),
                _ => "; needs cheaper additions".to_string(),
            }
        );
        let points = logs
            .iter()
            .map(|&l| (l, projected((1u64 << l) as f64, per_point)))
            .collect();
        series.push((label, points));
    }
    let ark: Vec<(u32, f64)> = logs
        .iter()
        .map(|&l| (l, ark_2_20 * (1u64 << l) as f64 / (1u64 << 20) as f64))
        .collect();
    series.push((
        "arkworks, this 2-core machine (2^20 measured, scaled by n)".into(),
        ark,
    ));
    let svg = plot_svg(
        "Projected G1 MSM time, BN254 (u250-bn254 at 250 MHz, bases resident up to 2^18)",
        &series,
        (20, 14.8e-3, "ICICLE, RTX 4090: 14.8 ms"),
    );
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/msm-projection-u250-bn254.svg"
    );
    match std::fs::write(path, svg) {
        Ok(()) => println!("\n## 4. Plot\n\nwrote docs/msm-projection-u250-bn254.svg"),
        Err(e) => eprintln!("cannot write {path}: {e}"),
    }
}

/// A log–log line chart: x = log2 n, y = seconds (log scale), one line per series, and
/// one labelled anchor point.
fn plot_svg(title: &str, series: &[(String, Vec<(u32, f64)>)], anchor: (u32, f64, &str)) -> String {
    let (w, h, left, right, top, bottom) = (900.0, 520.0, 80.0, 20.0, 50.0, 150.0);
    let xs: Vec<u32> = series
        .iter()
        .flat_map(|s| s.1.iter().map(|p| p.0))
        .collect();
    let (x0, x1) = (
        *xs.iter().min().unwrap() as f64,
        *xs.iter().max().unwrap() as f64,
    );
    let ys = series
        .iter()
        .flat_map(|s| s.1.iter().map(|p| p.1))
        .chain([anchor.1]);
    let (ymin, ymax) = ys.fold((f64::MAX, f64::MIN), |(a, b), y| (a.min(y), b.max(y)));
    let (d0, d1) = (ymin.log10().floor(), ymax.log10().ceil());
    let px = |x: f64| left + (x - x0) / (x1 - x0) * (w - left - right);
    let py = |y: f64| top + (d1 - y.log10()) / (d1 - d0) * (h - top - bottom);
    let colors = ["#1f77b4", "#2ca02c", "#9467bd", "#7f7f7f"];
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{left}\" y=\"24\" font-size=\"15\">{title}</text>\n"
    );
    for d in d0 as i32..=d1 as i32 {
        let y = py(10f64.powi(d));
        let label = match d {
            d if d >= 0 => format!("{} s", 10f64.powi(d)),
            -3..=-1 => format!("{} ms", 10f64.powi(d + 3)),
            _ => format!("{} µs", 10f64.powi(d + 6)),
        };
        out += &format!(
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/>\n\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{label}</text>\n",
            w - right,
            left - 6.0,
            y + 4.0
        );
    }
    for x in (x0 as u32..=x1 as u32).step_by(2) {
        let xp = px(x as f64);
        out += &format!(
            "<line x1=\"{xp:.1}\" x2=\"{xp:.1}\" y1=\"{top}\" y2=\"{}\" stroke=\"#eee\"/>\n\
             <text x=\"{xp:.1}\" y=\"{}\" text-anchor=\"middle\">2^{x}</text>\n",
            h - bottom,
            h - bottom + 16.0
        );
    }
    out += &format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">points n</text>\n",
        (left + w - right) / 2.0,
        h - bottom + 34.0
    );
    for (i, (label, points)) in series.iter().enumerate() {
        let color = colors[i % colors.len()];
        let path: Vec<String> = points
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x as f64), py(y)))
            .collect();
        let dash = if i + 1 == series.len() {
            " stroke-dasharray=\"6 4\""
        } else {
            ""
        };
        out += &format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\n\
             <line x1=\"{left}\" x2=\"{}\" y1=\"{ly}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\n\
             <text x=\"{}\" y=\"{}\">{label}</text>\n",
            path.join(" "),
            left + 30.0,
            left + 38.0,
            h - bottom + 64.0 + 18.0 * i as f64 + 4.0,
            ly = h - bottom + 64.0 + 18.0 * i as f64,
        );
    }
    let (ax, ay, alabel) = anchor;
    out += &format!(
        "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"#d62728\"/>\n\
         <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#d62728\">{alabel}</text>\n</svg>\n",
        px(ax as f64),
        py(ay),
        px(ax as f64) + 8.0,
        py(ay) + 16.0
    );
    out
}
