#!/usr/bin/env python3
"""Run a paper-replication helper: python3 scripts/run.py <helper> [args...]

The helpers (mermaid-gen, pdf-figures, repro-check, tensor-shape-lint) live in one executable,
paper-tools. The launcher looks for a helper in this order:
  1. bin/<helper>, then bin/paper-tools, next to this skill (static Linux x86-64 builds made by
     `skill-pack build`);
  2. <helper> or paper-tools on PATH (for example after `cargo install --path crates/paper-tools`);
  3. paper-tools built from source: when the skill sits in a checkout of the paper-replication
     repository (a git clone, a Claude Code marketplace install) or PAPER_REPLICATION_SOURCE
     names one, and cargo is installed, the launcher builds it once, on first use, into a
     per-user cache keyed by the hash of the sources, and reuses that build afterwards;
  4. otherwise it prints the one command that installs Rust and builds the helpers, exit 127.

The skill folder may be read-only and uploads may drop executable bits, so a bundled binary
that cannot be executed in place is copied to the cache (named by its SHA-256), made executable
there, and run from the copy. Arguments, stdin, stdout, stderr and the exit code pass through
unchanged.

Options:
  --check    one line per dependency (each helper: bundled, built, on PATH or missing; Python
             and torch; whether the cache is writable); exits 1 with the fix when one is missing
  --build    build paper-tools from source now (what first use would do), then exit
  --list     list the helpers this launcher can find, one per line: name, source, path
  --help     show this text

Environment:
  PAPER_REPLICATION_CACHE      cache folder (default ~/.cache/paper-replication, else a
                               per-user folder under the system's temporary folder)
  PAPER_REPLICATION_SOURCE     a checkout of the repository to build the helpers from
  PAPER_REPLICATION_NO_BUNDLED set to 1 to ignore bin/ (as on a machine it does not fit)

Python 3.8+ standard library only.
"""

import hashlib
import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time

SKILL_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN_DIR = os.path.join(SKILL_DIR, "bin")
LAUNCHER = os.path.abspath(__file__)
MULTICALL = "paper-tools"
# The helpers paper-tools holds (crates/paper-tools/Cargo.toml lists the same).
KNOWN_HELPERS = ("mermaid-gen", "pdf-figures", "repro-check", "tensor-shape-lint")
HELPER_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
CACHE_ENV = "PAPER_REPLICATION_CACHE"
SOURCE_ENV = "PAPER_REPLICATION_SOURCE"
NO_BUNDLED_ENV = "PAPER_REPLICATION_NO_BUNDLED"
SKILL_DIR_ENV = "PAPER_REPLICATION_SKILL_DIR"
# The cargo profile of a from-source build (defined in the workspace Cargo.toml): the release
# settings without fat LTO, so a user's first build takes a few minutes, not many.
BUILD_PROFILE = "local"
RUSTUP = "curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y"
NOT_FOUND = 127
USAGE = 2
PROGRESS_EVERY = 30.0


class LaunchError(Exception):
    """A failure with a message for the user and the exit status to end with."""

    def __init__(self, message, status=NOT_FOUND):
        Exception.__init__(self, message)
        self.status = status


# ---------------------------------------------------------------- bundled binaries and the cache


def bundled_binaries_fit():
    """The bundled bin/ holds Linux x86-64 executables only."""
    if os.environ.get(NO_BUNDLED_ENV, "") not in ("", "0"):
        return False
    machine = platform.machine().lower()
    return sys.platform.startswith("linux") and machine in ("x86_64", "amd64")


def bundled(helper):
    """The bundled binary that runs `helper` (bin/<helper>, else bin/paper-tools), or None."""
    if not bundled_binaries_fit():
        return None
    own = os.path.join(BIN_DIR, helper)
    if os.path.isfile(own):
        return own
    multicall = os.path.join(BIN_DIR, MULTICALL)
    if helper in KNOWN_HELPERS and os.path.isfile(multicall):
        return multicall
    return None


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_dirs():
    """Places for the cache, most specific first: only PAPER_REPLICATION_CACHE when it is set."""
    if os.environ.get(CACHE_ENV):
        return [os.path.abspath(os.environ[CACHE_ENV])]
    dirs = []
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        dirs.append(os.path.join(xdg, "paper-replication"))
    dirs.append(os.path.join(os.path.expanduser("~"), ".cache", "paper-replication"))
    user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    dirs.append(os.path.join(tempfile.gettempdir(), "paper-replication-" + user))
    return dirs


