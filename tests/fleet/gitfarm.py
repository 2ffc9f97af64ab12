"""Real git repositories for the fleet tests: working clones, bare remotes reached by `file://`,
and the texts every test migrates (only the server-config and command-line surfaces, as
tests/test_migrate.py does, so analyzers written in parallel cannot change the outcomes)."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.migrate.repos import BROKEN, CONF, IDENTITY, SH, SH_FIXED, make_repo, write_files  # noqa: F401  (re-exported)

CLEAN_SH = SH_FIXED  # a script already on 1.4


def git(repo, *args: str, check: bool = True) -> str:
    out = subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=repo, capture_output=True, text=True,
                         env={**os.environ, **IDENTITY}, check=check)
    return out.stdout


def make_remote(bare: Path, files: dict[str, str], branch: str = "main") -> str:
    """A bare repository whose `branch` holds `files`; its file:// URL."""
    work = bare.parent / (bare.name + ".src")
    make_repo(work, files)
    if branch != "main":
        git(work, "branch", "-m", branch)
    bare.parent.mkdir(parents=True, exist_ok=True)
    git(bare.parent, "clone", "-q", "--bare", str(work), str(bare))
    return bare.resolve().as_uri()


def advance(url: str, files: dict[str, str], branch: str = "main") -> None:
    """Push a new commit to the remote's `branch` (someone else working on the base)."""
    bare = Path(url.removeprefix("file://"))
    work = bare.parent / (bare.name + ".src")
    git(work, "checkout", "-q", branch)
    write_files(work, files)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "more work")
    git(work, "push", "-q", str(bare), f"{branch}:{branch}")


def remote_file(url: str, ref: str, path: str) -> str | None:
    bare = url.removeprefix("file://")
    out = subprocess.run(["git", "--git-dir", bare, "show", f"{ref}:{path}"], capture_output=True, text=True,
                         check=False)
    return out.stdout if out.returncode == 0 else None


def remote_branches(url: str) -> list[str]:
    bare = url.removeprefix("file://")
    out = git(bare, "for-each-ref", "--format=%(refname:short)", "refs/heads")
    return sorted(out.split())


def load(path) -> dict:
    return json.loads(Path(path).read_text())


def by_path(report: dict) -> dict[str, dict]:
    return {r["path"]: r for r in report["repositories"]}
