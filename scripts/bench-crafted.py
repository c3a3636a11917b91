#!/usr/bin/env python3
"""Issue 20's crafted hostile cases, each built here by code and run once on the real helper:
prints per case the exit status, the wall time, the peak memory (os.wait4's ru_maxrss), the
number of stderr lines and whether the run left a file it should not have (or touched one
it must not). Peak memory is GNU time's (`/usr/bin/time -f %M`): measured from this script's
own process it would include the inputs it holds. The CLI tests named in the table assert the same outcomes; this script gives the
figures (speed is measured by benchmarks, never asserted by tests).

    scripts/bench-crafted.py                 # every case, binaries from target/debug
    scripts/bench-crafted.py --bin DIR       # binaries from another build
    scripts/bench-crafted.py pdf-40-refs     # some cases only (names as printed)

Needs the four helpers built (cargo build) and about 4 GB of free disk for sparse files (they
take no real space).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz import pdf_file  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def tree(root: Path) -> dict[str, bytes | str]:
    """Every entry under root: file contents (or size for big ones), link targets."""
    out: dict[str, bytes | str] = {}
    if not root.exists():
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = "-> " + os.readlink(p)
            elif p.is_file():
                st = p.stat()
                out[rel] = p.read_bytes() if st.st_size < 1 << 20 else f"{st.st_size} bytes"
            else:
                out[rel] = "dir"
    return out


def sparse(path: Path, size: int) -> None:
    with open(path, "wb") as f:
        f.truncate(size)


def stream(d: bytes, data: bytes) -> bytes:
    return b"<< " + d + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


# Each case: (name, test that asserts it, setup(work, bins) -> (argv, cwd)). After the run,
# the work folder must hold exactly what setup left there (nothing written, nothing removed).

def tsl_lint(src: str):
    def setup(w: Path, b: Path):
        (w / "m.py").write_text(src)
        return [str(b / "tensor-shape-lint"), "m.py"], w
    return setup


def tsl_infer(src: str):
    def setup(w: Path, b: Path):
        (w / "m.py").write_text(src)
        return [str(b / "tensor-shape-lint"), "infer", "m.py:Net", "--input", "x=[2,3]"], w
    return setup


MODEL = "import torch\nfrom torch import nn\n\n\nclass Net(nn.Module):\n    def forward(self, x):\n        y = {expr}\n        return y\n"


def deep(expr: str) -> str:
    return MODEL.format(expr=expr)


def defs(n: int) -> str:
    return "".join(f"def f{i}(x: int) -> int:\n    return x + {i}\n\n\n" for i in range(n))


def nested_classes(n: int) -> str:
    return "".join("    " * i + f"class C{i}:\n" for i in range(n)) + "    " * n + "pass\n"


def pdf_40_refs(w: Path, b: Path):
    big = zlib.compress(b" " * 250_000_000, 9)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents [" + b"4 0 R " * 40 + b"] >>",
            stream(b"/Filter /FlateDecode", big)]
    (w / "in.pdf").write_bytes(pdf_file(objs))
    return [str(b / "pdf-figures"), "in.pdf", "-o", "out"], w


def pdf_paths(w: Path, b: Path):
    ops = zlib.compress(b"0 0 m 1 1 l S\n" * 17_000_000, 9)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            stream(b"/Filter /FlateDecode", ops)]
    (w / "in.pdf").write_bytes(pdf_file(objs))
    return [str(b / "pdf-figures"), "in.pdf", "-o", "out"], w


def pdf_saved(name: str):
    def setup(w: Path, b: Path):
        shutil.copyfile(REPO / "tests" / "fuzz" / "pdf" / name, w / "in.pdf")
        return [str(b / "pdf-figures"), "in.pdf", "-o", "out"], w
    return setup


def pages_sharing(content: bytes, pages: int) -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", None,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            stream(b"/Filter /FlateDecode", zlib.compress(content, 9))]
    kids = []
    for _ in range(pages):
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                    b"/Resources << /Font << /F1 3 0 R >> >> >>")
        kids.append(b"%d 0 R" % len(objs))
    objs[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % pages
    return pdf_file(objs)


def pdf_pages(content: bytes, pages: int):
    def setup(w: Path, b: Path):
        (w / "in.pdf").write_bytes(pages_sharing(content, pages))
        return [str(b / "pdf-figures"), "in.pdf", "-o", "out"], w
    return setup


def pdf_fifo(w: Path, b: Path):
    os.mkfifo(w / "in.pdf")
    return [str(b / "pdf-figures"), "in.pdf", "-o", "out"], w


def pdf_force_holding(w: Path, b: Path):
    shutil.copyfile(REPO / "tests" / "fuzz" / "pdf" / "forms-drawing-forms-6-to-the-8th.pdf", w / "x.pdf")
    (w / "in.pdf").write_bytes(pages_sharing(b"BT /F1 10 Tf 72 700 Td (Hello) Tj ET", 1))
    return [str(b / "pdf-figures"), "in.pdf", "-o", ".", "--force"], w


def pdf_force_unrelated(w: Path, b: Path):
    (w / "in.pdf").write_bytes(pages_sharing(b"BT /F1 10 Tf 72 700 Td (Hello) Tj ET", 1))
    (w / "out").mkdir()
    (w / "out" / "notes.txt").write_text("mine")
    return [str(b / "pdf-figures"), "in.pdf", "-o", "out", "--force"], w


def alias_bomb() -> str:
    text = "nodes:\n  - id: n0\n    shape: &l0 [" + ", ".join(["B"] * 1000) + "]\n"
    i = 1
    while len(text) < 1_100_000:
        text += f"  - id: n{i}\n    shape: &l{i} [" + ", ".join([f"*l{i - 1}"] * 1000) + "]\n"
        i += 1
    return text


def mermaid(args: list[str], name: str, text: str):
    def setup(w: Path, b: Path):
        (w / name).write_text(text)
        return [str(b / "mermaid-gen"), *args, name], w
    return setup


def nested_spec(n: int) -> str:
    text = "nodes:\n  - id: n0\n    kind: input\n    shape: [B, 4]\nsubgraphs:\n"
    for i in range(n):
        member = f"s{i + 1}" if i + 1 < n else "n0"
        text += f"  - id: s{i}\n    members: [{member}]\n"
    return text


SKILL = b'---\nname: s\ndescription: "Demo. Use when testing."\n---\n# S\n'


def skill_big_file(w: Path, b: Path):
    (w / "s").mkdir()
    (w / "s" / "SKILL.md").write_bytes(SKILL)
    sparse(w / "s" / "big.bin", 3 << 30)
    return [str(b / "skill-pack"), "validate", "s"], w


def skill_zip(entries):
    def setup(w: Path, b: Path):
        with zipfile.ZipFile(w / "s.zip", "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in entries():
                if callable(data):
                    with z.open(name, "w", force_zip64=True) as f:
                        data(f)
                else:
                    z.writestr(name, data)
        return [str(b / "skill-pack"), "validate", "s.zip"], w
    return setup


def gib_of_zeros(f) -> None:
    chunk = b"\0" * (1 << 24)
    for _ in range(64):
        f.write(chunk)


def saved_zip(w: Path, b: Path):
    shutil.copyfile(REPO / "tests" / "fuzz" / "zip" / "front-matter-100k-brackets.zip", w / "s.zip")
    return [str(b / "skill-pack"), "validate", "s.zip"], w


def init_tree(w: Path, b: Path) -> Path:
    subprocess.run([str(b / "repro-check"), "init", "--paper", "P", "--model", "Net", "--out",
                    str(w / "out")], check=True, capture_output=True)
    return w / "out"


def verify_with(edit):
    def setup(w: Path, b: Path):
        root = init_tree(w, b)
        edit(root)
        return [str(b / "repro-check"), "verify", "out"], w
    return setup


def init_with(prepare, *args: str):
    def setup(w: Path, b: Path):
        prepare(w)
        return [str(b / "repro-check"), "init", "--paper", "P", "--model", "Net", "--out", "out", *args], w
    return setup


def docs_symlink(w: Path) -> None:
    (w / "elsewhere").mkdir()
    (w / "out").mkdir()
    os.symlink("../elsewhere", w / "out" / "docs")


def dangling_readme(w: Path) -> None:
    (w / "out").mkdir()
    os.symlink("missing-target", w / "out" / "README.md")


CASES = [
    ("tsl-brackets-50k", "tensor-shape-lint hostile_input::deep_expressions_are_refused_in_lint_infer_and_annotate",
     tsl_lint(deep("(" * 50_000 + "x" + ")" * 50_000))),
    ("tsl-unary-minus-50k", "(same)", tsl_lint(deep("-" * 50_000 + "x"))),
    ("tsl-relu-chain-30k", "(same)", tsl_lint(deep("x" + ".relu()" * 30_000))),
    ("tsl-1M-plus-terms", "(same)", tsl_lint(deep(" + ".join(["x"] * 1_000_000)))),
    ("tsl-infer-brackets-50k", "(same)", tsl_infer(deep("(" * 50_000 + "x" + ")" * 50_000))),
    ("tsl-100k-dim-comment", "tensor-shape-lint hostile_input::shape_comments_with_100k_dims_or_levels_are_findings_not_aborts",
     tsl_lint(MODEL.format(expr="x  # y: [" + ", ".join(["1"] * 100_000) + "]"))),
    ("tsl-4k-defs", "tensor-shape-lint hostile_input::many_definitions_and_classes_finish", tsl_lint(defs(4000))),
    ("tsl-25k-defs", "(same)", tsl_lint(defs(25_000))),
    ("tsl-3000-nested-classes", "tensor-shape-lint hostile_input::nested_classes_over_the_budget_are_refused",
     tsl_lint(nested_classes(3000))),
    ("verify-model-100k-deep", "repro-check hostile_input::a_model_nested_100k_deep_fails_its_item_without_an_abort",
     verify_with(lambda r: (r / "model.py").write_text(deep("(" * 100_000 + "x" + ")" * 100_000)))),
    ("verify-3GB-model.py", "repro-check hostile_input::three_gigabyte_files_are_refused_by_their_size",
     verify_with(lambda r: sparse(r / "model.py", 3 << 30))),
    ("verify-3GB-audit.md", "(same)", verify_with(lambda r: sparse(r / "docs" / "audit.md", 3 << 30))),
    ("verify-fifo-audit.md", "repro-check safety::verify_refuses_a_fifo_in_the_tree_without_blocking",
     verify_with(lambda r: ((r / "docs" / "audit.md").unlink(), os.mkfifo(r / "docs" / "audit.md")))),
    ("pdf-40-refs-250MB", "pdf-figures hostile::forty_references_to_one_250_mb_content_stream_are_refused_before_decoding", pdf_40_refs),
    ("pdf-238MB-paths", "pdf-figures hostile::a_stream_of_238_mb_of_path_operators_is_refused_by_the_operator_budget", pdf_paths),
    ("pdf-forms-6^8", "pdf-figures hostile::forms_drawing_forms_6_to_the_8th_times_are_refused_by_the_draw_budget",
     pdf_saved("forms-drawing-forms-6-to-the-8th.pdf")),
    ("pdf-fifo", "pdf-figures hostile::a_fifo_or_a_device_as_input_is_refused_before_opening", pdf_fifo),
    ("pdf-11-pages-under-page-ops", "pdf-figures hostile::many_pages_each_just_under_the_page_budgets_are_caught_by_the_document_budgets",
     pdf_pages(b"q Q\n" * 1_499_999, 11)),
    ("pdf-10-pages-strokes", "(same)", pdf_pages(b"".join(
        b"%d %d m %d %d l S\n" % (i % 500, i // 500 % 700, i % 500 + 1, i // 500 % 700 + 1) for i in range(999_999)), 10)),
    ("pdf-10-pages-cm-3M", "(measured only: passes under the budgets)", pdf_pages(b"1 0 0 1 0 0 cm\n" * 2_999_990, 10)),
    ("pdf-10-pages-clips-3M", "(measured only)", pdf_pages(b"".join(
        b"%d %d 5 5 re W n\n" % (i % 600, i % 700) for i in range(999_996)), 10)),
    ("pdf-10-pages-long-path-3M", "(measured only)", pdf_pages(b"0 0 m\n" + b"".join(
        b"%d %d l\n" % (i % 600, i % 700) for i in range(2_999_987)) + b"n\n", 10)),
    ("pdf-5-pages-200k-glyphs", "(same as pdf-11-pages)", pdf_pages(b"BT /F1 1 Tf\n" + b"".join(
        b"1 0 0 1 %d %d Tm (ab) Tj\n" % (i % 600, i % 700) for i in range(99_990)) + b"ET\n", 5)),
    ("pdf-force-folder-holds-pdf", "pdf-figures output_ownership::force_with_the_folder_holding_the_pdf_never_deletes_the_pdf", pdf_force_holding),
    ("pdf-force-unrelated-file", "pdf-figures output_ownership::force_refuses_a_folder_with_a_file_it_did_not_write", pdf_force_unrelated),
    ("spec-alias-bomb", "mermaid-gen hostile_input::an_alias_bomb_is_refused_by_the_node_budget",
     mermaid(["spec"], "bomb.yaml", alias_bomb())),
    ("spec-10k-nested-subgraphs", "mermaid-gen hostile_input::ten_thousand_nested_subgraphs_are_refused_and_a_thousand_render",
     mermaid(["spec"], "deep.yaml", nested_spec(10_000))),
    ("check-8k-chain", "mermaid-gen hostile_input::a_ten_thousand_node_chain_is_checked",
     mermaid(["check"], "c.mmd", "graph LR\n" + "-->".join(f"A{i}" for i in range(8000)) + "\n")),
    ("check-10k-chain", "(same)", mermaid(["check"], "c.mmd", "graph LR\n" + "-->".join(f"A{i}" for i in range(10_000)) + "\n")),
    ("check-40k-classDef-line", "mermaid-gen hostile_input::the_fuzz_loops_slow_shapes_check_like_real_mermaid",
     mermaid(["check"], "d.md", "```mermaid\nflowchart TD\n    A --> " + "classDef" * 40_000 + "\n```\n")),
    ("skill-3GB-file", "skill-pack hostile::a_3_gb_file_in_a_folder_is_never_read", skill_big_file),
    ("skill-zip-100k-brackets", "skill-pack hostile::a_front_matter_of_100k_brackets_is_refused_before_parsing", saved_zip),
    ("skill-zip-1GiB-entry", "skill-pack hostile::a_1_gib_entry_is_listed_but_never_inflated",
     skill_zip(lambda: [("s/SKILL.md", SKILL), ("s/big.bin", gib_of_zeros)])),
    ("skill-zip-30k-part-name", "skill-pack hostile::an_entry_name_of_30k_parts_is_refused",
     skill_zip(lambda: [("s/SKILL.md", SKILL), ("s/" + "a/" * 30_000 + "x", b"x")])),
    ("init-10k-modules", "repro-check hostile_input::init_with_ten_thousand_modules_finishes_and_writes_them_all",
     init_with(lambda w: None, "--modules", ",".join(f"m{i}" for i in range(10_000)))),
    ("init-docs-symlink", "repro-check safety::init_refuses_a_folder_that_leads_outside_out_with_or_without_force",
     init_with(docs_symlink, "--force")),
    ("init-dangling-readme", "repro-check safety::init_never_replaces_a_symbolic_link_without_force",
     init_with(dangling_readme)),
    ("init-300-char-module", "repro-check safety::a_refused_init_leaves_nothing_behind",
     init_with(lambda w: None, "--modules", "m" * 300)),
    ("init-keyword-model", "repro-check safety::names_that_are_python_keywords_are_refused",
     lambda w, b: ([str(b / "repro-check"), "init", "--paper", "P", "--model", "class", "--out", "out"], w)),
]

# Cases whose success leaves output by design: exit 0 with the named folder written.
WRITES = {"init-10k-modules", "pdf-10-pages-cm-3M", "pdf-10-pages-clips-3M", "pdf-10-pages-long-path-3M",
          "pdf-5-pages-200k-glyphs"}


def run_case(argv: list[str], cwd: Path) -> tuple[int, float, int, int]:
    """(exit status, or -signal; wall seconds; peak RSS in bytes; stderr lines), 60 s at most."""
    timing = cwd.parent / "time"
    with open(cwd.parent / "stderr", "wb") as err:
        try:
            subprocess.run(["/usr/bin/time", "-f", "%x %e %M", "-o", str(timing), *argv], cwd=cwd,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, timeout=60)
        except subprocess.TimeoutExpired:
            return -9, 60.0, 0, 0
    last = timing.read_text().split()
    signal = [w for w in timing.read_text().split("\n") if "terminated by signal" in w]
    code = -int(signal[0].split()[-1]) if signal else int(last[-3])
    lines = (cwd.parent / "stderr").read_bytes().count(b"\n")
    return code, float(last[-2]), int(last[-1]) * 1024, lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", type=Path, default=REPO / "target" / "debug")
    ap.add_argument("cases", nargs="*")
    args = ap.parse_args()
    bins = args.bin.resolve()
    print(f"{'case':30} {'exit':>4} {'time':>8} {'peak':>8} {'stderr':>6}  files  test")
    for name, test, setup in CASES:
        if args.cases and name not in args.cases:
            continue
        with tempfile.TemporaryDirectory(prefix="crafted-") as tmp:
            work = Path(tmp) / "w"
            work.mkdir()
            argv, cwd = setup(work, bins)
            before = tree(work)
            code, wall, peak, lines = run_case(argv, cwd)
            after = tree(work)
            after.pop("stderr", None)
            before.pop("stderr", None)
            if name in WRITES and code == 0:
                files = "written"
            else:
                files = "same" if after == before else "CHANGED"
        print(f"{name:30} {code:>4} {wall:>7.2f}s {peak / 2**20:>6.0f}MB {lines:>6}  {files:7} {test}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
