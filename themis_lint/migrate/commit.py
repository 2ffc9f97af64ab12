"""`migrate --commit`: one commit of the files migrate wrote, on a new branch, made with plumbing
only (docs/migrate.md "--commit", SECURITY.md "Git and migrate").

No `git add`, `checkout` or `commit`: those run clean filters, hooks and signing programs named
by the repository's config (and `checkout -b` switches on config included `onbranch:`). Instead
the exact bytes migrate wrote are stored with `hash-object` (`--no-filters` for a file with a
`filter` attribute; git's builtin conversion for the others), the tree is HEAD's tree plus those
blobs (a temporary index: nothing a person staged slips in), the commit is made with
`commit-tree --no-gpg-sign`, the branch created with `update-ref` (only if it does not exist),
then the index entries of those files and HEAD are moved to it. The work tree is never touched.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from typing import TYPE_CHECKING

from themis_lint.migrate import git
from themis_lint.migrate.worktree import head_commit, in_scope, racy, read_index, without_filter
from themis_lint.safe_io import read_regular, remove

if TYPE_CHECKING:
    from themis_lint.migrate.types import RepoRun


class NotCommitted(Exception):
    """One file that cannot be committed as migrate wrote it; the message says why."""


def staged_entry(repo: git.Repository, index: dict, path: str, recorded: dict,
                 filtered: bool) -> tuple[str, bytes]:
    """(mode, bytes) to commit for a file migrate wrote; NotCommitted when git would store it otherwise."""
    data = read_regular(os.path.join(repo.top, path))
    if hashlib.sha256(data).hexdigest() != recorded["sha256"]:
        raise LookupError(path)  # no longer what migrate wrote: not ours to commit
    entry = index.get(path)
    if entry is None:  # a file git did not track (migrated with --allow-dirty)
        mode = os.stat(os.path.join(repo.top, path)).st_mode
        return ("100755" if mode & stat.S_IXUSR else "100644"), data
    if entry.stage:
        raise NotCommitted(f"{path}: not committed: git has it unmerged")
    if filtered and recorded.get("blob_before", entry.oid) != entry.oid:
        # its filter converts it: the bytes before the fix were not its blob, so the fixed bytes
        # stored as they are would not be either (a filter-less file is converted by git itself)
        raise NotCommitted(f"{path}: not committed: its git filter converts it, and migrate runs no "
                           "filter; commit it yourself")
    return entry.mode, data


def commit_files(repo: git.Repository, branch: str, files: dict[str, tuple[str, bytes]], message: str,
                 filtered: set[str]) -> str:
    """Commit `files` (path -> (mode, bytes)) on top of HEAD as the new `branch`; the commit id.

    A file with a `filter` attribute is stored as it is (--no-filters); any other as `git add`
    would store it, with git's builtin conversions (eol, ident, encoding): no program can run.
    """
    lines = b""
    for path, (mode, data) in sorted(files.items()):
        how = ["--no-filters"] if path in filtered else [f"--path={path}"]
        oid = git.output(repo, "hash-object", "-w", *how, "--stdin", input=data).decode().strip()
        lines += f"{mode} {oid}\t".encode() + os.fsencode(path) + b"\0"
    head = head_commit(repo)
    commit = _commit_tree(repo, head, lines, message)
    zero = "0" * len(commit)  # update-ref creates the branch only if it does not exist
    git.output(repo, "update-ref", "-m", "themis-lint migrate", f"refs/heads/{branch}", commit, zero)
    update_index(repo, lines)
    git.output(repo, "symbolic-ref", "-m", "themis-lint migrate", "HEAD", f"refs/heads/{branch}")
    return commit


def _commit_tree(repo: git.Repository, head: str | None, lines: bytes, message: str) -> str:
    """HEAD's tree with `lines` (update-index --index-info) applied, committed; nothing else staged."""
    folder = tempfile.mkdtemp(prefix="themis-lint-index-")
    index = os.path.join(folder, "index")
    try:
        if head is not None:
            git.output(repo, "read-tree", head, index=index)
        git.output(repo, "update-index", "-z", "--index-info", input=lines, index=index)
        tree = git.output(repo, "write-tree", index=index).decode().strip()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    parents = ["-p", head] if head is not None else []
    return git.output(repo, "commit-tree", "--no-gpg-sign", tree, *parents, "-F", "-",
                      input=message.encode("utf-8")).decode().strip()


def update_index(repo: git.Repository, lines: bytes) -> None:
    """Apply `lines` (update-index --index-info) to the repository's index without a filter running.

    Git writing an index re-reads every racily clean entry's file through its clean filter
    (read-cache.c ce_smudge_racily_clean_entry). So the index is copied with its mtime, the
    entries racy against it are re-added without stat data first (what that smudging would do:
    git re-checks them later), and the copy replaces the index under git's own index.lock.
    """
    real = os.path.join(repo.git_dir, "index")
    lock = _take_index_lock(real)
    copy = os.path.join(repo.git_dir, f"themis-lint-index-{os.getpid()}")
    try:
        smudge = b""
        if os.path.lexists(real):
            _copy_with_mtime(real, copy)
            stamp = os.stat(copy).st_mtime_ns
            smudge = b"".join(f"{e.mode} {e.oid} {e.stage}\t".encode() + os.fsencode(path) + b"\0"
                              for path, e in read_index(repo, index=copy).items()
                              if racy(e, stamp) and os.path.lexists(os.path.join(repo.top, path)))
        git.output(repo, "update-index", "-z", "--index-info", input=smudge + lines, index=copy)
        os.replace(copy, real)
    finally:
        remove(copy)
        os.close(lock)
        remove(real + ".lock")


def _take_index_lock(index: str) -> int:
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        return os.open(index + ".lock", flags, 0o644)
    except FileExistsError:
        raise git.GitError(f"{index}.lock exists: another git process is running in this repository"
                           ) from None
    except OSError as exc:
        raise git.GitError(f"{index}.lock: {exc.strerror or exc}") from exc


def _copy_with_mtime(source: str, target: str) -> None:
    info = os.stat(source)
    remove(target)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        view = memoryview(read_regular(source))
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))


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


def commit_ours(run: RepoRun, ours: dict[str, dict], branch: str, setup) -> None:
    """Commit what this run and interrupted earlier ones wrote below the repository's PATH;
    committed files leave `ours` (the resume record)."""
    repo = run.git
    index = read_index(repo)
    candidates = sorted(p for p in ours if in_scope(p, run.scope))
    filtered = set(candidates) - without_filter(repo, candidates)
    files: dict[str, tuple[str, bytes]] = {}
    for path in candidates:
        try:
            files[path] = staged_entry(repo, index, path, ours[path], path in filtered)
        except NotCommitted as exc:
            run.errors.append(str(exc))
        except (LookupError, OSError):
            continue  # gone, changed by someone, or never renamed into place: not what migrate wrote
    if not files:
        return
    fixes: dict[str, int] = {}
    for path in files:
        for code, n in ours[path]["fixes"].items():
            fixes[code] = fixes.get(code, 0) + n
    try:
        message = commit_message(fixes, len(run.remaining), setup)
        run.commit = commit_files(repo, branch, files, message, filtered)
    except git.GitError as exc:
        run.errors.append(str(exc))
        return
    run.branch = branch
    for path in files:
        del ours[path]
