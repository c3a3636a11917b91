"""The launcher's route for machines no bundled binary fits, and `run.py --check`.

Most tests build a throw-away checkout (a Cargo.toml, crates/paper-tools/, the launcher in
skill/paper-replication/scripts/) and put a fake `cargo` first on PATH: a shell script that
counts its calls, sleeps, and writes a fake paper-tools where cargo would. So the assertions
check what the launcher decided (build or reuse, lock, messages, exit codes) in seconds. The last
test builds the real paper-tools from this repository and runs every helper on real inputs.
"""

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAUNCHER = REPO / "skill" / "paper-replication" / "scripts" / "run.py"
HELPERS = ["mermaid-gen", "pdf-figures", "repro-check", "tensor-shape-lint"]

# Writes <target-dir>/<profile>/paper-tools, a script that prints its arguments and answers
# --list like the real one; records each call in $FAKE_CARGO_LOG; fails when $FAKE_CARGO_FAIL.
FAKE_CARGO = r"""#!/bin/sh
echo "cargo $*" >> "$FAKE_CARGO_LOG"
if [ -n "$FAKE_CARGO_FAIL" ]; then echo "error[E0425]: cannot find value"; exit 101; fi
target=""; profile=""
while [ $# -gt 0 ]; do
  case "$1" in
    --target-dir) target="$2"; shift ;;
    --profile) profile="$2"; shift ;;
  esac
  shift
done
sleep "${FAKE_CARGO_SLEEP:-0}"
mkdir -p "$target/$profile"
cat > "$target/$profile/paper-tools" <<'EOF'
#!/bin/sh
if [ "$1" = "--list" ]; then printf 'mermaid-gen\npdf-figures\nrepro-check\ntensor-shape-lint\n'; exit 0; fi
echo "built-tool:$*:skill=$PAPER_REPLICATION_SKILL_DIR"
EOF
chmod +x "$target/$profile/paper-tools"
echo "   Compiling paper-tools v0.1.0"
"""


def make_checkout(tmp_path):
    root = tmp_path / "checkout"
    (root / "crates" / "paper-tools" / "src").mkdir(parents=True)
    (root / "Cargo.toml").write_text('[workspace]\nmembers = ["crates/*"]\n')
    (root / "Cargo.lock").write_text("# lock\n")
    (root / "crates" / "paper-tools" / "Cargo.toml").write_text('[package]\nname = "paper-tools"\n')
    (root / "crates" / "paper-tools" / "src" / "main.rs").write_text("fn main() {}\n")
    scripts = root / "skill" / "paper-replication" / "scripts"
    scripts.mkdir(parents=True)
    shutil.copy(LAUNCHER, scripts / "run.py")
    return root


def fake_cargo_dir(tmp_path):
    folder = tmp_path / "cargo-bin"
    folder.mkdir(exist_ok=True)
    cargo = folder / "cargo"
    cargo.write_text(FAKE_CARGO)
    cargo.chmod(0o755)
    return folder


def python_dir(tmp_path):
    """A PATH folder holding only python3 (this interpreter), so the helpers' python3 exists."""
    folder = tmp_path / "python-bin"
    folder.mkdir(exist_ok=True)
    link = folder / "python3"
    if not link.exists():
        link.symlink_to(sys.executable)
    return folder


