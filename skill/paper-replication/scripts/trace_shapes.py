#!/usr/bin/env python3
"""Run a model's real forward pass and record every shape it produces.

Writes a JSON trace (schema paper-replication/trace/v1) with (a) every module called, in
first-call order, with its input and output shapes, and (b) the shape of every tensor bound by
an assignment statement inside a `forward` of the user's files, with file, line and call index.
`tensor-shape-lint --runtime` compares (b) with the shape comments; `mermaid-gen trace` draws (a).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _harness as h
from _harness import HarnessError, torch

SCHEMA = "paper-replication/trace/v1"

EPILOG = """\
examples:
  python3 scripts/trace_shapes.py output/code/model.py:ResNet50 --input "x=[2,3,224,224]" \\
      --out output/trace-224.json
  python3 scripts/trace_shapes.py model.py:Transformer --kwargs '{"n_layers": 2}' \\
      --input "src=[2,7]:long:37000" --input "tgt=[2,5]:long:37000" --out trace.json --force
  python3 scripts/trace_shapes.py model.py:ViT --input "x=[3,3,64,96]" --out - | less

Run it twice with different input sizes (e.g. B=2, H=64, W=96 and B=3, H=96, W=64) so a shape
comment that is right only by coincidence is caught by tensor-shape-lint --runtime.

files in the trace are relative to "root", the folder of the model file as given; lines are
1-based lines of the assignment statement (the first line of a multi-line statement).

