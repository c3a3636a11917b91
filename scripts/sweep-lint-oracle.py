#!/usr/bin/env python3
"""The real forward pass as the oracle of tensor-shape-lint's static shapes.

For every class of the PyTorch corpus (timm, torchvision, labml-nn under target/corpus/pytorch)
that subclasses nn.Module, has a forward with one required input and can be built with default
arguments, the script
  1. imports the installed module the corpus file came from (same bytes, checked), builds the
     class with its defaults and finds an input it runs on (an image, a sequence or a vector);
  2. records the shape of every tensor assigned in the class's own forward at two input sizes,
     with the AssignmentTracer of skill/paper-replication/scripts/trace_shapes.py;
  3. runs `tensor-shape-lint infer FILE:Class` at both sizes (the defaults passed explicitly
     with --kwargs, as a caller would) and once with a symbolic input (`x=[B, 3, H, W]`, the
     form shape comments use), evaluated at both sizes;
  4. compares line by line. A (line, name) the run assigned is "decided" when static inference
     gives every dim; it is a disagreement when a dim static inference gives differs from the
     run. Unknown is allowed, wrong is not.

Prints per class only the disagreements, then one summary line:
  classes N (of M candidates), lines compared L, decided D (rate), disagreements X
Exit status: 0 no disagreement, 1 disagreements, 2 usage error.

Needs torch, torchvision 0.29.2; timm 1.0.31 and labml-nn 0.5.1 (with labml, einops) for their
classes: `pip install --no-deps --target target/pydeps timm==1.0.31 labml-nn==0.5.1 labml einops`
(the script puts target/pydeps on sys.path; classes of packages that do not import are counted
as skipped, with the reason).

examples:
  python3 scripts/sweep-lint-oracle.py --factories 1           full sweep (over an hour on a
                                                               loaded 2-core machine)
  python3 scripts/sweep-lint-oracle.py --only torchvision --factories 1 --linter NEW --linter OLD
                                       one package, two builds compared on the same runs (~10 min)
  python3 scripts/sweep-lint-oracle.py --subset subset.txt --json out.json
                                       FILE.py:Name lines relative to the corpus (the CI test)
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib
import inspect
import json
import os
import re
import signal
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "skill" / "paper-replication" / "scripts"
DEFAULT_CORPUS = REPO / "target" / "corpus" / "pytorch"
PYDEPS = REPO / "target" / "pydeps"

MAX_PARAMS = 60_000_000
TIMEOUT_S = 40


class Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Timeout()


# --------------------------------------------------------------------------------------------
# Candidates: classes of the corpus files


def candidates(corpus: Path, only: list[str], factories: int = 0) -> list[tuple[str, str]]:
    """(path relative to the corpus, name): classes with forward, in file order, and with
    `factories` > 0 the first public module-level functions of each file whose parameters all
    have defaults (model builders such as `resnet18()`), which build the classes that need
    arguments."""
    out = []
    for f in sorted(corpus.rglob("*.py")):
        rel = f.relative_to(corpus).as_posix()
        if only and not any(rel.startswith(o) for o in only):
            continue
        try:
            tree = ast.parse(f.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        n = 0
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.FunctionDef) and b.name == "forward" for b in node.body
            ):
                out.append((rel, node.name))
            elif (
                isinstance(node, ast.FunctionDef)
                and n < factories
                and not node.name.startswith("_")
                and len(node.args.defaults) == len(node.args.args)
                and all(d is not None for d in node.args.kw_defaults)
                and node.returns is not None
                and re.search(r"Module|Net|Model|Former|Transformer|[A-Z]\w+", ast.unparse(node.returns))
                and not re.search(r"\b(Tensor|Dict|List|Tuple|str|int|bool|None)\b", ast.unparse(node.returns))
            ):
                n += 1
                out.append((rel, node.name))
    return out


def module_name(rel: str) -> str:
    # corpus layout: <package-dist>/<import path>.py, e.g. timm/timm/models/resnet.py
    parts = rel.split("/")[1:]
    if parts[-1] == "__init__.py":
        parts = parts[:-1]
    else:
        parts[-1] = parts[-1][:-3]
    return ".".join(parts)


def forward_input(cls: type) -> str | None:
    """The one required input of forward, or None when it needs none or several."""
    try:
        sig = inspect.signature(cls.forward)
    except (TypeError, ValueError):
        return None
    req = [
        p
        for p in list(sig.parameters.values())[1:]
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return req[0].name if len(req) == 1 else None


def json_defaults(cls: type) -> dict[str, Any] | None:
    """The constructor's defaults that JSON can carry, or None when a parameter has none."""
    try:
        sig = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return None
    out: dict[str, Any] = {}
    for p in list(sig.parameters.values())[1:]:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.default is inspect.Parameter.empty:
            return None
        d = p.default
        if isinstance(d, (bool, int, float, str)) or d is None:
            out[p.name] = d
        elif isinstance(d, (tuple, list)) and all(
            isinstance(i, int) and not isinstance(i, bool) for i in d
        ):
            out[p.name] = list(d)
    return out


