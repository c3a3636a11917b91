"""The corpus tier of scripts/test.sh and the convention that puts tests in it.

- scripts/test.sh is run on a copy of scripts/ with `cargo`, `python3` and check-dist.sh
  replaced by stubs that record their arguments and environment. Without the shared folder it
  exits 0, runs every other test without the corpus feature, tells pytest to skip the tier,
  and ends with one line naming what is missing and how to supply it. With
  PAPER_REPLICATION_CORPUS=require (as .ci/run sets it) a missing corpus is exit 2 before any
  test. With the folder present the corpus feature is on and pytest must run the tier.
- Every crates/*/tests/corpus*.rs is declared with `required-features = ["corpus"]`, and no
  other Rust test reads ../shared or target/corpus; every Python test that does is marked.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

STUB = """#!/bin/sh
{{ printf '%s' "$(basename "$0")"; for a in "$@"; do printf ' %s' "$a"; done
   printf ' | CORPUS=%s SHARED=%s\\n' "${{PAPER_REPLICATION_CORPUS:-}}" "${{PAPER_REPLICATION_SHARED:-}}"; }} >> "{log}"
exit 0
"""


def run_test_sh(tmp_path: Path, shared: Path, env_extra: dict[str, str] | None = None):
    """scripts/test.sh in a bare copy of the repository root, with stubs; returns
    (completed process, recorded calls)."""
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    for name in ("test.sh", "deps.sh"):
        shutil.copy2(REPO / "scripts" / name, root / "scripts" / name)
    log = tmp_path / "calls.log"
    log.touch()
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name in ("cargo", "python3"):
        (stubs / name).write_text(STUB.format(log=log))
        (stubs / name).chmod(0o755)
    (root / "scripts" / "check-dist.sh").write_text(STUB.format(log=log))
    (root / "scripts" / "check-dist.sh").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPER_REPLICATION_")}
    env["PATH"] = f"{stubs}:{env['PATH']}"
    env["PAPER_REPLICATION_SHARED"] = str(shared)
    env.update(env_extra or {})
    r = subprocess.run(["bash", str(root / "scripts" / "test.sh")], capture_output=True, text=True, env=env, timeout=60)
    return r, log.read_text().splitlines()


def calls(log: list[str], prefix: str) -> list[str]:
    return [line for line in log if line.startswith(prefix)]


def test_without_the_shared_folder_the_tier_is_skipped_in_one_closing_line(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r, log = run_test_sh(tmp_path, empty)
    assert r.returncode == 0, r.stderr
    last = r.stdout.rstrip("\n").splitlines()[-1]
    assert last.startswith("corpus tier: SKIPPED, not run and not counted as passed: missing ")
    assert f"{empty}/corpus/papers" in last and f"{empty}/corpus/mermaid/MANIFEST.tsv" in last
    assert "PAPER_REPLICATION_SHARED" in last and "../shared" in last
    assert sum("corpus tier" in line for line in r.stdout.splitlines()) == 1
    (test,) = calls(log, "cargo test")
    assert "--features corpus" not in test, test
    # clippy still compiles the corpus tests, so they cannot rot where they cannot run
    (clippy,) = calls(log, "cargo clippy")
    assert "--features corpus" in clippy
    (pytest_call,) = calls(log, "python3 -m pytest")
    assert "CORPUS=skip" in pytest_call
    assert calls(log, "check-dist.sh")


def test_ci_mode_fails_before_any_test_when_the_tier_cannot_run(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r, log = run_test_sh(tmp_path, empty, {"PAPER_REPLICATION_CORPUS": "require"})
    assert r.returncode == 2
    assert "corpus tier is required" in r.stderr and f"{empty}/corpus/papers" in r.stderr
    assert not calls(log, "cargo") and not calls(log, "python3 -m pytest")


def test_with_the_shared_folder_the_tier_runs_and_must_pass(tmp_path):
    shared = tmp_path / "shared"
    (shared / "corpus" / "papers").mkdir(parents=True)
    (shared / "corpus" / "mermaid").mkdir()
    (shared / "corpus" / "mermaid" / "MANIFEST.tsv").write_text("file\tverdict\n")
    (shared / "corpus" / "pytorch").mkdir()
    (shared / "corpus" / "pytorch" / "get.sh").write_text(
        'mkdir -p "$1" && printf "path\\n" > "$1/MANIFEST.tsv"\n'
    )
    r, log = run_test_sh(tmp_path, shared)
    assert r.returncode == 0, r.stderr
    assert r.stdout.rstrip("\n").splitlines()[-1] == f"corpus tier: ran (shared folder {shared})"
    (test,) = calls(log, "cargo test")
    assert test.split(" | ")[0].endswith("--features corpus")
    assert f"SHARED={shared}" in test
    (pytest_call,) = calls(log, "python3 -m pytest")
    assert "CORPUS=require" in pytest_call
    # deps.sh unpacked the PyTorch corpus with the shared folder's get.sh
    assert (tmp_path / "repo" / "target" / "corpus" / "pytorch" / "MANIFEST.tsv").is_file()


def crates_with_tests() -> list[Path]:
    return sorted(p.parent for p in REPO.glob("crates/*/tests"))


def test_every_rust_corpus_test_needs_the_corpus_feature():
    found = 0
    for crate in crates_with_tests():
        manifest = tomllib.loads((crate / "Cargo.toml").read_text())
        declared = {t["name"]: t.get("required-features", []) for t in manifest.get("test", [])}
        for f in sorted((crate / "tests").glob("corpus*.rs")):
            found += 1
            assert declared.get(f.stem) == ["corpus"], (
                f"{f.relative_to(REPO)}: add [[test]] name = \"{f.stem}\" required-features = "
                f"[\"corpus\"] to {crate.name}/Cargo.toml"
            )
            assert manifest.get("features", {}).get("corpus") == [], crate.name
    assert found >= 8


SHARED_USE = re.compile(r"PAPER_REPLICATION_SHARED|\.\./shared|target/corpus|shared_papers\(|shared_dir\(")


def test_only_the_corpus_tier_reads_the_shared_folder():
    offenders = []
    for crate in crates_with_tests():
        for f in sorted((crate / "tests").glob("*.rs")):
            if f.stem.startswith("corpus"):
                continue
            code = "\n".join(line for line in f.read_text().splitlines() if not line.lstrip().startswith("//"))
            if SHARED_USE.search(code):
                offenders.append(str(f.relative_to(REPO)))
    for f in sorted((REPO / "tests" / "python").glob("test_*.py")):
        text = f.read_text()
        code = re.sub(r'"""(.|\n)*?"""', "", text)
        code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith("#"))
        if f.name != Path(__file__).name and SHARED_USE.search(code) and "pytest.mark.corpus" not in text:
            offenders.append(str(f.relative_to(REPO)))
    assert not offenders, f"read ../shared outside the corpus tier: {offenders}"
