"""Host string literals as AQL values: escapes decoded, substitutions turned into same-width
bind-parameter placeholders, and a map from every value character back to host offsets.

A fix is only made where a value span maps one to one onto host text (`HostValue.clean`).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Sequence

@dataclass(frozen=True)
class HostString:
    raw: str
    offset: int
    quote: str = ""
    multiline: bool = False
    opaque: tuple[tuple[int, int], ...] = ()
    escapes: bool = True
    brace_escapes: bool = False
    json: bool = False
    query_call: bool = False
    known_aql: bool = False  # AQL by construction (an arangojs `aql` template), fragments included
    binds: bool = False  # a tagged template whose `${...}` become bind parameters (`aql`, `query`)
    taken: str = ""  # quote characters the host cannot hold either (a `'...'` shell word around JSON)


@dataclass
class HostValue:
    """Decoded text of one or more host parts with a map back to host offsets."""

    text: str
    parts: Sequence[HostString]
    part_of: list[int]  # value index -> part index
    raw_at: list[int]  # value index -> raw index in its part (sentinel at len(text))
    escaped: list[bool]  # value index came from an escape sequence
    opaque: list[tuple[int, int]]  # value spans of substitutions

    def host(self, i: int) -> int:
        part = self.parts[self.part_of[i]]
        return part.offset + self.raw_at[i]

    def host_end(self, i: int) -> int:
        """Host offset just after value index i - 1 (the end of a value span ending at i)."""
        if i <= 0:
            return self.host(0)
        return self.host(i - 1) + self._width(i - 1)

    def _width(self, i: int) -> int:
        if i + 1 < len(self.raw_at) and self.part_of[i + 1] == self.part_of[i] and self.raw_at[i + 1] > self.raw_at[i]:
            return self.raw_at[i + 1] - self.raw_at[i]
        return 1

    def clean(self, start: int, end: int) -> bool:
        """The value span maps one to one onto a single part's raw text (no escapes)."""
        if start >= end:
            return True
        part = self.part_of[start]
        return all(self.part_of[i] == part and not self.escaped[i] for i in range(start, end))

    def raw_slice(self, start: int, end: int) -> str:
        """Host source text of a clean value span (substitutions as written in the host)."""
        part = self.parts[self.part_of[start]]
        return part.raw[self.raw_at[start]:self.raw_at[end - 1] + 1]

    def part(self, i: int) -> HostString:
        return self.parts[self.part_of[min(i, len(self.part_of) - 1)]]


_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "a": "\a", "0": "\0"}
_HEXDIGITS = frozenset("0123456789abcdefABCDEF")


def _escape_at(raw: str, i: int, json: bool) -> tuple[str, int]:
    """Decode the escape sequence at raw[i] == '\\': (value, length)."""
    nxt = raw[i + 1]
    if nxt in "\r\n":  # line continuation
        return "", 3 if raw.startswith("\r\n", i + 1) else 2
    if nxt == "x" and not json and all(c in _HEXDIGITS for c in raw[i + 2:i + 4]) and len(raw) >= i + 4:
        return chr(int(raw[i + 2:i + 4], 16)), 4
    if nxt == "u":
        if raw.startswith("{", i + 2) and not json:
            close = raw.find("}", i + 3)
            if close != -1 and raw[i + 3:close] and all(c in _HEXDIGITS for c in raw[i + 3:close]):
                return _chr(int(raw[i + 3:close], 16)), close + 1 - i
        if len(raw) >= i + 6 and all(c in _HEXDIGITS for c in raw[i + 2:i + 6]):
            return chr(int(raw[i + 2:i + 6], 16)), 6
    if nxt == "U" and not json and len(raw) >= i + 10 and all(c in _HEXDIGITS for c in raw[i + 2:i + 10]):
        return _chr(int(raw[i + 2:i + 10], 16)), 10
    if nxt == "N" and raw.startswith("{", i + 2) and not json:
        close = raw.find("}", i + 3)
        if close != -1:
            try:
                return unicodedata.lookup(raw[i + 3:close]), close + 1 - i
            except KeyError:
                return "?", close + 1 - i
    if nxt in "01234567" and not json:
        j = i + 1
        while j < len(raw) and j < i + 4 and raw[j] in "01234567":
            j += 1
        return _chr(int(raw[i + 1:j], 8)), j - i
    return _SIMPLE_ESCAPES.get(nxt, nxt), 2


def _chr(code: int) -> str:
    return chr(code) if code <= 0x10FFFF else "?"


def decode(parts: Sequence[HostString]) -> HostValue:
    chars: list[str] = []
    part_of: list[int] = []
    raw_at: list[int] = []
    escaped: list[bool] = []
    opaque: list[tuple[int, int]] = []
    for p, part in enumerate(parts):
        raw, i = part.raw, 0
        spans = sorted(part.opaque)
        k = 0
        while i < len(raw):
            while k < len(spans) and spans[k][1] <= i:
                k += 1
            if k < len(spans) and spans[k][0] == i and spans[k][1] > i:
                length = spans[k][1] - i
                opaque.append((len(chars), len(chars) + length))
                placeholder = _placeholder(len(opaque) - 1, length)
                for j in range(length):  # a bind-parameter-shaped operand of the same width
                    chars.append(placeholder[j])
                    part_of.append(p)
                    raw_at.append(i + j)
                    escaped.append(False)
                i += length
                continue
            ch = raw[i]
            if ch == "\\" and part.escapes and i + 1 < len(raw):
                value, length = _escape_at(raw, i, part.json)
                for c in value:
                    chars.append(c)
                    part_of.append(p)
                    raw_at.append(i)
                    escaped.append(True)
                i += length
                continue
            if part.brace_escapes and ch in "{}" and raw.startswith(ch, i + 1):
                chars.append(ch)
                part_of.append(p)
                raw_at.append(i)
                escaped.append(True)
                i += 2
                continue
            chars.append(ch)
            part_of.append(p)
            raw_at.append(i)
            escaped.append(False)
            i += 1
    # sentinel: the end of the last part
    part_of.append(max(len(parts) - 1, 0))
    raw_at.append(len(parts[-1].raw) if parts else 0)
    escaped.append(False)
    return HostValue("".join(chars), parts, part_of, raw_at, escaped, opaque)


def _placeholder(index: int, width: int) -> str:
    """`@x0oo...`: a bind parameter as wide as the substitution, unique within the value when it
    fits (messages map it back to the substitution's source text)."""
    body = f"x{index}"
    return "@" + (body + "o" * width)[:width - 1] if len(body) <= width - 1 else "@" + "o" * (width - 1)


def plain_value(text: str) -> HostValue:
    """An `.aql` file: the value is the text (identity map, no escapes)."""
    n = len(text)
    return HostValue(text, [HostString(text, 0, "", True, escapes=False)], [0] * (n + 1), list(range(n + 1)),
                  [False] * (n + 1), [])
