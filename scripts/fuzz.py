#!/usr/bin/env python3
"""Mutation fuzzing of every helper's input parsers (issue 20), on stable tooling only.

Each target takes small seeds the project owns (PDFs written here by code, the linter's test
fixtures, Mermaid and YAML written here, a SKILL.md and a ZIP built here), mutates them with a
seeded random generator (bit flips, byte edits, cut, duplicated and spliced ranges, tokens of
the target's grammar, long runs of one token) and runs the real binary on each mutant as a
subprocess under a 30 s time limit and a 4 GB address-space cap. Per case it records the exit
status, the wall time and the peak resident memory (os.wait4's ru_maxrss).

Per target it prints the exit-status distribution, the worst time and the worst peak memory,
and the run fails on any abort (a signal, or exit 101/134: an escaped panic or a Rust abort),
any run over 30 s and any peak of 1 GB or more. Every failing input is saved under --crashes
(default target/fuzz/crashes/<target>/) to become a regression file under tests/fuzz/.

The same seed and case count give the same inputs on every machine.

    scripts/fuzz.py --cases 10000               # what scripts/fuzz.sh runs
    scripts/fuzz.py --cases 200 --target pdf    # one target, a short run
    scripts/fuzz.py --bin target/release        # binaries from another build
    scripts/fuzz.py --replay tests/fuzz         # the saved regression inputs only
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TIME_LIMIT = 30.0
MEMORY_LIMIT = 1 << 30  # peak RSS at or above this fails the run
ADDRESS_CAP = 4 << 30  # the runs used a 4 GB cap; a runaway stops there


# ---------------------------------------------------------------------------------------------
# Seeds


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF with objects numbered from 1 (1 is the catalog) and a correct xref table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objects):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def stream(d: bytes, data: bytes, flate: bool = False) -> bytes:
    if flate:
        data = zlib.compress(data)
        d += b" /Filter /FlateDecode"
    return b"<< " + d + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def page(resources: bytes) -> bytes:
    return (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << "
        + resources
        + b" >> >>"
    )


def pdf_seeds() -> list[bytes]:
    text = (
        b"BT /F1 10 Tf 72 700 Td (We train with a learning rate of 0.1 and batch size 256.) Tj "
        b"0 -14 Td (Figure 1: A plot.) Tj ET 72 500 200 150 re S 0 0 1 rg 80 510 50 50 re f"
    )
    form = b"q 0.5 0 0 0.5 72 300 cm /Fm Do Q q 0.5 0 0 0.5 300 300 cm /Fm Do Q"
    image = bytes(range(12))  # 2 x 2 RGB
    return [
        pdf_file([CATALOG, PAGES, page(b"/Font << /F1 5 0 R >>"), stream(b"", text), FONT]),
        pdf_file(
            [
                CATALOG,
                PAGES,
                page(b"/Font << /F1 5 0 R >> /XObject << /Fm 6 0 R >>"),
                stream(b"", form + b" " + text, flate=True),
                FONT,
                stream(
                    b"/Type /XObject /Subtype /Form /BBox [0 0 300 300] /Resources << /Font << /F1 5 0 R >> >>",
                    b"0 0 m 300 300 l S BT /F1 20 Tf 10 10 Td (x) Tj ET",
                ),
            ]
        ),
        pdf_file(
            [
                CATALOG,
                PAGES,
                page(b"/XObject << /Im 5 0 R >>"),
                stream(b"", b"q 100 0 0 100 72 600 cm /Im Do Q BT ET"),
                stream(
                    b"/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceRGB /BitsPerComponent 8",
                    image,
                    flate=True,
                ),
            ]
        ),
    ]


def python_seeds() -> list[bytes]:
    fixtures = REPO / "tests" / "python" / "fixtures"
    files = sorted(p for p in fixtures.glob("*.py") if p.stat().st_size <= 8000)
    return [p.read_bytes() for p in files[:6]]


MERMAID_SEEDS = [
    b"""# Model