exit status: 0 trace written; 1 forward raised (the trace is still written, with "error" set,
and the module path and last shapes are printed); 2 usage or loading error.
"""


# --------------------------------------------------------------------------------------------
# Which lines of a user file are assignment statements, and what they bind


@dataclass(frozen=True)
class AssignStmt:
    start: int
    end: int
    names: tuple[str, ...]


def target_names(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [n for elt in node.elts for n in target_names(elt)]
    if isinstance(node, ast.Starred):
        return target_names(node.value)
    return []  # attributes and subscripts bind no local name


def assignment_lines(source: str, filename: str) -> dict[int, AssignStmt]:
    """Map every line of every assignment statement to the statement, so a line event anywhere
    inside a multi-line statement is recognised as that statement."""
    tree = ast.parse(source, filename)
    by_line: dict[int, AssignStmt] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            names = [n for t in node.targets for n in target_names(t)]
        elif isinstance(node, ast.AugAssign):
            names = target_names(node.target)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            names = target_names(node.target)
        else:
            continue
        if not names:
            continue
        stmt = AssignStmt(node.lineno, node.end_lineno or node.lineno, tuple(dict.fromkeys(names)))
        for line in range(stmt.start, stmt.end + 1):
            old = by_line.get(line)
            if old is not None:  # `a = 1; b = 2` on one line: treat as one statement
                stmt = AssignStmt(
                    min(old.start, stmt.start),
                    max(old.end, stmt.end),
                    tuple(dict.fromkeys(old.names + stmt.names)),
                )
            by_line[line] = stmt
    return by_line


# --------------------------------------------------------------------------------------------
# The line tracer


class AssignmentTracer:
    """sys.settrace hook that follows the frames of `forward` functions defined in user files.

    An assignment has completed when the next line event (or the frame's return) leaves the
    statement's line range; the bound names are then read from the frame's locals. An exception
    event drops the pending statement: it did not complete.
    """

    def __init__(self, root: Path, recorder: h.ModuleRecorder, functions: frozenset[str]) -> None:
        self.root = root
        self.functions = functions
        self.recorder = recorder
        self.records: list[dict[str, Any]] = []
        self._files: dict[str, tuple[str, dict[int, AssignStmt]] | None] = {}

    def _index(self, filename: str) -> tuple[str, dict[int, AssignStmt]] | None:
        if filename not in self._files:
            entry = None
            if filename.endswith(".py") and h.is_under(filename, self.root):
                try:
                    src = Path(filename).read_text(encoding="utf-8")
                    rel = Path(os.path.realpath(filename)).relative_to(self.root).as_posix()
                    entry = (rel, assignment_lines(src, filename))
                except (OSError, SyntaxError, ValueError):
                    entry = None
            self._files[filename] = entry
        return self._files[filename]

    def global_trace(self, frame: Any, event: str, arg: Any) -> Any:
        if event != "call" or frame.f_code.co_name not in self.functions:
            return None
        index = self._index(frame.f_code.co_filename)
        if index is None:
            return None
        path, call = self.recorder.calls_of(frame.f_locals.get("self"))
        return FrameTracer(
            self,
            index[0],
            index[1],
            getattr(frame.f_code, "co_qualname", frame.f_code.co_name),
            path,
            call,
        ).trace


class FrameTracer:
    def __init__(
        self,
        owner: AssignmentTracer,
        file: str,
        lines: dict[int, AssignStmt],
        function: str,
        module: str | None,
        call: int | None,
    ) -> None:
        self.owner = owner
        self.file = file
        self.lines = lines
        self.function = function
        self.module = module
        self.call = call
        self.pending: AssignStmt | None = None

    def trace(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "line":
            line = frame.f_lineno
            if self.pending is not None:
                if self.pending.start <= line <= self.pending.end:
                    return self.trace
                self.finish(frame)
            self.pending = self.lines.get(line)
        elif event == "return":
            if self.pending is not None:
                self.finish(frame)
        elif event == "exception":
            self.pending = None
        return self.trace

    def finish(self, frame: Any) -> None:
        stmt, self.pending = self.pending, None
        local = frame.f_locals
        for name in stmt.names:
            value = local.get(name)
            if isinstance(value, torch.Tensor):
                self.owner.records.append(
                    {
                        "file": self.file,
                        "line": stmt.start,
                        "end_line": stmt.end,
                        "function": self.function,
                        "module": self.module,
                        "call": self.call,
                        "name": name,
                        "shape": list(value.shape),
                        "dtype": h.dtype_name(value.dtype),
                    }
                )


# --------------------------------------------------------------------------------------------


def trace(
    target: h.Target,
    specs: list[h.InputSpec],
    kwargs: dict[str, Any],
    device: str,
    functions: frozenset[str] = frozenset({"forward"}),
) -> tuple[dict[str, Any], str | None]:
    module, cls = h.load_class(target)
    try:
        h.seed_everything(module, 0)
    except Exception as exc:
        raise HarnessError(
            f"{target.path}: set_seed(0) failed: {type(exc).__name__}: {exc}"
        ) from exc
    model = h.instantiate(cls, kwargs, device)
    model.eval()
    args, kw = h.make_inputs(specs, device)
    error = None
    message = None
    with h.ModuleRecorder(model, target.root) as rec:
        tracer = AssignmentTracer(target.root, rec, functions)
        previous = sys.gettrace()
        sys.settrace(tracer.global_trace)
        try:
            with torch.no_grad():
                model(*args, **kw)
        except Exception as exc:
            sys.settrace(previous)
            ctx = rec.error_context()
            where = h.user_frame(exc.__traceback__, target.root)
            error = {
                "type": type(exc).__name__,
                "message": str(exc),
                "file": where[0],
                "line": where[1],
                **ctx,
            }
            message = h.describe_error(exc, ctx, where)
        finally:
            sys.settrace(previous)
    doc = {
        "schema": SCHEMA,
        "target": target.spec,
        "root": target.root_label,
        "device": device,
        "kwargs": kwargs,
        "inputs": {s.label: s.shape for s in specs},
        "input_dtypes": {s.label: h.dtype_name(s.dtype) for s in specs},
        "modules": rec.module_list(),
        "uncalled": rec.uncalled(),
        "root_attrs": rec.root_attrs(),
        # the shape of every parameter and buffer by path: `mermaid-gen code` labels the node
        # of a stored tensor forward computes with (ViT's cls_token, ConvNeXt's gamma)
        "parameters": {
            name: list(value.shape)
            for name, value in [*model.named_parameters(), *model.named_buffers()]
        },
        "assignments": tracer.records,
        "functions": sorted(functions),
        "error": error,
    }
    return doc, message


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="trace_shapes.py",
        description=__doc__.split("\n\n")[0] + " " + __doc__.split("\n\n")[1].replace("\n", " "),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    h.add_model_arguments(
        p, "cpu (default); meta propagates shapes without data when every op supports it"
    )
    p.add_argument(
        "--function",
        action="append",
        default=[],
        metavar="NAME",
        help="also trace assignments in methods of this name (repeatable; forward is always traced), "
        "e.g. --function _attention for a helper called by forward",
    )
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="where to write the JSON trace ('-' for stdout)",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing --out file")
    return p


def main(argv: list[str] | None = None) -> int:
    args, code = h.parse_cli(build_parser(), argv, "trace_shapes")
    if args is None:
        return code
    try:
        target = h.parse_target(args.target)
        specs = h.parse_inputs(args.input)
        kwargs = h.parse_kwargs(args.kwargs)
        if args.out != "-" and Path(args.out).exists() and not args.force:
            raise HarnessError(f"{args.out}: already exists (use --force to overwrite)")
        functions = frozenset({"forward", *args.function})
        doc, message = trace(target, specs, kwargs, args.device, functions)
        text = json.dumps(doc, sort_keys=True, indent=2) + "\n"
        if args.out == "-":
            sys.stdout.write(text)
        else:
            h.write_atomic(args.out, text, args.force)
    except HarnessError as exc:
        print(f"trace_shapes: {exc}", file=sys.stderr)
        return 2
    mods, assigns = doc["modules"], doc["assignments"]
    where = "stdout" if args.out == "-" else args.out
    report = sys.stderr if args.out == "-" else sys.stdout
    if message is not None:
        print(f"trace_shapes: forward raised: {message}", file=report)
        print(
            f'trace_shapes: partial trace written to {where} ({len(mods)} modules, {len(assigns)} assignments, "error" set)',
            file=report,
        )
        print(
            "next: fix the statement at the location above (compare its input shapes with what the layer expects), then rerun",
            file=report,
        )
        return 1
    root = mods[0] if mods else None
    out_shapes = root["outputs"] if root else []
    print(
        f"trace_shapes: wrote {where}: {len(mods)} modules called, {len(assigns)} tensor assignments "
        f"in {len({a['file'] for a in assigns})} user file(s); output {out_shapes}",
        file=report,
    )
    if not assigns:
        print(
            "trace_shapes: note: no assignment inside a forward() of the model's folder was traced",
            file=report,
        )
    print(
        "next: compare the assignments with the shape comments (tensor-shape-lint --runtime does this), and run again with a second input size",
        file=report,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
