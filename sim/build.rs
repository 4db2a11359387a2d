//! Generates the simulation tops with zkpipe-hdl, verilates each with its own `--prefix`,
//! writes a C ABI shim per model from its port list, compiles everything with `cc`, and
//! emits the Rust table of models (`models.rs`) that `src/lib.rs` includes.
//!
//! One mechanism serves every model: nothing here is written per module.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use zkpipe_hdl::generate::{GeneratedModule, PortDir};

/// Oldest Verilator this build is known to work with (Debian 12 ships 5.006).
const MIN_VERILATOR: (u32, u32) = (5, 0);

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=VERILATOR");
    let verilator = std::env::var("VERILATOR").unwrap_or_else(|_| "verilator".into());
    let root = check_verilator(&verilator);
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());

    let models = zkpipe_hdl::generate::sim_models();
    let include = root.join("include");
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .std("c++17")
        .flag("-faligned-new")
        .flag_if_supported("-Wno-unused-parameter")
        .flag_if_supported("-Wno-sign-compare")
        .flag_if_supported("-Wno-unused-variable")
        .flag_if_supported("-Wno-shadow")
        .warnings(false)
        // Large generated models: -O1 keeps compile time reasonable at little cost to
        // simulation speed.
        .opt_level(1)
        .debug(false)
        .include(&include)
        .include(include.join("vltstd"));
    for runtime in [
        "verilated.cpp",
        "verilated_threads.cpp",
        "verilated_vcd_c.cpp",
    ] {
        build.file(include.join(runtime));
    }
    for m in &models {
        let dir = out.join(&m.name);
        verilate(&verilator, m, &dir);
        build.include(&dir);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "cpp") {
                build.file(path);
            }
        }
    }
    build.compile("zkpipe_models");
    std::fs::write(out.join("models.rs"), rust_table(&models)).unwrap();
}

/// Fails the build with an actionable message if Verilator is missing or too old.
fn check_verilator(verilator: &str) -> PathBuf {
    let fail = |why: String| -> ! {
        panic!(
            "\n\nzkpipe-sim needs Verilator >= {}.{}: {why}.\n\
             On Debian/Ubuntu: `sudo apt-get install -y verilator` (or run scripts/setup.sh).\n\
             To use another installation, set VERILATOR=/path/to/verilator.\n\n",
            MIN_VERILATOR.0, MIN_VERILATOR.1
        )
    };
    let output = Command::new(verilator)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| fail(format!("could not run `{verilator}` ({e})")));
    let text = String::from_utf8_lossy(&output.stdout);
    // "Verilator 5.006 2023-01-22 rev (Debian 5.006-3)"
    let version = text
        .split_whitespace()
        .nth(1)
        .and_then(|v| {
            let mut it = v.split('.');
            Some((
                it.next()?.parse::<u32>().ok()?,
                it.next()?.parse::<u32>().ok()?,
            ))
        })
        .unwrap_or_else(|| {
            fail(format!(
                "unrecognised `verilator --version` output `{text}`"
            ))
        });
    if version < MIN_VERILATOR {
        fail(format!("found {}.{:03}", version.0, version.1));
    }
    let root = Command::new(verilator)
        .args(["--getenv", "VERILATOR_ROOT"])
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|p| p.join("include/verilated.cpp").exists())
        .unwrap_or_else(|| fail("cannot locate its include folder (VERILATOR_ROOT)".into()));
    root
}

fn verilate(verilator: &str, m: &GeneratedModule, dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let source = dir.join(format!("{}.v", m.name));
    std::fs::write(&source, &m.verilog).unwrap();
    let prefix = format!("V{}", m.name);
    let status = Command::new(verilator)
        .args(["--cc", "-Wno-fatal", "-Wno-lint", "-Wno-style", "--trace"])
        .args(["--top-module", "top", "--prefix", &prefix, "-Mdir"])
        .arg(dir)
        .arg(&source)
        .output()
        .expect("running verilator");
    if !status.status.success() {
        panic!(
            "verilator failed on {}:\n{}",
            m.name,
            String::from_utf8_lossy(&status.stderr)
        );
    }
    std::fs::write(dir.join(format!("{}_shim.cpp", m.name)), shim(m)).unwrap();
}

