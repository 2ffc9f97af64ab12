"""AQL surface: FULLTEXT (TH401) and WITHIN (TH402) in `.aql` files, JSON `"query"` members and
host-language string literals (the API in docs/CONTRACTS.md, "AQL host-string API").

A query is decoded from its host literal into a value (aql_host), tokenized with the sqlglot AQL
dialect (aql_tokens), structured by aql_parser, and each deprecated call becomes a finding whose
edits are mapped back to host offsets (aql_rules; replacement text in edits/aql_text.py).
"""
from __future__ import annotations

import re
from typing import Sequence

from themis_lint.analyzers.aql_host import HostString, HostValue, decode, plain_value
from themis_lint.context import Context
from themis_lint.model import AnalysisError, Finding
from themis_lint.parse.source import Source

# sqlglot (aql_tokens), the parser and the rules are imported only when a query is analysed:
# deciding whether a file wants this surface must not cost sqlglot's import time

NAME = "aql"
CODES = ("TH401", "TH402")
# the pack verbs this surface finds (themis_lint/primitives; tests/test_primitives.py checks the claim)
PRIMITIVES = ("rewrite-aql-function",)
__all__ = ["HostString", "HostValue", "could_hold_aql", "find_in_host_string", "find_in_host_strings",
           "find_in_json_queries", "wants", "analyze", "parse_error"]

# ----------------------------------------------------------------------------- public API

def could_hold_aql(text: str, ctx: Context | None = None) -> bool:
    """Cheap test: a deprecated function name followed by `(` (case-insensitive)."""
    return _call_pattern(ctx).search(text) is not None


_PATTERNS: dict[tuple[str, ...], re.Pattern] = {}


def _call_pattern(ctx: Context | None) -> re.Pattern:
    names = tuple(sorted(ctx.aql_functions())) if ctx is not None else ("FULLTEXT", "WITHIN")
    if names not in _PATTERNS:
        alternation = "|".join(re.escape(n) for n in names) or "(?!)"
        _PATTERNS[names] = re.compile(rf"(?i)(?<![\w.:@`$])(?:{alternation})\s*\(")
    return _PATTERNS[names]


def find_in_host_string(host: HostString, ctx: Context) -> list[Finding]:
    return find_in_host_strings([host], ctx)


def find_in_host_strings(parts: Sequence[HostString], ctx: Context) -> list[Finding]:
    """Findings (host offsets) for the AQL in one host string value made of `parts`."""
    if not parts or ctx is None or not ctx.aql_functions():
        return []
    if not any(could_hold_aql(p.raw, ctx) for p in parts) and len(parts) == 1:
        return []
    value = decode(parts)
    if not could_hold_aql(value.text, ctx):
        return []
    from themis_lint.analyzers import aql_parser as P
    from themis_lint.analyzers.aql_rules import find_calls_in
    from themis_lint.analyzers.aql_tokens import lex

    toks = lex(value.text)
    pairs = P.match_brackets(toks)
    if not any(p.known_aql for p in parts) and not P.reads_as_aql(toks, pairs):
        return []
    return find_calls_in(value, toks, pairs, ctx)


def find_in_json_queries(text: str, base: int, ctx: Context, path: str = "", taken: str = "",
                         root=None) -> list[Finding]:
    """Every string `"query"` member of the JSON `text` (at host offset `base`); `root`: the
    text's span tree when the caller parsed it already."""
    from themis_lint.parse import json_spans

    if not could_hold_aql(text, ctx):
        return []
    try:
        root = root or json_spans.parse(text, allow_duplicates=True)
    except json_spans.JSONSpanError:
        return []
    found: list[Finding] = []
    for node in json_spans.walk(root):
        for member in node.members:
            if member.key == "query" and member.value.kind == "string":
                v = member.value
                host = HostString(text[v.start + 1:v.end - 1], base + v.start + 1, '"', json=True,
                                  query_call=True, taken=taken)
                found += find_in_host_string(host, ctx)
    return found


# ----------------------------------------------------------------------------- surface contract

def wants(path: str, ctx: Context) -> bool:
    return path.lower().endswith(".aql")


def warm() -> None:
    """Import the tokenizer (sqlglot) now (a worker does it while discovery walks: runner.Workers)."""
    from themis_lint.analyzers import aql_rules, aql_tokens  # noqa: F401


def analyze(source: Source, ctx: Context) -> list[Finding]:
    text = source.text
    from themis_lint.analyzers import aql_parser as P
    from themis_lint.analyzers.aql_rules import find_calls_in
    from themis_lint.analyzers.aql_tokens import ERROR, lex

    value = plain_value(text)
    toks = lex(text)
    if toks and toks[-1].kind == ERROR:
        raise AnalysisError(_error_reason(toks[-1]), toks[-1].start)
    return find_calls_in(value, toks, P.match_brackets(toks), ctx)


def parse_error(text: str, path: str, original: str | None = None) -> str | None:
    """The AQL must lex and its brackets pair up (`original`: the contract's text before the fixes,
    unused: AQL has no mappings whose keys a fix renames)."""
    from themis_lint.analyzers import aql_parser as P
    from themis_lint.analyzers.aql_tokens import ERROR, lex

    toks = lex(text)
    if toks and toks[-1].kind == ERROR:
        return _error_reason(toks[-1])
    pairs = P.match_brackets(toks)
    opened = sum(1 for t in toks if t.kind == "op" and t.text in "([{")
    if len(pairs) != opened or sum(1 for t in toks if t.kind == "op" and t.text in ")]}") != opened:
        return "unbalanced brackets"
    return None


def _error_reason(tok) -> str:
    rest = tok.text.lstrip()
    if rest.startswith("/*"):
        return "unterminated /* comment"
    if rest[:1] in ("'", '"'):
        return "unterminated string literal"
    return "cannot tokenize the query"
