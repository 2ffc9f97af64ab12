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


def find_config(start: str) -> str | None:
    """Walk up from `start` to the first .themis-lint.toml or pyproject.toml with our table."""
    folder = os.path.abspath(start)
    while True:
        candidate = os.path.join(folder, ".themis-lint.toml")
        if os.path.isfile(candidate):
            return candidate
        candidate = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(candidate) and _has_table(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _read_toml(path: str) -> dict:
    # a FIFO, device or /proc/kmsg-like file (even behind a symlink) is an error, never a hang
    return tomllib.loads(read_regular(path, limit=CONFIG_LIMIT, follow=True).decode("utf-8"))


def _has_table(path: str) -> bool:
    try:
        return "themis-lint" in _read_toml(path).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False


def load(path: str | None) -> Settings:
    if path is None:
        return Settings()
    try:
        data = _read_toml(path)
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{path}: not UTF-8: byte {exc.start}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: invalid TOML: {exc}") from exc
    if os.path.basename(path) == "pyproject.toml":
        data = data.get("tool", {}).get("themis-lint", {})
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
