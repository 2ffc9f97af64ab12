"""Edits for server config keys (TH101 rename/move, TH102 insert, TH103 delete) in YAML and JSON.

Everything is a span edit on the original text; no document is re-serialised (STYLE.md).
"""
from __future__ import annotations

import json
import re

from themis_lint.parse.config_tree import ConfigDoc, Entry, MapInfo
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
    """rules/docs/TH101-config-key-renamed.md: rename in place (flat), or move under the new parent maps (nested)."""
    rel = _relative(entry.parent.prefix, new_key)
    if rel is None:
        return _move_elsewhere(doc, entry, new_key, nl)
    if "." in entry.key_text or "." not in rel:
        return (_replace_key(doc, entry, rel),)
    segs = rel.split(".")
    target, depth = _descend(entry.parent, segs)
    blocker = next((e for e in target.entries if e.key_text == segs[depth] and not e.is_map), None)
    if blocker is not None and depth < len(segs) - 1:
        # `rocksdb` is there but is no map with entries: an empty object receives the key, else no fix
        if not _empty_object(doc, blocker) or blocker is entry:
            return None
        value_text = _value_text(doc, entry)
        if value_text is None or (doc.kind == "yaml" and not _flow_safe(value_text)):
            return None
        return (*delete_edits(doc, entry), _fill_empty(doc, blocker, segs[depth + 1:], value_text, nl))
    if doc.kind == "json":
        return _json_nest(doc, entry, target, segs, depth, nl)
    if _is_flow(doc, entry.parent) or _is_flow(doc, target):
        return _flow_nest(doc, entry, target, segs, depth)
    return _yaml_nest(doc, entry, target, segs, depth, nl)


def _replace_key(doc: ConfigDoc, entry: Entry, new_text: str) -> Edit:
    raw = doc.text[entry.key_start:entry.key_end]
    if raw[:1] in "\"'":
        return Edit(entry.key_start + 1, entry.key_end - 1, _written_like(raw, new_text)[1:-1])
    return Edit(entry.key_start, entry.key_end, new_text)


def _written_like(raw: str, new_text: str) -> str:
    """`new_text` as a key quoted the way `raw` (the old key as written) is: "a", 'a' or a."""
    if raw[:1] == '"':
        return '"' + json.dumps(new_text)[1:-1] + '"'
    if raw[:1] == "'":
        return "'" + new_text.replace("'", "''") + "'"
    return new_text


def delete_edits(doc: ConfigDoc, entry: Entry) -> tuple[Edit, ...]:
    """rules/docs/TH103-config-key-removed.md: remove the key line and its trailing comment (JSON: and its comma)."""
    if doc.kind == "json":
        return (_json_delete(doc, entry),)
    if _is_flow(doc, entry.parent):
        return (_flow_delete(doc, entry),)
    start, text = entry.line_start, doc.text
    if entry.block_end == len(text) and not text.endswith(("\n", "\r")) and start > 0:
        # the file's last line, with no line break after it: the break before it goes instead,
        # so the file still ends without one (and no blank line is left where it was)
        start -= 2 if text[start - 2:start] == "\r\n" else 1
    return (Edit(start, entry.block_end, ""),)


