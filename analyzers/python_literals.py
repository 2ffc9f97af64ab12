"""Python string literals for the python_code surface: where they are and what they say.

`scan_tokens` finds string tokens with the stdlib tokenizer and groups implicit
concatenation (a 3.12+ f-string is one piece), noting helper names on the way; `decode_group`
gives a group's value (escapes and `{{` decoded, f-string substitutions as OPAQUE) with `Run`s
mapping each value character back to host offsets. A fix is only made where a value span is
written char for char (`exact_span`).
"""
from __future__ import annotations

import re
import sys
import token
import tokenize
import unicodedata
from dataclasses import dataclass, field

from themis_lint.text import LineIndex

_PREFIX = re.compile(r"[A-Za-z]*")


def _c_tokenizer():
    if sys.version_info[:2] != (3, 11):
        return None
    try:
        from _tokenize import TokenizerIter
    except ImportError:  # not CPython
        return None
    return TokenizerIter


_C_TOKENIZER = _c_tokenizer()
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)  # Python 3.12+ splits f-strings
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)
_GROUP_GLUE = (tokenize.NL, tokenize.COMMENT)  # implicit concatenation may span lines and comments
_ESCAPE = re.compile(r"\\(?:(\r\n|\n|\r)|([0-7]{1,3})|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})"
                     r"|U([0-9a-fA-F]{8})|N\{([^}\r\n]*)\}|([\s\S])|$)")
_SIMPLE_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n",
                   "r": "\r", "t": "\t", "v": "\v"}
OPAQUE = "\0"  # stands for an f-string substitution in a decoded value: never part of a path


class Lines(LineIndex):
    """The one line model (Python's too: `\\r\\n`, `\\r`, `\\n`), with token and ast positions."""

    def offset(self, row: int, column: int) -> int:
        """Offset of 1-based row and 0-based character column (tokenize)."""
        return self.starts[min(row, len(self.starts)) - 1] + column

    def offset_bytes(self, row: int, column: int) -> int:
        """Offset of 1-based row and 0-based UTF-8 byte column (ast); -1 when out of range."""
        if not 1 <= row <= len(self.starts):
            return -1
        line = self.line(row)
        if not line.isascii():
            column = len(line.encode("utf-8")[:column].decode("utf-8", "ignore"))
        return self.starts[row - 1] + column

    def readline(self):
        rows = iter(range(1, len(self.starts) + 1))

        def read() -> str:
            row = next(rows, None)
            if row is None:
                return ""
            line = self.line(row)
            # the pure-Python tokenizer only knows `\r?\n`; same length keeps columns
            return line[:-1] + "\n" if line.endswith("\r") else line
        return read


@dataclass(frozen=True)
class Piece:
    """One string literal token: `start` at its prefix, body between the quotes."""

    start: int
    end: int
    prefix: str  # lower case
    quote: str
    body_start: int
    body_end: int

    @property
    def is_bytes(self) -> bool:
        return "b" in self.prefix

    @property
    def is_raw(self) -> bool:
        return "r" in self.prefix

    @property
    def is_f(self) -> bool:
        return "f" in self.prefix


def make_piece(text: str, start: int, end: int) -> Piece | None:
    token = text[start:end]
    prefix = _PREFIX.match(token).group(0)
    rest = token[len(prefix):]
    quote = rest[:3] if rest[:3] in ('"""', "'''") else rest[:1]
    if quote not in ('"', "'", '"""', "'''") or len(rest) < 2 * len(quote) or not rest.endswith(quote):
        return None
    return Piece(start, end, prefix.lower(), quote, start + len(prefix) + len(quote), end - len(quote))


@dataclass
class Scan:
    """What the tokenizer saw: string groups (implicit concatenation) and helper names."""

    groups: list[list[Piece]] = field(default_factory=list)
    names: list[tuple[int, str]] = field(default_factory=list)


def scan_tokens(text: str, lines: Lines, helper_names: frozenset[str]) -> Scan:
    """String groups and helper names, from CPython 3.11's C tokenizer when it takes the text,
    else (another Python, or a text it rejects: a tab/space mix, a stray `$`, Python 2 backticks)
    from the stdlib's pure-Python one, which reads on past such errors."""
    fast = _scan_c_tokens(text, lines, helper_names)
    return fast if fast is not None else scan_python_tokens(text, lines, helper_names)


