"""The AQL dialect of sqlglot's tokenizer: each place sqlglot reads AQL wrongly has a test."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from themis_lint.analyzers.aql_tokens import BIND, ERROR, IDENT, NUMBER, OP, STRING, WORD, lex


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in lex(text)]


def test_range_operator_between_integers() -> None:
    # sqlglot alone: `1.` `.` `10`
    assert kinds("1..10") == [(NUMBER, "1"), (OP, ".."), (NUMBER, "10")]
    assert kinds("1.5..2") == [(NUMBER, "1.5"), (OP, ".."), (NUMBER, "2")]


def test_bind_parameters_are_one_token() -> None:
    assert kinds("@p + @@coll") == [(BIND, "@p"), (OP, "+"), (BIND, "@@coll")]


def test_regex_and_other_multi_character_operators() -> None:
    ops = [t for k, t in kinds("a =~ b !~ c :: d[*] == e != f <= g >= h && i || j") if k == OP]
    assert ops == ["=~", "!~", "::", "[*]", "==", "!=", "<=", ">=", "&&", "||"]


def test_hex_and_binary_numbers() -> None:
    assert kinds("0x1F 0b101") == [(NUMBER, "0x1F"), (NUMBER, "0b101")]


def test_strings_with_backslash_escapes_and_both_quotes() -> None:
    assert kinds(r'"it\"s" ' + r"'a\'b'") == [(STRING, r'"it\"s"'), (STRING, r"'a\'b'")]


def test_quoted_identifiers_backtick_and_forward_tick() -> None:
    assert kinds("`WITHIN` \u00b4x\u00b4") == [(IDENT, "`WITHIN`"), (IDENT, "\u00b4x\u00b4")]


def test_comments_are_skipped_and_offsets_exact() -> None:
    text = "FOR d /* FULLTEXT( */ IN c // WITHIN(\n RETURN d"
    toks = lex(text)
    assert [t.text for t in toks] == ["FOR", "d", "IN", "c", "RETURN", "d"]
    assert all(text[t.start:t.end] == t.text for t in toks)


def test_no_sql_command_swallows_the_rest() -> None:
    # sqlglot's default dialect reads everything after EXECUTE/SHOW as one string
    assert [t.text for t in lex("EXECUTE x SHOW y")] == ["EXECUTE", "x", "SHOW", "y"]


def test_keywords_case_insensitive_words() -> None:
    assert [(t.kind, t.upper) for t in lex("for x In c")] == [(WORD, "FOR"), (WORD, "X"), (WORD, "IN"), (WORD, "C")]


def test_unterminated_string_ends_in_an_error_token() -> None:
    toks = lex('RETURN "abc')
    assert toks[0].text == "RETURN" and toks[-1].kind == ERROR and toks[-1].end == len('RETURN "abc')


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_tokenizer_never_raises_and_spans_are_ordered(text: str) -> None:
    toks = lex(text)
    last = 0
    for tok in toks:
        assert last <= tok.start <= tok.end <= len(text)
        assert text[tok.start:tok.end] == tok.text
        last = tok.end
