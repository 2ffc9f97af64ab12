"""One repository's git side of a migrate run: before the files (find the work tree, lock it, read its
resume record, refuse uncommitted changes, list what git does not ignore) and after them (fold
the record, commit). docs/migrate.md "Safety"; every git command goes through migrate.git.
"""
from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING

from themis_lint.migrate import git, record, worktree
from themis_lint.migrate.commit import commit_ours
from themis_lint.safe_io import read_regular

if TYPE_CHECKING:
    from themis_lint.migrate.types import MigrateRequest, RepoRun


def prepare(run: RepoRun, req: MigrateRequest) -> None:
    """Everything before files are touched; sets run.status to refused/failed when it must."""
    try:
        run.git = git.open_repository(run.root)
    except git.GitError as exc:
        run.status, run.reason = "failed", str(exc)
        return
    if run.git is None:
        if req.commit:
            run.status, run.reason = "refused", "not a git work tree: cannot --commit"
        return
    run.scope = "" if run.root == run.git.top else os.path.relpath(run.root, run.git.top).replace(os.sep, "/")
    try:
        ours = _hold(run, req)
        run.state = worktree.read_state(run.git, run.scope)
        _note_other_repositories(run)
        if req.writes and not req.allow_dirty:
            _refuse_uncommitted(run, ours)
        if run.status == "pending" and req.commit:
            _check_commit(run, req.branch)
    except (record.Locked, record.RecordError) as exc:
        run.status, run.reason = "refused", str(exc)
    except git.GitError as exc:
        run.status, run.reason = "failed", str(exc)


def _hold(run: RepoRun, req: MigrateRequest) -> dict[str, dict]:
    """Lock a repository migrate will write to and read its resume record."""
    if not req.writes:
        return {}
    run.lock = record.lock(run.git.git_dir)
    ours = record.load(run.git.git_dir)
    record.check_writable(run.git.git_dir)
    return ours


def _note_other_repositories(run: RepoRun) -> None:
    """Submodules and nested repositories are repositories of their own: never migrated from here."""
    state, prefix = run.state, run.scope + "/" if run.scope else ""
    for path in state.submodules():
        if worktree.in_scope(path, run.scope) and path != run.scope:
            run.notes.append(f"{path.removeprefix(prefix)}: skipped: a git submodule is a repository of its "
                             "own; migrate it as its own path")
    for path in state.nested_repositories():
        if worktree.in_scope(path, run.scope) and path != run.scope:
            run.notes.append(f"{path.removeprefix(prefix)}: skipped: a separate git repository; "
                             "migrate it as its own path")


def _refuse_uncommitted(run: RepoRun, ours: dict[str, dict]) -> None:
    def own(path: str) -> bool:
        # resuming an interrupted run: its files still hold exactly what it wrote
        entry = ours.get(path)
        return entry is not None and _sha256_of(os.path.join(run.git.top, path)) == entry["sha256"]

    dirty = worktree.changed_paths(run.git, run.state, run.scope, own)
    if dirty:
        more = f" and {len(dirty) - 5} more" if len(dirty) > 5 else ""
        run.status = "refused"
        run.reason = (f"uncommitted changes ({', '.join(dirty[:5])}{more}); commit or stash them, "
                      "or pass --allow-dirty")


def _sha256_of(path: str) -> str | None:
    try:
        return hashlib.sha256(read_regular(path)).hexdigest()
    except OSError:
        return None


def _check_commit(run: RepoRun, branch: str) -> None:
    if git.run(run.git, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").returncode == 0:
        run.status, run.reason = "refused", f"branch {branch} exists"
    elif any(git.run(run.git, "var", who).returncode for who in ("GIT_COMMITTER_IDENT", "GIT_AUTHOR_IDENT")):
        run.status, run.reason = "refused", "no git identity for --commit: set user.name and user.email"


def journal(run: RepoRun, rel: str, req: MigrateRequest) -> record.Journal | None:
    """Where a worker records writing `rel` (relative to PATH); None when nothing is recorded."""
    if run.git is None or not req.writes:
        return None
    journal = os.path.join(run.git.git_dir, record.JOURNAL)
    return record.Journal(journal, run.top_path(rel), run.git.object_format)


def finish(run: RepoRun, req: MigrateRequest, setup, commit: bool) -> None:
    """Fold what workers recorded into the resume record; commit it first when asked."""
    try:
        if run.git is None or run.lock is None or run.status not in ("done", "interrupted"):
            return
        ours = record.load(run.git.git_dir)
        if commit and req.commit and run.status == "done":
            commit_ours(run, ours, req.branch, setup)
        record.save(run.git.git_dir, ours)
    except (record.RecordError, git.GitError) as exc:
        run.errors.append(str(exc))
    finally:
        record.unlock(run.lock)
        run.lock = None


def listed(run: RepoRun) -> set[str] | None:
    """Files git does not ignore, relative to PATH; None outside git (discovery alone decides)."""
    if run.state is None:
        return None
    prefix = run.scope + "/" if run.scope else ""
    return {p.removeprefix(prefix) for p in run.state.listed() if worktree.in_scope(p, run.scope)}
