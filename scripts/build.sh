#!/usr/bin/env bash
# Builds everything, packs the skill ZIP, and runs the main job on the bundled sample:
# pdf-figures reads tests/pdf/sample/sample.pdf (a short paper written for this project),
# then the code helpers run on the ResNet-50 reference replication. Output: dist/.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "build the helpers (one static multi-call binary, bin/paper-tools) and pack dist/paper-replication.zip"
cargo run --quiet --release --locked -p skill-pack -- build
python3 - dist/paper-replication.zip <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    total = sum(i.file_size for i in z.infolist())
print("uncompressed: %s bytes (budget 20,000,000; upload limit 30,000,000)" % format(total, ","))
PY

# The demo runs the helpers the way Claude does: through the skill's launcher.
run() { python3 skill/paper-replication/scripts/run.py "$@"; }
demo=dist/demo
rm -rf "$demo"
mkdir -p "$demo"

step "phase 1: pdf-figures on the bundled sample paper"
run pdf-figures tests/pdf/sample/sample.pdf -o "$demo/sample"
printf 'manifest: %s\n' "$demo/sample/manifest.json"

step "phase 2: mermaid-gen diagram of the ResNet-50 example from its shape comments"
run mermaid-gen code examples/resnet50/model.py --class ResNet50 > "$demo/resnet50-overview.mmd"
run mermaid-gen check "$demo/resnet50-overview.mmd"

step "phase 3: tensor-shape-lint on the ResNet-50 example"
run tensor-shape-lint examples/resnet50/model.py examples/resnet50/modules

step "phase 4: repro-check scaffolds the sample paper's output tree, then verifies the ResNet-50 example (static items; --run needs PyTorch)"
run repro-check init --paper "TinyNet: A Small Convolutional Network for Toy Image Classification" \
  --model TinyNet --modules conv_block,classifier --hyperparams "$demo/sample/hyperparams.json" \
  --out "$demo/output"
run repro-check verify examples/resnet50

printf '\nbuilt: dist/paper-replication.zip (sha256 %s)\ndemo output: %s/\n' \
  "$(cut -d' ' -f1 dist/paper-replication.zip.sha256)" "$demo"
