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


def quote(name: str) -> str:
    """A path as git writes it in a patch header: C-quoted when it holds quotes, backslashes or
    control characters."""
    if not re.search(r'["\\\x00-\x1f\x7f]', name):
        return name
    escaped = name.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
    return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\{ord(m[0]):03o}", escaped) + '"'


def file_patch(path: str, file_hunks: str) -> str:
    """One file's part of a git-style patch; `path` is relative to where it will be applied."""
    a, b = quote(f"a/{path}"), quote(f"b/{path}")
    return f"diff --git {a} {b}\n--- {a}\n+++ {b}\n{file_hunks}"


def patch(diffs: list[tuple[str, str]], prefix: str = "") -> str:
    """A patch of (path, hunks) pairs, sorted by path; `prefix` goes before each path."""
    return "".join(file_patch(prefix + path, file_hunks) for path, file_hunks in sorted(diffs))
