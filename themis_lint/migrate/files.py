"""Migrating one file: read, fix through the engine, write atomically (docs/migrate.md)."""
from __future__ import annotations

import errno
import hashlib
import os
import time

from themis_lint.migrate.types import FileOutcome


def before_write(path: str) -> None:
    """Called between reading a file and replacing it; tests monkeypatch it to edit the file mid-run."""


def migrate_file(path: str, rel: str, ctx, options, journal=None) -> FileOutcome:
    """Read, fix and atomically write one file; one changed since it was read is not written.

    With a `journal` (record.Journal) the write is recorded before the file is replaced, so a
    rerun after any crash knows the file as migrate's own (issue 18 item 9).
    """
    started = time.perf_counter()
    outcome = FileOutcome(rel)
    try:
        _migrate(path, rel, ctx, options, outcome, journal)
    except Exception as exc:  # noqa: BLE001  an analyzer bug costs one file, not the run and its report
        outcome.fixes, outcome.written, outcome.diff = {}, None, None
        outcome.errors.append(f"{rel}: internal error: {exc!r}")
    outcome.seconds = time.perf_counter() - started
    return outcome


def _migrate(path: str, rel: str, ctx, options, outcome: FileOutcome, journal) -> None:
    from themis_lint import surfaces
    from themis_lint.pipeline import SurfaceCrash, check_source
    from themis_lint.writer import DecodeError, decode, encode

    modules = surfaces.wanting(rel, ctx)
    if not modules:
        return
    data = _read(path, rel, options, outcome)
    if data is None:
        return
    modules = surfaces.prefiltered(rel, data, ctx, modules)
    if not modules:
        return
    try:
        decoded = decode(data, rel)
    except DecodeError as exc:
        if ctx.enabled("TH900"):
            outcome.remaining.append({"file": rel, "line": 1, "column": 1, "code": "TH900",
                                      "message": f"cannot read as text: {exc}", "fix": None})
        return
    try:
        result = check_source(decoded.text, rel, ctx, options, modules)
    except SurfaceCrash as exc:
        outcome.errors.append(f"{rel}: {exc}; file left unchanged")
        return
    outcome.errors += result.errors
    outcome.infos += result.infos
    outcome.remaining = [_remaining(f) for f in result.findings]
    if result.fixed is None:
        return
    if not options.write:
        outcome.diff, outcome.fixes = diff_hunks(decoded.text, result.fixed), dict(result.applied_codes)
        return
    _write(path, rel, data, encode(result.fixed, decoded), result, outcome, journal)


def _read(path: str, rel: str, options, outcome: FileOutcome) -> bytes | None:
    """The file's bytes; None (with a note or an error) when too big or unreadable. Never blocks
    on a FIFO swapped in since discovery, never follows a symlink, never reads past the limit."""
    from themis_lint.safe_io import NotRegularFile, read_regular

    try:
        size = os.path.getsize(path)
        if size <= options.max_file_size:
            return read_regular(path, limit=options.max_file_size)
    except NotRegularFile as exc:
        if exc.errno != errno.EFBIG:
            outcome.errors.append(f"{rel}: cannot read: {exc.strerror}")
            return None
        size = options.max_file_size + 1  # it grew while read
    except OSError as exc:
        outcome.errors.append(f"{rel}: cannot read: {exc.strerror or exc}")
        return None
    outcome.infos.append(f"{rel}: skipped: {size} bytes is over the {options.max_file_size}-byte limit")
    return None


def _write(path: str, rel: str, data: bytes, new: bytes, result, outcome: FileOutcome, journal) -> None:
    """Replace `data` with `new` unless the file changed since it was read."""
    from themis_lint.writer import ChangedOnDisk, write_atomic

    try:
        if journal is not None:
            journal.note(data, new, dict(result.applied_codes))
    except OSError as exc:
        outcome.remaining = []
        outcome.errors.append(f"{rel}: not written: cannot record it for a rerun: {exc.strerror or exc}")
        return
    before_write(path)  # a module global, looked up at call time: tests monkeypatch it
    try:
        write_atomic(path, new, expected=data)
    except (ChangedOnDisk, OSError) as exc:
        # the findings were for text that is not on disk: rerunning migrate looks again
        outcome.remaining = []
        outcome.errors.append(f"{rel}: not written: {getattr(exc, 'strerror', None) or exc}")
        return
    outcome.fixes, outcome.written = dict(result.applied_codes), hashlib.sha256(new).hexdigest()


def _remaining(f) -> dict:
    fix = None if f.fix is None else f.fix.safety.value
    return {"file": f.path, "line": f.row, "column": f.column, "code": f.code, "message": f.message, "fix": fix}


def _lines(text: str) -> list[str]:
    # only "\n" ends a line for git; str.splitlines would also split on \x0c, \u2028, ...
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def diff_hunks(old: str, new: str) -> str:
    """Unified-diff hunks (no file headers) that `git apply` accepts."""
    import difflib

    lines = list(difflib.unified_diff(_lines(old), _lines(new), n=3))[2:]
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
