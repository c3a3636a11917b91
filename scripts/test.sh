#!/usr/bin/env bash
# Every test of the project: Rust (fmt, clippy, unit and integration tests), Python (pytest,
# real PyTorch forward passes), and the packaged skill (reproducible, valid, static helpers).
# Installs missing test dependencies first (scripts/deps.sh); CI calls exactly this script.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "test dependencies"
scripts/deps.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --locked

step "pytest"
python3 -m pytest tests/python -q

step "packaged skill"
scripts/check-dist.sh
