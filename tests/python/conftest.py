"""Shared fixtures for the Python tests of the runtime harness (validate_model.py and
trace_shapes.py in skill/paper-replication/scripts).

The tests need PyTorch and torchvision: without them the run stops at once with the install
command, never with skipped tests.
"""

from __future__ import annotations

import os
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
SHARED = Path(os.environ.get("PAPER_REPLICATION_SHARED", REPO.parent / "shared"))
PYTORCH_CORPUS = REPO / "target" / "corpus" / "pytorch"


def corpus_missing() -> str | None:
    """What the corpus tier lacks here, or None when it can run: the PyTorch sources unpacked
    in target/corpus/pytorch, or the shared folder's get.sh that unpacks them."""
    if (PYTORCH_CORPUS / "MANIFEST.tsv").is_file():
        return None
    get = SHARED / "corpus" / "pytorch" / "get.sh"
    if get.is_file():
        return None
    return f"{PYTORCH_CORPUS} and {get}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "corpus: needs the shared reference folder (../shared or $PAPER_REPLICATION_SHARED); "
        "skipped, never passed, without it",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    """The corpus tier (tests marked `pytest.mark.corpus`). scripts/test.sh decides it for the
    whole run through PAPER_REPLICATION_CORPUS: `skip` skips it, `require` runs it (a missing
    corpus then fails its tests). Unset, as in a direct pytest run, it runs when the corpus is
    there and is skipped with what is missing otherwise."""
    mode = os.environ.get("PAPER_REPLICATION_CORPUS", "")
    if mode == "require":
        return
    missing = corpus_missing()
    if mode == "skip":
        missing = missing or f"{SHARED} (scripts/test.sh found the shared folder incomplete)"
    if missing is None:
        return
    skip = pytest.mark.skip(
        reason=f"corpus tier not run: missing {missing}; put the shared/ folder beside the clone "
        "as ../shared or set PAPER_REPLICATION_SHARED"
    )
    for item in items:
        if "corpus" in item.keywords:
            item.add_marker(skip)

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
