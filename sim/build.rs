//! Generates the simulation tops with zkpipe-hdl, verilates each with its own `--prefix`,
//! writes a C ABI shim per model from its port list, compiles everything with `cc`, and
//! emits the Rust table of models (`models.rs`) that `src/lib.rs` includes.
//!
//! One mechanism serves every model: nothing here is written per module.
//!
//! **Speed.** Models are built by a pool of `NUM_JOBS` workers; each model's Verilator
//! output is compiled as a few unity translation units of about 4 MB ([`UNITY_BYTES`]), not
//! one object per Verilator file (the headers each file parses again were half the board's
//! compile). Each run writes every model's wall-clock seconds (built or reused) to
//! `model-times.txt` in `OUT_DIR`.
//!
//! **Cache.** A model's object files are kept in `<target>/zkpipe-models/<key>/`, where
//! the key hashes everything that determines them: the Verilog text, the shim, the
//! Verilator version, and the Verilator and C++ flags. Cargo re-runs this script whenever
//! a dependency's features or the profile change; identical models are then reused, not
//! recompiled. `ZKPIPE_MODEL_CACHE=<dir>` moves the cache; deleting it is always safe.
//!
//! **Features.** The boards are always built; `units` adds the standalone arithmetic
//! units, NTT core, point adder and BN254 Fr's `karatsuba-naf` MontMul; `tiled` the tiled
//! MontMuls; `karatsuba` the other `karatsuba` and `karatsuba-naf` MontMuls; `trace` compiles VCD
//! tracing in (`ZKPIPE_TRACE`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use zkpipe_hdl::generate::{GeneratedModule, ModelSet, PortDir};

#[path = "src/cache.rs"]
mod cache;
use cache::{cached, hash, prune};

/// Oldest Verilator this build is known to work with (Debian 12 ships 5.006).
const MIN_VERILATOR: (u32, u32) = (5, 0);

/// C++ optimisation level of the boards, which the tests simulate for millions of cycles
/// (chosen by measurement: README, "Simulator build"); `ZKPIPE_SIM_OPT` overrides it.
const DEFAULT_OPT: &str = "1";

/// C++ optimisation level of the standalone units, which the tests run for thousands of
/// cycles (not millions): `-O0` compiles their C++ about 3× faster than `-O1` (README, "Simulator
/// build"); `ZKPIPE_UNIT_OPT` overrides it.
const DEFAULT_UNIT_OPT: &str = "0";

/// Extra Verilator flags (chosen by measurement: README, "Simulator build");
/// `ZKPIPE_VERILATOR_FLAGS` overrides them.
const DEFAULT_VERILATOR_FLAGS: &str = "";

/// Cached entries kept per model (the one just used and the most recent others: other
/// feature sets, flags or recent versions of the design).
const KEEP_PER_MODEL: usize = 3;

/// Bump to invalidate every cached model (a change in how this script compiles them).
const CACHE_EPOCH: u32 = 2;

