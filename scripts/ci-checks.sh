#!/bin/sh
# Checks beyond `cargo test` that the README's test command runs after it:
#  1. the host library (`zkpipe`, feature vfio only) depends on neither rust-hdl nor the
#     simulator, and builds with no Verilator anywhere (VERILATOR names a missing file and
#     a `verilator` that fails is first on PATH; `cargo check` runs every build script as
#     a build would, without the code generation a library's users do anyway);
#  2. the simulator's build script, run as cargo runs it after a feature change (a fresh
#     OUT_DIR, another feature set), recompiles no verilated model (models are cached by
#     content). It runs the build script cargo built for the workspace directly: a
#     `cargo check -p zkpipe-sim` did the same but first compiled the generator's whole
#     dependency graph again for that package's own feature set (~1.6 min of CI);
#  3. the host library's docs (its default features, what its users build) have no
#     broken or private intra-doc links.
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

echo "ci-checks: zkpipe-sim's build script, with another feature set, reuses every cached model"
# The workspace build's zkpipe-sim build script and its features, from cargo (fresh: no build).
artifact=$(cargo build -q --workspace --message-format=json 2>/dev/null |
    grep '"reason":"compiler-artifact"' | grep '#zkpipe-sim@' | grep '"custom-build"' || true)
script=$(echo "$artifact" | sed -n 's/.*"filenames":\["\([^"]*\)".*/\1/p')
features=$(echo "$artifact" | sed -n 's/.*"features":\(\[[^]]*\]\).*/\1/p')
if [ ! -x "$script" ] || [ "$features" = '["default"]' ]; then
    echo "ci-checks: no build script of zkpipe-sim, or the workspace builds it with its default features only ($features)" >&2
    exit 1
fi
# Default features only, into an OUT_DIR of its own beside cargo's (the model cache is found
# from it: <target>/zkpipe-models).
out_dir="$(dirname "$(dirname "$script")")/zkpipe-sim-ci-check/out"
rm -rf "$out_dir"
mkdir -p "$out_dir"
host=$(rustc -vV | sed -n 's/^host: //p')
status=0
out=$(OUT_DIR="$out_dir" CARGO_MANIFEST_DIR="$PWD/sim" TARGET="$host" HOST="$host" \
    PROFILE=debug OPT_LEVEL=1 DEBUG=false NUM_JOBS=2 CARGO_FEATURE_DEFAULT=1 "$script" 2>&1) ||
    status=$?
rm -r "$(dirname "$out_dir")"
echo "$out" | grep "zkpipe-sim:" || true
if [ "$status" -ne 0 ] || ! echo "$out" | grep -Eq "zkpipe-sim: ([0-9]+) models \(\1 reused"; then
    echo "ci-checks: the build script (exit $status) recompiled models the workspace build ($features) had built, or failed:" >&2
    echo "$out" >&2
    exit 1
fi
echo "ci-checks: zkpipe's docs without warnings"
RUSTDOCFLAGS="-D warnings" cargo doc -q -p zkpipe --no-deps

echo "ci-checks: ok"
