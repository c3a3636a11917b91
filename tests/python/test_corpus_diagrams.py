"""mermaid-gen's generators on a fixed subset of real models (scripts/sweep-diagrams.py --subset):
an example, torchvision's MobileNetV2, Swin-T, ResNet-18, GoogLeNet, ShuffleNetV2, ViT-B/32 and
FCN, labml's U-Net and a YOLOv1-like conv stack, each traced by a real forward pass.

Every `trace`, `trace --depth 2` and `shapes` diagram must parse in real Mermaid, represent every
module call of its trace (re-counted by the sweep from the diagram text, not taken from
mermaid-gen's word) and pass repro-check's diagrams.* items. `code --trace` must parse and
conserve too; on library code without shape comments its inner nodes have no shape, so the
diagrams.* failures it may have are printed, and checked on the example (which has comments).

Needs the corpus (labml's U-Net: target/corpus/pytorch, from ../shared/corpus/pytorch/get.sh),
the Mermaid oracle (npm ci --prefix tests/mermaid-oracle) and cargo. Runs in about 3 minutes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.corpus

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "target" / "corpus" / "pytorch"
SHARED = Path(os.environ.get("PAPER_REPLICATION_SHARED", REPO.parent / "shared"))


def test_subset_of_real_models_conserves_every_call_and_passes_the_diagram_items(tmp_path):
    if not (CORPUS / "MANIFEST.tsv").is_file():
        get = SHARED / "corpus" / "pytorch" / "get.sh"
        if not get.is_file():
            pytest.fail(f"corpus missing and {get} not found: set PAPER_REPLICATION_SHARED")
        subprocess.run(["bash", str(get), str(CORPUS)], check=True)
    oracle = REPO / "tests" / "mermaid-oracle" / "node_modules" / "mermaid"
    if not oracle.is_dir():
        pytest.fail("the Mermaid oracle is not installed: npm ci --prefix tests/mermaid-oracle")
    target = REPO / "target"
    subprocess.run(
        ["cargo", "build", "--quiet", "-p", "mermaid-gen", "-p", "repro-check"],
        cwd=REPO,
        env=dict(os.environ, CARGO_TARGET_DIR=str(target)),
        check=True,
    )
    r = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "sweep-diagrams.py"),
            "--subset",
            "--json",
            "--keep",
            str(tmp_path),
            "--bin",
            str(target / "debug"),
            "--corpus",
            str(CORPUS),
        ],
        capture_output=True,
        text=True,
    )
    lines = r.stdout.strip().splitlines()
    assert lines, f"the sweep printed nothing: {r.stderr[-2000:]}"
    totals = json.loads(lines[-1])
    report = "\n".join(lines[:-1]) + "\n" + r.stderr[-3000:]
    print(report)
    assert totals["models"] == 10 and totals["not_traced"] == 0, report
    # 4 diagrams per model: trace, trace --depth 2, shapes, code --trace.
    assert totals["diagrams"] == 40, report
    assert totals["generator_errors"] == 0, report
    assert totals["lost"] == 0, report
    assert totals["parse_failures"] == 0, report
    by_kind = totals["item_failures_by_diagram"]
    for kind in ("trace", "trace-depth2", "shapes"):
        assert by_kind.get(kind, 0) == 0, report
    assert not any(
        line.startswith("example:") and "diagrams." in line for line in lines[:-1]
    ), report
