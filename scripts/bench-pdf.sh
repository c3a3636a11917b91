#!/usr/bin/env bash
# Times pdf-figures' full structured extraction (figures located, cropped and rendered at 200 dpi,
# every image written, page text, tables, display equations with their crops, hyper-parameters,
# paper.md) beside poppler's `pdfimages -all` (every image dumped) and `pdftotext` (plain text) on
# the corpus papers, in the same run, and prints per-paper times and the ratios
# pdf-figures / pdfimages (goal < 1.0) and pdf-figures / pdftotext (goal < 2.0).
#
# Needs: poppler-utils (pdfimages, pdftotext), ../shared/corpus/papers (or PAPER_REPLICATION_SHARED).
# Each tool runs REPEAT times per paper (default 3) and its fastest run counts, so that a
# noisy neighbour on a shared machine does not decide a ratio.
#
# Usage: scripts/bench-pdf.sh [paper.pdf ...]     (default: every corpus paper)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${PAPER_REPLICATION_SHARED:-$root/../shared}
for tool in pdfimages pdftotext; do
    command -v $tool >/dev/null || { echo "bench-pdf: $tool missing (apt-get install poppler-utils)" >&2; exit 2; }
done
if [ $# -eq 0 ]; then
    [ -d "$shared/corpus/papers" ] || { echo "bench-pdf: $shared/corpus/papers missing (set PAPER_REPLICATION_SHARED)" >&2; exit 2; }
    set -- "$shared"/corpus/papers/*.pdf
fi
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/pdf-figures}
cargo build --quiet --release -p pdf-figures --manifest-path "$root/Cargo.toml"
bin=$CARGO_TARGET_DIR/release/pdf-figures
# Outputs go to a RAM disk when there is one. All three tools write files (pdf-figures and
# pdfimages hundreds per paper), and on a disk the cost of creating a file depends on the disk's
# history: on the development VM's /tmp, 1.1 ms per file against 0.065 ms in a fresh folder of
# the same disk, which alone would decide the ratios. BENCH_TMPDIR=/some/dir overrides.
if [ -n "${BENCH_TMPDIR:-}" ]; then
    base=$BENCH_TMPDIR
elif [ -d /dev/shm ] && [ -w /dev/shm ]; then
    base=/dev/shm
else
    base=${TMPDIR:-/tmp}
fi
tmp=$(mktemp -d "$base/bench-pdf.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
echo "outputs in $base" >&2
now() { date +%s.%N; }
repeat=${REPEAT:-3}
# Fastest of $repeat runs of "$@", in seconds.
best() {
    local b="" t0 t1 d
    for _ in $(seq "$repeat"); do
        t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
        d=$(echo "$t1 - $t0" | bc -l)
        if [ -z "$b" ] || [ "$(echo "$d < $b" | bc -l)" = 1 ]; then b=$d; fi
    done
    echo "$b"
}
# pdf-figures into a new folder each run (replacing one with --force would add its removal).
k=0
figures() { k=$((k + 1)); "$bin" "$1" -o "$2-run$k"; }
printf '%-14s %10s %10s %10s %8s %8s %8s\n' paper pdfimages pdftotext pdf-figures /images /text figures
tot_p=0; tot_t=0; tot_f=0; ratios=(); tratios=()
for pdf in "$@"; do
    name=$(basename "$pdf" .pdf)
    mkdir -p "$tmp/$name-img"
    p=$(best pdfimages -all "$pdf" "$tmp/$name-img/i")
    t=$(best pdftotext "$pdf" "$tmp/$name.txt")
    f=$(best figures "$pdf" "$tmp/$name")
    "$bin" "$pdf" -o "$tmp/$name-out" --json > "$tmp/$name.json"
    r=$(echo "$f / $p" | bc -l); rt=$(echo "$f / $t" | bc -l)
    n=$(grep -c '"caption":' "$tmp/$name.json" || true)
    printf '%-14s %9.3fs %9.3fs %9.3fs %8.2f %8.2f %8s\n' "$name" "$p" "$t" "$f" "$r" "$rt" "$n"
    tot_p=$(echo "$tot_p + $p" | bc -l); tot_t=$(echo "$tot_t + $t" | bc -l); tot_f=$(echo "$tot_f + $f" | bc -l)
    ratios+=("$r"); tratios+=("$rt")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf 'total: pdfimages %.3fs, pdf-figures %.3fs, ratio %.2f (median per-paper ratio %.2f)\n' \
    "$tot_p" "$tot_f" "$(echo "$tot_f / $tot_p" | bc -l)" "$(median "${ratios[@]}")"
printf 'total: pdftotext %.3fs, pdf-figures %.3fs, ratio %.2f (median per-paper ratio %.2f; goal < 2)\n' \
    "$tot_t" "$tot_f" "$(echo "$tot_f / $tot_t" | bc -l)" "$(median "${tratios[@]}")"
