"""Reading pack and catalogue files: the YAML parse, its lines for messages, the cached plain
data and the schema check."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from themis_lint.packs.model import PackError


PACK_LIMIT = 32 << 20  # bytes; the bundled packs are a few kilobytes


def read(path: Path) -> bytes:
    """A pack's bytes: a FIFO or device (even behind an explicitly named symlink) is an error, not a hang."""
    from themis_lint.safe_io import read_regular

    try:
        return read_regular(str(path), limit=PACK_LIMIT, follow=True)
    except OSError as exc:
        raise PackError(f"{path}:1: cannot read: {exc.strerror or exc}") from exc


def yaml_load(path: Path, raw: bytes | None = None) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="rt", pure=True)  # round trip: line numbers for errors, no python tags
    try:
        return yaml.load((read(path) if raw is None else raw).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PackError(f"{path}:1: cannot read: {exc}") from exc
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise PackError(f"{path}:{line}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc


def line_of(node: Any, key: Any = None) -> int:
    lc = getattr(node, "lc", None)
    if lc is None:
        return 1
    try:
        if key is not None:
            return (lc.key(key)[0] if isinstance(node, dict) else lc.item(key)[0]) + 1
    except (KeyError, IndexError, TypeError):
        pass
    return lc.line + 1


def path_line(doc: Any, path: tuple) -> int:
    """The line of what `path` (keys and indexes) names in a round-trip document."""
    node, line = doc, 1
    for i, step in enumerate(path):
        line = line_of(node, step)
        if i == len(path) - 1:
            break
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
    return line


def pack_schema_digest() -> str:
    import hashlib

    from themis_lint import schemas

    return hashlib.sha256(schemas.render(schemas.pack_schema()).encode()).hexdigest()[:16]


class Lines:
    """The lines of a document's keys and items, two levels deep (`changes/3`, `rules/ACME001`):
    kept with the cached data, so messages name the line without a second parse."""

    def __init__(self, table: dict[str, int]):
        self.table = table

    @classmethod
    def of(cls, tree: Any) -> Lines:
        table: dict[str, int] = {}
        for key in _keys(tree):
            table[str(key)] = line_of(tree, key)
            child = tree[key]
            for inner in _keys(child):
                table[f"{key}/{inner}"] = line_of(child, inner)
        return cls(table)

    def at(self, *path: Any) -> int:
        return self.table.get("/".join(str(p) for p in path), 1)


def _keys(node: Any) -> list:
    if isinstance(node, dict):
        return list(node)
    return list(range(len(node))) if isinstance(node, list) else []


def document(path: Path) -> tuple[Any, Lines]:
    """A pack's plain data and its lines, valid against the pack schema; else PackError `file:line: reason`."""
    return cached_data(path, pack_schema_digest(), check_schema)


def cached_data(path: Path, salt: str, check=None) -> tuple[Any, Lines]:
    """A YAML file's plain data and lines, `check`ed (tree, data) on the first read of its bytes.

    They are kept as JSON in the user cache under the bytes, the tool version and `salt` (the
    schema's digest), written only once the check passed: a file seen before costs neither
    ruamel's pure-Python parse nor the schema check (more than the rest of a one-file hook run).
    """
    import hashlib
    import json

    from themis_lint import __version__
    from themis_lint.userdirs import cache_folder

    from themis_lint.safe_io import read_regular

    raw = read(path)
    key = hashlib.sha256(f"{__version__}\0{salt}\0".encode() + raw).hexdigest()
    copy = os.path.join(cache_folder(), "packs", key + ".json")
    try:
        kept = json.loads(read_regular(copy, limit=4 * PACK_LIMIT))
        return kept["data"], Lines(kept["lines"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    tree = yaml_load(path, raw)
    data = plain(tree)
    if check is not None:
        check(path, tree, data)
    lines = Lines.of(tree)
    try:
        os.makedirs(os.path.dirname(copy), exist_ok=True)
        tmp = f"{copy}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump({"data": data, "lines": lines.table}, handle, default=str)
        os.replace(tmp, copy)
    except (OSError, TypeError, ValueError):
        pass
    return data, lines


def check_schema(path: Path, tree: Any, data: Any) -> None:
    """The first schema problem by line, as `file:line: reason`."""
    from themis_lint import schemas
    from themis_lint.schemas.validate import problems

    found = problems(data, schemas.pack_schema())
    if found:
        line, message = min((path_line(tree, p.path), p.message) for p in found)
        raise PackError(f"{path}:{line}: {message}")


def plain(node: Any) -> Any:
    """ruamel's commented containers to plain dicts/lists/scalars."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node