def insert_edits(doc: ConfigDoc, key: str, value_text: str, nl: str) -> tuple[tuple[Edit, ...] | None, Entry | None]:
    """rules/docs/TH102-config-key-required.md placement: under the nearest existing ancestor map, else flat by section or at the end.

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
            if not holder.is_map and _empty_object(doc, holder):
                # `"query": {}` / `query: {}`: the key goes inside
                if doc.kind == "yaml" and not _flow_safe(value_text):
                    return None, holder
                return (_fill_empty(doc, holder, segs[depth:], value_text, nl),), holder
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


def _insert_into(doc: ConfigDoc, m: MapInfo, segs: list[str], value_text: str,
                 nl: str) -> tuple[Edit, ...] | None:
    dotted = any("." in e.key_text for e in m.entries)
    if doc.kind == "json":
        return (_json_insert(doc, m.entries[-1], segs, value_text, dotted, nl),)
    if _is_flow(doc, m):
        edit = _flow_insert(doc, m, segs, value_text, dotted)
        return None if edit is None else (edit,)
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
        return (_json_insert(doc, anchor, segs, value_text, flat, nl),)
    if _is_flow(doc, doc.root):
        return None
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
    new_key = _written_like(text[entry.key_start:entry.key_end], new_key)  # a moved key keeps its quotes
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
    value_text = None if entry.is_map else _value_text(doc, entry)
    if value_text is None or "\n" in value_text:
        return None
    inserted, _ = insert_edits(doc, new_key, value_text, nl)
    if inserted is None:
        return None
    return (*delete_edits(doc, entry), *inserted)


# ---- shared: values, empty objects ---------------------------------------

def _value_text(doc: ConfigDoc, entry: Entry) -> str | None:
    """The value as written (a YAML block value keeps its trailing comment)."""
    if doc.kind == "yaml" and _is_flow(doc, entry.parent):
        return doc.text[entry.value_start:_flow_end(doc.text, entry.value_start)]
    return doc.text[entry.value_start:entry.value_end]


def _empty_object(doc: ConfigDoc, entry: Entry) -> bool:
    """`"query": {}` in JSON, `query: {}` in YAML: a map with no entries, written as braces."""
    if entry.is_map:
        return False
    if doc.kind == "json":
        node = entry.member.value if entry.member is not None else None
        return node is not None and node.kind == "object" and not node.members
    return entry.value is None and doc.text[entry.value_start:entry.value_start + 1] == "{" \
        and not doc.text[entry.value_start + 1:_flow_end(doc.text, entry.value_start) - 1].strip()


def _fill_empty(doc: ConfigDoc, holder: Entry, segs: list[str], value_text: str, nl: str) -> Edit:
    """The member written inside an empty `{}`: multi-line when the holder is on a line of its own."""
    if doc.kind == "yaml":
        end = _flow_end(doc.text, holder.value_start)
        return Edit(holder.value_start + 1, end - 1, _flow_member(segs, value_text, False))
    node = holder.member.value
    ws = _line_ws(doc, holder.key_start)
    if ws is None:
        return Edit(node.start + 1, node.end - 1, _json_member(segs, value_text, False))
    pad = ws + _json_unit(doc)
    member = _json_member(segs, value_text, False, pad, _json_unit(doc), nl)
    return Edit(node.start + 1, node.end - 1, nl + pad + member + nl + ws)


# ---- YAML flow style ------------------------------------------------------

_FLOW_SCALAR = re.compile(r"""[^,\[\]{}#\r\n"'\s](?:[^,\[\]{}#\r\n]*[^,\[\]{}#\r\n\s])?"""
                          r"""|"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\r\n]|'')*'""")


def _is_flow(doc: ConfigDoc, m: MapInfo) -> bool:
    """A YAML map written `{...}` (flow style): block-style edits would break it."""
    if doc.kind != "yaml":
        return False
    if m.holder is not None:
        return doc.text[m.holder.value_start:m.holder.value_start + 1] == "{"
    return bool(m.entries) and doc.text[:m.entries[0].key_start].rstrip().endswith("{")


def _flow_safe(value_text: str) -> bool:
    """A scalar that can be written inside a flow mapping as it is."""
    return _FLOW_SCALAR.fullmatch(value_text) is not None


def _quoted_end(text: str, i: int) -> int:
    quote, j = text[i], i + 1
    while j < len(text):
        if quote == '"' and text[j] == "\\":
            j += 2
            continue
        if text[j] == quote:
            if quote == "'" and text[j + 1:j + 2] == "'":
                j += 2
                continue
            return j + 1
        j += 1
    return len(text)


def _flow_end(text: str, i: int) -> int:
    """End of the flow-style value starting at i: a scalar, a quoted string or a `{...}`/`[...]`."""
    depth, last = 0, i
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            i = last = _quoted_end(text, i)
            continue
        if ch == "#" and (i == 0 or text[i - 1] in " \t\r\n"):
            stop = text.find("\n", i)
            i = len(text) if stop == -1 else stop
            continue
        if depth == 0 and ch in ",}]":
            break
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
        i += 1
        if not ch.isspace():
            last = i
        if depth == 0 and ch in "}]":
            break
    return last


def _flow_member(segs: list[str], value_text: str, dotted: bool) -> str:
    if dotted:
        return ".".join(segs) + ": " + value_text
    inner = value_text
    for seg in reversed(segs[1:]):
        inner = "{" + seg + ": " + inner + "}"
    return segs[0] + ": " + inner


def _flow_insert(doc: ConfigDoc, m: MapInfo, segs: list[str], value_text: str, dotted: bool) -> Edit | None:
    if not _flow_safe(value_text):
        return None
    at = _flow_end(doc.text, m.entries[-1].value_start)
    return Edit(at, at, ", " + _flow_member(segs, value_text, dotted))


def _flow_delete(doc: ConfigDoc, entry: Entry) -> Edit:
    """The member and one comma, like JSON; the last member leaves `{}`."""
    members = entry.parent.entries
    i = members.index(entry)
    text = doc.text
    if len(members) == 1:
        holder = entry.parent.holder
        open_at = holder.value_start if holder is not None else text.rfind("{", 0, entry.key_start)
        return Edit(open_at + 1, _flow_end(text, open_at) - 1, "")
    if i == 0:
        return Edit(entry.key_start, members[1].key_start, "")
    return Edit(_flow_end(text, members[i - 1].value_start), _flow_end(text, entry.value_start), "")


