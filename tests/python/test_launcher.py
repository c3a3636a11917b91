"""Tests of skill/paper-replication/scripts/run.py, the launcher Claude calls helpers through.

Each test copies the launcher into a throw-away skill folder and runs it as a subprocess with
fake helpers (tiny shell scripts whose output and exit code we chose), so the assertions check
exactly what the launcher passed through.
"""

import os
import platform
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAUNCHER = REPO / "skill" / "paper-replication" / "scripts" / "run.py"
LINUX_X86_64 = sys.platform.startswith("linux") and platform.machine().lower() in ("x86_64", "amd64")

FAKE_HELPER = """#!/bin/sh
# Echo the arguments and stdin, write to stderr, exit with the code given in $FAKE_EXIT.
echo "args:$*"
cat
echo "to-stderr" >&2
exit "${FAKE_EXIT:-0}"
"""


def make_skill(tmp_path, with_helper=True, exec_bits=True):
    skill = tmp_path / "paper-replication"
    (skill / "scripts").mkdir(parents=True)
    shutil.copy(LAUNCHER, skill / "scripts" / "run.py")
    if with_helper:
        (skill / "bin").mkdir()
        helper = skill / "bin" / "fake-helper"
        helper.write_text(FAKE_HELPER)
        helper.chmod(0o755 if exec_bits else 0o644)
    return skill


