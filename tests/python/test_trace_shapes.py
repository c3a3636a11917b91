"""Tests of trace_shapes.py: the recorded assignments and module calls of fixture models
against shapes and line numbers derived by hand, the error report, and the JSON contract read
by tensor-shape-lint --runtime and mermaid-gen trace."""

from __future__ import annotations

import json

import pytest
import trace_shapes as ts
from conftest import FIXTURES


def line_of(file: str, text: str) -> int:
    """1-based line of the unique source line containing `text` (found independently of the
    tracer, so the expected lines follow the fixture if it is edited)."""
    lines = (FIXTURES / file).read_text().splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if text in line]
    assert len(hits) == 1, (text, hits)
    return hits[0]


@pytest.fixture
def trace(tmp_path, capsys):
    def call(
        target: str, *inputs: str, extra: tuple[str, ...] = ()
    ) -> tuple[int, dict | None, str]:
        out = tmp_path / f"trace{len(list(tmp_path.iterdir()))}.json"
        args = [
            f"{FIXTURES}/{target}",
            *[a for i in inputs for a in ("--input", i)],
            "--out",
            str(out),
            *extra,
        ]
        code = ts.main(args)
        printed = capsys.readouterr()
        doc = json.loads(out.read_text()) if out.exists() else None
        return code, doc, printed.out + printed.err

    return call


def rows(doc: dict) -> list[tuple]:
    return [
        (a["file"], a["line"], a["function"], a["module"], a["call"], a["name"], a["shape"])
        for a in doc["assignments"]
    ]


@pytest.mark.parametrize("b, h, w", [(2, 8, 12), (3, 16, 10)])
def test_assignments_of_traced_blocks(trace, b, h, w):
    code, doc, _ = trace("traced_blocks.py:Traced", f"x=[{b},3,{h},{w}]")
    assert code == 0
    # stem Conv2d(k=3, s=2, p=1): n -> floor((n + 2 - 3) / 2) + 1; 8 -> 4, 12 -> 6, 16 -> 8, 10 -> 5
    h2, w2 = (h - 1) // 2 + 1, (w - 1) // 2 + 1
    feat = [b, 4, h2, w2]
    F, S = "traced_blocks.py", "sibling_blocks.py"
    stem = line_of(F, "x = self.stem(x)")
    loop = line_of(F, "x = blk(x)")
    # the two calls of `shared` are two identical lines
    shared_lines = [
        i + 1
        for i, s in enumerate((FIXTURES / F).read_text().splitlines())
        if "x = self.shared(x)" in s
    ]
    assert len(shared_lines) == 2
    conv, add = line_of(F, "y = self.conv(x)"), line_of(F, "y += x")
    scale_line = line_of(S, "out = self._scaled(x)")
    pooled = line_of(F, "pooled = torch.flatten(")
    chunk, logits = (
        line_of(F, "first, second = pooled.chunk"),
        line_of(F, "logits = self.head(pooled)"),
    )
    top, blk = "Traced.forward", "Block.forward"
    expected = [(F, stem, top, "", 0, "x", feat)]
    for i in range(3):
        expected += [
            (F, conv, blk, f"blocks.{i}", 0, "y", feat),
            (F, add, blk, f"blocks.{i}", 0, "y", feat),
        ]
        expected += [(F, loop, top, "", 0, "x", feat)]
    for call, line in enumerate(shared_lines):
        expected += [
            (F, conv, blk, "shared", call, "y", feat),
            (F, add, blk, "shared", call, "y", feat),
        ]
        expected += [(F, line, top, "", 0, "x", feat)]
    expected += [
        (S, scale_line, "Scale.forward", "scale", 0, "out", feat),
        (F, pooled, top, "", 0, "pooled", [b, 4]),  # a multi-line statement: its first line
        (F, chunk, top, "", 0, "first", [b, 2]),  # a tuple target: one record per name
        (F, chunk, top, "", 0, "second", [b, 2]),
        (F, logits, top, "", 0, "logits", [b, 5]),
    ]
    assert rows(doc) == expected
    pooled_rec = next(a for a in doc["assignments"] if a["name"] == "pooled")
    assert pooled_rec["end_line"] == pooled + 3
    assert all(a["dtype"] == "float32" for a in doc["assignments"])
    assert doc["inputs"] == {"x": [b, 3, h, w]}


