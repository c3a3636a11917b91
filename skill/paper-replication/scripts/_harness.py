"""Shared pieces of the runtime harness: loading a model by path, building inputs, seeding,
recording module calls with forward hooks, and writing output files safely.

`validate_model.py` and `trace_shapes.py` both import this module. It needs the standard
library and PyTorch only. Everything here raises `HarnessError` with a one-line message for
mistakes of the caller (bad target, bad input spec, file not found); the scripts turn that
into exit status 2.
"""

from __future__ import annotations

import collections
import importlib.util
import inspect
import json
import os
import random
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TORCH_INSTALL_HINT = "pip install torch==2.14.1 torchvision==0.29.2"

try:
    import torch
    from torch import nn
except ImportError as exc:  # the scripts are useless without torch: say how to get it
    # A missing dependency is an input error (exit 2), not a failed check (1): callers such as
    # repro-check must not read it as a model that failed validation.
    import sys

    print(f"harness: PyTorch is not installed ({exc}); run: {TORCH_INSTALL_HINT}", file=sys.stderr)
    raise SystemExit(2) from exc


class HarnessError(Exception):
    """A usage or loading error: one line for the user, exit status 2."""


# --------------------------------------------------------------------------------------------
# One line of a report


@dataclass
class Check:
    name: str
    status: str  # PASS | FAIL | SKIP
    detail: str
    applies: bool = True  # False: a SKIP for a check that does not apply to this run
    data: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        out = {
            "name": self.name,
            "status": self.status,
            "detail": self.detail,
            "applies": self.applies,
        }
        if self.data is not None:
            out["data"] = self.data
        return out


# --------------------------------------------------------------------------------------------
# Target "path/to/model.py:ClassName"


@dataclass
class Target:
    spec: str
    path: Path  # resolved absolute path of the model file
    class_name: str
    root: Path  # resolved folder of the model file: user files live under it
    root_label: str  # the folder as the user wrote it ("." when no folder was given)


def parse_target(spec: str) -> Target:
    if ":" not in spec:
        raise HarnessError(f"target {spec!r} must be FILE.py:ClassName, e.g. model.py:ResNet50")
    file_part, class_name = spec.rsplit(":", 1)
    if not class_name.isidentifier():
        raise HarnessError(f"target {spec!r}: {class_name!r} is not a Python class name")
    path = Path(file_part)
    if not path.is_file():
        raise HarnessError(f"{file_part}: no such file")
    resolved = path.resolve()
    label = os.path.dirname(file_part) or "."
    return Target(spec, resolved, class_name, resolved.parent, label)


def package_of(path: Path) -> tuple[Path, str] | None:
    """For a file inside a package (its folder holds `__init__.py`): the folder above the top
    package and the file's dotted module name (`output/modules/block.py` ->
    (`output`, `modules.block`)); None for a plain file."""
    parts = [path.stem] if path.stem != "__init__" else []
    folder = path.parent
    while (folder / "__init__.py").is_file() and folder.name.isidentifier():
        parts.insert(0, folder.name)
        if folder.parent == folder:
            break
        folder = folder.parent
    if folder == path.parent:
        return None
    return folder, ".".join(parts)


def import_package_member(target: Target, base: Path, dotted: str) -> Any:
    """Import a file of a package as `package.module`, so its relative imports (`from
    .layernorm import LayerNorm2d`) resolve. The top package is reloaded from the user's
    folder when another package of that name was imported before."""
    top = dotted.split(".")[0]
    loaded = sys.modules.get(top)
    if loaded is not None and Path(getattr(loaded, "__file__", "") or "").resolve() != (
        base / top / "__init__.py"
    ).resolve():
        for name in [m for m in sys.modules if m == top or m.startswith(top + ".")]:
            del sys.modules[name]
    if str(base) in sys.path:
        sys.path.remove(str(base))
    sys.path.insert(0, str(base))
    try:
        return importlib.import_module(dotted)
    except Exception as exc:
        raise HarnessError(f"{target.path}: import failed: {type(exc).__name__}: {exc}") from exc


