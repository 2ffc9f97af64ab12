"""Which files a run checks: .gitignore, excludes, explicit paths, no symlinks followed."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Union

from themis_lint.globs import compile_globs

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


def _gitignore(folder: str):
    path = os.path.join(folder, ".gitignore")
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _ignored(specs: list[tuple[str, object]], rel: str, is_dir: bool) -> bool:
    """`rel` is relative to the walk's root; each spec holds its folder's prefix from that root."""
    verdict = False
    for prefix, spec in specs:  # deeper .gitignore files decide last
        result = spec.check_file(rel[len(prefix):] + ("/" if is_dir else ""))
        if result.include is not None:
            verdict = result.include
    return verdict


def discover(paths: list[str], excludes: list[str] | ExcludesFor,
             respect_gitignore: bool = True) -> tuple[list[Target], list[str]]:
    """Files to check, sorted, and error lines for paths that do not exist.

    `excludes` is one pattern list for the whole walk (relative to each walked root), or a
    function giving each folder the patterns of the config that governs it (project.Projects).
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
            targets.setdefault(given, Target(given, display_path(given), True))
        elif os.path.isdir(given):
            shown = display_path(given)
            base = "" if shown == "." else shown.rstrip("/") + "/"
            for path, rel in _walk(given, excludes, respect_gitignore):
                targets.setdefault(path, Target(path, base + rel, False, given))
        else:
            errors.append(f"{given}: no such file or folder")
    return sorted(targets.values(), key=lambda t: t.display), errors


def _walk(root: str, excludes: ExcludesFor, respect_gitignore: bool):
    """(path, POSIX path relative to root) of regular files below root; symlinks, FIFOs and
    devices are never followed or read (scandir's file types: no stat call per file)."""
    stack = [(root, "", [])]
    while stack:
        folder, prefix, specs = stack.pop()
        if respect_gitignore and (spec := _gitignore(folder)) is not None:
            specs = specs + [(prefix, spec)]
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
