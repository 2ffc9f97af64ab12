"""Reading and atomically writing checked files: encoding, BOM, line endings, owner, mode and
extended attributes kept.

`write_fixed` is the one writer: `check --fix` (through runner.process_file) and `migrate`
write through it and nothing else writes a checked file. What it guarantees, and what is left,
is in SECURITY.md ("It never writes outside the tree, through a symlink, or half a file").
"""
from __future__ import annotations

import codecs
import errno
import hashlib
import io
import os
import re
import secrets
import stat
import tokenize
from dataclasses import dataclass


class DecodeError(Exception):
    """The bytes are not text we can edit safely."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    bom: bytes


_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=]", re.MULTILINE)


def decode(data: bytes, path: str) -> Decoded:
    """Decode file bytes: a BOM wins, then a PEP 263 cookie for Python, else strict UTF-8."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(_strict(data[len(bom):], encoding), encoding, bom)
    if b"\0" in data[:8192]:
        raise DecodeError("binary file (NUL bytes)")
    encoding = "utf-8"
    if path.endswith((".py", ".pyi")) and _CODING.search(data[:400]):
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as exc:
            raise DecodeError(str(exc)) from exc
    return Decoded(_strict(data, encoding), encoding, b"")


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"not valid {exc.encoding} at byte {exc.start}") from exc
    except LookupError as exc:
        raise DecodeError(f"unknown encoding {encoding!r}") from exc


def encode(text: str, decoded: Decoded) -> bytes:
    return decoded.bom + text.encode(decoded.encoding)


class ChangedOnDisk(Exception):
    """The file changed between our read and our write: not written."""


class NotFixable(Exception):
    """A file we could rewrite but must not (read-only, hard-linked, owner not keepable):
    reported with its findings, never written. The message is the reason."""


class WriteRefused(Exception):
    """A fixed file was not written; the message is the reason, one line. `deliberate` when the
    file's state forbids the write (NotFixable) rather than something going wrong."""

    def __init__(self, reason: str, deliberate: bool = False):
        super().__init__(reason)
        self.deliberate = deliberate


class TooLarge(Exception):
    """A file over the size limit: skipped, not analysed."""


# ---- reading -------------------------------------------------------------------------------------

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
# O_NONBLOCK: opening a FIFO or a device must never hang; we refuse them after fstat anyway
_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)
_CHUNK = 1 << 20


@dataclass
class ReadFile:
    """A checked file as read: its bytes, its fstat, and (when it may be written) a descriptor of
    the folder it was read from, so the write goes to that folder whatever its path means by then."""

    path: str
    data: bytes
    stat: os.stat_result
    folder: int | None = None

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    def close(self) -> None:
        if self.folder is not None:
            os.close(self.folder)
            self.folder = None


def open_folder(path: str, root: str | None) -> int:
    """A descriptor of the folder holding `path`.

    The folders between the walk's `root` and the file were found by discovery as real folders:
    they are opened one at a time with O_NOFOLLOW, so one swapped for a symlink since is refused
    rather than followed out of the tree. `root` and what is above it the user named (a symlink
    there is theirs to have). Without a root (a file named on the command line) the folder is
    opened as named.
    """
    parent = os.path.dirname(path) or "."
    if root is None:
        return os.open(parent, _DIR_FLAGS)
    below = os.path.relpath(parent, root)
    fd = os.open(root, _DIR_FLAGS)
    if below == ".":
        return fd
    for part in below.split(os.sep):
        try:
            nxt = os.open(part, _DIR_FLAGS | os.O_NOFOLLOW, dir_fd=fd)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise ChangedOnDisk(f"its folder {part!r} was replaced by a symlink or a file") from exc
            raise
        finally:
            os.close(fd)
        fd = nxt
    return fd


