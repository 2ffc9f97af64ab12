"""Unified diffs that `git apply` and `patch` accept: the one diff producer (`check --diff`,
`migrate --dry-run` and `--diff-dir`).

Lines are git's: only "\\n" ends one (str.splitlines would also split at \\x0c, \\x1c-\\x1e,
\\x85, U+2028 and U+2029, and a patch cut there does not apply). A "\\r" stays part of its line.
"""
from __future__ import annotations

import difflib
import re


def lines(text: str) -> list[str]:
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def hunks(old: str, new: str) -> str:
    """The hunks (no file headers) turning `old` into `new`."""
    out = list(difflib.unified_diff(lines(old), lines(new), n=3))[2:]
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out)


_NEEDS_QUOTES = re.compile(r'["\\\x00-\x1f\x7f-\x9f\udc80-\udcff]')


def quote(name: str) -> str:
    """A path as git writes it in a patch header: C-quoted when it holds quotes, backslashes,
    control characters (C1 too: U+009B is a terminal's CSI) or bytes that are not UTF-8 (held
    as surrogates), each as octal bytes."""
    if not _NEEDS_QUOTES.search(name):
        return name
    escaped = name.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
    return '"' + re.sub(r"[\x00-\x1f\x7f-\x9f\udc80-\udcff]", _octal, escaped) + '"'


def _octal(match: re.Match) -> str:
    return "".join(f"\\{b:03o}" for b in match[0].encode("utf-8", "surrogateescape"))


def file_patch(path: str, file_hunks: str) -> str:
    """One file's part of a git-style patch; `path` is relative to where it will be applied."""
    a, b = quote(f"a/{path}"), quote(f"b/{path}")
    return f"diff --git {a} {b}\n--- {a}\n+++ {b}\n{file_hunks}"


def patch(diffs: list[tuple[str, str]], prefix: str = "") -> str:
    """A patch of (path, hunks) pairs, sorted by path; `prefix` goes before each path."""
    return "".join(file_patch(prefix + path, file_hunks) for path, file_hunks in sorted(diffs))
