"""Offsets, lines and columns over decoded file text: the one line model.

A line ends at "\r\n", "\n" or a lone "\r", as in the Language Server Protocol, YAML 1.2,
JSON and Python's tokenizer; so a row reported here is the row an editor shows, and the row a
YAML or Python parser gives maps back to the same offset. (`themis_lint.diff` uses git's model,
where only "\n" ends a line, because that is what `git apply` reads.)
"""
from __future__ import annotations

import bisect
import re

_LINE_BREAK = re.compile(r"\r\n?|\n")


class LineIndex:
    """Maps str offsets to 1-based (row, column) and back; columns count characters."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)] if ("\n" in text or "\r" in text) \
            else [0]

    def line(self, row: int, keep_newline: bool = True) -> str:
        """The text of 1-based `row`."""
        return self.text[self.starts[row - 1]:self.line_end(row, keep_newline)]

    def position(self, offset: int) -> tuple[int, int]:
        row = bisect.bisect_right(self.starts, offset) - 1
        return row + 1, offset - self.starts[row] + 1

    def offset(self, row: int, column: int) -> int:
        """Offset of 1-based (row, column)."""
        return self.starts[row - 1] + column - 1

    def line_start(self, row: int) -> int:
        return self.starts[row - 1]

    def line_end(self, row: int, keep_newline: bool = True) -> int:
        """End of 1-based row, after its line break when keep_newline."""
        end = self.starts[row] if row < len(self.starts) else len(self.text)
        if not keep_newline:
            while end > self.starts[row - 1] and self.text[end - 1] in "\r\n":
                end -= 1
        return end

    @property
    def rows(self) -> int:
        return len(self.starts)


def clean(text: str) -> str:
    """Text shown to a person with control characters escaped (`\\n`, `\\x1b`, invalid UTF-8 as
    `\\udcff`): a file name, a reason or a message can then never forge an output line
    (`All checks passed.`, `Total: ...`) or send a terminal escape. Every line that can hold a
    path goes through it, whatever the command."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def newline_of(text: str) -> str:
    """The file's line break style: the first one it uses (the one line model), else \\n."""
    match = _LINE_BREAK.search(text)
    return match.group() if match else "\n"


def flow_depth(text: str) -> int:
    """Deepest `[`/`{` nesting, counted naively (quotes ignored): a cheap upper bound that lets
    YAML surfaces refuse input on which ruamel's scanner is quadratic or recursion runs out."""
    depth = deepest = 0
    for ch in text:
        if ch == "[" or ch == "{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif (ch == "]" or ch == "}") and depth:
            depth -= 1
    return deepest


MAX_FLOW_DEPTH = 200
