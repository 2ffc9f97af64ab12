"""Data-file surface: JSON and YAML values (TH201/TH202 endpoint paths, TH301 skiplist index definitions,
TH401/TH402 in JSON `"query"` members, handed to the AQL surface).

docs/surfaces.md "The surfaces" (HTTP calls, index definitions) and "URLs in data": every string value and key of
every JSON/YAML file counts, docker-compose and Kubernetes manifests included. Server config files
are scanned too: the server-config surface reports only TH1xx there, so nothing is found twice; a
config file that does not parse is left to that surface's TH900.
"""
from __future__ import annotations

from themis_lint.parse import json_spans, yaml_nodes
from themis_lint.parse.source import Source
from themis_lint.analyzers import mapping_keys
from themis_lint.analyzers.endpoints import endpoint_changes, find_paths, path_finding
from themis_lint.analyzers.server_config import is_config_name
from themis_lint.analyzers.server_state import RECORDED_NOTE, Scope
from themis_lint.context import Context
from themis_lint.model import AnalysisError, Edit, Finding, Fix, Safety

NAME = "data_files"
CODES = ("TH201", "TH202", "TH301", "TH401", "TH402")
# the pack verbs this surface finds (themis_lint/primitives; tests/test_primitives.py checks the claim)
PRIMITIVES = ("deprecate-endpoint", "remove-endpoint", "replace-index-type", "rewrite-aql-function")
NO_FIX_NOTE = " (no fix: the string has escape sequences)"
# comment-tolerant JSON (JSONC) that strict parsing rejects: not ours to call broken
JSONC_NAMES = ("tsconfig", "jsconfig", "devcontainer", ".eslintrc", "settings.json", "launch.json",
               "tasks.json", "extensions.json", "keybindings.json")


def wants(path: str, ctx: Context) -> bool:
    return path.endswith((".json", ".yaml", ".yml"))


def warm() -> None:
    """Import the YAML libraries now (a worker does it while discovery walks: runner.Workers)."""
    yaml_nodes.warm()


def triggers(path: str, ctx: Context) -> tuple[bytes, ...]:
    """Only literals this surface can act on: paths, index types, AQL functions (JSON only)."""
    return ctx.trigger_bytes(PRIMITIVES if path.endswith(".json") else _YAML_PRIMITIVES)


_YAML_PRIMITIVES = tuple(p for p in PRIMITIVES if p != "rewrite-aql-function")  # no "query" members in YAML


def parse_error(text: str, path: str, original: str | None = None) -> str | None:
    """The text must parse, and hold no duplicate key that `original` (the text before the fixes)
    did not hold: a JSON or YAML reader keeps one of two equal keys and drops the other."""
    try:
        kind = "json" if path.endswith(".json") else "yaml"
        before = None if original is None else mapping_keys.duplicate_keys(original, kind)
        return mapping_keys.introduced(mapping_keys.duplicate_keys(text, kind), before)
    except json_spans.JSONSpanError as exc:
        return exc.reason
    except AnalysisError as exc:
        return exc.reason


def analyze(source: Source, ctx: Context) -> list[Finding]:
    text, path = source.text, source.path
    try:
        if path.endswith(".json"):
            return json_findings(source, ctx)
        return yaml_findings(source, ctx)
    except AnalysisError:
        if is_config_name(path, ctx):
            return []  # the server-config surface reports it (one TH900, not two)
        if path.endswith(".json") and _is_jsonc(path):
            return []
        if not path.endswith(".json") and "{{" in text:
            return template_findings(text, ctx)
        raise