def import_file(target: Target) -> Any:
    """Import the file of a target by path, its folder first on sys.path so that sibling
    imports (`from modules import Block`) resolve to the user's files. A file of a package
    (the scaffold's `modules/`, with relative imports) is imported as a member of it."""
    root = str(target.root)
    if root in sys.path:
        sys.path.remove(root)
    sys.path.insert(0, root)
    package = package_of(target.path)
    if package is not None:
        return import_package_member(target, *package)
    stem = target.path.stem
    name = stem
    existing = sys.modules.get(stem)
    if existing is not None and getattr(existing, "__file__", None) != str(target.path):
        name = f"_paper_replication_target_{stem}_{len(sys.modules)}"
    spec = importlib.util.spec_from_file_location(name, target.path)
    if spec is None or spec.loader is None:
        raise HarnessError(f"{target.path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise HarnessError(f"{target.path}: import failed: {type(exc).__name__}: {exc}") from exc
    return module


def load_class(target: Target) -> tuple[Any, type]:
    """The file's module and its nn.Module class named by the target."""
    module = import_file(target)
    cls = getattr(module, target.class_name, None)
    if cls is None:
        classes = sorted(
            n for n, v in vars(module).items() if inspect.isclass(v) and issubclass(v, nn.Module)
        )
        raise HarnessError(
            f"{target.path}: no class {target.class_name!r} (nn.Module classes here: "
            f"{', '.join(classes) or 'none'})"
        )
    if not (inspect.isclass(cls) and issubclass(cls, nn.Module)):
        raise HarnessError(f"{target.path}: {target.class_name} is not an nn.Module subclass")
    return module, cls


def load_attr(spec: str, what: str, want: str = "callable") -> Any:
    """`FILE.py:name` -> the object `name` of that file: a callable (a factory such as
    `make_targets`) or any object (`config.py:TRAIN`)."""
    if ":" not in spec:
        raise HarnessError(f"{what} {spec!r} must be FILE.py:name, e.g. losses.py:make_targets")
    file_part, name = spec.rsplit(":", 1)
    if not name.isidentifier():
        raise HarnessError(f"{what} {spec!r}: {name!r} is not a Python name")
    path = Path(file_part)
    if not path.is_file():
        raise HarnessError(f"{what} {spec!r}: {file_part}: no such file")
    resolved = path.resolve()
    target = Target(spec, resolved, name, resolved.parent, os.path.dirname(file_part) or ".")
    module = import_file(target)
    if not hasattr(module, name):
        raise HarnessError(f"{what} {spec!r}: {file_part} defines no {name!r}")
    obj = getattr(module, name)
    if want == "callable" and not callable(obj):
        raise HarnessError(f"{what} {spec!r}: {name} is not callable")
    return obj


def parse_kwargs(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HarnessError(f"--kwargs is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise HarnessError("--kwargs must be a JSON object, e.g. '{\"num_classes\": 10}'")
    return value


def instantiate(cls: type, kwargs: dict[str, Any], device: str) -> nn.Module:
    try:
        if device == "meta":
            with torch.device("meta"):
                return cls(**kwargs)
        model = cls(**kwargs)
        return model.to(device) if device != "cpu" else model
    except Exception as exc:
        raise HarnessError(
            f"{cls.__name__}(**{json.dumps(kwargs, sort_keys=True)}) failed: "
            f"{type(exc).__name__}: {exc}"
        ) from exc


# --------------------------------------------------------------------------------------------
# Inputs: "x=[2,3,224,224]", "mask=[2,1,1,196]:bool", "ids=[2,16]:long:37000", "[2,10]"

DTYPES = {
    "float": torch.float32,
    "float32": torch.float32,
    "float64": torch.float64,
    "double": torch.float64,
    "float16": torch.float16,
    "half": torch.float16,
    "bfloat16": torch.bfloat16,
    "long": torch.int64,
    "int64": torch.int64,
    "int": torch.int32,
    "int32": torch.int32,
    "bool": torch.bool,
}

INPUT_RE = re.compile(
    r"^(?:(?P<name>[A-Za-z_][A-Za-z0-9_]*)=)?\[(?P<dims>[0-9,\s]*)\](?::(?P<dtype>[a-z0-9]+))?"
    r"(?::(?P<high>[0-9]+))?$"
)


@dataclass
class InputSpec:
    text: str
    name: str | None  # None: passed positionally
    shape: list[int]
    dtype: Any
    high: int | None  # integer inputs are drawn from [0, high)

    @property
    def label(self) -> str:
        return self.name if self.name is not None else f"arg{self.position}"

    position: int = 0


def parse_input(text: str, position: int) -> InputSpec:
    m = INPUT_RE.match(text.replace(" ", ""))
    if not m:
        raise HarnessError(
            f"--input {text!r}: expected NAME=[d1,d2,...][:dtype][:high], "
            'e.g. "x=[2,3,224,224]", "mask=[2,1,1,196]:bool", "ids=[2,16]:long:37000"'
        )
    dims = [d for d in m.group("dims").split(",") if d]
    if not dims:
        raise HarnessError(f"--input {text!r}: the shape has no dimensions")
    dtype_name = m.group("dtype") or "float32"
    if dtype_name not in DTYPES:
        raise HarnessError(
            f"--input {text!r}: unknown dtype {dtype_name!r} (one of {', '.join(sorted(DTYPES))})"
        )
    dtype = DTYPES[dtype_name]
    high = int(m.group("high")) if m.group("high") else None
    if high is not None and (dtype.is_floating_point or dtype == torch.bool):
        raise HarnessError(f"--input {text!r}: a value bound only applies to integer dtypes")
    if high is not None and high < 1:
        raise HarnessError(f"--input {text!r}: the value bound must be at least 1")
    return InputSpec(text, m.group("name"), [int(d) for d in dims], dtype, high, position)


def parse_inputs(texts: list[str]) -> list[InputSpec]:
    specs = [parse_input(t, i) for i, t in enumerate(texts)]
    names = [s.name for s in specs if s.name is not None]
    if len(names) != len(set(names)):
        raise HarnessError("--input names must be distinct")
    seen_named = False
    for s in specs:
        if s.name is None and seen_named:
            raise HarnessError("positional --input values must come before named ones")
        seen_named = seen_named or s.name is not None
    return specs


def make_inputs(specs: list[InputSpec], device: str) -> tuple[list[Any], dict[str, Any]]:
    """Build the tensors from a private generator, so the inputs are the same whatever the
    global RNG state and whatever the model's own seeding does."""
    gen = torch.Generator().manual_seed(1234)
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for s in specs:
        if device == "meta":
            t = torch.empty(s.shape, dtype=s.dtype, device="meta")
        elif s.dtype.is_floating_point:
            t = torch.randn(s.shape, generator=gen).to(s.dtype)
        elif s.dtype == torch.bool:
            # random, not all-True/all-False: either constant would mask whole rows under one of
            # the two mask conventions and turn attention into NaN
            t = torch.rand(s.shape, generator=gen) < 0.5
        else:
            t = torch.randint(0, s.high or 2, s.shape, generator=gen, dtype=s.dtype)
        if device not in ("cpu", "meta"):
            t = t.to(device)
        if s.name is None:
            args.append(t)
        else:
            kwargs[s.name] = t
    return args, kwargs


# --------------------------------------------------------------------------------------------
# Seeding


def seed_everything(module: Any, seed: int = 0) -> str:
    """Call the model file's own `set_seed` when it defines one (that is what the check is
    about: does the user's seeding make runs reproducible), else seed torch, random, numpy."""
    own = getattr(module, "set_seed", None)
    if callable(own):
        own(seed)
        return "the file's set_seed"
    random.seed(seed)
    torch.manual_seed(seed)
    try:
        import numpy

        numpy.random.seed(seed)
    except ImportError:
        pass
    return "torch/random/numpy seeded by the harness (the file defines no set_seed)"


# --------------------------------------------------------------------------------------------
# Train mode for gradients: norms learn, regularisers that drop things are off

# Stochastic depth and DropPath modules by class name (timm DropPath, torchvision
# StochasticDepth, DropBlock, hand-written ones): they can drop a whole branch for the batch,
# which gives correct code an all-zero gradient.
REGULARISER_RE = re.compile(r"drop_?path|stochastic_?depth|drop_?block", re.IGNORECASE)


def train_without_regularisers(model: nn.Module) -> list[str]:
    """model.train(), then every dropout or stochastic-depth module back to eval mode; returns
    their paths. Norm layers stay in train mode (batch statistics, as in training)."""
    model.train()
    off = []
    for path, module in model.named_modules():
        # a leaf only: a block named "...StochasticDepth..." holds norms that must keep training
        leaf = next(module.children(), None) is None
        if isinstance(module, nn.modules.dropout._DropoutNd) or (
            leaf and REGULARISER_RE.search(type(module).__name__)
        ):
            module.training = False  # this module only, not recursively
            off.append(path or "(root)")
    return off


def describe_regularisers(off: list[str]) -> str:
    if not off:
        return "train mode (no dropout or stochastic-depth module found)"
    shown = ", ".join(off[:3]) + (f", ... ({len(off)} in all)" if len(off) > 3 else "")
    return f"train mode with dropout/stochastic depth off ({len(off)} modules in eval mode: {shown}; norms in train mode)"


# --------------------------------------------------------------------------------------------
# Tensors in nested outputs


def flatten_tensors(value: Any) -> list[Any]:
    """Tensors of a nested value in order: tuples/lists in order, dicts by insertion order,
    other objects (None, ints, strings) omitted."""
    out: list[Any] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, torch.Tensor):
            out.append(v)
        elif isinstance(v, (tuple, list)):
            stack.extend(reversed(v))
        elif isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
    return out


def shapes_of(value: Any) -> list[list[int]]:
    return [list(t.shape) for t in flatten_tensors(value)]


def dtype_name(dtype: Any) -> str:
    return str(dtype).replace("torch.", "")


# --------------------------------------------------------------------------------------------
# Module calls recorded with forward hooks


def is_under(path: str | Path, root: Path) -> bool:
    try:
        rel = Path(os.path.realpath(path)).relative_to(root)
    except ValueError:
        return False
    return "site-packages" not in rel.parts and not any(p.startswith(".") for p in rel.parts)


def class_location(cls: type, root: Path) -> tuple[str | None, int | None]:
    try:
        src = inspect.getsourcefile(cls)
    except TypeError:
        return None, None
    if not src or not is_under(src, root):
        return None, None
    try:
        line = inspect.getsourcelines(cls)[1]
    except (OSError, TypeError):
        line = None
    return Path(os.path.realpath(src)).relative_to(root).as_posix(), line


# Calls placed per module (`seq`); a module called more often keeps the first ones and says so.
SEQ_LIMIT = 1000


@dataclass
class ModuleRecorder:
    """Forward pre/post hooks on every module of the model.

    A stack of running modules (pushed by the pre-hook, popped by the post-hook) tells which
    module was innermost when forward raised: post-hooks do not run for a module that raised.
    """

    model: nn.Module
    root: Path
    paths: dict[int, str] = field(default_factory=dict)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    stack: list[tuple[str, list[list[int]], int]] = field(default_factory=list)
    # Pre-hooks run so far: a call's [start, end) in this count places it among all the other
    # calls, so a module called at several places (one shared ReLU) can be drawn at each.
    started: int = 0
    recent: collections.deque = field(default_factory=lambda: collections.deque(maxlen=5))
    handles: list[Any] = field(default_factory=list)

    def __enter__(self) -> ModuleRecorder:
        for path, module in self.model.named_modules():
            if id(module) in self.paths:
                continue
            self.paths[id(module)] = path
            self.handles.append(
                module.register_forward_pre_hook(self._pre_hook(path, module), with_kwargs=True)
            )
            self.handles.append(
                module.register_forward_hook(self._post_hook(path), with_kwargs=True)
            )
        return self

    def __exit__(self, *exc: Any) -> None:
        for h in self.handles:
            h.remove()
        self.handles.clear()

    def calls_of(self, module: Any) -> tuple[str | None, int | None]:
        """(path, 0-based index of its current call) of a module, for frames running its forward."""
        path = self.paths.get(id(module))
        if path is None or path not in self.records:
            return path, None
        return path, self.records[path]["calls"] - 1

    def _pre_hook(self, path: str, module: nn.Module):
        def hook(mod: nn.Module, args: Any, kwargs: Any) -> None:
            shapes = shapes_of((args, kwargs))
            rec = self.records.get(path)
            if rec is None:
                file, line = class_location(type(mod), self.root)
                rec = {
                    "path": path,
                    "type": type(mod).__name__,
                    "order": len(self.records),
                    "calls": 0,
                    "params": sum(p.numel() for p in mod.parameters()),
                    "file": file,
                    "line": line,
                    "inputs": shapes,
                    "outputs": None,
                }
                # The class whose forward runs, when inherited (FCN runs
                # _SimpleSegmentationModel.forward): what `mermaid-gen code --class` draws.
                owner = next((k for k in type(mod).__mro__ if "forward" in vars(k)), None)
                if owner is not None and owner is not type(mod):
                    rec["forward_class"] = owner.__name__
                extra = mod.extra_repr()
                if extra and "\n" not in extra:
                    rec["repr"] = f"{type(mod).__name__}({extra})"
                self.records[path] = rec
            rec["calls"] += 1
            self.stack.append((path, shapes, self.started))
            self.started += 1

        return hook

    def _post_hook(self, path: str):
        def hook(mod: nn.Module, args: Any, kwargs: Any, output: Any) -> None:
            # entries above ours belong to sub-modules whose exception was caught in between
            start = None
            while self.stack:
                top, in_shapes, start = self.stack.pop()
                if top == path:
                    break
            out = shapes_of(output)
            rec = self.records[path]
            if rec["outputs"] is None:
                rec["outputs"] = out
            if start is not None:
                seq = rec.setdefault("seq", [])
                if len(seq) < SEQ_LIMIT:
                    seq.append([start, self.started])
                else:
                    rec["seq_truncated"] = True
            if rec["calls"] > 1:
                rec.setdefault(
                    "call_shapes", [{"inputs": rec["inputs"], "outputs": rec["outputs"]}]
                )
                if len(rec["call_shapes"]) < 100:
                    rec["call_shapes"].append({"inputs": in_shapes, "outputs": out})
            self.recent.append(
                {
                    "path": path,
                    "type": rec["type"],
                    "call": rec["calls"] - 1,
                    "inputs": in_shapes,
                    "outputs": out,
                }
            )

        return hook

    def module_list(self) -> list[dict[str, Any]]:
        """Records in first-call order; `parent` is the nearest ancestor that was called, so the
        tree closes within the list (a ModuleList is never called itself)."""
        out = []
        for rec in sorted(self.records.values(), key=lambda r: r["order"]):
            rec = dict(rec)
            if rec["outputs"] is None:
                rec["outputs"] = []  # the module raised before returning
            path = rec["path"]
            structural = None if path == "" else (path.rsplit(".", 1)[0] if "." in path else "")
            rec["structural_parent"] = structural
            parent = structural
            while parent is not None and parent not in self.records:
                parent = (
                    None if parent == "" else (parent.rsplit(".", 1)[0] if "." in parent else "")
                )
            rec["parent"] = parent
            out.append(rec)
        return out

    def uncalled(self, limit: int = 2000) -> list[str]:
        """Modules of the model that forward never called: a branch that did not run, for
        `mermaid-gen code`, which draws the source and must not draw a path that was not taken."""
        out = [p for p, _ in self.model.named_modules() if p and p not in self.records]
        return sorted(out)[:limit]

    def root_attrs(self, limit: int = 2000) -> dict[str, str]:
        """What each attribute of the root module is (module, parameter, buffer, none, true,
        false), so a reader of the source can tell `self.cls_token.expand(...)` (a tensor) from
        a module call, `self.attn_pool = None` from a module, and which arm of
        `if self.no_embed_class:` ran."""
        kinds: dict[str, str] = {}
        for name, value in vars(self.model).items():
            if name.startswith("_"):
                continue
            if value is None:
                kinds[name] = "none"
            elif isinstance(value, bool):
                # `if self.no_embed_class:` in forward takes the branch this value selects
                kinds[name] = "true" if value else "false"
        for name, value in self.model._modules.items():
            kinds[name] = "none" if value is None else "module"
        for name, value in self.model._parameters.items():
            kinds[name] = "none" if value is None else "parameter"
        for name, value in self.model._buffers.items():
            kinds[name] = "none" if value is None else "buffer"
        return dict(sorted(kinds.items())[:limit])

    def error_context(self) -> dict[str, Any]:
        if self.stack:
            path, shapes, _ = self.stack[-1]
            typ = self.records[path]["type"]
        else:
            path, shapes, typ = None, [], None
        return {
            "module": path,
            "module_type": typ,
            "module_inputs": shapes,
            "last_shapes": list(self.recent),
        }


def user_frame(tb: Any, root: Path) -> tuple[str | None, int | None]:
    """Innermost traceback frame in the user's files: where to look first."""
    file = line = None
    while tb is not None:
        fname = tb.tb_frame.f_code.co_filename
        if is_under(fname, root):
            file = Path(os.path.realpath(fname)).relative_to(root).as_posix()
            line = tb.tb_lineno
        tb = tb.tb_next
    return file, line


def describe_error(exc: BaseException, ctx: dict[str, Any], where: tuple[Any, Any]) -> str:
    mod = ctx["module"]
    if mod is None:
        head = f"{type(exc).__name__} before any module ran"
    else:
        label = "the root module" if mod == "" else f"module '{mod}'"
        head = f"{type(exc).__name__} in {label} ({ctx['module_type']}) called with {ctx['module_inputs']}"
    lines = [f"{head}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"]
    if where[0]:
        lines.append(f"  at {where[0]}:{where[1]}")
    if ctx["last_shapes"]:
        lines.append("  last modules completed before it:")
        for r in ctx["last_shapes"]:
            lines.append(
                f"    {r['path'] or '(root)'} ({r['type']}): {r['inputs']} -> {r['outputs']}"
            )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Command line shared by the scripts


def add_model_arguments(p: Any, device_help: str) -> None:
    p.add_argument("target", help="FILE.py:ClassName, the model class to build")
    p.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="SPEC",
        help='input tensor, e.g. "x=[2,3,224,224]", "ids=[2,16]:long:37000" (repeatable)',
    )
    p.add_argument(
        "--kwargs", metavar="JSON", help="constructor keyword arguments as a JSON object"
    )
    p.add_argument("--device", choices=("cpu", "meta", "cuda"), default="cpu", help=device_help)


def parse_cli(parser: Any, argv: list[str] | None, prog: str) -> tuple[Any, int | None]:
    """(args, None), or (None, exit status) after argparse or the missing --input was reported."""
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed by argparse
        return None, int(exc.code or 0)
    if not args.input:
        print(f'{prog}: give at least one --input, e.g. --input "x=[2,3,224,224]"', file=sys.stderr)
        return None, 2
    return args, None


# --------------------------------------------------------------------------------------------
# Output files


def write_atomic(path: str, text: str, force: bool) -> None:
    """Write through a temporary file and rename, so a crash never leaves half a file; refuse
    to replace an existing file unless forced."""
    target = Path(path)
    if target.exists() and not force:
        raise HarnessError(f"{path}: already exists (use --force to overwrite)")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
