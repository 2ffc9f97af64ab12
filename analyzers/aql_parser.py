"""A small AQL structure parser over `aql_tokens`: clauses, calls and their arguments, precedence.

It knows just enough AQL to place a rewrite: where clauses start (`FOR … IN`, `FILTER`, `SEARCH`,
`LET`, `COLLECT`, `SORT`, `LIMIT`, `RETURN`, data-modification clauses, subqueries in
parentheses), every function call with the token range of each argument, and operator
precedence (to decide when a replacement needs parentheses). It never raises and never
recurses: brackets are matched with a stack, expressions are scanned left to right, and
anything unknown is skipped.
"""
from __future__ import annotations

from dataclasses import dataclass

from themis_lint.analyzers.aql_tokens import BIND, ERROR, IDENT, NUMBER, OP, STRING, WORD, Tok

CLAUSES = frozenset({"FOR", "FILTER", "SEARCH", "LET", "COLLECT", "SORT", "LIMIT", "RETURN", "WINDOW",
                     "INSERT", "UPDATE", "REPLACE", "REMOVE", "UPSERT", "WITH", "INTO", "OPTIONS",
                     "PRUNE", "AGGREGATE", "KEEP", "GRAPH", "OUTBOUND", "INBOUND", "ANY",
                     "SHORTEST_PATH", "K_SHORTEST_PATHS", "K_PATHS", "ALL_SHORTEST_PATHS", "IN"})
# statements an AQL query can start with (docs/surfaces.md "AQL, wherever it is")
STARTERS = frozenset({"FOR", "LET", "RETURN", "WITH", "INSERT", "UPDATE", "REPLACE", "REMOVE", "UPSERT"})
# binding power of binary operators; higher binds tighter
BINARY = {"?": 1, ":": 1, "||": 2, "OR": 2, "&&": 3, "AND": 3,
          "==": 4, "!=": 4, "LIKE": 4, "=~": 4, "!~": 4, "IN": 5,
          "<": 6, "<=": 6, ">=": 6, ">": 6, "..": 7, "+": 8, "-": 8, "*": 9, "/": 9, "%": 9}
RELATIONAL = 6
UNARY = frozenset({"!", "NOT", "-", "+"})
POSTFIX = frozenset({".", "[", "[*]", "?."})
_OPEN = {"(": ")", "[": "]", "{": "}"}
_LITERAL_WORDS = frozenset({"TRUE", "FALSE", "NULL"})


def op_of(tok: Tok) -> str:
    """The operator a token stands for ("" if none): symbols as written, word operators upper."""
    if tok.kind == OP:
        return tok.text
    if tok.kind == WORD and tok.upper in ("AND", "OR", "NOT", "IN", "LIKE"):
        return tok.upper
    return ""


