"""Ground truth for tensor-shape-lint's hand-written fixtures: run them with PyTorch.

The models in crates/tensor-shape-lint/tests/fixtures/models are the linter's "correct"
examples. Here every shape comment of every executed `forward` line is checked against the
real tensor shape after the line ran. The symbols of a forward's input comment are bound from
the actual input at call time; a symbol first written bare in a later comment is bound to the
real size there (as a reader would), and must then hold everywhere after. Two input sizes with
H != W make swapped dims fail.
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
import tokenize
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "crates" / "tensor-shape-lint" / "tests" / "fixtures" / "models"

SHAPE = re.compile(r"^#\s*([A-Za-z_][\w]*(?:\s*,\s*[A-Za-z_]\w*)*)\s*:\s*\[(.*?)\]")


def shape_comments(path: Path) -> dict[int, tuple[list[str], list[str]]]:
    """Line -> (names, dim expressions) of every shape comment, read with Python's tokenizer."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for tok in tokenize.generate_tokens(f.readline):
            if tok.type == tokenize.COMMENT:
                m = SHAPE.match(tok.string)
                if m:
                    names = [n.strip() for n in m.group(1).split(",")]
                    dims = [d.strip() for d in m.group(2).split(",")] if m.group(2).strip() else []
                    out[tok.start[0]] = (names, dims)
    return out


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class ShapeTracer:
    """Checks the comment of each line of `forward` frames of one file after the line ran."""

    def __init__(self, path: Path):
        self.path = str(path)
        self.comments = shape_comments(path)
        self.lines = path.read_text(encoding="utf-8").splitlines()
        self.checked = 0
        self.errors: list[str] = []
        self.state: dict[int, dict] = {}

    def bind_or_check(self, frame_id: int, line: int, names: list[str], dims: list[str], local: dict):
        env = self.state[frame_id]["env"]
        for name in names:
            value = local.get(name)
            if not isinstance(value, torch.Tensor):
                continue
            actual = list(value.shape)
            if len(actual) != len(dims):
                self.errors.append(f"line {line}: {name} is {actual}, comment has {len(dims)} dims")
                continue
            for expr, size in zip(dims, actual):
                if expr.isidentifier() and expr not in env:
                    env[expr] = size
                    continue
                try:
                    want = eval(expr, {"__builtins__": {}}, dict(env))
                except NameError as exc:
                    self.errors.append(f"line {line}: cannot evaluate {expr}: {exc}")
                    continue
                if want != size:
                    self.errors.append(f"line {line}: {name} dim {expr} = {want}, real {size} ({actual})")
            self.checked += 1

    def trace(self, frame, event, arg):
        if frame.f_code.co_filename != self.path or frame.f_code.co_name != "forward":
            return None
        fid = id(frame)
        if event == "call":
            # The input comment: the comment-only lines right after the `def` line.
            line = frame.f_code.co_firstlineno + 1
            self.state[fid] = {"env": {}, "prev": None}
            while self.lines[line - 1].strip().startswith("#"):
                if line in self.comments:
                    names, dims = self.comments[line]
                    self.bind_or_check(fid, line, names, dims, frame.f_locals)
                line += 1
            return self.trace
        st = self.state[fid]
        prev = st["prev"]
        if prev is not None and prev in self.comments and event in ("line", "return"):
            names, dims = self.comments[prev]
            self.bind_or_check(fid, prev, names, dims, frame.f_locals)
        if event == "line":
            st["prev"] = frame.f_lineno
        return self.trace


CASES = [
    ("resnet_bottleneck.py", "ResNetStage", [(2, 3, 224, 160), (3, 3, 96, 128)]),
    ("resnet_bottleneck.py", "Bottleneck", [(2, 256, 56, 40), (1, 256, 32, 64)]),
    ("vit_encoder.py", "ViTEncoder", [(2, 3, 224, 160), (1, 3, 64, 96)]),
    ("unet_block.py", "UNetLevel", [(2, 64, 64, 48), (1, 64, 32, 96)]),
    ("transformer_layer.py", "TransformerLayer", [(2, 7, 128), (3, 11, 128)]),
    ("dynamic_stages.py", "BranchNet", [(2, 3, 41, 56), (1, 3, 32, 47)]),
]


@pytest.mark.parametrize("file,cls,shapes", CASES, ids=[f"{f}:{c}" for f, c, _ in CASES])
def test_fixture_comments_hold_at_run_time(file, cls, shapes):
    path = MODELS / file
    mod = load(path)
    model = getattr(mod, cls)().eval()
    for shape in shapes:
        tracer = ShapeTracer(path)
        old = sys.gettrace()
        sys.settrace(tracer.trace)
        try:
            with torch.no_grad():
                model(torch.randn(*shape))
        finally:
            sys.settrace(old)
        assert not tracer.errors, "\n".join(tracer.errors)
        # Every shape comment of the file's forwards that ran was checked at least once.
        assert tracer.checked >= 5, tracer.checked


def test_tracer_catches_a_wrong_comment(tmp_path):
    """The check itself can fail: a seeded mistake from the linter's fixtures is caught."""
    src = (REPO / "crates/tensor-shape-lint/tests/fixtures/mistakes/swapped_hw.py").read_text()
    path = tmp_path / "swapped.py"
    path.write_text(src)
    model = load(path).Stem().eval()
    tracer = ShapeTracer(path)
    sys.settrace(tracer.trace)
    try:
        with torch.no_grad():
            model(torch.randn(2, 3, 64, 96))
    finally:
        sys.settrace(None)
    assert any("W//2" in e for e in tracer.errors), tracer.errors


TREE = REPO / "crates" / "tensor-shape-lint" / "tests" / "fixtures" / "tree"


def test_tree_fixture_comments_hold_at_run_time():
    """The cross-file fixture (model.py + modules/*.py, SKILL.md's layout): every shape comment
    of every file holds in a real forward pass at two sizes, odd ones included (floors)."""
    saved_path = list(sys.path)
    stale = [m for m in sys.modules if m == "modules" or m.startswith("modules.")]
    saved_modules = {m: sys.modules.pop(m) for m in stale}
    sys.path.insert(0, str(TREE))
    try:
        model = load(TREE / "model.py").TinyNet().eval()
        files = [TREE / "model.py"] + sorted((TREE / "modules").glob("*.py"))
        checked = 0
        for shape in [(2, 3, 40, 56), (3, 3, 37, 50)]:
            for path in files:
                tracer = ShapeTracer(path)
                sys.settrace(tracer.trace)
                try:
                    with torch.no_grad():
                        out = model(torch.randn(*shape))
                finally:
                    sys.settrace(None)
                assert not tracer.errors, f"{path.name}: " + "\n".join(tracer.errors)
                checked += tracer.checked
            assert list(out.shape) == [shape[0], 10]
        # Per size: model.py's 7 (the input comment included), block.py's 4 in each of its four
        # instances, down.py's 4 in each of two, head.py's 4: every comment of every file ran.
        assert checked == 2 * (7 + 4 * 4 + 4 * 2 + 4), checked
    finally:
        sys.path[:] = saved_path
        for m in [m for m in sys.modules if m == "modules" or m.startswith("modules.")]:
            del sys.modules[m]
        sys.modules.update(saved_modules)
