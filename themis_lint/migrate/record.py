"""The resume record and the lock of `themis-lint migrate`, in a repository's git dir (docs/migrate.md
"Interrupting and resuming", issue 18 items 6, 8, 9 and 16).

The record lists the files migrate wrote that nobody committed yet, each with the SHA-256 of the
bytes written: a rerun does not count them as uncommitted changes, and `--commit` commits them.
It is kept in two files:

- JOURNAL: one JSON line per file, appended and fsynced by whichever process writes the file,
  *before* the file's atomic rename. After any crash (`kill -9` included) every written file is
  recorded; a line for a rename that never happened names bytes the file does not hold, which
  recognises nothing.
- MARKER: the journal folded into one JSON document at the end of a run, replaced atomically.

Neither is ever followed through a symlink or read from a FIFO: a record that is not a regular
file, or does not parse, refuses its repository only. The LOCK file keeps two runs apart.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
import time
from dataclasses import dataclass

from themis_lint.migrate.git import blob_id
from themis_lint.safe_io import NotRegularFile, append, open_regular, read_regular, remove, replace

MARKER = "themis-lint-migrate.json"
JOURNAL = "themis-lint-migrate.journal"
LOCK = "themis-lint-migrate.lock"
LIMIT = 256 << 20  # a record of every file of a very large monorepo stays far below this


class RecordError(Exception):
    """The record cannot be trusted or written: one line naming the file and why."""


class Locked(Exception):
    """Another migrate run holds the repository; the message says who."""


@dataclass(frozen=True)
class Journal:
    """Where a worker records a file it is about to write (travels with the work item)."""

    path: str  # the journal file
    name: str  # the file's path from the work-tree top, as git names it
    object_format: str

    def note(self, before: bytes, after: bytes, fixes: dict[str, int]) -> None:
        """Record that the file will hold `after` (replacing `before`): before the rename."""
        entry = {"file": self.name, "sha256": _sha256(after), "before": _sha256(before),
                 "blob_before": blob_id(before, self.object_format), "fixes": fixes}
        append(self.path, json.dumps(entry, sort_keys=True).encode() + b"\n")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(path: str) -> bytes | None:
    """The file's bytes; None when absent; RecordError when it is not a plain readable file."""
    try:
        return read_regular(path, limit=LIMIT)
    except FileNotFoundError:
        return None
    except (NotRegularFile, OSError) as exc:
        raise RecordError(f"{path}: {exc.strerror or exc}") from exc


def load(git_dir: str) -> dict[str, dict]:
    """Files earlier runs wrote: top-relative path -> {sha256, fixes, blob_before}."""
    files: dict[str, dict] = {}
    marker = _read(os.path.join(git_dir, MARKER))
    if marker is not None:
        try:
            files = {str(k): _entry(v) for k, v in json.loads(marker)["files"].items()}
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise RecordError(f"{os.path.join(git_dir, MARKER)}: not a themis-lint resume record") from exc
    for line in (_read(os.path.join(git_dir, JOURNAL)) or b"").splitlines():
        try:
            item = json.loads(line)
            merge(files, str(item["file"]), _entry(item), str(item["before"]))
        except (ValueError, TypeError, KeyError, AttributeError):
            continue  # a torn last line (a crash mid-append) recognises nothing
    return files


def _entry(value: dict) -> dict:
    entry = {"sha256": str(value["sha256"]), "fixes": {str(c): int(n) for c, n in value["fixes"].items()}}
    if "blob_before" in value:
        entry["blob_before"] = str(value["blob_before"])
    return entry


def merge(files: dict[str, dict], path: str, entry: dict, before: str) -> None:
    """Add one write; a write over our own earlier output keeps both runs' fixes and the first
    run's original blob (what `--commit` compares with the index)."""
    earlier = files.get(path)
    if earlier is not None and earlier["sha256"] == before:
        fixes = dict(earlier["fixes"])
        for code, n in entry["fixes"].items():
            fixes[code] = fixes.get(code, 0) + n
        entry = {**entry, "fixes": fixes}
        if "blob_before" in earlier:
            entry["blob_before"] = earlier["blob_before"]
    files[path] = entry


def save(git_dir: str, files: dict[str, dict]) -> None:
    """Fold the journal into MARKER (atomically, never through a symlink), then drop the journal."""
    marker, journal = os.path.join(git_dir, MARKER), os.path.join(git_dir, JOURNAL)
    try:
        if files:
            replace(marker, json.dumps({"files": files}, indent=1, sort_keys=True).encode() + b"\n")
        else:
            remove(marker)
        remove(journal)
    except OSError as exc:
        raise RecordError(f"{marker}: cannot record the files written: {exc.strerror or exc}") from exc


def check_writable(git_dir: str) -> None:
    """RecordError unless the journal can be appended to: a symlink or FIFO there refuses the
    repository before anything is written, not file by file."""
    path = os.path.join(git_dir, JOURNAL)
    existed = os.path.lexists(path)
    try:
        os.close(open_regular(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT))
    except OSError as exc:
        raise RecordError(f"{path}: {exc.strerror or exc}") from exc
    if not existed:
        remove(path)  # a repository refused later must not keep an empty journal


def lock(git_dir: str) -> int:
    """Hold the repository for this run (released when the process ends); Locked if another has it."""
    path = os.path.join(git_dir, LOCK)
    try:
        fd = open_regular(path, os.O_RDWR | os.O_CREAT)
    except OSError as exc:
        raise RecordError(f"{path}: cannot lock the repository: {exc.strerror or exc}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip() or "another process"
        os.close(fd)
        raise Locked(f"another themis-lint migrate is running on it ({holder}); {path}") from None
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {started}\n".encode(), 0)
    return fd


def unlock(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)