def writable_cache():
    """The first cache folder that can be created and written, or None; and the last error."""
    last_error = None
    for base in cache_dirs():
        try:
            os.makedirs(base, exist_ok=True)
            handle, probe = tempfile.mkstemp(dir=base, prefix=".probe-")
            os.close(handle)
            os.remove(probe)
            return base, None
        except OSError as error:
            last_error = "%s: %s" % (base, error.strerror or error)
    return None, last_error


def executable_copy(path, name):
    """Copy `path` into the cache under its content hash, chmod +x, return the copy."""
    digest = sha256_of(path)
    last_error = None
    for base in cache_dirs():
        folder = os.path.join(base, "bin", digest[:16])
        target = os.path.join(folder, name)
        try:
            if os.path.isfile(target) and os.access(target, os.X_OK) and sha256_of(target) == digest:
                return target
            os.makedirs(folder, exist_ok=True)
            handle, partial = tempfile.mkstemp(dir=folder, prefix="." + name + ".")
            os.close(handle)
            shutil.copyfile(path, partial)
            os.chmod(partial, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
            os.replace(partial, target)
            return target
        except OSError as error:
            last_error = error
    raise LaunchError("cannot make an executable copy of %s: %s" % (path, last_error))


def runnable(path):
    """`path` itself when it can be executed in place, else an executable copy in the cache."""
    if os.access(path, os.X_OK):
        return path
    return executable_copy(path, os.path.basename(path))


def run(path, helper, args):
    """Replace this process with the helper, so exit code and streams pass through as they are.

    argv[0] is the helper's name: paper-tools picks the helper by the name it is called by.
    """
    argv = [helper] + list(args)
    # A helper copied to a cache folder can no longer find the skill's scripts next to its own
    # path (tensor-shape-lint --runtime needs scripts/trace_shapes.py): tell it here.
    os.environ.setdefault(SKILL_DIR_ENV, SKILL_DIR)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(path, argv)


def launch_bundled(path, helper, args):
    if os.access(path, os.X_OK):
        try:
            run(path, helper, args)
        except OSError:
            pass  # noexec mount or a lost bit the access check missed: fall back to a copy.
    run(executable_copy(path, os.path.basename(path)), helper, args)


def on_path(helper):
    """`helper` on PATH, else paper-tools on PATH for a helper it holds, or None."""
    path = shutil.which(helper)
    if path:
        return path
    if helper in KNOWN_HELPERS:
        return shutil.which(MULTICALL)
    return None


# ---------------------------------------------------------------- building from source


def source_root():
    """The checkout to build from: PAPER_REPLICATION_SOURCE, else the repository around the skill."""
    candidates = []
    if os.environ.get(SOURCE_ENV):
        candidates.append(os.path.abspath(os.environ[SOURCE_ENV]))
    folder = SKILL_DIR
    for _ in range(4):
        folder = os.path.dirname(folder)
        candidates.append(folder)
    for root in candidates:
        if os.path.isfile(os.path.join(root, "Cargo.toml")) and os.path.isfile(
            os.path.join(root, "crates", MULTICALL, "Cargo.toml")
        ):
            return root
    return None


def source_files(root):
    """Every file the build reads: manifests, the lock file, the crates' sources (not their tests),
    and the skill's templates that repro-check compiles in."""
    files = []
    for name in ("Cargo.toml", "Cargo.lock", "rust-toolchain", "rust-toolchain.toml"):
        if os.path.isfile(os.path.join(root, name)):
            files.append(name)
    for top in ("crates", os.path.join("skill", "paper-replication", "assets", "templates")):
        for folder, dirs, names in os.walk(os.path.join(root, top)):
            dirs[:] = sorted(d for d in dirs if d not in ("tests", "benches", "target") and not d.startswith("."))
            for name in sorted(names):
                files.append(os.path.relpath(os.path.join(folder, name), root))
    return sorted(f.replace(os.sep, "/") for f in files)


def source_key(root):
    """A short hash of the sources, the platform and the profile: one cached build per value."""
    digest = hashlib.sha256()
    digest.update(("%s %s %s\n" % (sys.platform, platform.machine(), BUILD_PROFILE)).encode())
    for rel in source_files(root):
        digest.update(rel.encode() + b"\0")
        digest.update(sha256_of(os.path.join(root, rel)).encode() + b"\n")
    return digest.hexdigest()[:16]


def built_binary(root, cache):
    """Where the build of the current sources lives in `cache` (it may not exist yet)."""
    exe = MULTICALL + (".exe" if sys.platform.startswith("win") else "")
    return os.path.join(cache, "build", source_key(root), exe)


def cargo():
    return os.environ.get("CARGO") or shutil.which("cargo")


def install_rust_line(root):
    build = "python3 %s --build" % LAUNCHER
    if root is None:
        return (
            "no helper binary fits this machine (%s %s) and no source checkout is near the skill: "
            "clone the paper-replication repository, then run: %s && . \"$HOME/.cargo/env\" && "
            "PAPER_REPLICATION_SOURCE=<checkout> %s" % (sys.platform, platform.machine(), RUSTUP, build)
        )
    return (
        "no helper binary fits this machine (%s %s) and cargo is not installed: install Rust and "
        "build the helpers with: %s && . \"$HOME/.cargo/env\" && %s"
        % (sys.platform, platform.machine(), RUSTUP, build)
    )


class BuildLock:
    """An exclusive lock on a file, so two launches never build at once (released on exit)."""

    def __init__(self, path):
        self.path = path
        self.handle = None

    def __enter__(self):
        self.handle = open(self.path, "a+")
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks in the standard library; build unlocked.
            return self
        fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        self.handle.close()


def build_from_source(root, cache):
    """The path of paper-tools built from `root`: reused when the cache has it, else built once."""
    target = built_binary(root, cache)
    if os.path.isfile(target):
        return target
    tool = cargo()
    if not tool:
        raise LaunchError(install_rust_line(root))
    key_dir = os.path.dirname(target)
    build_dir = os.path.dirname(key_dir)
    os.makedirs(build_dir, exist_ok=True)
    with BuildLock(key_dir + ".lock"):
        if os.path.isfile(target):  # another launch built it while this one waited
            return target
        log_path = key_dir + ".log"
        target_dir = os.path.join(build_dir, "target")
        command = [
            tool, "build", "--locked", "--profile", BUILD_PROFILE, "-p", MULTICALL,
            "--manifest-path", os.path.join(root, "Cargo.toml"), "--target-dir", target_dir,
        ]
        sys.stderr.write(
            "run.py: building the helpers (paper-tools) from %s, once; this takes a few minutes "
            "(log: %s)\n" % (root, log_path)
        )
        sys.stderr.flush()
        started = time.time()
        with open(log_path, "w") as log:
            env = dict(os.environ)
            env.pop("RUSTFLAGS", None)  # the bundled build's static-linking flags are not wanted here
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
            next_note = started + PROGRESS_EVERY
            while process.poll() is None:
                time.sleep(0.5)
                if time.time() >= next_note:
                    next_note += PROGRESS_EVERY
                    sys.stderr.write(
                        "run.py: still building (%d s, %d crates compiled)\n"
                        % (time.time() - started, count_compiled(log_path))
                    )
                    sys.stderr.flush()
        if process.returncode != 0:
            with open(log_path, errors="replace") as log:
                # cargo echoes whole rustc command lines on some failures: keep each line short.
                tail = [line[:300] for line in log.read().splitlines()[-15:]]
            raise LaunchError(
                "building paper-tools failed (cargo exit %d); last lines of %s:\n%s"
                % (process.returncode, log_path, "\n".join(tail)),
                USAGE,
            )
        exe = os.path.basename(target)
        produced = os.path.join(target_dir, BUILD_PROFILE, exe)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=os.path.dirname(target), prefix="." + exe + ".")
        os.close(handle)
        shutil.copyfile(produced, partial)
        os.chmod(partial, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        os.replace(partial, target)
        sys.stderr.write("run.py: built %s in %d s\n" % (target, time.time() - started))
        sys.stderr.flush()
    return target


def count_compiled(log_path):
    try:
        with open(log_path, errors="replace") as log:
            return sum(1 for line in log if line.lstrip().startswith("Compiling "))
    except OSError:
        return 0


def from_source():
    """paper-tools built from source; raises LaunchError with the fix."""
    root = source_root()
    if root is None:
        raise LaunchError(install_rust_line(None))
    cache, error = writable_cache()
    if cache is None:
        raise LaunchError("no writable cache folder for the build (%s): set %s to one" % (error, CACHE_ENV), USAGE)
    return build_from_source(root, cache)


# ---------------------------------------------------------------- commands


def missing(helper):
    sys.stderr.write(
        "run.py: helper '%s' not found: no bin/%s in %s (bundled builds are for Linux x86-64) "
        "and no '%s' on PATH.\n" % (helper, helper, SKILL_DIR, helper)
    )
    return NOT_FOUND


def locate(helper):
    """(source, path) of what would run `helper` now, without building: bin, PATH, built or None."""
    path = bundled(helper)
    if path:
        return "bundled", path
    path = on_path(helper)
    if path:
        return "PATH", path
    if helper in KNOWN_HELPERS:
        root = source_root()
        cache, _ = writable_cache()
        if root and cache:
            built = built_binary(root, cache)
            if os.path.isfile(built):
                return "built", built
    return None, None


def list_helpers():
    found = {}
    if bundled_binaries_fit() and os.path.isdir(BIN_DIR):
        for name in sorted(os.listdir(BIN_DIR)):
            path = os.path.join(BIN_DIR, name)
            if HELPER_NAME.match(name) and os.path.isfile(path) and name != MULTICALL:
                found[name] = ("bin", path)
    for name in KNOWN_HELPERS:
        if name not in found:
            source, path = locate(name)
            if path:
                found[name] = ({"bundled": "bin"}.get(source, source), path)
    for name in sorted(found):
        source, path = found[name]
        sys.stdout.write("%s\t%s\t%s\n" % (name, source, path))
    if not found:
        sys.stderr.write("run.py: no helpers found in %s or on PATH\n" % BIN_DIR)
    return 0


def probe_helpers(path):
    """The helpers a paper-tools binary says it holds (`paper-tools --list`), or an error text."""
    try:
        exe = runnable(path)
        done = subprocess.run([exe, "--list"], capture_output=True, text=True, timeout=60)
    except (OSError, LaunchError, subprocess.SubprocessError) as error:
        return None, str(error)
    if done.returncode != 0:
        return None, "exit %d: %s" % (done.returncode, (done.stderr.strip().splitlines() or [""])[0])
    return done.stdout.split(), None


def check_helpers(lines, fixes):
    root = source_root()
    cache, _ = writable_cache()
    probed = {}
    for helper in KNOWN_HELPERS:
        source, path = locate(helper)
        if source and (os.path.basename(path) == MULTICALL or source == "built"):
            if path not in probed:
                probed[path] = probe_helpers(path)
            held, error = probed[path]
            if held is None or helper not in held:
                why = error or "it does not hold %s" % helper
                lines.append("helper %s: broken (%s %s: %s)" % (helper, source, path, why))
                fixes.append(fix_for_helper(root, cache))
                continue
        if source == "bundled":
            lines.append("helper %s: bundled (%s)" % (helper, path))
        elif source == "built":
            lines.append("helper %s: built (%s, from %s)" % (helper, path, root))
        elif source == "PATH":
            lines.append("helper %s: on PATH (%s)" % (helper, path))
        else:
            lines.append("helper %s: missing" % helper)
            fixes.append(fix_for_helper(root, cache))


def fix_for_helper(root, cache):
    if root is None or not cargo():
        return install_rust_line(root)
    if cache is None:
        return "set %s to a writable folder, then run: python3 %s --build" % (CACHE_ENV, LAUNCHER)
    return "build the helpers from %s (a few minutes, once): python3 %s --build" % (root, LAUNCHER)


def check_python(lines, fixes):
    python = shutil.which("python3")
    if not python:
        lines.append("python3: missing on PATH (the helpers run scripts/*.py with python3)")
        fixes.append("install Python 3.8 or newer as python3 (e.g. apt-get install python3)")
        return
    probe = (
        "import sys\n"
        "sys.stdout.write('%d.%d.%d\\n' % sys.version_info[:3])\n"
        "try:\n"
        "    import torch\n"
        "    sys.stdout.write(torch.__version__ + '\\n')\n"
        "except Exception as error:\n"
        "    sys.stdout.write('! %s: %s\\n' % (type(error).__name__, error))\n"
    )
    try:
        done = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=300)
        out = done.stdout.splitlines()
    except (OSError, subprocess.SubprocessError) as error:
        out = []
        done = None
        lines.append("python3: cannot run %s (%s)" % (python, error))
        fixes.append("repair or reinstall Python 3 at %s" % python)
        return
    if not out or done.returncode != 0:
        lines.append("python3: cannot run %s (exit %s)" % (python, done.returncode))
        fixes.append("repair or reinstall Python 3 at %s" % python)
        return
    version = tuple(int(p) for p in out[0].split("."))
    if version < (3, 8):
        lines.append("python3: %s (%s), too old" % (out[0], python))
        fixes.append("install Python 3.8 or newer as python3")
    else:
        lines.append("python3: %s (%s)" % (out[0], python))
    torch = out[1] if len(out) > 1 else "! no answer"
    if torch.startswith("!"):
        lines.append("torch: missing for %s (%s)" % (python, torch[2:]))
        fixes.append(
            "%s -m pip install torch   (validate_model.py, verify --run and --runtime need it)" % python
        )
    else:
        lines.append("torch: %s" % torch)