def test_modules_tree_of_traced_blocks(trace):
    code, doc, _ = trace("traced_blocks.py:Traced", "x=[2,3,8,12]")
    assert code == 0
    mods = {m["path"]: m for m in doc["modules"]}
    # hand counts: stem 4*3*9 + 4 = 112; Block conv 4*4*9 + 4 = 148; Scale 4; head 4*5 + 5 = 25
    assert mods[""]["params"] == 112 + 4 * 148 + 4 + 25 == 733
    assert mods["stem"]["params"] == 112 and mods["shared"]["params"] == 148
    assert [m["path"] for m in doc["modules"]] == [
        "",
        "stem",
        "blocks.0",
        "blocks.0.conv",
        "blocks.1",
        "blocks.1.conv",
        "blocks.2",
        "blocks.2.conv",
        "shared",
        "shared.conv",
        "scale",
        "head",
    ]
    assert [m["order"] for m in doc["modules"]] == list(range(12))
    assert "blocks" not in mods  # a ModuleList is never called
    assert mods["blocks.1"]["parent"] == "" and mods["blocks.1"]["structural_parent"] == "blocks"
    assert mods["blocks.1.conv"]["parent"] == "blocks.1"
    assert mods[""]["parent"] is None
    assert mods["shared"]["calls"] == 2 and mods["shared.conv"]["calls"] == 2
    assert len(mods["shared"]["call_shapes"]) == 2
    assert mods["stem"]["inputs"] == [[2, 3, 8, 12]] and mods["stem"]["outputs"] == [[2, 4, 4, 6]]
    assert mods["head"]["inputs"] == [[2, 4]] and mods["head"]["outputs"] == [[2, 5]]
    assert (mods[""]["file"], mods[""]["line"]) == (
        "traced_blocks.py",
        line_of("traced_blocks.py", "class Traced("),
    )
    assert (mods["blocks.0"]["file"], mods["blocks.0"]["line"]) == (
        "traced_blocks.py",
        line_of("traced_blocks.py", "class Block("),
    )
    assert (mods["scale"]["file"], mods["scale"]["line"]) == (
        "sibling_blocks.py",
        line_of("sibling_blocks.py", "class Scale("),
    )
    assert mods["stem"]["file"] is None and mods["stem"]["line"] is None
    assert mods["stem"]["repr"] == "Conv2d(3, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))"


def test_json_contract(trace, tmp_path):
    code, doc, _ = trace("convnet.py:ConvNet", "x=[2,3,16,16]")
    assert code == 0
    assert doc["schema"] == "paper-replication/trace/v1"
    assert doc["target"].endswith("fixtures/convnet.py:ConvNet")
    assert doc["error"] is None
    for key in ("schema", "target", "inputs", "modules", "assignments", "error"):
        assert key in doc
    for m in doc["modules"]:
        assert {
            "path",
            "type",
            "parent",
            "order",
            "calls",
            "params",
            "file",
            "line",
            "inputs",
            "outputs",
        } <= set(m)
    for a in doc["assignments"]:
        assert {"file", "line", "function", "module", "name", "shape", "dtype", "call"} <= set(a)
    written = sorted(tmp_path.iterdir())[0].read_text()
    assert written == json.dumps(json.loads(written), sort_keys=True, indent=2) + "\n"


def test_same_bytes_for_same_input(trace, tmp_path):
    trace("convnet.py:ConvNet", "x=[2,3,16,16]")
    trace("convnet.py:ConvNet", "x=[2,3,16,16]")
    a, b = sorted(tmp_path.iterdir())
    assert a.read_bytes() == b.read_bytes()


