//! `synth --yosys`: LUT, FF, CARRY and the longest register-to-register path of each
//! distinct module of a board, measured by yosys `synth_xilinx -flatten -family xcup`.
//!
//! A flat run of a whole board exceeds this machine's memory, so the board is measured
//! hierarchically: each field's MontMul alone, and the point adder with its MontMuls as
//! black boxes. The report multiplies each by its instance count. The rest of a real-card
//! board (control, delay lines, memories) is measured with every MontMul and G1 adder as
//! black boxes; its DSPs and memory bits are exact from the generator's markers either way.

use crate::generate::GeneratedModule;
use crate::preset::Preset;
use crate::resources::Measured;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// The committed measurements (`hdl/yosys-measured.json`), written by `synth --yosys`.
pub const MEASURED_JSON: &str = include_str!("../yosys-measured.json");

/// One module's yosys figures, valid for the Verilog whose [`content_hash`] it records.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CacheEntry {
    /// [`content_hash`] of the measured Verilog.
    pub hash: String,
    pub lut: u64,
    pub ff: u64,
    pub carry: u64,
    pub dsp: u64,
    pub longest_path_cells: u64,
    /// Wall-clock seconds the yosys run took.
    pub seconds: u64,
}

/// Measurements by module name.
pub type Cache = BTreeMap<String, CacheEntry>;

/// A hash of a module's Verilog without its comment lines (markers and headers do not
/// change what yosys builds): FNV-1a, 64 bits, hex.
pub fn content_hash(verilog: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for line in verilog
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
    {
        for b in line.bytes().chain([b'\n']) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// The committed measurements.
pub fn committed() -> Cache {
    serde_json::from_str(MEASURED_JSON).unwrap_or_default()
}

/// Where `synth --yosys` records measurements: the committed file in the source tree.
pub const MEASURED_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/yosys-measured.json");

/// Adds (or replaces) `name`'s measurement in the committed file.
pub fn record(name: &str, verilog: &str, m: &Measured, seconds: u64) -> Result<(), String> {
    let mut cache: Cache = std::fs::read_to_string(MEASURED_PATH)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    cache.insert(
        name.to_string(),
        CacheEntry {
            hash: content_hash(verilog),
            lut: m.lut,
            ff: m.ff,
            carry: m.carry,
            dsp: m.dsp,
            longest_path_cells: m.longest_path_cells,
            seconds,
        },
    );
    let json = serde_json::to_string_pretty(&cache).expect("cache serialises");
    std::fs::write(MEASURED_PATH, json + "\n").map_err(|e| format!("{MEASURED_PATH}: {e}"))
}

/// The measurement of `name` if it was taken on exactly this Verilog.
pub fn lookup(cache: &Cache, name: &str, verilog: &str) -> Option<Measured> {
    let e = cache.get(name)?;
    (e.hash == content_hash(verilog)).then_some(Measured {
        lut: e.lut,
        ff: e.ff,
        carry: e.carry,
        dsp: e.dsp,
        longest_path_cells: e.longest_path_cells,
    })
}

/// (report name, Verilog) of every module `--yosys` measures for a preset.
pub fn distinct_modules(preset: &Preset, generated: &[GeneratedModule]) -> Vec<(String, String)> {
    let style = crate::generate::ArithUnit::MontMul(preset.mul_style);
    let find = |name: &str| generated.iter().find(|m| m.name == name);
    let mut out = vec![];
    for field in [preset.curve.scalar_field(), preset.curve.base_field()] {
        let name = style.module_name(field);
        if let Some(m) = find(&name) {
            out.push((name, m.verilog.clone()));
        }
    }
    let adder = crate::generate::point_add_module_name(preset);
    if let Some(m) = find(&adder) {
        out.push((
            format!("{adder}_logic"),
            black_box_children(&m.verilog, "top$muls$"),
        ));
    }
    let board = crate::generate::board_module_name(preset);
    if preset.part.is_some() {
        if let Some(m) = find(&board) {
            out.push((format!("{board}_logic"), black_box_units(&m.verilog)));
        }
    }
    out
}

/// Replaces every module `<prefix><n>` by a black box with its ports and drops the
/// modules below it.
pub fn black_box_children(verilog: &str, prefix: &str) -> String {
    black_box_where(verilog, |name, _| is_numbered_child(name, prefix))
}

/// `name` is `<prefix><n>`: one element of a `Vec` field (rust-hdl names it so).
fn is_numbered_child(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()))
}

