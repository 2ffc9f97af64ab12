"""JavaScript/TypeScript client code: endpoint strings, skiplist indexes, embedded AQL (tree-sitter).

tree-sitter reports UTF-8 byte offsets; every offset leaving this module is a str offset into
the decoded text (docs/CONTRACTS.md). Parsing, offsets and string literals are in js_syntax.
"""
from __future__ import annotations

import re

from dataclasses import replace

from themis_lint.analyzers import endpoints, index_specs, mapping_keys
from themis_lint.analyzers.js_syntax import (  # Offsets: re-exported for tests
    Literal, Offsets, Parsed, callee_names, decode, grammar_of, key_name, literal, literals, named_args,
    parse, tools)
from themis_lint.edits import aql_text
from themis_lint.context import Context
from themis_lint.model import Edit, Finding, Fix, Safety
from themis_lint.parse.source import Source

NAME = "js_code"
CODES = ("TH201", "TH202", "TH301", "TH401", "TH402")
# the pack verbs this surface finds (themis_lint/primitives; tests/test_primitives.py checks the claim)
PRIMITIVES = (
    "deprecate-endpoint", "remove-endpoint", "replace-index-type", "rename-index-helper",
    "report-index-helper", "index-type-argument", "rewrite-aql-function",
)

# the recognised shape of rules/docs/TH202-api-endpoint-removed.md's unsafe fix
SIMPLE_ALL_PATH = "/_api/simple/all"
SIMPLE_ALL_METHODS = ("PUT", "put")

_wide_triggers: dict[tuple[bytes, ...], tuple[bytes, ...]] = {}


def wants(path: str, ctx: Context) -> bool:
    return grammar_of(path) is not None


def warm() -> None:
    """Load the grammars now (a worker does it while discovery walks: runner.Workers)."""
    from themis_lint.analyzers.js_syntax import GRAMMARS, tools

    for grammar in set(GRAMMARS.values()):
        tools(grammar)


def triggers(path: str, ctx: Context) -> tuple[bytes, ...]:
    """The trigger literals of the verbs it finds, also as UTF-16 so the byte prefilter sees
    UTF-16 sources."""
    base = ctx.trigger_bytes(PRIMITIVES)
    if base not in _wide_triggers:
        wide = tuple(t.decode("utf-8").encode(enc) for t in base for enc in ("utf-16-le", "utf-16-be"))
        _wide_triggers[base] = base + wide
    return _wide_triggers[base]


def parse_error(text: str, path: str, original: str | None = None) -> str | None:
    """The file must parse, and hold no duplicate object-literal key that `original` (the text
    before the fixes) did not hold: JavaScript keeps the last one, silently."""
    parsed = parse(text, path)
    if parsed.problem is None:
        before = None
        if original is not None and (old := parse(original, path)).problem is None:
            before = duplicate_keys(old)
        return mapping_keys.introduced(duplicate_keys(parse(text, path)), before)
    from themis_lint.text import LineIndex

    row, col = LineIndex(text).position(parsed.problem_at)
    return f"{parsed.problem} (line {row}, column {col})"


def duplicate_keys(parsed: Parsed):
    """Extra occurrences of each key in its object literal (accessors `get x`/`set x` apart)."""
    import tree_sitter

    query = _object_query(parsed.grammar)
    objects = tree_sitter.QueryCursor(query).captures(parsed.tree.root_node).get("object", [])
    return mapping_keys.duplicates([member_key(parsed, m, {})[0] for m in named_args(obj)] for obj in objects)


_object_queries: dict[str, object] = {}


def _object_query(grammar: str):
    if grammar not in _object_queries:
        import tree_sitter

        _object_queries[grammar] = tree_sitter.Query(tools(grammar)[0].language, "(object) @object")
    return _object_queries[grammar]


# ---- TH201 / TH202 ---------------------------------------------------------------

