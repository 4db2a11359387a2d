//! Prints the register table of docs/REGISTERS.md from the single definition.
fn main() {
    print!("{}", zkpipe_hdl::shell::regs::registers_markdown());
}
