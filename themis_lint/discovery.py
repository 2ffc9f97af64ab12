"""Which files a run checks: .gitignore, excludes, explicit paths, no symlinks followed."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from fnmatch import fnmatchcase

DEFAULT_EXCLUDES = (".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", "site-packages",
                    "dist", "build", "vendor", "*.min.js", "*.bundle.js")


@dataclass(frozen=True)
class Target:
    path: str  # as opened
    display: str  # POSIX, relative to the current folder when below it
    explicit: bool


def display_path(path: str) -> str:
    rel = os.path.relpath(path)
    shown = path if rel.startswith("..") else rel
    return shown.replace(os.sep, "/")


def excluded(rel: str, name: str, patterns: list[str]) -> bool:
    """A glob without `/` matches any path component's name; with `/`, the relative path."""
    for pattern in patterns:
        if "/" in pattern.rstrip("/"):
            if fnmatchcase(rel, pattern.strip("/")) or fnmatchcase(rel, pattern.strip("/") + "/*"):
                return True
        elif fnmatchcase(name, pattern.rstrip("/")):
            return True
    return False


def _gitignore(folder: str):
    path = os.path.join(folder, ".gitignore")
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _ignored(specs: list[tuple[str, object]], path: str, is_dir: bool) -> bool:
    verdict = False
    for folder, spec in specs:  # deeper .gitignore files decide last
        rel = os.path.relpath(path, folder).replace(os.sep, "/") + ("/" if is_dir else "")
        result = spec.check_file(rel)
        if result.include is not None:
            verdict = result.include
    return verdict


def discover(paths: list[str], excludes: list[str], respect_gitignore: bool = True) -> tuple[list[Target], list[str]]:
    """Files to check, sorted, and error lines for paths that do not exist."""
    targets: dict[str, Target] = {}
    errors = []
    for given in paths:
        if os.path.islink(given) and not os.path.exists(given):
            errors.append(f"{given}: broken symlink")
        elif os.path.isfile(given):
            targets.setdefault(given, Target(given, display_path(given), True))
        elif os.path.isdir(given):
            for path in _walk(given, excludes, respect_gitignore):
                targets.setdefault(path, Target(path, display_path(path), False))
        else:
            errors.append(f"{given}: no such file or folder")
    return sorted(targets.values(), key=lambda t: t.display), errors


def _walk(root: str, excludes: list[str], respect_gitignore: bool):
    """Regular files below root; symlinks, FIFOs and devices are never followed or read."""
    stack = [(root, [])]
    while stack:
        folder, specs = stack.pop()
        if respect_gitignore and (spec := _gitignore(folder)) is not None:
            specs = specs + [(folder, spec)]
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
        except OSError:
            continue
        for entry in entries:
            rel = os.path.relpath(entry.path, root).replace(os.sep, "/")
            if excluded(rel, entry.name, excludes):
                continue
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode):
                if not (specs and _ignored(specs, entry.path, True)):
                    stack.append((entry.path, specs))
            elif stat.S_ISREG(mode) and not (specs and _ignored(specs, entry.path, False)):
                yield entry.path
