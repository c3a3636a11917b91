#!/usr/bin/env python3
"""Sweep mermaid-gen's generators over real models: every diagram must parse in real Mermaid,
represent every module call of the trace, and pass repro-check's diagram items.

For each model (the three examples/*, torchvision's classification and segmentation models,
timm models when timm is importable, labml's U-Net and a hand-written YOLOv1-like stack), at
its default constructor arguments:
  1. trace one forward pass with skill/paper-replication/scripts/trace_shapes.py;
  2. draw `mermaid-gen trace`, `trace --depth 2`, `shapes` and `code --trace`;
  3. judge each diagram three ways, none of them mermaid-gen's own word:
     - real Mermaid (tests/mermaid-oracle) parses it;
     - conservation, recomputed here from the trace and the diagram text: every leaf module of
       the trace lies under a box's path (`a` or `a .. b`) or under a later member of an opened
       group; for `shapes`, every top-level module's output shape is a node; for `code`, no box
       of a module that never ran, no top-level call left out, and every parameter or buffer
       forward computes with (`self.gamma * x`, `x + self.pos_embed`) named by a node; and the
       generator exits 0 (it exits 1 naming any call it lost);
     - `repro-check verify` on a tree holding the diagrams reports no failing `diagrams.*` item.
Prints one line per failure and the totals; exit 1 if anything failed.

usage:
  scripts/sweep-diagrams.py                 # everything (about 110 models; ~10-20 min on 2 cores)
  scripts/sweep-diagrams.py --subset        # the fixed subset the corpus test runs
  scripts/sweep-diagrams.py --only swin_t --keep target/sweep   # one model, keep the files
  scripts/sweep-diagrams.py --classes 2     # also `code --class C --trace` of each model's trace
                                            # for its 2 most-called sub-module classes
  scripts/sweep-diagrams.py --strip TRACE.json FIXTURE.json      # a trace cut to a test fixture
Needs: torch, torchvision; timm from PYTHONPATH or --timm (e.g. `pip install --no-deps --target
target/pyenv timm==1.0.31`); the corpus (target/corpus/pytorch, scripts/deps.sh) for labml;
`npm ci --prefix tests/mermaid-oracle`; built binaries (cargo build -p mermaid-gen -p repro-check).
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REUSE = False  # --reuse: keep the traces already in --keep
SCRIPTS = ROOT / "skill/paper-replication/scripts"
DATA = ROOT / "crates/mermaid-gen/tests/data"

TV_SKIP = {
    # several hundred million parameters: minutes of CPU each, nothing new structurally
    "vit_h_14", "vit_l_16", "vit_l_32", "regnet_y_128gf", "regnet_y_32gf", "regnet_y_16gf",
    "regnet_x_32gf", "efficientnet_b7", "efficientnet_b6", "efficientnet_v2_l",
    # big variants of families swept in a smaller size (a shared 2-core machine)
    "convnext_large", "convnext_base", "efficientnet_b5", "efficientnet_b4", "efficientnet_v2_m",
    "regnet_y_8gf", "regnet_x_16gf", "regnet_x_8gf", "resnet152", "resnext101_64x4d",
    "resnext101_32x8d", "wide_resnet101_2", "swin_b", "swin_v2_b", "vgg13", "vgg13_bn",
    "vgg16_bn", "vgg19", "vgg19_bn",
}  # fmt: skip

TIMM = [
    "resnet18", "resnet50d", "swin_tiny_patch4_window7_224", "mobilenetv2_100",
    "mobilenetv3_small_100", "efficientnet_b0", "convnext_atto", "vit_tiny_patch16_224",
    "deit_tiny_patch16_224", "regnetx_002", "densenet121", "cspdarknet53", "darknet53",
    "cspresnet50", "ghostnet_100", "mixer_s16_224", "resmlp_12_224", "pit_ti_224", "levit_128s",
    "coat_lite_tiny", "poolformer_s12", "edgenext_xx_small", "mobilevit_xxs", "fastvit_t8",
    "repvit_m1", "hrnet_w18_small", "dla34", "ese_vovnet19b_dw", "xception41", "rexnet_100",
    "lcnet_050", "tinynet_e", "efficientformer_l1", "convmixer_768_32", "res2net50_14w_8s",
    "selecsls42b", "dpn48b", "nf_resnet26", "gernet_s", "hgnetv2_b0", "resnet10t", "resnet14t",
    "mobilenetv1_100", "mobileone_s0", "efficientvit_b0", "tiny_vit_5m_224",
    "vit_small_patch16_224", "convnextv2_atto", "regnety_002", "semnasnet_050", "mnasnet_050",
    "spnasnet_100", "fbnetc_100", "hardcorenas_a", "mobilenetv4_conv_small",
]  # fmt: skip

# The fixed subset of the corpus test: one of each family issue 17 names, plus a few shapes of
# trouble (branches, dict outputs, many identical blocks), small enough for a few minutes.
SUBSET = [
    "example:resnet50", "tv:mobilenet_v2", "tv:swin_t", "hand:yolo_like", "labml:unet",
    "tv:resnet18", "tv:googlenet", "tv:fcn_resnet50", "tv:shufflenet_v2_x0_5", "tv:vit_b_32",
]  # fmt: skip


def models(timm_ok: bool) -> list[tuple[str, str, str, str, dict]]:
    """(key, file-or-None, class-or-expr, input, kwargs) of every model of the sweep."""
    out = []
    for ex in sorted((ROOT / "examples").iterdir()):
        toml = ex / "verify.toml"
        if toml.is_file():
            cfg = tomllib.loads(toml.read_text())["model"]
            file, cls = cfg["target"].split(":")
            out.append(
                (f"example:{ex.name}", str(ex / file), cls, cfg["inputs"], cfg.get("kwargs", {}))
            )
    import torchvision

    for name in sorted(torchvision.models.list_models(module=torchvision.models)):
        if name in TV_SKIP:
            continue
        expr = f"torchvision.models.get_model({name!r}, weights=None)"
        out.append((f"tv:{name}", None, expr, ["[2,3,224,224]"], {}))
    for name in ["fcn_resnet50", "deeplabv3_mobilenet_v3_large", "lraspp_mobilenet_v3_large"]:
        expr = (
            f"torchvision.models.get_model({name!r}, weights=None, weights_backbone=None, "
            "aux_loss=False)"
        )
        out.append((f"tv:{name}", None, expr, ["[2,3,224,224]"], {}))
    if timm_ok:
        for name in TIMM:
            expr = f"timm.create_model({name!r}, pretrained=False)"
            out.append((f"timm:{name}", None, expr, ["x=[2,3,224,224]"], {}))
    out.append(
        ("labml:unet", None, "UNet(in_channels=3, out_channels=2)", ["x=[2,3,224,224]"], {})
    )
    out.append(("hand:yolo_like", str(DATA / "yolo_like.py"), "YoloV1", ["x=[2,3,448,448]"], {}))
    return out


WRAPPER = """import sys
sys.path[:0] = {paths!r}
import torch
import torchvision
try:
    import timm
