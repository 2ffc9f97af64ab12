"""Edits for server config keys (TH101 rename/move, TH102 insert, TH103 delete) in YAML and JSON.

Everything is a span edit on the original text; no document is re-serialised (STYLE.md).
"""
from __future__ import annotations

import json
import re

from themis_lint.analyzers.config_tree import ConfigDoc, Entry, MapInfo
from themis_lint.model import Edit

_PLAIN_SCALAR = re.compile(r"^[A-Za-z0-9_./@-]+$")
_YAML_SPECIAL = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def render_value(value: object, kind: str) -> str:
    """A default value from the pack, written as this file's syntax writes it."""
    if kind == "json" or isinstance(value, bool) or value is None:
        return json.dumps(value)
    text = str(value)
    if isinstance(value, (int, float)) or (_PLAIN_SCALAR.match(text) and text.lower() not in _YAML_SPECIAL):
        return text
    return json.dumps(text)


# ---- shared helpers -------------------------------------------------------

def _after_entry(doc: ConfigDoc, entry: Entry, content: str, nl: str) -> Edit:
    """Insert `content` (ending in a line break) after an entry's block."""
    at = entry.block_end
    if at == len(doc.text) and not doc.text.endswith(("\n", "\r")):
        content = nl + content[: -len(nl)] if content.endswith(nl) else nl + content
    return Edit(at, at, content)


def _relative(prefix: str, key: str) -> str | None:
    if not prefix:
        return key
    return key[len(prefix) + 1:] if key.startswith(prefix + ".") else None


def _descend(m: MapInfo, segs: list[str]) -> tuple[MapInfo, int]:
    """The deepest existing nested map along segs[:-1], and how many segments it consumed."""
    depth = 0
    while depth < len(segs) - 1:
        child = next((e for e in m.entries if e.key_text == segs[depth] and e.is_map), None)
        if child is None:
            break
        m, depth = child.value, depth + 1
    return m, depth


def rename_edits(doc: ConfigDoc, entry: Entry, new_key: str, nl: str) -> tuple[Edit, ...] | None:
    """RULES.md TH101: rename in place (flat), or move under the new parent maps (nested)."""
    rel = _relative(entry.parent.prefix, new_key)
    if rel is None:
        return _move_elsewhere(doc, entry, new_key, nl)
    if "." in entry.key_text or "." not in rel:
        return (_replace_key(doc, entry, rel),)
    segs = rel.split(".")
    target, depth = _descend(entry.parent, segs)
    if doc.kind == "json":
        return _json_nest(doc, entry, target, segs, depth, nl)
    return _yaml_nest(doc, entry, target, segs, depth, nl)


def _replace_key(doc: ConfigDoc, entry: Entry, new_text: str) -> Edit:
    raw = doc.text[entry.key_start:entry.key_end]
    if raw[:1] in "\"'":
        inner = json.dumps(new_text)[1:-1] if raw[0] == '"' else new_text.replace("'", "''")
        return Edit(entry.key_start + 1, entry.key_end - 1, inner)
    return Edit(entry.key_start, entry.key_end, new_text)


def delete_edits(doc: ConfigDoc, entry: Entry) -> tuple[Edit, ...]:
    """RULES.md TH103: remove the key line and its trailing comment (JSON: and its comma)."""
    if doc.kind == "json":
        return (_json_delete(doc, entry),)
    return (Edit(entry.line_start, entry.block_end, ""),)


def insert_edits(doc: ConfigDoc, key: str, value_text: str, nl: str) -> tuple[tuple[Edit, ...] | None, Entry | None]:
    """RULES.md TH102 placement: under the nearest existing ancestor map, else flat by section or at the end.

    Returns the edits and the ancestor entry (for the finding's position).
    """
    segs = key.split(".")
    for depth in range(len(segs) - 1, 0, -1):
        holder = doc.find(".".join(segs[:depth]))
        if holder is not None:
            if not holder.is_map and _empty_yaml_section(doc, holder):
                # `server:` left with no keys (its last one removed): the key goes under it
                lines = _yaml_lines(segs[depth:], value_text, holder.indent + doc.step, doc.step, False, nl)
                return (_after_entry(doc, holder, lines, nl),), holder
            if not holder.is_map:
                return None, holder
            return _insert_into(doc, holder.value, segs[depth:], value_text, nl), holder
    return _insert_top(doc, segs, value_text, nl), None


def _empty_yaml_section(doc: ConfigDoc, entry: Entry) -> bool:
    """A YAML block key with no value at all (`server:` then nothing, or only a comment)."""
    if doc.kind != "yaml" or entry.value is not None:
        return False
    rest = doc.text[entry.key_end:entry.block_end].split("#", 1)[0]
    return rest.strip() == ":"


def _insert_into(doc: ConfigDoc, m: MapInfo, segs: list[str], value_text: str, nl: str) -> tuple[Edit, ...]:
    dotted = any("." in e.key_text for e in m.entries)
    if doc.kind == "json":
        return (_json_insert(doc, m, m.entries[-1], _json_member(segs, value_text, dotted), nl),)
    lines = _yaml_lines(segs, value_text, m.indent, doc.step, dotted, nl)
    return (_after_entry(doc, m.entries[-1], lines, nl),)