def find_endpoints(parsed: Parsed, lits: list[Literal], ctx: Context) -> list[Finding]:
    found: list[Finding] = []
    keyed: dict[tuple[int, int], tuple[object, dict]] = {}  # object literal -> its key literals
    for lit in lits:
        simple = _simple_all_finding(parsed, lit, ctx)
        if simple is not None:
            found.append(simple)
            continue
        here = [f for lo, hi in lit.chunks() for f in _chunk_endpoints(lit, lo, hi, ctx)]
        if here and _route_definition(parsed, lit.node):
            here = endpoints.in_route(here)
        obj = _object_of_key(lit.node)
        if obj is None or not here:
            found += here
        else:
            keyed.setdefault((obj.start_byte, obj.end_byte), (obj, {}))[1][_span_key(lit.node)] = (lit, here)
    for obj, own in keyed.values():  # issue 12: no rename into a key the object already has
        found += mapping_keys.guard([member_key(parsed, member, own) for member in named_args(obj)])
    return found


def _route_definition(parsed: Parsed, node) -> bool:
    """Is the literal the path of a route the code defines: the first argument of
    `<x>.get|post|...|use(path, handler)` whose handler is a function taking a request (not an
    error-first callback, `request.get(url, (err, res) => ...)`), or a handler name on an object
    named like a router (`router.get('/x', getLogs)`)?"""
    parent = node.parent
    if parent is None or parent.type != "arguments" or not parsed.source(node)[1:].startswith("/"):
        return False
    args = named_args(parent)
    call = parent.parent
    if len(args) < 2 or args[0].start_byte != node.start_byte or call is None or call.type != "call_expression":
        return False
    callee = call.child_by_field_name("function")
    if callee is None or callee.type != "member_expression":
        return False
    method = callee.child_by_field_name("property")
    if method is None or parsed.source(method) not in endpoints.ROUTE_METHODS:
        return False
    handler = args[-1]
    if handler.type in ("arrow_function", "function_expression", "function"):
        single = handler.child_by_field_name("parameter")
        params = [single] if single is not None else named_args(handler.child_by_field_name("parameters") or handler)
        first = parsed.source(params[0]).split(":")[0].strip() if params and params[0] is not None else ""
        return first not in endpoints.ERROR_PARAMETERS
    receiver = callee.child_by_field_name("object")
    if receiver is not None and receiver.type == "member_expression":
        receiver = receiver.child_by_field_name("property")
    return (handler.type in ("identifier", "member_expression") and receiver is not None
            and parsed.source(receiver) in endpoints.ROUTER_NAMES)


def _span_key(node) -> tuple[int, int]:
    return node.start_byte, node.end_byte


def _object_of_key(node):
    """The object literal of which `node` (a string or template literal) is a key, else None."""
    parent = node.parent
    if parent is not None and parent.type == "computed_property_name":
        node, parent = parent, parent.parent
    if parent is None or parent.type != "pair" or parent.child_by_field_name("key") != node:
        return None
    obj = parent.parent
    return obj if obj is not None and obj.type == "object" else None


def member_key(parsed: Parsed, member, own: dict) -> tuple:
    """(key, key after its fixes, findings in it) of one object-literal member; `own` maps key
    literal spans to (literal, findings). UNKNOWN for spreads and computed keys."""
    unknown = (mapping_keys.UNKNOWN, mapping_keys.UNKNOWN, [])
    if member.type == "shorthand_property_identifier":
        name = parsed.source(member)
        return name, name, []
    if member.type == "method_definition":
        key = member.child_by_field_name("name")
        name = key_name(parsed, key) if key is not None else None
        accessor = member.children[0].type if member.children[0].type in ("get", "set") else None
        if name is None:
            return unknown
        identity = (accessor, name) if accessor else name
        return identity, identity, []
    if member.type != "pair" or (key := member.child_by_field_name("key")) is None:
        return unknown
    if key.type == "computed_property_name":
        inner = named_args(key)
        if len(inner) != 1 or inner[0].type not in ("string", "template_string"):
            return unknown
        key = inner[0]
    if key.type not in ("string", "template_string"):
        name = key_name(parsed, key)
        return (name, name, []) if name is not None else unknown
    lit, found = own.get(_span_key(key)) or (literal(parsed, key), [])
    return (*_literal_key(lit, found), found)


