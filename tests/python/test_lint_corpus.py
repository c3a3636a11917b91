"""tensor-shape-lint on the real PyTorch corpus (timm, torchvision, labml-nn sources).

1. Every corpus file is linted without a crash or parse error.
2. Where the linter infers a concrete shape for a corpus module (`infer --input`), a real
   PyTorch forward pass agrees. The corpus holds torchvision 0.29.2 sources, the version
   installed for the tests, so the same classes are instantiated from the installed package
   (the test first checks the files are identical) and traced line by line.

Needs: the corpus (../shared/corpus/pytorch/get.sh, fetched into target/corpus/pytorch when
missing; the shared folder is found as <repo>/../shared or $PAPER_REPLICATION_SHARED),
PyTorch and torchvision 0.29.2, and cargo to build the linter (or $TENSOR_SHAPE_LINT).
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

# The corpus tier (see conftest.py): skipped, never passed, without the shared folder.
pytestmark = pytest.mark.corpus

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "target" / "corpus" / "pytorch"
SHARED = Path(os.environ.get("PAPER_REPLICATION_SHARED", REPO.parent / "shared"))


def corpus() -> Path:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        get = SHARED / "corpus" / "pytorch" / "get.sh"
        if not get.is_file():
            pytest.fail(f"corpus missing and {get} not found: set PAPER_REPLICATION_SHARED to the shared folder")
        subprocess.run(["bash", str(get), str(CORPUS)], check=True)
    return CORPUS


def linter() -> str:
    if os.environ.get("TENSOR_SHAPE_LINT"):
        return os.environ["TENSOR_SHAPE_LINT"]
    target = REPO / "target" / "tensor-shape-lint"
    env = dict(os.environ, CARGO_TARGET_DIR=str(target))
    subprocess.run(["cargo", "build", "--quiet", "-p", "tensor-shape-lint"], cwd=REPO, env=env, check=True)
    return str(target / "debug" / "tensor-shape-lint")


def test_whole_corpus_lints_without_crash():
    root = corpus()
    files = sorted(root.rglob("*.py"))
    assert len(files) >= 400, len(files)
    r = subprocess.run([linter(), "--format", "json", str(root)], capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr[-2000:]
    assert "panicked" not in r.stderr and "syntax error" not in r.stderr, r.stderr[-2000:]


compared: list = []

LINE = re.compile(r"^(\d+): (\w+) = \[([\d, ]+)\]")

# (corpus file under torchvision/, installed module, class, constructor kwargs, input shape)
SAMPLE = [
    ("torchvision/models/resnet.py", "torchvision.models.resnet", "BasicBlock", {"inplanes": 64, "planes": 64}, (2, 64, 32, 40)),
    ("torchvision/models/squeezenet.py", "torchvision.models.squeezenet", "Fire",
     {"inplanes": 96, "squeeze_planes": 16, "expand1x1_planes": 64, "expand3x3_planes": 64}, (2, 96, 27, 33)),
    ("torchvision/models/vision_transformer.py", "torchvision.models.vision_transformer", "EncoderBlock",
     {"num_heads": 4, "hidden_dim": 64, "mlp_dim": 128, "dropout": 0.0, "attention_dropout": 0.0}, (2, 10, 64)),
    ("torchvision/models/alexnet.py", "torchvision.models.alexnet", "AlexNet", {}, (2, 3, 224, 224)),
    ("torchvision/models/alexnet.py", "torchvision.models.alexnet", "AlexNet", {}, (1, 3, 256, 192)),
    ("torchvision/models/squeezenet.py", "torchvision.models.squeezenet", "SqueezeNet", {}, (2, 3, 224, 224)),
    ("torchvision/models/squeezenet.py", "torchvision.models.squeezenet", "SqueezeNet", {}, (1, 3, 193, 255)),
]


def trace_lines(module_file: str, model, x) -> dict[tuple[int, str], list[list[int]]]:
    """(line, name) -> shapes of tensor locals after that line of `forward` ran."""
    seen: dict[tuple[int, str], list[list[int]]] = {}
    prev: dict[int, int] = {}

    def snap(frame, line):
        for name, v in frame.f_locals.items():
            if isinstance(v, torch.Tensor):
                seen.setdefault((line, name), []).append(list(v.shape))

    def tracer(frame, event, arg):
        if frame.f_code.co_filename != module_file or frame.f_code.co_name != "forward":
            return None
        if event in ("line", "return") and id(frame) in prev:
            snap(frame, prev[id(frame)])
        if event == "line":
            prev[id(frame)] = frame.f_lineno
        return tracer

    sys.settrace(tracer)
    try:
        with torch.no_grad():
            model(x)
    finally:
        sys.settrace(None)
    return seen


@pytest.mark.parametrize("rel,modname,cls,kwargs,shape", SAMPLE, ids=[f"{s[2]}{list(s[4])}" for s in SAMPLE])
def test_inferred_shapes_match_pytorch(rel, modname, cls, kwargs, shape):
    root = corpus()
    src = root / "torchvision" / rel
    mod = importlib.import_module(modname)
    installed = Path(mod.__file__)
    assert installed.read_bytes() == src.read_bytes(), f"installed {installed} differs from corpus {src}: install torchvision==0.29.2"
    first_param = "input" if cls == "EncoderBlock" else "x"
    spec = f"{first_param}=[{','.join(map(str, shape))}]"
    cmd = [linter(), "infer", f"{src}:{cls}", "--input", spec, "--kwargs", json.dumps(kwargs)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    inferred = [(int(m[1]), m[2], [int(d) for d in m[3].split(",")]) for m in map(LINE.match, r.stdout.splitlines()) if m]
    assert inferred, f"no concrete shape inferred:\n{r.stdout}"
    torch.manual_seed(0)
    model = getattr(mod, cls)(**kwargs).eval()
    seen = trace_lines(str(installed), model, torch.randn(*shape))
    compared.extend(inferred)
    for line, name, dims in inferred:
        real = seen.get((line, name))
        assert real, f"line {line}: {name} never observed at run time"
        assert all(r == dims for r in real), f"line {line}: {name} inferred {dims}, PyTorch {real}"
