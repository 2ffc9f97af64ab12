"""Text for fixes in Python source: literal bodies and call arguments (TH201/TH202, TH301).

Nothing here finds, prints or writes: the finders hand over the spans they found and these
functions say what text goes there (STYLE.md "Analyzer and codemod").
"""
from __future__ import annotations

from themis_lint.model import Edit, Fix, Safety

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