def _flow_nest(doc: ConfigDoc, entry: Entry, target: MapInfo, segs: list[str],
               depth: int) -> tuple[Edit, ...] | None:
    """TH101 nested move where the old key's map or the receiving map is written `{...}`."""
    remaining = segs[depth:]
    value_text = _value_text(doc, entry)
    if value_text is None or not _flow_safe(value_text) or entry.block_start != entry.line_start:
        return None  # a comment or a block value cannot go into a flow mapping
    if depth == 0:
        end = _flow_end(doc.text, entry.value_start)
        return (Edit(entry.key_start, end, _flow_member(remaining, value_text, False)),)
    if not _is_flow(doc, target):
        return None
    inserted = _flow_insert(doc, target, remaining, value_text, False)
    return None if inserted is None else (*delete_edits(doc, entry), inserted)


# ---- JSON -----------------------------------------------------------------

def _line_ws(doc: ConfigDoc, offset: int) -> str | None:
    """The whitespace before `offset` on its line when nothing else precedes it (a BOM aside), else None."""
    start = doc.index.line_start(doc.index.position(offset)[0])
    before = doc.text[start:offset].lstrip("\ufeff")
    return None if before.strip(" \t") else before


def _json_unit(doc: ConfigDoc) -> str:
    """The file's indentation unit (a tab, N spaces): a multi-line object's members against its
    opening line."""
    for m in doc.maps():
        if m.node is None or not m.node.members:
            continue
        outer = _line_ws(doc, m.holder.key_start if m.holder is not None else m.node.start)
        inner = _line_ws(doc, m.node.members[0].key_start)
        if outer is not None and inner is not None and len(inner) > len(outer) and inner.startswith(outer):
            return inner[len(outer):]
    for entry in doc.entries:
        ws = _line_ws(doc, entry.key_start)
        if ws:
            return "\t" if ws.startswith("\t") else " " * max(min(len(ws), 8), 1)
    return "  "


def _json_member(segs: list[str], value_text: str, dotted: bool, ws: str | None = None, unit: str = "",
                 nl: str = "\n") -> str:
    """`"a": {"b": v}`; with `ws` (the member's own indentation) new objects are multi-line."""
    if dotted:
        return f"{json.dumps('.'.join(segs))}: {value_text}"
    inner = value_text
    for k in range(len(segs) - 1, 0, -1):
        if ws is None:
            inner = "{" + f"{json.dumps(segs[k])}: {inner}" + "}"
        else:
            inner = ("{" + nl + ws + unit * k + f"{json.dumps(segs[k])}: {inner}"
                     + nl + ws + unit * (k - 1) + "}")
    return f"{json.dumps(segs[0])}: {inner}"


def _reindent(value_text: str, old_ws: str | None, new_ws: str) -> str:
    """A multi-line value moved from a key at `old_ws` to one at `new_ws`: its later lines follow."""
    if old_ws is None or "\n" not in value_text:
        return value_text
    lines = value_text.split("\n")
    return "\n".join([lines[0]] + [new_ws + ln[len(old_ws):] if ln.startswith(old_ws) else ln
                                    for ln in lines[1:]])


def _json_insert(doc: ConfigDoc, anchor: Entry, segs: list[str], value_text: str, dotted: bool,
                 nl: str, old_ws: str | None = None) -> Edit:
    """A member after `anchor`: on its own line at the anchor's indentation (new objects multi-line, in
    the file's indentation unit) when the object is multi-line, else after `, `."""
    ws = _line_ws(doc, anchor.key_start)
    if ws is None:
        return Edit(anchor.value_end, anchor.value_end, ", " + _json_member(segs, value_text, dotted))
    unit = _json_unit(doc)
    value_text = _reindent(value_text, old_ws, ws + unit * (len(segs) - 1))
    member = _json_member(segs, value_text, dotted, ws, unit, nl)
    return Edit(anchor.value_end, anchor.value_end, "," + nl + ws + member)


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
    ws = _line_ws(doc, entry.key_start)
    if depth == 0:
        if ws is None:
            return (Edit(entry.key_start, entry.value_end, _json_member(remaining, value_text, False)),)
        unit = _json_unit(doc)
        value_text = _reindent(value_text, ws, ws + unit * (len(remaining) - 1))
        member = _json_member(remaining, value_text, False, ws, unit, nl)
        return (Edit(entry.key_start, entry.value_end, member),)
    return (_json_delete(doc, entry),
            _json_insert(doc, target.entries[-1], remaining, value_text, False, nl, old_ws=ws))
