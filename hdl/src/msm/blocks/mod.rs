//! The Pippenger unit's sub-blocks as parameterised Verilog modules, each with a typed
//! config, a software model beside it and a standalone top for its own Verilator test.
//!
//! rust-hdl's ports have widths fixed at compile time, but these blocks' widths come from
//! the preset (bucket-address bits, coordinate width, window size), so they are written
//! as Verilog modules with parameters and instantiated from the unit's generated control
//! ([`super::pippenger`]). [`link`] appends the definition of every block a top
//! instantiates, once, whatever the number of instances; [`crate::generate::generate`]
//! runs it on every top.
//!
//! - [`fifo`]: first-word-fall-through FIFO — a lane's deferral FIFO (points whose bucket
//!   is still in the adder) and its point queue.
//! - [`in_flight`]: the buckets in a lane's adder (conflict tracking).
//! - [`negate`]: −y of a point, per component, in two stages of short borrow chains.
//! - [`ram`]: simple dual-port memory — a lane's buckets and its reduction sums.
//! - [`reduce_schedule`]: the bucket reduction's schedule (rounds × slots of S and T steps).
//! - [`signed_digit`]: a window's signed digit from its bits and the carry into it.
//! - [`window_carries`]: the carries into every window of a scalar, at once.

pub mod fifo;
pub mod in_flight;
pub mod negate;
pub mod ram;
pub mod reduce_schedule;
pub mod signed_digit;
pub mod window_carries;

use crate::generate::{GeneratedModule, Port, PortDir};

/// A library module: its name and its parameterised Verilog definition.
#[derive(Clone, Copy, Debug)]
pub struct LibraryModule {
    /// Module name (`zk_…`), as instances name it.
    pub name: &'static str,
    /// The definition, `module <name> #(…) (…); … endmodule`.
    pub verilog: &'static str,
}

/// Every library module [`link`] knows.
pub const LIBRARY: [LibraryModule; 7] = [
    fifo::MODULE,
    in_flight::MODULE,
    negate::MODULE,
    ram::MODULE,
    reduce_schedule::MODULE,
    signed_digit::MODULE,
    window_carries::MODULE,
];

/// `verilog` with the definitions of the library modules it instantiates appended (a
/// module is instantiated by a line starting with `<name> #(`).
pub fn link(verilog: &str) -> String {
    let used = |m: &LibraryModule| {
        let pattern = format!("{} #(", m.name);
        verilog
            .lines()
            .any(|l| l.trim_start().starts_with(&pattern))
    };
    let mut out = verilog.to_string();
    for m in LIBRARY.iter().filter(|m| used(m)) {
        out.push('\n');
        out.push_str(m.verilog);
    }
    out
}

/// ⌈log2 n⌉ (0 for n ≤ 1): address and counter widths.
pub(crate) fn ceil_log2(n: usize) -> usize {
    (usize::BITS - (n.max(1) - 1).leading_zeros()) as usize
}

