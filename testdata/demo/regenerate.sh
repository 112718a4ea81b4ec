#!/bin/sh
# Regenerates testdata/demo byte for byte (tests/eval.rs checks it does).
# Run from the repository root.
set -e
cargo run --release --bin seam-gen -- demo --out testdata/demo