# --------------------------------------------------------------------------------------------
# Constructor arguments of every instance of a corpus class, recorded as the models are built,
# so the sub-modules a model builds are checked too, with the arguments they were built with.

INIT_ARGS: Any = None  # weakref.WeakKeyDictionary: module -> {class: kwargs or None}
# When a list, every compared unit (with its runs) is appended to it (scripts/sweep-lint-truth.py
# writes shape comments from the same runs).
UNIT_SINK: list[Any] | None = None


def record_inits(cls: type) -> None:
    import weakref

    global INIT_ARGS
    if INIT_ARGS is None:
        INIT_ARGS = weakref.WeakKeyDictionary()
    orig = cls.__dict__.get("__init__")
    if orig is None or getattr(orig, "_oracle_wrapped", False):
        return
    try:
        sig = inspect.signature(orig)
    except (TypeError, ValueError):
        return

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        orig(self, *args, **kwargs)
        try:
            bound = sig.bind(self, *args, **kwargs)
        except TypeError:
            return
        given = set(bound.arguments)
        bound.apply_defaults()
        out: dict[str, Any] | None = {}
        for name, v in list(bound.arguments.items())[1:]:
            kind = sig.parameters[name].kind
            if kind == inspect.Parameter.VAR_POSITIONAL:
                if v:
                    out = None
                    break
                continue
            items = v.items() if kind == inspect.Parameter.VAR_KEYWORD else [(name, v)]
            for k, val in items:
                j = as_json(val)
                # A default the file states itself is left to static inference to read.
                if not (isinstance(j, dict) and name not in given):
                    out[k] = j
            if out is None:
                break
        try:
            INIT_ARGS.setdefault(self, {})[cls] = out
        except TypeError:
            pass

    init._oracle_wrapped = True  # type: ignore[attr-defined]
    cls.__init__ = init  # type: ignore[misc]


# Corpus classes by type: (corpus-relative path, name), for as_json (set by sweep()).
CLASSES: dict[type, tuple[str, str]] = {}