def _literal_key(lit: Literal, found: list[Finding]) -> tuple:
    """A string key's value before and after its fixes (a template with `${}` by its source)."""
    raw = mapping_keys.renamed(lit.raw, lit.body, found)
    if lit.opaque:
        return ("template", lit.raw), ("template", raw)
    return lit.value(), decode(raw) if lit.escapes and "\\" in raw else raw


def _chunk_endpoints(lit: Literal, lo: int, hi: int, ctx: Context) -> list[Finding]:
    raw = lit.raw[lo:hi]
    open_end = hi < len(lit.raw)  # a `${...}` follows this chunk
    if not lit.escapes or "\\" not in raw:
        return endpoints.findings_in_value(raw, lit.body + lo, ctx, open_end=open_end)
    # escapes: fix only when the raw text shows the same paths as the value (docs/surfaces.md: edit the text)
    exact = endpoints.find_paths(raw, ctx, open_end)
    value_hits = endpoints.find_paths(decode(raw), ctx, open_end)
    if [h[2]["path"] for h in exact] == [h[2]["path"] for h in value_hits]:
        return endpoints.findings_in_value(raw, lit.body + lo, ctx, open_end=open_end)
    return [endpoints.path_finding(change, lit.start, lit.end, editable=False) for _, _, change in value_hits]


def _simple_all_finding(parsed: Parsed, lit: Literal, ctx: Context) -> Finding | None:
    """rules/docs/TH202-api-endpoint-removed.md: `X._connection.PUT('/_api/simple/all', {collection: c})` -> `X._query(...)`."""
    if lit.raw != SIMPLE_ALL_PATH or lit.quote not in "'\"":
        return None
    change = next((c for c in ctx.changes("remove-endpoint") if c["path"] == SIMPLE_ALL_PATH), None)
    if change is None:
        return None
    shape = _simple_all_shape(parsed, lit)
    if shape is None:
        hint = _collection_hint(parsed, lit)
        message = (f"`{SIMPLE_ALL_PATH}` is removed with no replacement; "
                   f"use an AQL query: {aql_text.aql_for(hint)}")
        return Finding(change.code, message, lit.body, lit.body_end, None,
                       replacement_since=change.replacement_since)
    call, receiver, name, expression = shape
    start, end = parsed.span(call)
    new = aql_text.simple_all_query(receiver, lit.quote, name, expression)
    aql = aql_text.aql_for(name, bound=name is None)
    message = f"`{SIMPLE_ALL_PATH}` is removed with no replacement; use an AQL query: {aql}"
    fix = Fix((Edit(start, end, new),), Safety.UNSAFE, f"Replace the call with `{new}`")
    # the replacement is an AQL query, which every version runs: --keep-compatible-with keeps it
    return Finding(change.code, message, lit.body, lit.body_end, fix, replacement_since=None)


def _simple_all_shape(parsed: Parsed, lit: Literal) -> tuple | None:
    """(call, receiver text, collection name or None, collection expression or None)."""
    args = lit.node.parent
    if args is None or args.type != "arguments" or args.parent is None:
        return None
    call = args.parent
    values = named_args(args)
    if (call.type != "call_expression" or len(values) != 2 or values[0] != lit.node
            or values[1].type != "object" or call.child_by_field_name("type_arguments") is not None
            or _has_comment(args)):
        return None
    callee = call.child_by_field_name("function")
    if callee is None or callee.type != "member_expression" or _optional(callee):
        return None
    method, connection = callee.child_by_field_name("property"), callee.child_by_field_name("object")
    if method is None or parsed.source(method) not in SIMPLE_ALL_METHODS:
        return None
    if connection is None or connection.type != "member_expression" or _optional(connection):
        return None
    prop, receiver = connection.child_by_field_name("property"), connection.child_by_field_name("object")
    if prop is None or parsed.source(prop) != "_connection" or receiver is None:
        return None
    collection = _collection_value(parsed, values[1])
    if collection is None:
        return None
    return (call, parsed.source(receiver), *collection)