fn feature(name: &str) -> bool {
    std::env::var_os(format!("CARGO_FEATURE_{}", name.to_uppercase())).is_some()
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=VERILATOR");
    println!("cargo:rerun-if-env-changed=ZKPIPE_SIM_OPT");
    println!("cargo:rerun-if-env-changed=ZKPIPE_UNIT_OPT");
    println!("cargo:rerun-if-env-changed=ZKPIPE_MODEL_CACHE");
    println!("cargo:rerun-if-env-changed=ZKPIPE_VERILATOR_FLAGS");
    let verilator = std::env::var("VERILATOR").unwrap_or_else(|_| "verilator".into());
    let (root, version) = check_verilator(&verilator);
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let trace = feature("trace");
    let opt = std::env::var("ZKPIPE_SIM_OPT").unwrap_or_else(|_| DEFAULT_OPT.into());
    let unit_opt = std::env::var("ZKPIPE_UNIT_OPT").unwrap_or_else(|_| DEFAULT_UNIT_OPT.into());
    let vflags: Vec<String> = std::env::var("ZKPIPE_VERILATOR_FLAGS")
        .unwrap_or_else(|_| DEFAULT_VERILATOR_FLAGS.into())
        .split_whitespace()
        .map(String::from)
        .collect();
    let cache = cache_root(&out);

    let generation = std::time::Instant::now();
    let models = zkpipe_hdl::generate::sim_models(ModelSet {
        units: feature("units"),
        tiled: feature("tiled"),
        karatsuba: feature("karatsuba"),
    });
    let generation = generation.elapsed().as_secs_f64();
    let include = root.join("include");
    let compiler = |opt: &str| {
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
            .opt_level_str(opt)
            .debug(false)
            .include(&include)
            .include(include.join("vltstd"));
        if trace {
            build.define("VM_TRACE", "1");
        }
        build
    };
    let flags = format!(
        "epoch={CACHE_EPOCH} trace={trace} verilator-flags={} cxx={}",
        vflags.join(" "),
        compiler_id()
    );

    // The Verilator runtime: cached like a model, keyed by the Verilator version.
    let mut runtime_files = vec!["verilated.cpp", "verilated_threads.cpp"];
    if trace {
        runtime_files.push("verilated_vcd_c.cpp");
    }
    // With it, the C functions the behavioural multipliers call through the DPI.
    let dpi = zkpipe_hdl::field::leaf::dpi_cpp();
    let runtime_key = hash(&[
        version.as_bytes(),
        flags.as_bytes(),
        opt.as_bytes(),
        runtime_files.join(",").as_bytes(),
        dpi.as_bytes(),
    ]);
    let (mut objects, _) = cached(&cache, &format!("runtime-{runtime_key:016x}"), |dir| {
        let mut build = compiler(&opt);
        for f in &runtime_files {
            build.file(include.join(f));
        }
        let dpi_file = dir.join("zkpipe_dpi.cpp");
        std::fs::write(&dpi_file, &dpi).unwrap();
        build.file(dpi_file);
        compile_objects(build, dir)
    });
    // Models are independent: a pool of workers (cargo's NUM_JOBS) verilates and compiles
    // them concurrently, so one model's single-threaded Verilator run overlaps another's
    // C++; each model's own files compile in parallel through cc's jobserver.
    let tools = Tools {
        verilator: &verilator,
        version: &version,
        flags: &flags,
        board_opt: &opt,
        unit_opt: &unit_opt,
        trace,
        vflags: &vflags,
        cache: &cache,
        compiler: &compiler,
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::env::var("NUM_JOBS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, models.len().max(1));
    let mut built: Vec<(usize, Built, f64)> = std::thread::scope(|scope| {
        let pool: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(m) = models.get(i) else { break mine };
                        let t = std::time::Instant::now();
                        let built = tools.build_model(m);
                        mine.push((i, built, t.elapsed().as_secs_f64()));
                    }
                })
            })
            .collect();
        pool.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    // Link order as the model table's.
    built.sort_by_key(|b| b.0);
    let mut reused = 0;
    let mut times = format!(
        "# Wall-clock seconds of this build script's steps ({workers} workers)\n\
         generating every model's Verilog: {generation:.1}\n"
    );
    for (m, (_, (objs, hit), seconds)) in models.iter().zip(built) {
        reused += hit as usize;
        objects.extend(objs);
        prune(&cache, &m.name, KEEP_PER_MODEL);
        let how = if hit { "reused" } else { "built" };
        writeln!(times, "{}: {seconds:.1} ({how})", m.name).unwrap();
    }
    // Where a clean build's time goes, for whoever makes it shorter (not a cargo warning:
    // it would be printed on every build).
    std::fs::write(out.join("model-times.txt"), times).unwrap();
    println!(
        "cargo:warning=zkpipe-sim: {} models ({reused} reused from {}), opt -O{opt} (units -O{unit_opt}), trace {trace}, verilator flags `{}`",
        models.len(),
        cache.display(),
        vflags.join(" ")
    );
    let mut link = cc::Build::new();
    link.cpp(true).objects(&objects);
    link.compile("zkpipe_models");
    std::fs::write(out.join("models.rs"), rust_table(&models, trace)).unwrap();
}

/// A model's object files and whether they were reused from the cache.
type Built = (Vec<PathBuf>, bool);

/// What every model's build shares: the tools, their flags and the cache.
struct Tools<'a> {
    verilator: &'a str,
    /// `verilator --version`, part of every cache key.
    version: &'a str,
    /// The compile flags' description, part of every cache key.
    flags: &'a str,
    /// C++ optimisation level of the boards.
    board_opt: &'a str,
    /// C++ optimisation level of every other model.
    unit_opt: &'a str,
    trace: bool,
    /// Extra Verilator flags.
    vflags: &'a [String],
    cache: &'a Path,
    compiler: &'a (dyn Fn(&str) -> cc::Build + Sync),
}

