#!/usr/bin/env bash
# Checks the uploadable ZIP the way a reviewer would: build it twice (same SHA-256), validate it,
# read it with Python's zipfile and unzip, and confirm every shipped helper is statically linked.
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

cargo run --quiet --release --locked -p skill-pack -- validate "$zip" || fail "skill-pack validate rejects the ZIP"
ok "skill-pack validate accepts the ZIP"

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