def _insert_top(doc: ConfigDoc, segs: list[str], value_text: str, nl: str) -> tuple[Edit, ...] | None:
    top = doc.root.entries
    if not top:
        return None
    flat = any("." in e.key_text for e in top) or not any(e.is_map for e in top)
    same_section = [e for e in top if e.key_text.split(".")[0] == segs[0]]
    anchor = same_section[-1] if flat and same_section else top[-1]
    if doc.kind == "json":
        return (_json_insert(doc, doc.root, anchor, _json_member(segs, value_text, flat), nl),)
    return (_after_entry(doc, anchor, _yaml_lines(segs, value_text, doc.root.indent, doc.step, flat, nl), nl),)


# ---- YAML -----------------------------------------------------------------

def _yaml_lines(segs: list[str], value_text: str, indent: int, step: int, dotted: bool, nl: str) -> str:
    if dotted:
        return " " * indent + ".".join(segs) + ": " + value_text + nl
    out = [" " * (indent + i * step) + seg + ":" + nl for i, seg in enumerate(segs[:-1])]
    out.append(" " * (indent + (len(segs) - 1) * step) + segs[-1] + ": " + value_text + nl)
    return "".join(out)


def _reindented_block(doc: ConfigDoc, entry: Entry, new_key: str, indent: int, nl: str) -> str:
    """The entry's block (comments above, key line, deeper lines) moved to `indent` with a new key."""
    text = doc.text
    head = text[entry.block_start:entry.line_start]
    key_line_rest = text[entry.key_end:entry.block_end]
    body = head + text[entry.line_start:entry.key_start] + new_key + key_line_rest
    lines = body.splitlines(keepends=True)
    out = []
    for line in lines:
        if line.strip():
            cut = min(len(line) - len(line.lstrip(" ")), entry.indent)
            line = " " * indent + line[cut:]
        out.append(line)
    result = "".join(out)
    return result if result.endswith(("\n", "\r")) else result + nl


def _yaml_nest(doc: ConfigDoc, entry: Entry, target: MapInfo, segs: list[str], depth: int,
               nl: str) -> tuple[Edit, ...]:
    remaining = segs[depth:]
    base = entry.indent if depth == 0 else target.indent
    parents = "".join(" " * (base + i * doc.step) + seg + ":" + nl for i, seg in enumerate(remaining[:-1]))
    block = _reindented_block(doc, entry, remaining[-1], base + (len(remaining) - 1) * doc.step, nl)
    if depth == 0:  # no such parent map yet: create it at the old key's place
        end_text = doc.text[entry.block_start:entry.block_end]
        if not end_text.endswith(("\n", "\r")):
            block = block[: -len(nl)] if block.endswith(nl) else block
        return (Edit(entry.block_start, entry.block_end, parents + block),)
    return (Edit(entry.block_start, entry.block_end, ""),
            _after_entry(doc, target.entries[-1], parents + block, nl))


def _move_elsewhere(doc: ConfigDoc, entry: Entry, new_key: str, nl: str) -> tuple[Edit, ...] | None:
    if entry.is_map or doc.text.count("\n", entry.value_start, entry.value_end):
        return None
    value_text = doc.text[entry.value_start:entry.value_end]
    inserted, _ = insert_edits(doc, new_key, value_text, nl)
    if inserted is None:
        return None
    return (*delete_edits(doc, entry), *inserted)


# ---- JSON -----------------------------------------------------------------

def _json_member(segs: list[str], value_text: str, dotted: bool) -> str:
    if dotted:
        return f"{json.dumps('.'.join(segs))}: {value_text}"
    inner = value_text
    for seg in reversed(segs[1:]):
        inner = "{" + f"{json.dumps(seg)}: {inner}" + "}"
    return f"{json.dumps(segs[0])}: {inner}"


def _json_insert(doc: ConfigDoc, m: MapInfo, anchor: Entry, member: str, nl: str) -> Edit:
    """A member after `anchor`, on its own line at the anchor's indentation when the object is multi-line."""
    text = doc.text
    line_start = doc.index.line_start(doc.index.position(anchor.key_start)[0])
    own_line = not text[line_start:anchor.key_start].strip()
    sep = nl + " " * anchor.indent if own_line else " "
    return Edit(anchor.value_end, anchor.value_end, "," + sep + member)


def _json_delete(doc: ConfigDoc, entry: Entry) -> Edit:
    members = entry.parent.entries
    i = members.index(entry)
    if len(members) == 1:
        node = entry.parent.node if entry.parent.node is not None else None
        start = node.start + 1 if node is not None else entry.key_start
        end = node.end - 1 if node is not None else entry.value_end
        return Edit(start, end, "")
    if i == 0:
        return Edit(entry.key_start, members[1].key_start, "")
    # from the previous value's end: an insertion after this member stays adjacent, not inside
    return Edit(members[i - 1].value_end, entry.value_end, "")


def _json_nest(doc: ConfigDoc, entry: Entry, target: MapInfo, segs: list[str], depth: int,
               nl: str) -> tuple[Edit, ...]:
    remaining = segs[depth:]
    value_text = doc.text[entry.value_start:entry.value_end]
    member = _json_member(remaining, value_text, False)
    if depth == 0:
        return (Edit(entry.key_start, entry.value_end, member),)
    return (_json_delete(doc, entry), _json_insert(doc, target, target.entries[-1], member, nl))
