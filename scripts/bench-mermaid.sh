#!/usr/bin/env bash
# Speed of `mermaid-gen check` against real Mermaid (mermaid.parse under Node + jsdom) on the
# whole real-world corpus (../shared/corpus/mermaid, 178 flowchart blocks), in the same run.
# Prints wall and CPU (user+sys) times of both and their ratios (goal: >= 100x). On a shared,
# busy machine the CPU ratio is the stable one; wall time includes waiting for a core.
#
# Needs: a Rust toolchain, node >= 20 and `npm ci --prefix tests/mermaid-oracle`.
# Usage: scripts/bench-mermaid.sh [REPEAT]   (REPEAT: runs of mermaid-gen to average, default 5)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${PAPER_REPLICATION_SHARED:-$root/../shared}"
corpus="$shared/corpus/mermaid"
repeat="${1:-5}"
[ -f "$corpus/MANIFEST.tsv" ] || { echo "bench-mermaid: missing corpus $corpus (set PAPER_REPLICATION_SHARED)" >&2; exit 2; }
[ -d "$root/tests/mermaid-oracle/node_modules/mermaid" ] || { echo "bench-mermaid: run: npm ci --prefix tests/mermaid-oracle" >&2; exit 2; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/mermaid-gen}"
cargo build --release -q -j 2 -p mermaid-gen --manifest-path "$root/Cargo.toml"
bin="$CARGO_TARGET_DIR/release/mermaid-gen"
files=("$corpus"/*.mmd)
n=${#files[@]}

TIMEFORMAT='%R %U %S'
cpu_of() { awk '{ printf "%.4f %.4f", $1, $2 + $3 }' "$1"; }

# mermaid-gen: one process checking every file (exit 1 is expected: the corpus has failures).
run_ours() {
  for _ in $(seq "$repeat"); do
    "$bin" check "${files[@]}" > /dev/null || [ $? -eq 1 ]
  done
}
{ time run_ours ; } 2> /tmp/bench-mermaid-ours.$$
read -r ours_wall ours_cpu <<< "$(cpu_of /tmp/bench-mermaid-ours.$$)"
ours_wall=$(echo "$ours_wall / $repeat" | bc -l)
ours_cpu=$(echo "$ours_cpu / $repeat" | bc -l)

# Real Mermaid: one Node process parsing every file (import included, as a CLI user pays it).
run_theirs() {
  node -e '
const fs = require("fs");
const files = process.argv.slice(1);
process.stdout.write(files.map((f, i) => JSON.stringify({ id: i, code: fs.readFileSync(f, "utf8") })).join("\n") + "\n");
' "${files[@]}" | (cd "$root/tests/mermaid-oracle" && node oracle.mjs) > /tmp/bench-mermaid-oracle.$$
}
{ time run_theirs ; } 2> /tmp/bench-mermaid-theirs.$$
read -r theirs_wall theirs_cpu <<< "$(cpu_of /tmp/bench-mermaid-theirs.$$)"
answers=$(($(wc -l < /tmp/bench-mermaid-oracle.$$) - 1))
rm -f /tmp/bench-mermaid-oracle.$$ /tmp/bench-mermaid-ours.$$ /tmp/bench-mermaid-theirs.$$
[ "$answers" -eq "$n" ] || { echo "bench-mermaid: oracle answered $answers of $n" >&2; exit 1; }

printf 'corpus: %d blocks\n' "$n"
printf 'mermaid-gen check:          wall %8.4f s  cpu %8.4f s  (mean of %d runs)\n' "$ours_wall" "$ours_cpu" "$repeat"
printf 'mermaid.parse (node+jsdom): wall %8.4f s  cpu %8.4f s\n' "$theirs_wall" "$theirs_cpu"
printf 'ratio: wall %.0fx, cpu %.0fx faster\n' "$(echo "$theirs_wall / $ours_wall" | bc -l)" "$(echo "$theirs_cpu / $ours_cpu" | bc -l)"
