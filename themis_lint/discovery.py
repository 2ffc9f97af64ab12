"""Which files a run checks: .gitignore, excludes, explicit paths, no symlinks followed."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Callable, Union

from themis_lint.globs import any_of, compile_globs, gitignore_spec

IGNORE_FILE_LIMIT = 4 << 20  # bytes
# vendored tool bundles are not client code: Yarn 2+ keeps its releases and plugins (multi-MB one-line
# bundles) in `.yarn/`, and Plug'n'Play writes `.pnp.cjs` / `.pnp.loader.mjs` (issue 12)
DEFAULT_EXCLUDES = (".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", "site-packages",
                    "dist", "build", "vendor", "*.min.js", "*.bundle.js", ".yarn", ".pnp.cjs", ".pnp.loader.mjs")


@dataclass(frozen=True)
class Target:
    """A file to check. Without a `root`, a target that is not `explicit` counts its `display`
    path as the part the walk found (migrate builds them from a repository root and a relative
    path): the writer never follows a symlink in that part."""

    path: str  # as opened
    display: str  # POSIX, relative to the current folder when below it
    explicit: bool
    root: str | None = None  # the folder the walk started from (None: named on the command line)


def display_path(path: str) -> str:
    rel = os.path.relpath(path)
    shown = path if rel.startswith("..") else rel
    return shown.replace(os.sep, "/")


# a folder's excludes: (the folder they are relative to, or None for the walk's root; patterns)
ExcludesFor = Callable[[str], tuple[Union[str, None], tuple[str, ...]]]


def excluded(rel: str, patterns, is_dir: bool = False) -> bool:
    """themis_lint.globs semantics: gitignore's."""
    return compile_globs(tuple(patterns)).match(rel, is_dir)


def _ignore_lines(path: str) -> list[str]:
    """The lines of a .gitignore-style file; none when there is no such file (a FIFO or a symlink
    planted there is no file: never read, never followed)."""
    from themis_lint.safe_io import read_regular

    try:
        return read_regular(path, limit=IGNORE_FILE_LIMIT).decode("utf-8", "replace").splitlines()
    except OSError:
        return []


def _gitignore(folder: str):
    """The ignore patterns a folder adds: a work tree's `.git/info/exclude` when the folder holds
    `.git` (first: its .gitignore's lines come later and win, as in git), then its .gitignore.
    `core.excludesFile` is git config, which `check` does not read; `migrate` asks git itself."""
    lines = []
    if os.path.isdir(os.path.join(folder, ".git")):
        lines = _ignore_lines(os.path.join(folder, ".git", "info", "exclude"))
    lines += _ignore_lines(os.path.join(folder, ".gitignore"))
    if not lines:
        return None
    return IgnoreFile(lines)


class IgnoreFile:
    """The patterns of one folder's ignore files, as pathspec's GitIgnoreSpec reads them.

    Most paths match no pattern at all, and one regex joining every pattern says so without
    pathspec's loop over each of them (a path no pattern matches gets no verdict from this file).
    Joining costs a compile as long as pathspec's own, so it waits until the file has decided
    JOIN_AFTER paths: a .gitignore deep in a tree is asked about a few files only.
    """

    JOIN_AFTER = 64

    def __init__(self, lines: list[str]):
        self.spec = gitignore_spec(lines)
        self._asked = 0
        self._any: re.Pattern | None = None

    def verdict(self, path: str) -> bool | None:
        """True: ignored, False: re-included (`!`), None: no pattern here matches `path`."""
        self._asked += 1
        if self._asked == self.JOIN_AFTER:
            self._any = any_of([p.regex.pattern for p in self.spec.patterns if p.include is not None])
        if self._any is not None and self._any.search(path) is None:
            return None
        return self.spec.check_file(path).include


def _ignored(specs: list[tuple[str, str, IgnoreFile]], rel: str, is_dir: bool) -> bool:
    """`rel` is relative to the walk's root; each spec holds its folder's prefix from that root
    (or, for a .gitignore above the root, the root's path from that folder as `lead`)."""
    verdict = False
    for prefix, lead, spec in specs:  # deeper .gitignore files decide last
        include = spec.verdict(lead + rel[len(prefix):] + ("/" if is_dir else ""))
        if include is not None:
            verdict = include
    return verdict


def repository_root(path: str) -> str | None:
    """The closest folder at or above `path` holding `.git` (a folder, a gitfile, even a link), or None."""
    folder = os.path.abspath(path)
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _specs_above(folder: str) -> list[tuple[str, str, object]]:
    """The .gitignore files between the repository root and `folder` (exclusive): git applies
    them to everything below, so checking `src` still honours the root's `src/generated/`."""
    top = repository_root(folder)
    folder = os.path.abspath(folder)
    specs = []
    current = top
    while top is not None and current != folder:
        if (spec := _gitignore(current)) is not None:
            lead = os.path.relpath(folder, current).replace(os.sep, "/") + "/"
            specs.append(("", lead, spec))
        current = os.path.join(current, os.path.relpath(folder, current).split(os.sep)[0])
    return specs