def check_cache(lines, fixes):
    cache, error = writable_cache()
    if cache:
        lines.append("cache: writable (%s)" % cache)
    else:
        lines.append("cache: not writable (%s)" % error)
        fixes.append("export %s=<a writable folder>" % CACHE_ENV)


def check():
    """One line per dependency; exit 1 with the fixes when anything is missing."""
    lines, fixes = [], []
    check_helpers(lines, fixes)
    check_python(lines, fixes)
    check_cache(lines, fixes)
    for line in lines:
        sys.stdout.write(line + "\n")
    unique = []
    for fix in fixes:
        if fix not in unique:
            unique.append(fix)
    for fix in unique:
        sys.stdout.write("fix: %s\n" % fix)
    sys.stdout.write("check: %s\n" % ("ok" if not unique else "%d problem(s)" % len(unique)))
    return 0 if not unique else 1


def build_now():
    try:
        path = from_source()
    except LaunchError as error:
        sys.stderr.write("run.py: %s\n" % error)
        return error.status
    sys.stdout.write("%s\n" % path)
    return 0


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(__doc__)
        return 0 if argv else USAGE
    if argv[0] == "--list":
        return list_helpers()
    if argv[0] == "--check":
        return check()
    if argv[0] == "--build":
        return build_now()
    helper, args = argv[0], argv[1:]
    if not HELPER_NAME.match(helper):
        sys.stderr.write("run.py: '%s' is not a helper name (lowercase letters, digits, '-', '_')\n" % helper)
        return USAGE
    try:
        path = bundled(helper)
        if path:
            launch_bundled(path, helper, args)
        path = on_path(helper)
        if path:
            run(path, helper, args)
        if helper in KNOWN_HELPERS:
            run(from_source(), helper, args)
    except LaunchError as error:
        sys.stderr.write("run.py: %s: %s\n" % (helper, error))
        return error.status
    except OSError as error:
        sys.stderr.write("run.py: %s: %s\n" % (helper, error))
        return USAGE
    return missing(helper)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