def test_error_reports_module_path_and_last_shapes(trace):
    code, doc, printed = trace("broken.py:Broken", "x=[2,3,16,16]")
    assert code == 1
    err = doc["error"]
    # 16x16 -> Conv2d(p=1) 16x16 -> MaxPool2d(4) 4x4 -> Flatten 4*4*4 = 64, but Linear(100, 10)
    assert err["type"] == "RuntimeError"
    assert err["module"] == "head.1" and err["module_type"] == "Linear"
    assert err["module_inputs"] == [[2, 64]]
    assert [r["path"] for r in err["last_shapes"]] == [
        "features.0",
        "features.1",
        "features.2",
        "features",
        "head.0",
    ]
    assert err["last_shapes"][-1]["outputs"] == [[2, 64]]
    assert (err["file"], err["line"]) == (
        "broken.py",
        line_of("broken.py", "return self.head(feats)"),
    )
    assert "module 'head.1' (Linear) called with [[2, 64]]" in printed
    assert "Traceback" not in printed
    # the statement that raised is not recorded; the one before it is
    assert rows(doc) == [
        (
            "broken.py",
            line_of("broken.py", "feats = self.features(x)"),
            "Broken.forward",
            "",
            0,
            "feats",
            [2, 4, 4, 4],
        )
    ]


def test_tuple_targets_and_meta_device(trace):
    kwargs = json.dumps({"vocab": 50, "ctx": 16, "d": 8, "layers": 2, "heads": 2})
    code, doc, _ = trace(
        "gpt2_small.py:GPT2Small",
        "ids=[2,5]:long:50",
        extra=("--kwargs", kwargs, "--device", "meta"),
    )
    assert code == 0
    qkv = line_of("gpt2_small.py", "q, k, v = self.c_attn")
    qview = line_of("gpt2_small.py", "q = q.view(")
    att = line_of("gpt2_small.py", "att = torch.softmax")
    for layer in ("h.0", "h.1"):
        recs = {
            (a["line"], a["name"]): a["shape"] for a in doc["assignments"] if a["module"] == layer
        }
        # d=8, 2 heads of 4, T=5
        assert recs[(qkv, "q")] == recs[(qkv, "k")] == recs[(qkv, "v")] == [2, 5, 8]
        assert recs[(qview, "q")] == [2, 2, 5, 4]
        assert recs[(att, "att")] == [2, 2, 5, 5]
    assert doc["modules"][0]["outputs"] == [[2, 5, 50]]
    assert doc["input_dtypes"] == {"ids": "int64"}


def test_refuses_to_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "trace.json"
    out.write_text("keep me")
    args = [f"{FIXTURES}/convnet.py:ConvNet", "--input", "x=[2,3,16,16]", "--out", str(out)]
    assert ts.main(args) == 2
    assert "already exists (use --force to overwrite)" in capsys.readouterr().err
    assert out.read_text() == "keep me"
    assert ts.main([*args, "--force"]) == 0
    assert json.loads(out.read_text())["schema"] == "paper-replication/trace/v1"


def test_assignment_index_of_statements():
    src = "def forward(self, x):\n    a, (b, *c) = x\n    self.y = x\n    d: int = 3\n    e: int\n    f = (\n        x\n    )\n    g = 1; h = 2\n"
    idx = ts.assignment_lines(src, "<test>")
    assert idx[2].names == ("a", "b", "c")
    assert 3 not in idx  # an attribute target binds no local
    assert idx[4].names == ("d",) and 5 not in idx  # annotation without value binds nothing
    assert idx[6] is idx[7] is idx[8] and (idx[6].start, idx[6].end) == (6, 8)
    assert idx[9].names == ("g", "h")


