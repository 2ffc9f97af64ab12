"""AQL tokens with exact source offsets: an AQL dialect of sqlglot's `Tokenizer`.

docs/surfaces.md "The surfaces": `//` and `/* */` comments, `'`/`"` strings with backslash escapes,
backtick and forward-tick (´) identifiers, `@p` / `@@c` bind parameters, `..`, `=~`, `!~`,
`::`, `[*]`; keywords are case-insensitive (compare `Tok.upper`).

Where sqlglot reads AQL wrongly, the dialect fixes it (each has a test in
tests/analyzers/test_aql_tokens.py):
- `1..10` is `1` `..` `10` (sqlglot: `1.` `.` `10`);
- `@p` / `@@c` are one token each (sqlglot: `@` `p`);
- no SQL "command" keyword swallows the rest of the text as a string;
- `=~`, `!~`, `..`, `[*]` are single operators.
A text the tokenizer cannot finish (an unterminated string or comment) ends in one
`error` token covering the rest, so callers never see an exception.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlglot.errors import TokenError
from sqlglot.tokenizer_core import TokenizerCore
from sqlglot.tokens import Tokenizer, TokenType

# kinds of Tok
WORD, IDENT, STRING, NUMBER, BIND, OP, ERROR = "word", "ident", "string", "number", "bind", "op", "error"
_OPERATORS = ("..", "=~", "!~", "::", "==", "!=", "<=", ">=", "&&", "||", "??", "[*]", "?.")
_DIGITS = frozenset("0123456789")
_HEX = frozenset("0123456789abcdefABCDEF")


@dataclass(frozen=True, slots=True)
class Tok:
    kind: str
    text: str  # exact source text, quotes included
    start: int
    end: int  # exclusive

    @property
    def upper(self) -> str:
        return self.text.upper()


class _AqlCore(TokenizerCore):
    __slots__ = ()

    def _scan_number(self) -> None:
        sql, size, end = self.sql, self.size, self._current
        if self._char == "0" and self._peek in ("x", "X", "b", "B"):
            # `0x1F` / `0b101` are one number (sqlglot without hex strings reads `0` `x1F`)
            end += 1
            while end < size and sql[end] in _HEX:
                end += 1
            self._advance(end - self._current)
            self._add(TokenType.NUMBER)
            return
        # `1..10`: the digits end before the range operator (sqlglot takes `1.` as a decimal)
        while end < size and sql[end] in _DIGITS:
            end += 1
        if sql.startswith("..", end):
            self._advance(end - self._current)
            self._add(TokenType.NUMBER)
            return
        super()._scan_number()


class AqlTokenizer(Tokenizer):
    QUOTES = ["'", '"']
    IDENTIFIERS = ["`", "\u00b4"]
    STRING_ESCAPES = ["\\"]
    IDENTIFIER_ESCAPES = ["\\"]
    COMMENTS = ["//", ("/*", "*/")]
    COMMANDS: set = set()
    HEX_STRINGS: list = []
    BIT_STRINGS: list = []
    BYTE_STRINGS: list = []
    RAW_STRINGS: list = []
    HEREDOC_STRINGS: list = []
    UNICODE_STRINGS: list = []
    NATIONAL_RAW_STRINGS: list = []
    HINT_START = "/*+-never-"
    # multi-character operators; words stay VAR and are classified by their text
    KEYWORDS = {op: TokenType.DCOLON for op in _OPERATORS}
    SINGLE_TOKENS = {k: v for k, v in Tokenizer.SINGLE_TOKENS.items() if k not in ("@", "$", "#")}
    VAR_SINGLE_TOKENS = {"@", "$", "#"}
    NUMERIC_LITERALS: dict = {}

    def _init_core(self) -> TokenizerCore:
        core = super()._init_core()
        mine = _AqlCore.__new__(_AqlCore)
        for slot in TokenizerCore.__slots__:
            if hasattr(core, slot):
                setattr(mine, slot, getattr(core, slot))
        return mine


_TOKENIZER: AqlTokenizer | None = None


def tokenize(text: str) -> list[Tok]:
    """Every token of `text` with [start, end) offsets; comments and whitespace are skipped."""
    global _TOKENIZER
    if _TOKENIZER is None:
        _TOKENIZER = AqlTokenizer()
    core = _TOKENIZER._core
    failed = False
    try:
        raw = core.tokenize(text)
    except TokenError:
        raw, failed = list(core.tokens), True
    except RecursionError:  # pragma: no cover - sqlglot scans iteratively
        raw, failed = [], True
    toks = [_convert(t) for t in raw]
    if failed:
        resume = toks[-1].end if toks else 0
        toks.append(Tok(ERROR, text[resume:], resume, len(text)))
    return toks


def _convert(token) -> Tok:
    text = token.text
    start, end = token.start, token.end + 1
    kind = token.token_type
    if kind == TokenType.STRING:
        return Tok(STRING, "", start, end)  # text filled lazily below
    if kind == TokenType.IDENTIFIER:
        return Tok(IDENT, "", start, end)
    if kind == TokenType.NUMBER:
        return Tok(NUMBER, text, start, end)
    if kind == TokenType.DCOLON:
        return Tok(OP, text, start, end)
    if text[:1] == "@":
        return Tok(BIND, text, start, end)
    if text[:1].isalpha() or text[:1] == "_" or text[:1] == "$" or (text[:1] and not text[:1].isascii()):
        return Tok(WORD, text, start, end)
    return Tok(OP, text, start, end)


def with_source(toks: list[Tok], text: str) -> list[Tok]:
    """Tokens whose `text` is the exact source slice (strings and identifiers keep their quotes)."""
    return [t if t.text else Tok(t.kind, text[t.start:t.end], t.start, t.end) for t in toks]


def string_value(tok: Tok) -> str | None:
    """The value of an AQL string token, or None when it is not a plain string literal."""
    if tok.kind != STRING or len(tok.text) < 2:
        return None
    body, out, i = tok.text[1:-1], [], 0
    simple = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(simple.get(body[i + 1], body[i + 1]))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def lex(text: str) -> list[Tok]:
    """tokenize + exact source texts: what the parser uses."""
    return with_source(tokenize(text), text)