def read_source(path: str, limit: int, follow: bool, folder: int | None = None) -> ReadFile:
    """Open once, refuse what is not a regular file, read at most `limit` + 1 bytes from the open
    descriptor (never stat-then-read: a file growing meanwhile still stops at the limit).

    With `folder`, the file is opened relative to it. A symlink is followed only when `follow`
    (a file the user named); otherwise it is an OSError (ELOOP) like any unreadable file.
    """
    flags = _READ_FLAGS | (0 if follow else os.O_NOFOLLOW)
    fd = os.open(os.path.basename(path) if folder is not None else path, flags, dir_fd=folder)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if st.st_size > limit:
            raise TooLarge(f"skipped: {st.st_size} bytes is over the {limit}-byte limit (--max-file-size)")
        data = _read_bounded(fd, limit, st.st_size)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise TooLarge(f"skipped: it grew past the {limit}-byte limit while being read (--max-file-size)")
    return ReadFile(path, data, st)


def _read_bounded(fd: int, limit: int, hint: int, offset: int = 0) -> bytes:
    """At most `limit` + 1 bytes from `fd` at `offset`; `hint` (the fstat size) sizes the first read."""
    parts, total, want = [], 0, min(hint, limit) + 1
    while total <= limit:
        chunk = os.pread(fd, min(want, limit + 1 - total), offset + total)
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        want = _CHUNK
    return parts[0] if len(parts) == 1 else b"".join(parts)


def read_file(path: str, limit: int) -> bytes:
    """The file's bytes (a named file: symlinks followed); TooLarge over `limit`, OSError as it comes."""
    return read_source(path, limit, follow=True).data


# ---- why a file must not be rewritten -----------------------------------------------------------

def not_fixable(st: os.stat_result) -> str | None:
    """The reason a file is reported but never rewritten, or None."""
    if st.st_nlink > 1:
        # a rename would split it from its other names; writing in place could be torn by kill -9
        return f"hard-linked ({st.st_nlink} names)"
    if not _write_permitted(st):
        return "read-only"
    return None


def _write_permitted(st: os.stat_result) -> bool:
    """The file's own permission bits, as they apply to us, as the kernel would apply them to a
    write in place. A rename needs only the folder's permission, so without this `chmod 444`
    would not stop a user's fix. Root may write any file, as for the kernel (and the upgrade
    guide's acceptance run, as root, fixes read-only copies): root is refused only by what the
    kernel refuses it (an immutable file, a read-only file system)."""
    euid = os.geteuid()
    if euid == 0:
        return True
    if st.st_uid == euid:
        return bool(st.st_mode & stat.S_IWUSR)
    if st.st_gid == os.getegid() or st.st_gid in os.getgroups():
        return bool(st.st_mode & stat.S_IWGRP)
    return bool(st.st_mode & stat.S_IWOTH)


# ---- writing -------------------------------------------------------------------------------------

TEMP_PREFIX, TEMP_SUFFIX = ".themis-lint-", ".tmp"
# ours: 16 hex digits now, 8 of mkstemp's alphabet from versions before (a kill -9 may have left them)
TEMP_NAME = re.compile(r"\.themis-lint-(?:[0-9a-f]{16}|[a-z0-9_]{8})\.tmp\Z")
_RENAME_EXCHANGE = 2


def write_fixed(source: ReadFile, new: bytes) -> str:
    """Replace the checked file, which must still be what was read, with `new`; the sha256 of
    what was written. WriteRefused (one line) when it is not written."""
    before_write(source.path)
    folder = source.folder
    try:
        if folder is None:
            folder = open_folder(source.path, None)
        _replace(folder, source.name, new, source.data, (source.stat.st_dev, source.stat.st_ino))
    except NotFixable as exc:
        raise WriteRefused(str(exc), deliberate=True) from exc
    except ChangedOnDisk as exc:
        raise WriteRefused(str(exc)) from exc
    except OSError as exc:
        raise WriteRefused(exc.strerror or str(exc)) from exc
    finally:
        if folder is not None and folder != source.folder:
            os.close(folder)
    return hashlib.sha256(new).hexdigest()


def before_write(path: str) -> None:
    """Called between reading a file and replacing it; tests monkeypatch it to edit the file mid-run."""


def before_swap(name: str) -> None:
    """Called after the last check, right before the temp file takes the file's place (the window
    SECURITY.md describes); tests monkeypatch it to edit the file there or to pause a run."""


