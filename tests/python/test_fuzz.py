"""The fuzz harness (issue 20) on a short fixed budget: scripts/fuzz.py runs the real helpers
(target/debug, built by `cargo test --workspace` before pytest in scripts/test.sh) on mutated
inputs of every parser, and fails on any abort, signal, run over 30 s or peak of 1 GB. The long
run is scripts/fuzz.sh (10,000 inputs per target). The saved regression inputs under tests/fuzz/
are replayed with the same checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FUZZ = REPO / "scripts" / "fuzz.py"
# Where cargo put the debug builds: CARGO_TARGET_DIR when set, as cargo itself reads it.
BIN = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target").resolve() / "debug"
HELPERS = ["pdf-figures", "tensor-shape-lint", "mermaid-gen", "skill-pack"]
TARGETS = ["pdf", "python", "mermaid", "yaml-spec", "skill-md", "zip"]


def helpers_built() -> None:
    missing = [h for h in HELPERS if not (BIN / h).is_file()]
    assert not missing, f"build the helpers first (cargo build): {missing} not in {BIN}"


def test_short_fuzz_run_of_every_target_has_no_abort_hang_or_gigabyte(tmp_path):
    helpers_built()
    run = subprocess.run(
        [
            sys.executable,
            str(FUZZ),
            "--bin",
            str(BIN),
            "--cases",
            "150",
            "--quiet",
            "--crashes",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for target in TARGETS:
        assert f"{target}: 150 inputs; exit status {{" in run.stdout, run.stdout
    assert run.stdout.rstrip().endswith("fuzz: ok"), run.stdout


def test_saved_regression_inputs_replay_cleanly():
    helpers_built()
    run = subprocess.run(
        [sys.executable, str(FUZZ), "--bin", str(BIN), "--replay", str(REPO / "tests" / "fuzz")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.rstrip().endswith("fuzz replay: ok"), run.stdout
