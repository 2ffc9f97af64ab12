"""Reading and atomically writing files: encoding, BOM and line endings kept.

`write_fixed` is the one writer: `check --fix` (through runner.process_file) and `migrate`
write through it and nothing else writes a checked file.
"""
from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
import tempfile
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


def write_atomic(path: str, data: bytes, expected: bytes | None = None) -> None:
    """Replace `path` with `data` via a temp file in the same folder, fsync and rename.

    With `expected`, the file must still hold exactly those bytes right before the rename
    (another process may have changed it since we read it); else ChangedOnDisk. A symlink is
    never written through.
    """
    if os.path.islink(path):
        raise ChangedOnDisk("is a symlink now")
    folder = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(prefix=".themis-lint-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if expected is not None:
            with open(path, "rb") as current:
                if current.read() != expected:
                    raise ChangedOnDisk("changed on disk while it was being fixed")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class WriteRefused(Exception):
    """A fixed file was not written; the message is the reason, one line."""


class TooLarge(Exception):
    """A file over the size limit: skipped, not read."""


def read_file(path: str, limit: int) -> bytes:
    """The file's bytes; TooLarge over `limit` bytes (OSError as it comes)."""
    size = os.path.getsize(path)
    if size > limit:
        raise TooLarge(f"skipped: {size} bytes is over the {limit}-byte limit (--max-file-size)")
    with open(path, "rb") as handle:
        return handle.read()


def before_write(path: str) -> None:
    """Called between reading a file and replacing it; tests monkeypatch it to edit the file mid-run."""


def write_fixed(path: str, original: bytes, new: bytes) -> str:
    """Replace `path`, which must still hold `original`, with `new`; the sha256 of what was written."""
    before_write(path)
    try:
        write_atomic(path, new, expected=original)
    except ChangedOnDisk as exc:
        raise WriteRefused(str(exc)) from exc
    except OSError as exc:
        raise WriteRefused(exc.strerror or str(exc)) from exc
    return hashlib.sha256(new).hexdigest()