def after_swap(name: str) -> None:
    """Called once the new file is in place; tests make a run die here (a kill -9 after the rename)."""


def write_atomic(path: str, data: bytes, expected: bytes | None = None) -> None:
    """Replace the existing file `path` (a report, patch or marker the user named) with `data`, as
    write_fixed does; with `expected`, only while it still holds those bytes."""
    folder = os.open(os.path.dirname(os.path.abspath(path)), _DIR_FLAGS)
    try:
        _replace(folder, os.path.basename(path), data, expected, None, policy=False)
    finally:
        os.close(folder)


def _replace(folder: int, name: str, data: bytes, expected: bytes | None, identity: tuple | None,
             policy: bool = True) -> None:
    """The write itself, every step relative to the folder descriptor: check the file, write a
    temp file with its owner, xattrs and mode, check again, swap, check what was swapped out."""
    current = _open_current(folder, name)
    tmp = None
    try:
        before = _check_current(current, expected, identity, policy)
        tmp, tmp_fd = _create_temp(folder)
        try:
            _fill(tmp_fd, data, before, current)
            after = os.fstat(current)
            if not _same_state(before, after) or (expected is not None and _content(current, expected) != expected):
                raise ChangedOnDisk("changed on disk while it was being fixed")
            if _inode(folder, name) != (before.st_dev, before.st_ino):
                raise ChangedOnDisk("replaced on disk while it was being fixed")
            before_swap(name)
            _swap(folder, tmp, name, current, before, expected)
            tmp = None
            after_swap(name)
            os.fsync(folder)
        finally:
            os.close(tmp_fd)
    finally:
        os.close(current)
        if tmp is not None:
            _unlink_quietly(folder, tmp)


def _open_current(folder: int, name: str) -> int:
    try:
        return os.open(name, _READ_FLAGS | os.O_NOFOLLOW, dir_fd=folder)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ChangedOnDisk("is a symlink now") from exc
        if exc.errno == errno.ENOENT:
            raise ChangedOnDisk("was removed while it was being fixed") from exc
        raise


def _check_current(fd: int, expected: bytes | None, identity: tuple | None, policy: bool) -> os.stat_result:
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise ChangedOnDisk("is not a regular file now")
    if identity is not None and (st.st_dev, st.st_ino) != identity:
        raise ChangedOnDisk("was replaced while it was being fixed")
    reason = not_fixable(st) if policy else None
    if reason:
        raise NotFixable(reason)
    if expected is not None and _content(fd, expected) != expected:
        raise ChangedOnDisk("changed on disk while it was being fixed")
    return st


def _content(fd: int, expected: bytes) -> bytes:
    """The file's bytes, read only as far as telling them from `expected` needs."""
    return _read_bounded(fd, len(expected), len(expected))


def _same_state(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_size, a.st_mtime_ns, a.st_ctime_ns) == (b.st_size, b.st_mtime_ns, b.st_ctime_ns)


def _inode(folder: int, name: str) -> tuple[int, int] | None:
    try:
        st = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def _create_temp(folder: int) -> tuple[str, int]:
    """A new temp file of our own naming, never an existing name or a symlink (O_EXCL|O_NOFOLLOW),
    locked while we write it so a cleanup by another run can tell it is alive."""
    import fcntl

    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(16):
        name = f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}"
        try:
            fd = os.open(name, flags, 0o600, dir_fd=folder)
        except FileExistsError:
            continue
        fcntl.flock(fd, fcntl.LOCK_EX)
        return name, fd
    raise OSError(errno.EEXIST, "cannot create a temporary file")


