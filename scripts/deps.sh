#!/usr/bin/env bash
# Installs what the tests need and is missing; quick when everything is already there.
# Called by scripts/test.sh (and so by CI). Needs the package registries only (PyPI, npm).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'deps: %s\n' "$*" >&2; }

# Python: pytest and the pinned PyTorch pair (CPU is enough; the CUDA wheels run on the CPU).
if ! python3 - <<'PY' 2>/dev/null
import importlib, sys
need = {"pytest": None, "torch": "2.14.1", "torchvision": "0.29.2", "yaml": None}
for mod, ver in need.items():
    m = importlib.import_module(mod)
    if ver and not m.__version__.startswith(ver):
        sys.exit(1)
PY
then
  say "installing Python test packages (torch is about 3 GB; a few minutes)"
  python3 -m pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt
fi

# Node: the real Mermaid parser is the oracle for mermaid-gen's tests.
if [ -f tests/mermaid-oracle/package-lock.json ] && [ ! -d tests/mermaid-oracle/node_modules/mermaid ]; then
  command -v npm >/dev/null || { say "npm not found: install Node.js 20 and npm"; exit 2; }
  say "installing the Mermaid oracle (npm ci)"
  npm ci --prefix tests/mermaid-oracle --no-audit --no-fund --loglevel=error
fi

# Real PyTorch model sources for tensor-shape-lint's corpus tests (pinned wheels from PyPI).
shared=${PAPER_REPLICATION_SHARED:-../shared}
if [ -x "$shared/corpus/pytorch/get.sh" ] || [ -f "$shared/corpus/pytorch/get.sh" ]; then
  if [ ! -f target/corpus/pytorch/MANIFEST.tsv ] && [ ! -f target/corpus/pytorch/MANIFEST ]; then
    say "unpacking the PyTorch source corpus into target/corpus/pytorch"
    mkdir -p target/corpus
    bash "$shared/corpus/pytorch/get.sh" target/corpus/pytorch >&2
  fi
fi
