"""What a repository's branch (or, without --commit, its work tree) holds against its base
(issue 15 defect 2: after an interrupted run and a rerun, the report said "0 files changed" for a
branch holding a 14-file commit, because it counted only what the last process wrote).

The files come from git; the fixes, rule by rule, are derived by running the same pipeline over
each file's base bytes with the repository's own config: whichever run wrote a file, the counts
are those of the change the branch holds. A file whose content is not what the pipeline makes of
its base (a person's commit on the branch, a config changed since) is listed as `foreign`.
"""
from __future__ import annotations

import os
from collections import Counter
from typing import TYPE_CHECKING

from themis_lint.migrate import git
from themis_lint.migrate.types import Holdings

if TYPE_CHECKING:
    from themis_lint.migrate.types import MigrateRequest, RepoRun

PATCH_LIMIT = 200_000  # characters of diff kept per repository in the report


def summarise(repo: RepoRun, projects, req: MigrateRequest) -> None:
    """Fill repo.holds: in a dry run what the files would become, in a git repository what its
    branch or work tree holds; a plain folder that was written keeps this run's counts only."""
    if repo.status not in ("done", "interrupted", "dry-run"):
        return
    known: dict[str, dict] = {}
    try:
        if not req.writes:
            pairs = _would_change(repo)
        elif repo.top is not None and repo.base is not None:
            pairs = _committed(repo) if repo.commit else _uncommitted(repo, known)
        else:
            return
    except OSError as exc:
        repo.errors.append(f"cannot compare with the base commit: {exc}")
        return
    repo.holds = derive(repo.root, pairs, projects, req, known)


def derive(root: str, pairs: list[tuple[str, bytes | None, bytes | None]], projects,
           req: MigrateRequest, known: dict[str, dict] | None = None) -> Holdings:
    """Holdings of (path relative to `root`, base bytes, current bytes) triples; current bytes
    None: what the pipeline makes of the base (a dry run); base bytes None: not comparable with a
    commit (`known` has what the resume record says was applied to it, if anything)."""
    known = known or {}
    holds = Holdings()
    hunks = []
    options = req.fix_options()
    for rel, before, after in sorted(pairs, key=lambda p: p[0]):
        if before == after:
            continue
        holds.files.append(rel)
        if before is None:
            _recorded(holds, rel, known.get(rel))
            continue
        ctx = projects.setup_for(os.path.join(root, rel)).ctx
        after = _derive_file(holds, os.path.join(root, rel), rel, before, after, ctx, options)
        if after == before:
            holds.files.pop()
            continue
        hunks.append((rel, _hunks(before, after, rel)))
    from themis_lint import diff

    holds.patch = diff.patch(hunks)
    if len(holds.patch) > PATCH_LIMIT:
        holds.patch = holds.patch[:PATCH_LIMIT] + "\n… (diff cut here; the branch holds the whole change)\n"
    return holds


def _recorded(holds: Holdings, rel: str, entry: dict | None) -> None:
    """A file whose bytes before migrate were not its blob in the base (git converts it: eol,
    filters; or it was not committed): its fixes are what the resume record lists, or, with no
    record of it, a change themis-lint cannot vouch for."""
    if entry is None:
        holds.foreign.append(rel)
        return
    for code, n in entry["fixes"].items():
        holds.fixes[code] = holds.fixes.get(code, 0) + n


def _derive_file(holds: Holdings, path: str, rel: str, before: bytes, after: bytes | None, ctx, options) -> bytes:
    """Add one file's fixes and unsafe fixes; return its current bytes."""
    from dataclasses import replace

    from themis_lint.model import Safety
    from themis_lint.pipeline import applicable, check_bytes

    fixed = check_bytes(before, path, ctx, replace(options, write=False))
    derived = fixed.fixed_bytes() or before
    if after is None:
        after = derived
    elif derived != after:
        holds.foreign.append(rel)
    for code, n in fixed.applied_codes.items():
        holds.fixes[code] = holds.fixes.get(code, 0) + n
    if options.fix is not Safety.UNSAFE:
        return after
    found = check_bytes(before, path, ctx, replace(options, fix=None, write=False)).findings
    left = Counter((f.code, f.message) for f in fixed.findings)
    for f in found:
        if not applicable(f, options.fix) or f.fix.safety is not Safety.UNSAFE:
            continue
        if left[f.code, f.message]:
            left[f.code, f.message] -= 1  # still there after the fixes: not applied
            continue
        holds.unsafe.append({"file": rel, "line": f.row, "column": f.column, "code": f.code,
                             "message": f.message.replace(path, rel)})
    return after


def _hunks(before: bytes, after: bytes, rel: str) -> str:
    from themis_lint import diff

    return diff.hunks(_text(before, rel), _text(after, rel))


def _text(data: bytes, rel: str) -> str:
    from themis_lint.writer import DecodeError, decode

    try:
        return decode(data, rel).text
    except DecodeError:
        return data.decode("utf-8", "replace")


def _scope(repo: RepoRun) -> str:
    return repo.scope + "/" if repo.scope else ""


def _committed(repo: RepoRun) -> list[tuple[str, bytes | None, bytes]]:
    """The branch's commit against the base: every file that differs below PATH."""
    scope = _scope(repo)
    pairs = []
    try:
        changed = git.paths_changed(repo.git, repo.base, repo.commit)
    except git.GitError as exc:
        raise OSError(str(exc)) from exc
    for path in changed:
        if path.startswith(scope):
            after = git.blob_at(repo.git, repo.commit, path)
            pairs.append((path[len(scope):], git.blob_at(repo.git, repo.base, path), after or b""))
    return pairs


def _would_change(repo: RepoRun) -> list[tuple[str, bytes | None, None]]:
    """A dry run: the files it would change, as they are on disk."""
    from themis_lint.safe_io import read_regular

    pairs = []
    for rel in repo.changed:
        try:
            pairs.append((rel, read_regular(os.path.join(repo.root, rel)), None))
        except OSError:
            continue
    return pairs


def _uncommitted(repo: RepoRun, known: dict[str, dict]) -> list[tuple[str, bytes | None, bytes]]:
    """Without --commit: the files migrate runs wrote (this one and resumed ones, as the resume
    record lists them) that still hold exactly what they wrote, against HEAD. A file whose bytes
    before the first write were not its HEAD blob has no base to derive from: `known` gets its
    record entry."""
    import hashlib

    from themis_lint.migrate import record
    from themis_lint.safe_io import read_regular

    scope = _scope(repo)
    try:
        ours = {p: e for p, e in record.load(repo.git.git_dir).items() if p.startswith(scope)}
    except record.RecordError as exc:
        raise OSError(str(exc)) from exc
    pairs = []
    for path, entry in sorted(ours.items()):
        try:
            after = read_regular(os.path.join(repo.git.top, path))
        except OSError:
            continue
        if hashlib.sha256(after).hexdigest() != entry["sha256"]:
            continue  # someone changed it since: no longer migrate's
        before = git.blob_at(repo.git, repo.base, path)
        rel = path[len(scope):]
        if before is None or git.blob_id(before, repo.git.object_format) != entry.get("blob_before"):
            before, known[rel] = None, entry
        pairs.append((rel, before, after))
    return pairs
