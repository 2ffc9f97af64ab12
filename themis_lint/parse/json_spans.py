"""A JSON parser that keeps source spans of every key and value (edits go by span, never re-serialised)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

MAX_DEPTH = 1000
_WS = re.compile(r"[ \t\r\n]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"')


class JSONSpanError(ValueError):
    def __init__(self, reason: str, offset: int):
        super().__init__(f"{reason} at offset {offset}")
        self.reason, self.offset = reason, offset


@dataclass
class JNode:
    kind: str  # object | array | string | number | literal
    start: int
    end: int
    value: object = None  # python value for scalars
    members: list["JMember"] = field(default_factory=list)  # object
    items: list["JNode"] = field(default_factory=list)  # array


@dataclass
class JMember:
    key: str
    key_start: int  # span of the key string including quotes
    key_end: int
    value: JNode


def parse(text: str, start: int = 0, end: int | None = None, allow_duplicates: bool = False) -> JNode:
    """Parse one JSON value spanning text[start:end] (whitespace around allowed)."""
    end = len(text) if end is None else end
    parser = _Parser(text, end, allow_duplicates)
    node = parser.value(min(_WS.match(text, start).end(), end))
    rest = min(_WS.match(text, node.end).end(), end)
    if rest != end:
        raise JSONSpanError("extra data after the JSON value", rest)
    return node


def parse_prefix(text: str, start: int) -> JNode:
    """Parse the JSON value starting at `start`, ignoring what follows it."""
    return _Parser(text, len(text), True).value(start)


class _Parser:
    """Iterative over containers: deep nesting gives an error, never a RecursionError."""

    def __init__(self, text: str, end: int, allow_duplicates: bool):
        self.text, self.end, self.allow_duplicates = text, end, allow_duplicates

    def value(self, i: int) -> JNode:
        root_holder: list[JNode] = []
        stack: list[JNode] = []
        pending_key: list[tuple[str, int, int] | None] = []
        i = self._ws(i)
        while True:
            node, i = self._open_or_scalar(i)
            if node.kind in ("object", "array"):
                if len(stack) >= MAX_DEPTH:
                    raise JSONSpanError(f"nesting deeper than {MAX_DEPTH}", node.start)
                self._attach(node, stack, pending_key, root_holder)
                stack.append(node)
                pending_key.append(None)
                i = self._ws(i)
                if self._peek(i) in "}]":
                    i = self._close(stack, pending_key, i, first=True)
                else:
                    i = self._before_value(stack, pending_key, i)
                    continue
            else:
                self._attach(node, stack, pending_key, root_holder)
            while stack:
                i = self._ws(i)
                ch = self._peek(i)
                if ch == ",":
                    i = self._before_value(stack, pending_key, self._ws(i + 1))
                    break
                i = self._close(stack, pending_key, i, first=False)
            else:
                return root_holder[0]

    def _ws(self, i: int) -> int:
        return min(_WS.match(self.text, i).end(), self.end)

    def _peek(self, i: int) -> str:
        return self.text[i] if i < self.end else ""

    def _before_value(self, stack, pending_key, i: int) -> int:
        if stack[-1].kind == "array":
            return i
        match = _STRING.match(self.text, i, self.end)
        if not match:
            raise JSONSpanError("expected a string key", i)
        key = json.loads(match.group())
        if not self.allow_duplicates and any(m.key == key for m in stack[-1].members):
            raise JSONSpanError(f"duplicate key {key!r}", i)
        j = self._ws(match.end())
        if self._peek(j) != ":":
            raise JSONSpanError("expected ':'", j)
        pending_key[-1] = (key, i, match.end())
        return self._ws(j + 1)

    def _close(self, stack, pending_key, i: int, first: bool) -> int:
        node = stack[-1]
        want = "}" if node.kind == "object" else "]"
        if self._peek(i) != want:
            raise JSONSpanError(f"expected ',' or '{want}'", i)
        node.end = i + 1
        stack.pop()
        pending_key.pop()
        return i + 1

    def _attach(self, node: JNode, stack, pending_key, root_holder) -> None:
        if not stack:
            root_holder.append(node)
        elif stack[-1].kind == "array":
            stack[-1].items.append(node)
        else:
            key, ks, ke = pending_key[-1]
            stack[-1].members.append(JMember(key, ks, ke, node))

    def _open_or_scalar(self, i: int) -> tuple[JNode, int]:
        ch = self._peek(i)
        if ch == "{":
            return JNode("object", i, i + 1), i + 1
        if ch == "[":
            return JNode("array", i, i + 1), i + 1
        if ch == '"':
            match = _STRING.match(self.text, i, self.end)
            if not match:
                raise JSONSpanError("invalid string", i)
            return JNode("string", i, match.end(), json.loads(match.group())), match.end()
        for word, val in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, i):
                return JNode("literal", i, i + len(word), val), i + len(word)
        match = _NUMBER.match(self.text, i, self.end)
        if match and match.end() > i:
            return JNode("number", i, match.end(), json.loads(match.group())), match.end()
        raise JSONSpanError("expected a JSON value", i)


def walk(root: JNode):
    """Every node, depth first, without recursion."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.items))
        stack.extend(reversed([m.value for m in node.members]))