def make_read_only(root):
    for path in sorted(root.rglob("*"), reverse=True):
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    root.chmod(root.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def make_writable(root):
    root.chmod(0o755)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def launch(skill, *args, env_extra=None, stdin=""):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(skill.parent)}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, str(skill / "scripts" / "run.py"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.fixture
def cache(tmp_path):
    folder = tmp_path / "cache"
    return folder


def require_linux_x86_64():
    # The launcher only uses bin/ on the platform the bundled builds are for.
    assert LINUX_X86_64, "these launcher tests need Linux x86-64 (bin/ holds builds for it only)"


def test_read_only_skill_without_exec_bits_runs_from_a_cached_copy(tmp_path, cache):
    require_linux_x86_64()
    skill = make_skill(tmp_path, exec_bits=False)
    make_read_only(skill)
    try:
        env = {"PAPER_REPLICATION_CACHE": str(cache), "FAKE_EXIT": "7"}
        result = launch(skill, "fake-helper", "a b", "--flag", env_extra=env, stdin="from-stdin\n")
        assert result.returncode == 7
        assert result.stdout == "args:a b --flag\nfrom-stdin\n"
        assert result.stderr == "to-stderr\n"
        copies = list(cache.rglob("fake-helper"))
        assert len(copies) == 1
        assert os.access(copies[0], os.X_OK)
        assert copies[0].read_text() == FAKE_HELPER
        # The skill folder itself was left untouched (still no exec bit, nothing written).
        assert not os.access(skill / "bin" / "fake-helper", os.X_OK)
        # A second run reuses the same cached copy.
        again = launch(skill, "fake-helper", env_extra=env)
        assert again.returncode == 7
        assert list(cache.rglob("fake-helper")) == copies
    finally:
        make_writable(skill)


def test_executable_bundled_helper_runs_in_place(tmp_path, cache):
    require_linux_x86_64()
    skill = make_skill(tmp_path, exec_bits=True)
    result = launch(skill, "fake-helper", "x", env_extra={"PAPER_REPLICATION_CACHE": str(cache)})
    assert result.returncode == 0
    assert result.stdout == "args:x\n"
    assert not cache.exists()


def test_helper_on_path_is_used_when_not_bundled(tmp_path):
    skill = make_skill(tmp_path, with_helper=False)
    path_dir = tmp_path / "path-bin"
    path_dir.mkdir()
    helper = path_dir / "fake-helper"
    helper.write_text(FAKE_HELPER)
    helper.chmod(0o755)
    env = {"PATH": "%s:/usr/bin:/bin" % path_dir, "FAKE_EXIT": "3"}
    result = launch(skill, "fake-helper", "--json", env_extra=env, stdin="in\n")
    assert result.returncode == 3
    assert result.stdout == "args:--json\nin\n"
    assert result.stderr == "to-stderr\n"


def test_missing_helper_prints_build_line_and_exits_127(tmp_path):
    # No bin/, nothing on PATH, and no checkout around the skill to build from: one line that
    # names the single command installing Rust and building the helpers from a checkout.
    skill = make_skill(tmp_path, with_helper=False)
    result = launch(skill, "tensor-shape-lint", "model.py")
    assert result.returncode == 127
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("run.py: tensor-shape-lint: no helper binary fits this machine")
    assert "https://sh.rustup.rs" in lines[0]
    assert "PAPER_REPLICATION_SOURCE=<checkout> python3 %s --build" % (skill / "scripts" / "run.py") in lines[0]


def test_unknown_helper_not_bundled_is_not_found(tmp_path):
    skill = make_skill(tmp_path, with_helper=False)
    result = launch(skill, "no-such-helper", "x")
    assert result.returncode == 127
    assert "helper 'no-such-helper' not found" in result.stderr


def test_bundled_multicall_binary_serves_each_known_helper_under_its_name(tmp_path, cache):
    # bin/paper-tools picks the helper from argv[0]; a shell script sees its own path as $0, so
    # this fake prints the arguments and the launcher's variable, and the name check is in Rust.
    require_linux_x86_64()
    skill = make_skill(tmp_path, with_helper=False)
    (skill / "bin").mkdir()
    tool = skill / "bin" / "paper-tools"
    tool.write_text('#!/bin/sh\necho "multicall:$*"\n')
    tool.chmod(0o755)
    for helper in ("mermaid-gen", "pdf-figures", "repro-check", "tensor-shape-lint"):
        result = launch(skill, helper, "--flag", env_extra={"PAPER_REPLICATION_CACHE": str(cache)})
        assert result.returncode == 0, result.stderr
        assert result.stdout == "multicall:--flag\n"
    # A helper paper-tools does not hold is not sent to it.
    assert launch(skill, "other-helper", env_extra={"PAPER_REPLICATION_CACHE": str(cache)}).returncode == 127


def test_no_bundled_variable_ignores_bin(tmp_path, cache):
    skill = make_skill(tmp_path, exec_bits=True)
    result = launch(
        skill, "fake-helper", env_extra={"PAPER_REPLICATION_CACHE": str(cache), "PAPER_REPLICATION_NO_BUNDLED": "1"}
    )
    assert result.returncode == 127
    assert "helper 'fake-helper' not found" in result.stderr


def test_list_shows_bundled_and_path_helpers(tmp_path):
    skill = make_skill(tmp_path, with_helper=True)
    path_dir = tmp_path / "path-bin"
    path_dir.mkdir()
    on_path = path_dir / "pdf-figures"
    on_path.write_text(FAKE_HELPER)
    on_path.chmod(0o755)
    result = launch(skill, "--list", env_extra={"PATH": "%s:/usr/bin:/bin" % path_dir})
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    require_linux_x86_64()
    assert lines == [
        "fake-helper\tbin\t%s" % (skill / "bin" / "fake-helper"),
        "pdf-figures\tPATH\t%s" % on_path,
    ]


def test_invalid_helper_name_is_refused(tmp_path):
    skill = make_skill(tmp_path, with_helper=False)
    result = launch(skill, "../../bin/sh", "-c", "echo escaped")
    assert result.returncode == 2
    assert "escaped" not in result.stdout
    assert "not a helper name" in result.stderr


def test_help_describes_usage(tmp_path):
    skill = make_skill(tmp_path, with_helper=False)
    result = launch(skill, "--help")
    assert result.returncode == 0
    assert "scripts/run.py <helper>" in result.stdout
    assert "--list" in result.stdout


def test_helper_learns_the_skill_folder_even_from_a_temporary_copy(tmp_path, cache):
    # tensor-shape-lint --runtime finds scripts/trace_shapes.py through this variable once the
    # launcher has copied the binary out of a skill folder whose exec bits were lost.
    require_linux_x86_64()
    skill = make_skill(tmp_path, exec_bits=False)
    (skill / "bin" / "fake-helper").write_text('#!/bin/sh\necho "skill:$PAPER_REPLICATION_SKILL_DIR"\n')
    make_read_only(skill)
    try:
        done = launch(skill, "fake-helper", env_extra={"PAPER_REPLICATION_CACHE": str(cache)})
    finally:
        make_writable(skill)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"skill:{skill}"