/// The C ABI of one model: new/free/eval/tick and port access by index as u64 limbs.
fn shim(m: &GeneratedModule) -> String {
    let n = &m.name;
    let v = format!("V{n}");
    let mut set = String::new();
    let mut get = String::new();
    for (i, p) in m.ports.iter().enumerate() {
        let field = format!("h->top->{}", p.name);
        if p.width <= 64 {
            if p.dir == PortDir::Input {
                writeln!(set, "    case {i}: {field} = limbs[0]; break;").unwrap();
            }
            writeln!(get, "    case {i}: limbs[0] = {field}; break;").unwrap();
        } else {
            let words = p.width.div_ceil(32);
            if p.dir == PortDir::Input {
                writeln!(
                    set,
                    "    case {i}: for (int w = 0; w < {words}; w++) {field}[w] = (uint32_t)(limbs[w / 2] >> (32 * (w % 2))); break;"
                )
                .unwrap();
            }
            writeln!(
                get,
                "    case {i}: for (int w = 0; w < {}; w++) limbs[w] = 0;\n      for (int w = 0; w < {words}; w++) limbs[w / 2] |= (uint64_t){field}[w] << (32 * (w % 2)); break;",
                p.width.div_ceil(64)
            )
            .unwrap();
        }
    }
    format!(
        r#"// Generated by zkpipe-sim's build script: C ABI for model {n}.
#include <cstdint>
#include "{v}.h"
#include "verilated.h"
#include "verilated_vcd_c.h"

struct Zk_{n} {{
  VerilatedContext* ctx;
  {v}* top;
  VerilatedVcdC* trace;
  uint64_t time;
}};

extern "C" {{
void* zk_{n}_new(const char* trace_path) {{
  Zk_{n}* h = new Zk_{n}();
  h->ctx = new VerilatedContext();
  h->ctx->traceEverOn(trace_path != nullptr);
  h->top = new {v}(h->ctx, "top");
  h->trace = nullptr;
  h->time = 0;
  if (trace_path) {{
    h->trace = new VerilatedVcdC();
    h->top->trace(h->trace, 99);
    h->trace->open(trace_path);
  }}
  h->top->clock = 0;
  h->top->eval();
  if (h->trace) h->trace->dump(h->time);
  return h;
}}

void zk_{n}_free(void* p) {{
  Zk_{n}* h = (Zk_{n}*)p;
  if (h->trace) {{ h->trace->close(); delete h->trace; }}
  h->top->final();
  delete h->top;
  delete h->ctx;
  delete h;
}}

void zk_{n}_set(void* p, uint32_t port, const uint64_t* limbs) {{
  Zk_{n}* h = (Zk_{n}*)p;
  switch (port) {{
{set}    default: break;
  }}
}}

void zk_{n}_get(void* p, uint32_t port, uint64_t* limbs) {{
  Zk_{n}* h = (Zk_{n}*)p;
  switch (port) {{
{get}    default: break;
  }}
}}

void zk_{n}_eval(void* p) {{
  Zk_{n}* h = (Zk_{n}*)p;
  h->top->eval();
}}

void zk_{n}_tick(void* p, uint64_t cycles) {{
  Zk_{n}* h = (Zk_{n}*)p;
  for (uint64_t c = 0; c < cycles; c++) {{
    h->top->clock = 1;
    h->top->eval();
    h->time += 1;
    if (h->trace) h->trace->dump(h->time);
    h->top->clock = 0;
    h->top->eval();
    h->time += 1;
    if (h->trace) h->trace->dump(h->time);
  }}
}}
}}
"#
    )
}

fn rust_table(models: &[GeneratedModule]) -> String {
    let mut s = String::from("// Generated by zkpipe-sim's build script.\n");
    s.push_str("extern \"C\" {\n");
    for m in models {
        let n = &m.name;
        writeln!(
            s,
            "    fn zk_{n}_new(trace: *const c_char) -> *mut c_void;\n    fn zk_{n}_free(h: *mut c_void);\n    fn zk_{n}_set(h: *mut c_void, port: u32, limbs: *const u64);\n    fn zk_{n}_get(h: *mut c_void, port: u32, limbs: *mut u64);\n    fn zk_{n}_eval(h: *mut c_void);\n    fn zk_{n}_tick(h: *mut c_void, cycles: u64);"
        )
        .unwrap();
    }
    s.push_str(
        "}\n\n/// Every model linked into this crate.\npub static MODELS: &[ModelDesc] = &[\n",
    );
    for m in models {
        let n = &m.name;
        let ports: Vec<String> = m
            .ports
            .iter()
            .map(|p| {
                format!(
                    "PortDesc {{ name: {:?}, width: {}, input: {} }}",
                    p.name,
                    p.width,
                    p.dir == PortDir::Input
                )
            })
            .collect();
        writeln!(
            s,
            "    ModelDesc {{ name: {n:?}, latency: {}, tiles: {}, ports: &[{}], vtable: Vtable {{ new: zk_{n}_new, free: zk_{n}_free, set: zk_{n}_set, get: zk_{n}_get, eval: zk_{n}_eval, tick: zk_{n}_tick }} }},",
            m.latency,
            m.tiles,
            ports.join(", ")
        )
        .unwrap();
    }
    s.push_str("];\n");
    s
}
