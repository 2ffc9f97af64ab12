"""Git, run so that nothing a scanned repository controls can run (SECURITY.md "Git and migrate").

Every process the tool starts is started by `_spawn`, here (tests/migrate/test_git_safety.py
checks the source for any other). It runs the git found once in an absolute PATH entry, with no
GIT_* variable of the caller's environment but the commit identity, and with the repository
pinned: GIT_DIR, and GIT_WORK_TREE as the folder holding `.git` (a hostile core.worktree cannot
move it).

Safety comes from *which* commands run, not from listing dangerous settings: the callers use only
plumbing that never reads work-tree content through a filter (worktree.py: git converts only paths
whose `filter` attribute is unset), never diffs (no textconv, diff driver), never pages, edits,
signs (commit-tree --no-gpg-sign) or talks to a remote. What every git command shares (hooks,
fsmonitor, auto gc) is switched off in OVERRIDES, which come through GIT_CONFIG_COUNT:
command-line scope, above every config file, with keys that may hold `=`.
"""
from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

from themis_lint.discovery import repository_root

TIMEOUT = 300.0  # seconds; a git blocked on a FIFO that a config includes costs one repository
POLL = 0.2  # how often a waiting git checks for SIGINT/SIGTERM

# the program-running paths every git command shares; everything else is never reached
OVERRIDES = (
    ("core.hooksPath", "/dev/null"),  # no hook: reference-transaction, post-index-change, ...
    ("core.fsmonitor", "false"),  # reading the index starts no monitor program
    ("core.untrackedCache", "false"),
    ("commit.gpgSign", "false"),  # commit-tree would run gpg.program
    ("tag.gpgSign", "false"),
    ("gc.auto", "0"),  # no `gc --auto` with its pre-auto-gc hook
    ("maintenance.auto", "false"),
    ("core.pager", "cat"),
    ("diff.external", ""),
    ("protocol.allow", "never"),  # no transport: ssh, proxies, upload/receive-pack, credentials, askpass
    ("credential.helper", ""),  # an empty value resets the helper list
    ("core.askPass", ""),
    ("core.sshCommand", ""),
    ("core.gitProxy", "none"),  # its first match wins, so GIT_PROXY_COMMAND="" below is what holds
    ("core.editor", ":"),
    ("sequence.editor", ":"),
    ("safe.bareRepository", "explicit"),  # no bare repository planted inside a scanned tree
    ("submodule.recurse", "false"),
)
# environment values that take precedence over config (git(1)); empty means "none" for each
NEUTRAL_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_ATTR_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
               "GIT_PAGER": "cat", "PAGER": "cat", "GIT_EDITOR": ":", "GIT_SEQUENCE_EDITOR": ":",
               "GIT_ASKPASS": "", "SSH_ASKPASS": "", "GIT_PROXY_COMMAND": "", "GIT_OPTIONAL_LOCKS": "0",
               "GIT_LITERAL_PATHSPECS": "1", "GIT_NO_REPLACE_OBJECTS": "1", "GIT_PROTOCOL_FROM_USER": "0"}

# the caller's commit identity (a CI job may set it so): it names no program and no path
IDENTITY = {"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_NAME",
            "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE"}


def _never() -> bool:
    return False


_should_stop: Callable[[], bool] = _never


class GitError(Exception):
    """Git failed or could not run; the message is one line naming what."""


class GitStopped(Exception):
    """SIGINT/SIGTERM arrived while git ran; the git process was killed."""


@dataclass(frozen=True)
class Repository:
    """A git work tree as migrate uses it."""

    top: str  # the folder holding `.git`, absolute: the work tree, whatever core.worktree says
    git_dir: str  # absolute
    object_format: str  # sha1 | sha256


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: bytes
    stderr: bytes

    def message(self) -> str:
        lines = self.stderr.decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"exit status {self.returncode}"


def stop_when(check: Callable[[], bool]) -> None:
    """Let a waiting git be killed when `check()` says the run is stopping."""
    global _should_stop
    _should_stop = check


@functools.cache
def git_program() -> str:
    """`git` from the absolute entries of PATH only: an empty or relative entry is a scanned folder."""
    entries = [p for p in os.environ.get("PATH", os.defpath).split(os.pathsep) if os.path.isabs(p)]
    found = shutil.which("git", path=os.pathsep.join(entries))
    if found is None:
        raise GitError("git not found on PATH")
    return os.path.abspath(found)


