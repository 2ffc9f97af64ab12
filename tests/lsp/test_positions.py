"""Offsets <-> LSP positions: LSP's three line breaks only, characters in the negotiated encoding."""
from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types as T

from themis_lint.lsp.positions import UTF8, UTF16, UTF32, LspLines, apply_change

ALPHABET = st.sampled_from(["a", " ", "\n", "\r", "\r\n", "é", "🎉", "\x0c", "\u2028", "\x85", "\t"])
TEXTS = st.lists(ALPHABET, max_size=40).map("".join)
UNIT_BYTES = {UTF8: ("utf-8", 1), UTF16: ("utf-16-le", 2), UTF32: ("utf-32-le", 4)}


def expected_position(text: str, offset: int, encoding: str) -> tuple[int, int]:
    """Independently: count LSP line breaks before the offset, then encode the line's prefix."""
    before = text[:offset]
    breaks = list(re.finditer(r"\r\n|\r|\n", before))
    line_start = breaks[-1].end() if breaks else 0
    codec, width = UNIT_BYTES[encoding]
    return len(breaks), len(before[line_start:].encode(codec)) // width


def inside_crlf(text: str, offset: int) -> bool:
    return 0 < offset < len(text) and text[offset - 1] == "\r" and text[offset] == "\n"


@given(TEXTS, st.sampled_from([UTF8, UTF16, UTF32]), st.data())
def test_positions_round_trip(text, encoding, data) -> None:
    offset = data.draw(st.integers(0, len(text)))
    lines = LspLines(text, encoding)
    if inside_crlf(text, offset):  # no LSP position stands between \r and \n: the end of the line
        assert lines.position(offset) == lines.position(offset - 1)
        return
    assert lines.position(offset) == expected_position(text, offset, encoding)
    assert lines.offset(*lines.position(offset)) == offset


def test_form_feed_and_line_separator_are_not_line_breaks() -> None:
    text = "a\x0cb\u2028c\nd"
    assert LspLines(text).position(text.index("d")) == (1, 0)
    assert LspLines(text).position(text.index("c")) == (0, 4)


def test_a_character_past_the_end_of_a_line_is_its_end() -> None:
    lines = LspLines("ab\r\ncd")
    assert lines.offset(0, 99) == 2 and lines.offset(5, 0) == 6


@given(TEXTS, st.data())
def test_incremental_changes_edit_what_the_range_says(text, data) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    if inside_crlf(text, start) or inside_crlf(text, end):
        return
    lines = LspLines(text, UTF16)
    (sl, sc), (el, ec) = lines.position(start), lines.position(end)
    change = T.TextDocumentContentChangePartial(T.Range(T.Position(sl, sc), T.Position(el, ec)), "X🎉")
    assert apply_change(text, change, UTF16) == text[:start] + "X🎉" + text[end:]
    assert apply_change(text, T.TextDocumentContentChangeWholeDocument("new"), UTF16) == "new"