def _scan_c_tokens(text: str, lines: Lines, helper_names: frozenset[str]) -> Scan | None:
    """Python 3.11 only (3.12's `tokenize` is this tokenizer already): `_tokenize.TokenizerIter`,
    5x faster than `tokenize` on the real-client corpus's drivers (issue 17). It yields no NL or
    COMMENT tokens, so consecutive STRING tokens are exactly the implicitly concatenated groups the
    pure tokenizer glues across NL and COMMENT; its columns are UTF-8 byte offsets, as ast's.

    None when the pure tokenizer must decide: a text this one rejects, and one it does not read to
    the end: it stops without a word at an unindent to no outer level, and reads to EOF inside
    brackets or after a backslash, all of which the pure one rejects (a TH900 then).
    tests/analyzers/test_python_tokens.py holds the two to the same answer."""
    if _C_TOKENIZER is None or text.rstrip("\r\n").endswith("\\"):
        return None
    scan, group, depth, end = Scan(), [], 0, (1, 0)
    try:
        for string, kind, row, end_row, column, end_column, _ in _C_TOKENIZER(text):
            if kind == tokenize.STRING:
                _add_piece(text, lines.offset_bytes(row, column), lines.offset_bytes(end_row, end_column), group)
            elif group:
                scan.groups.append(group)
                group = []
            if kind in _OPENERS:
                depth += 1
            elif kind in _CLOSERS:
                depth -= 1
            elif kind == tokenize.NAME and string in helper_names:
                scan.names.append((lines.offset_bytes(row, column), string))
            if end_column >= 0:  # INDENT and DEDENT have no place
                end = max(end, (end_row, end_column))
    except Exception:  # noqa: BLE001  anything it rejects is the pure tokenizer's to read (or reject)
        return None
    if depth or not _AFTER_LAST_TOKEN.fullmatch(text, lines.offset_bytes(*end)):
        return None
    if group:
        scan.groups.append(group)
    return scan


_OPENERS = frozenset({token.LPAR, token.LSQB, token.LBRACE})
_CLOSERS = frozenset({token.RPAR, token.RSQB, token.RBRACE})
_AFTER_LAST_TOKEN = re.compile(r"(?:[ \t\f\r\n]+|#[^\r\n]*)*")  # what a tokenizer read to the end leaves


def scan_python_tokens(text: str, lines: Lines, helper_names: frozenset[str]) -> Scan:
    """scan_tokens with the stdlib's pure-Python tokenizer."""
    scan, group, fstring_depth, fstart = Scan(), [], 0, 0
    for tok in tokenize.generate_tokens(lines.readline()):
        kind = tok.type
        if fstring_depth:  # 3.12+: everything up to the matching FSTRING_END is one literal
            if kind == _FSTRING_START:
                fstring_depth += 1
            elif kind == _FSTRING_END:
                fstring_depth -= 1
                if not fstring_depth:
                    _add_piece(text, fstart, lines.offset(*tok.end), group)
            continue
        if kind == tokenize.STRING:
            _add_piece(text, lines.offset(*tok.start), lines.offset(*tok.end), group)
        elif kind == _FSTRING_START:
            fstring_depth, fstart = 1, lines.offset(*tok.start)
        elif kind not in _GROUP_GLUE:
            if group:
                scan.groups.append(group)
                group = []
            if kind == tokenize.NAME and tok.string in helper_names:
                scan.names.append((lines.offset(*tok.start), tok.string))
    if group:
        scan.groups.append(group)
    return scan


def _add_piece(text: str, start: int, end: int, group: list[Piece]) -> None:
    piece = make_piece(text, start, end)
    if piece is not None:
        group.append(piece)


def raw_body(text: str, group: list[Piece]) -> str:
    return "".join(text[p.body_start:p.body_end] for p in group)


# ---- decoded values ----------------------------------------------------------

@dataclass(frozen=True)
class Run:
    """Decoded value [vstart, vend) comes from host text [hstart, hend); exact = char for char."""

    vstart: int
    vend: int
    hstart: int
    hend: int
    exact: bool
    piece: int