def environment(repo: Repository | None, work_tree: str | None = None, index: str | None = None) -> dict:
    """The caller's environment without its GIT_* variables (but the identity), plus the pinned
    repository and OVERRIDES."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in IDENTITY}
    entries = env.get("PATH", os.defpath).split(os.pathsep)
    env["PATH"] = os.pathsep.join(p for p in entries if os.path.isabs(p))  # "" would be the repository
    env.update(NEUTRAL_ENV)
    env["GIT_CONFIG_COUNT"] = str(len(OVERRIDES))
    for n, (key, value) in enumerate(OVERRIDES):
        env[f"GIT_CONFIG_KEY_{n}"], env[f"GIT_CONFIG_VALUE_{n}"] = key, value
    if repo is not None:
        env["GIT_DIR"], work_tree = repo.git_dir, repo.top
    if work_tree is not None:
        env["GIT_WORK_TREE"] = work_tree
    if index is not None:
        env["GIT_INDEX_FILE"] = index
    return env


def run(repo: Repository | None, *args: str, input: bytes | None = None, cwd: str | None = None,
        work_tree: str | None = None, index: str | None = None) -> Result:
    """Run `git --no-pager ARGS` for `repo` (or for no repository, in `cwd`)."""
    env = environment(repo, work_tree, index)
    return _spawn([git_program(), "--no-pager", *args], repo.top if repo else (cwd or "/"), env, input)


def output(repo: Repository, *args: str, input: bytes | None = None, index: str | None = None) -> bytes:
    """Standard output of a git command that must succeed; GitError (one line) otherwise."""
    result = run(repo, *args, input=input, index=index)
    if result.returncode != 0:
        raise GitError(f"git {args[0]} failed: {result.message()}")
    return result.stdout


def _spawn(argv: list[str], cwd: str, env: dict, input: bytes | None) -> Result:
    """The one place a process starts: waits, but gives up on a stop or after TIMEOUT."""
    try:
        stdin = subprocess.DEVNULL if input is None else subprocess.PIPE
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=stdin, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, close_fds=True)
    except OSError as exc:
        return Result(127, b"", f"cannot run git: {exc.strerror or exc}".encode())
    deadline = time.monotonic() + TIMEOUT
    with proc:
        while True:
            try:
                out, err = proc.communicate(input, timeout=POLL)
            except subprocess.TimeoutExpired:
                if _should_stop():
                    proc.kill()
                    raise GitStopped() from None
                if time.monotonic() > deadline:
                    proc.kill()
                    return Result(124, b"", f"git {argv[2]} did not finish within {TIMEOUT:.0f} s".encode())
                continue
            if proc.returncode < 0 and _should_stop():
                raise GitStopped()  # Ctrl-C on a terminal reaches git too
            return Result(proc.returncode, out, err)


def open_repository(root: str) -> Repository | None:
    """The git work tree holding `root`, or None when no folder from `root` up holds `.git`.

    GitError when one does but git cannot use it (not installed, dubious ownership, a broken
    `.git`): migrating such a folder as a plain one would skip the uncommitted-changes check.
    """
    top = repository_root(root)
    if top is None:
        return None
    # discovery from `top` keeps git's safe.directory check; GIT_WORK_TREE overrides core.worktree
    found = run(None, "rev-parse", "--absolute-git-dir", "--show-object-format", cwd=top, work_tree=top)
    lines = found.stdout.decode("utf-8", "surrogateescape").splitlines()
    if found.returncode != 0 or len(lines) != 2:
        raise GitError(f"git cannot use this work tree: {found.message()}")
    git_dir, object_format = lines
    dot = os.path.join(top, ".git")
    if os.path.isdir(dot) and not os.path.samefile(dot, git_dir):
        raise GitError(f"git cannot use this work tree: {dot} is not a git directory")
    return Repository(top, git_dir, object_format)


def blob_id(data: bytes, object_format: str) -> str:
    """The id git gives `data` stored as it is (hash-object --no-filters), computed without git."""
    return hashlib.new(object_format, b"blob %d\0" % len(data) + data).hexdigest()


def valid_branch_name(name: str) -> bool:
    """`git check-ref-format --branch` without its repository lookup (run in no repository)."""
    if not name or name.startswith("-") or name == "HEAD":
        return False
    return run(None, "check-ref-format", f"refs/heads/{name}").returncode == 0


# --- reading commits (issue 15: what a branch holds against its base) ------------------------------

def rev(repo: Repository, name: str) -> str | None:
    """The commit `name` names, or None (no such ref, no commit yet)."""
    out = run(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{name}^{{commit}}")
    return (out.stdout.decode().strip() or None) if out.returncode == 0 else None


def paths_changed(repo: Repository, base: str, tip: str) -> list[str]:
    """Top-relative paths that differ between two commits (plumbing: no diff driver, no textconv)."""
    out = output(repo, "diff-tree", "-r", "-z", "--no-renames", "--name-only", base, tip)
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def blob_at(repo: Repository, commit: str, path: str) -> bytes | None:
    """A file's bytes as stored in `commit` (no filters), None when it has no such file."""
    out = run(repo, "cat-file", "blob", f"{commit}:{path}")
    return out.stdout if out.returncode == 0 else None


