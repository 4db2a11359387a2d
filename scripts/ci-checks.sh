#!/bin/sh
# Checks beyond `cargo test` that the README's test command runs after it:
#  1. the host library (`zkpipe`, feature vfio only) depends on neither rust-hdl nor the
#     simulator, and builds with no Verilator anywhere (VERILATOR names a missing file and
#     a `verilator` that fails is first on PATH; `cargo check` runs every build script as
#     a build would, without the code generation a library's users do anyway);
#  2. a build with another feature set of the simulator recompiles no verilated model
#     (models are cached by content).
set -eu
cd "$(dirname "$0")/.."

echo "ci-checks: zkpipe (vfio) without rust-hdl, zkpipe-sim or Verilator"
tree=$(cargo tree -p zkpipe --no-default-features --features vfio -e normal)
if echo "$tree" | grep -E "rust-hdl|zkpipe-sim|zkpipe-hdl"; then
    echo "ci-checks: zkpipe (vfio) pulls the generator or the simulator" >&2
    exit 1
fi
fake=$(mktemp -d)
printf '#!/bin/sh\necho "verilator must not run for this build" >&2\nexit 127\n' > "$fake/verilator"
chmod +x "$fake/verilator"
PATH="$fake:$PATH" VERILATOR=/nonexistent/verilator \
    cargo check -q -p zkpipe --no-default-features --features vfio
rm -r "$fake"

echo "ci-checks: another feature set of zkpipe-sim reuses every cached model"
out=$(cargo check -p zkpipe-sim 2>&1)
echo "$out" | grep "zkpipe-sim:" || true
if ! echo "$out" | grep -Eq "zkpipe-sim: ([0-9]+) models \(\1 reused"; then
    echo "ci-checks: the simulator recompiled models it had built before:" >&2
    echo "$out" >&2
    exit 1
fi
echo "ci-checks: ok"