except ImportError:
    timm = None
try:
    from labml_nn.unet import UNet
except ImportError:
    UNet = None


class {cls}(torch.nn.Module):
    # A factory: the harness calls the class, which returns the real model.
    def __new__(cls):
        return {expr}
"""


def trace(key, file, cls, inputs, kwargs, work: Path, paths) -> tuple[Path | None, str, str]:
    """Runs trace_shapes.py; returns (trace path or None, model file, class name)."""
    import trace_shapes

    slug = re.sub(r"\W", "_", key)
    out = work / f"{slug}.trace.json"
    side = work / f"{slug}.source.json"
    if REUSE and out.is_file():
        if side.is_file():
            src, name = json.loads(side.read_text())
        else:
            src, name = source_of(json.loads(out.read_text()), file, cls, key)
        return out, src, name
    if file is None:
        wrapper = work / f"w_{slug}.py"
        wrapper.write_text(WRAPPER.format(paths=paths, cls=f"M_{slug}", expr=cls))
        target = f"{wrapper}:M_{slug}"
    else:
        target = f"{file}:{cls}"
    args = [target, *[a for i in inputs for a in ("--input", i)], "--out", str(out), "--force"]
    if kwargs:
        args += ["--kwargs", json.dumps(kwargs)]
    # The examples share module names (config, modules): one model's must not shadow the next's.
    for name in ["config", "losses", "modules", *[m for m in sys.modules if m.startswith("modules.")]]:
        sys.modules.pop(name, None)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        code = trace_shapes.main(args)
    if code != 0:
        return None, buf.getvalue().strip().splitlines()[-1:], ""
    src, name = source_of(json.loads(out.read_text()), file, cls, key)
    side.write_text(json.dumps([src, name]))
    return out, src, name


def source_of(doc, file, cls, key: str = "") -> tuple[str, str]:
    if file is not None:
        return file, cls
    # the source file and class of the model's forward, for `code`; a class name two libraries
    # share (timm's and torchvision's VisionTransformer) is looked up in the model's own first
    root_type = doc["modules"][0]["type"]
    own = {"timm": "timm", "tv": "torchvision", "labml": "labml"}.get(key.split(":")[0], "")
    mods = sorted(
        list(sys.modules.values()),
        key=lambda m: not (own and getattr(m, "__name__", "").startswith(own)),
    )
    for m in mods:
        c = getattr(m, root_type, None)
        if inspect.isclass(c) and c.__module__ == getattr(m, "__name__", None):
            # the class that defines forward (FCN inherits it from a base class)
            owner = next((k for k in c.__mro__ if "forward" in vars(k)), c)
            with contextlib.suppress(TypeError, OSError):
                return inspect.getsourcefile(owner) or "", owner.__name__
    return "", root_type


def leaves_and_children(mods):
    paths = {m["path"] for m in mods}
    children = {m["path"]: [] for m in mods}
    for m in mods:
        if m["path"] == "":
            continue
        p = m.get("parent")
        if p not in paths or p == m["path"]:
            p = m["path"]
            while p and p not in paths - {m["path"]}:
                p = p.rsplit(".", 1)[0] if "." in p else ""
        children.setdefault(p, []).append(m["path"])
    order = {m["path"]: m["order"] for m in mods}
    for v in children.values():
        v.sort(key=order.get)
    return children


def under(children, p, out):
    kids = children.get(p, [])
    if not kids:
        out.add(p)
    for k in kids:
        under(children, k, out)


def flow_lost(doc, text) -> list[str]:
    """Leaves of the trace no box or group of a `trace` diagram covers, read from its labels."""
    mods = doc["modules"]
    children = leaves_and_children(mods)
    sibling_of = {c: p for p, cs in children.items() for c in cs}
    all_leaves = set()
    under(children, "", all_leaves) if "" in children else None
    all_leaves.discard("")
    if not all_leaves:
        all_leaves = {m["path"] for m in mods}

    def expand(span):
        # a module called at several places is drawn once per call: "relu (call 2 of 5)", and
        # the inside of a shared block "block (call 2 of 2).fc"; each stands for its module
        span = re.sub(r" \(call \d+ of \d+\)", "", span)
        a, _, b = span.partition(" .. ")
        if not b:
            return [a]
        sib = children.get(sibling_of.get(a, ""), [])
        if a not in sib or b not in sib:
            return []
        return sib[sib.index(a) : sib.index(b) + 1]

    covered = set()
    for label in re.findall(r'^\s*n_u\d+\w*\["([^"]*)"\]', text, re.M):
        parts = label.split("<br/>")
        if len(parts) >= 2:
            for p in expand(parts[1]):
                under(children, p, covered)
    for title in re.findall(r'^\s*subgraph \w+\["([^"]*)"\]', text, re.M):
        span = title.split("<br/>")[0].split(" (")[0]
        members = expand(span)
        for p in members[1:]:  # the first is drawn inside the group
            under(children, p, covered)
    return sorted(all_leaves - covered)


def shape_label(dims, batch):
    return "[" + ", ".join("B" if i == 0 and d == batch else str(d) for i, d in enumerate(dims)) + "]"


def shapes_missing(doc, text) -> list[str]:
    """Output shapes of top-level modules that are not nodes of a `shapes` diagram."""
    mods = doc["modules"]
    first_input = next(iter(doc["inputs"].values()), None)
    batch = first_input[0] if first_input else None
    nodes = set(re.findall(r'^\s*n_s\d+\["([^"]*)"\]', text, re.M))
    children = leaves_and_children(mods)
    top = children.get("", [])
    by_path = {m["path"]: m for m in mods}
    missing = []
    for p in top:
        outs = by_path[p]["outputs"]
        if outs and shape_label(outs[0], batch) not in nodes:
            missing.append(f"{p} -> {shape_label(outs[0], batch)}")
    return missing


def class_methods(src: str, cls: str):
    """The methods of `cls` and of its bases in the same file, as Python looks them up (the
    class before its bases; within a class the last `def` of a name), or None if the file
    does not parse."""
    import ast

    try:
        tree = ast.parse(Path(src).read_text())
    except (OSError, SyntaxError):
        return None
    classes = {c.name: c for c in ast.walk(tree) if isinstance(c, ast.ClassDef)}
    methods: dict[str, ast.FunctionDef] = {}
    todo = [cls]
    while todo:
        c = classes.get(todo.pop(0))
        if c is None:
            continue
        own = {f.name: f for f in c.body if isinstance(f, ast.FunctionDef)}
        for name, f in own.items():
            methods.setdefault(name, f)
        todo += [b.id for b in c.bases if isinstance(b, ast.Name)]
    return methods


def method_attrs(src: str, cls: str) -> dict[str, set[str]]:
    """Per method of `cls` (and its bases in the same file): the `self.X` it uses, through the
    class's other methods it calls. A box `code` draws for a method call stands for these."""
    import ast

    methods = class_methods(src, cls)
    if methods is None:
        return {}
    direct = {
        name: {
            n.attr
            for n in ast.walk(f)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self"
        }
        for name, f in methods.items()
    }
    out = {}
    for name in direct:
        seen, stack, attrs = {name}, [name], set()
        while stack:
            for a in direct[stack.pop()]:
                attrs.add(a)
                if a in direct and a not in seen:
                    seen.add(a)
                    stack.append(a)
        out[name] = attrs
    return out