/// The board without the units measured on their own: every MontMul (a module with a
/// `mul_ab` child) and every G1 point adder (`top$msm$add$<n>`) becomes a black box.
pub fn black_box_units(verilog: &str) -> String {
    black_box_where(verilog, |name, all| {
        all.contains(format!("{name}$mul_ab").as_str()) || is_numbered_child(name, "top$msm$add$")
    })
}

/// Replaces every module for which `is_box(name, all module names)` holds by a black box
/// with its ports, and drops the modules below it (rust-hdl names a child
/// `<parent>$<field>`).
fn black_box_where(
    verilog: &str,
    is_box: impl Fn(&str, &std::collections::HashSet<&str>) -> bool,
) -> String {
    let parts: Vec<&str> = verilog.split("\nmodule ").collect();
    let name_of = |part: &str| part.split('(').next().unwrap_or("").trim_end().to_string();
    let names: Vec<String> = parts.iter().skip(1).map(|p| name_of(p)).collect();
    let all: std::collections::HashSet<&str> = names.iter().map(String::as_str).collect();
    let boxes: std::collections::HashSet<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| is_box(n, &all))
        .collect();
    let inside_box = |name: &str| {
        name.match_indices('$')
            .any(|(i, _)| boxes.contains(&name[..i]))
    };
    let mut out = String::from(parts[0]);
    for (part, name) in parts.iter().skip(1).zip(&names) {
        if boxes.contains(name.as_str()) {
            let header = part.split(';').next().unwrap_or("");
            let ports: Vec<String> = part
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("input ") || l.starts_with("output "))
                .map(|l| {
                    l.replace("output reg", "output")
                        .replace("output wire", "output")
                })
                .collect();
            out.push_str(&format!(
                "\n(* blackbox *)\nmodule {header};\n{}\nendmodule\n",
                ports.join("\n")
            ));
        } else if !inside_box(name) {
            out.push_str("\nmodule ");
            out.push_str(part);
        }
    }
    out
}

fn count(stat: &str, pred: impl Fn(&str) -> bool) -> u64 {
    stat.lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let (cell, n) = (w.next()?, w.next()?);
            pred(cell).then(|| n.parse::<u64>().ok()).flatten()
        })
        .sum()
}

/// The techmap that makes `ltp` follow LUT6_2 outputs' real inputs (see the file).
pub const LUT6_2_LTP_MAP: &str = include_str!("../yosys/lut6_2_ltp.v");

/// Runs yosys on one module (top `top`), keeping its files in `dir/<name>/`.
pub fn measure(name: &str, verilog: &str, dir: &Path) -> Result<Measured, String> {
    let work = dir.join(name);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let src = work.join("top.v");
    std::fs::write(&src, verilog).map_err(|e| format!("{}: {e}", src.display()))?;
    let map = work.join("lut6_2_ltp.v");
    std::fs::write(&map, LUT6_2_LTP_MAP).map_err(|e| format!("{}: {e}", map.display()))?;
    let script = format!(
        "read_verilog {src}\nsynth_xilinx -flatten -family xcup -top top\n\
         tee -q -o {stat} stat\n\
         delete t:FD* t:SRL* t:DSP48E2 t:BUFG t:IBUF t:OBUF\n\
         techmap -map {map} t:LUT6_2\n\
         tee -q -o {ltp} ltp\n",
        src = src.display(),
        map = map.display(),
        stat = work.join("stat.txt").display(),
        ltp = work.join("ltp.txt").display(),
    );
    let ys = work.join("run.ys");
    std::fs::write(&ys, script).map_err(|e| format!("{}: {e}", ys.display()))?;
    let status = Command::new("yosys")
        .arg("-q")
        .arg("-l")
        .arg(work.join("yosys.log"))
        .arg("-s")
        .arg(&ys)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("cannot run yosys ({e}); install it with scripts/setup.sh"))?;
    if !status.success() {
        return Err(format!(
            "yosys failed on {name} ({status}); see {}",
            work.join("yosys.log").display()
        ));
    }
    parse(
        &std::fs::read_to_string(work.join("stat.txt")).map_err(|e| e.to_string())?,
        &std::fs::read_to_string(work.join("ltp.txt")).map_err(|e| e.to_string())?,
    )
}