def as_json(v: Any, depth: int = 0) -> Any:
    """The argument as `infer --kwargs` reads it: numbers, strings, lists of ints; a torch.nn
    layer class as {"ctor": "BatchNorm2d"}; a corpus class as {"class": name, "file": path
    relative to the corpus}; `functools.partial` of either as {"partial": f, "args": [...],
    "kwargs": {...}}; a built torch.nn layer as {"module": "Conv2d", "kwargs": {...}} (its
    constructor arguments read back from its attributes), an nn.Sequential / nn.ModuleList as
    {"sequential": [...]} / {"modulelist": [...]}, an instance of a corpus class as
    {"instance": {"class", "file", "kwargs"}}, a dataclass instance (a config) as {"object":
    {field: value}}; anything else (a function, a module of another
    library) as {}, which static inference must treat as unknown, never as the default."""
    import functools

    if isinstance(v, (bool, int, float, str)) or v is None:
        return v
    if isinstance(v, (tuple, list)) and all(isinstance(i, int) and not isinstance(i, bool) for i in v):
        return list(v)
    if depth > 6:
        return {}
    if isinstance(v, type):
        if v.__module__.startswith("torch.nn.modules"):
            return {"ctor": v.__name__}
        if v in CLASSES:
            return {"class": CLASSES[v][1], "file": CLASSES[v][0]}
        return {}
    import dataclasses

    # A config object (a dataclass instance): its fields, read as attributes (`cfg.dim`).
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {"object": {f.name: as_json(getattr(v, f.name, None), depth + 1) for f in dataclasses.fields(v)}}
    if isinstance(v, functools.partial):
        f = as_json(v.func, depth + 1)
        if f == {}:
            return {}
        return {
            "partial": f,
            "args": [as_json(a, depth + 1) for a in v.args],
            "kwargs": {k: as_json(a, depth + 1) for k, a in v.keywords.items()},
        }
    import torch

    if isinstance(v, torch.nn.Module):
        t = type(v)
        if t is torch.nn.Sequential:
            return {"sequential": [as_json(m, depth + 1) for m in v]}
        if t is torch.nn.ModuleList:
            return {"modulelist": [as_json(m, depth + 1) for m in v]}
        if t.__module__.startswith("torch.nn.modules"):
            try:
                names = list(inspect.signature(t.__init__).parameters)[1:]
            except (TypeError, ValueError):
                return {}
            kw = {}
            for n in names:
                a = getattr(v, n, None)
                if isinstance(a, (bool, int, float, str)) or (
                    isinstance(a, (tuple, list)) and all(isinstance(i, int) and not isinstance(i, bool) for i in a)
                ):
                    kw[n] = list(a) if isinstance(a, (tuple, list)) else a
            return {"module": t.__name__, "kwargs": kw}
        if t in CLASSES and INIT_ARGS is not None:
            kwargs = INIT_ARGS.get(v, {}).get(t)
            if kwargs is not None:
                return {"instance": {"class": CLASSES[t][1], "file": CLASSES[t][0], "kwargs": kwargs}}
    return {}


def with_corpus_paths(v: Any, corpus: Path) -> Any:
    """The kwargs with every "file" of a corpus class made absolute (units store it relative)."""
    if isinstance(v, dict):
        return {k: (str(corpus / x) if k == "file" and isinstance(x, str) else with_corpus_paths(x, corpus)) for k, x in v.items()}
    if isinstance(v, list):
        return [with_corpus_paths(x, corpus) for x in v]
    return v


# --------------------------------------------------------------------------------------------
# Running the model


def input_candidates(model: Any) -> list[list[int]]:
    """Inputs to try, most common first: images, then sizes named by the model's attributes."""
    sizes: list[int] = []
    for attr in (
        "in_chans", "in_channels", "in_chs", "inplanes", "in_planes", "in_features", "dim",
        "d_model", "embed_dim", "hidden_dim", "hidden_size", "num_features", "channels",
        "in_dim", "dim_in", "input_dim", "c_in", "n_channels",
    ):
        v = getattr(model, attr, None)
        if isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 4096 and v not in sizes:
            sizes.append(v)
    for m in model.modules():
        w = getattr(m, "weight", None)
        if w is not None and getattr(w, "ndim", 0) >= 2:
            c = int(w.shape[1]) * int(getattr(m, "groups", 1) or 1)
            if c not in sizes:
                sizes.append(c)
            break
    # Small images first (ten times cheaper to trace); 224 for models fixed to it (ViT, Swin).
    out = [[2, 3, 64, 64], [2, 3, 224, 224]]
    for s in sizes[:2]:
        out += [[2, s, 32, 32], [2, 16, s], [2, s]]
    return out


def second_size(first: list[int]) -> list[list[int]]:
    """The second input: batch and every size after the channels change; batch only as fallback."""
    a = list(first)
    a[0] += 1
    if len(first) >= 4:
        for k in range(2, len(first)):
            a[k] += 32 * (k - 1)
    elif len(first) == 3:
        a[1] += 5
    return [a, [first[0] + 1, *first[1:]]] if a[1:] != first[1:] else [a]


