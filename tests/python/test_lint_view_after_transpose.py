"""TSL501 (`.view` after transpose/permute) against what PyTorch really does.

Each snippet runs on a real [2, 64, 4, 5] tensor. The linter must never flag a view PyTorch
accepts (`.contiguous().view`, views that only split dims or merge dims still neighbouring in
memory), and must flag a view PyTorch rejects ("view size is not compatible with input
tensor's size and stride") whenever no two neighbouring dims of the permutation stay adjacent
in memory. Without shapes it cannot tell which dims a view merges, so when some pair does stay
adjacent it stays quiet: those known misses (KNOWN_MISSES) are checked to really raise and to
stay unflagged, so a future improvement shows up here.

Needs: PyTorch, and cargo to build the linter (or $TENSOR_SHAPE_LINT); `linter()` is shared
with test_lint_corpus.py.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import torch
from test_lint_corpus import linter

SNIPPETS = [
    "y = x.permute(0, 2, 3, 1).contiguous().view(B, -1, 64)",
    "y = x.permute(0, 2, 3, 1).view(B, -1, 64)",
    "y = x.permute(0, 2, 3, 1).view(B, 4, 5, 64)",
    "y = x.permute(0, 2, 1, 3).view(B, 4, 64, 1, 5)",
    "y = x.permute(0, 3, 1, 2).view(B, 5, 256)",
    "y = x.transpose(1, 2).view(B, -1)",
    "y = x.flatten(2).transpose(1, 2).view(B, -1)",
    "y = x.flatten(2).transpose(1, 2).reshape(B, -1)",
    "y = x.flatten(2).permute(0, 2, 1).contiguous().view(B, -1)",
]

# Views PyTorch rejects that merge a non-adjacent pair while another pair stays adjacent.
KNOWN_MISSES = [
    "y = x.transpose(2, 3).view(B, 64, 20)",
    "y = x.permute(0, 2, 3, 1).view(B, 4, 320)",
]


def torch_raises(snippet: str) -> bool:
    env = {"x": torch.zeros(2, 64, 4, 5), "B": 2}
    try:
        exec(snippet, {}, env)  # noqa: S102 -- the snippets are this file's own constants
    except RuntimeError as e:
        assert "view size is not compatible" in str(e), e
        return True
    return False


def flagged(tmp_path: Path, snippet: str) -> bool:
    src = (
        "import torch\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n"
        "    def __init__(self) -> None:\n        super().__init__()\n\n"
        "    def forward(self, x: torch.Tensor) -> torch.Tensor:\n"
        "        # x: [B, 64, H, W]\n"
        "        B = x.shape[0]\n"
        f"        {snippet}\n"
        "        return y\n"
    )
    path = tmp_path / "net.py"
    path.write_text(src, encoding="utf-8")
    out = subprocess.run(
        [linter(), "--select", "TSL501", "--format", "concise", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode in (0, 1), out.stderr
    return "TSL501" in out.stdout


@pytest.mark.parametrize("snippet", SNIPPETS)
def test_tsl501_flags_exactly_the_views_torch_rejects(tmp_path: Path, snippet: str):
    assert flagged(tmp_path, snippet) == torch_raises(snippet), snippet


@pytest.mark.parametrize("snippet", KNOWN_MISSES)
def test_known_misses_raise_and_are_not_flagged(tmp_path: Path, snippet: str):
    assert torch_raises(snippet)
    assert not flagged(tmp_path, snippet)


def test_snippets_cover_both_verdicts():
    verdicts = [torch_raises(s) for s in SNIPPETS]
    assert 0 < sum(verdicts) < len(verdicts)
