"""Python client code (*.py, *.pyi): endpoints in strings (TH201/TH202), skiplist indexes
(TH301) and embedded AQL (TH401/TH402).

Cost: the stdlib tokenizer finds the string literals and helper names; only a file with a
candidate among them is parsed with `ast`, which says where each candidate sits (call
argument, dict value, comparison operand, def). Edits are by span, so output stays byte-exact.
Literals are scanned and decoded in python_literals; the TH301 findings are in python_indexes.
"""
from __future__ import annotations

import ast
import re
import tokenize
from dataclasses import dataclass, field, replace

from themis_lint.analyzers import endpoints, index_specs, mapping_keys
from themis_lint.analyzers.python_literals import (  # names re-exported for tests
    OPAQUE, Lines, Piece, Scan, decode_group, exact_span, field_end, host_end, host_start,
    make_piece, opaque_spans, raw_body, scan_tokens)
from themis_lint.analyzers.python_indexes import (helper_findings, index_findings, is_python_helper,
                                                  own_method)
from themis_lint.edits.python_text import fits_literal
from themis_lint.context import Context
from themis_lint.model import AnalysisError, Finding
from themis_lint.parse.source import Source

NAME = "python_code"
CODES = ("TH201", "TH202", "TH301", "TH401", "TH402")
# the pack verbs this surface finds (themis_lint/primitives; tests/test_primitives.py checks the claim)
PRIMITIVES = (
    "deprecate-endpoint", "remove-endpoint", "replace-index-type", "rename-index-helper",
    "report-index-helper", "index-type-argument", "rewrite-aql-function",
)
SUFFIXES = (".py", ".pyi")
# a mapping key is at most 256 characters: an unbounded `[^)]*` rescanned the rest of the string
# from every `%(` when no `)` followed (issue 18 item 7)
_PERCENT_FIELD = re.compile(r"%(?:\([^)]{0,256}\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa]")


def wants(path: str, ctx: Context) -> bool:
    return path.endswith(SUFFIXES)