```mermaid
flowchart TD
    x["input [B, 3, 224, 224]"] --> conv1["Conv2d 3->64, k7 s2<br/>[B, 64, 112, 112]"]
    conv1 --> pool{{"MaxPool k3 s2"}}
    subgraph stage1["Stage 1"]
        direction LR
        b1["Bottleneck"] -->|"x3"| b2(("+"))
    end
    pool --> b1
    b2 -.-> head[/"Linear 2048->1000"/]
    classDef input fill:#e3f2fd,stroke:#1565c0
    class x input
```
""",
    b"""```mermaid
graph LR
  A --> B & C
  B -- "text" --> D
  C ==> D
  click A "https://example.invalid" "tip"
  style D fill:#f9f
  %% comment
```

```mermaid
sequenceDiagram
  A->>B: hello
```
""",
]

YAML_SEEDS = [
    b"""title: Tiny CNN
direction: TD
nodes:
  - id: x
    label: input
    shape: [B, 3, 32, 32]
    kind: input
  - id: conv
    label: Conv2d 3->16
    shape: [B, 16, 32, 32]
  - id: head
    label: Linear
    shape: [B, 10]
    kind: output
edges:
  - {from: x, to: conv}
  - {from: conv, to: head, label: "ReLU"}
subgraphs:
  - {id: body, title: "Body", members: [conv]}
""",
]


def yaml_seeds() -> list[bytes]:
    spec = REPO / "crates" / "mermaid-gen" / "tests" / "data" / "resnet_block.yaml"
    return YAML_SEEDS + ([spec.read_bytes()] if spec.is_file() else [])


SKILL_MD = b"""---
name: s
description: "Turns demo input into demo output. Use when a test needs a skill."
license: MIT
metadata:
  version: "1.0"
allowed-tools: "Read Bash"
---
# Demo

Read [the guide](references/guide.md) before you start.
"""

GUIDE = b"# Guide\n\n## Contents\n- [Steps](#steps)\n\n## Steps\n1. One.\n"


def zip_seed() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in [("s/SKILL.md", SKILL_MD), ("s/references/guide.md", GUIDE)]:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Targets: seeds, grammar tokens, and how to run one input


class Target:
    def __init__(self, name, seeds, tokens, suffix, command):
        self.name = name
        self.seeds = seeds
        self.tokens = tokens
        self.suffix = suffix
        self.command = command  # (bin dir, input path, work dir) -> argv, cwd


def skill_md_command(bins: Path, path: Path, work: Path):
    skill = work / "s"
    skill.mkdir(exist_ok=True)
    (skill / "references").mkdir(exist_ok=True)
    (skill / "references" / "guide.md").write_bytes(GUIDE)
    shutil.copyfile(path, skill / "SKILL.md")
    return [str(bins / "skill-pack"), "validate", str(skill)], work


TARGETS = {
    t.name: t
    for t in [
        Target(
            "pdf",
            pdf_seeds,
            [b"obj", b"endobj", b"stream\n", b"endstream", b"<<", b">>", b"[", b"]", b" R",
             b"/Length 99999999", b"/Filter /FlateDecode", b"4294967296", b"-1", b"q", b"Q",
             b"cm", b"Do", b"BI /W 1 /H 1 ID x EI", b"/Type /Page", b"xref", b"trailer",
             b"%%EOF", b"(", b")", b"/Kids [3 0 R 3 0 R]", b"1e308"],
            ".pdf",
            lambda bins, p, w: ([str(bins / "pdf-figures"), str(p), "-o", str(w / "out")], w),
        ),
        Target(
            "python",
            python_seeds,
            [b"(", b")", b"[", b"]", b"def f(x):\n    ", b"class A(nn.Module):\n    ",
             b"    # x: [B, 3, H, W]\n", b"-", b".relu()", b"+", b"lambda: ", b"\\\n", b'"""',
             b"nn.Conv2d(3, 64, 3)", b"x.view(-1, 4)", b"@", b"if x:\n", b"\t", b"\x00"],
            ".py",
            lambda bins, p, w: ([str(bins / "tensor-shape-lint"), str(p)], w),
        ),
        Target(
            "mermaid",
            lambda: MERMAID_SEEDS,
            [b"-->", b"---", b"subgraph a\n", b"end\n", b"[", b"]", b"(", b")", b"{", b"}",
             b'"', b"|", b"&", b"```mermaid\n", b"```\n", b"classDef", b"%%", b"<br/>",
             b"A-->B\n", b"\\", b"\n"],
            ".md",
            lambda bins, p, w: ([str(bins / "mermaid-gen"), "check", str(p)], w),
        ),
        Target(
            "yaml-spec",
            yaml_seeds,
            [b"&a ", b"*a", b"[", b"]", b"{", b"}", b": ", b"- ", b"\n  ", b"!!binary ",
             b"<<: *a\n", b"'", b'"', b"? ", b"|\n", b"nodes:\n", b"edges:\n", b"~", b"\t"],
            ".yaml",
            lambda bins, p, w: ([str(bins / "mermaid-gen"), "spec", str(p)], w),
        ),
        Target(
            "skill-md",
            lambda: [SKILL_MD],
            [b"---\n", b"[", b"{", b"&a ", b"*a", b": ", b"- ", b"\n  ", b"\r\n", b"\xef\xbb\xbf",
             b"](", b"](../", b"scripts/run.py ", b"`", b"#", b"'", b'"'],
            ".md",
            skill_md_command,
        ),
        Target(
            "zip",
            lambda: [zip_seed()],
            [b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06", b"\xff\xff\xff\xff", b"\x00\x00",
             b"s/", b"../", b"/", b"\\", b"SKILL.md"],
            ".zip",
            lambda bins, p, w: ([str(bins / "skill-pack"), "validate", str(p)], w),
        ),
    ]
}