def match_brackets(toks: list[Tok]) -> dict[int, int]:
    """Index of each opening bracket -> index of its closing one (unbalanced ones are left out)."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for i, tok in enumerate(toks):
        if tok.kind != OP:
            continue
        if tok.text in _OPEN:
            stack.append(i)
        elif tok.text in (")", "]", "}"):
            while stack and _OPEN[toks[stack[-1]].text] != tok.text:
                stack.pop()  # an unclosed bracket inside: skip it
            if stack:
                pairs[stack.pop()] = i
    return pairs


@dataclass(frozen=True)
class Call:
    name: int  # token index of the function name
    open: int  # index of "("
    close: int  # index of ")"
    args: tuple[tuple[int, int], ...]  # (first, last) token index of each argument, inclusive


def is_keyword(tok: Tok) -> bool:
    return tok.kind == WORD and tok.upper in CLAUSES


def find_calls(toks: list[Tok], names: frozenset[str], pairs: dict[int, int]) -> list[Call]:
    """Calls of the (upper-case) `names`: a plain name, not an attribute (`doc.fulltext(`),
    not namespaced (`LIB::FULLTEXT(`), not a quoted identifier or bind parameter."""
    calls = []
    for i, tok in enumerate(toks):
        if tok.kind != WORD or tok.upper not in names:
            continue
        if i + 1 >= len(toks) or toks[i + 1].text != "(" or toks[i + 1].kind != OP or i + 1 not in pairs:
            continue
        if i > 0 and toks[i - 1].kind == OP and toks[i - 1].text in (".", "::", "?."):
            continue
        close = pairs[i + 1]
        calls.append(Call(i, i + 1, close, split_args(toks, i + 1, close, pairs)))
    return calls


def split_args(toks: list[Tok], open_: int, close: int, pairs: dict[int, int]) -> tuple[tuple[int, int], ...]:
    args, first, i = [], open_ + 1, open_ + 1
    if first == close:
        return ()
    while i < close:
        tok = toks[i]
        if tok.kind == OP and tok.text in _OPEN and i in pairs:
            i = pairs[i] + 1
            continue
        if tok.kind == OP and tok.text == ",":
            args.append((first, i - 1))
            first = i + 1
        i += 1
    args.append((first, close - 1))
    return tuple(args)


def skip_operand(toks: list[Tok], i: int, pairs: dict[int, int], end: int) -> int | None:
    """Index after one operand starting at `i` (prefix operators, primary, postfixes); None if none."""
    while i < end and (op_of(toks[i]) in UNARY):
        i += 1
    if i >= end:
        return None
    tok = toks[i]
    if tok.kind == OP and tok.text in _OPEN:
        if i not in pairs:
            return None
        i = pairs[i] + 1
    elif tok.kind in (STRING, NUMBER, BIND, IDENT):
        i += 1
    elif tok.kind == WORD and (tok.upper not in CLAUSES or tok.upper in ("ANY",)):
        i += 1
        # function call, possibly namespaced: NAME(::NAME)*(...)
        while i + 1 < end and toks[i].text == "::" and toks[i + 1].kind == WORD:
            i += 2
        if i < end and toks[i].text == "(" and toks[i].kind == OP:
            if i not in pairs:
                return None
            i = pairs[i] + 1
    else:
        return None
    while i < end:  # postfixes: .attr, [index], [*], (call)
        t = toks[i]
        if t.kind != OP:
            break
        if t.text in (".", "?.") and i + 1 < end and toks[i + 1].kind in (WORD, IDENT, BIND):
            i += 2
        elif t.text == "[" and i in pairs:
            i = pairs[i] + 1
        elif t.text == "[*]":
            i += 1
        else:
            break
    return i


def skip_expression(toks: list[Tok], i: int, pairs: dict[int, int], end: int,
                    stops: frozenset[str] = frozenset()) -> int | None:
    """Index after an expression starting at `i` (operands joined by binary operators); an
    operator in `stops` ends it (`IN` is the target of `UPDATE x IN coll`, not a comparison)."""
    j = skip_operand(toks, i, pairs, end)
    while j is not None and j < end:
        op = op_of(toks[j])
        if op in stops:
            break
        if op == "NOT" and j + 1 < end and op_of(toks[j + 1]) in ("IN", "LIKE"):
            op, j = op_of(toks[j + 1]), j + 1
        elif toks[j].kind == WORD and toks[j].upper in ("ALL", "ANY", "NONE") and j + 1 < end \
                and op_of(toks[j + 1]) in BINARY:
            j += 1  # array comparison: ANY == x
            op = op_of(toks[j])
        if op not in BINARY:
            break
        if op == "?" and j + 1 < end and toks[j + 1].text == ":":
            j += 1  # `a ?: b`
        j = skip_operand(toks, j + 1, pairs, end)
    return j


def reads_as_aql(toks: list[Tok], pairs: dict[int, int]) -> bool:
    """docs/surfaces.md: the text starts with an AQL keyword and its first clause parses."""
    if not toks or toks[0].kind != WORD or toks[0].upper not in STARTERS:
        return False
    n, head = len(toks), toks[0].upper
    if head == "FOR":
        i = 1
        while i < n and toks[i].kind in (WORD, IDENT) and not is_keyword(toks[i]):
            i += 1
            if i < n and toks[i].text == ",":
                i += 1
            else:
                break
        if i == 1 or i >= n or toks[i].upper != "IN":
            return False
        return _clause_end_ok(toks, skip_expression(toks, i + 1, pairs, n))
    if head == "LET":
        if n < 4 or toks[1].kind not in (WORD, IDENT) or is_keyword(toks[1]) or toks[2].text != "=":
            return False
        return _clause_end_ok(toks, skip_expression(toks, 3, pairs, n))
    if head == "WITH":  # WITH coll[, coll ...] FOR ...
        i = 1
        while i < n and toks[i].kind in (WORD, IDENT, BIND) and not is_keyword(toks[i]):
            i += 1
            if i < n and toks[i].text == ",":
                i += 1
            else:
                break
        return i > 1 and i < n and toks[i].upper == "FOR"
    if head in _MODIFICATIONS:
        return _modification_parses(toks, pairs, head)
    start = 2 if n > 1 and toks[1].upper == "DISTINCT" else 1
    return _clause_end_ok(toks, skip_expression(toks, start, pairs, n))


# INSERT doc INTO coll; UPDATE/REPLACE key [WITH doc] IN coll; REMOVE key IN coll;
# UPSERT search INSERT doc UPDATE|REPLACE doc IN coll
_MODIFICATIONS = frozenset({"INSERT", "UPDATE", "REPLACE", "REMOVE", "UPSERT"})


def _modification_parses(toks: list[Tok], pairs: dict[int, int], head: str) -> bool:
    """A data-modification statement must reach its `IN`/`INTO collection` ("Replace WITHIN(...)
    with GEO_DISTANCE" is English, not a REPLACE)."""
    n, stops = len(toks), frozenset({"IN"})
    j = skip_expression(toks, 1, pairs, n, stops)
    if j is None or j >= n:
        return False
    if head == "UPSERT":
        if toks[j].upper != "INSERT":
            return False
        j = skip_expression(toks, j + 1, pairs, n, stops)
        if j is None or j >= n or toks[j].upper not in ("UPDATE", "REPLACE"):
            return False
        j = skip_expression(toks, j + 1, pairs, n, stops)
    elif head in ("UPDATE", "REPLACE") and toks[j].upper == "WITH":
        j = skip_expression(toks, j + 1, pairs, n, stops)
    if j is None or j >= n or toks[j].upper not in ("IN", "INTO"):
        return False
    return _clause_end_ok(toks, skip_operand(toks, j + 1, pairs, n))


def _clause_end_ok(toks: list[Tok], j: int | None) -> bool:
    if j is None:
        return False
    return j >= len(toks) or is_keyword(toks[j]) or toks[j].text in (")", ";") or toks[j].kind == ERROR


def needs_parens_as_operand(toks: list[Tok], first: int, last: int, pairs: dict[int, int],
                            power: int = RELATIONAL) -> bool:
    """True when tokens[first..last] hold, outside brackets, a binary operator binding no tighter
    than `power` (`a || b` as the right side of `<=` must be wrapped)."""
    i = first
    while i <= last:
        tok = toks[i]
        if tok.kind == OP and tok.text in _OPEN and i in pairs:
            i = pairs[i] + 1
            continue
        op = op_of(tok)
        if op in BINARY and BINARY[op] <= power and not (op in ("-", "+") and _is_unary(toks, i, first)):
            return True
        i += 1
    return False


def _is_unary(toks: list[Tok], i: int, first: int) -> bool:
    if i == first:
        return True
    prev = toks[i - 1]
    return (prev.kind == OP and prev.text not in (")", "]", "}", "[*]")) or op_of(prev) in BINARY or is_keyword(prev)


def replacement_needs_parens(toks: list[Tok], first: int, last: int, power: int = RELATIONAL) -> bool:
    """Would an expression binding at `power` replace tokens[first..last] only inside parentheses?

    rules/docs/TH402-aql-within.md: `NOT WITHIN(...)` -> `NOT (GEO_DISTANCE(...) <= r)`; an operand of AND/OR,
    of the ternary, or a whole FILTER condition gets none.
    """
    if first > 0:
        prev = toks[first - 1]
        op = op_of(prev)
        if op in ("!", "NOT"):
            return True
        if op in ("-", "+") and _is_unary(toks, first - 1, 0):
            return True
        if op in BINARY and BINARY[op] >= power:
            return True
    if last + 1 < len(toks):
        nxt = toks[last + 1]
        op = op_of(nxt)
        if nxt.kind == OP and nxt.text in POSTFIX:
            return True
        if op in BINARY and BINARY[op] > power:
            return True
    return False


def is_simple_path(toks: list[Tok], first: int, last: int, pairs: dict[int, int]) -> bool:
    """`doc`, `@doc`, `doc.loc[0]`, `` `d`.x ``: an operand that takes `.attr` without parentheses."""
    if first > last or toks[first].kind not in (WORD, BIND, IDENT) or is_keyword(toks[first]):
        return False
    if toks[first].kind == WORD and toks[first].upper in _LITERAL_WORDS:
        return False
    i = first + 1
    while i <= last:
        t = toks[i]
        if t.text == "." and t.kind == OP and i + 1 <= last and toks[i + 1].kind in (WORD, IDENT):
            i += 2
        elif t.text == "[" and t.kind == OP and i in pairs and pairs[i] <= last:
            i = pairs[i] + 1
        else:
            return False
    return True


def clause_follows(toks: list[Tok], after: int) -> bool:
    """Does a clause keyword, a closing `)` (subquery end) or the end of the query follow?"""
    if after >= len(toks):
        return True
    tok = toks[after]
    return is_keyword(tok) or (tok.kind == OP and tok.text in (")", ";")) or tok.kind == ERROR
