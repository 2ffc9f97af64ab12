"""Str offsets <-> LSP positions, and applying the client's text changes.

LSP counts lines by `\\n`, `\\r\\n` and `\\r` only (not `str.splitlines`' form feeds or U+2028)
and characters in the negotiated position encoding: UTF-16 code units unless the client
offered another. The engine's offsets count code points (docs/CONTRACTS.md).
"""
from __future__ import annotations

import bisect
import re

_BREAK = re.compile(r"\r\n|\r|\n")
UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def _units(text: str, encoding: str) -> int:
    """Length of `text` in the encoding's code units."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)  # a surrogate pair is two units


class LspLines:
    """One text's lines as LSP sees them, in one position encoding."""

    def __init__(self, text: str, encoding: str = UTF16):
        self.text = text
        self.encoding = encoding
        self.starts = [0] + [m.end() for m in _BREAK.finditer(text)]
        self.ends = [m.start() for m in _BREAK.finditer(text)] + [len(text)]  # line content ends

    def position(self, offset: int) -> tuple[int, int]:
        """(line, character), 0-based; an offset inside a line break is the end of its line."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        at = min(offset, self.ends[line])
        return line, _units(self.text[start:at], self.encoding)

    def offset(self, line: int, character: int) -> int:
        """The offset of an LSP position; past the end of a line is its end (LSP says so),
        past the last line is the end of the text."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start, end = self.starts[line], self.ends[line]
        if self.encoding == UTF32 or self.text[start:end].isascii():
            return min(start + max(character, 0), end)
        counted = 0
        for i in range(start, end):
            if counted >= character:
                return i
            counted += _units(self.text[i], self.encoding)
        return end

    def line_text(self, line: int) -> str:
        return self.text[self.starts[line]:self.ends[line]]


def apply_change(text: str, change, encoding: str) -> str:
    """The text after one `TextDocumentContentChangeEvent` (whole text, or a range and its text)."""
    if getattr(change, "range", None) is None:
        return change.text
    lines = LspLines(text, encoding)
    start = lines.offset(change.range.start.line, change.range.start.character)
    end = lines.offset(change.range.end.line, change.range.end.character)
    return text[:start] + change.text + text[max(start, end):]
