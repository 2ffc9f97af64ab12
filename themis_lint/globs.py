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
        self.spec = gitignore_spec(patterns)
        regexes = [p.regex.pattern for p in self.spec.patterns if p.include is not None]
        negated = any(p.include is False for p in self.spec.patterns)
        self.fast = None if negated else any_of(regexes)
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


def gitignore_spec(lines):
    """pathspec's GitIgnoreSpec on its pure-Python backend. pathspec 1.x otherwise picks hyperscan
    or re2 when installed (hyperscan is themis-lint's own prefilter, issue 17), and compiling one
    hyperscan database per pattern list took ~50 ms: 3.3 s for the 61 .gitignore files of the
    real-client benchmark corpus, more than the whole run."""
    import pathspec

    try:
        return pathspec.GitIgnoreSpec.from_lines(lines, backend="simple")
    except TypeError:  # pathspec before 1.0 has one backend and no such argument
        return pathspec.GitIgnoreSpec.from_lines(lines)


def any_of(regexes: list[str]) -> re.Pattern | None:
    """One regex matching where any of pathspec's pattern regexes matches, or None (none given, or
    they cannot be joined). pathspec names a group in every regex, and one alternation may hold a
    name only once; the group only marks directory matches, which a yes/no test does not need."""
    if not regexes:
        return None
    try:
        return re.compile("|".join(f"(?:{r.replace('(?P<ps_d>', '(')})" for r in regexes))
    except re.error:
        return None


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
