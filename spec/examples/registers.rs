//! Prints the register table of docs/REGISTERS.md from the single definition.
fn main() {
    print!("{}", zkpipe_spec::regs::registers_markdown());
}
