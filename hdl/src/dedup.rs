//! Merging identical modules in rust-hdl's Verilog, for the simulator.
//!
//! rust-hdl writes one module per child *instance* (`top$muls$3$mul_ab`), so a G2 adder
//! with 42 identical MontMuls is 42 copies of the MontMul's modules — 10,351 modules and
//! 7.6 MB of Verilog, 32 MB of C++ after Verilator. Merging modules whose text is the
//! same up to their own name (children first, so that parents of merged children become
//! identical too) leaves 27 modules; Verilator then keeps the large ones as shared C++
//! and the C++ compile takes about a third of the time. The design is unchanged: only
//! modules that are identical line for line are merged, and instances keep their names.
//!
//! The simulator's build and the lint test use this: `synth` keeps rust-hdl's text, whose per-module
//! resource markers `resources` counts.

use std::collections::HashMap;

/// A module of the text: its name and its lines from `module` to `endmodule`.
struct Module<'a> {
    name: &'a str,
    text: &'a str,
}

/// The name in a `module NAME(...)` line.
fn module_name(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("module ")?;
    let end = rest.find(|c: char| c == '(' || c == ';' || c.is_whitespace())?;
    Some(&rest[..end])
}

/// Splits rust-hdl's output into the text before the first module and the modules.
fn split(verilog: &str) -> (&str, Vec<Module<'_>>) {
    let mut starts: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    for line in verilog.split_inclusive('\n') {
        if let Some(name) = module_name(line) {
            starts.push((offset, name));
        }
        offset += line.len();
    }
    let preamble = &verilog[..starts.first().map_or(verilog.len(), |s| s.0)];
    let modules = starts
        .iter()
        .enumerate()
        .map(|(i, &(start, name))| {
            let end = starts.get(i + 1).map_or(verilog.len(), |s| s.0);
            Module {
                name,
                text: &verilog[start..end],
            }
        })
        .collect();
    (preamble, modules)
}

/// The module instantiated by a line `    TYPE inst(`, if TYPE is one of `known`.
fn instantiated<'a>(line: &'a str, known: &HashMap<&str, usize>) -> Option<&'a str> {
    let mut words = line.split_whitespace();
    let ty = words.next()?;
    let inst = words.next()?;
    (inst.ends_with('(') && known.contains_key(ty)).then_some(ty)
}

/// Module text with its children renamed to their canonical modules and its own name
/// replaced by `self_name`.
fn rewrite(m: &Module, self_name: &str, known: &HashMap<&str, usize>, canon: &[String]) -> String {
    let mut out = String::with_capacity(m.text.len());
    for line in m.text.split_inclusive('\n') {
        if let Some(ty) = instantiated(line, known) {
            let at = line.find(ty).expect("the type is in the line");
            out.push_str(&line[..at]);
            out.push_str(&canon[known[ty]]);
            out.push_str(&line[at + ty.len()..]);
        } else if module_name(line) == Some(m.name) {
            out.push_str(&line.replacen(m.name, self_name, 1));
        } else if line.trim_end() == format!("endmodule // {}", m.name) {
            out.push_str(&format!("endmodule // {self_name}\n"));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Merges the modules that are identical up to their names; see the module docs.
pub fn merge_identical_modules(verilog: &str) -> String {
    let (preamble, modules) = split(verilog);
    let known: HashMap<&str, usize> = modules
        .iter()
        .enumerate()
        .map(|(i, m)| (m.name, i))
        .collect();
    if known.len() != modules.len() {
        return verilog.to_string(); // a name defined twice: not rust-hdl's output, leave it
    }
    // Children before parents: a depth-first post-order from every module.
    let mut order = Vec::with_capacity(modules.len());
    let mut state = vec![0u8; modules.len()]; // 0 new, 1 open, 2 done
    for root in 0..modules.len() {
        let mut stack = vec![(root, false)];
        while let Some((i, children_done)) = stack.pop() {
            if children_done {
                state[i] = 2;
                order.push(i);
                continue;
            }
            if state[i] != 0 {
                continue;
            }
            state[i] = 1;
            stack.push((i, true));
            // Reversed, so that children are visited (and kept first) in text order.
            let children: Vec<usize> = modules[i]
                .text
                .lines()
                .filter_map(|line| instantiated(line, &known).map(|ty| known[ty]))
                .collect();
            stack.extend(children.into_iter().rev().map(|c| (c, false)));
        }
    }
    let mut canon: Vec<String> = modules.iter().map(|m| m.name.to_string()).collect();
    let mut kept: HashMap<String, usize> = HashMap::new();
    let mut texts: Vec<Option<String>> = vec![None; modules.len()];
    for &i in &order {
        let shape = rewrite(&modules[i], "\u{0}", &known, &canon);
        match kept.get(&shape) {
            Some(&first) => canon[i] = canon[first].clone(),
            None => {
                kept.insert(shape, i);
                texts[i] = Some(rewrite(&modules[i], modules[i].name, &known, &canon));
            }
        }
    }
    let mut out = String::with_capacity(verilog.len());
    out.push_str(preamble);
    for text in texts.into_iter().flatten() {
        out.push_str(&text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
// preamble
module top(clock,a,q);
    top$r$0 r$0(
        .d(a)
    );
    top$r$1 r$1(
        .d(a)
    );
    top$w w(
        .d(a)
    );
endmodule // top

module top$r$0(d);
    top$r$0$held held(
        .d(d)
    );
endmodule // top$r$0

module top$r$0$held(d);
    reg [3:0] q;
endmodule // top$r$0$held

module top$r$1(d);
    top$r$1$held held(
        .d(d)
    );
endmodule // top$r$1

module top$r$1$held(d);
    reg [3:0] q;
endmodule // top$r$1$held

module top$w(d);
    reg [7:0] q;
endmodule // top$w
";

    #[test]
    fn identical_subtrees_merge_and_parents_point_at_the_first() {
        let merged = merge_identical_modules(TEXT);
        assert!(merged.starts_with("// preamble\n"));
        assert!(!merged.contains("module top$r$1"), "{merged}");
        assert!(merged.contains("    top$r$0 r$1(\n"), "{merged}");
        assert!(merged.contains("module top$r$0$held(d);"));
        assert!(
            merged.contains("module top$w(d);\n    reg [7:0] q;"),
            "different width kept"
        );
        assert_eq!(
            merged.lines().filter(|l| l.starts_with("module ")).count(),
            4
        );
        assert_eq!(merge_identical_modules(&merged), merged, "a fixed point");
    }

    #[test]
    fn a_module_that_differs_anywhere_is_kept() {
        let text = TEXT.replace(
            "module top$r$1$held(d);\n    reg [3:0] q;",
            "module top$r$1$held(d);\n    reg [3:0] p;",
        );
        let merged = merge_identical_modules(&text);
        assert!(merged.contains("module top$r$1(d);"));
        assert!(merged.contains("module top$r$1$held(d);"));
    }
}