def _collection_hint(parsed: Parsed, lit: Literal) -> str | None:
    """The collection a call that is not the recognised shape names, for the message."""
    args = lit.node.parent
    values = named_args(args) if args is not None and args.type == "arguments" else []
    if len(values) < 2 or values[0] != lit.node or values[1].type != "object":
        return None
    for member in named_args(values[1]):
        key, value = member.child_by_field_name("key"), member.child_by_field_name("value")
        if member.type == "pair" and key is not None and key_name(parsed, key) == "collection" \
                and value is not None and value.type == "string":
            return literal(parsed, value).value()
    return None


def _collection_value(parsed: Parsed, obj) -> tuple[str | None, str | None] | None:
    members = named_args(obj)
    if len(members) != 1:
        return None  # other options (batchSize, limit, ...) have no place in the plain query
    member = members[0]
    if member.type == "shorthand_property_identifier" and parsed.source(member) == "collection":
        return None, "collection"
    if member.type != "pair":
        return None
    key, value = member.child_by_field_name("key"), member.child_by_field_name("value")
    if key is None or value is None or key_name(parsed, key) != "collection":
        return None
    if value.type == "string":
        raw = literal(parsed, value).raw
        if "\\" not in raw and aql_text.is_plain_collection(raw):
            return raw, None
    return None, parsed.source(value)



def _optional(member) -> bool:
    return any(c.type == "optional_chain" for c in member.children)


def _has_comment(node) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "comment":
            return True
        stack += n.children
    return False


# ---- TH301 -------------------------------------------------------------------------

def find_skiplist_types(parsed: Parsed, lits: list[Literal], ctx: Context) -> list[Finding]:
    """rules/docs/TH301-index-type-skiplist.md: `{type: 'skiplist'}` in an object literal; reads and comparisons are not found."""
    found = []
    specs = index_specs.specs_for(ctx, parsed.text, "javascript")
    for change in ctx.changes("replace-index-type"):
        for lit in lits:
            if lit.raw != change["old"] or lit.opaque:
                continue
            if not _is_type_property(parsed, lit.node) and not _is_spec_argument(lit.node, specs):
                continue
            fix = Fix((Edit(lit.body, lit.body_end, change["new"]),), Safety.SAFE,
                      change.verb.message("fix", new=change["new"]))
            message = change.verb.message("deprecated", old=change["old"], new=change["new"],
                                          version=ctx.version_of(change, "deprecated"))
            helper = defining_helper(parsed, lit.node, helper_names(ctx))
            if helper is not None:
                fix, message = None, message + INSIDE_HELPER.format(helper)
            found.append(Finding(change.code, message, lit.start, lit.end, fix,
                                 replacement_since=change.replacement_since))
    return found


# issue 12: a skiplist definition inside `createSkipList(...) { ... }` is a test double's or the
# driver's own: rewriting it changes what that code sends, not a client's index
INSIDE_HELPER = (" (no fix: it is inside a definition of `{}`, a test double or driver code whose "
                 "behaviour the rewrite would change)")
_FUNCTIONS = ("function_expression", "function", "arrow_function", "generator_function")


def helper_names(ctx: Context) -> frozenset[str]:
    """Every listed skiplist helper, renamed or report-only, of any language."""
    return frozenset([c["old"] for c in ctx.changes("rename-index-helper")]
                     + [c["name"] for c in ctx.changes("report-index-helper")])


def defining_helper(parsed: Parsed, node, names: frozenset[str]) -> str | None:
    """The listed helper whose definition (function, method, `name: function`, `X.name = () =>`)
    holds `node`, if any."""
    while node is not None:
        name = _defined_name(parsed, node)
        if name in names:
            return name
        node = node.parent
    return None


