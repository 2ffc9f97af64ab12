"""Reading pack and catalogue files: the YAML parse, its lines for messages, the cached plain
data and the schema check."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from themis_lint.packs.model import PackError


PACK_LIMIT = 4 << 20  # bytes; the bundled packs are a few kilobytes, and ruamel needs ~100x a file's size


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

    from themis_lint.text import MAX_FLOW_DEPTH, flow_depth

    try:
        text = (read(path) if raw is None else raw).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackError(f"{path}:1: cannot read: {exc}") from exc
    if flow_depth(text) > MAX_FLOW_DEPTH:  # ruamel's scanner is quadratic there, its composer recursive
        raise PackError(f"{path}:1: invalid YAML: nested deeper than {MAX_FLOW_DEPTH} levels")
    yaml = YAML(typ="rt", pure=True)  # round trip: line numbers for errors, no python tags
    try:
        return yaml.load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise PackError(f"{path}:{line}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    except RecursionError as exc:
        raise PackError(f"{path}:1: invalid YAML: nested too deeply") from exc


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

    A copy decides the URLs and keys fixes write and skips the check, so it is used only from the
    private cache folder (userdirs: ours, mode 0700), only when it is a regular file of ours that
    nobody else may write, and only when it names the digest it was made under; anything else is
    parsed and checked again (issue 18 item 11).
    """
    import hashlib
    import json

    from themis_lint import __version__

    raw = read(path)
    key = hashlib.sha256(f"{__version__}\0{salt}\0".encode() + raw).hexdigest()
    folder = _private_cache()
    try:
        kept = _load_copy(folder, key)
        if kept is not None:
            return kept
        tree = yaml_load(path, raw)
        data = plain(tree, path)
        if check is not None:
            check(path, tree, data)
        lines = Lines.of(tree)
        if folder is not None:
            try:
                copy = {"source": key, "data": data, "lines": lines.table}
                write_private(folder, f"pack-{key}.json", json.dumps(copy, default=str).encode())
            except (OSError, TypeError, ValueError):
                pass
        return data, lines
    finally:
        if folder is not None:
            os.close(folder)


def _private_cache() -> int | None:
    from themis_lint.userdirs import UntrustedFolder, cache_folder, open_private_folder

    try:
        return open_private_folder(cache_folder())
    except UntrustedFolder:
        return None  # parsed every time; the result cache reports the folder


def _load_copy(folder: int | None, key: str) -> tuple[Any, Lines] | None:
    import json

    from themis_lint.userdirs import read_private

    blob = None if folder is None else read_private(folder, f"pack-{key}.json", 4 * PACK_LIMIT)
    try:
        kept = json.loads(blob) if blob is not None else None
        if isinstance(kept, dict) and kept.get("source") == key:
            return kept["data"], Lines(dict(kept["lines"]))
    except (ValueError, KeyError, TypeError, RecursionError):
        pass
    return None


def write_private(folder: int, name: str, data: bytes) -> None:
    from themis_lint import userdirs

    userdirs.write_private(folder, name, data)


def check_schema(path: Path, tree: Any, data: Any) -> None:
    """The first schema problem by line, as `file:line: reason`."""
    from themis_lint import schemas
    from themis_lint.schemas.validate import problems

    found = problems(data, schemas.pack_schema())
    if found:
        line, message = min((path_line(tree, p.path), p.message) for p in found)
        raise PackError(f"{path}:{line}: {message}")


MAX_PACK_VALUES = 100_000  # the bundled packs hold a few hundred; aliases count every time they expand
MAX_PACK_DEPTH = 64


def plain(node: Any, where: Any = "pack") -> Any:
    """ruamel's commented containers to plain dicts/lists/scalars, within a budget: YAML aliases
    expand here, and a few lines of them (an alias bomb) took 95 s and then all memory (issue 18
    item 24)."""
    budget = [MAX_PACK_VALUES]

    def convert(value: Any, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise PackError(f"{where}:1: more than {MAX_PACK_VALUES} values once YAML aliases are expanded")
        if depth > MAX_PACK_DEPTH:
            raise PackError(f"{where}:1: nested deeper than {MAX_PACK_DEPTH} levels")
        if isinstance(value, dict):
            return {str(k): convert(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v, depth + 1) for v in value]
        return str(value) if isinstance(value, str) else value

    return convert(node, 0)
