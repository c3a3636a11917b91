#!/usr/bin/env bash
# Times tensor-shape-lint over the real PyTorch corpus beside `ruff check --select E,F` on the
# same files, and prints CPU seconds of both and their ratio (goal: tensor-shape-lint < 1 s CPU).
# Usage: scripts/bench-lint.sh [CORPUS_DIR]   (default target/corpus/pytorch; fetched if missing)
# Needs: ruff (pip install ruff), network access to PyPI the first time (corpus download).
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-target/corpus/pytorch}"
shared="${PAPER_REPLICATION_SHARED:-../shared}"
if [ ! -d "$corpus" ]; then
    bash "$shared/corpus/pytorch/get.sh" "$corpus"
fi
command -v ruff >/dev/null || { echo "bench-lint: ruff not found; pip install ruff" >&2; exit 2; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/tensor-shape-lint}"
cargo build --release --quiet -p tensor-shape-lint
bin="$CARGO_TARGET_DIR/release/tensor-shape-lint"
files=$(find "$corpus" -name '*.py' | wc -l)

# CPU time (user + sys) of a command, from bash's `times` in a subshell.
cpu() {
    ( "$@" >/dev/null 2>&1 || true; times ) | tail -1 | awk '
        function s(t) { split(t, a, "m"); sub("s", "", a[2]); return a[1] * 60 + a[2] }
        { printf "%.3f", s($1) + s($2) }'
}

tsl=$(cpu "$bin" --format concise "$corpus")
ruff_cpu=$(cpu ruff check --no-cache --select E,F --quiet "$corpus")
echo "corpus: $files files in $corpus"
echo "tensor-shape-lint: ${tsl} s CPU"
echo "ruff check --select E,F: ${ruff_cpu} s CPU"
awk -v a="$tsl" -v b="$ruff_cpu" 'BEGIN { if (b > 0) printf "ratio tensor-shape-lint / ruff: %.2f\n", a / b }'
awk -v a="$tsl" 'BEGIN { if (a >= 1.0) { print "bench-lint: over the 1 s CPU goal"; exit 1 } }'
