"""Server config documents (YAML flat/nested/mixed, JSON) as entries with source spans."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from themis_lint.parse import json_spans
from themis_lint.model import AnalysisError
from themis_lint.text import LineIndex

_PLAIN_KEY = re.compile(r"[^:#\n]*?(?=:(\s|$))")


@dataclass(eq=False)
class Entry:
    full_key: str  # dotted from the document root
    key_text: str  # the key as written, unquoted
    key_start: int  # raw key token span (quotes included)
    key_end: int
    parent: "MapInfo" = field(repr=False)
    value: Any  # a python scalar, or MapInfo for a nested map
    value_start: int
    value_end: int
    line_start: int  # start of the key's line
    block_start: int  # comments directly above included
    block_end: int  # continuation lines and the line break included
    indent: int  # column of the key (0-based)
    member: Any = None  # JSON: the JMember

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, MapInfo)


@dataclass(eq=False)
class MapInfo:
    prefix: str  # dotted path of the map ('' for the root)
    entries: list[Entry] = field(default_factory=list)
    indent: int = 0  # column of its keys
    holder: Entry | None = field(default=None, repr=False)
    node: Any = field(default=None, repr=False)  # JSON: the JNode


@dataclass
class ConfigDoc:
    text: str
    kind: str  # yaml | json
    root: MapInfo
    index: LineIndex
    step: int = 2  # indentation unit
    entries: list[Entry] = field(default_factory=list)  # every entry, document order

    def find(self, full_key: str) -> Entry | None:
        for entry in self.entries:
            if entry.full_key == full_key:
                return entry
        return None

    def leaves(self) -> list[Entry]:
        return [e for e in self.entries if not e.is_map]

    def maps(self) -> list[MapInfo]:
        return [self.root] + [e.value for e in self.entries if e.is_map]


def join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


# ---- YAML -----------------------------------------------------------------

def parse_yaml(text: str) -> ConfigDoc | None:
    """A YAML config document, or None when its root is not a mapping."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    from themis_lint.parse import yaml_docs

    try:
        docs = yaml_docs.load_all(text)  # shared with the command-line surface
        if len(docs) > 1:  # one config document: let ruamel say why the rest is wrong
            YAML(typ="rt", pure=True).load(text)
        data = docs[0] if docs else None
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        offset = mark.index if mark is not None and mark.index <= len(text) else 0
        raise AnalysisError(_one_line(getattr(exc, "problem", None) or str(exc)), offset) from exc
    if not isinstance(data, CommentedMap):
        return None
    doc = ConfigDoc(text, "yaml", MapInfo(""), LineIndex(text))
    _walk_yaml(doc, data)
    doc.step = _indent_step(doc)
    return doc


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def _walk_yaml(doc: ConfigDoc, data: Any) -> None:
    from ruamel.yaml.comments import CommentedMap

    seen: set[int] = set()
    stack = [(data, doc.root)]
    while stack:
        node, info = stack.pop()
        if id(node) in seen:  # an alias: visited once, never expanded (alias bombs)
            continue
        seen.add(id(node))
        for key in node:
            line, col = node.lc.key(key)
            start = doc.index.offset(line + 1, col + 1)
            entry = _yaml_entry(doc, info, node, key, start, col)
            info.entries.append(entry)
            doc.entries.append(entry)
            value = node[key]
            if isinstance(value, CommentedMap) and len(value) and id(value) not in seen:
                child = MapInfo(entry.full_key, holder=entry)
                child.indent = value.lc.key(next(iter(value)))[1]
                entry.value = child
                stack.append((value, child))
    doc.entries.sort(key=lambda e: e.key_start)


def _yaml_entry(doc: ConfigDoc, info: MapInfo, node: Any, key: Any, start: int, col: int) -> Entry:
    text, index = doc.text, doc.index
    key_text = str(key)
    if start < len(text) and text[start] in "\"'":  # ("" would be `in` any string)
        close = text.find(text[start], start + 1)
        key_end = close + 1 if close != -1 else start + 1
    else:
        match = _PLAIN_KEY.match(text, start)
        key_end = match.end() if match else start + len(key_text)
    row = index.position(start)[0]
    line_start = index.line_start(row)
    vline, vcol = node.lc.value(key)
    value_start = index.offset(vline + 1, vcol + 1) if vline + 1 <= index.rows else len(text)
    value = node[key]
    block_end = _block_end(doc, row, col)
    value_end = index.line_end(index.position(block_end - 1)[0], keep_newline=False) if block_end else 0
    info.indent = col
    return Entry(join(info.prefix, key_text), key_text, start, key_end, info,
                 value if not hasattr(value, "items") else None, value_start, max(value_end, value_start),
                 line_start, _comments_above(doc, row, col), block_end, col)


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _line(doc: ConfigDoc, row: int) -> str:
    return doc.text[doc.index.line_start(row):doc.index.line_end(row, keep_newline=False)]


def _block_end(doc: ConfigDoc, row: int, col: int) -> int:
    """End of an entry: its line plus following lines indented deeper (blank lines inside kept)."""
    last, r = row, row + 1
    while r <= doc.index.rows:
        line = _line(doc, r)
        if line.strip():
            if _indent_of(line) <= col:
                break
            last = r
        r += 1
    return doc.index.line_end(last)


def _comments_above(doc: ConfigDoc, row: int, col: int) -> int:
    """Start of the comment lines directly above a key at the same indentation."""
    r = row
    while r > 1:
        line = _line(doc, r - 1)
        if not line.lstrip(" ").startswith("#") or _indent_of(line) != col:
            break
        r -= 1
    return doc.index.line_start(r)


def _indent_step(doc: ConfigDoc) -> int:
    for entry in doc.entries:
        if entry.is_map and entry.value.indent > entry.indent:
            return entry.value.indent - entry.indent
    return 2


# ---- JSON -----------------------------------------------------------------

def parse_json(text: str) -> ConfigDoc | None:
    """A JSON config document, or None when its root is not an object."""
    try:
        root = json_spans.parse(text)
    except json_spans.JSONSpanError as exc:
        raise AnalysisError(exc.reason, exc.offset) from exc
    if root.kind != "object":
        return None
    doc = ConfigDoc(text, "json", MapInfo("", node=root), LineIndex(text))
    stack = [(root, doc.root)]
    while stack:
        node, info = stack.pop()
        for member in node.members:
            entry = _json_entry(doc, info, member)
            info.entries.append(entry)
            doc.entries.append(entry)
            if member.value.kind == "object" and member.value.members:
                child = MapInfo(entry.full_key, holder=entry, node=member.value)
                child.indent = doc.index.position(member.value.members[0].key_start)[1] - 1
                entry.value = child
                stack.append((member.value, child))
    doc.entries.sort(key=lambda e: e.key_start)
    doc.step = _indent_step(doc)
    return doc


def _json_entry(doc: ConfigDoc, info: MapInfo, member: json_spans.JMember) -> Entry:
    row, col = doc.index.position(member.key_start)
    info.indent = col - 1
    value = member.value.value if member.value.kind not in ("object", "array") else None
    return Entry(join(info.prefix, member.key), member.key, member.key_start, member.key_end, info, value,
                 member.value.start, member.value.end, doc.index.line_start(row), member.key_start,
                 member.value.end, col - 1, member)
