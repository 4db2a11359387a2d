#!/bin/sh
# Resources of a preset's point adder without its MontMuls (they are black boxes; add 13 ×
# the `scripts/resources.sh <field>_mont_mul_tiled` row for the whole adder).
#
#   scripts/adder_resources.sh [PRESET]      default u250-bn254; about 15 minutes
set -eu
cd "$(dirname "$0")/.."
preset="${1:-u250-bn254}"
work="scripts/.resources/adder-$preset"
mkdir -p "$work"
cargo run -q --release -p zkpipe-hdl --bin synth -- --preset "$preset" --out "$work/gen" >/dev/null
module="point_add_$(echo "$preset" | tr '-' '_')"
python3 - "$work/gen/$module.v" "$work/adder_bb.v" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
out = []
for m in re.split(r'(?=\nmodule )', src):
    h = re.match(r'\nmodule (\S+)\((.*?)\);', m, re.S)
    if h and re.fullmatch(r'top\$muls\$\d+', h.group(1)):
        ports = [l.replace('output reg', 'output') for l in m.split('\n')
                 if re.match(r'\s*(input|output)\b', l)]
        out.append('\n(* blackbox *)\nmodule %s(%s);\n%s\nendmodule\n'
                   % (h.group(1), h.group(2), '\n'.join(ports)))
    elif not (h and h.group(1).startswith('top$muls$')):
        out.append(m)
open(sys.argv[2], 'w').write(''.join(out))
PY
cat >"$work/run.ys" <<YS
read_verilog $work/adder_bb.v
synth_xilinx -flatten -family xcup -top top
tee -q -o $work/stat.txt stat
delete t:FD* t:SRL* t:DSP48E2 t:BUFG t:IBUF t:OBUF
tee -q -o $work/ltp.txt ltp
YS
yosys -q -l "$work/yosys.log" -s "$work/run.ys" >/dev/null
count() { awk -v re="$1" '$1 ~ re { n += $2 } END { print n + 0 }' "$work/stat.txt"; }
printf '%s without MontMuls: LUT %s  FF %s  SRL %s  DSP %s  CARRY %s  longest path %s cells\n' \
    "$module" "$(count '^LUT[1-6]')" "$(count '^FD[CPRS]E$')" "$(count '^SRL')" \
    "$(count '^DSP48E2$')" "$(count '^CARRY[48]$')" \
    "$(sed -n 's/.*(length=\([0-9]*\)).*/\1/p' "$work/ltp.txt" | head -n1)"