def parse_error(text: str, path: str, original: str | None = None) -> str | None:
    """The module must parse (ast, and libcst byte for byte) and hold no duplicate dict-display
    key that `original` (the text before the fixes) did not hold: Python keeps the last one."""
    try:
        tree = compile(text, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    except (ValueError, RecursionError, MemoryError) as exc:
        return str(exc) or type(exc).__name__
    before = None
    if original is not None:
        try:
            before = duplicate_keys(original, ast.parse(original))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            before = None
    introduced = mapping_keys.introduced(duplicate_keys(text, tree), before)
    if introduced or _deeper_than(tree, LIBCST_MAX_DEPTH):
        return introduced  # libcst's parser is quadratic in nesting (issue 18 item 7); `ast` checked it
    return lossless_problem(text)


LIBCST_MAX_DEPTH = 100


def _deeper_than(tree: ast.AST, limit: int) -> bool:
    """Is the syntax tree nested deeper than `limit` (a 1,000-term `+` chain is 1,000 deep)?"""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        stack += [(child, depth + 1) for child in ast.iter_child_nodes(node)]
    return False


def duplicate_keys(text: str, tree: ast.AST):
    """Extra occurrences of each key in its dict display (constants by value, f-strings by source)."""
    lines = Lines(text)
    return mapping_keys.duplicates([dict_key_identity(text, key, lines)[0] for key in node.keys]
                                   for node in ast.walk(tree) if isinstance(node, ast.Dict))


# ---- the pack's data for this surface ------------------------------------------

@dataclass(frozen=True)
class Wanted:
    """What this run looks for, from the pack and the enabled rules."""

    paths: tuple[str, ...]
    index_types: dict  # old type value -> change
    renames: dict  # helper name -> rename-index-helper change
    reports: dict  # helper name -> report-index-helper change
    aql: object  # the AQL surface module, or None (not built, or its rules are off)
    ctx: Context

    @property
    def helper_names(self) -> frozenset[str]:
        return frozenset(self.renames) | frozenset(self.reports)


def wanted(ctx: Context) -> Wanted:
    aql = aql_module() if ctx.finds("rewrite-aql-function") else None
    return Wanted(
        paths=tuple(c["path"] for c in endpoints.endpoint_changes(ctx)),
        index_types={c["old"]: c for c in ctx.changes("replace-index-type")},
        renames={c["old"]: c for c in ctx.changes("rename-index-helper") if is_python_helper(c)},
        reports={c["name"]: c for c in ctx.changes("report-index-helper") if is_python_helper(c)},
        aql=aql, ctx=ctx)


def aql_module():
    """The AQL surface (docs/CONTRACTS.md host-string API), imported only when a file needs it."""
    from themis_lint.analyzers import aql

    return aql


@dataclass(frozen=True)
class Mentions:
    """Which kinds of candidate the whole file mentions at all (a cheap first look)."""

    paths: bool
    index_types: bool
    helpers: bool
    aql: bool

    @classmethod
    def of(cls, text: str, w: Wanted) -> Mentions:
        return cls(paths=any(p in text for p in w.paths),
                   index_types=any(t in text for t in w.index_types),
                   helpers=any(name in text for name in w.helper_names),
                   aql=w.aql is not None and bool(w.aql.could_hold_aql(text, w.ctx)))

    def __bool__(self) -> bool:
        return self.paths or self.index_types or self.helpers or self.aql


# ---- analyze -------------------------------------------------------------------

@dataclass
class Candidates:
    endpoint_groups: list[list[Piece]] = field(default_factory=list)
    index_groups: dict = field(default_factory=dict)  # group start -> group
    aql_groups: dict = field(default_factory=dict)  # group start -> group
    names: list[tuple[int, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.endpoint_groups or self.index_groups or self.aql_groups or self.names)


def analyze(source: Source, ctx: Context) -> list[Finding]:
    text, path = source.text, source.path
    w = wanted(ctx)
    mentions = Mentions.of(text, w)
    if not mentions:
        return []
    lines = Lines(text)
    try:
        scan = scan_tokens(text, lines, w.helper_names)
    except (tokenize.TokenError, SyntaxError):
        raise_parse_error(text, path, lines)
        return []
    found = candidates(text, scan, w, mentions)
    if not found:
        return []
    try:
        tree = parse(text, path, lines)
    except AnalysisError as exc:  # Python 2, or broken: the literals still tell, without fixes
        return _unparsed_findings(text, found, w, ctx, exc)
    shape = Shape.of(tree, lines, ctx, w.helper_names)
    findings: list[Finding] = []
    by_key: dict[int, list[Finding]] = {}  # dict-key literal start -> its findings (issue 12)
    for group in found.endpoint_groups:
        if group[0].start in shape.dict_keys:
            by_key[group[0].start] = endpoint_findings(text, group, shape, ctx)
        else:
            findings += endpoint_findings(text, group, shape, ctx)
    findings += guarded_dict_keys(text, by_key, shape, lines)
    findings += index_findings(text, found, shape, w, ctx)
    findings += helper_findings(text, found, shape, w, ctx, lines)
    if w.aql is not None:
        for group in found.aql_groups.values():
            findings += aql_findings(text, group, shape, w.aql, ctx)
    return findings


def _unparsed_findings(text: str, found: "Candidates", w: Wanted, ctx: Context,
                       error: AnalysisError) -> list[Finding]:
    """A module the Python 3 parser rejects (Python 2 code, a syntax error) that tokenizes: its
    string literals still show endpoints and AQL; reported with TH900 and no fixes, since without
    a tree the tool cannot tell a definition from a use."""
    shape = Shape()
    findings: list[Finding] = []
    for group in found.endpoint_groups:
        findings += endpoint_findings(text, group, shape, ctx)
    if w.aql is not None:
        for group in found.aql_groups.values():
            findings += aql_findings(text, group, shape, w.aql, ctx)
    for finding in findings:
        if finding.fix is not None:
            finding.fix = None
            finding.message += " (no fix: the file does not parse as Python 3)"
    reason = f"cannot parse as {NAME}: {error.reason}; its other findings have no fixes"
    return [Finding("TH900", reason, error.offset, error.offset), *findings]


def candidates(text: str, scan: Scan, w: Wanted, mentions: Mentions) -> Candidates:
    found = Candidates(names=scan.names)
    for group in scan.groups:
        if group[0].is_bytes:  # bytes are not URLs or queries we rewrite
            continue
        raw = raw_body(text, group)
        # rules/docs/TH201-api-endpoint-deprecated.md and rules/docs/TH202-api-endpoint-removed.md: the engine's prefilter only sees a path written whole; the
        # group's joined value then decides its segment boundaries ("/_admin/log" "/entries")
        if mentions.paths and any(p in raw for p in w.paths):
            found.endpoint_groups.append(group)
        if mentions.index_types and len(group) == 1 and raw in w.index_types:
            found.index_groups[group[0].start] = group
        if mentions.aql and w.aql.could_hold_aql(raw, w.ctx):
            found.aql_groups[group[0].start] = group
    return found


def parse(text: str, path: str, lines: Lines) -> ast.Module:
    try:
        return ast.parse(text, path)
    except SyntaxError as exc:
        raise AnalysisError(_syntax_reason(exc), _syntax_offset(exc, lines)) from None
    except (ValueError, MemoryError, RecursionError) as exc:
        raise AnalysisError(str(exc) or type(exc).__name__, 0) from None


def raise_parse_error(text: str, path: str, lines: Lines) -> None:
    """The tokenizer gave up: report what the parser says (nothing when it parses after all)."""
    parse(text, path, lines)


def _syntax_reason(exc: SyntaxError) -> str:
    return f"line {exc.lineno}: {exc.msg}" if exc.lineno else exc.msg


def _syntax_offset(exc: SyntaxError, lines: Lines) -> int:
    if not exc.lineno or exc.lineno > len(lines.starts):
        return 0
    line = lines.line(exc.lineno)
    column = min(max((exc.offset or 1) - 1, 0), len(line.rstrip("\r\n")))
    return lines.starts[exc.lineno - 1] + column


# ---- where the candidates sit (ast) -------------------------------------------------

@dataclass
class Shape:
    """Structural facts about string literals and calls, keyed by host offsets."""

    query_args: set[int] = field(default_factory=set)  # first argument of a configured query call
    templates: dict[int, str] = field(default_factory=dict)  # `.format` / `%` template -> kind
    index_values: set[int] = field(default_factory=set)  # value of a `type` key in a dict literal
    helper_calls: list[tuple[int, int, str, ast.Call]] = field(default_factory=list)  # method name spans
    collections: dict[int, ast.expr] = field(default_factory=dict)  # path literal -> `collection` arg
    open_ended: set[int] = field(default_factory=set)  # left operand of `+`: more text follows
    dict_keys: dict[int, ast.Dict] = field(default_factory=dict)  # key literal start -> its dict
    helper_bodies: list[tuple[int, int, str]] = field(default_factory=list)  # `def add_skiplist_index`
    index_notes: dict[int, str] = field(default_factory=dict)  # index type literal -> why no fix
    specs: list = field(default_factory=list)  # index-type-argument entries of imported libraries
    routes: set[int] = field(default_factory=set)  # path literal of a route the code defines (endpoints.ROUTE_REASON)

    @classmethod
    def of(cls, tree: ast.Module, lines: Lines, ctx: Context, helpers: frozenset[str]) -> Shape:
        shape = cls(specs=index_specs.specs_for(ctx, lines.text, "python"))
        queries = [tuple(q.split(".")) for q in ctx.query_functions]
        defined: set[str] = set()
        compared: set[int] = set()
        calls: list[ast.Call] = []
        dicts: list[ast.Dict] = []
        for node in ast.walk(tree):  # one walk: this is the expensive part on big modules
            kind = type(node)
            if kind is ast.Call:
                calls.append(node)
            elif kind is ast.Dict:
                dicts.append(node)
            elif kind is ast.Compare:
                compared.update(id(n) for n in (node.left, *node.comparators))
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                defined.add(node.name)
                for decorator in node.decorator_list:  # `@app.route("/_admin/log")`, `@router.get(...)`
                    shape._route(decorator, lines)
                if node.name in helpers:  # issue 12: a test double or the driver's own code
                    end = lines.offset_bytes(node.end_lineno, node.end_col_offset)
                    shape.helper_bodies.append((_start(node, lines), end, node.name))
            elif kind is ast.BinOp and isinstance(node.op, ast.Mod) and _is_str(node.left):
                shape.templates[_start(node.left, lines)] = "percent"
            elif kind is ast.BinOp and isinstance(node.op, ast.Add):
                left = node.left  # the piece right before `+`: `(base + "/_admin/log/") + kind`
                while isinstance(left, ast.BinOp) and isinstance(left.op, ast.Add):
                    left = left.right
                if isinstance(left, (ast.Constant, ast.JoinedStr)):
                    shape.open_ended.add(_start(left, lines))
        for node in calls:
            shape._call(node, lines, queries, defined, helpers)
            if isinstance(node.func, ast.Attribute) and node.func.attr in _ROUTE_ADDERS:
                shape._route(node, lines)  # `app.add_url_rule("/x", ...)`, `app.router.add_get("/x", h)`
        for node in dicts:
            for key in node.keys:
                if _is_str(key) or isinstance(key, ast.JoinedStr):
                    shape.dict_keys[_start(key, lines)] = node
            if id(node) in compared:  # rules/docs/TH301-index-type-skiplist.md: `x == {"type": "skiplist"}` is a read
                continue
            for key, value in zip(node.keys, node.values):
                if _is_str(key) and key.value == "type" and _is_str(value):
                    shape.index_values.add(_start(value, lines))
                elif _is_str(key) and _is_str(value):
                    shape._dict_spec(node, key.value, value, lines)
        return shape

    def _route(self, node: ast.expr, lines: Lines) -> None:
        if isinstance(node, ast.Call) and node.args:
            literal = _url_literal(node.args[0])
            if literal is not None:
                self.routes.add(_start(literal, lines))

    def _dict_spec(self, node: ast.Dict, key: str, value: ast.Constant, lines: Lines) -> None:
        """Issue 12: `{"index_type": "skiplist", ...}`, a spec of an ORM written as a plain dict."""
        for spec in self.specs:
            if spec.get("dict-key") and spec.get("keyword") == key:
                names = {k.value for k in node.keys if _is_str(k)}
                self._spec_value(spec, value, names, None in node.keys, lines)

    def _spec_value(self, spec, value: ast.expr, names: set[str], unknown: bool, lines: Lines) -> None:
        start = _start(value, lines)
        self.index_values.add(start)
        note = index_specs.blocker(spec, names, unknown)
        if note is not None:
            self.index_notes[start] = note

    def _call_spec(self, node: ast.Call, lines: Lines) -> None:
        """Issue 12: an ORM's call that takes the index type as an argument (`IndexSpec(index_type=...)`)."""
        name = _dotted(node.func)[-1:] or ("",)
        for spec in self.specs:
            if spec["call"] != name[0]:
                continue
            value = next((kw.value for kw in node.keywords if kw.arg == spec.get("keyword")), None)
            position = spec.get("position")
            if value is None and position is not None and position < len(node.args):
                value = node.args[position]
            if _is_str(value):
                names = {kw.arg for kw in node.keywords if kw.arg}
                self._spec_value(spec, value, names, any(kw.arg is None for kw in node.keywords), lines)

    def defining_helper(self, offset: int) -> str | None:
        """The listed skiplist helper whose definition holds `offset`, if any."""
        return next((name for start, end, name in self.helper_bodies if start <= offset < end), None)

    def _call(self, node: ast.Call, lines: Lines, queries: list[tuple[str, ...]], defined: set[str],
              helpers: frozenset[str]) -> None:
        func = node.func
        if self.specs:
            self._call_spec(node, lines)
        if isinstance(func, ast.Attribute) and func.attr == "format" and _is_str(func.value):
            self.templates[_start(func.value, lines)] = "format"
        if isinstance(func, ast.Name) and func.id == "dict":
            for kw in node.keywords:
                if kw.arg == "type" and _is_str(kw.value):
                    self.index_values.add(_start(kw.value, lines))
        if isinstance(func, ast.Attribute) and func.attr in helpers and not own_method(func, defined):
            end = lines.offset_bytes(func.end_lineno, func.end_col_offset)
            self.helper_calls.append((end - len(func.attr), end, func.attr, node))
        if node.args:
            first = _template_literal(node.args[0])
            if first is not None and _matches_query(_dotted(func), queries):
                self.query_args.add(_start(first, lines))
            url = _url_literal(node.args[0])
            collection = _collection_arg(node) if url is not None else None
            if collection is not None:
                self.collections[_start(url, lines)] = collection


def _is_str(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _start(node: ast.AST, lines: Lines) -> int:
    return lines.offset_bytes(node.lineno, node.col_offset)


def _template_literal(node: ast.expr) -> ast.expr | None:
    """The string literal behind a query argument: itself, `"...".format(...)` or `"..." % x`."""
    if _is_str(node) or isinstance(node, ast.JoinedStr):
        return node
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return node.func.value if _is_str(node.func.value) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _is_str(node.left):
        return node.left
    return None


def _dotted(func: ast.expr) -> tuple[str, ...]:
    """`db.aql.execute` -> ("db", "aql", "execute"); stops at anything but a name or attribute."""
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return tuple(reversed(parts))


def _matches_query(parts: tuple[str, ...], queries: list[tuple[str, ...]]) -> bool:
    """A configured query function matches the call's trailing attribute names."""
    return any(len(parts) >= len(q) and parts[-len(q):] == q for q in queries)


def _url_literal(node: ast.expr) -> ast.expr | None:
    """The literal holding the path in a URL argument: `"/_api/..."`, `f"..."`, `base + "/_api/..."`."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        node = node.right
    return node if _is_str(node) or isinstance(node, ast.JoinedStr) else None


def _collection_arg(node: ast.Call) -> ast.expr | None:
    """The `collection` member of a dict argument (`PUT("/_api/simple/all", {"collection": "users"})`)."""
    for arg in (*node.args[1:], *(kw.value for kw in node.keywords)):
        if isinstance(arg, ast.Dict):
            for key, value in zip(arg.keys, arg.values):
                if _is_str(key) and key.value == "collection":
                    return value
    return None


# the route-registering methods of Flask, FastAPI/Starlette, aiohttp, Tornado-style routers
_ROUTE_ADDERS = frozenset({"add_url_rule", "add_api_route", "add_route", "add_get", "add_post", "add_put",
                           "add_patch", "add_delete", "add_head", "add_view", "add_api_websocket_route"})


# ---- findings ----------------------------------------------------------------------

def guarded_dict_keys(text: str, by_key: dict[int, list[Finding]], shape: Shape, lines: Lines) -> list[Finding]:
    """Issue 12: a rename that would give a dict display a key it already has keeps no fix."""
    found: list[Finding] = []
    for node in {id(shape.dict_keys[start]): shape.dict_keys[start] for start in by_key}.values():
        keys = []
        for key in node.keys:
            start = None if key is None else _start(key, lines)
            own = by_key.get(start, [])
            keys.append((*dict_key_identity(text, key, lines, own), own))
        found += mapping_keys.guard(keys)
    return found


def dict_key_identity(text: str, key: ast.expr | None, lines: Lines, findings: list[Finding] = ()):
    """(key, key after the fixes of `findings`) as Python compares them: a constant's value, an
    f-string by its source text; UNKNOWN for `**spread` and computed keys."""
    if not isinstance(key, (ast.Constant, ast.JoinedStr)):
        return mapping_keys.UNKNOWN, mapping_keys.UNKNOWN
    start, end = _start(key, lines), lines.offset_bytes(key.end_lineno, key.end_col_offset)
    source = text[start:end]
    edits = sorted((e.start - start, e.end - start, e.content) for f in findings if f.fix is not None
                   for e in f.fix.edits if start <= e.start and e.end <= end)
    new_source = source
    for s, e, content in reversed(edits):
        new_source = new_source[:s] + content + new_source[e:]
    if isinstance(key, ast.JoinedStr):
        return ("f-string", source), ("f-string", new_source)
    try:
        return key.value, ast.literal_eval(new_source)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return key.value, mapping_keys.UNKNOWN

def endpoint_findings(text: str, group: list[Piece], shape: Shape, ctx: Context) -> list[Finding]:
    """rules/docs/TH201-api-endpoint-deprecated.md and rules/docs/TH202-api-endpoint-removed.md: paths at segment boundaries in the value of every string."""
    value, runs = decode_group(text, group)
    kind = shape.templates.get(group[0].start)
    if kind is not None:  # `{}` / `%s` placeholders are substitutions
        value = _masked(value, runs, placeholder_spots(text, group, kind))
    found = []
    open_end = group[0].start in shape.open_ended  # `"/_admin/log/" + kind`
    for s, e, change in endpoints.find_paths(value, ctx, open_end):
        new = change.get("new")
        exact = exact_span(runs, s, e) and (new is None or fits_literal(new))
        finding = endpoints.path_finding(change, host_start(runs, s), host_end(runs, e), editable=exact)
        if not exact and new is not None:
            finding.message += " (no fix: the path is written with escapes or across string pieces)"
        if new is None:
            finding.message = _with_collection(finding.message, shape.collections.get(group[0].start))
        found.append(finding)
    if found and group[0].start in shape.routes:
        return endpoints.in_route(found)
    return found


def _masked(value: str, runs, spots: list[tuple[int, int]]) -> str:
    """`value` with the characters of template placeholders (host spans) as substitutions."""
    chars = list(value)
    for i in range(len(chars)):
        at = host_start(runs, i)
        if any(a <= at < b for a, b in spots):
            chars[i] = endpoints.SUBSTITUTION
    return "".join(chars)


def _with_collection(message: str, collection: ast.expr | None) -> str:
    """rules/docs/TH202-api-endpoint-removed.md: the message shows the AQL to use, with the collection when it is known."""
    if collection is None or "<collection>" not in message:
        return message
    if _is_str(collection):
        return message.replace("<collection>", collection.value)
    bind = ast.unparse(collection)
    return message.replace("<collection>", "@@coll") + f" with bind variable `@coll` = `{bind}`"


def aql_findings(text: str, group: list[Piece], shape: Shape, aql, ctx: Context) -> list[Finding]:
    """AQL inside the literal, handed to the AQL surface (docs/CONTRACTS.md host-string API)."""
    start = group[0].start
    kind = shape.templates.get(start)
    parts = [aql.HostString(raw=text[p.body_start:p.body_end], offset=p.body_start, quote=p.quote,
                            multiline=len(p.quote) == 3, opaque=opaque_spans(text, p),
                            escapes=not p.is_raw, brace_escapes=p.is_f,
                            query_call=start in shape.query_args)
             for p in group]
    found = list(aql.find_in_host_strings(parts, ctx))
    if kind is not None:
        spots = placeholder_spots(text, group, kind)
        why = f"a `{'.format' if kind == 'format' else '%'}` placeholder sits inside the call"
        found = [without_fix_over(f, spots, why) for f in found]
    return found


def placeholder_spots(text: str, group: list[Piece], kind: str) -> list[tuple[int, int]]:
    """Host spans of `.format` fields or `%` conversions in a template literal."""
    spots = []
    for p in group:
        body, base = text[p.body_start:p.body_end], p.body_start
        if kind == "percent":
            escaped = body.replace("%%", "\0\0")
            spots += [(base + m.start(), base + m.end()) for m in _PERCENT_FIELD.finditer(escaped)]
            continue
        i = body.find("{")
        while i != -1:
            if body.startswith("{{", i):
                i = body.find("{", i + 2)
                continue
            end = field_end(body, i)
            spots.append((base + i, base + end))
            i = body.find("{", end)
    return spots


# ---- findings that lose their fix, and the lossless check of a fixed module -----------------

def without_fix_over(finding: Finding, spots: list[tuple[int, int]], why: str) -> Finding:
    """rules/docs/TH401-aql-fulltext.md: a `.format`/`%` template whose placeholders sit inside the call is
    reported only."""
    if not any(s < finding.end and finding.start < e for s, e in spots):
        return finding
    # the placeholders are the reason, even where the AQL surface saw another one in them
    message = finding.message.split(" (no automatic fix: ", 1)[0]
    return replace(finding, fix=None, message=f"{message} (no fix: {why})")


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
