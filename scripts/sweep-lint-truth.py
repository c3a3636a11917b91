#!/usr/bin/env python3
"""Shape comments true by construction, and the recall of tensor-shape-lint on seeded defects.

From the runs scripts/sweep-lint-oracle.py records (every corpus class built with its real
constructor arguments, every assignment of its own forward traced at two input sizes), this
script
  1. writes a shape comment after every assignment of the class's forward into a COPY of its
     corpus file (the corpus is never written). A dim the two runs give equal stays a number;
     a dim that changes is written as the simplest expression in the input's changing dims
     (B, H, W, N) that gives both values and no other expression class does (checked at a
     third, divisible point); a line with a dim no expression fits, or fits ambiguously, gets
     no comment. The input comment is built the same way. A unit run at one size only gets
     concrete comments throughout. Lines assigned several shapes in one run (loop bodies)
     get no comment.
  2. lints the copies (`--select TSL6 --verbose`): every TSL601 on them is a linter bug (the
     comments hold at both real sizes); TSL690 "comment undecided" marks the lines the
     linter does not decide.
  3. seeds one defect per copy into the commented lines: `swap` (two dims of different
     value), `channel` (a constant dim above 1 doubled), `stride` (a changing dim halved).
     Recall = copies with a TSL601 / copies seeded, on the lines the linter decides in the true
     copy; seeds on undecided lines are counted apart.

The copies live in a scratch tree that mirrors the corpus with symbolic links, so relative
imports of the copy resolve to the real neighbouring files.

Prints one summary line:
  sweep-lint-truth: classes N, comments written C (symbolic S), TSL601 on true comments F,
  seeded X, decided D, caught K, recall R; seeded on undecided lines U
Exit status: 0 when no TSL601 fires on a true comment, 1 otherwise, 2 usage error.

examples:
  python3 scripts/sweep-lint-truth.py --only torchvision --factories 1
  python3 scripts/sweep-lint-truth.py --subset subset.txt --json out.json --keep /tmp/truth
  python3 scripts/sweep-lint-truth.py --factories 1      every package (over an hour)
  python3 scripts/sweep-lint-truth.py --units units.json  the runs of
                           `sweep-lint-oracle.py --factories 1 --save-units units.json` (minutes)
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

_spec = importlib.util.spec_from_file_location("sweep_lint_oracle", REPO / "scripts" / "sweep-lint-oracle.py")
assert _spec and _spec.loader
oracle = importlib.util.module_from_spec(_spec)
sys.modules["sweep_lint_oracle"] = oracle
_spec.loader.exec_module(oracle)

# --------------------------------------------------------------------------------------------
# Dims as expressions of the input's changing sizes

Env = dict[str, int]


def input_symbols(shapes: list[list[int]]) -> list[str]:
    """The input comment's dims: a number where every run agrees, else a symbol (B for the
    first dim, then H, W for images, N for a sequence, S2, S3... otherwise)."""
    first = shapes[0]
    varying = [k for k in range(len(first)) if len({s[k] for s in shapes}) > 1]
    names = iter(["H", "W"] if len([k for k in varying if k > 0]) == 2 and len(first) == 4 else ["N", "H", "W", "S2", "S3", "S4", "S5"])
    out = []
    for k, v in enumerate(first):
        if k not in varying:
            out.append(str(v))
        elif k == 0:
            out.append("B")
        else:
            out.append(next(names))
    return out


def templates(syms: list[str]) -> list[str]:
    """Candidate expressions, simplest first."""
    out: list[str] = []
    spatial = [s for s in syms if s != "B"]
    for s in syms:
        out.append(s)
    for s in spatial:
        for k in (2, 4, 8, 16, 32, 64, 3, 7, 14, 28):
            out.append(f"{s}//{k}")
        for m in (2, 3, 4, 6, 8):
            out.append(f"{m}*{s}")
        for k in (2, 4, 8, 16, 32, 64):
            out.append(f"({s} - 1)//{k} + 1")
        for b in (1, 2, -1, -2):
            out.append(f"{s} + {b}" if b > 0 else f"{s} - {-b}")
        for k in (2, 4, 8, 16, 32):
            for b in (1, -1, 2, -2):
                out.append(f"{s}//{k} + {b}" if b > 0 else f"{s}//{k} - {-b}")
    for a, b in itertools.combinations(spatial, 2):
        for k in (1, 4, 16, 64, 256, 1024, 49, 196):
            out.append(f"{a}*{b}" if k == 1 else f"{a}*{b}//{k}")
    if "B" in syms:
        for m in (2, 3, 4, 6, 8, 12, 16, 32):
            out.append(f"B*{m}")
        for s in spatial:
            out.append(f"B*{s}")
            for k in (4, 16, 64, 256):
                out.append(f"B*{s}//{k}")
        for a, b in itertools.combinations(spatial, 2):
            for k in (1, 4, 16, 64, 256, 1024, 49):
                out.append(f"B*{a}*{b}" if k == 1 else f"B*{a}*{b}//{k}")
    return out


def evaluate(expr: str, env: Env) -> int | None:
    try:
        v = eval(expr, {"__builtins__": {}}, dict(env))  # noqa: S307 - our own templates
    except ZeroDivisionError:
        return None
    return v if isinstance(v, int) else None


def fit_dim(values: list[int], envs: list[Env], probe: Env, templ: list[str], position: int) -> str | None:
    """The expression for a dim whose values in the runs are `values`: a number when they
    agree; else the simplest template giving every value, provided all the templates that fit
    agree at `probe` (a third point, divisible by 64, so floor forms such as H//2 and
    (H - 1)//2 + 1 count as one). A dim the batch and a size could both explain (B and H//32
    are 2 and 3 in both runs) is B at position 0 and the size elsewhere (see TIED)."""
    if len(set(values)) == 1:
        return str(values[0])
    fits = [t for t in templ if all(evaluate(t, e) == v for e, v in zip(envs, values))]
    if not fits:
        return None
    with_b = [t for t in fits if "B" in re.findall(r"[A-Za-z_]\w*", t)]
    without_b = [t for t in fits if t not in with_b]
    if with_b and without_b:
        # A tie the two runs cannot break (B*8 and H//4 are 16 and 24 in both): the batch at
        # position 0, a size elsewhere. The guess is recorded (TIED) so a TSL601 it causes is
        # counted apart, not as a linter bug: after a permute the batch can sit elsewhere.
        fits = with_b if position == 0 else without_b
        TIED.append(True)
    at_probe = {evaluate(t, probe) for t in fits}
    return fits[0] if len(at_probe) == 1 else None


TIED: list[bool] = []  # fit_dim appends when it broke a B-versus-size tie


class Written:
    """The comments written into one unit's copy: line -> (name, dims), and the input's."""

    def __init__(self) -> None:
        self.input: list[str] = []
        self.lines: dict[int, tuple[str, list[str]]] = {}
        self.symbolic = 0
        self.skipped: dict[str, int] = {}
        self.tied: set[int] = set()  # lines with a dim chosen by the position rule

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1


def write_comments(u: Any) -> Written:
    """Comments for unit `u` (oracle.Unit: runs of (input shape, {(line, name): [shapes]}))."""
    w = Written()
    runs = [r for r in u.runs if len(r[0]) == len(u.runs[0][0])]
    shapes = [r[0] for r in runs]
    w.input = input_symbols(shapes)
    syms = [s for s in w.input if not s.isdigit()]
    envs = [{s: v for s, v in zip(w.input, shape) if not s.isdigit()} for shape in shapes]
    probe = {s: (5 if s == "B" else 64 * (7 + k)) for k, s in enumerate(syms)}
    templ = templates(syms)
    keys = sorted({k for _, own in runs for k in own})
    by_line: dict[int, list[str]] = {}
    for line, name in keys:
        by_line.setdefault(line, []).append(name)
    for line, names in sorted(by_line.items()):
        if len(names) != 1:
            w.skip("several names on one line")
            continue
        name = names[0]
        per_run = [own.get((line, name)) for _, own in runs]
        if any(p is None for p in per_run):
            w.skip("not assigned in every run")
            continue
        if any(len({tuple(s) for s in p}) != 1 for p in per_run):
            w.skip("several shapes in one run (loop)")
            continue
        real = [p[0] for p in per_run]
        if len({len(r) for r in real}) != 1:
            w.skip("rank differs between runs")
            continue
        dims = []
        TIED.clear()
        for k in range(len(real[0])):
            d = fit_dim([r[k] for r in real], envs, probe, templ, k)
            if d is None:
                break
            dims.append(d)
        else:
            w.lines[line] = (name, dims)
            if TIED:
                w.tied.add(line)
            if any(not d.lstrip("-").isdigit() for d in dims):
                w.symbolic += 1
            continue
        w.skip("no unambiguous expression")
    return w


# --------------------------------------------------------------------------------------------
# Copies


def statement_ends(src: str, cname: str) -> tuple[dict[int, int], int, str] | None:
    """For `cname.forward`: each assignment's first line -> its last line; the line before
    which the input comment goes (the body's first statement) and that statement's indent."""
    tree = ast.parse(src)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == cname:
            for f in node.body:
                if isinstance(f, ast.FunctionDef) and f.name == "forward" and f.body:
                    ends = {
                        n.lineno: n.end_lineno or n.lineno
                        for n in ast.walk(f)
                        if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign))
                    }
                    first = f.body[0]
                    line = src.splitlines()[first.lineno - 1]
                    return ends, first.lineno, line[: len(line) - len(line.lstrip())]
    return None


def render(src: str, cname: str, arg: str, w: Written, override: dict[int, list[str]] | None = None) -> tuple[str, dict[int, int]] | None:
    """The copy's text and, for each commented statement line, the line of its comment in the
    copy. Comments go on their own line directly below the statement (never after an existing
    trailing comment, which would swallow them)."""
    where = statement_ends(src, cname)
    if where is None:
        return None
    ends, first, indent = where
    lines = src.splitlines()
    after: dict[int, list[str]] = {}
    placed: dict[int, int] = {}
    for line, (name, dims) in w.lines.items():
        end = ends.get(line)
        if end is None:
            continue
        ind = lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]
        dims = (override or {}).get(line, dims)
        after.setdefault(end, []).append((line, f"{ind}# {name}: [{', '.join(dims)}]"))
    out: list[str] = []
    for i, text in enumerate(lines, start=1):
        if i == first:
            out.append(f"{indent}# {arg}: [{', '.join(w.input)}]")
        out.append(text)
        for line, c in after.get(i, []):
            out.append(c)
            placed[line] = len(out)
    return "\n".join(out) + "\n", placed


class Farm:
    """A scratch tree mirroring the corpus: directories are real, files are symbolic links,
    so a copy written beside them imports its real neighbours."""

    def __init__(self, corpus: Path, root: Path) -> None:
        self.corpus, self.root = corpus, root
        self.made: set[Path] = set()

    def dir_for(self, rel: str) -> Path:
        parts = Path(rel).parent.parts
        for k in range(len(parts) + 1):
            d = Path(*parts[:k]) if k else Path(".")
            if d in self.made:
                continue
            self.made.add(d)
            (self.root / d).mkdir(parents=True, exist_ok=True)
            for e in (self.corpus / d).iterdir():
                t = self.root / d / e.name
                if e.is_file() and not t.exists():
                    t.symlink_to(e.resolve())
        return self.root / Path(rel).parent


def checked_counts(linter: str, paths: list[Path]) -> dict[str, int]:
    """path -> shape comments the linter says it checked there (its summary line, one file per
    run): a comment in a class the linter does not run has no verdict at all, and must not be
    counted as decided."""
    out: dict[str, int] = {}
    for p in paths:
        r = subprocess.run([linter, "--select", "TSL6", "--format", "json", str(p)], capture_output=True, text=True, timeout=120)
        m = re.search(r"(\d+) shape comments? checked", r.stderr)
        # A comment that only bound constructor arguments has a verdict too (not "checked").
        b = re.search(r"(\d+) binding constructor arguments", r.stderr)
        out[str(p)] = (int(m[1]) if m else 0) + (int(b[1]) if b else 0)
    return out


def lint(linter: str, paths: list[Path]) -> dict[str, list[tuple[int, str, str]]]:
    """path -> [(line, code, message)] of TSL6xx findings (TSL690 with --verbose)."""
    out: dict[str, list[tuple[int, str, str]]] = {str(p): [] for p in paths}
    for k in range(0, len(paths), 400):
        batch = paths[k : k + 400]
        r = subprocess.run(
            [linter, "--select", "TSL6", "--verbose", "--format", "json", *map(str, batch)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if r.returncode == 2:
            raise SystemExit(f"sweep-lint-truth: the linter refused the copies: {r.stderr.strip()[:500]}")
        for f in json.loads(r.stdout or "[]"):
            out.setdefault(f["filename"], []).append((f["location"]["row"], f["code"], f["message"]))
    return out


# --------------------------------------------------------------------------------------------
# Seeds


def seeds(dims: list[str]) -> list[tuple[str, list[str]]]:
    """One defect of each kind the dims allow (never a change that leaves the shape equal)."""
    out: list[tuple[str, list[str]]] = []
    numeric = [k for k, d in enumerate(dims) if d.isdigit()]
    for a, b in itertools.combinations(range(len(dims)), 2):
        if dims[a] != dims[b]:
            d = list(dims)
            d[a], d[b] = d[b], d[a]
            out.append(("swap", d))
            break
    big = [k for k in numeric if int(dims[k]) > 1]
    if big:
        k = big[-1] if len(dims) != 4 else (1 if 1 in big else big[-1])
        d = list(dims)
        d[k] = str(2 * int(dims[k]))
        out.append(("channel", d))
    varying = [k for k, d in enumerate(dims) if not d.isdigit() and d != "B"]
    if varying:
        k = varying[0]
        d = list(dims)
        d[k] = f"({dims[k]})//2" if not re.fullmatch(r"[A-Za-z_]\w*", dims[k]) else f"{dims[k]}//2"
        out.append(("stride", d))
    return out


# --------------------------------------------------------------------------------------------


def run(corpus: Path, linter: str, units: list[Any], scratch: Path) -> dict[str, Any]:
    farm = Farm(corpus, scratch)
    stats: dict[str, Any] = {
        "units": 0, "classes": set(), "comments": 0, "symbolic": 0, "skipped": {},
        "false": [], "seeded": 0, "decided": 0, "caught": 0, "caught_on_line": 0,
        "undecided_seeds": 0, "caught_undecided": 0, "by_kind": {}, "missed": [],
        "true_decided": 0,
    }
    true_copies: list[tuple[Path, Any, Written, dict[int, int]]] = []
    for n, u in enumerate(units):
        w = write_comments(u)
        for k, v in w.skipped.items():
            stats["skipped"][k] = stats["skipped"].get(k, 0) + v
        if not w.lines:
            continue
        src = (corpus / u.rel).read_text(encoding="utf-8")
        made = render(src, u.cname, u.arg, w)
        if made is None:
            continue
        text, placed = made
        d = farm.dir_for(u.rel)
        path = d / f"{Path(u.rel).stem}__truth{n}.py"
        path.write_text(text)
        true_copies.append((path, u, w, placed))
    found = lint(linter, [p for p, *_ in true_copies])
    checked = checked_counts(linter, [p for p, *_ in true_copies])
    seeded: list[tuple[Path, str, bool, str, int]] = []
    for path, u, w, placed in true_copies:
        stats["units"] += 1
        stats["classes"].add(f"{u.rel}:{u.cname}")
        stats["comments"] += len(placed)
        stats["symbolic"] += sum(1 for l in placed if any(not d.isdigit() for d in w.lines[l][1]))
        fs = found.get(str(path), [])
        undecided = {row for row, code, _ in fs if code == "TSL690" and "comment undecided" in _}
        # A comment that fixed a constructor argument has that dim taken as given, not checked:
        # a seed there is not on a decided line (the linter says so; counted apart).
        binding = {row for row, code, _ in fs if code == "TSL690" and "comment binds constructor" in _}
        stats["binding"] = stats.get("binding", 0) + len(binding)
        undecided |= binding
        tied_rows = [placed[l] for l in w.tied if l in placed]
        for row, code, msg in fs:
            if code == "TSL601" and any(t <= row for t in tied_rows):
                # At or after a comment whose batch-or-size dim was a guess: the guess may
                # be what is wrong (the linter's inferred shape says which); not a linter bug.
                stats.setdefault("on_tied", []).append(f"{u.rel}:{u.cname} copy line {row}: {msg}")
            elif code == "TSL601":
                stats["false"].append(f"{u.rel}:{u.cname} ({json.dumps(u.kwargs, sort_keys=True)[:80]}) copy line {row}: {msg}")
        decided_lines = {l for l, row in placed.items() if row not in undecided}
        if checked.get(str(path), 0) < len(placed):
            # Some comments got no verdict (the linter did not run their class): none of the
            # copy's lines is taken as decided.
            stats["unchecked_copies"] = stats.get("unchecked_copies", 0) + 1
            decided_lines = set()
        stats["true_decided"] += len(decided_lines)
        if any(code == "TSL601" for _, code, _ in fs):
            continue  # a copy whose true comments already fail says nothing about seeds
        src = (corpus / u.rel).read_text(encoding="utf-8")
        for line, row in placed.items():
            name, dims = w.lines[line]
            for kind, bad in seeds(dims):
                made = render(src, u.cname, u.arg, w, {line: bad})
                if made is None:
                    continue
                sp = path.with_name(f"{path.stem}_s{line}_{kind}.py")
                sp.write_text(made[0])
                seeded.append((sp, kind, line in decided_lines, f"{u.rel}:{u.cname} line {line} `{name}` [{', '.join(dims)}] -> [{', '.join(bad)}]", row))
    found = lint(linter, [s[0] for s in seeded])
    for sp, kind, decided, what, row in seeded:
        fs = found.get(str(sp), [])
        hit = any(code == "TSL601" for _, code, _ in fs)
        k = stats["by_kind"].setdefault(kind, [0, 0])
        stats["seeded"] += 1
        if decided:
            stats["decided"] += 1
            k[0] += 1
            if hit:
                stats["caught"] += 1
                k[1] += 1
                stats["caught_on_line"] += any(code == "TSL601" and r == row for r, code, _ in fs)
            else:
                stats["missed"].append(f"{kind}: {what}")
        else:
            stats["undecided_seeds"] += 1
            stats["caught_undecided"] += hit
    stats["classes"] = len(stats["classes"])
    return stats


def summary(s: dict[str, Any]) -> str:
    recall = s["caught"] / s["decided"] if s["decided"] else 0.0
    return (
        f"sweep-lint-truth: classes {s['classes']} ({s['units']} units), comments written {s['comments']} "
        f"(symbolic {s['symbolic']}, decided {s['true_decided']}, binding {s.get('binding', 0)}), TSL601 on true comments {len(s['false'])} "
        f"(and {len(s.get('on_tied', []))} after a batch-or-size guess), "
        f"seeded {s['seeded']}, decided {s['decided']}, caught {s['caught']}, recall {recall:.3f}; "
        f"seeded on undecided lines {s['undecided_seeds']} (caught anyway {s['caught_undecided']}); "
        f"copies the linter did not check in full {s.get('unchecked_copies', 0)}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="sweep-lint-truth.py",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--corpus", type=Path, default=oracle.DEFAULT_CORPUS)
    p.add_argument("--linter", help="tensor-shape-lint binary (default: $TENSOR_SHAPE_LINT, else built with cargo)")
    p.add_argument("--only", action="append", default=[], metavar="PREFIX", help="corpus paths starting with PREFIX (repeatable)")
    p.add_argument("--subset", type=Path, help="file of corpus-relative FILE.py:Class lines")
    p.add_argument("--factories", type=int, default=2, metavar="N", help="also build models with the first N builder functions of each file (default 2)")
    p.add_argument("--limit", type=int, help="stop after this many candidates")
    p.add_argument("--keep", type=Path, help="write the copies here (an empty or absent folder) instead of a temporary one")
    p.add_argument("--json", type=Path, help="write the numbers, false TSL601 and missed seeds here")
    p.add_argument("--progress", type=Path, help="append one line per candidate here")
    p.add_argument("--units", type=Path, metavar="FILE", help="the runs saved by `sweep-lint-oracle.py --save-units FILE` instead of running the models")
    p.add_argument("-v", "--verbose", action="store_true", help="print every missed seed")
    args = p.parse_args(argv)

    if not (args.corpus / "MANIFEST.tsv").is_file():
        print(f"sweep-lint-truth: {args.corpus}: no corpus (bash ../shared/corpus/pytorch/get.sh {args.corpus})", file=sys.stderr)
        return 2
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        print(f"sweep-lint-truth: {args.keep}: not empty", file=sys.stderr)
        return 2
    linter = args.linter or os.environ.get("TENSOR_SHAPE_LINT", "")
    if not linter:
        subprocess.run(["cargo", "build", "--quiet", "-p", "tensor-shape-lint"], cwd=REPO, check=True)
        linter = str(REPO / "target" / "debug" / "tensor-shape-lint")
    todo = oracle.read_subset(args.subset) if args.subset else oracle.candidates(args.corpus, args.only, args.factories)
    if args.limit:
        todo = todo[: args.limit]
    if args.units:
        saved = json.loads(args.units.read_text())
        results = saved["results"]
        units = [oracle.unit_from_json(d) for d in saved["units"]]
    else:
        oracle.UNIT_SINK = []
        results = oracle.sweep(args.corpus.resolve(), todo, [], args.progress)
        units = oracle.UNIT_SINK
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="sweep-lint-truth-"))
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        s = run(args.corpus.resolve(), linter, units, scratch.resolve())
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    s["models_run"] = sum(1 for r in results if r["status"] == "ok")
    s["candidates"] = len(results)
    for f in s["false"]:
        print(f"TSL601 on a true comment: {f}")
    for f in s.get("on_tied", []):
        print(f"TSL601 after a batch-or-size guess: {f}")
    if args.verbose:
        for m in s["missed"]:
            print(f"missed: {m}")
    print(f"by kind (decided, caught): {json.dumps(s['by_kind'], sort_keys=True)}; lines without a comment: {json.dumps(s['skipped'], sort_keys=True)}")
    print(summary(s))
    if args.json:
        args.json.write_text(json.dumps(s, indent=1, sort_keys=True) + "\n")
    return 1 if s["false"] else 0


if __name__ == "__main__":
    sys.exit(main())