impl Tools<'_> {
    /// Verilates and compiles one model into its cache entry (or reuses the entry).
    fn build_model(&self, m: &GeneratedModule) -> Built {
        // rust-hdl writes a module per instance: merging identical ones cuts the C++ to
        // compile by about 3× (see `zkpipe_hdl::dedup`).
        let verilog = zkpipe_hdl::dedup::merge_identical_modules(&m.verilog);
        let shim = shim(m, self.trace);
        let opt = if m.name.starts_with(zkpipe_hdl::generate::BOARD_PREFIX) {
            self.board_opt
        } else {
            self.unit_opt
        };
        let key = hash(&[
            verilog.as_bytes(),
            shim.as_bytes(),
            self.version.as_bytes(),
            self.flags.as_bytes(),
            opt.as_bytes(),
        ]);
        let name = format!("{}-{key:016x}", m.name);
        cached(self.cache, &name, |dir| {
            let src = dir.join("src");
            verilate(
                self.verilator,
                &m.name,
                &verilog,
                &src,
                self.trace,
                self.vflags,
            );
            std::fs::write(src.join(format!("{}_shim.cpp", m.name)), &shim).unwrap();
            let mut build = (self.compiler)(opt);
            build.include(&src);
            for unit in unity_units(&src, &dir.join("unity")) {
                build.file(unit);
            }
            compile_objects(build, dir)
        })
    }
}

/// C++ per unity translation unit. Verilator splits a model into many small files that
/// each parse its headers again: on sim-small's board (124 files, 25 MB) that header work
/// was about half the compile. Grouping them into units of about this size (Verilator's
/// own `__ALL.cpp` does the same) halved the board's C++ CPU time (226 → 100 s, -O1)
/// while leaving several units to compile in parallel.
const UNITY_BYTES: u64 = 4 << 20;

