"""The shell blocks of SKILL.md and references/ marked `<!-- runnable -->` run as written.

Each marked ```bash block is replayed, in document order, in one working folder (the user's),
with `scripts/` the skill's scripts, against the bundled sample paper (tests/pdf/sample) and
a copy of the ResNet-50 example (model.py, modules/). The placeholders the text uses are
filled from the table below; every command must exit 0, or with the status the marker
predicts (`<!-- runnable exit=1 -->`). The helpers are the debug builds of `cargo test`
(target/debug), found by the launcher on PATH.

Needs: python3, and the helpers built (scripts/test.sh runs cargo test first).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SKILL = REPO / "skill" / "paper-replication"
SAMPLE = REPO / "tests" / "pdf" / "sample" / "sample.pdf"
HELPERS = ["pdf-figures", "repro-check", "mermaid-gen", "tensor-shape-lint"]

# What the text leaves to the reader, as the sample paper fills it (title and modules from
# tests/pdf/sample, the same values scripts/build.sh's demo uses).
FILL = {
    "paper.pdf": str(SAMPLE),
    '"<title>"': '"TinyNet: A Small Convolutional Network for Toy Image Classification"',
    "<Class>": "TinyNet",
    "<stem,block,head>": "conv_block,classifier",
}

MARK = re.compile(r"^<!-- runnable(?: exit=(\d+))? -->\s*$")


def marked_blocks() -> list[tuple[str, int, int, str]]:
    """(file, line of the fence, expected exit, script) of every marked bash block."""
    out = []
    files = [SKILL / "SKILL.md", *sorted((SKILL / "references").glob("*.md"))]
    for f in files:
        lines = f.read_text().splitlines()
        for i, line in enumerate(lines):
            m = MARK.match(line)
            if not m:
                continue
            assert i + 1 < len(lines) and lines[i + 1].startswith("```bash"), (
                f"{f.name}:{i + 1}: the runnable marker must sit right above a ```bash fence"
            )
            end = next(j for j in range(i + 2, len(lines)) if lines[j].startswith("```"))
            out.append((f.name, i + 2, int(m.group(1) or 0), "\n".join(lines[i + 2 : end])))
    return out


def commands(script: str) -> list[str]:
    """One command per line, with `\\` continuations joined and comments dropped."""
    joined = script.replace("\\\n", " ")
    cmds = []
    for line in joined.splitlines():
        line = re.sub(r"\s+#.*$", "", line).strip()
        if line and not line.startswith("#"):
            cmds.append(line)
    return cmds


def test_the_marked_recipes_run_as_written(tmp_path):
    blocks = marked_blocks()
    assert blocks, "no block of SKILL.md is marked <!-- runnable -->"
    built = REPO / "target" / "debug"
    missing = [h for h in HELPERS if not (built / h).is_file()]
    assert not missing, f"build the helpers first (cargo build): {missing} not in {built}"
    work = tmp_path / "user"
    work.mkdir()
    (work / "scripts").symlink_to(SKILL / "scripts")
    shutil.copy2(REPO / "examples" / "resnet50" / "model.py", work / "model.py")
    shutil.copytree(REPO / "examples" / "resnet50" / "modules", work / "modules")
    env = dict(os.environ, PATH=f"{built}:{os.environ['PATH']}")
    ran = []
    for name, line, expect, script in blocks:
        for cmd in commands(script):
            for key, value in FILL.items():
                cmd = cmd.replace(key, value)
            assert "<" not in cmd.replace("<-", ""), f"{name}:{line}: unfilled placeholder in {cmd}"
            r = subprocess.run(["bash", "-c", cmd], cwd=work, env=env, capture_output=True, text=True, timeout=600)
            ran.append(cmd)
            assert r.returncode == expect, (
                f"{name}:{line}: `{cmd}` exited {r.returncode}, the text expects {expect}\n"
                f"stdout: {r.stdout[-1500:]}\nstderr: {r.stderr[-1500:]}"
            )
    # Phase 1's two runs: the second adds the page renders to the first one's folder.
    assert (work / "work" / "paper" / "paper.md").is_file()
    assert (work / "work" / "paper" / "pages" / "page-1.png").is_file()
    assert len(ran) >= 3
