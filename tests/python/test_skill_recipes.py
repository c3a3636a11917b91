"""The shell blocks of SKILL.md and references/ marked `<!-- runnable -->` run as written.

Each marked ```bash block is replayed, in document order, with `scripts/` the skill's scripts:

- SKILL.md's blocks in one working folder (the user's) as a replication proceeds: the bundled
  sample paper (tests/pdf/sample) goes through Phase 1, `init` scaffolds `output/`, and a copy
  of the ResNet-50 example's model.py and modules/ stands in for the code of Phase 3;
- the blocks of references/ in a second folder whose `output/` is a copy of the whole ResNet-50
  example, the finished replication those pages describe.

The placeholders the text uses are filled from the table below. Each command (one per line)
must exit 0, or with the status the marker predicts (`<!-- runnable exit=1 -->`); a block
marked `<!-- runnable script -->` (a loop, a here-document) runs as one bash script instead.
The helpers are the debug builds of `cargo test` (target/debug), found by the launcher on PATH.

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

MARK = re.compile(r"^<!-- runnable( script)?(?: exit=(\d+))? -->\s*$")


def marked_blocks(files: list[Path]) -> list[tuple[str, int, int, bool, str]]:
    """(file, line of the fence, expected exit, whole script?, text) of every marked bash block."""
    out = []
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
            out.append((f.name, i + 2, int(m.group(2) or 0), bool(m.group(1)), "\n".join(lines[i + 2 : end])))
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


def replay(blocks, work: Path) -> list[str]:
    """Run the blocks in `work`; every command's exit status must be the one the text predicts."""
    # Where cargo put the debug builds: CARGO_TARGET_DIR when set, as cargo itself reads it.
    built = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target").resolve() / "debug"
    missing = [h for h in HELPERS if not (built / h).is_file()]
    assert not missing, f"build the helpers first (cargo build): {missing} not in {built}"
    env = dict(os.environ, PATH=f"{built}:{os.environ['PATH']}")
    ran = []
    for name, line, expect, whole, script in blocks:
        for cmd in [script] if whole else commands(script):
            for key, value in FILL.items():
                cmd = cmd.replace(key, value)
            if not whole:
                assert "<" not in cmd.replace("<-", ""), f"{name}:{line}: unfilled placeholder in {cmd}"
            r = subprocess.run(["bash", "-c", cmd], cwd=work, env=env, capture_output=True, text=True, timeout=600)
            ran.append(cmd)
            assert r.returncode == expect, (
                f"{name}:{line}: `{cmd}` exited {r.returncode}, the text expects {expect}\n"
                f"stdout: {r.stdout[-1500:]}\nstderr: {r.stderr[-1500:]}"
            )
    return ran


def test_the_marked_recipes_of_skill_md_run_as_written(tmp_path):
    blocks = marked_blocks([SKILL / "SKILL.md"])
    assert len(blocks) >= 4, "SKILL.md has lost its <!-- runnable --> markers"
    work = tmp_path / "user"
    work.mkdir()
    (work / "scripts").symlink_to(SKILL / "scripts")
    shutil.copy2(REPO / "examples" / "resnet50" / "model.py", work / "model.py")
    shutil.copytree(REPO / "examples" / "resnet50" / "modules", work / "modules")
    shutil.copy2(REPO / "examples" / "resnet50" / "losses.py", work / "losses.py")
    ran = replay(blocks, work)
    # Phase 1's two runs: the second adds the page renders to the first one's folder.
    assert (work / "work" / "paper" / "paper.md").is_file()
    assert (work / "work" / "paper" / "pages" / "page-1.png").is_file()
    # init scaffolded the tree the later blocks check.
    assert (work / "output" / "docs" / "diagrams" / "overview.md").is_file()
    assert len(ran) >= 3


def test_the_marked_recipes_of_references_run_as_written(tmp_path):
    blocks = marked_blocks(sorted((SKILL / "references").glob("*.md")))
    files = {b[0] for b in blocks}
    # Each page with a command Claude is told to run on a finished replication has one replayed.
    for page in ["diagrams.md", "runtime-validation.md", "verification-checklist.md"]:
        assert page in files, f"references/{page} has no <!-- runnable --> block"
    work = tmp_path / "user"
    work.mkdir()
    (work / "scripts").symlink_to(SKILL / "scripts")
    shutil.copytree(REPO / "examples" / "resnet50", work / "output", ignore=shutil.ignore_patterns("__pycache__"))
    replay(blocks, work)
    # trace_shapes.py wrote both traces the text names, each a real forward pass.
    for name in ["trace-a.json", "trace-b.json"]:
        assert (work / name).stat().st_size > 1000, name


def test_a_failing_recipe_is_reported_with_its_place(tmp_path):
    """The replay itself can fail: a command that exits 1 where the text predicts 0 is caught."""
    import pytest

    fake = [("fake.md", 3, 0, False, "false"), ("fake.md", 9, 1, True, "for i in 1; do exit 1; done")]
    with pytest.raises(AssertionError, match=r"fake.md:3: `false` exited 1, the text expects 0"):
        replay(fake, tmp_path)
    replay(fake[1:], tmp_path)
