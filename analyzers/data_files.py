"""Data-file surface: JSON and YAML values (TH201/TH202 endpoint paths, TH301 skiplist index definitions,
TH401/TH402 in JSON `"query"` members, handed to the AQL surface).

RULES.md "Surfaces" (HTTP calls, index definitions) and "URLs in data": every string value and key of
every JSON/YAML file counts, docker-compose and Kubernetes manifests included. Server config files
are scanned too: the server-config surface reports only TH1xx there, so nothing is found twice; a
config file that does not parse is left to that surface's TH900.
"""
from __future__ import annotations

from themis_lint.parse import json_spans, yaml_nodes
from themis_lint.analyzers.endpoints import endpoint_changes, find_paths, path_finding
from themis_lint.analyzers.server_config import is_config_name
from themis_lint.edits import data_files as edits
from themis_lint.context import Context
from themis_lint.model import AnalysisError, Finding, Fix, Safety

NAME = "data_files"
CODES = ("TH201", "TH202", "TH301", "TH401", "TH402")
NO_FIX_NOTE = " (no fix: the string has escape sequences)"
# comment-tolerant JSON (JSONC) that strict parsing rejects: not ours to call broken
JSONC_NAMES = ("tsconfig", "jsconfig", "devcontainer", ".eslintrc", "settings.json", "launch.json",
               "tasks.json", "extensions.json", "keybindings.json")


def wants(path: str, ctx: Context) -> bool:
    return path.endswith((".json", ".yaml", ".yml"))


def triggers(path: str, ctx: Context) -> tuple[bytes, ...]:
    """Only literals this surface can act on: paths, index types, AQL functions (JSON only)."""
    literals = [c["path"] for c in endpoint_changes(ctx)]
    literals += [c["old"] for c in ctx.changes("replace-index-type")]
    if path.endswith(".json"):
        literals += [c["function"] for c in ctx.changes("rewrite-aql-function")]
    return tuple(lit.lower().encode() for lit in literals)


def parse_error(text: str, path: str) -> str | None:
    try:
        if path.endswith(".json"):
            json_spans.parse(text, allow_duplicates=True)
        else:
            yaml_nodes.compose(text)
    except json_spans.JSONSpanError as exc:
        return exc.reason
    except AnalysisError as exc:
        return exc.reason
    return None


def analyze(text: str, path: str, ctx: Context) -> list[Finding]:
    try:
        if path.endswith(".json"):
            return json_findings(text, path, ctx)
        return yaml_findings(text, ctx)
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


def skiplist_finding(change, span: tuple[int, int], inner: int | None, ctx: Context) -> Finding:
    """RULES.md TH301: a `type: skiplist` beside `fields`; the fix keeps the string's quotes."""
    old, new = change["old"], change["new"]
    fix = None
    if inner is not None:
        fix = Fix((edits.replace_value(inner, old, new),), Safety.SAFE, f"Use index type `{new}`")
    message = f"index type `{old}` is deprecated in ThemisDB {ctx.pack.to_version}; use `{new}`"
    if fix is None:
        message += NO_FIX_NOTE
    return Finding(change.code, message, span[0], span[1], fix, replacement_since=change.replacement_since)


# ---- JSON -----------------------------------------------------------------

def json_findings(text: str, path: str, ctx: Context) -> list[Finding]:
    try:
        root = json_spans.parse(text, allow_duplicates=True)
    except json_spans.JSONSpanError as exc:
        raise AnalysisError(f"invalid JSON: {exc.reason}", exc.offset) from exc
    found: list[Finding] = []
    index_changes = ctx.changes("replace-index-type")
    for node in json_spans.walk(root):
        if node.kind == "string":
            found += string_findings(text, node.value, _json_inner(text, node.start, node.end, node.value),
                                     (node.start, node.end), ctx)
        elif node.kind == "object":
            for member in node.members:
                found += string_findings(text, member.key,
                                         _json_inner(text, member.key_start, member.key_end, member.key),
                                         (member.key_start, member.key_end), ctx)
            found += _json_index_findings(text, node, index_changes, ctx)
    found += json_query_findings(text, path, ctx)
    return found


def _json_inner(text: str, start: int, end: int, value: str) -> int | None:
    return start + 1 if text[start + 1:end - 1] == value else None


def _json_index_findings(text: str, node: json_spans.JNode, changes, ctx: Context) -> list[Finding]:
    keys = {m.key: m.value for m in node.members}
    kind = keys.get("type")
    if kind is None or kind.kind != "string" or "fields" not in keys:
        return []
    inner = _json_inner(text, kind.start, kind.end, kind.value)
    return [skiplist_finding(c, (kind.start, kind.end), inner, ctx) for c in changes if kind.value == c["old"]]


def json_query_findings(text: str, path: str, ctx: Context) -> list[Finding]:
    """`"query"` members (request bodies, saved queries) go to the AQL surface."""
    if not (ctx.enabled("TH401") or ctx.enabled("TH402")) or '"query"' not in text:
        return []
    from themis_lint.analyzers import aql

    if not aql.could_hold_aql(text):
        return []
    return aql.find_in_json_queries(text, 0, ctx, path)


# ---- YAML -----------------------------------------------------------------

def yaml_findings(text: str, ctx: Context) -> list[Finding]:
    found: list[Finding] = []
    index_changes = ctx.changes("replace-index-type")
    for node in yaml_nodes.walk(yaml_nodes.compose(text)):  # an alias is visited once, never expanded
        if yaml_nodes.is_scalar(node):
            found += _scalar_findings(text, node, ctx)
        elif yaml_nodes.is_mapping(node):
            found += _yaml_index_findings(text, node, index_changes, ctx)
    return found


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


def _scalar_findings(text: str, node, ctx: Context) -> list[Finding]:
    inner = scalar_inner(text, node)
    # block and plain scalars have no escapes: a path in their source text is the path in the value
    raw = _span(node) if yaml_nodes.style(node) in (None, "|", ">") else None
    return string_findings(text, node.value, inner, _span(node), ctx, raw)


def _yaml_index_findings(text: str, node, changes, ctx: Context) -> list[Finding]:
    keys = {k.value: v for k, v in node.value if yaml_nodes.is_scalar(k)}
    kind = keys.get("type")
    if kind is None or not yaml_nodes.is_scalar(kind) or "fields" not in keys:
        return []
    inner = scalar_inner(text, kind)
    return [skiplist_finding(c, _span(kind), inner, ctx) for c in changes if kind.value == c["old"]]


def template_findings(text: str, ctx: Context) -> list[Finding]:
    """A Go-templated YAML file (Helm) does not parse: its paths are found in the raw text."""
    return string_findings(text, text, 0, (0, len(text)), ctx)
