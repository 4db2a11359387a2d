#!/bin/sh
# Installs the system packages zkpipe needs on Debian/Ubuntu (idempotent):
#   verilator  simulation of the generated hardware (zkpipe-sim links it into Rust)
#   yosys      resource reports (scripts/resources.sh)
#   g++, make  compiling the verilated C++ models (and the C API test program)
#   nats-server the prover farm's broker (JetStream); the farm tests start their own
#   nodejs/npm snarkjs and circom 2 (npm packages pinned in fixtures/circom/package-lock.json,
#              installed there): the tests check every circom proof with snarkjs itself
# Rust itself comes from rustup (https://rustup.rs); this script only checks for it.
set -eu

PACKAGES="verilator yosys g++ make nats-server"

SUDO_CMD=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO_CMD="sudo"; fi

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
            echo "setup: need root (or sudo) to install:$missing" >&2; exit 1
        fi
    fi
    echo "setup: installing$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

# Node.js and npm: the machine's if present (Node 18+), Debian's otherwise.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "setup: installing nodejs npm"
    $SUDO_CMD apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO_CMD apt-get install -y -qq nodejs npm >/dev/null
fi
FIXTURES="$(dirname "$0")/../fixtures/circom"
if [ ! -x "$FIXTURES/node_modules/.bin/snarkjs" ] || [ "$FIXTURES/package-lock.json" -nt "$FIXTURES/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci in fixtures/circom (snarkjs, circom2, circomlib)"
    (cd "$FIXTURES" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: cargo not found; install Rust with rustup: https://rustup.rs" >&2
    exit 1
fi

echo "setup: $(verilator --version | head -n1); nats-server $(nats-server --version | sed "s/.* v//"); $(yosys -V | head -n1); $(cargo --version); node $(node --version); snarkjs $(node -p "JSON.parse(require('fs').readFileSync('$FIXTURES/node_modules/snarkjs/package.json')).version")"
