"""The one glob dialect: gitignore's (pathspec's GitIgnoreSpec), for `exclude`, `extend-exclude`,
`per-file-ignores`, `config-files`, `overlay-files`, the default excludes and `.gitignore` files.

A pattern without a slash (a trailing one aside) matches a name at any depth (`vendor`,
`*.min.js`, `legacy/`); one with a slash at its start or in the middle is anchored to the folder
of the config that declares it (`/legacy/`, `migrations/*.py`; write `**/migrations/*.py` for any
depth); a trailing slash matches folders only; `!` re-includes.
docs/configuration.md says the same for users.
"""
from __future__ import annotations

import os
import posixpath
import re
from functools import lru_cache


class Globs:
    """A compiled pattern list. Without `!` patterns every regex is tried at once."""

    def __init__(self, patterns: tuple[str, ...]):
        import pathspec

        self.spec = pathspec.GitIgnoreSpec.from_lines(patterns)
        # pathspec names a group in every regex; one alternation may hold a name only once
        regexes = [p.regex.pattern.replace("(?P<ps_d>", "(") for p in self.spec.patterns if p.include is not None]
        negated = any(p.include is False for p in self.spec.patterns)
        self.fast = None if negated or not regexes else re.compile("|".join(f"(?:{r})" for r in regexes))
        self.empty = not regexes

    def match(self, rel: str, is_dir: bool = False) -> bool:
        """Does `rel` (POSIX, relative to the patterns' folder, no `./`) match?"""
        if self.empty:
            return False
        # pathspec's regexes use `.`, which stops at a newline: a folder named `a\nb` hid every
        # file under it from `config-files` (never checked, silently). A NUL never is in a path.
        rel = rel.replace("\n", "\0") + ("/" if is_dir else "")
        if self.fast is not None:
            return self.fast.match(rel) is not None
        return self.spec.match_file(rel)


@lru_cache(maxsize=256)
def compile_globs(patterns: tuple[str, ...]) -> Globs:
    return Globs(patterns)


def matches(rel: str, patterns, is_dir: bool = False) -> bool:
    return compile_globs(tuple(patterns)).match(rel, is_dir)


def relative(path: str, root: str | None) -> str:
    """`path` (as given, relative to the current folder or absolute) from `root`, POSIX; a path
    outside `root` (or with no root) keeps only its name, which slash-free patterns still match."""
    if root is None:
        path = path.replace(os.sep, "/")
        while path.startswith("./"):
            path = path[2:]
        return path
    rel = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    return posixpath.basename(rel) if rel.startswith("../") or rel == ".." else rel