# ---------------------------------------------------------------------------------------------
# Mutation


def mutate(rng: random.Random, data: bytes, seeds: list[bytes], tokens: list[bytes]) -> bytes:
    b = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 3, 4, 8])):
        n = len(b)
        op = rng.randrange(9)
        pos = rng.randrange(n + 1) if n else 0
        if op == 0 and n:  # flip bits
            b[rng.randrange(n)] ^= 1 << rng.randrange(8)
        elif op == 1 and n:  # an interesting byte
            b[rng.randrange(n)] = rng.choice([0, 1, 0x7F, 0x80, 0xFF, 0x20, 0x0A, 0x28, 0x5B])
        elif op == 2 and n:  # cut a range
            size = rng.randrange(1, max(2, min(n, 256)))
            del b[pos : pos + size]
        elif op == 3 and n:  # duplicate a range elsewhere
            start = rng.randrange(n)
            chunk = b[start : start + rng.randrange(1, 512)]
            b[pos:pos] = chunk
        elif op == 4:  # a grammar token
            b[pos:pos] = rng.choice(tokens)
        elif op == 5:  # a long run of one token: nesting, long lines
            b[pos:pos] = rng.choice(tokens) * rng.choice([64, 1000, 10000, 50000])
        elif op == 6 and len(seeds) > 1:  # splice with another seed
            other = rng.choice(seeds)
            cut = rng.randrange(len(other) + 1)
            b = b[:pos] + bytearray(other[cut:])
        elif op == 7 and n:  # truncate
            del b[rng.randrange(n) :]
        elif op == 8:  # a random number where digits are
            digits = [i for i in range(min(n, 4096)) if 48 <= b[i] <= 57]
            if digits:
                i = rng.choice(digits)
                b[i : i + 1] = str(rng.choice([0, -1, 2**31, 2**32 + 1, 10**12, 65535])).encode()
    return bytes(b)


# ---------------------------------------------------------------------------------------------
# Running


def limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_CAP, ADDRESS_CAP))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.setsid()


def run_case(argv: list[str], cwd: Path) -> tuple[int, float, int, int]:
    """(exit status, or -signal; wall seconds; peak RSS in bytes; stderr lines)."""
    err_path = cwd / "stderr"
    with open(err_path, "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            preexec_fn=limit_child,
        )
        killed = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if not killed and time.monotonic() - start > TIME_LIMIT:
                os.killpg(proc.pid, signal.SIGKILL)
                killed = True
            time.sleep(0.001)
        wall = time.monotonic() - start
    proc.returncode = 0  # reaped by wait4; keep Popen from waiting again
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    lines = err_path.read_bytes().count(b"\n")
    return code, wall, usage.ru_maxrss * 1024, lines