def test_real_process_and_help(script, tmp_path):
    out = tmp_path / "t.json"
    proc = script(
        "trace_shapes.py", "broken.py:Broken", "--input", "x=[2,3,16,16]", "--out", str(out)
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "forward raised: RuntimeError in module 'head.1' (Linear)" in proc.stdout
    assert json.loads(out.read_text())["error"]["module"] == "head.1"
    help_proc = script("trace_shapes.py", "--help")
    assert help_proc.returncode == 0 and "examples:" in help_proc.stdout


def test_helper_methods_are_traced_only_when_named(trace):
    helper = ("sibling_blocks.py", line_of("sibling_blocks.py", "scaled = x * self.gamma"))
    _, plain, _ = trace("traced_blocks.py:Traced", "x=[2,3,8,12]")
    assert [a for a in plain["assignments"] if (a["file"], a["line"]) == helper] == []
    code, doc, _ = trace("traced_blocks.py:Traced", "x=[2,3,8,12]", extra=("--function", "_scaled"))
    assert code == 0 and doc["functions"] == ["_scaled", "forward"]
    recs = [a for a in doc["assignments"] if (a["file"], a["line"]) == helper]
    assert [(r["function"], r["module"], r["name"], r["shape"]) for r in recs] == [
        ("Scale._scaled", "scale", "scaled", [2, 4, 4, 6])
    ]


def test_each_call_of_a_module_records_its_place(tmp_path, capsys):
    """`seq`: each call's [start, end) in the count of module calls started. SharedRelu's forward
    (crates/mermaid-gen/tests/data/shared_relu.py), read by hand, starts the root (0), then
    conv1 1, relu 2, pool 3, conv2 4, relu 5, pool 6, conv3 7, relu 8, drop 9, fc1 10, relu 11,
    drop 12, fc2 13, relu 14, fc3 15; a leaf's call ends where the next one starts."""
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[2] / "crates/mermaid-gen/tests/data/shared_relu.py"
    out = tmp_path / "t.json"
    assert ts.main([f"{fixture}:SharedRelu", "--input", "x=[2,3,64,64]", "--out", str(out)]) == 0
    capsys.readouterr()
    mods = {m["path"]: m for m in json.loads(out.read_text())["modules"]}
    assert mods[""]["seq"] == [[0, 16]]
    assert mods["relu"]["seq"] == [[2, 3], [5, 6], [8, 9], [11, 12], [14, 15]]
    assert mods["pool"]["seq"] == [[3, 4], [6, 7]]
    assert mods["drop"]["seq"] == [[9, 10], [12, 13]]
    assert mods["fc3"]["seq"] == [[15, 16]]
    assert mods["relu"]["calls"] == 5 and "seq_truncated" not in mods["relu"]
    # the shapes of every call of a reused module, in call order
    assert [c["outputs"] for c in mods["relu"]["call_shapes"]] == [
        [[2, 16, 32, 32]], [[2, 32, 16, 16]], [[2, 32, 8, 8]], [[2, 64]], [[2, 64]]
    ]


def test_an_inherited_forward_names_its_class(tmp_path, capsys):
    """Net inherits Base.forward (crates/mermaid-gen/tests/data/delegating.py): the root record
    says so, so that `mermaid-gen code --class Base` can use the trace; nn.Conv2d runs its own."""
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[2] / "crates/mermaid-gen/tests/data/delegating.py"
    out = tmp_path / "t.json"
    assert ts.main([f"{fixture}:Net", "--input", "x=[2,3,32,32]", "--out", str(out)]) == 0
    capsys.readouterr()
    mods = {m["path"]: m for m in json.loads(out.read_text())["modules"]}
    assert mods[""]["type"] == "Net" and mods[""]["forward_class"] == "Base"
    assert "forward_class" not in mods["conv"]


def test_the_trace_names_modules_never_called_and_the_roots_attribute_kinds(tmp_path, capsys):
    """Branchy (crates/mermaid-gen/tests/data/branchy.py), read by hand: `pool` is built but
    use_pool is False, and the ModuleList `down` is only indexed (its members run), so both are
    never called themselves; `aux` is None; the flags are booleans; there are no parameters or
    buffers on the root itself. `mermaid-gen code --trace` reads these as evidence of the
    branches that ran."""
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[2] / "crates/mermaid-gen/tests/data/branchy.py"
    out = tmp_path / "t.json"
    assert ts.main([f"{fixture}:Branchy", "--input", "x=[2,3,16,16]", "--out", str(out)]) == 0
    capsys.readouterr()
    doc = json.loads(out.read_text())
    assert doc["uncalled"] == ["down", "pool"]
    assert doc["root_attrs"] == {
        "aux": "none", "down": "module", "head": "module", "merge": "module", "pool": "module",
        "stem": "module", "training": "false", "use_pool": "false",
    }  # fmt: skip
    called = {m["path"] for m in doc["modules"]}
    assert called == {"", "stem", "down.0", "down.1", "merge", "head"}


# A package as the scaffold writes it: modules/__init__.py and relative imports between the
# files (ConvNeXt dogfood: `trace_shapes.py modules/block.py:Block` failed with "attempted
# relative import with no known parent package").
PACKAGE = {
    "__init__.py": "from .block import Block\n",
    "norm.py": '''import torch.nn as nn


class ChannelNorm(nn.Module):
    def forward(self, x):
        # x: [B, C, H, W]
        y = x - x.mean(1, keepdim=True)  # y: [B, C, H, W] <- centre the channels
        return y
''',
    "block.py": '''import torch.nn as nn

from .norm import ChannelNorm


class Block(nn.Module):
    def __init__(self, dim: int = 4, out: int = {out}) -> None:
        super().__init__()
        self.conv = nn.Conv2d(dim, out, 3, padding=1)
        self.norm = ChannelNorm()

    def forward(self, x):
        # x: [B, C, H, W]
        x = self.conv(x)  # x: [B, {out}, H, W] <- Conv 3x3, p=1
        x = self.norm(x)  # x: [B, {out}, H, W] <- ChannelNorm
        return x
''',
}


def write_package(folder, out: int):
    pkg = folder / "modules"
    pkg.mkdir(parents=True)
    for name, text in PACKAGE.items():
        (pkg / name).write_text(text.replace("{out}", str(out)))
    return pkg / "block.py"


def test_a_file_of_a_package_with_relative_imports_is_traced_as_its_member(tmp_path, capsys):
    first = write_package(tmp_path / "a" / "output", out=6)
    other = write_package(tmp_path / "b" / "output", out=8)
    for block, out in [(first, 6), (other, 8)]:
        dest = block.parent / "trace.json"
        code = ts.main([f"{block}:Block", "--input", "x=[2,4,5,7]", "--out", str(dest)])
        printed = capsys.readouterr()
        assert code == 0, printed.out + printed.err
        doc = json.loads(dest.read_text())
        # the user's files, relative to the model file's folder, as for a plain file
        assert {(a["file"], a["name"], tuple(a["shape"])) for a in doc["assignments"]} == {
            # Conv2d(4, out, 3, padding=1) keeps 5x7; the norm keeps the shape
            ("block.py", "x", (2, out, 5, 7)),
            ("norm.py", "y", (2, out, 5, 7)),
        }
        mods = {m["path"]: m for m in doc["modules"]}
        assert mods[""]["file"] == "block.py" and mods["norm"]["file"] == "norm.py"
        # the second package of the same name is its own, not the first one imported again
        assert mods["conv"]["outputs"] == [[2, out, 5, 7]]


def test_validate_model_imports_a_package_member(tmp_path, capsys):
    import validate_model as vm

    block = write_package(tmp_path / "output", out=6)
    code = vm.main([f"{block}:Block", "--input", "x=[2,4,5,7]"])
    printed = capsys.readouterr()
    assert code == 0, printed.out + printed.err
    assert "relative import" not in printed.out + printed.err
