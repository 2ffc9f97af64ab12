"""Git for `themis-lint migrate`: git run safely, the uncommitted-changes check, the commit on a
new branch, and the resume record (docs/migrate.md "Safety", "Interrupting and resuming").

The resume record (MARKER, in the git dir) lists the files a run wrote that nobody committed yet:
a rerun does not count them as uncommitted changes, and `--commit` commits them too.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from themis_lint.migrate.types import MigrateRequest, RepoRun

MARKER = "themis-lint-migrate.json"  # in the git dir: what an earlier (interrupted) run wrote
# docs/migrate.md "Safety": git never runs hooks, fsmonitor or signing programs of a scanned repository
GIT_SAFE = ("-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "commit.gpgSign=false",
            "-c", "core.untrackedCache=false", "--literal-pathspecs")


def git(repo: RepoRun, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    return subprocess.run(["git", *GIT_SAFE, *repo.git_args, *args], cwd=repo.top or repo.root, env=env,
                          input=input, capture_output=True, check=False)


def find_work_tree(repo: RepoRun) -> None:
    """Fill repo.top and the config overrides that keep git from running the repo's filters.

    A folder inside a work tree that git cannot use (not installed, dubious ownership) fails:
    migrating it as a plain folder would skip the uncommitted-changes check.
    """
    try:
        out = git(repo, "rev-parse", "--show-toplevel")
    except OSError as exc:
        out = subprocess.CompletedProcess((), 127, b"", str(exc).encode())
    if out.returncode != 0:
        if _inside_git(repo.root):
            repo.status = "failed"
            repo.reason = "git cannot use this work tree: " + out.stderr.decode(errors="replace").strip()
        return
    repo.top = out.stdout.decode("utf-8", "surrogateescape").strip()
    drivers = git(repo, "config", "-z", "--name-only", "--get-regexp", r"^filter\..*\.(clean|smudge|process)$")
    names = [n for n in drivers.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    repo.git_args = tuple(arg for name in names for arg in ("-c", f"{name}="))


def _inside_git(folder: str) -> bool:
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return True
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent


def _git_dir(repo: RepoRun) -> str | None:
    out = git(repo, "rev-parse", "--absolute-git-dir")
    return out.stdout.decode("utf-8", "surrogateescape").strip() if out.returncode == 0 else None


def top_rel(repo: RepoRun, rel: str) -> str:
    return os.path.relpath(os.path.join(repo.root, rel), repo.top).replace(os.sep, "/")


def read_marker(repo: RepoRun) -> dict[str, dict]:
    """Files earlier runs wrote and nobody committed: top-relative path -> {sha256, fixes}."""
    folder = _git_dir(repo)
    try:
        with open(os.path.join(folder, MARKER)) as handle:
            files = json.load(handle)["files"]
        return {str(k): {"sha256": str(v["sha256"]), "fixes": {str(c): int(n) for c, n in v["fixes"].items()}}
                for k, v in files.items()}
    except (OSError, TypeError, ValueError, AttributeError, KeyError):
        return {}


def write_marker(repo: RepoRun, files: dict[str, dict]) -> None:
    folder = _git_dir(repo)
    if folder is None:
        return
    path = os.path.join(folder, MARKER)
    if not files:
        if os.path.exists(path):
            os.unlink(path)
        return
    write_new(path, json.dumps({"files": files}, indent=1, sort_keys=True).encode())


def _ours(repo: RepoRun, entry: dict | None, path: str) -> bool:
    """Is the file at `path` (top-relative) exactly what a migrate run wrote?"""
    return entry is not None and _sha256(os.path.join(repo.top, path)) == entry["sha256"]


def uncommitted(repo: RepoRun) -> list[str] | None:
    """Changed, staged or untracked paths below the repo, except files an earlier migrate run wrote."""
    scope = os.path.relpath(repo.root, repo.top)
    out = git(repo, "status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all", "--", scope)
    if out.returncode != 0:
        return None
    ours = read_marker(repo)
    dirty = []
    for entry in out.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if not entry:
            continue
        state, path = entry[:2], entry[3:]
        if state == " M" and _ours(repo, ours.get(path), path):
            continue  # resuming an interrupted run: docs/migrate.md "Interrupting and resuming"
        dirty.append(path)
    return dirty


def _sha256(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


def preflight(repo: RepoRun, req: MigrateRequest) -> None:
    """Refuse a dirty work tree, an existing branch, a commit without identity (sets repo.status)."""
    if repo.top is None:
        if req.commit:
            repo.status, repo.reason = "refused", "not a git work tree: cannot --commit"
        return
    if not req.allow_dirty and req.writes:
        dirty = uncommitted(repo)
        if dirty is None:
            repo.status, repo.reason = "failed", "git status failed"
        elif dirty:
            more = f" and {len(dirty) - 5} more" if len(dirty) > 5 else ""
            repo.status = "refused"
            repo.reason = (f"uncommitted changes ({', '.join(dirty[:5])}{more}); commit or stash them, "
                           "or pass --allow-dirty")
        if repo.status != "pending":
            return
    if req.commit and req.writes:
        if git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{req.branch}").returncode == 0:
            repo.status, repo.reason = "refused", f"branch {req.branch} exists"
        elif git(repo, "var", "GIT_COMMITTER_IDENT").returncode != 0:
            repo.status, repo.reason = "refused", "no git identity for --commit: set user.name and user.email"


def commit_message(fixes: dict[str, int], remaining: int, setup) -> str:
    pack = setup.ctx.pack
    lines = [f"themis-lint: migrate from ThemisDB {pack.from_version} to {pack.to_version}", "",
             "Rules applied by `themis-lint migrate`:"]
    for code in sorted(fixes):
        rule = setup.catalogue.get(code)
        name = f"{code} {rule.slug}" + (" (unsafe fix)" if rule.fix == "unsafe" else "") if rule else code
        lines.append(f"- {name}: {fixes[code]}")
    if remaining:
        lines += ["", f"{remaining} finding(s) need a person; see the migrate report."]
    return "\n".join(lines) + "\n"


def commit(repo: RepoRun, branch: str, files: list[str], message: str) -> None:
    """One commit of `files` (top-relative) on a new branch; never pushes."""
    names = "\0".join(files).encode("utf-8", "surrogateescape")
    steps = [(("checkout", "-q", "-b", branch), None),
             (("add", "--pathspec-from-file=-", "--pathspec-file-nul"), names),
             (("commit", "-q", "--no-verify", "-m", message), None)]
    for args, data in steps:
        out = git(repo, *args, input=data)
        if out.returncode != 0:
            repo.errors.append(f"git {args[0]} failed: {out.stderr.decode(errors='replace').strip()}")
            return
    repo.branch = branch
    repo.commit = git(repo, "rev-parse", "HEAD").stdout.decode().strip()


def commit_ours(repo: RepoRun, ours: dict[str, dict], branch: str, setup) -> None:
    """Commit what this run and interrupted earlier ones wrote below the repo; forget them once committed."""
    scope = os.path.relpath(repo.root, repo.top).replace(os.sep, "/")
    files = sorted(p for p, entry in ours.items()
                   if (scope == "." or p.startswith(scope + "/")) and _ours(repo, entry, p))
    if not files:
        return
    fixes: dict[str, int] = {}
    for path in files:
        for code, n in ours[path]["fixes"].items():
            fixes[code] = fixes.get(code, 0) + n
    commit(repo, branch, files, commit_message(fixes, len(repo.remaining), setup))
    if repo.commit:
        for path in files:
            del ours[path]


def write_new(path: str, data: bytes) -> None:
    """Atomically write a report, patch or marker file, creating it and its folder if needed."""
    from themis_lint.writer import write_atomic

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    if not os.path.exists(path):
        open(path, "wb").close()
    write_atomic(path, data)


# --- reading commits (issue 15: what a branch holds against its base) ------------------------------

def rev(repo: RepoRun, name: str) -> str | None:
    """The commit `name` names, or None (no such ref, no commit yet)."""
    out = git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{name}^{{commit}}")
    return out.stdout.decode().strip() or None if out.returncode == 0 else None


def paths_changed(repo: RepoRun, base: str, tip: str) -> list[str]:
    """Top-relative paths that differ between two commits (plumbing: no diff driver, no textconv)."""
    out = git(repo, "diff-tree", "-r", "-z", "--no-renames", "--name-only", base, tip)
    if out.returncode != 0:
        raise OSError(f"git diff-tree failed: {out.stderr.decode(errors='replace').strip()}")
    return [p for p in out.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def blob_at(repo: RepoRun, commit: str, path: str) -> bytes | None:
    """A file's bytes as stored in `commit` (no filters), None when it has no such file."""
    out = git(repo, "cat-file", "blob", f"{commit}:{path}")
    return out.stdout if out.returncode == 0 else None