def _defined_name(parsed: Parsed, node) -> str | None:
    kind = node.type
    if kind in ("function_declaration", "generator_function_declaration", "method_definition", *_FUNCTIONS):
        name = node.child_by_field_name("name")
        if name is not None:
            return key_name(parsed, name) if name.type != "identifier" else parsed.source(name)
        holder = node.parent  # an anonymous function named by where it is stored
        if holder is None:
            return None
        if holder.type == "pair":
            key = holder.child_by_field_name("key")
            return key_name(parsed, key) if key is not None else None
        if holder.type == "variable_declarator":
            name = holder.child_by_field_name("name")
            return parsed.source(name) if name is not None and name.type == "identifier" else None
        if holder.type == "assignment_expression":
            left = holder.child_by_field_name("left")
            prop = left.child_by_field_name("property") if left is not None and left.type == "member_expression" else None
            return parsed.source(prop) if prop is not None else None
    return None


def _is_spec_argument(node, specs) -> bool:
    """Issue 12: the index type argument of an imported library's call (`@Index('skiplist')`,
    or type-arango's `@Index(type => 'skiplist')`: an arrow function returning it)."""
    args = node.parent
    if args is not None and args.type == "arrow_function" and args.child_by_field_name("body") == node:
        node, args = args, args.parent
    if not specs or args is None or args.type != "arguments" or args.parent is None:
        return False
    names = callee_names(args.parent) if args.parent.type == "call_expression" else []
    values = named_args(args)
    return any(names[-1:] == [spec["call"]] and spec.get("position") is not None
               and spec["position"] < len(values) and values[spec["position"]] == node for spec in specs)


def _is_type_property(parsed: Parsed, node) -> bool:
    pair = node.parent
    if pair is None or pair.type != "pair" or pair.parent is None or pair.parent.type != "object":
        return False
    value, key = pair.child_by_field_name("value"), pair.child_by_field_name("key")
    return value == node and key is not None and key_name(parsed, key) == "type"


def find_index_helpers(parsed: Parsed, ctx: Context) -> list[Finding]:
    """rules/docs/TH301-index-type-skiplist.md: calls of skiplist helpers; method definitions are not calls."""
    renames = {c["old"]: c for c in ctx.changes("rename-index-helper") if _for_js(c)}
    reports = {c["name"]: c for c in ctx.changes("report-index-helper") if _for_js(c)}
    if not renames and not reports:
        return []
    if not any(name in parsed.text for name in (*renames, *reports)):
        return []
    import tree_sitter

    query = tools(parsed.grammar)[2]
    found = []
    defined: dict[str, bool] = {}
    for node in tree_sitter.QueryCursor(query).captures(parsed.tree.root_node).get("name", []):
        name = node.text.decode("utf-8", "replace")
        if name not in renames and name not in reports:
            continue
        start, end = parsed.span(node)
        if parsed.errors and parsed.broken(start, end):
            continue
        if name in renames:
            change = renames[name]
            fix = Fix((Edit(start, end, change["new"]),), Safety.SAFE,
                      change.verb.message("fix", new=change["new"]))
            message = change.verb.message("deprecated-call", name=name, new=change["new"],
                                          version=ctx.version_of(change, "deprecated"))
            if name not in defined:  # once per name, not per call: 4,000 calls took 32 s
                defined[name] = _defines(parsed.text, name)
            if defined[name]:  # a wrapper or a test double: renaming the call alone breaks it
                fix = None
                message += f" (no fix: this file defines its own `{name}`; rename it with its callers)"
            elif (why := _arguments_blocker(node, change)) is not None:
                fix = None
                message += f" (no fix: {why})"
        else:
            change, fix = reports[name], None
            advice = change.get("advice") or "create a persistent index instead"
            message = change.verb.message("report-call", name=name, advice=advice,
                                          version=ctx.version_of(change, "deprecated"))
        found.append(Finding(change.code, message, start, end, fix,
                             replacement_since=change.replacement_since))
    return found


