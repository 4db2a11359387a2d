#!/bin/sh
# Skeleton: build a bitstream for a real-card preset with Xilinx Vivado (not run in CI;
# needs a Vivado installation and licence for the part).
#
#   cargo run --release --bin synth -- --preset u250-bn254
#   scripts/vivado/build.sh u250-bn254
#
# Produces bitstreams/<preset>/zkpipe_<preset>.bit next to the generated Verilog.
set -eu
cd "$(dirname "$0")/../.."
preset="${1:-u250-bn254}"
dir="bitstreams/$preset"
[ -f "$dir/manifest.json" ] || { echo "run: cargo run --release --bin synth -- --preset $preset" >&2; exit 1; }
command -v vivado >/dev/null || { echo "vivado not found: source <Vivado>/settings64.sh" >&2; exit 1; }
part=$(sed -n 's/.*"part": "\(.*\)".*/\1/p' "$dir/manifest.json" | head -n1)
board=$(sed -n 's/.*"file": "\(board_[^"]*\)".*/\1/p' "$dir/manifest.json" | head -n1)
vivado -mode batch -source scripts/vivado/build.tcl -tclargs "$dir" "$part" "$board" "$preset"
