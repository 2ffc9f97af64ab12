"""Project configuration: `[tool.themis-lint]` in pyproject.toml or `.themis-lint.toml` (CLI.md)."""
from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field

from themis_lint.safe_io import read_regular

KEYS = {"from", "to", "select", "ignore", "extend-select", "exclude", "extend-exclude", "per-file-ignores",
        "config-files", "overlay-files", "query-functions", "known-keys", "rules"}
LIST_KEYS = {"select", "ignore", "extend-select", "exclude", "extend-exclude", "config-files", "overlay-files",
             "query-functions", "known-keys"}


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
    for key, value in data.items():
        if key not in KEYS:
            hint = difflib.get_close_matches(key, KEYS, n=1)
            raise SettingsError(f"{path}: unknown key {key!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
        if key in LIST_KEYS and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise SettingsError(f"{path}: `{key}` must be a list of strings")
        if key in ("from", "to") and not isinstance(value, str):
            raise SettingsError(f"{path}: `{key}` must be a version string such as \"1.3\"")
    pfi = data.get("per-file-ignores", {})
    if not isinstance(pfi, dict) or not all(isinstance(v, list) for v in pfi.values()):
        raise SettingsError(f"{path}: `per-file-ignores` maps globs to lists of codes")
    rules = data.get("rules", {})
    if not isinstance(rules, dict) or not all(isinstance(v, dict) for v in rules.values()):
        raise SettingsError(f"{path}: `rules` holds one table per code, e.g. [tool.themis-lint.rules.TH401]")