def _arguments_blocker(name_node, change) -> str | None:
    """Issue 12: JS passes arguments by position only, so a rename keeps a call only when its
    arguments all fall in the parameters both declared signatures share, in order."""
    from themis_lint.packs import parse_signature

    old = parse_signature(change["signature"]["old"])
    new = parse_signature(change["signature"]["new"])
    shared = 0
    while shared < min(len(old), len(new)) and old[shared].name == new[shared].name:
        shared += 1
    call = name_node.parent
    while call is not None and call.type != "call_expression":
        call = call.parent
    args = call.child_by_field_name("arguments") if call is not None else None
    values = named_args(args) if args is not None and args.type == "arguments" else []
    if any(v.type == "spread_element" for v in values) and shared < len(old):
        return "a spread argument cannot be matched to the parameters"
    if len(values) > shared:
        return f"`{change['new']}` does not take the arguments past the first {shared} the same way"
    return None


def _defines(text: str, name: str) -> bool:
    r"""Does the file define `name` (a method, function or property function)?

    Linear in the text (issue 18 item 7): `function *name` has one optional `*` between blanks
    (two `\s*` around `\*?` split a run of blanks every way), and a return-type annotation is
    at most RETURN_TYPE_MAX characters: an unbounded `[^{;]*` rescanned the rest of the line from
    every `name():` in it. A `[^()]*` parameter list stops at the next parenthesis, which every
    later `name(` holds, so those scans never overlap.
    """
    n = re.escape(name)
    return re.search(rf"\bfunction\s*(?:\*\s*)?{n}\b"
                     rf"|(?:^|[;{{}}\s]){n}\s*\([^()]*\)\s*(?::[^{{;]{{0,{RETURN_TYPE_MAX}}})?\{{"
                     rf"|\b{n}\s*[:=]\s*(?:async\s*)?(?:function\b|\([^()]*\)\s*=>)", text, re.M) is not None


RETURN_TYPE_MAX = 300


def _for_js(change) -> bool:
    return change.get("language") in (None, "javascript", "typescript")


# ---- TH401 / TH402 ---------------------------------------------------------------------

def find_embedded_aql(parsed: Parsed, lits: list[Literal], ctx: Context) -> list[Finding]:
    """Strings that may hold AQL, handed to the AQL surface as host strings (CONTRACTS.md)."""
    from themis_lint.analyzers import aql

    by_node = {(lit.node.start_byte, lit.node.end_byte): lit for lit in lits}
    done: set[tuple[int, int]] = set()
    found: list[Finding] = []
    for lit in lits:
        if not aql.could_hold_aql(lit.raw, ctx):
            continue
        top = _concatenation_top(lit.node)
        key = (top.start_byte, top.end_byte)
        if key in done:
            continue
        done.add(key)
        query_call = _is_query_argument(top, ctx)
        template = _is_aql_template(top)
        binding = template or _is_tagged(top, "query")  # @arangodb's `query` binds as `aql` does
        runs, starts_value = _literal_runs(parsed, top, by_node)
        for i, run in enumerate(runs):
            first = starts_value and i == 0
            hosts = [_host(aql, part, query_call and first, template, binding) for part in run]
            found += aql.find_in_host_strings(hosts, ctx)
    return found


def _host(aql, lit: Literal, query_call: bool, known_aql: bool = False, binds: bool = False):
    return aql.HostString(raw=lit.raw, offset=lit.body, quote=lit.quote, multiline=lit.quote == "`",
                          opaque=lit.opaque, escapes=lit.escapes, query_call=query_call, known_aql=known_aql,
                          binds=binds)


def _is_tagged(node, tag: str) -> bool:
    """A template literal tagged `tag`: the tag call's last name (`query` of `query` or `db.query`)."""
    parent = node.parent
    return (parent is not None and parent.type == "call_expression" and node.type == "template_string"
            and callee_names(parent)[-1:] == [tag])


def _is_aql_template(node) -> bool:
    """An arangojs `aql` tagged template: AQL by construction, fragments (FILTER ...) included."""
    parent = node.parent
    return (parent is not None and parent.type == "call_expression" and node.type == "template_string"
            and callee_names(parent)[-1:] == ["aql"])