def discover(paths: list[str], excludes: list[str] | ExcludesFor, respect_gitignore: bool = True,
             force_exclude: bool = False, skipped: list[str] | None = None,
             found: Callable[[Target], None] | None = None) -> tuple[list[Target], list[str]]:
    """Files to check, sorted, and error lines for paths that do not exist.

    `excludes` is one pattern list for the whole walk (relative to each walked root), or a
    function giving each folder the patterns of the config that governs it (project.Projects).
    A file named explicitly is checked even when excluded, unless `force_exclude` (ruff's
    `--force-exclude`: pre-commit names every file, excluded or not); `skipped` collects why.
    `found` hears of each file as it is found (the runner's workers start, and may check it,
    while the walk goes on).
    """
    if not callable(excludes):
        fixed = (None, tuple(excludes))
        excludes = lambda folder: fixed  # noqa: E731
    targets: dict[str, Target] = {}
    errors = []
    for given in paths:
        if os.path.islink(given) and not os.path.exists(given):
            errors.append(f"{given}: broken symlink")
        elif os.path.isfile(given):
            why = excluded_by(given, excludes, respect_gitignore) if force_exclude else None
            if why is None:
                _add(targets, Target(given, display_path(given), True), found)
            elif skipped is not None:
                skipped.append(f"{display_path(given)}: skipped (--force-exclude): {why}")
        elif os.path.isdir(given):
            if force_exclude and (why := excluded_by(given, excludes, respect_gitignore)):
                if skipped is not None:
                    skipped.append(f"{display_path(given)}: skipped (--force-exclude): {why}")
                continue
            shown = display_path(given)
            base = "" if shown == "." else shown.rstrip("/") + "/"
            for path, rel in _walk(given, excludes, respect_gitignore):
                _add(targets, Target(path, base + rel, False, given), found)
        else:
            errors.append(f"{given}: no such file or folder")
    return sorted(targets.values(), key=lambda t: t.display), errors


def _add(targets: dict[str, Target], target: Target, found: Callable[[Target], None] | None) -> None:
    """The first Target of a path stays (a path given twice is checked once)."""
    if target.path not in targets:
        targets[target.path] = target
        if found is not None:
            found(target)


def excluded_by(path: str, excludes: ExcludesFor, respect_gitignore: bool = True) -> str | None:
    """Why a walk from the repository root (else the current folder, else the path's folder)
    would never reach `path`: the exclude pattern or .gitignore that skips it or a folder above."""
    target = os.path.abspath(path)
    top = repository_root(target)
    if top is None:
        # no repository: the walk a user would run from here, or from the closest folder that
        # holds both here and the file (`../vendor/db.py` from `app/` is under `vendor/`); never
        # from the file system root, whose folder names say nothing about this project
        try:
            common = os.path.commonpath([os.getcwd(), target])
        except ValueError:  # another drive (Windows): nothing in common
            common = os.path.dirname(target)
        top = common if os.path.dirname(common) != common else os.path.dirname(target)
    names = os.path.relpath(target, top).split(os.sep)
    if names == ["."]:
        return None
    folder, specs = top, []
    for i, name in enumerate(names):
        is_dir = i < len(names) - 1 or os.path.isdir(target)
        if respect_gitignore and (spec := _gitignore(folder)) is not None:
            specs.append((_from_base(folder, top), "", spec))
        base, patterns = excludes(folder)
        rel = _from_base(folder, top if base is None else base) + name
        slash = "/" if is_dir else ""
        if compile_globs(tuple(patterns)).match(rel, is_dir):
            return f"`{rel}{slash}` matches the exclude patterns"
        if specs and _ignored(specs, _from_base(folder, top) + name, is_dir):
            return f"`{_from_base(folder, top) + name}{slash}` is ignored by a .gitignore file"
        folder = os.path.join(folder, name)
    return None


def _walk(root: str, excludes: ExcludesFor, respect_gitignore: bool):
    """(path, POSIX path relative to root) of regular files below root; symlinks, FIFOs and
    devices are never followed or read (scandir's file types: no stat call per file)."""
    stack = [(root, "", _specs_above(root) if respect_gitignore else [])]
    while stack:
        folder, prefix, specs = stack.pop()
        if respect_gitignore and (spec := _gitignore(folder)) is not None:
            specs = specs + [(prefix, "", spec)]
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
        except OSError:
            continue
        base, patterns = excludes(os.path.abspath(folder))
        globs = compile_globs(patterns)
        from_base = prefix if base is None else _from_base(folder, base)
        for entry in entries:
            rel = prefix + entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                if globs.match(from_base + entry.name, is_dir):
                    continue
                if is_dir:
                    if not (specs and _ignored(specs, rel, True)):
                        stack.append((entry.path, rel + "/", specs))
                elif entry.is_file(follow_symlinks=False) and not (specs and _ignored(specs, rel, False)):
                    yield entry.path, rel
            except OSError:
                continue


def _from_base(folder: str, base: str) -> str:
    """The folder's POSIX path from `base`, ending in "/" ("" for base itself)."""
    rel = os.path.relpath(os.path.abspath(folder), base).replace(os.sep, "/")
    return "" if rel == "." else rel + "/"
