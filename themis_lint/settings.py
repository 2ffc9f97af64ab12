"""Project configuration: `[tool.themis-lint]` in pyproject.toml or `.themis-lint.toml` (docs/cli.md)."""
from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field

from themis_lint.safe_io import read_regular
from themis_lint.schemas.config import KEYS as _DOCUMENTED

KEYS = set(_DOCUMENTED)  # the config schema's keys (themis_lint/schemas/config.py documents each)


CONFIG_LIMIT = 16 << 20  # bytes


class SettingsError(Exception):
    """An unreadable or invalid project configuration."""


@dataclass
class Settings:
    path: str | None = None
    values: dict = field(default_factory=dict)

    def get(self, key: str, default=None):
        return self.values.get(key, default)


def config_in(folder: str) -> str | None:
    """The config file of one folder: `.themis-lint.toml`, else a `pyproject.toml` with our table.

    A pyproject.toml that is not valid TOML is an error: it might hold our table, and skipping
    it would check the project with no config at all.
    """
    candidate = os.path.join(folder, ".themis-lint.toml")
    if os.path.isfile(candidate):
        return candidate
    candidate = os.path.join(folder, "pyproject.toml")
    if os.path.isfile(candidate) and "themis-lint" in _read_toml(candidate).get("tool", {}):
        return candidate
    return None


def is_repository_root(folder: str) -> bool:
    return os.path.exists(os.path.join(folder, ".git"))


def find_config(start: str) -> str | None:
    """The closest config at or above the folder `start`, up to the repository root (ruff's
    hierarchical discovery: a config above the repository does not govern it)."""
    folder = os.path.abspath(start)
    while True:
        found = config_in(folder)
        if found is not None:
            return found
        parent = os.path.dirname(folder)
        if parent == folder or is_repository_root(folder):
            return None
        folder = parent


def _read_toml(path: str) -> dict:
    try:
        # a FIFO, device or /proc/kmsg-like file (even behind a symlink) is an error, never a hang
        return tomllib.loads(read_regular(path, limit=CONFIG_LIMIT, follow=True).decode("utf-8"))
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{path}: not UTF-8: byte {exc.start}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}:{_toml_line(exc)}: invalid TOML: {exc}") from exc
    except RecursionError as exc:
        raise SettingsError(f"{path}: invalid TOML: nested too deeply") from exc


def _toml_line(exc: tomllib.TOMLDecodeError) -> int:
    """tomllib puts the position in its message: "... (at line 3, column 7)"."""
    import re

    match = re.search(r"at line (\d+)", str(exc))
    return int(match[1]) if match else 1


def load(path: str | None) -> Settings:
    """A config file's themis-lint settings, validated. `.themis-lint.toml` holds them at the top
    level or in a `[tool.themis-lint]` table (as pyproject.toml does), not both."""
    if path is None:
        return Settings()
    data = _read_toml(path)
    table = data.get("tool", {}).get("themis-lint", {}) if isinstance(data.get("tool"), dict) else {}
    if os.path.basename(path) == "pyproject.toml":
        data = table
    elif "tool" in data:
        rest = {k: v for k, v in data.items() if k != "tool"}
        if rest or set(data["tool"]) != {"themis-lint"}:
            raise SettingsError(f"{path}: put the settings either at the top level or in one "
                                "[tool.themis-lint] table, not both")
        data = table
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: [tool.themis-lint] must be a table")
    validate(data, path)
    return Settings(path, data)


def validate(data: dict, path: str) -> None:
    """The config schema (`themis-lint schema config`) decides; the first problem, one line,
    naming the file and the key (with a did-you-mean for an unknown one)."""
    from themis_lint import schemas
    from themis_lint.schemas.validate import problems

    if schemas.seen_valid("config", data):
        return
    found = problems(data, _schema(lambda: schemas.config_schema()["$defs"]["settings"]))
    if found:
        first = min(found, key=lambda p: [str(x) for x in p.path])
        line = _key_line(path, first.path[0]) if first.path and isinstance(first.path[0], str) else None
        raise SettingsError(f"{path}{f':{line}' if line else ''}: {_worded(first)}")
    schemas.remember_valid("config", data)


_SCHEMA: dict | None = None


def _schema(build) -> dict:
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = build()
    return _SCHEMA


def _key_line(path: str, key: str) -> int | None:
    """The line where a top-level settings key is set (`key = ...` or its `[...key]` table), read
    again only for the error message: tomllib keeps no positions."""
    import re

    try:
        text = read_regular(path, limit=CONFIG_LIMIT, follow=True).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    name = re.escape(key)
    pattern = re.compile(rf"""^\s*(?:["']?{name}["']?\s*=|\[(?:tool\.themis-lint\.)?["']?{name}["']?[\].])""")
    return next((n for n, line in enumerate(text.splitlines(), 1) if pattern.match(line)), None)


def _worded(problem) -> str:
    """The schema's verdict in this file's terms (a TOML table, not a YAML mapping)."""
    top = problem.path[0] if problem.path else None
    if top in ("from", "to") and len(problem.path) == 1:
        return f"`{top}` must be a version string such as \"1.3\""
    if top == "rules" and len(problem.path) <= 2 and "must be" in problem.message:
        return "`rules` holds one table per code, e.g. [tool.themis-lint.rules.TH401]"
    if top == "per-file-ignores" and "must be" in problem.message:
        return "`per-file-ignores` maps globs to lists of codes"
    return problem.message.replace("a mapping", "a table")
