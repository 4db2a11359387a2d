#!/bin/sh
# Resource report of one generated module with yosys (Xilinx UltraScale+ mapping).
#
#   scripts/resources.sh MODULE            e.g. bn254_fq_mont_mul_tiled
#   scripts/resources.sh --list            the module names
#
# Prints LUT, FF, DSP and CARRY counts and the longest combinational path in cells
# between registers (yosys `ltp` after `synth_xilinx -flatten -family xcup`, with the
# flip-flops, SRLs and DSP slices cut out). Large modules take
# minutes; the full yosys log is kept in scripts/.resources/MODULE/.
set -eu
cd "$(dirname "$0")/.."

work=scripts/.resources
units="$work/units"
mkdir -p "$units"
cargo run -q --release -p zkpipe-hdl --example units -- "$units" >"$work/units.txt"

if [ "${1:-}" = "" ] || [ "$1" = "--list" ] || [ "$1" = "-h" ]; then
    echo "usage: scripts/resources.sh MODULE; modules:"
    cut -d' ' -f1 "$work/units.txt" | sed 's/^/  /'
    [ "${1:-}" = "--list" ]; exit
fi

module="$1"
src="$units/$module.v"
if [ ! -f "$src" ]; then
    echo "resources: unknown module '$module' (scripts/resources.sh --list)" >&2
    exit 1
fi
command -v yosys >/dev/null || { echo "resources: yosys not found; run scripts/setup.sh" >&2; exit 1; }

out="$work/$module"
mkdir -p "$out"
cat >"$out/run.ys" <<YS
read_verilog $src
synth_xilinx -flatten -family xcup -top top
tee -q -o $out/stat.txt stat
# Longest combinational path: cut the design at every register (flip-flops, shift-register
# LUTs, DSP slices) and measure the deepest remaining chain of LUT/CARRY cells.
delete t:FD* t:SRL* t:DSP48E2 t:BUFG t:IBUF t:OBUF
# LUT6_2 (ternary adders) as two LUTs over the inputs each output uses (hdl/yosys/lut6_2_ltp.v).
techmap -map hdl/yosys/lut6_2_ltp.v t:LUT6_2
tee -q -o $out/ltp.txt ltp
YS
start=$(date +%s)
yosys -q -l "$out/yosys.log" -s "$out/run.ys" >/dev/null
secs=$(( $(date +%s) - start ))

count() { awk -v re="$1" '$1 ~ re { n += $2 } END { print n + 0 }' "$out/stat.txt"; }
luts=$(count '^LUT[1-6]')
ffs=$(count '^FD[CPRS]E$')
dsps=$(count '^DSP48E2$')
carry=$(count '^CARRY[48]$')
srl=$(count '^SRL')
path=$(sed -n 's/.*(length=\([0-9]*\)).*/\1/p' "$out/ltp.txt" | head -n1)
latency=$(awk -v m="$module" '$1 == m { print $3 }' "$work/units.txt")

printf '%-34s LUT %7s  FF %7s  SRL %5s  DSP %5s  CARRY %5s  longest path %3s cells  latency %s  (yosys %ss)\n' \
    "$module" "$luts" "$ffs" "$srl" "$dsps" "$carry" "$path" "$latency" "$secs"
