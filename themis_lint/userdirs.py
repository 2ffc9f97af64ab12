"""Where themis-lint keeps what it caches: outside any checked tree, in a folder only the user can use.

What is in the cache decides findings and fixes (a result entry can hide findings; a pack copy
supplies the URLs and keys fixes write), so the folder is trusted only when nobody else could
have put anything there: a real folder (not a symlink), owned by the user running the tool,
that no one else may write to. A folder of ours that others may merely read or enter (0755: how
older versions and many tools create ~/.cache entries) is closed to 0700 and used: only we could
have written in it. Anything else is refused and the run goes on without the cache.
"""
from __future__ import annotations

import errno
import os
import secrets
import stat

CACHE_ENV = "THEMIS_LINT_CACHE_DIR"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class UntrustedFolder(Exception):
    """The cache folder cannot be trusted; the message says why and what to do, one line."""


def cache_folder() -> str:
    """Outside the scanned tree, so a check never changes a repository (the acceptance run checks
    that a second run leaves every byte alone): $THEMIS_LINT_CACHE_DIR, else the XDG cache folder."""
    if os.environ.get(CACHE_ENV):
        return os.environ[CACHE_ENV]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "themis-lint")


def open_private_folder(path: str) -> int:
    """A descriptor of the folder `path`, created with mode 0700 when missing; UntrustedFolder
    unless it is a real folder owned by this user that nobody else can enter."""
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise UntrustedFolder(f"cache folder {path}: cannot create it: {exc.strerror or exc}") from exc
    try:
        fd = os.open(path, _DIR_FLAGS)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise UntrustedFolder(f"cache folder {path} is a symlink or not a folder") from exc
        raise UntrustedFolder(f"cache folder {path}: cannot open it: {exc.strerror or exc}") from exc
    problem = _not_private(os.fstat(fd))
    if problem is None and stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
        try:  # ours, and nobody else could write in it: close it and use it
            os.fchmod(fd, 0o700)
        except OSError as exc:
            os.close(fd)
            raise UntrustedFolder(f"cache folder {path}: cannot make it private: {exc.strerror or exc}") from exc
    if problem:
        os.close(fd)
        raise UntrustedFolder(f"cache folder {path} {problem}")
    return fd


def _not_private(st: os.stat_result) -> str | None:
    euid = os.geteuid()
    if st.st_uid != euid:
        return f"is owned by uid {st.st_uid}, not by this user (uid {euid}); use a folder of your own"
    if st.st_mode & 0o022:
        return (f"has mode {stat.S_IMODE(st.st_mode):04o}: others may have put entries in it; "
                "`chmod 700` it (or remove it) if only you can have written there")
    return None


def folder_path(fd: int, fallback: str) -> str:
    """A path that reaches the folder we opened and checked, even if `fallback` is swapped for
    something else afterwards (Linux's /proc/self/fd); `fallback` where there is no such path."""
    pinned = f"/proc/self/fd/{fd}"
    return pinned if os.path.isdir(pinned) else fallback


def read_private(folder: int, name: str, limit: int) -> bytes | None:
    """A file of ours in the private folder, or None when it is missing, not a regular file, not
    ours or writable by others (never followed through a symlink, never blocking)."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022 or st.st_size > limit:
            return None
        return os.read(fd, limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def write_private(folder: int, name: str, data: bytes) -> None:
    """Atomically write `name` in the private folder: a fresh temp file (O_EXCL|O_NOFOLLOW, so a
    planted symlink is never written through), mode 0600, renamed over the name."""
    tmp = f".{name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=folder)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
        tmp = None
    finally:
        os.close(fd)
        if tmp is not None:
            try:
                os.unlink(tmp, dir_fd=folder)
            except OSError:
                pass


def inside(folder: str, paths: list[str]) -> str | None:
    """The first of `paths` (checked folders) that holds `folder`, or None: a cache inside a
    checked tree could have come with it (a checkout can hold anything)."""
    real = os.path.realpath(folder)
    for path in paths:
        top = os.path.realpath(path)
        if os.path.isdir(top) and (real == top or real.startswith(top.rstrip(os.sep) + os.sep)):
            return path
    return None