# --- a campaign's own clones (issue 15): transport with the user's own authentication ----------------
#
# `run` forbids every transport. A campaign clones, fetches and pushes the repositories its repos
# file lists, into and from clones it owns in its workspace: there git talks to remotes with the
# user's authentication (credential helpers, system config included; the SSH agent and config),
# never prompts, and still runs no hook, monitor, signing program, pager or editor.

TRANSPORT_KEYS = {"protocol.allow", "credential.helper", "core.askPass", "core.sshCommand", "core.gitProxy",
                  "safe.bareRepository"}
TRANSPORT_OVERRIDES = tuple((k, v) for k, v in OVERRIDES if k not in TRANSPORT_KEYS)
TRANSPORT_ENV_KEPT = ("GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH")


def transport(folder: str, *args: str) -> Result:
    """git in a workspace clone (or the folder a clone goes to), allowed to reach its remote."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in TRANSPORT_ENV_KEPT}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", os.defpath).split(os.pathsep) if os.path.isabs(p))
    env.update(GIT_TERMINAL_PROMPT="0", GIT_PAGER="cat", PAGER="cat", GIT_EDITOR=":", GIT_OPTIONAL_LOCKS="0",
               GIT_NO_REPLACE_OBJECTS="1", GIT_CONFIG_COUNT=str(len(TRANSPORT_OVERRIDES)))
    for n, (key, value) in enumerate(TRANSPORT_OVERRIDES):
        env[f"GIT_CONFIG_KEY_{n}"], env[f"GIT_CONFIG_VALUE_{n}"] = key, value
    return _spawn([git_program(), "--no-pager", *args], folder, env, None)


def _failed(out: Result, what: str) -> str:
    """'' when git succeeded, else one line saying what failed (callers redact URLs in it)."""
    return "" if out.returncode == 0 else f"{what} failed: {out.message()}"


def clone(url: str, dest: str, base: str | None, shallow: bool) -> str:
    """Clone `url` into `dest`: only the base branch, only its last commit when `shallow`."""
    args = ["clone", "-q", "--no-tags", "--single-branch"] + (["--depth", "1"] if shallow else [])
    args += ["--branch", base] if base else []
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    return _failed(transport(os.path.dirname(dest), *args, "--", url, dest), "git clone")


def fetch_base(dest: str, base: str, shallow: bool) -> str:
    """Bring origin's `base` up to date in an existing clone."""
    depth = ["--depth", "1"] if shallow else []
    return _failed(transport(dest, "fetch", "-q", "--no-tags", *depth, "origin",
                             f"+refs/heads/{base}:refs/remotes/origin/{base}"), "git fetch")


def current_branch(dest: str) -> str | None:
    out = transport(dest, "symbolic-ref", "-q", "--short", "HEAD")
    return (out.stdout.decode().strip() or None) if out.returncode == 0 else None


def folder_rev(dest: str, name: str) -> str | None:
    out = transport(dest, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{name}^{{commit}}")
    return (out.stdout.decode().strip() or None) if out.returncode == 0 else None


def reset_to_base(dest: str, base: str, branch: str | None) -> str:
    """The clone exactly at origin's `base`, on a local `base` branch, nothing else in the work tree,
    no local campaign `branch` (it is made again): the clone is the workspace's, never a person's."""
    for args, what in ((("checkout", "-q", "-f", "-B", base, f"refs/remotes/origin/{base}"), "git checkout"),
                       (("clean", "-q", "-ffdx"), "git clean")):
        if problem := _failed(transport(dest, *args), what):
            return problem
    if branch and folder_rev(dest, f"refs/heads/{branch}"):
        return _failed(transport(dest, "branch", "-q", "-D", branch), "git branch -D")
    return ""


def push(dest: str, tip: str, branch: str, expected: str | None) -> str:
    """Push `tip` as origin's `branch`, only if origin's branch is still at `expected` (None: must
    not exist): a commit someone else pushed to the branch is never overwritten."""
    lease = f"--force-with-lease=refs/heads/{branch}:{expected or ''}"
    return _failed(transport(dest, "push", "-q", "--no-verify", lease, "origin", f"{tip}:refs/heads/{branch}"),
                   "git push")