def _is_jsonc(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.startswith(JSONC_NAMES) or "/.vscode/" in f"/{path}"


# ---- strings --------------------------------------------------------------

def string_findings(text: str, value: str, inner: int | None, span: tuple[int, int], ctx: Context,
                    raw: tuple[int, int] | None = None) -> list[Finding]:
    """TH201/TH202 in one string.

    `inner`: offset where `value` stands as-is in the text (no escapes), else None. `raw`: a region
    without escape mechanisms (YAML block and multi-line plain scalars) where each path stands
    literally; its hits are used when they agree with the value's. Otherwise report only at `span`.
    """
    hits = find_paths(value, ctx)
    if not hits:
        return []
    if inner is not None:
        return [path_finding(c, inner + s, inner + e) for s, e, c in hits]
    if raw is not None:
        raw_hits = find_paths(text[raw[0]:raw[1]], ctx)
        if [c["path"] for _, _, c in raw_hits] == [c["path"] for _, _, c in hits]:
            return [path_finding(c, raw[0] + s, raw[0] + e) for s, e, c in raw_hits]
    found = []
    for _, _, change in hits:
        finding = path_finding(change, span[0], span[1], editable=False)
        finding.message += NO_FIX_NOTE if change.get("new") else ""
        found.append(finding)
    return found


def skiplist_finding(change, span: tuple[int, int], inner: int | None, ctx: Context,
                     scope: Scope | None = None) -> Finding:
    """rules/docs/TH301-index-type-skiplist.md: a `type: skiplist` beside `fields`; the fix keeps the string's quotes.
    Issue 12: in recorded server state (an agency dump) report only."""
    old, new = change["old"], change["new"]
    scope = scope or Scope()
    fix = None
    if inner is not None and not scope.recorded:
        fix = Fix((Edit(inner, inner + len(old), new),), Safety.SAFE, change.verb.message("fix", new=new))
    message = change.verb.message("deprecated", old=old, new=new, version=ctx.version_of(change, "deprecated"))
    if scope.recorded:
        message += RECORDED_NOTE
    elif fix is None:
        message += NO_FIX_NOTE
    return Finding(change.code, message, span[0], span[1], fix, replacement_since=change.replacement_since)


# ---- JSON -----------------------------------------------------------------

def json_findings(source: Source, ctx: Context) -> list[Finding]:
    text, path = source.text, source.path
    try:
        root = source.json()
    except json_spans.JSONSpanError as exc:
        raise AnalysisError(f"invalid JSON: {exc.reason}", exc.offset) from exc
    found: list[Finding] = []
    index_changes = ctx.changes("replace-index-type")
    stack = [(root, Scope())]  # depth first without recursion, each node with its scope
    while stack:
        node, scope = stack.pop()
        if node.kind == "string":
            found += string_findings(text, node.value, _json_inner(text, node.start, node.end, node.value),
                                     (node.start, node.end), ctx)
        elif node.kind == "array":
            stack += [(item, scope) for item in reversed(node.items)]
        elif node.kind == "object":
            found += mapping_keys.guard([_json_key(text, member, ctx) for member in node.members])
            scope = scope.enter({m.key: m.value for m in node.members}, _json_scalar, _json_members)
            found += _json_index_findings(text, node, index_changes, ctx, scope)
            stack += [(m.value, scope) for m in reversed(node.members)]
    found += json_query_findings(text, path, ctx, root)
    return found


def _json_scalar(node: json_spans.JNode) -> str | None:
    if node.kind == "literal":
        return "null" if node.value is None else str(node.value).lower()
    return str(node.value) if node.kind in ("string", "number") else None


def _json_members(node: json_spans.JNode) -> dict | None:
    return {m.key: m.value for m in node.members} if node.kind == "object" else None


def _json_key(text: str, member: json_spans.JMember, ctx: Context) -> tuple:
    """(key, key after its fixes, findings in it): issue 12's collision guard decides on them."""
    inner = _json_inner(text, member.key_start, member.key_end, member.key)
    found = string_findings(text, member.key, inner, (member.key_start, member.key_end), ctx)
    return member.key, mapping_keys.renamed(member.key, inner, found), found


def _json_inner(text: str, start: int, end: int, value: str) -> int | None:
    return start + 1 if text[start + 1:end - 1] == value else None


def _json_index_findings(text: str, node: json_spans.JNode, changes, ctx: Context,
                         scope: Scope) -> list[Finding]:
    keys = {m.key: m.value for m in node.members}
    kind = keys.get("type")
    if kind is None or kind.kind != "string" or "fields" not in keys or scope.system:
        return []
    inner = _json_inner(text, kind.start, kind.end, kind.value)
    return [skiplist_finding(c, (kind.start, kind.end), inner, ctx, scope) for c in changes
            if kind.value == c["old"]]


def json_query_findings(text: str, path: str, ctx: Context, root=None) -> list[Finding]:
    """`"query"` members (request bodies, saved queries) go to the AQL surface."""
    if not ctx.finds("rewrite-aql-function") or '"query"' not in text:
        return []
    from themis_lint.analyzers import aql

    if not aql.could_hold_aql(text):
        return []
    return aql.find_in_json_queries(text, 0, ctx, path, root=root)


# ---- YAML -----------------------------------------------------------------

def yaml_findings(source: Source, ctx: Context) -> list[Finding]:
    text, found = source.text, []
    index_changes = ctx.changes("replace-index-type")
    stack, seen = [(doc, Scope()) for doc in reversed(source.yaml())], set()
    while stack:
        node, scope = stack.pop()
        if id(node) in seen:  # an alias is visited once, never expanded
            continue
        seen.add(id(node))
        if yaml_nodes.is_scalar(node):
            found += _scalar_findings(text, node, ctx)
        elif yaml_nodes.is_sequence(node):
            stack += [(item, scope) for item in reversed(node.value)]
        elif yaml_nodes.is_mapping(node):
            keys = []
            scope = scope.enter(_yaml_members(node), _yaml_scalar, _yaml_members)
            for key, value in reversed(node.value):
                keys.insert(0, _yaml_key(text, key, ctx))
                stack += [(value, scope)] if yaml_nodes.is_scalar(key) else [(value, scope), (key, scope)]
            found += mapping_keys.guard(keys)
            found += _yaml_index_findings(text, node, index_changes, ctx, scope)
    return found


def _yaml_scalar(node) -> str | None:
    return node.value if yaml_nodes.is_scalar(node) else None


def _yaml_members(node) -> dict | None:
    if not yaml_nodes.is_mapping(node):
        return None
    return {k.value: v for k, v in node.value if yaml_nodes.is_scalar(k)}


_span = yaml_nodes.span


def scalar_inner(text: str, node) -> int | None:
    """Offset where a scalar's value stands as-is in the text (single-line plain or quoted, no escapes)."""
    start, end = _span(node)
    value, style = node.value, yaml_nodes.style(node)
    if style is None and text[start:end].endswith(value):
        return end - len(value)
    if style in ("'", '"') and text[end - 1:end] == style:
        inner = end - 1 - len(value)
        if inner > start and text[inner - 1] == style and text[inner:end - 1] == value:
            return inner
    return None


def _yaml_key(text: str, key, ctx: Context) -> tuple:
    """(key, key after its fixes, findings in it) of a mapping key (UNKNOWN for complex keys)."""
    if not yaml_nodes.is_scalar(key):
        return mapping_keys.UNKNOWN, mapping_keys.UNKNOWN, []
    found = _scalar_findings(text, key, ctx)
    return key.value, mapping_keys.renamed(key.value, scalar_inner(text, key), found), found


def _scalar_findings(text: str, node, ctx: Context) -> list[Finding]:
    inner = scalar_inner(text, node)
    # block and plain scalars have no escapes: a path in their source text is the path in the value
    raw = _span(node) if yaml_nodes.style(node) in (None, "|", ">") else None
    return string_findings(text, node.value, inner, _span(node), ctx, raw)


def _yaml_index_findings(text: str, node, changes, ctx: Context, scope: Scope) -> list[Finding]:
    keys = _yaml_members(node)
    kind = keys.get("type")
    if kind is None or not yaml_nodes.is_scalar(kind) or "fields" not in keys or scope.system:
        return []
    inner = scalar_inner(text, kind)
    return [skiplist_finding(c, _span(kind), inner, ctx, scope) for c in changes if kind.value == c["old"]]


def template_findings(text: str, ctx: Context) -> list[Finding]:
    """A Go-templated YAML file (Helm) does not parse: its paths are found in the raw text."""
    return string_findings(text, text, 0, (0, len(text)), ctx)
