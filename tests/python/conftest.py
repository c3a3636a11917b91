"""Shared fixtures for the Python tests of the runtime harness (validate_model.py and
trace_shapes.py in skill/paper-replication/scripts).

The tests need PyTorch and torchvision: without them the run stops at once with the install
command, never with skipped tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

INSTALL = "pip install torch==2.14.1 torchvision==0.29.2"

try:
    import torch  # noqa: F401
    import torchvision  # noqa: F401
except ImportError as exc:
    pytest.exit(
        f"tests/python need PyTorch: {exc}. Install it with: {INSTALL} "
        "(or pip install -r tests/python/requirements.txt)",
        returncode=3,
    )

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "skill" / "paper-replication" / "scripts"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def scripts() -> Path:
    return SCRIPTS


def run_script(name: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run a harness script as Claude would: a separate python3 process."""
    return subprocess.run(
        [sys.executable, str(SCRIPTS / name), *args],
        capture_output=True,
        text=True,
        cwd=cwd or FIXTURES,
        timeout=600,
    )


@pytest.fixture
def script():
    return run_script


@pytest.fixture
def validate(capsys):
    """Call validate_model.main in-process (fast: torch is imported once); returns
    (exit status, stdout, stderr)."""
    import validate_model

    def call(*args: str) -> tuple[int, str, str]:
        code = validate_model.main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return call
