"""Migrating one file: the same pipeline and writer as `check --fix` (runner.process_file), its
result turned into what the migrate report needs (docs/migrate.md)."""
from __future__ import annotations

import time

from themis_lint.migrate.types import FileOutcome


def migrate_file(path: str, rel: str, ctx, options) -> FileOutcome:
    """Fix one file (or, without writing, diff it); an analyzer bug costs this file, not the run.

    The engine sees the file by its absolute path: a repository's config globs (per-file-ignores,
    config-files) are relative to that config's folder, which a repository-relative name is not.
    The report names it relative to the repository."""
    from themis_lint import diff
    from themis_lint.discovery import Target
    from themis_lint.runner import process_file

    started = time.perf_counter()
    outcome = FileOutcome(rel)
    try:
        result = process_file(Target(path, path, False), ctx, options)
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


def _named(text: str, path: str, rel: str) -> str:
    return text.replace(path, rel)


def _remaining(f, path: str, rel: str) -> dict:
    fix = None if f.fix is None else f.fix.safety.value
    return {"file": rel, "line": f.row, "column": f.column, "code": f.code, "message": _named(f.message, path, rel),
            "fix": fix}