def launch(launcher, *args, env=None, cwd=None, timeout=120):
    return subprocess.run(
        [sys.executable, str(launcher), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
    )


def base_env(tmp_path, *path_dirs, **extra):
    env = {
        "HOME": str(tmp_path / "home"),
        "PATH": ":".join([str(d) for d in path_dirs] + ["/usr/bin", "/bin"]),
        "PAPER_REPLICATION_CACHE": str(tmp_path / "cache"),
        "FAKE_CARGO_LOG": str(tmp_path / "cargo-calls.log"),
    }
    # /usr/bin may hold a real cargo on some machines: the fake comes first on PATH, and tests
    # that need "no cargo" point CARGO at nothing and use a PATH without it (see no_cargo_env).
    env.update(extra)
    return env


def cargo_calls(tmp_path):
    log = tmp_path / "cargo-calls.log"
    return log.read_text().splitlines() if log.exists() else []


def no_cargo_env(tmp_path, **extra):
    """An environment whose PATH holds python3 and the shell tools but certainly no cargo."""
    tools = tmp_path / "tools"
    tools.mkdir(exist_ok=True)
    for name in ("sh", "cat", "echo"):
        found = shutil.which(name)
        if found and not (tools / name).exists():
            (tools / name).symlink_to(found)
    env = {
        "HOME": str(tmp_path / "home"),
        "PATH": "%s:%s" % (python_dir(tmp_path), tools),
        "PAPER_REPLICATION_CACHE": str(tmp_path / "cache"),
    }
    env.update(extra)
    return env


# ---------------------------------------------------------------- the from-source route


def test_first_use_builds_once_with_a_progress_line_then_reuses_the_build(tmp_path):
    root = make_checkout(tmp_path)
    launcher = root / "skill" / "paper-replication" / "scripts" / "run.py"
    env = base_env(tmp_path, fake_cargo_dir(tmp_path), PAPER_REPLICATION_NO_BUNDLED="1")
    first = launch(launcher, "pdf-figures", "paper.pdf", "-o", "out", env=env)
    assert first.returncode == 0, first.stderr
    skill = root / "skill" / "paper-replication"
    assert first.stdout == "built-tool:paper.pdf -o out:skill=%s\n" % skill
    assert "building the helpers (paper-tools) from %s, once" % root in first.stderr
    assert "built " in first.stderr
    calls = cargo_calls(tmp_path)
    assert len(calls) == 1
    # A release-like build of paper-tools alone, from this checkout, into the cache.
    assert "build --locked --profile local -p paper-tools" in calls[0]
    assert "--manifest-path %s" % (root / "Cargo.toml") in calls[0]
    assert "--target-dir %s" % (tmp_path / "cache" / "build" / "target") in calls[0]

    again = launch(launcher, "tensor-shape-lint", "model.py", env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("built-tool:model.py:")
    assert again.stderr == ""
    assert len(cargo_calls(tmp_path)) == 1


def test_changed_sources_get_a_new_build(tmp_path):
    root = make_checkout(tmp_path)
    launcher = root / "skill" / "paper-replication" / "scripts" / "run.py"
    env = base_env(tmp_path, fake_cargo_dir(tmp_path), PAPER_REPLICATION_NO_BUNDLED="1")
    assert launch(launcher, "mermaid-gen", "--help", env=env).returncode == 0
    # A test file is not part of the build: same key, no new build.
    (root / "crates" / "paper-tools" / "tests").mkdir()
    (root / "crates" / "paper-tools" / "tests" / "t.rs").write_text("// test\n")
    assert launch(launcher, "mermaid-gen", "--help", env=env).returncode == 0
    assert len(cargo_calls(tmp_path)) == 1
    (root / "crates" / "paper-tools" / "src" / "main.rs").write_text("fn main() { }\n")
    assert launch(launcher, "mermaid-gen", "--help", env=env).returncode == 0
    assert len(cargo_calls(tmp_path)) == 2
    assert len(list((tmp_path / "cache" / "build").glob("*/paper-tools"))) == 2


def test_two_launches_at_once_build_only_once(tmp_path):
    root = make_checkout(tmp_path)
    launcher = root / "skill" / "paper-replication" / "scripts" / "run.py"
    env = base_env(tmp_path, fake_cargo_dir(tmp_path), PAPER_REPLICATION_NO_BUNDLED="1", FAKE_CARGO_SLEEP="2")
    results = [None, None]

    def one(index):
        results[index] = launch(launcher, "repro-check", "verify", str(index), env=env)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert sorted(r.stdout.split(":")[1] for r in results) == ["verify 0", "verify 1"]
    assert len(cargo_calls(tmp_path)) == 1
    # Exactly one of the two printed the progress line; the other waited on the lock.
    assert sum("building the helpers" in r.stderr for r in results) == 1


def test_failed_build_shows_the_compiler_lines_and_exits_2(tmp_path):
    root = make_checkout(tmp_path)
    launcher = root / "skill" / "paper-replication" / "scripts" / "run.py"
    env = base_env(tmp_path, fake_cargo_dir(tmp_path), PAPER_REPLICATION_NO_BUNDLED="1", FAKE_CARGO_FAIL="1")
    result = launch(launcher, "pdf-figures", "x.pdf", env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "building paper-tools failed (cargo exit 101)" in result.stderr
    assert "error[E0425]: cannot find value" in result.stderr
    assert not list((tmp_path / "cache" / "build").glob("*/paper-tools"))


def test_without_cargo_one_line_names_the_command_that_installs_rust_and_builds(tmp_path):
    root = make_checkout(tmp_path)
    launcher = root / "skill" / "paper-replication" / "scripts" / "run.py"
    env = no_cargo_env(tmp_path, PAPER_REPLICATION_NO_BUNDLED="1")
    result = launch(launcher, "pdf-figures", "x.pdf", env=env)
    assert result.returncode == 127
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert "cargo is not installed" in lines[0]
    assert "https://sh.rustup.rs" in lines[0]
    assert "python3 %s --build" % launcher in lines[0]


def test_build_option_builds_now_and_prints_the_path(tmp_path):
    root = make_checkout(tmp_path)
    launcher = root / "skill" / "paper-replication" / "scripts" / "run.py"
    env = base_env(tmp_path, fake_cargo_dir(tmp_path), PAPER_REPLICATION_NO_BUNDLED="1")
    result = launch(launcher, "--build", env=env)
    assert result.returncode == 0, result.stderr
    built = Path(result.stdout.strip())
    assert built.parent.parent == tmp_path / "cache" / "build" and built.name == "paper-tools"
    assert os.access(built, os.X_OK)
    assert len(cargo_calls(tmp_path)) == 1


# ---------------------------------------------------------------- run.py --check


def fake_bundle(skill, body):
    (skill / "bin").mkdir(exist_ok=True)
    tool = skill / "bin" / "paper-tools"
    tool.write_text(body)
    tool.chmod(0o755)


LISTING_TOOL = "#!/bin/sh\nprintf 'mermaid-gen\\npdf-figures\\nrepro-check\\ntensor-shape-lint\\n'\n"


def check_lines(result):
    return result.stdout.splitlines()


def test_check_all_present_exits_0_with_one_line_per_dependency(tmp_path):
    import torch

    root = make_checkout(tmp_path)
    skill = root / "skill" / "paper-replication"
    fake_bundle(skill, LISTING_TOOL)
    env = base_env(tmp_path, python_dir(tmp_path))
    result = launch(skill / "scripts" / "run.py", "--check", env=env)
    lines = check_lines(result)
    assert result.returncode == 0, result.stdout
    bundled = skill / "bin" / "paper-tools"
    assert lines[:4] == ["helper %s: bundled (%s)" % (h, bundled) for h in HELPERS]
    version = "%d.%d.%d" % sys.version_info[:3]
    assert lines[4] == "python3: %s (%s)" % (version, python_dir(tmp_path) / "python3")
    assert lines[5] == "torch: %s" % torch.__version__
    assert lines[6] == "cache: writable (%s)" % (tmp_path / "cache")
    assert lines[7:] == ["check: ok"]


def test_check_helpers_missing_without_cargo_names_the_install_command(tmp_path):
    root = make_checkout(tmp_path)
    launcher = root / "skill" / "paper-replication" / "scripts" / "run.py"
    result = launch(launcher, "--check", env=no_cargo_env(tmp_path, PAPER_REPLICATION_NO_BUNDLED="1"))
    assert result.returncode == 1
    lines = check_lines(result)
    assert lines[:4] == ["helper %s: missing" % h for h in HELPERS]
    fixes = [line for line in lines if line.startswith("fix: ")]
    assert len(fixes) == 1 and "https://sh.rustup.rs" in fixes[0] and "--build" in fixes[0]
    assert lines[-1] == "check: 1 problem(s)"


def test_check_helpers_missing_with_cargo_says_build_then_built_after_it(tmp_path):
    root = make_checkout(tmp_path)
    launcher = root / "skill" / "paper-replication" / "scripts" / "run.py"
    env = base_env(tmp_path, fake_cargo_dir(tmp_path), python_dir(tmp_path), PAPER_REPLICATION_NO_BUNDLED="1")
    before = launch(launcher, "--check", env=env)
    assert before.returncode == 1
    assert "fix: build the helpers from %s (a few minutes, once): python3 %s --build" % (root, launcher) in check_lines(before)
    assert cargo_calls(tmp_path) == [], "--check must not build"
    assert launch(launcher, "--build", env=env).returncode == 0
    after = launch(launcher, "--check", env=env)
    built = next((tmp_path / "cache" / "build").glob("*/paper-tools"))
    assert check_lines(after)[:4] == ["helper %s: built (%s, from %s)" % (h, built, root) for h in HELPERS]
    assert after.returncode == 0, after.stdout


def test_check_a_bundled_binary_that_does_not_run_is_broken(tmp_path):
    root = make_checkout(tmp_path)
    skill = root / "skill" / "paper-replication"
    fake_bundle(skill, "#!/bin/sh\necho 'cannot execute' >&2\nexit 126\n")
    result = launch(skill / "scripts" / "run.py", "--check", env=no_cargo_env(tmp_path))
    assert result.returncode == 1
    assert check_lines(result)[0] == "helper mermaid-gen: broken (bundled %s: exit 126: cannot execute)" % (
        skill / "bin" / "paper-tools"
    )


def test_check_torch_missing(tmp_path):
    root = make_checkout(tmp_path)
    skill = root / "skill" / "paper-replication"
    fake_bundle(skill, LISTING_TOOL)
    shadow = tmp_path / "no-torch" / "torch"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('No module named torch (test)')\n")
    env = base_env(tmp_path, python_dir(tmp_path), PYTHONPATH=str(tmp_path / "no-torch"))
    result = launch(skill / "scripts" / "run.py", "--check", env=env)
    assert result.returncode == 1
    lines = check_lines(result)
    python = python_dir(tmp_path) / "python3"
    assert lines[5] == "torch: missing for %s (ImportError: No module named torch (test))" % python
    assert "fix: %s -m pip install torch   (validate_model.py, verify --run and --runtime need it)" % python in lines
    assert lines[-1] == "check: 1 problem(s)"


def test_check_python3_missing_from_path(tmp_path):
    root = make_checkout(tmp_path)
    skill = root / "skill" / "paper-replication"
    fake_bundle(skill, LISTING_TOOL)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    env = {"HOME": str(tmp_path / "home"), "PATH": str(empty), "PAPER_REPLICATION_CACHE": str(tmp_path / "cache")}
    result = launch(skill / "scripts" / "run.py", "--check", env=env)
    assert result.returncode == 1
    lines = check_lines(result)
    assert lines[4] == "python3: missing on PATH (the helpers run scripts/*.py with python3)"
    assert "fix: install Python 3.8 or newer as python3 (e.g. apt-get install python3)" in lines


def test_check_cache_not_writable(tmp_path):
    root = make_checkout(tmp_path)
    skill = root / "skill" / "paper-replication"
    fake_bundle(skill, LISTING_TOOL)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    # A path under a regular file cannot be created, even by root (chmod would not stop root).
    env = base_env(tmp_path, python_dir(tmp_path), PAPER_REPLICATION_CACHE=str(blocker / "cache"))
    result = launch(skill / "scripts" / "run.py", "--check", env=env)
    assert result.returncode == 1
    lines = check_lines(result)
    assert lines[6].startswith("cache: not writable (%s: " % (blocker / "cache")), lines
    assert "fix: export PAPER_REPLICATION_CACHE=<a writable folder>" in lines


# ---------------------------------------------------------------- the real build


def test_forced_from_source_build_runs_every_helper(tmp_path):
    """Builds the real paper-tools from this checkout (cargo profile `local`) through the
    launcher, then runs each helper on the bundled sample paper and the ResNet-50 example.

    The cache lives in target/launcher-cache so later runs with the same sources reuse the build.
    """
    assert shutil.which("cargo"), "this test needs cargo (the from-source route builds with it)"
    cache = REPO / "target" / "launcher-cache"
    env = dict(os.environ, PAPER_REPLICATION_NO_BUNDLED="1", PAPER_REPLICATION_CACHE=str(cache))
    env.pop("PAPER_REPLICATION_SKILL_DIR", None)
    built = launch(LAUNCHER, "--build", env=env, cwd=REPO, timeout=3600)
    assert built.returncode == 0, built.stderr
    tool = Path(built.stdout.strip())
    assert tool.parent.parent == cache / "build"

    check = launch(LAUNCHER, "--check", env=env, cwd=REPO, timeout=600)
    assert check.stdout.splitlines()[:4] == [
        "helper %s: built (%s, from %s)" % (h, tool, REPO) for h in HELPERS
    ], check.stdout

    def run(*args):
        return launch(LAUNCHER, *args, env=env, cwd=REPO, timeout=600)

    out = tmp_path / "sample"
    pdf = run("pdf-figures", "tests/pdf/sample/sample.pdf", "-o", str(out))
    assert pdf.returncode == 0, pdf.stderr
    assert (out / "manifest.json").is_file() and (out / "paper.md").is_file()

    lint = run("tensor-shape-lint", "examples/resnet50/model.py", "examples/resnet50/modules")
    assert lint.returncode == 0, lint.stdout + lint.stderr

    diagram = run("mermaid-gen", "code", "examples/resnet50/model.py", "--class", "ResNet50")
    assert diagram.returncode == 0, diagram.stderr
    # A %% comment naming the class, then the diagram, which `mermaid-gen check` must accept below.
    assert "flowchart TB" in diagram.stdout.splitlines()[:3], diagram.stdout[:200]
    mmd = tmp_path / "resnet50.mmd"
    mmd.write_text(diagram.stdout)
    checked = run("mermaid-gen", "check", str(mmd))
    assert checked.returncode == 0, checked.stdout + checked.stderr

    verify = run("repro-check", "verify", "examples/resnet50")
    assert verify.returncode == 0, verify.stdout + verify.stderr

    # The binary is in the cache, far from the skill: --runtime still finds trace_shapes.py
    # because the launcher names the skill folder (PAPER_REPLICATION_SKILL_DIR).
    runtime = run(
        "tensor-shape-lint", "--runtime", "examples/resnet50/model.py:ResNet50", "--input", "x=[2,3,64,64]"
    )
    assert runtime.returncode == 0, runtime.stdout + runtime.stderr

    # Copied into a skill's bin/ and run directly, without the launcher's variable: the helper
    # finds scripts/trace_shapes.py next to its own bin/ (what the bundled bin/paper-tools does).
    skill = tmp_path / "skill-copy"
    shutil.copytree(REPO / "skill" / "paper-replication" / "scripts", skill / "scripts")
    (skill / "bin").mkdir()
    shutil.copy(tool, skill / "bin" / "paper-tools")
    direct_env = {k: v for k, v in os.environ.items() if k not in ("PAPER_REPLICATION_SKILL_DIR", "TSL_TRACE_SCRIPT")}
    model = REPO / "examples" / "resnet50" / "model.py"
    direct = subprocess.run(
        [str(skill / "bin" / "paper-tools"), "tensor-shape-lint", "--runtime", "%s:ResNet50" % model,
         "--input", "x=[2,3,64,64]"],
        capture_output=True, text=True, env=direct_env, cwd=str(tmp_path), timeout=600,
    )
    assert direct.returncode == 0, direct.stdout + direct.stderr
    # And the same binary without any skill around it says so instead of passing.
    lone = tmp_path / "lone"
    lone.mkdir()
    shutil.copy(tool, lone / "paper-tools")
    alone = subprocess.run(
        [str(lone / "paper-tools"), "tensor-shape-lint", "--runtime", "%s:ResNet50" % model,
         "--input", "x=[2,3,64,64]"],
        capture_output=True, text=True, env=direct_env, cwd=str(lone), timeout=600,
    )
    assert alone.returncode == 2, alone.stdout + alone.stderr
    assert "trace_shapes.py not found" in alone.stderr