def fuzz(target: Target, bins: Path, cases: int, seed: int, crashes: Path, quiet: bool) -> bool:
    seeds = target.seeds()
    rng = random.Random(f"{seed}:{target.name}")
    statuses: dict[int, int] = {}
    worst_time = (0.0, -1)
    worst_mem = (0, -1)
    failures = []
    multi_line = 0
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{target.name}-") as tmp:
        tmp = Path(tmp)
        for case in range(cases):
            data = seeds[case % len(seeds)] if case < len(seeds) else mutate(
                rng, rng.choice(seeds), seeds, target.tokens
            )
            work = tmp / "w"
            if work.exists():
                shutil.rmtree(work)
            work.mkdir()
            path = work / f"input{target.suffix}"
            path.write_bytes(data)
            argv, cwd = target.command(bins, path, work)
            code, wall, peak, lines = run_case(argv, cwd)
            statuses[code] = statuses.get(code, 0) + 1
            if wall > worst_time[0]:
                worst_time = (wall, case)
            if peak > worst_mem[0]:
                worst_mem = (peak, case)
            if code == 2 and lines != 1:
                multi_line += 1
            why = None
            if wall > TIME_LIMIT:
                why = f"time {wall:.1f} s (killed)"
            elif code < 0 or code in (101, 134):
                why = f"abort (exit {code})"
            elif peak >= MEMORY_LIMIT:
                why = f"peak {peak >> 20} MB"
            if why:
                crashes.mkdir(parents=True, exist_ok=True)
                saved = crashes / f"case-{case}{target.suffix}"
                saved.write_bytes(data)
                failures.append(f"case {case}: {why}: {saved}")
            if not quiet and case % 500 == 499:
                print(f"  {target.name}: {case + 1}/{cases}", file=sys.stderr, flush=True)
    dist = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
    print(f"{target.name}: {cases} inputs; exit status {{{dist}}}")
    print(f"  worst time {worst_time[0]:.2f} s (case {worst_time[1]}); "
          f"worst peak memory {worst_mem[0] / 2**20:.0f} MB (case {worst_mem[1]})")
    if multi_line:
        print(f"  note: {multi_line} exits with status 2 printed other than one stderr line")
    for f in failures:
        print(f"  FAIL {f}")
    return not failures


def replay(folder: Path, bins: Path) -> bool:
    """Runs every regression input under folder/<target>/ once, with the same checks."""
    ok = True
    for target in TARGETS.values():
        files = sorted((folder / target.name).glob("*")) if (folder / target.name).is_dir() else []
        for f in files:
            with tempfile.TemporaryDirectory(prefix="fuzz-replay-") as tmp:
                work = Path(tmp)
                path = work / f"input{target.suffix}"
                shutil.copyfile(f, path)
                argv, cwd = target.command(bins, path, work)
                code, wall, peak, _ = run_case(argv, cwd)
            bad = code < 0 or code in (101, 134) or wall > TIME_LIMIT or peak >= MEMORY_LIMIT
            ok &= not bad
            print(f"{'FAIL' if bad else 'ok  '} {target.name} {f.name}: exit {code}, "
                  f"{wall:.2f} s, {peak / 2**20:.0f} MB")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=10000, help="mutated inputs per target (default 10000)")
    ap.add_argument("--seed", type=int, default=20, help="random seed (default 20)")
    ap.add_argument("--target", action="append", choices=sorted(TARGETS), help="only these targets (repeatable)")
    ap.add_argument("--bin", type=Path, default=REPO / "target" / "debug", help="folder of the helper binaries (default target/debug)")
    ap.add_argument("--crashes", type=Path, default=REPO / "target" / "fuzz" / "crashes", help="where failing inputs are saved")
    ap.add_argument("--quiet", action="store_true", help="no progress lines")
    ap.add_argument("--replay", type=Path, help="only run the saved inputs under REPLAY/<target>/ (tests/fuzz)")
    args = ap.parse_args()
    names = args.target or list(TARGETS)
    needed = {"pdf-figures", "tensor-shape-lint", "mermaid-gen", "skill-pack"}
    missing = sorted(n for n in needed if not (args.bin / n).is_file())
    if missing:
        print(f"fuzz: {', '.join(missing)} missing in {args.bin} (cargo build first)", file=sys.stderr)
        return 2
    if args.replay:
        ok = replay(args.replay, args.bin.resolve())
        print("fuzz replay: ok" if ok else "fuzz replay: FAILED")
        return 0 if ok else 1
    ok = True
    for name in names:
        ok &= fuzz(TARGETS[name], args.bin.resolve(), args.cases, args.seed, args.crashes / name, args.quiet)
    print("fuzz: ok" if ok else "fuzz: FAILED (inputs saved under " + str(args.crashes) + ")")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
