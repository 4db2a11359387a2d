#!/bin/sh
# Installs the system packages zkpipe needs on Debian/Ubuntu (idempotent):
#   verilator  simulation of the generated hardware (zkpipe-sim links it into Rust)
#   yosys      resource reports (scripts/resources.sh)
#   g++, make  compiling the verilated C++ models
# Rust itself comes from rustup (https://rustup.rs); this script only checks for it.
set -eu

PACKAGES="verilator yosys g++ make"

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

if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: cargo not found; install Rust with rustup: https://rustup.rs" >&2
    exit 1
fi

echo "setup: $(verilator --version | head -n1); $(yosys -V | head -n1); $(cargo --version)"
