"""Edits for Python client code (TH201/TH202, TH301, TH401/TH402): spans of the original text.

Nothing here finds, prints or writes: the analyzer hands over the spans it found and this
module says how to change them (STYLE.md "Analyzer and codemod").
"""
from __future__ import annotations

from dataclasses import replace

from themis_lint.model import Edit, Finding, Fix, Safety

# characters a replacement may not bring into a literal body unescaped
_NEEDS_ESCAPE = frozenset("\\'\"{}\r\n")


def fits_literal(value: str) -> bool:
    """True when `value` can be written into any str literal body as is (no quote, escape, brace)."""
    return not any(c in _NEEDS_ESCAPE for c in value)


def literal_value_fix(body_start: int, body_end: int, new: str, safety: Safety) -> Fix | None:
    """Replace a literal's whole body (prefix and quotes stay); None when `new` needs escaping."""
    if not fits_literal(new):
        return None
    return Fix((Edit(body_start, body_end, new),), safety, f"Replace with `{new}`")


def without_fix_over(finding: Finding, spots: list[tuple[int, int]], why: str) -> Finding:
    """rules/docs/TH401-aql-fulltext.md: a `.format`/`%` template whose placeholders sit inside the call is
    reported only."""
    if not any(s < finding.end and finding.start < e for s, e in spots):
        return finding
    # the placeholders are the reason, even where the AQL surface saw another one in them
    message = finding.message.split(" (no automatic fix: ", 1)[0]
    return replace(finding, fix=None, message=f"{message} (no fix: {why})")


def without_fix(finding: Finding, why: str) -> Finding:
    if finding.fix is None:
        return finding
    return replace(finding, fix=None, message=f"{finding.message} (no fix: {why})")


LIBCST_MAX_CHARS = 1_000_000


def lossless_problem(text: str) -> str | None:
    """libcst's word on a module the fixes produced (docs/surfaces.md: libcst only for files that get a
    fix): it must parse into a concrete syntax tree that prints back every byte. Edits are made
    by span from the tokenizer's positions; this is the lossless check on the result. A module
    libcst's grammar does not know yet (newer Python than it supports) is left to `ast`."""
    if len(text) > LIBCST_MAX_CHARS:
        return None  # generated giants: libcst needs ~2 s and hundreds of MB per MB; `ast` checked it
    import libcst

    try:
        printed = libcst.parse_module(text).code  # printing recurses as deep as parsing (issue 18 item 7)
    except (libcst.ParserSyntaxError, RecursionError, MemoryError):
        return None
    if printed != text:
        return "libcst does not print the module back byte for byte"
    return None


def drop_argument(spans: list[tuple[int, int]], k: int) -> Edit:
    """Remove argument `k` of a call (its spans in order) with the comma that separates it."""
    start, end = spans[k]
    if k + 1 < len(spans):
        return Edit(start, spans[k + 1][0], "")
    if k > 0:
        return Edit(spans[k - 1][1], end, "")
    return Edit(start, end, "")


def index_call(spec: dict, arguments: list[tuple[str, str]]) -> str:
    """Issue 12: `add_index({"type": "persistent", "fields": ..., ...}, formatter=True)` from the
    pack's `index-call` and the call's arguments (parameter, source text), in their order."""
    keys = spec.get("keys") or {}
    items = [f'"type": "{spec["type"]}"'] if spec.get("type") else []
    items += [f'"{keys.get(param, param)}": {source}' for param, source in arguments]
    extra = f", {spec['extra']}" if spec.get("extra") else ""
    return f"{spec['method']}({{{', '.join(items)}}}{extra})"
