#!/usr/bin/env bash
# Held-out figure score of pdf-figures on real LaTeX-made documents that Debian ships (R package
# vignettes), against the hand-checked tests/ground-truth/figures-debian.tsv, with pdffigures2's
# rule (right page and id, caption matching). The third-party PDFs are not in the repository:
# this script fetches their packages with `apt-get download` into a cache folder and unpacks
# them there. Prints per-document precision and recall and the totals.
#
# Needs: apt-get with Debian bookworm sources (run `apt-get update` once), dpkg-deb, python3.
# Usage: scripts/heldout-debian.sh [cache-dir]      (default: target/heldout-debian)
# PDF_FIGURES_BIN=path scores that binary instead of building the release one.
# Exit: 0 scored; 2 when a package or document cannot be fetched (says which).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${1:-$root/target/heldout-debian}
truth=$root/tests/ground-truth/figures-debian.tsv
mkdir -p "$cache"
for pkg in $(grep -v '^#' "$truth" | cut -f1 | sort -u); do
    if ! ls "$cache"/"$pkg"_*.deb >/dev/null 2>&1; then
        (cd "$cache" && apt-get download "$pkg" >/dev/null 2>&1) || {
            echo "heldout-debian: cannot fetch Debian package $pkg: the held-out documents are absent" \
                 "(run apt-get update, check network access to the Debian mirror)" >&2
            exit 2
        }
    fi
    deb=$(ls "$cache"/"$pkg"_*.deb | head -1)
    [ -d "$cache/$pkg" ] || dpkg-deb -x "$deb" "$cache/$pkg"
done
if [ -n "${PDF_FIGURES_BIN:-}" ]; then
    bin=$PDF_FIGURES_BIN
else
    export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/pdf-figures}
    cargo build --quiet --release -p pdf-figures --manifest-path "$root/Cargo.toml"
    bin=$CARGO_TARGET_DIR/release/pdf-figures
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for doc in $(grep -v '^#' "$truth" | cut -f1,2 | sort -u | tr '\t' '|'); do
    pkg=${doc%%|*}; file=${doc#*|}
    pdf=$cache/$pkg/$file
    [ -f "$pdf" ] || { echo "heldout-debian: $pdf absent from package $pkg (ground truth out of date?)" >&2; exit 2; }
    name=$(basename "$file" .pdf)
    echo "heldout-debian: $pkg $name" >&2
    "$bin" "$pdf" -o "$tmp/$name" --json > "$tmp/$pkg--$name.json"
done
python3 - "$truth" "$tmp" <<'PY'
import json, sys, collections
truth, tmp = sys.argv[1], sys.argv[2]
norm = lambda s: ''.join(c for c in s if c.isalnum()).lower()
gold = collections.defaultdict(list)
for line in open(truth, encoding='utf-8'):
    if line.startswith('#') or not line.strip():
        continue
    pkg, file, fid, page, prefix = line.rstrip('\n').split('\t')
    gold[(pkg, file)].append((fid, int(page), norm(prefix)[:40]))
T = [0, 0, 0]
print(f"{'document':<22} gold found  tp precision recall")
for (pkg, file), rows in sorted(gold.items()):
    name = file.rsplit('/', 1)[1][:-4]
    found = json.load(open(f"{tmp}/{pkg}--{name}.json"))['figures']
    left = list(rows); tp = 0
    for f in found:
        hit = next((g for g in left if g[0] == f['id'] and g[1] == f['page']
                    and norm(f['caption']).startswith(g[2])), None)
        if hit:
            left.remove(hit); tp += 1
        else:
            print(f"  {name}: unexpected figure {f['id']} p.{f['page']}: {f['caption'][:60]}")
    for g in left:
        print(f"  {name}: missed figure {g[0]} p.{g[1]}")
    T[0] += len(rows); T[1] += len(found); T[2] += tp
    print(f"{name:<22} {len(rows):>4} {len(found):>5} {tp:>3} {tp/max(1,len(found)):>9.3f} {tp/len(rows):>6.3f}")
print(f"overall: precision {T[2]/max(1,T[1]):.3f} recall {T[2]/T[0]:.3f} ({T[2]} right of {T[1]} found, {T[0]} true)")
PY
