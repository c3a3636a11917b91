#!/usr/bin/env python3
"""Run a paper-replication helper binary: python3 scripts/run.py <helper> [args...]

Looks for the helper in this order:
  1. bin/<helper> next to this skill (static Linux x86-64 builds made by `skill-pack build`);
  2. <helper> on PATH (for example after `cargo install --path crates/<helper>`);
  3. otherwise prints how to build it and exits with 127.

The skill folder may be read-only and uploads may drop executable bits, so a bundled binary
that cannot be executed in place is copied to a cache folder (named by its SHA-256), made
executable there, and run from the copy. Arguments, stdin, stdout, stderr and the exit code
pass through unchanged.

Options:
  --list     list the helpers this launcher can find, one per line: name, source, path
  --help     show this text

Python 3.8+ standard library only.
"""

import hashlib
import os
import platform
import re
import shutil
import stat
import sys
import tempfile

SKILL_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN_DIR = os.path.join(SKILL_DIR, "bin")
# Helpers later phases of the skill call; used by --list to look for them on PATH too.
KNOWN_HELPERS = ("mermaid-gen", "pdf-figures", "tensor-shape-lint")
HELPER_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
CACHE_ENV = "PAPER_REPLICATION_CACHE"
SKILL_DIR_ENV = "PAPER_REPLICATION_SKILL_DIR"
NOT_FOUND = 127
USAGE = 2


def bundled_binaries_fit():
    """The bundled bin/ holds Linux x86-64 executables only."""
    machine = platform.machine().lower()
    return sys.platform.startswith("linux") and machine in ("x86_64", "amd64")


def bundled(helper):
    path = os.path.join(BIN_DIR, helper)
    if bundled_binaries_fit() and os.path.isfile(path):
        return path
    return None


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_dirs():
    """Writable places to put an executable copy, most specific first."""
    dirs = []
    if os.environ.get(CACHE_ENV):
        dirs.append(os.environ[CACHE_ENV])
    dirs.append(os.path.join(tempfile.gettempdir(), "paper-replication-bin"))
    dirs.append(os.path.join(os.path.expanduser("~"), ".cache", "paper-replication-bin"))
    return dirs


def executable_copy(path, helper):
    """Copy `path` to a cache folder keyed by its content hash, chmod +x, return the copy."""
    digest = sha256_of(path)
    last_error = None
    for base in cache_dirs():
        folder = os.path.join(base, digest[:16])
        target = os.path.join(folder, helper)
        try:
            if os.path.isfile(target) and os.access(target, os.X_OK) and sha256_of(target) == digest:
                return target
            os.makedirs(folder, exist_ok=True)
            handle, partial = tempfile.mkstemp(dir=folder, prefix="." + helper + ".")
            os.close(handle)
            shutil.copyfile(path, partial)
            os.chmod(partial, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
            os.replace(partial, target)
            return target
        except OSError as error:
            last_error = error
    raise OSError("cannot make an executable copy of %s: %s" % (path, last_error))


def run(path, helper, args):
    """Replace this process with the helper, so exit code and streams pass through as they are."""
    argv = [helper] + list(args)
    # A helper copied to a temporary folder can no longer find the skill's scripts next to
    # its own path (tensor-shape-lint --runtime needs scripts/trace_shapes.py): tell it here.
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
    run(executable_copy(path, helper), helper, args)


def missing(helper):
    sys.stderr.write(
        "run.py: helper '%s' not found: no bin/%s in %s (bundled builds are for Linux x86-64) "
        "and no '%s' on PATH.\n"
        "Build it from a checkout of the paper-replication repository with:\n"
        "    cargo install --path crates/%s\n"
        "(or: cargo install --git <repository URL> %s), then run this command again.\n"
        % (helper, helper, SKILL_DIR, helper, helper, helper)
    )
    return NOT_FOUND


def list_helpers():
    found = {}
    if bundled_binaries_fit() and os.path.isdir(BIN_DIR):
        for name in sorted(os.listdir(BIN_DIR)):
            path = os.path.join(BIN_DIR, name)
            if HELPER_NAME.match(name) and os.path.isfile(path):
                found[name] = ("bin", path)
    for name in KNOWN_HELPERS:
        if name not in found:
            path = shutil.which(name)
            if path:
                found[name] = ("PATH", path)
    for name in sorted(found):
        source, path = found[name]
        sys.stdout.write("%s\t%s\t%s\n" % (name, source, path))
    if not found:
        sys.stderr.write("run.py: no helpers found in %s or on PATH\n" % BIN_DIR)
    return 0


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(__doc__)
        return 0 if argv else USAGE
    if argv[0] == "--list":
        return list_helpers()
    helper, args = argv[0], argv[1:]
    if not HELPER_NAME.match(helper):
        sys.stderr.write("run.py: '%s' is not a helper name (lowercase letters, digits, '-', '_')\n" % helper)
        return USAGE
    path = bundled(helper)
    try:
        if path:
            launch_bundled(path, helper, args)
        on_path = shutil.which(helper)
        if on_path:
            run(on_path, helper, args)
    except OSError as error:
        sys.stderr.write("run.py: %s: %s\n" % (helper, error))
        return USAGE
    return missing(helper)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