def trace_run(model: Any, root: Path, shape: list[int]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    import _harness as h
    import torch
    from trace_shapes import AssignmentTracer

    gen = torch.Generator().manual_seed(1234)
    x = torch.randn(*shape, generator=gen)
    with h.ModuleRecorder(model, root) as rec:
        tracer = AssignmentTracer(root, rec, frozenset({"forward"}))
        prev = sys.gettrace()
        sys.settrace(tracer.global_trace)
        try:
            with torch.no_grad():
                model(x)
        finally:
            sys.settrace(prev)
    return tracer.records, rec.module_list()


# --------------------------------------------------------------------------------------------
# Static inference and comparison

LINE = re.compile(r"^(\d+): ([A-Za-z_]\w*) = (\[[^\]]*\])")


WHY = re.compile(r"^(\d+): ([A-Za-z_]\w*) = .*\(unknown: (.*)\)\s*$")
LAYER = re.compile(r"  <- ([\w.]+)")


def infer(
    linter: str,
    file: Path,
    cls: str,
    spec: str,
    kwargs: dict[str, Any],
    why: dict[tuple[int, str], str] | None = None,
) -> dict[tuple[int, str], list[list[str]]]:
    """`infer`'s shapes per (line, name); with `why`, also the reason of each unknown there."""
    r = subprocess.run(
        [linter, "infer", f"{file}:{cls}", "--input", spec, "--kwargs", json.dumps(with_corpus_paths(kwargs, CORPUS[0]))]
        + (["--verbose"] if why is not None else []),
        capture_output=True,
        text=True,
        timeout=60,
    )
    out: dict[tuple[int, str], list[list[str]]] = {}
    if r.returncode != 0:
        if why is not None:
            why[(0, "")] = "infer failed: " + re.sub(r"^.*?: ", "", (r.stderr.strip().splitlines() or ["?"])[-1])[:80]
        return out
    if why is not None:
        for m in map(WHY.match, r.stdout.splitlines()):
            if m:
                reason = re.sub(r"`[^`]{24,}`", "`...`", m[3])
                reason = re.sub(r"\b\d+\b", "N", reason)
                layer = LAYER.search(m[0])
                why.setdefault((int(m[1]), m[2]), f"{reason} <- {layer[1] if layer else '-'}")
        # `x = ?` with no reason of its own: an unknown value from an earlier line.
        for m in map(re.compile(r"^(\d+): ([A-Za-z_]\w*) = \?\s*$").match, r.stdout.splitlines()):
            if m:
                why.setdefault((int(m[1]), m[2]), "follows an unknown value")
    for m in map(LINE.match, r.stdout.splitlines()):
        if m:
            dims = [d.strip() for d in m[3][1:-1].split(",")] if m[3] != "[]" else []
            out.setdefault((int(m[1]), m[2]), []).append(dims)
    return out


# The corpus folder of the current sweep (kwargs name corpus files relative to it).
CORPUS: list[Path] = [DEFAULT_CORPUS]


def eval_dim(text: str, env: dict[str, int]) -> int | None:
    if text == "?":
        return None
    if not re.fullmatch(r"[\w\s+\-*/()%]+", text):
        return None
    names = set(re.findall(r"[A-Za-z_]\w*", text))
    if not names <= env.keys():
        return None
    try:
        v = eval(text, {"__builtins__": {}}, dict(env))  # noqa: S307 - arithmetic on known names
    except Exception:
        return None
    return v if isinstance(v, int) else None


def compare(
    static: dict[tuple[int, str], list[list[str]]],
    real: dict[tuple[int, str], list[list[int]]],
    env: dict[str, int],
) -> tuple[int, int, list[str]]:
    """(lines, decided, disagreements) over the (line, name) pairs the run assigned."""
    lines = decided = 0
    bad: list[str] = []
    for key, shapes in sorted(real.items()):
        lines += 1
        got = static.get(key, [])
        evaluated = [[eval_dim(d, env) for d in s] for s in got]
        full = bool(evaluated) and all(all(d is not None for d in s) for s in evaluated)
        if full:
            decided += 1
        distinct = sorted({tuple(s) for s in shapes})

        def fits(s: list[int | None], r: tuple[int, ...]) -> bool:
            return len(s) == len(r) and all(d is None or d == v for d, v in zip(s, r))

        # Every claim must fit some real shape; a line claimed in full must cover every real
        # shape (a loop body read once as if it ran once is a confident wrong claim).
        wrong = [t for s, t in zip(evaluated, got) if not any(fits(s, r) for r in distinct)]
        if not wrong and full:
            if any(not any(fits(s, r) for s in evaluated) for r in distinct):
                wrong = got
        if wrong:
            shown = "; ".join(f"[{', '.join(t)}]" for t in wrong[:2])
            bad.append(f"line {key[0]} `{key[1]}`: static {shown} but the run gave {[list(r) for r in distinct][:3]}")
    return lines, decided, bad


def symbolic_spec(name: str, shape: list[int]) -> tuple[str, dict[str, int], dict[str, int]]:
    """`x=[B, 3, H, W]` for an image, `x=[B, N, 64]` for a sequence; the values of both runs."""
    if len(shape) >= 4:
        syms = ["B", str(shape[1])] + [f"S{i}" for i in range(len(shape) - 2)]
        if len(shape) == 4:
            syms[2:] = ["H", "W"]
    elif len(shape) == 3:
        syms = ["B", "N", str(shape[2])]
    else:
        syms = ["B"] + [str(d) for d in shape[1:]]
    return f"{name}=[{', '.join(syms)}]", syms, {}


# --------------------------------------------------------------------------------------------


class Unit:
    """One module instance to compare: its class, constructor arguments and, per run, the
    input it got and the shapes its own forward assigned."""

    def __init__(self, rel: str, cname: str, kwargs: dict[str, Any], arg: str) -> None:
        self.rel, self.cname, self.kwargs, self.arg = rel, cname, kwargs, arg
        self.runs: list[tuple[list[int], dict[tuple[int, str], list[list[int]]]]] = []


def unit_to_json(u: Unit) -> dict[str, Any]:
    return {
        "target": getattr(u, "target", ""),
        "rel": u.rel, "cname": u.cname, "kwargs": u.kwargs, "arg": u.arg,
        "runs": [[shape, [[line, name, shapes] for (line, name), shapes in sorted(own.items())]] for shape, own in u.runs],
    }


def unit_from_json(d: dict[str, Any]) -> Unit:
    u = Unit(d["rel"], d["cname"], d["kwargs"], d["arg"])
    u.target = d["target"]  # type: ignore[attr-defined]
    u.runs = [(shape, {(line, name): shapes for line, name, shapes in own}) for shape, own in d["runs"]]
    return u


def compare_unit(u: Unit, corpus: Path, linters: list[str], res: dict[str, Any]) -> None:
    for k, linter in enumerate(linters):
        r = res if k == 0 else res.setdefault("also", {}).setdefault(
            linter, {"lines": 0, "decided": 0, "disagreements": []}
        )
        compare_unit_with(u, corpus, linter, r)


def compare_unit_with(u: Unit, corpus: Path, linter: str, res: dict[str, Any]) -> None:
    src = corpus / u.rel
    label = f"{u.cname}({json.dumps(u.kwargs, sort_keys=True)[1:-1][:60]})"
    for shape, real in u.runs:
        spec = f"{u.arg}=[{','.join(map(str, shape))}]"
        lines, decided, bad = compare(infer(linter, src, u.cname, spec, u.kwargs), real, {})
        res["lines"] += lines
        res["decided"] += decided
        res["disagreements"] += [f"{label} {spec}: {b}" for b in bad]
    spec, syms, _ = symbolic_spec(u.arg, u.runs[0][0])
    why: dict[tuple[int, str], str] = {}
    static = infer(linter, src, u.cname, spec, u.kwargs, why)
    # What leaves the run's lines undecided, counted per construct (the first run's lines).
    counts = res.setdefault("why", {})
    env0 = {s: v for s, v in zip(syms, u.runs[0][0]) if not s.isdigit()}
    for key in u.runs[0][1]:
        got = static.get(key)
        if got and all(eval_dim(d, env0) is not None for s in got for d in s):
            continue
        open_dims = sorted({d for s in got or [] for d in s if d != "?" and eval_dim(d, env0) is None})
        reason = (
            why.get(key)
            or why.get((0, ""))
            or ("no line in infer's output" if not got else f"dims in constructor symbols ({', '.join(open_dims)[:40]})" if open_dims else "some dims unknown")
        )
        counts[reason] = counts.get(reason, 0) + 1
    for shape, real in u.runs:
        if len(shape) != len(syms) or any(
            s.isdigit() and int(s) != v for s, v in zip(syms, shape)
        ):
            continue
        env = {s: v for s, v in zip(syms, shape) if not s.isdigit()}
        lines, decided, bad = compare(static, real, env)
        res["lines"] += lines
        res["decided"] += decided
        res["disagreements"] += [f"{label} {spec} at {shape}: {b}" for b in bad]


def sweep_class(
    rel: str,
    cname: str,
    corpus: Path,
    linter: list[str],
    classes: dict[type, tuple[str, str]],
    seen: dict[tuple[str, str], set[str]],
) -> dict[str, Any]:
    import torch

    res: dict[str, Any] = {"target": f"{rel}:{cname}", "status": "skip"}
    try:
        mod = importlib.import_module(module_name(rel))
    except BaseException as exc:  # noqa: BLE001 - a package that does not import is a skip
        res["reason"] = f"import: {type(exc).__name__}: {str(exc)[:80]}"
        return res
    installed = Path(getattr(mod, "__file__", "") or "")
    src = corpus / rel
    if not installed.is_file() or installed.read_bytes() != src.read_bytes():
        res["reason"] = "installed module differs from the corpus file"
        return res
    obj = getattr(mod, cname, None)
    if isinstance(obj, type):
        if not issubclass(obj, torch.nn.Module):
            res["reason"] = "not an nn.Module"
            return res
        if inspect.isabstract(obj):
            res["reason"] = "abstract"
            return res
        if json_defaults(obj) is None:
            res["reason"] = "a constructor parameter has no default"
            return res
    if forward_input(obj if isinstance(obj, type) else torch.nn.Module) is None and isinstance(obj, type):
        res["reason"] = "forward needs no or several inputs"
        return res
    try:
        torch.manual_seed(0)
        model = obj().eval()
    except BaseException as exc:  # noqa: BLE001
        if isinstance(exc, (KeyboardInterrupt, Timeout)):
            raise
        res["reason"] = f"build: {type(exc).__name__}"
        return res
    if not isinstance(model, torch.nn.Module) or forward_input(type(model)) is None:
        res["reason"] = "not a module with one input"
        return res
    if sum(p.numel() for p in model.parameters()) > MAX_PARAMS:
        res["reason"] = "over 60M parameters"
        return res
    top = module_name(rel).split(".")[0]
    root = Path(os.path.realpath(importlib.import_module(top).__file__)).parent
    runs = []
    for shape in input_candidates(model):
        try:
            runs.append((shape, *trace_run(model, root, shape)))
            break
        except BaseException as exc:  # noqa: BLE001
            if isinstance(exc, (KeyboardInterrupt, Timeout)):
                raise
    if not runs:
        res["reason"] = "no candidate input runs"
        return res
    res["second"] = "skipped: every second size raised"
    for shape in second_size(runs[0][0]):
        try:
            runs.append((shape, *trace_run(model, root, shape)))
        except BaseException as exc:  # noqa: BLE001
            if isinstance(exc, (KeyboardInterrupt, Timeout)):
                raise
            continue
        res["second"] = "batch only" if shape[1:] == runs[0][0][1:] else "batch and sizes"
        break
    res.update(status="ok", inputs=[r[0] for r in runs], lines=0, decided=0, disagreements=[], units=[])
    # The model itself, then every sub-module of a corpus class built with JSON arguments.
    units: list[tuple[str, Unit]] = []
    for path, m in model.named_modules():
        t = type(m)
        if t not in classes:
            continue
        kwargs = (INIT_ARGS.get(m, {}) if INIT_ARGS is not None else {}).get(t)
        a = forward_input(t)
        if kwargs is None or a is None:
            continue
        urel, ucname = classes[t]
        key = json.dumps(kwargs, sort_keys=True)
        done = seen.setdefault((urel, ucname), set())
        if path != "" and (key in done or len(done) >= 3):
            continue
        done.add(key)
        units.append((path, Unit(urel, ucname, kwargs, a)))
    for shape, records, modules in runs:
        inputs = {r["path"]: r["inputs"] for r in modules}
        for path, u in units:
            ins = [shape] if path == "" else inputs.get(path, [])
            if len(ins) != 1:
                continue
            pkg_rel = "/".join(u.rel.split("/")[2:])
            func = f"{u.cname}.forward"
            own: dict[tuple[int, str], list[list[int]]] = {}
            for r in records:
                if r["file"] == pkg_rel and r["function"] == func and r["module"] == path and r["call"] == 0:
                    own.setdefault((r["line"], r["name"]), []).append(r["shape"])
            if own:
                u.runs.append((ins[0], own))
    for path, u in units:
        if u.runs:
            res["units"].append(f"{u.rel}:{u.cname}")
            compare_unit(u, corpus, linter, res)
            if UNIT_SINK is not None:
                u.target = res["target"]
                UNIT_SINK.append(u)
    return res


def read_subset(path: Path) -> list[tuple[str, str]]:
    """FILE.py:Name lines relative to the corpus; blank lines and # comments skipped."""
    return [
        tuple(l.strip().rsplit(":", 1))  # type: ignore[misc]
        for l in path.read_text().splitlines()
        if l.strip() and not l.startswith("#")
    ]


def sweep(
    corpus: Path,
    todo: list[tuple[str, str]],
    linters: list[str],
    progress: Path | None = None,
    verbose: bool = False,
) -> list[dict[str, Any]]:
    """Builds and runs every (file, name) of `todo` and compares its units with each linter
    (none: the runs are only recorded, for UNIT_SINK). One result per candidate."""
    # A model that allocates without bound (an attention over a candidate input it was not
    # made for) fails with an error instead of taking the shared machine's memory (one did,
    # 23 GB, before this limit): 8 GiB of address space, or $SWEEP_MAX_GB.
    import resource

    limit = int(float(os.environ.get("SWEEP_MAX_GB", "8")) * (1 << 30))
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    sys.path.insert(0, str(SCRIPTS))
    if PYDEPS.is_dir():
        sys.path.append(str(PYDEPS))
    import torch

    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    # Every corpus class whose module imports records its constructor arguments.
    classes: dict[type, tuple[str, str]] = {}
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null), contextlib.redirect_stderr(null):
        for rel, cname in candidates(corpus, []):
            try:
                mod = importlib.import_module(module_name(rel))
            except BaseException:  # noqa: BLE001
                continue
            c = getattr(mod, cname, None)
            f = getattr(mod, "__file__", None)
            if isinstance(c, type) and f and Path(f).read_bytes() == (corpus / rel).read_bytes():
                classes[c] = (rel, cname)
                record_inits(c)
    CLASSES.update(classes)
    seen: dict[tuple[str, str], set[str]] = {}
    signal.signal(signal.SIGALRM, _alarm)
    results: list[dict[str, Any]] = []
    for rel, cname in todo:
        signal.alarm(TIMEOUT_S)
        try:
            with open(os.devnull, "w") as null, contextlib.redirect_stdout(null), contextlib.redirect_stderr(null):
                r = sweep_class(rel, cname, corpus, linters, classes, seen)
        except Timeout:
            r = {"target": f"{rel}:{cname}", "status": "skip", "reason": f"over {TIMEOUT_S} s"}
        finally:
            signal.alarm(0)
        results.append(r)
        if progress:
            with open(progress, "a") as f:
                f.write(f"{len(results)}/{len(todo)} {r['target']} {r['status']} {r.get('lines', '')} {r.get('decided', '')} {len(r.get('disagreements', []))}\n")
                if len(results) % 25 == 0 and linters:
                    f.write(summary(results, linters) + "\n")
        if r.get("disagreements") or verbose:
            tail = r.get("reason") or f"{r.get('lines', 0)} lines, {r.get('decided', 0)} decided, second run: {r.get('second')}"
            print(f"{r['target']}: {r['status']}: {tail}")
            for d in r.get("disagreements", []):
                print(f"  {d}")
    return results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="sweep-lint-oracle.py",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--linter", action="append", default=[], help="tensor-shape-lint binary (default: built with cargo); repeat to compare several builds (before/after) on the same runs")
    p.add_argument("--progress", type=Path, help="append one line per candidate here (to follow a long sweep)")
    p.add_argument("--only", action="append", default=[], metavar="PREFIX", help="corpus paths starting with PREFIX (repeatable), e.g. torchvision")
    p.add_argument("--subset", type=Path, help="file of corpus-relative FILE.py:Class lines")
    p.add_argument("--factories", type=int, default=2, metavar="N", help="also build models with the first N builder functions of each file (default 2)")
    p.add_argument("--limit", type=int, help="stop after this many candidate classes")
    p.add_argument("--json", type=Path, help="write every class's result here")
    p.add_argument("-v", "--verbose", action="store_true", help="print every class, not only disagreements")
    p.add_argument("--why", type=int, default=0, metavar="N", help="print the N constructs that leave most lines undecided")
    p.add_argument("--save-units", type=Path, metavar="FILE", help="write the recorded runs here (JSON) for --units")
    p.add_argument("--units", type=Path, metavar="FILE", help="compare the runs of an earlier --save-units instead of running the models (minutes instead of an hour)")
    args = p.parse_args(argv)

    CORPUS[0] = args.corpus.resolve()
    if not (args.corpus / "MANIFEST.tsv").is_file():
        print(f"sweep-lint-oracle: {args.corpus}: no corpus (bash ../shared/corpus/pytorch/get.sh {args.corpus})", file=sys.stderr)
        return 2
    linters = args.linter or [os.environ.get("TENSOR_SHAPE_LINT", "")]
    if not linters[0]:
        subprocess.run(["cargo", "build", "--quiet", "-p", "tensor-shape-lint"], cwd=REPO, check=True)
        linters = [str(REPO / "target" / "debug" / "tensor-shape-lint")]
    if args.subset:
        todo = read_subset(args.subset)
    else:
        todo = candidates(args.corpus, args.only, args.factories)
    if args.limit:
        todo = todo[: args.limit]
    global UNIT_SINK
    if args.units:
        # Replay: the runs recorded by an earlier --save-units, compared with these linters.
        saved = json.loads(args.units.read_text())
        keep = lambda t: not args.only or any(t.startswith(o) for o in args.only)  # noqa: E731
        saved["results"] = [r for r in saved["results"] if keep(r["target"])]
        saved["units"] = [d for d in saved["units"] if keep(d["target"])]
        results = saved["results"]
        for r in results:
            if r["status"] == "ok":
                r.update(lines=0, decided=0, disagreements=[], why={}, also={})
        by_target = {r["target"]: r for r in results}
        for d in saved["units"]:
            # A model that timed out after some of its units were recorded is a skip: its
            # units were not counted when recorded, and are not now.
            if by_target[d["target"]]["status"] != "ok":
                continue
            u = unit_from_json(d)
            compare_unit(u, args.corpus, linters, by_target[d["target"]])
    else:
        UNIT_SINK = [] if args.save_units else None
        results = sweep(args.corpus, todo, linters, args.progress, args.verbose)
    if args.save_units and UNIT_SINK is not None:
        args.save_units.write_text(json.dumps({"results": results, "units": [unit_to_json(u) for u in UNIT_SINK]}) + "\n")
    if args.why:
        counts: dict[str, int] = {}
        for r in results:
            for k, v in r.get("why", {}).items():
                counts[k] = counts.get(k, 0) + v
        total = sum(counts.values())
        print(f"undecided lines by construct (first run, symbolic input; {total} lines):")
        for k, v in sorted(counts.items(), key=lambda kv: -kv[1])[: args.why]:
            print(f"  {v:6d}  {k}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print(summary(results, linters))
    return 1 if any(r.get("disagreements") for r in results) else 0


def summary(results: list[dict[str, Any]], linters: list[str]) -> str:
    ok = [r for r in results if r["status"] == "ok"]
    compared = sorted({u for r in ok for u in r.get("units", [])})
    two = sum(1 for r in ok if r.get("second") == "batch and sizes")
    head = (
        f"sweep-lint-oracle: models {len(ok)} run (of {len(results)} candidates; {two} at two sizes, "
        f"{len(ok) - two} batch-only), classes compared {len(compared)}"
    )
    parts = []
    for k, linter in enumerate(linters):
        rs = [r if k == 0 else r.get("also", {}).get(linter, {}) for r in ok]
        lines = sum(r.get("lines", 0) for r in rs)
        decided = sum(r.get("decided", 0) for r in rs)
        bad = sum(len(r.get("disagreements", [])) for r in rs)
        rate = decided / lines if lines else 0.0
        label = f" [{linter}]" if len(linters) > 1 else ""
        parts.append(f"lines compared {lines}, decided {decided} ({rate:.3f}), disagreements {bad}{label}")
    return head + ", " + "; ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