def decode_group(text: str, group: list[Piece]) -> tuple[str, list[Run]]:
    """The group's value (escapes, `{{` decoded; substitutions as OPAQUE) and where it comes from."""
    chunks: list[str] = []
    runs: list[Run] = []
    v = 0
    for k, piece in enumerate(group):
        for chunk, hs, he, exact in piece_chunks(text, piece):
            chunks.append(chunk)
            runs.append(Run(v, v + len(chunk), hs, he, exact, k))
            v += len(chunk)
    return "".join(chunks), runs


def piece_chunks(text: str, piece: Piece):
    """(value, host start, host end, exact) for each literal run, escape, `{{` and substitution."""
    body, base = text[piece.body_start:piece.body_end], piece.body_start
    specials = ("{}" if piece.is_f else "") + ("" if piece.is_raw else "\\")
    i, n = 0, len(body)
    while i < n:
        j = i
        while j < n and body[j] not in specials:
            j += 1
        if j > i:
            yield body[i:j], base + i, base + j, True
            i = j
            continue
        c = body[i]
        if c == "\\":
            value, j = decode_escape(body, i)
            yield value, base + i, base + j, False
        elif body[i:i + 2] in ("{{", "}}"):
            yield c, base + i, base + i + 2, False
            j = i + 2
        elif c == "{":
            j = field_end(body, i)
            yield OPAQUE, base + i, base + j, False
        else:  # a lone `}` (a syntax error in Python; kept as text)
            j = i + 1
            yield c, base + i, base + j, True
        i = j


def decode_escape(body: str, i: int) -> tuple[str, int]:
    """The value of the escape sequence at body[i] (a backslash) and the index after it."""
    m = _ESCAPE.match(body, i)
    newline, octal, hex2, u4, u8, name, other = m.groups()
    try:
        if newline is not None:
            value = ""
        elif octal is not None:
            value = chr(int(octal, 8))
        elif hex2 or u4 or u8:
            value = chr(int(hex2 or u4 or u8, 16))
        elif name is not None:
            value = unicodedata.lookup(name)
        elif other is not None:
            value = _SIMPLE_ESCAPES.get(other, "\\" + other)
        else:
            value = "\\"
    except (ValueError, KeyError):
        value = m.group(0)
    return value, m.end()


def field_end(body: str, i: int) -> int:
    """Index after the f-string replacement field that opens at body[i] == `{`."""
    depth, j, n = 0, i + 1, len(body)
    while j < n:
        c = body[j]
        if c in "'\"":
            j = _string_end(body, j)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return j + 1
            depth -= 1
        elif c == ":" and depth == 0:
            return _format_spec_end(body, j + 1)
        j += 1
    return n


def _format_spec_end(body: str, j: int) -> int:
    depth, n = 0, len(body)
    while j < n:
        if body[j] == "{":
            depth += 1
        elif body[j] == "}":
            if depth == 0:
                return j + 1
            depth -= 1
        j += 1
    return n


def _string_end(body: str, j: int) -> int:
    quote = body[j:j + 3] if body[j:j + 3] in ('"""', "'''") else body[j]
    k, n = j + len(quote), len(body)
    while k < n:
        if body[k] == "\\":
            k += 2
        elif body.startswith(quote, k):
            return k + len(quote)
        else:
            k += 1
    return n


def opaque_spans(text: str, piece: Piece) -> tuple[tuple[int, int], ...]:
    """f-string `{...}` substitutions, relative to the body, delimiters included."""
    if not piece.is_f:
        return ()
    return tuple((hs - piece.body_start, he - piece.body_start)
                 for chunk, hs, he, exact in piece_chunks(text, piece) if chunk == OPAQUE and not exact)


def host_start(runs: list[Run], v: int) -> int:
    for r in runs:
        if r.vstart <= v < r.vend:
            return r.hstart + (v - r.vstart if r.exact else 0)
    return runs[-1].hend if runs else 0


def host_end(runs: list[Run], v: int) -> int:
    for r in runs:
        if r.vstart < v <= r.vend:
            return r.hstart + (v - r.vstart) if r.exact else r.hend
    return runs[0].hstart if runs else 0


def exact_span(runs: list[Run], s: int, e: int) -> bool:
    """The value range [s, e) is written char for char in one piece of the host text."""
    touched = [r for r in runs if r.vstart < e and s < r.vend]
    return bool(touched) and all(r.exact for r in touched) and len({r.piece for r in touched}) == 1
