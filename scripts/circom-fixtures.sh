#!/bin/sh
# Regenerates the circom fixtures in fixtures/circom/<name>/ (committed; CI does not run
# this): compiles each circuit with circom 2 (npm `circom2`), runs a local powers-of-tau
# ceremony and a Groth16 setup with snarkjs (deterministic entropy: these keys are test
# fixtures, never use them for anything of value), computes the witness of the circuit's
# input and a snarkjs proof of it.
#
#   scripts/circom-fixtures.sh            # every fixture
#   scripts/circom-fixtures.sh merkle     # one
#
# Writes per fixture: circuit.zkey, witness.wtns, verification_key.json, and snarkjs's own
# proof.json and public.json (a reference the tests check zkpipe's verifier against).
set -eu
cd "$(dirname "$0")/../fixtures/circom"
[ -d node_modules ] || npm ci --no-audit --no-fund
BIN=node_modules/.bin

# name circuit curve ptau-power
FIXTURES="poseidon poseidon bn128 10
merkle merkle bn128 12
mul_chain mul_chain bn128 8
mul_chain_bls mul_chain bls12381 8"

echo "$FIXTURES" | while read -r name circuit curve power; do
    if [ $# -gt 0 ] && [ "$1" != "$name" ]; then continue; fi
    echo "== $name ($circuit on $curve, 2^$power)"
    build="build/$name"
    out="$name"
    rm -rf "$build" && mkdir -p "$build" "$out"
    $BIN/circom2 "circuits/$circuit.circom" --r1cs --wasm --O2 --prime "$curve" -o "$build" >"$build/circom.log"
    ptau="build/pot_${curve}_$power.ptau"
    if [ ! -f "$ptau" ]; then
        $BIN/snarkjs powersoftau new "$curve" "$power" "$ptau.0" >>"$build/snarkjs.log" || { cat "$build/snarkjs.log"; exit 1; }
        $BIN/snarkjs powersoftau contribute "$ptau.0" "$ptau.1" --name=zkpipe -e="zkpipe fixtures" >>"$build/snarkjs.log" || { cat "$build/snarkjs.log"; exit 1; }
        $BIN/snarkjs powersoftau prepare phase2 "$ptau.1" "$ptau" >>"$build/snarkjs.log" || { cat "$build/snarkjs.log"; exit 1; }
        rm -f "$ptau.0" "$ptau.1"
    fi
    $BIN/snarkjs groth16 setup "$build/$circuit.r1cs" "$ptau" "$build/key0.zkey" >>"$build/snarkjs.log" || { cat "$build/snarkjs.log"; exit 1; }
    $BIN/snarkjs zkey contribute "$build/key0.zkey" "$out/circuit.zkey" --name=zkpipe -e="zkpipe $name" >>"$build/snarkjs.log" || { cat "$build/snarkjs.log"; exit 1; }
    $BIN/snarkjs zkey export verificationkey "$out/circuit.zkey" "$out/verification_key.json" >>"$build/snarkjs.log" || { cat "$build/snarkjs.log"; exit 1; }
    $BIN/snarkjs wtns calculate "$build/${circuit}_js/$circuit.wasm" "inputs/$circuit.json" "$out/witness.wtns"
    $BIN/snarkjs groth16 prove "$out/circuit.zkey" "$out/witness.wtns" "$out/proof.json" "$out/public.json"
    $BIN/snarkjs groth16 verify "$out/verification_key.json" "$out/public.json" "$out/proof.json"
    $BIN/snarkjs r1cs info "$build/$circuit.r1cs" | sed 's/\x1b\[[0-9;]*m//g; s/^\[INFO\]  snarkJS: //' >"$out/r1cs-info.txt"
done