def _fill(fd: int, data: bytes, original: os.stat_result, current: int) -> None:
    """Content, then owner, extended attributes (POSIX ACLs are some) and mode of the original;
    set-user/group-ID bits are never kept on a file we rewrote."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    mine = os.fstat(fd)
    if (mine.st_uid, mine.st_gid) != (original.st_uid, original.st_gid):
        try:
            os.fchown(fd, original.st_uid, original.st_gid)
        except PermissionError as exc:
            raise NotFixable(f"owned by uid {original.st_uid} gid {original.st_gid}, which this user cannot "
                             "give the rewritten file") from exc
    _copy_xattrs(current, fd)  # after fchown, which clears security.capability
    os.fchmod(fd, stat.S_IMODE(original.st_mode) & ~(stat.S_ISUID | stat.S_ISGID))
    os.fsync(fd)


def _copy_xattrs(src: int, dst: int) -> None:
    if not hasattr(os, "listxattr"):
        return  # the platform has none to keep
    try:
        names = os.listxattr(src)
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
            return
        raise
    for attr in names:
        try:
            os.setxattr(dst, attr, os.getxattr(src, attr))
        except OSError as exc:
            # dropping an ACL or a label silently would be a wrong answer: leave the file alone
            raise NotFixable(f"cannot keep its extended attribute {attr!r}: {exc.strerror or exc}") from exc


def _swap(folder: int, tmp: str, name: str, current: int, before: os.stat_result, expected: bytes | None) -> None:
    """Put the temp file in place. Where the kernel can exchange two names atomically we do, and
    look at what came out: if it is not the file we checked, or it changed after the last check,
    we exchange back and refuse. Otherwise a plain rename, after which an edit made to the old
    file meanwhile (through a descriptor opened before) is detected and written back."""
    if _exchange(folder, tmp, name):
        out = _inode(folder, tmp)
        if out not in (None, (before.st_dev, before.st_ino)) or _edited(current, before, expected):
            if out is not None:
                _exchange(folder, tmp, name)
            raise ChangedOnDisk("changed on disk while it was being written; left as the other writer made it")
        _unlink_quietly(folder, tmp)
        return
    os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
    if _edited(current, before, expected):
        _write_back(folder, name, current)
        raise ChangedOnDisk("changed on disk while it was being written; the other edit was kept")


def _edited(current: int, before: os.stat_result, expected: bytes | None) -> bool:
    """Was the file we checked written to after the check? (Its ctime moved with the rename itself.)"""
    now = os.fstat(current)
    if (now.st_size, now.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        return True
    return expected is not None and _content(current, expected) != expected


def _exchange(folder: int, a: str, b: str) -> bool:
    """renameat2(RENAME_EXCHANGE); False where the kernel, filesystem or platform cannot."""
    libc = _libc()
    if libc is None or not hasattr(libc, "renameat2"):
        return False
    import ctypes

    if libc.renameat2(folder, os.fsencode(a), folder, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err))


def _write_back(folder: int, name: str, old: int) -> None:
    """The other writer's bytes (now only in the unlinked old file) over our rewrite."""
    data = _read_bounded(old, 1 << 62, os.fstat(old).st_size)
    tmp, fd = _create_temp(folder)
    try:
        _fill(fd, data, os.fstat(old), old)
        os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        _unlink_quietly(folder, tmp)
        raise
    finally:
        os.close(fd)


_libc_handle: list = []


def _libc():
    if not _libc_handle:
        try:
            import ctypes

            _libc_handle.append(ctypes.CDLL(None, use_errno=True))
        except OSError:
            _libc_handle.append(None)
    return _libc_handle[0]


def _unlink_quietly(folder: int, name: str) -> None:
    try:
        os.unlink(name, dir_fd=folder)
    except FileNotFoundError:
        pass


# ---- temp files a killed run left behind ---------------------------------------------------------

def clean_stale_temps(folder: int, started: float) -> int:
    """Delete temp files of our own naming that a killed run left in this folder: only exact names,
    only regular files (never through a symlink), only older than `started` (this run's start)
    and not locked by a live writer. How many were removed."""
    import fcntl

    removed = 0
    with os.scandir(folder) as entries:
        names = [e.name for e in entries if TEMP_NAME.match(e.name)]
    for name in names:
        try:
            fd = os.open(name, _READ_FLAGS | os.O_NOFOLLOW, dir_fd=folder)
        except OSError:
            continue  # a symlink (ELOOP) or gone
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_mtime >= started:
                continue
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if _inode(folder, name) == (st.st_dev, st.st_ino):
                os.unlink(name, dir_fd=folder)
                removed += 1
        except OSError:
            continue  # locked: a live writer's
        finally:
            os.close(fd)
    return removed