METADATA = {"shape", "dtype", "device", "ndim", "size", "dim", "numel", "requires_grad", "is_cuda"}


def params_read(src: str, cls: str, attrs: dict[str, str]) -> set[str]:
    """The root's parameters and buffers (by the run's `root_attrs`) that `forward` and the
    methods it calls read as data: `self.gamma * x`, `x + self.pos_embed`,
    `self.cls_token.expand(...)`, `torch.cat((self.cls_token, x))`; not `self.pos_embed.shape`
    (metadata), a mere `is None` test, nor the weight argument of a functional call. Each
    one's value flows into the output, so a drawn data flow must name it."""
    import ast

    methods = class_methods(src, cls)
    if methods is None:
        return set()
    params = {a for a, kind in attrs.items() if kind in ("parameter", "buffer")}
    out: set[str] = set()
    seen, stack = {"forward"}, ["forward"]
    while stack:
        f = methods.get(stack.pop())
        if f is None:
            continue
        parents = {id(ch): n for n in ast.walk(f) for ch in ast.iter_child_nodes(n)}
        for n in ast.walk(f):
            if not (isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self"):
                continue
            if n.attr in methods and n.attr not in seen:
                seen.add(n.attr)
                stack.append(n.attr)
            if n.attr not in params:
                continue
            up = parents.get(id(n))
            if isinstance(up, ast.Attribute) and up.attr in METADATA:
                continue
            if isinstance(up, ast.Compare):
                continue
            # an in-place update of the module's state (`self.num_batches_tracked.add_(1)`)
            # does not flow into the output
            if isinstance(up, ast.Attribute) and up.attr.endswith("_"):
                continue
            # an argument of a call other than a join is that call's weight (`F.layer_norm(x,
            # shape, self.weight, self.bias)`, `self.running_mean if ... else None`): the
            # call's node stands for it
            arg = n
            while isinstance(up, ast.IfExp):
                arg, up = up, parents.get(id(up))
            call = parents.get(id(up)) if isinstance(up, ast.keyword) else up
            if isinstance(call, ast.Call) and (arg in call.args or isinstance(up, ast.keyword)):
                fname = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
                if fname not in ("cat", "stack", "concat", "concatenate"):
                    continue
            out.add(n.attr)
    return out


def code_mismatch(doc, text, src=None, cls=None) -> list[str]:
    """A `code --trace` diagram against the run: a module box of the root's attribute the run
    never called is a branch drawn that did not run; a root child the run called and no box
    names is a step left out. Read from the trace and the box titles (`attr: Type`)."""
    mods = [m for m in doc["modules"] if m["path"]]
    heads_ran = {m["path"].split(".")[0] for m in mods}
    # a root attribute called only inside another top-level call (CoaT hands its shared cpe1 to
    # its blocks) is drawn inside that box, not as a box of forward's own
    spans = {}
    for m in mods:
        spans.setdefault(m["path"].split(".")[0], []).extend(m.get("seq", []))
    def nested(head):
        own = spans.get(head, [])
        return bool(own) and all(
            any(o != head and s <= a and e <= t for o, ss in spans.items() for s, t in ss)
            for a, e in own
        )
    top = {h for h in heads_ran if not nested(h)}
    attrs = doc.get("root_attrs", {})
    never = {u.split(".")[0] for u in doc.get("uncalled", [])} - heads_ran
    never |= {a for a, kind in attrs.items() if kind == "none"}
    drawn = set()
    for label in re.findall(r'^\s*n_v\d+\["([^"]*)"\]', text, re.M):
        title = label.split("<br/>")[0]
        head = re.split(r"[:. (\[]", title, maxsplit=1)[0]
        drawn.add(head)
    # a method call drawn as one box (its statement carries a shape comment) holds its modules
    by_method = method_attrs(src, cls) if src and cls else {}
    for head in list(drawn):
        drawn |= by_method.get(head, set())
    out = [f"drawn, never ran: {h}" for h in sorted(drawn & never)]
    out += [f"ran, not drawn: {h}" for h in sorted(top - drawn)]
    # a parameter or buffer forward computes with (ViT's pos_embed, ConvNeXt's layer scale
    # gamma) is data of the flow: some node's title must name it
    titles = " ".join(
        lab.split("<br/>")[0] for lab in re.findall(r'^\s*n_v\d+[\[(]+"([^"]*)"', text, re.M)
    )
    if src and cls:
        for p in sorted(params_read(src, cls, attrs)):
            if not re.search(rf"(?<![\w.]){re.escape(p)}(?!\w)", titles):
                out.append(f"parameter read, not drawn: {p}")
    return out


def class_file(doc, file, ty: str, key: str) -> str:
    """The source file of module class `ty`: the user file the trace names (relative to the
    model's folder), else the library module that defines it."""
    rec = next((m for m in doc["modules"] if m["type"] == ty and m.get("file")), None)
    if rec is not None and file is not None:
        return str(Path(file).parent / rec["file"])
    own = {"timm": "timm", "tv": "torchvision", "labml": "labml"}.get(key.split(":")[0], "")
    for m in list(sys.modules.values()):
        if own and not getattr(m, "__name__", "").startswith(own):
            continue
        c = getattr(m, ty, None)
        if (
            inspect.isclass(c)
            and c.__name__ == ty
            and c.__module__ == getattr(m, "__name__", None)
            and "forward" in vars(c)
        ):
            with contextlib.suppress(TypeError, OSError):
                return inspect.getsourcefile(c) or ""
    return ""


def sub_classes(doc, key, file, tpath, mg, oracle, n, totals, failures) -> None:
    """`code --class C --trace <the model's trace>` for the most-called sub-module classes:
    it must use C's calls (its note counts them as this script does: the modules of type C
    not inside another C), exit 0 (or 1 saying there is nothing to diagram) and parse in
    real Mermaid."""
    mods = [m for m in doc["modules"] if m["path"]]
    counts: dict[str, int] = {}
    for m in mods:
        outer = any(
            o["type"] == m["type"] and m["path"].startswith(o["path"] + ".") for o in mods
        )
        if not outer:
            counts[m["type"]] = counts.get(m["type"], 0) + 1
    torch_nn = {"Conv2d", "Linear", "ReLU", "BatchNorm2d", "Sequential", "ModuleList", "Dropout",
                "Identity", "LayerNorm", "GELU", "MaxPool2d", "AdaptiveAvgPool2d", "Conv1d",
                "SiLU", "ReLU6", "Hardswish", "Sigmoid", "AvgPool2d", "Flatten", "Softmax",
                "Embedding", "Hardsigmoid", "GroupNorm", "Upsample", "ConvTranspose2d",
                "BatchNorm1d", "Tanh", "Dropout2d", "MultiheadAttention", "NonDynamicallyQuantizableLinear"}  # fmt: skip
    picked = sorted((t for t in counts if t not in torch_nn), key=lambda t: (-counts[t], t))[:n]
    for ty in picked:
        src = class_file(doc, file, ty, key)
        if not src:
            totals["sub_no_source"] = totals.get("sub_no_source", 0) + 1
            continue
        code, out, err = run([str(mg), "code", src, "--class", ty, "--trace", str(tpath)])
        totals["sub_diagrams"] = totals.get("sub_diagrams", 0) + 1
        if code == 2 or (code == 0 and not out):
            totals["sub_errors"] = totals.get("sub_errors", 0) + 1
            failures.append(f"{key} code --class {ty}: exit {code}: {err.strip()[:300]}")
            continue
        if code == 1:
            if "nothing to diagram" not in err:
                failures.append(f"{key} code --class {ty}: exit 1: {err.strip()[:300]}")
            totals["sub_nothing_to_draw"] = totals.get("sub_nothing_to_draw", 0) + 1
            print(f"{key} code --class {ty}: nothing to diagram (exit 1)", file=sys.stderr)
        if f"drawn from its {counts[ty]} call(s) of {ty}" not in err:
            totals["sub_calls_unused"] = totals.get("sub_calls_unused", 0) + 1
            failures.append(f"{key} code --class {ty}: want {counts[ty]} calls used: {err.strip()[:300]}")
        # the parameters of C's own (traces since session 10 record them): each one forward
        # computes with must be named by a node, as for the root
        first = next(m["path"] for m in mods if m["type"] == ty)
        own = {
            name[len(first) + 1 :]: "parameter"
            for name in doc.get("parameters", {})
            if name.startswith(first + ".") and "." not in name[len(first) + 1 :]
        }
        titles = " ".join(
            lab.split("<br/>")[0] for lab in re.findall(r'^\s*n_v\d+[\[(]+"([^"]*)"', out, re.M)
        )
        for prm in sorted(params_read(src, ty, own)):
            totals["sub_params_checked"] = totals.get("sub_params_checked", 0) + 1
            if not re.search(rf"(?<![\w.]){re.escape(prm)}(?!\w)", titles):
                totals["sub_params_lost"] = totals.get("sub_params_lost", 0) + 1
                failures.append(f"{key} code --class {ty}: parameter read, not drawn: {prm}")
        if out:
            ok, error = oracle.parse(out)
            if not ok:
                totals["sub_parse_failures"] = totals.get("sub_parse_failures", 0) + 1
                failures.append(f"{key} code --class {ty}: real Mermaid: {error.splitlines()[:2]}")


class Oracle:
    def __init__(self):
        self.p = subprocess.Popen(
            ["node", "oracle.mjs"],
            cwd=ROOT / "tests/mermaid-oracle",
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert '"ready":true' in self.p.stdout.readline(), "the Mermaid oracle did not start"
        self.n = 0

    def parse(self, code: str) -> tuple[bool, str]:
        self.n += 1
        self.p.stdin.write(json.dumps({"id": self.n, "code": code}) + "\n")
        self.p.stdin.flush()
        v = json.loads(self.p.stdout.readline())
        return bool(v["ok"]), v.get("error") or ""


def run(cmd) -> tuple[int, str, str]:
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


KEEP = ("path", "type", "parent", "order", "calls", "repr", "inputs", "outputs", "seq", "seq_truncated", "call_shapes", "forward_class")


def strip(src: str, dst: str) -> int:
    """A trace cut down to what mermaid-gen reads, one module per line: a small test fixture."""
    doc = json.loads(Path(src).read_text())
    mods = [{k: m[k] for k in KEEP if k in m} for m in doc["modules"]]
    head = {k: doc[k] for k in ("schema", "target", "inputs", "error")}
    # what `code` reads as evidence of the branches that ran (traces since session 9)
    head.update({k: doc[k] for k in ("uncalled", "root_attrs") if k in doc})
    lines = [json.dumps(m, sort_keys=True, separators=(",", ":")) for m in mods]
    text = json.dumps(head, sort_keys=True)[:-1] + ', "modules": [\n' + ",\n".join(lines) + "\n]}\n"
    Path(dst).write_text(text)
    return 0


def main() -> int:
    if sys.argv[1:2] == ["--strip"]:
        return strip(*sys.argv[2:4])
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--subset", action="store_true", help="only the fixed subset of the test")
    ap.add_argument("--only", action="append", default=[], help="model key or name (repeatable)")
    ap.add_argument("--keep", metavar="DIR", help="write traces and diagrams here and keep them")
    ap.add_argument("--timm", default=str(ROOT / "target/pyenv"), help="folder holding timm")
    ap.add_argument("--corpus", default=str(ROOT / "target/corpus/pytorch"))
    ap.add_argument("--bin", default=str(ROOT / "target/debug"), help="folder of the binaries")
    ap.add_argument("--json", action="store_true", help="print the totals as JSON")
    ap.add_argument("--reuse", action="store_true", help="reuse traces already in --keep")
    ap.add_argument(
        "--classes",
        type=int,
        default=0,
        metavar="N",
        help="also draw `code --class C --trace` of the model's trace for its N most-called "
        "sub-module classes (totals under sub_*)",
    )
    a = ap.parse_args()
    global REUSE
    REUSE = a.reuse and bool(a.keep)

    paths = [p for p in [a.timm, str(Path(a.corpus) / "labml_nn")] if Path(p).is_dir()]
    sys.path[:0] = [str(SCRIPTS), *paths]
    try:
        import timm  # noqa: F401

        timm_ok = True
    except ImportError:
        timm_ok = False
        print(f"sweep: timm not importable (looked in {a.timm}): timm models left out", file=sys.stderr)
    # the libraries the wrappers import, so a reused trace finds its model's source too
    import torchvision  # noqa: F401

    with contextlib.suppress(ImportError):
        import labml_nn.unet  # noqa: F401
    mg, rc = Path(a.bin) / "mermaid-gen", Path(a.bin) / "repro-check"
    for b in (mg, rc):
        if not b.is_file():
            print(f"sweep: missing {b}: cargo build -p mermaid-gen -p repro-check", file=sys.stderr)
            return 2
    todo = models(timm_ok)
    if a.subset:
        todo = [m for m in todo if m[0] in SUBSET]
    if a.only:
        todo = [m for m in todo if m[0] in a.only or m[0].split(":", 1)[1] in a.only]
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="sweep-diagrams-"))
    work.mkdir(parents=True, exist_ok=True)
    oracle = Oracle()
    totals = dict(
        models=0, not_traced=0, diagrams=0, generator_errors=0, lost=0, parse_failures=0,
        item_failures=0,
    )
    failures = []
    by_kind: dict[str, int] = {}
    totals["item_failures_by_diagram"] = by_kind
    for key, file, cls, inputs, kwargs in todo:
        tpath, src, cls_name = trace(key, file, cls, inputs, kwargs, work, paths)
        if tpath is None:
            totals["not_traced"] += 1
            print(f"{key}: not traced: {src}", file=sys.stderr)
            continue
        totals["models"] += 1
        doc = json.loads(tpath.read_text())
        slug = tpath.name.removesuffix(".trace.json")
        drawn = {}
        for kind, cmd in [
            ("trace", [mg, "trace", tpath]),
            ("trace-depth2", [mg, "trace", tpath, "--depth", "2"]),
            ("shapes", [mg, "shapes", tpath]),
            ("code", [mg, "code", src, "--class", cls_name, "--trace", tpath] if src else None),
        ]:
            if cmd is None:
                failures.append(f"{key} code: no source file for {cls_name}")
                continue
            code, out, err = run([str(c) for c in cmd])
            totals["diagrams"] += 1
            if code == 2 or not out:
                failures.append(f"{key} {kind}: exit {code}: {err.strip()}")
                totals["generator_errors"] += 1
                continue
            lost = []
            if code == 1:
                lost.append(f"generator exit 1: {err.strip()}")
            if kind.startswith("trace"):
                lost += flow_lost(doc, out)
            elif kind == "shapes":
                lost += shapes_missing(doc, out)
            elif kind == "code" and "uncalled" in doc:
                lost += code_mismatch(doc, out, src, cls_name)
            if lost:
                totals["lost"] += 1
                failures.append(f"{key} {kind}: lost {lost[:5]}")
            ok, error = oracle.parse(out)
            if not ok:
                totals["parse_failures"] += 1
                failures.append(f"{key} {kind}: real Mermaid: {error.splitlines()[:2]}")
            drawn[kind] = out
        if a.classes:
            sub_classes(doc, key, file, tpath, mg, oracle, a.classes, totals, failures)
        tree = work / "trees" / slug
        (tree / "docs/diagrams").mkdir(parents=True, exist_ok=True)
        for kind, text in drawn.items():
            (tree / f"docs/diagrams/{kind}.md").write_text(f"# {kind}\n\n```mermaid\n{text}```\n")
        code, out, err = run([str(rc), "verify", str(tree), "--json"])
        items = json.loads(out)["items"] if out.strip().startswith("{") else []
        if not items:
            failures.append(f"{key}: repro-check verify gave no report: {err.strip()}")
            totals["item_failures"] += 1
        for it in items:
            if it["id"].startswith("diagrams.") and it["status"] == "fail":
                totals["item_failures"] += 1
                where = it.get("location") or ""
                kind = re.sub(r"^docs/diagrams/([\w-]+)\.md.*", r"\1", where)
                by_kind[kind] = by_kind.get(kind, 0) + 1
                failures.append(f"{key}: {it['id']}: {it.get('reason')} at {where}")
        print(f"{key}: {len(doc['modules'])} modules, {len(drawn)} diagrams", file=sys.stderr)
    for f in failures:
        print(f)
    if a.json:
        print(json.dumps(totals, sort_keys=True))
    else:
        if a.classes:
            sub = {k: v for k, v in totals.items() if k.startswith("sub_")}
            print(f"sub-module classes: {json.dumps(sub, sort_keys=True)}")
        print(
            f"{totals['models']} models traced ({totals['not_traced']} could not be), "
            f"{totals['diagrams']} diagrams: {totals['generator_errors']} generator errors, "
            f"{totals['lost']} with lost calls, "
            f"{totals['parse_failures']} parse failures, {totals['item_failures']} diagrams.* failures "
            f"{json.dumps(by_kind, sort_keys=True)}"
        )
    return 1 if failures or totals["not_traced"] else 0


if __name__ == "__main__":
    sys.exit(main())