/// Reads yosys `stat` and `ltp` output.
pub fn parse(stat: &str, ltp: &str) -> Result<Measured, String> {
    let path = ltp
        .lines()
        .find_map(|l| {
            let i = l.find("(length=")?;
            l[i + 8..].split(')').next()?.parse::<u64>().ok()
        })
        .ok_or("no longest path in yosys ltp output")?;
    Ok(Measured {
        // Shift-register LUTs (SRL16E/SRLC32E) are LUTs too, as Vivado counts them.
        // LUT6_2: one LUT6 site with two outputs (the ternary adders' bits).
        lut: count(stat, |c| {
            c.starts_with("LUT") && (c.len() == 4 || c == "LUT6_2")
        }) + count(stat, |c| c.starts_with("SRL")),
        ff: count(stat, |c| matches!(c, "FDCE" | "FDPE" | "FDRE" | "FDSE")),
        carry: count(stat, |c| c == "CARRY4" || c == "CARRY8"),
        dsp: count(stat, |c| c == "DSP48E2"),
        longest_path_cells: path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOARD: &str = "// header\n\
        module top(input clock, output reg [3:0] q);\nkeep\nendmodule\n\
        module top$kernel$mul(input clock,\ninput [3:0] a,\noutput reg [3:0] r\n);\nbody\nendmodule\n\
        module top$kernel$mul$mul_ab(input clock);\nbody\nendmodule\n\
        module top$kernel$mul$mul_ab$tile$0(input clock);\nbody\nendmodule\n\
        module top$kernel$state(input clock);\nkeep\nendmodule\n\
        module top$msm$add$0(input clock,\noutput wire [7:0] x\n);\nbody\nendmodule\n\
        module top$msm$add$0$v_delay(input clock);\nbody\nendmodule\n\
        module top$msm$addr(input clock);\nkeep\nendmodule\n";

    #[test]
    fn the_board_keeps_its_own_logic_and_boxes_the_units() {
        let v = black_box_units(BOARD);
        let modules: Vec<&str> = v
            .split("module ")
            .skip(1)
            .map(|p| p.split('(').next().unwrap())
            .collect();
        assert_eq!(
            modules,
            [
                "top",
                "top$kernel$mul",
                "top$kernel$state",
                "top$msm$add$0",
                "top$msm$addr"
            ]
        );
        assert_eq!(v.matches("(* blackbox *)").count(), 2);
        assert!(v.contains("(* blackbox *)\nmodule top$kernel$mul(input clock,\ninput [3:0] a,\noutput reg [3:0] r\n);\ninput [3:0] a,\noutput [3:0] r\nendmodule"));
        assert_eq!(v.matches("keep").count(), 3);
        assert!(!v.contains("body"));
    }

    #[test]
    fn only_numbered_children_of_the_prefix_are_boxed() {
        let v = black_box_children(BOARD, "top$msm$add$");
        assert_eq!(v.matches("(* blackbox *)").count(), 1);
        assert!(v.contains("module top$kernel$mul$mul_ab$tile$0"));
        assert!(!v.contains("top$msm$add$0$v_delay"));
    }
}
