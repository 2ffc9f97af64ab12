"""Migrating one file: the same pipeline and writer as `check --fix` (runner.process_file, writer
.write_fixed), its result turned into what the migrate report needs (docs/migrate.md).

The file is read as `check` reads it (writer.read_source: never blocking on a FIFO swapped in since
discovery, never following a symlink, never past --max-file-size), and in a git work tree the
write is recorded in the resume journal right before the file is replaced (issue 18 item 9).

The engine sees the file by its absolute path: a repository's config globs (per-file-ignores,
config-files) are relative to that config's folder, which a repository-relative name is not
(issue 15). The report names it relative to the repository.
"""
from __future__ import annotations

import time

from themis_lint.migrate.types import FileOutcome


def migrate_file(path: str, rel: str, ctx, options, journal=None) -> FileOutcome:
    """Fix one file (or, without writing, diff it); an analyzer bug costs this file, not the run."""
    from themis_lint import diff

    started = time.perf_counter()
    outcome = FileOutcome(rel)
    try:
        result = _process(path, rel, ctx, options, journal)
    except Exception as exc:  # noqa: BLE001  one file's bug must not take the run and its report down
        outcome.errors.append(f"{rel}: internal error: {exc!r}")
    else:
        outcome.errors = [_named(line, path, rel) for line in result.errors]
        outcome.infos = [_named(line, path, rel) for line in result.infos]
        outcome.remaining = [_remaining(f, path, rel) for f in result.findings]
        if result.fixed is not None:
            outcome.fixes = dict(result.applied_codes)
            if options.write:
                outcome.written = result.written
            else:
                outcome.diff = diff.hunks(result.original, result.fixed)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _process(path: str, rel: str, ctx, options, journal):
    """runner.process_file; with a journal, the write is recorded right before it happens."""
    from themis_lint.discovery import Target
    from themis_lint.runner import process_file

    record = None
    if journal is not None and options.write:
        def record(original: bytes, new: bytes, fixes: dict) -> None:
            journal.note(original, new, fixes)
    # the walk found `rel` below the repository: the writer opens those folders without following
    root = path[:len(path) - len(rel)] if path.endswith(rel) else None
    return process_file(Target(path, path, False, root or None), ctx, options, record=record)


def _named(text: str, path: str, rel: str) -> str:
    return text.replace(path, rel)


def _remaining(f, path: str, rel: str) -> dict:
    fix = None if f.fix is None else f.fix.safety.value
    return {"file": rel, "line": f.row, "column": f.column, "code": f.code, "message": _named(f.message, path, rel),
            "fix": fix}
