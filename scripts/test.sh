#!/usr/bin/env bash
# Every test of the project: Rust (fmt, clippy, unit and integration tests), Python (pytest,
# real PyTorch forward passes), and the packaged skill (reproducible, valid, static helpers).
# Installs missing test dependencies first (scripts/deps.sh); CI calls exactly this script.
#
# Two tiers. The corpus tier needs the shared reference folder (../shared beside the clone, or
# $PAPER_REPLICATION_SHARED): its real papers, its real-world Mermaid blocks, and the PyTorch
# sources its get.sh unpacks into target/corpus/pytorch. By convention those tests are the Rust
# integration tests named crates/*/tests/corpus*.rs (built with `--features corpus`) and the
# Python tests marked `pytest.mark.corpus`. Without the folder the tier is not run, and the
# last line says so and how to supply it: its tests are neither run nor counted as passed.
# PAPER_REPLICATION_CORPUS=require (set by .ci/run) makes a missing corpus an error instead.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "test dependencies"
scripts/deps.sh

# Decide the corpus tier once; tests run with their working directory inside the crate, so
# the shared folder is passed on as an absolute path.
shared=${PAPER_REPLICATION_SHARED:-../shared}
missing=()
[ -d "$shared/corpus/papers" ] || missing+=("$shared/corpus/papers")
[ -f "$shared/corpus/mermaid/MANIFEST.tsv" ] || missing+=("$shared/corpus/mermaid/MANIFEST.tsv")
[ -f target/corpus/pytorch/MANIFEST.tsv ] ||
  missing+=("target/corpus/pytorch (scripts/deps.sh unpacks it with $shared/corpus/pytorch/get.sh)")
if [ ${#missing[@]} -eq 0 ]; then
  PAPER_REPLICATION_SHARED=$(cd "$shared" && pwd)
  export PAPER_REPLICATION_SHARED
  export PAPER_REPLICATION_CORPUS=require
  corpus_features=(--features corpus)
  tier_line="corpus tier: ran (shared folder $PAPER_REPLICATION_SHARED)"
else
  what=$(printf '%s; ' "${missing[@]}")
  what=${what%; }
  how="put the shared/ folder beside the clone as ../shared or set PAPER_REPLICATION_SHARED=/path/to/shared, then rerun scripts/test.sh"
  if [ "${PAPER_REPLICATION_CORPUS:-}" = require ]; then
    printf 'test.sh: the corpus tier is required (PAPER_REPLICATION_CORPUS=require) but missing: %s; %s\n' "$what" "$how" >&2
    exit 2
  fi
  tier_line="corpus tier: SKIPPED, not run and not counted as passed: missing $what; $how"
  export PAPER_REPLICATION_CORPUS=skip
  corpus_features=()
fi

step "cargo fmt --check"
cargo fmt --all -- --check

# The corpus tests are always compiled and linted, whether or not they can run here.
step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked --features corpus -- -D warnings

step "cargo test${corpus_features:+ ${corpus_features[*]}}"
cargo test --workspace --locked ${corpus_features[@]+"${corpus_features[@]}"}

step "pytest"
# The slowest tests are listed so that a CI log shows where its time went.
python3 -m pytest tests/python -q --durations=15

step "packaged skill"
scripts/check-dist.sh

printf '\n%s\n' "$tier_line"
