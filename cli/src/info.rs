//! `zkpipe info`: what a card says about itself.

use crate::args::InfoArgs;
use crate::{emit, Outcome};
use serde::Serialize;
use zkpipe::driver::kernel::{Capabilities, Counters, MsmEngineCaps};
use zkpipe::{Device, Group, Opcode};

#[derive(Serialize)]
struct NttInfo {
    log_core_size: u32,
    twiddle_log: u32,
    cores: u32,
}

#[derive(Serialize)]
struct MsmInfo {
    window_bits: u32,
    windows: u32,
    adders: u32,
    resident_bases: u32,
    /// Bucket-reduction groups per window on the card (0: the host reduces).
    reduce_groups: u32,
}

#[derive(Serialize)]
struct CountersInfo {
    busy_cycles: u32,
    beats_in: u32,
    beats_out: u32,
    stall_cycles: u32,
}

#[derive(Serialize)]
struct InfoReport {
    device: String,
    id: String,
    version: String,
    preset: Option<&'static str>,
    preset_hash: String,
    curve: &'static str,
    scalar_limbs: u32,
    base_limbs: u32,
    beat_bits: u32,
    max_count: u32,
    opcodes: Vec<&'static str>,
    latency: u32,
    clock_mhz: f64,
    ntt: NttInfo,
    msm: MsmInfo,
    /// The G2 MSM engine (null: none, G2 MSMs run on the host).
    msm_g2: Option<MsmInfo>,
    /// Job queues (2: the G2 MSM engine has its own and runs beside the rest).
    queues: u32,
    /// Jobs queue 0's kernel holds at once (2: NTT jobs are appended to runs, map 4.3).
    kernel_slots: u32,
    /// Jobs of a run the kernel's NTT path holds at once.
    kernel_in_path: u32,
    /// Card memory in MiB (0: none).
    card_memory_mib: u32,
    counters: CountersInfo,
}

fn report(uri: &str, c: &Capabilities, k: &Counters) -> InfoReport {
    let version = zkpipe_spec_version(c.version);
    InfoReport {
        device: uri.to_string(),
        id: format!("{:#010x}", zkpipe::spec::regs::MAGIC),
        version,
        preset: c.preset,
        preset_hash: format!("{:#010x}", c.preset_hash),
        curve: c.curve_name(),
        scalar_limbs: c.scalar_limbs,
        base_limbs: c.base_limbs,
        beat_bits: c.beat_bits,
        max_count: c.max_count,
        opcodes: Opcode::ALL
            .iter()
            .filter(|o| c.opcodes & (1 << **o as u32) != 0)
            .map(|o| o.name())
            .collect(),
        latency: c.latency,
        clock_mhz: c.clock_mhz(),
        ntt: NttInfo {
            log_core_size: c.ntt_log_size,
            twiddle_log: c.ntt_twiddle_log,
            cores: c.ntt_cores,
        },
        msm: msm_info(c.msm_engine(Group::G1)),
        msm_g2: Some(c.msm_engine(Group::G2))
            .filter(|g| g.present())
            .map(msm_info),
        queues: c.queues,
        kernel_slots: c.kernel_slots,
        kernel_in_path: c.kernel_in_path,
        card_memory_mib: c.card_memory_mib,
        counters: CountersInfo {
            busy_cycles: k.busy_cycles,
            beats_in: k.beats_in,
            beats_out: k.beats_out,
            stall_cycles: k.stall_cycles,
        },
    }
}

fn msm_info(e: MsmEngineCaps) -> MsmInfo {
    MsmInfo {
        window_bits: e.window_bits,
        windows: e.windows,
        adders: e.adders,
        resident_bases: e.bases,
        reduce_groups: e.reduce_groups,
    }
}

/// One line about an MSM engine.
fn msm_line(m: &MsmInfo) -> String {
    format!(
        "c = {}, {} windows, {} adder(s), {} resident bases, {}",
        m.window_bits,
        m.windows,
        m.adders,
        m.resident_bases,
        match m.reduce_groups {
            0 => "buckets reduced on the host".to_string(),
            g => format!("buckets reduced on the card ({g} groups per window)"),
        }
    )
}

/// "major.minor" of a REG_VERSION value.
fn zkpipe_spec_version(v: u32) -> String {
    let v = zkpipe::spec::regs::Version::decode(v);
    format!("{}.{}", v.major, v.minor)
}

pub fn run(args: &InfoArgs) -> Outcome {
    let device = Device::open(&args.device).map_err(|e| e.to_string())?;
    let c = device.capabilities();
    let k = device.counters().map_err(|e| e.to_string())?;
    emit(args.json, &report(device.uri(), c, &k), |r| {
        println!("device        {}", r.device);
        println!("register map  v{}", r.version);
        println!(
            "preset        {} (hash {})",
            r.preset.unwrap_or("unknown"),
            r.preset_hash
        );
        println!(
            "curve         {} (scalar {} limbs, base {} limbs)",
            r.curve, r.scalar_limbs, r.base_limbs
        );
        println!("streams       {} bits per beat", r.beat_bits);
        println!("opcodes       {}", r.opcodes.join(", "));
        if r.ntt.log_core_size > 0 {
            println!(
                "ntt           core 2^{} ({} core), four-step up to 2^{} (beyond: host radix-2 steps)",
                r.ntt.log_core_size, r.ntt.cores, r.ntt.twiddle_log
            );
        } else {
            println!("ntt           none");
        }
        if r.msm.window_bits > 0 {
            println!("msm           {}", msm_line(&r.msm));
        } else {
            println!("msm           none");
        }
        match &r.msm_g2 {
            Some(g2) => println!("msm g2        {}", msm_line(g2)),
            None => println!("msm g2        none (G2 MSMs run on the host)"),
        }
        if r.queues > 1 {
            println!(
                "queues        {} (queue 1: the G2 MSM engine, beside the rest)",
                r.queues
            );
        } else {
            println!("queues        1 (one job at a time)");
        }
        if r.kernel_slots > 1 {
            println!(
                "ntt runs      {} jobs in the kernel, {} in its path (appended jobs enter while the ones before drain)",
                r.kernel_slots, r.kernel_in_path
            );
        } else {
            println!("ntt runs      none (one NTT job at a time)");
        }
        println!("card memory   {} MiB", r.card_memory_mib);
        println!("job limit     {} elements", r.max_count);
        println!("latency       {} cycles", r.latency);
        println!("clock         {} MHz", r.clock_mhz);
        println!(
            "last job      {} busy cycles (queue 0), {} beats in, {} out, {} stalled",
            r.counters.busy_cycles,
            r.counters.beats_in,
            r.counters.beats_out,
            r.counters.stall_cycles
        );
    });
    Ok(true)
}
