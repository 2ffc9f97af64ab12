"""A result cache keyed by absolute path, stat, tool version, pack and options (like .ruff_cache).

One SQLite file: two runs sharing the folder are serialised by SQLite's own locking, and any
cache failure only turns the cache off for the run.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3

from themis_lint import __version__
from themis_lint.context import Context
from themis_lint.pipeline import FileResult, Options
from themis_lint.model import Edit, Finding, Fix, Safety
from themis_lint.userdirs import UntrustedFolder, folder_path, open_private_folder

DB_NAME = "results.sqlite3"


def run_key(ctx: Context, options: Options) -> str:
    """What, besides a file's bytes and name, decides its findings."""
    from themis_lint.packs import bundled_pack_paths, rules_dir

    parts = [__version__, repr(sorted(ctx.selected)), repr(ctx.pack.changes), repr(ctx.pack.server_commands),
             repr(ctx.pack.server_images), repr(ctx.config_files), repr(ctx.overlay_files),
             repr(ctx.query_functions), repr(ctx.known_keys), json.dumps(ctx.rule_options, sort_keys=True),
             repr(sorted(ctx.per_file_ignores.items())), repr(options.keep_compatible_with),
             repr(options.max_file_size)]  # a file over the limit is skipped, not reported
    for path in [rules_dir() / "catalogue.yaml", *bundled_pack_paths()]:
        parts.append(path.read_bytes().hex())
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


KEEP_RUNS = 16


class Cache:
    """Per-run results keyed by a file's absolute path and stat (size, mtime, inode, ctime; like
    ruff's cache, plus what a `touch -d` cannot forge): an unchanged file is neither read nor
    parsed again; a clean file is stored as such. When only the stat changed (a checkout or
    `touch` that kept the bytes), the content digest recorded with the entry lets the worker
    that reads the file reuse the result without parsing it.

    One SQLite file shared by all projects of a user, in a folder only the user can use
    (userdirs.open_private_folder: anything else is refused, since an entry decides findings);
    two runs at once are serialised by SQLite's locking, and any cache failure only turns the
    cache off for the run.
    """

    COLUMNS = ["run", "file", "size", "mtime", "ino", "ctime", "digest", "result"]

    def __init__(self, folder: str, run: str):
        self.run = run
        self.db: sqlite3.Connection | None = None
        self.known: dict[str, tuple[tuple[int, int, int, int], str, str | None]] = {}
        fd = None
        try:
            fd = open_private_folder(folder)
            self.db = sqlite3.connect(os.path.join(folder_path(fd, folder), DB_NAME), timeout=10)
            self.db.execute("PRAGMA journal_mode=WAL")
            columns = [row[1] for row in self.db.execute("PRAGMA table_info(results)")]
            if columns and columns != self.COLUMNS:
                self.db.execute("DROP TABLE results")  # an older layout: start afresh
            self.db.execute("CREATE TABLE IF NOT EXISTS results (run TEXT, file TEXT, size INTEGER, mtime INTEGER, "
                            "ino INTEGER, ctime INTEGER, digest TEXT, result TEXT, PRIMARY KEY (run, file))")
            self._forget_old_runs()
            rows = self.db.execute("SELECT file, size, mtime, ino, ctime, digest, result FROM results "
                                   "WHERE run = ?", (run,))
            self.known = {f: ((size, mtime, ino, ctime), digest, result)
                          for f, size, mtime, ino, ctime, digest, result in rows}
        except (OSError, sqlite3.Error, UntrustedFolder):
            if self.db is not None:
                self.db.close()
            self.db, self.known = None, {}
        finally:
            if fd is not None and self.db is None:
                os.close(fd)
        self._fd = fd if self.db is not None else None

    def _forget_old_runs(self) -> None:
        """Keep the results of the KEEP_RUNS most recently used option sets (tool versions, packs,
        selections): the folder is shared by every project of the user and must not grow forever."""
        import time

        with self.db:
            self.db.execute("CREATE TABLE IF NOT EXISTS runs (run TEXT PRIMARY KEY, used REAL)")
            self.db.execute("INSERT OR REPLACE INTO runs VALUES (?, ?)", (self.run, time.time()))
            stale = [r for (r,) in self.db.execute("SELECT run FROM runs ORDER BY used DESC LIMIT -1 OFFSET ?",
                                                   (KEEP_RUNS,))]
            for run in stale:
                self.db.execute("DELETE FROM results WHERE run = ?", (run,))
                self.db.execute("DELETE FROM runs WHERE run = ?", (run,))

    def lookup(self, key: str, stat: tuple[int, int, int, int], display: str) -> FileResult | None | bool:
        """False: unknown or changed; None: known clean; else the stored result (shown as `display`)."""
        entry = self.known.get(key)
        if entry is None or tuple(entry[0]) != tuple(stat):
            return False
        return self.stored(key, display)

    def digest(self, key: str) -> str | None:
        """The content digest recorded for a file (to recognise unchanged bytes under a new stat)."""
        entry = self.known.get(key)
        return entry[1] if entry is not None and entry[1] else None

    def stored(self, key: str, display: str) -> FileResult | None | bool:
        """The entry's result (None: clean; False: unusable), shown as `display`."""
        entry = self.known[key]
        if entry[2] is None:
            return None
        try:
            result = _load(entry[2])
        except (ValueError, KeyError, TypeError):
            return False  # corrupt: analyse again
        result.path = display
        for finding in result.findings:
            finding.path = display
        return result

    def put_many(self, items: list[tuple[str, tuple[int, int, int, int], str, FileResult | None]]) -> None:
        if self.db is None or not items:
            return
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                    [(self.run, key, *st, digest, None if r is None else _dump(r))
                                     for key, st, digest, r in items])
        except sqlite3.Error:
            self.db = None

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


# JSON, never pickle: a cache entry must never be able to run code (issue 9)
def _dump(result: FileResult) -> str:
    return json.dumps({"path": result.path, "infos": result.infos, "skipped": result.skipped,
                       "findings": [_finding_dict(f) for f in result.findings]})


def _finding_dict(f: Finding) -> dict:
    fix = None
    if f.fix is not None:
        fix = {"edits": [[e.start, e.end, e.content] for e in f.fix.edits], "safety": f.fix.safety.value,
               "message": f.fix.message}
    return {"code": f.code, "message": f.message, "start": f.start, "end": f.end, "fix": fix,
            "replacement_since": f.replacement_since, "path": f.path, "pos": [f.row, f.column, f.end_row,
                                                                             f.end_column],
            "matched": f.matched, "extra": f.extra}


def _load(blob: str) -> FileResult:
    data = json.loads(blob)
    findings = []
    for d in data["findings"]:
        fix = None
        if d["fix"] is not None:
            fix = Fix(tuple(Edit(int(a), int(b), str(c)) for a, b, c in d["fix"]["edits"]),
                      Safety(d["fix"]["safety"]), str(d["fix"]["message"]))
        extra = dict(d["extra"])
        if "edit_positions" in extra:
            extra["edit_positions"] = [(c, tuple(p), tuple(q)) for c, p, q in extra["edit_positions"]]
        row, col, end_row, end_col = (int(x) for x in d["pos"])
        findings.append(Finding(str(d["code"]), str(d["message"]), int(d["start"]), int(d["end"]), fix,
                                d["replacement_since"], str(d["path"]), row, col, end_row, end_col,
                                str(d["matched"]), extra))
    return FileResult(path=str(data["path"]), findings=findings, infos=list(data["infos"]), parsed=True,
                      skipped=data.get("skipped") is True)
