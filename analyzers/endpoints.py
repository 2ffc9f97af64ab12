"""TH201/TH202: endpoint paths inside any string value, matched at segment boundaries.

Shared by every surface that sees strings (Python, JS/TS, shell words, YAML/JSON values).
"""
from __future__ import annotations

import re

from themis_lint.context import Context
from themis_lint.model import Edit, Finding, Fix, Safety
from themis_lint.packs import Change

CODES = ("TH201", "TH202")
# rules/docs/TH201-api-endpoint-deprecated.md and rules/docs/TH202-api-endpoint-removed.md: `/_admin/log` must not match `/_admin/log/entries` or `/_admin/logger`
_PATH_CHAR = re.compile(r"[A-Za-z0-9_.~%/-]")


def endpoint_changes(ctx: Context) -> list[Change]:
    return ctx.changes("deprecate-endpoint") + ctx.changes("remove-endpoint")


# stands for a substitution (`{x}`, `${x}`) in a decoded value: unknown text, maybe a segment
SUBSTITUTION = "\0"


def find_paths(value: str, ctx: Context, open_end: bool = False) -> list[tuple[int, int, Change]]:
    """(start, end, change) of every endpoint path in `value`, at segment boundaries.

    `open_end`: the value is a piece followed by a substitution (a template chunk), so a slash
    at its very end starts another segment rather than closing the URL.
    """
    hits = []
    for change in endpoint_changes(ctx):
        path = change["path"]
        i = value.find(path)
        while i != -1:
            after = i + len(path)
            if _ends_segment(value, after, open_end):
                hits.append((i, after, change))
            i = value.find(path, i + 1)
    return sorted(hits, key=lambda h: h[0])


def _ends_segment(value: str, at: int, open_end: bool = False) -> bool:
    if at >= len(value) or not _PATH_CHAR.match(value[at]):
        return True
    if value[at] != "/":
        return False
    # a trailing slash closing the URL is still the same endpoint; one followed by a substitution
    # (`/_admin/log/${kind}`) opens another segment: `/_admin/log/level` is not `/_admin/log`
    nxt = at + 1
    if nxt == len(value):
        return not open_end
    return value[nxt] != SUBSTITUTION and not _PATH_CHAR.match(value[nxt])


def message(change: Change) -> str:
    path, new, verb = change["path"], change.get("new"), change.verb
    if change.primitive == "deprecate-endpoint":
        method = f" ({change['method']})" if change.get("method") else ""
        return verb.message("deprecated", path=path, new=new, method=method)
    advice = change.get("advice")
    if new:
        return verb.message("removed", path=path, new=new, advice=f" ({advice})" if advice else "")
    return verb.message("removed-no-replacement", path=path, advice=advice or "rewrite this call")


def safety(change: Change) -> Safety:
    if not change.get("new"):
        return Safety.NONE
    return Safety.SAFE if change.primitive == "deprecate-endpoint" else Safety.UNSAFE


def path_finding(change: Change, start: int, end: int, editable: bool = True) -> Finding:
    """A finding for a path occupying host offsets [start, end); a fix when it has a new path."""
    fix = None
    if editable and safety(change) is not Safety.NONE:
        fix = Fix((Edit(start, end, change["new"]),), safety(change), change.verb.message("fix", new=change["new"]))
    return Finding(change.code, message(change), start, end, fix,
                   replacement_since=change.replacement_since)


def findings_in_value(value: str, offset: int | None, ctx: Context, *, start: int = 0,
                      end: int | None = None, open_end: bool = False) -> list[Finding]:
    """Findings for a string whose value maps one to one onto host text at `offset`.

    With offset None (the value cannot be mapped: escapes), findings span [start, end) and get
    no fix.
    """
    found = []
    for s, e, change in find_paths(value, ctx, open_end):
        if offset is None:
            found.append(path_finding(change, start, end if end is not None else start, editable=False))
        else:
            found.append(path_finding(change, offset + s, offset + e))
    return found


# A path that is the first argument of a route definition is what the code itself serves
# (`app.get('/_admin/log', (req, res) => ...)`, `@app.route("/_admin/log")`), not a request to
# ThemisDB: renaming it changes the application's own API. It may also be a mock of ThemisDB
# in a test (msw, a fake server), so it stays a finding, without a fix.
ROUTE_REASON = ("it is a route this code serves, not a request to ThemisDB: rename it by hand only if "
                "it stands in for ThemisDB's API (a mock, a proxy)")
ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "del", "all", "use", "head", "options",
                           "route"})
ROUTER_NAMES = frozenset({"app", "router", "server", "routes", "route", "fastify", "koa", "express"})
ERROR_PARAMETERS = frozenset({"err", "error", "e", "er", "ex", "exc"})  # `request.get(url, (err, res) => ...)`


def in_route(findings: list[Finding]) -> list[Finding]:
    """The findings of a route definition's path: reported, never fixed (ROUTE_REASON)."""
    from themis_lint.analyzers.mapping_keys import without_fixes

    return without_fixes(findings, ROUTE_REASON)