# --- a campaign's own clones (issue 15): transport with git's own authentication -------------------

def in_folder(folder: str, *args: str) -> subprocess.CompletedProcess:
    """git in a workspace clone (or the folder it goes to), run as `git()` runs it: no hooks, no
    terminal prompt; credential helpers and the SSH agent are git's own."""
    env = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    return subprocess.run(["git", *GIT_SAFE, *args], cwd=folder, env=env, capture_output=True, check=False)


def _failed(out: subprocess.CompletedProcess, what: str) -> str:
    """'' when git succeeded, else one line saying what failed (callers redact URLs in it)."""
    if out.returncode == 0:
        return ""
    lines = out.stderr.decode(errors="replace").strip().splitlines()
    return f"{what} failed: {lines[-1] if lines else f'exit status {out.returncode}'}"


def clone(url: str, dest: str, base: str | None, shallow: bool) -> str:
    """Clone `url` into `dest`: only the base branch, only its last commit when `shallow`."""
    args = ["clone", "-q", "--no-tags", "--single-branch"] + (["--depth", "1"] if shallow else [])
    args += ["--branch", base] if base else []
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    return _failed(in_folder(os.path.dirname(dest), *args, "--", url, dest), "git clone")


def fetch_base(dest: str, base: str, shallow: bool) -> str:
    """Bring origin's `base` up to date in an existing clone."""
    depth = ["--depth", "1"] if shallow else []
    return _failed(in_folder(dest, "fetch", "-q", "--no-tags", *depth, "origin",
                             f"+refs/heads/{base}:refs/remotes/origin/{base}"), "git fetch")


