#!/usr/bin/env bash
# Checks the uploadable ZIP the way a reviewer would: build it twice (same SHA-256), validate it
# strictly (claude.ai's 200-character description too), keep its uncompressed size under the
# project's 20 MB budget (the upload limit is 30 MB; the rest is room for new features), read it
# with Python's zipfile and unzip, and confirm the shipped binary is statically linked and holds
# every helper.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { printf 'check-dist: FAIL %s\n' "$*" >&2; exit 1; }
ok() { printf 'check-dist: ok   %s\n' "$*"; }

zip=dist/paper-replication.zip
cargo run --quiet --release --locked -p skill-pack -- build >/dev/null
first=$(sha256sum "$zip" | cut -d' ' -f1)
[ "$first" = "$(cut -d' ' -f1 dist/paper-replication.zip.sha256)" ] || fail "the .sha256 file does not match the ZIP"
cargo run --quiet --release --locked -p skill-pack -- build >/dev/null
second=$(sha256sum "$zip" | cut -d' ' -f1)
[ "$first" = "$second" ] || fail "two builds differ: $first vs $second"
ok "two builds give the same SHA-256 ($first)"

cargo run --quiet --release --locked -p skill-pack -- validate --strict "$zip" || fail "skill-pack validate --strict rejects the ZIP"
ok "skill-pack validate --strict accepts the ZIP"

# The budget is decimal, like the upload limit it leaves room under (SP-Z5).
budget=20000000
python3 - "$zip" "$budget" <<'PY' || fail "the ZIP is over its uncompressed budget"
import sys, zipfile
zip_path, budget = sys.argv[1], int(sys.argv[2])
with zipfile.ZipFile(zip_path) as z:
    infos = z.infolist()
total = sum(i.file_size for i in infos)
largest = sorted(infos, key=lambda i: -i.file_size)[:3]
print("check-dist: size %s bytes uncompressed, budget %s, headroom %s (%.1f%%); largest: %s" % (
    format(total, ","), format(budget, ","), format(budget - total, ","), 100.0 * (budget - total) / budget,
    ", ".join("%s %s" % (i.filename.split("/", 1)[1], format(i.file_size, ",")) for i in largest)))
sys.exit(0 if total <= budget else 1)
PY
ok "uncompressed size within the 20,000,000-byte budget"

python3 - "$zip" <<'PY' || fail "Python's zipfile cannot read the ZIP"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()
    assert bad is None, f"corrupt entry {bad}"
    names = z.namelist()
    assert "paper-replication/SKILL.md" in names, "no paper-replication/SKILL.md"
    assert all(n.startswith("paper-replication/") for n in names), "entry outside the top folder"
PY
ok "Python's zipfile reads it; one top folder with SKILL.md"

listing=$(unzip -l "$zip")
grep -q ' paper-replication/SKILL.md$' <<<"$listing" || fail "unzip -l shows no paper-replication/SKILL.md"
shipped=$(cargo metadata --format-version 1 --no-deps --locked | python3 -c '
import json, sys
meta = json.load(sys.stdin)
for p in meta["packages"]:
    if ((p.get("metadata") or {}).get("paper-replication") or {}).get("ship"):
        print(p["name"])')
[ -n "$shipped" ] || fail "no workspace crate is marked ship = true"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
unzip -q "$zip" -d "$tmp"
for h in $shipped; do
  grep -q " paper-replication/bin/$h\$" <<<"$listing" || fail "unzip -l shows no bin/$h"
  desc=$(file -b "$tmp/paper-replication/bin/$h")
  case "$desc" in
    *"statically linked"*|*"static-pie linked"*) ok "bin/$h: $desc" ;;
    *) fail "bin/$h is not statically linked: $desc" ;;
  esac
done

# The multi-call binary answers for each helper its crate lists, from the unpacked ZIP.
holds=$(cargo metadata --format-version 1 --no-deps --locked | python3 -c '
import json, sys
meta = json.load(sys.stdin)
for p in meta["packages"]:
    for h in ((p.get("metadata") or {}).get("paper-replication") or {}).get("helpers") or []:
        print(p["name"], h)')
[ -n "$holds" ] || fail "no shipped crate lists the helpers it holds"
while read -r binary h; do
  chmod +x "$tmp/paper-replication/bin/$binary"
  version=$("$tmp/paper-replication/bin/$binary" "$h" --version) || fail "bin/$binary $h --version failed"
  ok "bin/$binary $h: $version"
done <<<"$holds"