/// Writes unity files in `dir`, each `#include`-ing a share of `src`'s `.cpp` files
/// (largest first into the lightest unit; compiled with `src` on the include path), and
/// returns their paths.
fn unity_units(src: &Path, dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cpp"))
        .map(|p| (std::fs::metadata(&p).unwrap().len(), p))
        .collect();
    // Deterministic: by size, then by name.
    files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let total: u64 = files.iter().map(|f| f.0).sum();
    let count = total.div_ceil(UNITY_BYTES).max(1) as usize;
    let mut units: Vec<(u64, String)> = vec![(0, String::new()); count];
    for (size, path) in &files {
        let lightest = units.iter_mut().min_by_key(|u| u.0).unwrap();
        lightest.0 += size;
        // By name, through the build's `-I src`: the entry's folder is renamed after the
        // build (`cached`), so an absolute path would name a folder that no longer exists.
        let file = path.file_name().unwrap().to_string_lossy();
        writeln!(lightest.1, "#include \"{file}\"").unwrap();
    }
    std::fs::create_dir_all(dir).unwrap();
    units
        .into_iter()
        .enumerate()
        .filter(|(_, u)| u.0 > 0)
        .map(|(i, (_, text))| {
            let path = dir.join(format!("unity_{i}.cpp"));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

/// `<target>/zkpipe-models`, found from OUT_DIR (`<target>/<profile>/build/<pkg>/out`),
/// or `ZKPIPE_MODEL_CACHE`.
fn cache_root(out: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("ZKPIPE_MODEL_CACHE") {
        return PathBuf::from(dir);
    }
    out.ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "build"))
        .and_then(|build| build.parent()?.parent())
        .map(|target| target.join("zkpipe-models"))
        .unwrap_or_else(|| out.join("zkpipe-models"))
}

/// The C++ compiler's identity (its `--version`), part of every cache key.
fn compiler_id() -> String {
    let cxx = cc::Build::new().cpp(true).get_compiler();
    let out = Command::new(cxx.path()).arg("--version").output();
    let version = out
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_default();
    format!("{} {version}", cxx.path().display())
}

/// Compiles a build's files to object files in `dir/obj` (no archive).
fn compile_objects(mut build: cc::Build, dir: &Path) -> Vec<PathBuf> {
    let obj = dir.join("obj");
    std::fs::create_dir_all(&obj).unwrap();
    build.out_dir(&obj).cargo_metadata(false);
    build.compile_intermediates()
}

/// Fails the build with an actionable message if Verilator is missing or too old.
fn check_verilator(verilator: &str) -> (PathBuf, String) {
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
    (root, text.trim().to_string())
}

fn verilate(verilator: &str, name: &str, verilog: &str, dir: &Path, trace: bool, flags: &[String]) {
    std::fs::create_dir_all(dir).unwrap();
    let source = dir.join(format!("{name}.v"));
    std::fs::write(&source, verilog).unwrap();
    let prefix = format!("V{name}");
    let status = Command::new(verilator)
        .args(["--cc", "-Wno-fatal", "-Wno-lint", "-Wno-style"])
        .args(trace.then_some("--trace"))
        .args(flags)
        .args(["--top-module", "top", "--prefix", &prefix, "-Mdir"])
        .arg(dir)
        .arg(&source)
        .output()
        .expect("running verilator");
    if !status.status.success() {
        panic!(
            "verilator failed on {}:\n{}",
            name,
            String::from_utf8_lossy(&status.stderr)
        );
    }
}

/// The C ABI of one model: new/free/eval/tick and port access by index as u64 limbs.
/// `trace`: compile VCD tracing in (the model must be verilated with `--trace`).
fn shim(m: &GeneratedModule, trace: bool) -> String {
    let vm_trace = trace as u32;
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
#define ZK_TRACE {vm_trace}
#include <cstdint>
#include "{v}.h"
#include "verilated.h"
#if ZK_TRACE
#include "verilated_vcd_c.h"
#else
struct VerilatedVcdC;
#endif

struct Zk_{n} {{
  VerilatedContext* ctx;
  {v}* top;
  VerilatedVcdC* trace;
  uint64_t time;
}};

#if ZK_TRACE
#define ZK_DUMP(h) do {{ if ((h)->trace) (h)->trace->dump((h)->time); }} while (0)
#else
#define ZK_DUMP(h) do {{ }} while (0)
#endif

extern "C" {{
void* zk_{n}_new(const char* trace_path) {{
  Zk_{n}* h = new Zk_{n}();
  h->ctx = new VerilatedContext();
  h->top = nullptr;
  h->trace = nullptr;
  h->time = 0;
#if ZK_TRACE
  h->ctx->traceEverOn(trace_path != nullptr);
  h->top = new {v}(h->ctx, "top");
  if (trace_path) {{
    h->trace = new VerilatedVcdC();
    h->top->trace(h->trace, 99);
    h->trace->open(trace_path);
  }}
#else
  (void)trace_path;
  h->top = new {v}(h->ctx, "top");
#endif
  h->top->clock = 0;
  h->top->eval();
  ZK_DUMP(h);
  return h;
}}

void zk_{n}_free(void* p) {{
  Zk_{n}* h = (Zk_{n}*)p;
#if ZK_TRACE
  if (h->trace) {{ h->trace->close(); delete h->trace; }}
#endif
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

void zk_{n}_settle(void* p) {{
  Zk_{n}* h = (Zk_{n}*)p;
  h->top->clock = 0;
  h->top->eval();
  h->time += 1;
  ZK_DUMP(h);
}}

void zk_{n}_rise(void* p) {{
  Zk_{n}* h = (Zk_{n}*)p;
  h->top->clock = 1;
  h->top->eval();
  h->time += 1;
  ZK_DUMP(h);
}}

void zk_{n}_tick(void* p, uint64_t cycles) {{
  Zk_{n}* h = (Zk_{n}*)p;
  for (uint64_t c = 0; c < cycles; c++) {{
    h->top->clock = 1;
    h->top->eval();
    h->time += 1;
    ZK_DUMP(h);
    h->top->clock = 0;
    h->top->eval();
    h->time += 1;
    ZK_DUMP(h);
  }}
}}
}}
"#
    )
}

fn rust_table(models: &[GeneratedModule], trace: bool) -> String {
    let mut s = String::from("// Generated by zkpipe-sim's build script.\n");
    writeln!(s, "/// Whether the models were built with VCD tracing (feature `trace`).\npub const TRACE: bool = {trace};").unwrap();
    s.push_str("extern \"C\" {\n");
    for m in models {
        let n = &m.name;
        writeln!(
            s,
            "    fn zk_{n}_new(trace: *const c_char) -> *mut c_void;\n    fn zk_{n}_free(h: *mut c_void);\n    fn zk_{n}_set(h: *mut c_void, port: u32, limbs: *const u64);\n    fn zk_{n}_get(h: *mut c_void, port: u32, limbs: *mut u64);\n    fn zk_{n}_eval(h: *mut c_void);\n    fn zk_{n}_settle(h: *mut c_void);\n    fn zk_{n}_rise(h: *mut c_void);\n    fn zk_{n}_tick(h: *mut c_void, cycles: u64);"
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
            "    ModelDesc {{ name: {n:?}, latency: {}, tiles: {}, ports: &[{}], vtable: Vtable {{ new: zk_{n}_new, free: zk_{n}_free, set: zk_{n}_set, get: zk_{n}_get, eval: zk_{n}_eval, settle: zk_{n}_settle, rise: zk_{n}_rise, tick: zk_{n}_tick }} }},",
            m.latency,
            m.tiles,
            ports.join(", ")
        )
        .unwrap();
    }
    s.push_str("];\n");
    s
}
