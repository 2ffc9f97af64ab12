"""Server config documents (YAML flat/nested/mixed, JSON) as entries with source spans."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from themis_lint.parse import json_spans
from themis_lint.model import AnalysisError
from themis_lint.text import LineIndex

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
    value_tag: str | None = None  # YAML: the scalar's resolved tag (`1` is an int, `'1'` a str)

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
    flow: bool = False  # YAML `{...}`: its keys' column says nothing of the file's indentation


@dataclass
class ConfigDoc:
    text: str
    kind: str  # yaml | json
    root: MapInfo
    index: LineIndex
    step: int = 2  # indentation unit
    entries: list[Entry] = field(default_factory=list)  # every entry, document order
    # keys a YAML merge key (`<<: *base`) brings into a map: found there, never edited there (the
    # text is the anchor's, shared by every map that merges it); spans are the `<<` key's
    merged: list[Entry] = field(default_factory=list)

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

def parse_yaml(text: str, docs: list | None = None) -> ConfigDoc | None:
    """A YAML config document, or None when its root is not a mapping; `docs`: the text's
    composed documents when the caller has them (parse/source shares them between surfaces)."""
    from themis_lint.parse import yaml_nodes

    if docs is None:
        docs = yaml_nodes.compose(text)
    if len(docs) > 1:
        raise AnalysisError("invalid YAML: expected a single document in the stream (a server config "
                            "holds one)", docs[1].start_mark.index)
    if not docs or not yaml_nodes.is_mapping(docs[0]):
        return None
    duplicate = yaml_nodes.duplicate_key(docs)
    if duplicate is not None:  # the server would refuse it; a fix must never make one
        raise AnalysisError(f"invalid YAML: found duplicate key {duplicate[0]!r}", duplicate[1])
    doc = ConfigDoc(text, "yaml", MapInfo(""), LineIndex(text))
    _walk_yaml(doc, docs[0])
    doc.step = _indent_step(doc)
    return doc


def _walk_yaml(doc: ConfigDoc, root: Any) -> None:
    from themis_lint.parse import yaml_nodes

    # an alias is the same node object again: it is walked once, never expanded (alias bombs),
    # and under the key where it is written out (its anchor), claimed when that key is met: a
    # later `other: *s` must not take `storage: &s` and leave `storage.journalSize` unseen
    claimed: set[int] = {id(root)}
    stack = [(root, doc.root)]
    while stack:
        node, info = stack.pop()
        children = []
        for key, value in node.value:
            if not yaml_nodes.is_scalar(key):
                continue  # a complex key (`? [a, b]`) is no config key
            if key.value == "<<" and yaml_nodes.style(key) is None:
                _merged_entries(doc, info, key, value)
                continue
            entry = _yaml_entry(doc, info, key, value)
            info.entries.append(entry)
            doc.entries.append(entry)
            if yaml_nodes.is_mapping(value) and value.value and id(value) not in claimed:
                claimed.add(id(value))
                child = MapInfo(entry.full_key, holder=entry, flow=bool(value.flow_style))
                child.indent = doc.index.position(value.value[0][0].start_mark.index)[1] - 1
                entry.value = child
                children.append((value, child))
        stack.extend(reversed(children))
    doc.entries.sort(key=lambda e: e.key_start)


def _merged_entries(doc: ConfigDoc, info: MapInfo, merge_key: Any, value: Any) -> None:
    """The keys `<<: *base` (or `<<: [*a, *b]`) brings into `info`, nested ones included, each
    once; located at the `<<` key, for findings without fixes (ConfigDoc.merged)."""
    from themis_lint.parse import yaml_nodes

    maps = [value] if yaml_nodes.is_mapping(value) else (
        [v for v in value.value if yaml_nodes.is_mapping(v)] if yaml_nodes.is_sequence(value) else [])
    start, end = merge_key.start_mark.index, merge_key.end_mark.index
    row, col = doc.index.position(start)
    line_start = doc.index.line_start(row)
    seen: set[int] = set()
    stack = [(m, info.prefix) for m in reversed(maps)]
    while stack:
        node, prefix = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for key, child in node.value:
            if not yaml_nodes.is_scalar(key) or key.value == "<<":
                continue
            scalar = yaml_nodes.is_scalar(child) and not yaml_nodes.is_null(child)
            entry = Entry(join(prefix, str(key.value)), str(key.value), start, end, info,
                          child.value if scalar else None, start, end, line_start, line_start,
                          doc.index.line_end(row), col - 1)
            entry.value_tag = child.tag if scalar else None
            doc.merged.append(entry)
            if yaml_nodes.is_mapping(child):
                stack.append((child, entry.full_key))


def _yaml_entry(doc: ConfigDoc, info: MapInfo, key: Any, value: Any) -> Entry:
    from themis_lint.parse import yaml_nodes

    text, index = doc.text, doc.index
    start, key_end = key.start_mark.index, key.end_mark.index
    row, col = index.position(start)
    col -= 1
    block_end = _block_end(doc, row, col)
    value_end = index.line_end(index.position(block_end - 1)[0], keep_newline=False) if block_end else 0
    value_start = value.start_mark.index
    info.indent = col
    scalar = yaml_nodes.is_scalar(value) and not yaml_nodes.is_null(value)
    # a scalar's text; a list stays a node (not empty, not a map); a map or null is None
    kept = value.value if scalar else value if yaml_nodes.is_sequence(value) else None
    entry = Entry(join(info.prefix, str(key.value)), str(key.value), start, key_end, info,
                  kept, value_start, max(value_end, value_start),
                  index.line_start(row), _comments_above(doc, row, col), block_end, col)
    entry.value_tag = value.tag if scalar else None
    return entry


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
    """The file's indentation unit: the first block map's offset from its key (2 when none)."""
    for entry in doc.entries:
        if entry.is_map and not entry.value.flow and not entry.parent.flow and entry.value.indent > entry.indent:
            return entry.value.indent - entry.indent
    return 2


# ---- JSON -----------------------------------------------------------------

def parse_json(text: str, tree=None) -> ConfigDoc | None:
    """A JSON config document, or None when its root is not an object; `tree`: a function giving
    the text's span tree with duplicate keys kept (parse/source shares it between surfaces)."""
    try:
        root = tree() if tree is not None else json_spans.parse(text, allow_duplicates=True)
    except json_spans.JSONSpanError as exc:
        raise AnalysisError(exc.reason, exc.offset) from exc
    duplicate = _json_duplicate(root)
    if duplicate is not None:  # the server would refuse it; a fix must never make one
        raise AnalysisError(f"duplicate key {duplicate.key!r}", duplicate.key_start)
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


def _json_duplicate(root: json_spans.JNode) -> json_spans.JMember | None:
    for node in json_spans.walk(root):
        seen: set[str] = set()
        for member in node.members:
            if member.key in seen:
                return member
            seen.add(member.key)
    return None


def _json_entry(doc: ConfigDoc, info: MapInfo, member: json_spans.JMember) -> Entry:
    row, col = doc.index.position(member.key_start)
    info.indent = col - 1
    value = member.value.value if member.value.kind not in ("object", "array") else None
    return Entry(join(info.prefix, member.key), member.key, member.key_start, member.key_end, info, value,
                 member.value.start, member.value.end, doc.index.line_start(row), member.key_start,
                 member.value.end, col - 1, member)
