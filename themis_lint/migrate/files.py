"""Migrating one file: the same pipeline and writer as `check --fix` (runner.process_file, writer
.write_fixed), its result turned into what the migrate report needs (docs/migrate.md).

Two things differ from `check --fix`, for repositories nobody has read (SECURITY.md): the file is
read with safe_io (a FIFO swapped in since discovery cannot block the run, a file growing past
--max-file-size is not read past it), and in a git work tree the write is recorded in the
resume journal before the file is replaced (issue 18 item 9).

The engine sees the file by its absolute path: a repository's config globs (per-file-ignores,
config-files) are relative to that config's folder, which a repository-relative name is not
(issue 15). The report names it relative to the repository.
"""
from __future__ import annotations

import errno
import time
from dataclasses import replace

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
    """runner.process_file on safely read bytes; with a journal, the write is recorded first."""
    from themis_lint import surfaces
    from themis_lint.discovery import Target
    from themis_lint.pipeline import FileResult
    from themis_lint.runner import process_file

    modules = surfaces.wanting(path, ctx)
    if not modules:
        return FileResult(path=rel)
    data = _read(path, rel, options)
    if isinstance(data, FileResult):
        return data
    modules = surfaces.prefiltered(path, data, ctx, modules)
    target = Target(path, path, False)
    if journal is None or not options.write:
        return process_file(target, ctx, options, data=data, modules=modules)
    result = process_file(target, ctx, replace(options, write=False), data=data, modules=modules)
    if result.fixed is not None:
        result = _write_recorded(path, rel, data, result, ctx, options, modules, journal)
    return result


def _read(path: str, rel: str, options):
    """The file's bytes, or a FileResult saying why not: never blocks on a FIFO swapped in since
    discovery, never follows a symlink, never reads past the size limit."""
    import os

    from themis_lint.pipeline import FileResult
    from themis_lint.safe_io import NotRegularFile, read_regular

    limit = options.max_file_size
    try:
        size = os.path.getsize(path)
        if size <= limit:
            return read_regular(path, limit=limit)
    except NotRegularFile as exc:
        if exc.errno != errno.EFBIG:
            return FileResult(path=rel, errors=[f"{rel}: cannot read: {exc.strerror}"])
        size = limit + 1  # it grew while read
    except OSError as exc:
        return FileResult(path=rel, errors=[f"{rel}: cannot read: {exc.strerror or exc}"])
    note = f"{rel}: skipped: {size} bytes is over the {limit}-byte limit (--max-file-size)"
    return FileResult(path=rel, infos=[note])


def _write_recorded(path: str, rel: str, data: bytes, result, ctx, options, modules, journal):
    """Record the write in the journal, then hand it to the one writer; a refusal keeps the findings."""
    from themis_lint.writer import WriteRefused, write_fixed

    new = result.fixed_bytes()
    try:
        journal.note(data, new, dict(result.applied_codes))
    except OSError as exc:
        reason = f"cannot record it for a rerun: {exc.strerror or exc}"
        return _unwritten(data, path, rel, ctx, options, modules, reason)
    try:
        result.written = write_fixed(path, data, new)
    except WriteRefused as exc:
        return _unwritten(data, path, rel, ctx, options, modules, str(exc))
    return result


def _unwritten(data: bytes, path: str, rel: str, ctx, options, modules, reason: str):
    """The file as it stays on disk: its findings, each fixable one saying why it was not fixed
    (as runner.process_file reports a refused write)."""
    from themis_lint.pipeline import applicable, check_bytes

    result = check_bytes(data, path, ctx, replace(options, fix=None), modules)
    for f in result.findings:
        if applicable(f, options.fix):
            f.message += f" (not fixed: the file was not written: {reason})"
    result.errors.append(f"{rel}: not written: {reason}")
    return result


def _named(text: str, path: str, rel: str) -> str:
    return text.replace(path, rel)


def _remaining(f, path: str, rel: str) -> dict:
    fix = None if f.fix is None else f.fix.safety.value
    return {"file": rel, "line": f.row, "column": f.column, "code": f.code, "message": _named(f.message, path, rel),
            "fix": fix}
