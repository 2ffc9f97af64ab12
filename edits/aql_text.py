"""Replacement text for TH401 (FULLTEXT -> SEARCH ANALYZER) and TH402 (WITHIN -> GEO_DISTANCE).

Pure text builders: the analyzer (analyzers/aql.py) decides where and whether; this module says
what the new AQL reads. Arguments are copied as written; generated AQL uses upper-case keywords
and function names (docs/surfaces.md).
"""
from __future__ import annotations

import re

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_AQL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# AQL keywords cannot name a collection after `FOR doc IN` without backticks
_AQL_KEYWORDS = frozenset(
    "aggregate all and any asc collect desc distinct false filter for graph in inbound insert into "
    "k_paths k_shortest_paths let like limit none not null or outbound remove replace return "
    "shortest_path sort true update upsert window with search prune options at least".split())


def is_plain_collection(name: str) -> bool:
    """A collection name that can follow `FOR doc IN` as it is."""
    return bool(_AQL_NAME.match(name)) and name.lower() not in _AQL_KEYWORDS


def collection_name(name: str) -> str | None:
    """A collection named by a string (`FULLTEXT('chunks', ...)`) as the identifier `FOR v IN`
    takes: as it is when plain, else in backticks; None when not even backticks can hold it."""
    if is_plain_collection(name):
        return name
    if not name or any(ch in "`\\" or ord(ch) < 32 or ch == "\x7f" for ch in name):
        return None
    return f"`{name}`"


def attribute_path(var: str, attribute: str, quote: str) -> str:
    """`doc` + `meta.long-name` -> `doc.meta["long-name"]` (rules/docs/TH401-aql-fulltext.md)."""
    out = var
    for part in attribute.split("."):
        out += f".{part}" if _IDENTIFIER.match(part) else f"[{quote}{part}{quote}]"
    return out


def search_clause(field: str, query: str, analyzer: str, quote: str) -> str:
    a = f"{quote}{analyzer}{quote}"
    return f"SEARCH ANALYZER({field} IN TOKENS({query}, {a}), {a})"


def geo_condition(doc: str, lat: str, lon: str, radius: str, names: dict, quote: str) -> str:
    """`GEO_DISTANCE([doc.longitude, doc.latitude], [lon, lat]) <= radius`: GeoJSON order."""
    lon_attr = attribute_path(doc, str(names["longitude"]), quote)
    lat_attr = attribute_path(doc, str(names["latitude"]), quote)
    return f"GEO_DISTANCE([{lon_attr}, {lat_attr}], [{lon}, {lat}]) <= {radius}"


def parenthesized(text: str) -> str:
    return f"({text})"


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