def current_branch(dest: str) -> str | None:
    out = in_folder(dest, "symbolic-ref", "-q", "--short", "HEAD")
    return out.stdout.decode().strip() or None if out.returncode == 0 else None


def folder_rev(dest: str, name: str) -> str | None:
    out = in_folder(dest, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{name}^{{commit}}")
    return out.stdout.decode().strip() or None if out.returncode == 0 else None


def reset_to_base(dest: str, base: str, branch: str | None) -> str:
    """The clone exactly at origin's `base`, on a local `base` branch, nothing else in the work tree,
    no local campaign `branch` (it is made again): the clone is the workspace's, never a person's."""
    for args, what in ((("checkout", "-q", "-f", "-B", base, f"refs/remotes/origin/{base}"), "git checkout"),
                       (("clean", "-q", "-ffdx"), "git clean")):
        if problem := _failed(in_folder(dest, *args), what):
            return problem
    if branch and folder_rev(dest, f"refs/heads/{branch}"):
        return _failed(in_folder(dest, "branch", "-q", "-D", branch), "git branch -D")
    return ""


def push(dest: str, tip: str, branch: str, expected: str | None) -> str:
    """Push `tip` as origin's `branch`, only if origin's branch is still at `expected` (None: must
    not exist): a commit someone else pushed to the branch is never overwritten."""
    lease = f"--force-with-lease=refs/heads/{branch}:{expected or ''}"
    return _failed(in_folder(dest, "push", "-q", "--no-verify", lease, "origin", f"{tip}:refs/heads/{branch}"),
                   "git push")
