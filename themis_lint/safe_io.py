"""The tool's own files (project configs, packs, pack copies, baselines, the migrate resume record
and lock), read and written so that a FIFO, a device or a planted symlink costs one clear error,
never a hang or a write somewhere else (SECURITY.md, issue 18 items 6 and 8).

Every open is non-blocking (a FIFO with no writer would block `open` itself) and the opened
descriptor is checked with fstat, so what is read is what was checked.
"""
from __future__ import annotations

import errno
import os
import secrets
import stat

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISLNK, "a symlink"))


class NotRegularFile(OSError):
    """Refused before reading or writing: the path is not a regular file (or too big)."""


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def open_regular(path: str, flags: int, follow: bool = False, mode: int = 0o644) -> int:
    """A descriptor for `path` that is a regular file; a symlink is refused unless `follow`."""
    flags |= os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow and os.path.islink(path):
            raise NotRegularFile(errno.ELOOP, "is a symlink (not followed)", path) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(errno.EINVAL, f"is {_kind(info.st_mode)}, not a regular file", path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: str, limit: int | None = None, follow: bool = False) -> bytes:
    """The bytes of a regular file, at most `limit` of them (reading limit+1 to notice more)."""
    fd = open_regular(path, os.O_RDONLY, follow)
    try:
        chunks, size = [], 0
        while limit is None or size <= limit:
            try:
                chunk = os.read(fd, 1 << 20 if limit is None else min(1 << 20, limit + 1 - size))
            except BlockingIOError:
                # a "regular" file whose reads block, like /proc/kmsg
                raise NotRegularFile(errno.EAGAIN, "would block on read (not a plain file)", path) from None
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if limit is not None and size > limit:
        raise NotRegularFile(errno.EFBIG, f"is larger than {limit} bytes", path)
    return b"".join(chunks)


def append(path: str, data: bytes) -> None:
    """Append `data` in one write and fsync it: a journal line that survives `kill -9` whole.

    A symlink, a FIFO or a hard-linked file is refused: the write could land outside the tree.
    """
    fd = open_regular(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        if os.fstat(fd).st_nlink != 1:
            raise NotRegularFile(errno.EMLINK, "has other hard links (not written through)", path)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def replace(path: str, data: bytes) -> None:
    """Atomically replace `path` (never through a symlink: rename replaces the link itself): a
    reader, or a run killed half-way, sees the old file or the new one, never a part. The one
    way themis-lint writes a file of its own (reports, baselines, patches, records, state); the
    files it fixes go through writer.write_fixed."""
    tmp = f"{path}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(tmp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise


def write_document(path: str, data: bytes) -> None:
    """`replace`, creating the file's folder first (an output named on the command line)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    replace(path, data)


def remove(path: str) -> None:
    """Remove a file we own if it is there (a symlink is removed itself, never its target)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
