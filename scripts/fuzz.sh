#!/usr/bin/env bash
# Mutation fuzzing of the helpers' input parsers (issue 20): builds the helpers, then runs
# scripts/fuzz.py with 10,000 mutated inputs per target (PDF, Python, Mermaid, YAML spec,
# SKILL.md, ZIP) and prints per target the exit-status distribution, the worst time and the
# worst peak memory. Fails on any abort or signal, any run over 30 s, any peak of 1 GB or more;
# failing inputs are saved under target/fuzz/crashes/<target>/.
#
# Usage: scripts/fuzz.sh [fuzz.py options]     e.g. --cases 2000 --target pdf
# CI runs a short fixed budget of the same loop through tests/python/test_fuzz.py.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet -p pdf-figures -p tensor-shape-lint -p mermaid-gen -p skill-pack
exec python3 scripts/fuzz.py --cases 10000 "$@"