def _is_plus(node) -> bool:
    if node is None or node.type != "binary_expression":
        return False
    op = node.child_by_field_name("operator")
    return op is not None and op.type == "+"


def _concatenation_top(node):
    """The outermost `+` expression a literal is a piece of (the literal itself if none)."""
    while node.parent is not None and _is_plus(node.parent):
        node = node.parent
    return node


def _literal_runs(parsed: Parsed, top, by_node: dict) -> tuple[list[list[Literal]], bool]:
    """Pieces of a concatenation split where a non-literal operand sits between literals, and
    whether the first run starts the value."""
    runs: list[list[Literal]] = [[]]
    first_is_literal = None
    stack = [top]
    while stack:
        node = stack.pop()
        if _is_plus(node):
            stack += [node.child_by_field_name("right"), node.child_by_field_name("left")]
            continue
        is_literal = node is not None and node.type in ("string", "template_string")
        if is_literal:
            lit = by_node.get((node.start_byte, node.end_byte)) or literal(parsed, node)
        if first_is_literal is None:
            first_is_literal = is_literal
        if is_literal:
            runs[-1].append(lit)
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r], bool(first_is_literal)


def _is_query_argument(node, ctx: Context) -> bool:
    """The first argument of a configured query call, or an arangojs `aql` tagged template."""
    parent = node.parent
    if parent is None:
        return False
    if parent.type == "call_expression" and node.type == "template_string":
        return callee_names(parent)[-1:] == ["aql"]
    if parent.type != "arguments" or parent.parent is None or parent.parent.type != "call_expression":
        return False
    args = named_args(parent)
    if not args or args[0] != node:
        return False
    names = callee_names(parent.parent)
    return any(names[-len(f.split(".")):] == f.split(".") for f in ctx.query_functions if f)


# ---- entry point -------------------------------------------------------------------------

def _relevance(ctx: Context, holds_aql):
    """A cheap test on a literal's raw body: could any finder report something in it?"""
    needles = []
    if ctx.finds("deprecate-endpoint", "remove-endpoint"):
        needles += [c["path"] for c in endpoints.endpoint_changes(ctx)]
    if ctx.finds("replace-index-type", "rename-index-helper", "report-index-helper"):
        needles += [c["old"] for c in ctx.changes("replace-index-type")]

    def wanted(raw: str) -> bool:
        # an escape may spell a path (`\u0067`): such literals get the full check
        return "\\" in raw or any(n in raw for n in needles) or (holds_aql is not None and holds_aql(raw))

    return wanted


def _aql_filter(parsed: Parsed, ctx: Context):
    if not ctx.finds("rewrite-aql-function"):
        return None
    try:
        from themis_lint.analyzers import aql
    except ImportError:
        return None  # the AQL surface is not part of this build
    if not aql.could_hold_aql(parsed.text, ctx):
        return None
    return lambda raw: aql.could_hold_aql(raw, ctx)


def analyze(source: Source, ctx: Context) -> list[Finding]:
    parsed = parse(source.text, source.path)
    holds_aql = _aql_filter(parsed, ctx)
    lits = literals(parsed, _relevance(ctx, holds_aql))
    found: list[Finding] = []
    if ctx.finds("deprecate-endpoint", "remove-endpoint"):
        found += find_endpoints(parsed, lits, ctx)
    if ctx.finds("replace-index-type", "rename-index-helper", "report-index-helper"):
        found += find_skiplist_types(parsed, lits, ctx)
        found += find_index_helpers(parsed, ctx)
    if holds_aql is not None:
        found += find_embedded_aql(parsed, lits, ctx)
    if parsed.problem is not None:
        # a file with syntax errors is reported, never rewritten
        found = [replace(f, fix=None) for f in found]
        found.append(Finding("TH900", f"cannot parse as {NAME}: {parsed.problem}; no fixes are applied "
                             "to this file", parsed.problem_at, parsed.problem_at))
    return found