/// Integer parameters as Verilog literals.
pub fn numbers(params: &[(&'static str, usize)]) -> Vec<(&'static str, String)> {
    params.iter().map(|&(p, v)| (p, v.to_string())).collect()
}

/// A sub-block's typed config: the module it instantiates with which parameters, and its
/// ports, declared once for both the instances in the unit and the standalone test top.
pub trait SubBlock {
    /// The library module.
    const MODULE: LibraryModule;
    /// Parameter values of this configuration (Verilog literals).
    fn params(&self) -> Vec<(&'static str, String)>;
    /// Ports (name, direction, width) but the clock.
    fn ports(&self) -> Vec<(&'static str, PortDir, usize)>;
    /// Whether the module has a `clock` input.
    fn clocked(&self) -> bool {
        true
    }
    /// Module name of the standalone test top (`zkpipe-sim` model name).
    fn top_name(&self) -> String;

    /// An instance named `inst`, `conns` naming the signal (or expression) on every port
    /// but the clock, which is the parent's `clock`. Panics on a missing or unknown port:
    /// a generator bug, caught when any preset is generated.
    fn instance(&self, inst: &str, conns: &[(&str, String)]) -> String {
        let ports = self.ports();
        for (name, _) in conns {
            assert!(
                ports.iter().any(|p| p.0 == *name),
                "{} has no port {name}",
                Self::MODULE.name
            );
        }
        let clock = self.clocked().then(|| "  .clock(clock)".to_string());
        let wired = ports.iter().map(|(name, _, _)| {
            let signal = conns
                .iter()
                .find(|c| c.0 == *name)
                .unwrap_or_else(|| panic!("{inst}: port {name} not connected"));
            format!("  .{name}({})", signal.1)
        });
        let params = self
            .params()
            .iter()
            .map(|(p, v)| format!(".{p}({v})"))
            .collect::<Vec<_>>()
            .join(", ");
        let lines = clock
            .into_iter()
            .chain(wired)
            .collect::<Vec<_>>()
            .join(",\n");
        format!("{} #({params}) {inst} (\n{lines}\n);\n", Self::MODULE.name)
    }

    /// A top `top` around one instance, every port of it a port of the top (plus a clock,
    /// which the simulator drives).
    fn top(&self) -> GeneratedModule {
        let ports = self.ports();
        let decls = std::iter::once("input clock".to_string())
            .chain(ports.iter().map(|(p, dir, w)| {
                let dir = match dir {
                    PortDir::Input => "input",
                    PortDir::Output => "output",
                };
                format!("{dir} [{}:0] {p}", w - 1)
            }))
            .collect::<Vec<_>>()
            .join(",\n  ");
        let conns: Vec<(&str, String)> = ports.iter().map(|p| (p.0, p.0.to_string())).collect();
        let verilog = link(&format!(
            "module top(\n  {decls}\n);\n{}endmodule\n",
            self.instance("u", &conns)
        ));
        let clock = Port {
            name: "clock".into(),
            dir: PortDir::Input,
            width: 1,
        };
        GeneratedModule {
            name: self.top_name(),
            latency: 0,
            tiles: 0,
            ports: std::iter::once(clock)
                .chain(ports.iter().map(|&(p, dir, width)| Port {
                    name: p.into(),
                    dir,
                    width,
                }))
                .collect(),
            verilog,
        }
    }
}

/// The tiny configurations the Verilator tests run (`zkpipe-sim`'s `units` feature).
pub fn test_tops() -> Vec<GeneratedModule> {
    vec![
        fifo::FifoConfig::TEST.top(),
        in_flight::InFlightConfig::TEST.top(),
        negate::NegateConfig::test().top(),
        ram::RamConfig::TEST.top(),
        reduce_schedule::ReduceScheduleConfig::TEST.top(),
        signed_digit::SignedDigitConfig::TEST.top(),
        window_carries::WindowCarriesConfig::TEST.top(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instance_connects_every_port_by_name() {
        let v = fifo::FifoConfig::TEST.instance(
            "f0",
            &[
                ("clear", "clr".into()),
                ("push", "p".into()),
                ("din", "d".into()),
                ("pop", "q".into()),
                ("head", "h".into()),
                ("count", "c".into()),
            ],
        );
        assert!(v.starts_with("zk_fifo #(.WIDTH(8), .ABITS(2)) f0 (\n  .clock(clock),"));
        for p in [
            ".clear(clr)",
            ".push(p)",
            ".din(d)",
            ".pop(q)",
            ".head(h)",
            ".count(c)",
        ] {
            assert!(v.contains(p), "{p} in {v}");
        }
    }

    #[test]
    #[should_panic(expected = "f0: port push not connected")]
    fn a_missing_port_is_a_generator_bug() {
        fifo::FifoConfig::TEST.instance("f0", &[("clear", "c".into())]);
    }

    #[test]
    fn link_appends_each_used_module_once() {
        let v = "module top();\nzk_fifo #(.WIDTH(8), .ABITS(2)) a (\n);\n  zk_fifo #(.WIDTH(9), .ABITS(2)) b (\n);\nendmodule\n";
        let linked = link(v);
        assert_eq!(linked.matches("module zk_fifo").count(), 1);
        assert!(!linked.contains("module zk_in_flight"));
        assert_eq!(
            link("module top();\nendmodule\n"),
            "module top();\nendmodule\n"
        );
    }
}
