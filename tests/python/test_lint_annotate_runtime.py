"""What `tensor-shape-lint annotate` writes passes `--runtime` at the size the model runs at.

Xception dogfood (HIGH): an entry flow of stride-2 convolutions (k=3, p=1) and max pools
(k=3, s=2, p=1) was annotated `H//2` ... `H//16`, one short at every step for 299x299 inputs
(12 TSL605 under --runtime). The comments annotate writes now evaluate, at 299, to the sizes
PyTorch gives (hand arithmetic: 299 -> 150 -> 75 -> 38 -> 19), and --runtime at 299 and a
second size finds nothing. With `--at` 224 the short forms are kept, and --runtime at 299
catches them, so the test would notice if --runtime stopped looking.

Needs: PyTorch, and cargo to build the linter (or $TENSOR_SHAPE_LINT).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import torch
from test_lint_corpus import linter
from torch import nn

REPO = Path(__file__).resolve().parents[2]
TRACE = REPO / "skill" / "paper-replication" / "scripts" / "trace_shapes.py"

SOURCE = '''"""Entry flow of Xception (Chollet, 2017), validated at 299x299."""

import torch
import torch.nn as nn


class EntryFlow(nn.Module):
    """Entry flow of Xception (Chollet, 2017), Fig. 5."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, kernel_size=3, stride=2, padding=1)
        self.pool1 = nn.MaxPool2d(3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, stride=2, padding=1)
        self.pool2 = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, 3, H, W] <- input
        x = self.conv1(x)
        x = self.pool1(x)
        x = self.conv2(x)
        x = self.pool2(x)
        return x
'''

SHAPE = re.compile(r"# x: \[B, (\d+), ([^,\]]+), ([^,\]]+)\] <- (?!input)")


def annotate(tmp_path: Path, *extra: str) -> Path:
    path = tmp_path / "xception.py"
    path.write_text(SOURCE)
    r = subprocess.run([linter(), "annotate", f"{path}:EntryFlow", *extra], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return path


def runtime(path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, TSL_TRACE_SCRIPT=str(TRACE))
    return subprocess.run(
        [linter(), "--runtime", f"{path}:EntryFlow", "--input", "x=[2,3,299,299]", "--input2", "x=[1,3,225,160]",
         "--format", "concise"],
        capture_output=True, text=True, env=env, timeout=600,
    )


def real_sizes(h: int) -> list[int]:
    layers = [nn.Conv2d(3, 32, 3, 2, 1), nn.MaxPool2d(3, 2, 1), nn.Conv2d(32, 64, 3, 2, 1), nn.MaxPool2d(3, 2, 1)]
    x, out = torch.zeros(1, 3, h, h), []
    with torch.no_grad():
        for layer in layers:
            x = layer(x)
            out.append(x.shape[2])
    return out


def test_annotated_comments_are_the_real_sizes_at_299(tmp_path):
    assert real_sizes(299) == [150, 75, 38, 19]  # the hand arithmetic, checked by PyTorch
    text = annotate(tmp_path).read_text()
    found = SHAPE.findall(text)
    assert len(found) == 4, text
    for h in (299, 225, 224, 160, 33):
        sizes = [eval(dim, {}, {"H": h}) for _, dim, _ in found]  # comment dims are Python
        assert sizes == real_sizes(h), (h, text)


def test_annotate_output_passes_runtime_at_299(tmp_path):
    r = runtime(annotate(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "TSL605" not in r.stdout, r.stdout
    assert ", 0 findings" in r.stderr, r.stderr


def test_short_forms_for_224_are_caught_at_299(tmp_path):
    path = annotate(tmp_path, "--at", "x=[2,3,224,224]")
    assert "H//16" in path.read_text()
    r = runtime(path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.count("TSL605") >= 4, r.stdout
