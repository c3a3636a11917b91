"""tensor-shape-lint's `ceil_mode=True` pooling sizes against real PyTorch forward passes.

PyTorch drops the last ceil-mode window when it would start inside the right padding, so
`ceil((L + 2p - d(k-1) - 1)/s) + 1` alone is wrong for some (L, k, s, p). Every size the
linter infers for a sweep of input lengths and pooling configurations (including ones where
the correction applies, e.g. k=2, s=2, p=1 on odd L) must equal the real output size.

Needs: PyTorch, and cargo to build the linter (or $TENSOR_SHAPE_LINT); `linter()` is shared
with test_lint_corpus.py.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import torch
from test_lint_corpus import linter
from torch import nn

# (layer, kernel, stride, padding, dilation); padding <= kernel/2 as PyTorch requires.
CONFIGS = [
    ("MaxPool2d", 3, 2, 0, 1),
    ("MaxPool2d", 2, 2, 1, 1),
    ("AvgPool2d", 2, 2, 1, 1),
    ("AvgPool2d", 3, 2, 1, 1),
    ("MaxPool2d", 3, 3, 1, 1),
    ("MaxPool2d", 3, 2, 1, 2),
    ("AvgPool2d", 4, 3, 2, 1),
    ("MaxPool2d", 5, 4, 2, 1),
    ("AvgPool2d", 1, 2, 0, 1),
]


def layer(name: str, k: int, s: int, p: int, d: int) -> nn.Module:
    if name == "MaxPool2d":
        return nn.MaxPool2d(k, stride=s, padding=p, dilation=d, ceil_mode=True)
    assert d == 1
    return nn.AvgPool2d(k, stride=s, padding=p, ceil_mode=True)


def source() -> str:
    inits, lines = [], []
    for i, (name, k, s, p, d) in enumerate(CONFIGS):
        dil = f", dilation={d}" if name == "MaxPool2d" else ""
        inits.append(
            f"        self.p{i} = nn.{name}({k}, stride={s}, padding={p}{dil}, ceil_mode=True)\n"
        )
        lines.append(f"        y{i} = self.p{i}(x)\n")
    return (
        "import torch\nimport torch.nn as nn\n\n\nclass Pools(nn.Module):\n"
        "    def __init__(self) -> None:\n        super().__init__()\n"
        + "".join(inits)
        + "\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, C, H, W]\n"
        + "".join(lines)
        + "        return x\n"
    )


def test_ceil_mode_sizes_match_pytorch(tmp_path: Path):
    model = tmp_path / "pools.py"
    model.write_text(source(), encoding="utf-8")
    exe = linter()
    compared = 0
    corrected = 0
    for h in range(5, 23):
        w = h + 7
        out = subprocess.run(
            [exe, "infer", f"{model}:Pools", "--input", f"x=[1,2,{h},{w}]"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        inferred = {
            m.group(1): [int(v) for v in m.group(2).split(",")]
            for m in re.finditer(r"\b(y\d+) = \[([\d, ]+)\]", out)
        }
        x = torch.zeros(1, 2, h, w)
        for i, cfg in enumerate(CONFIGS):
            real = list(layer(*cfg)(x).shape)
            assert inferred.get(f"y{i}") == real, (
                f"{cfg} on H={h}, W={w}: linter {inferred.get(f'y{i}')}, torch {real}\n{out}"
            )
            compared += 1
            _, k, s, p, d = cfg
            for size in (h, w):
                naive = -(-(size + 2 * p - d * (k - 1) - 1) // s) + 1
                corrected += naive != real[2 if size == h else 3]
    assert compared == 18 * len(CONFIGS)
    # The sweep must exercise the last-window correction, or it proves nothing about it.
    assert corrected > 10, corrected
