"""Edits for JavaScript/TypeScript client code (TH201/TH202, TH301): spans of the original text.

Nothing here finds, prints or writes: analyzers/js_code.py hands over what it found and this
module says how to change it (STYLE.md "Analyzer and codemod").
"""
from __future__ import annotations

from themis_lint.edits.aql import is_plain_collection
from themis_lint.model import Edit


def rename_edit(start: int, end: int, new: str) -> Edit:
    """rules/docs/TH301-index-type-skiplist.md: a helper call keeps its arguments; only the method name changes."""
    return Edit(start, end, new)


def body_edit(body_start: int, body_end: int, value: str) -> Edit:
    """Replace a literal's body with `value` (plain text that needs no escaping), quotes kept."""
    return Edit(body_start, body_end, value)


def simple_all_query(receiver: str, quote: str, name: str | None, expression: str | None) -> str:
    """rules/docs/TH202-api-endpoint-removed.md: `X._connection.PUT('/_api/simple/all', {collection: c})` as `X._query(...)`.

    `name` is the collection when the call names it with a plain string literal; otherwise
    `expression` is the source text of the collection value, passed as the `@@coll` bind parameter.
    The written strings use the quote character of the original path literal.
    """
    q = quote
    if name is not None:
        return f"{receiver}._query({q}FOR doc IN {name} RETURN doc{q})"
    return f"{receiver}._query({q}FOR doc IN @@coll RETURN doc{q}, {{{q}@coll{q}: {expression}}})"


def aql_for(name: str | None, bound: bool = False) -> str:
    """The AQL a TH202 message shows for a simple/all call on collection `name`."""
    if bound or (name is not None and not is_plain_collection(name)):
        return "FOR doc IN @@coll RETURN doc (bind parameter `@coll`: the collection name)"
    return f"FOR doc IN {name or '<collection>'} RETURN doc"
