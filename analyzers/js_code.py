"""JavaScript/TypeScript client code: endpoint strings, skiplist indexes, embedded AQL (tree-sitter).

tree-sitter reports UTF-8 byte offsets; every offset leaving this module is a str offset into
the decoded text (docs/CONTRACTS.md).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from themis_lint.analyzers import endpoints
from themis_lint.codemods import js_code as edits
from themis_lint.context import Context
from themis_lint.model import Edit, Finding, Fix, Safety

NAME = "js_code"
CODES = ("TH201", "TH202", "TH301", "TH401", "TH402")

# RULES.md "Surfaces": the grammar follows the extension
GRAMMARS = {".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
            ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx"}
LITERALS = "(string) @lit (template_string) @lit"
CALLEES = ("(call_expression function: [(identifier) @name"
           " (member_expression property: (property_identifier) @name)])")
# the recognised shape of RULES.md TH202's unsafe fix
SIMPLE_ALL_PATH = "/_api/simple/all"
SIMPLE_ALL_METHODS = ("PUT", "put")

_grammars: dict[str, tuple] = {}  # grammar -> (parser, literal query, callee query)
_wide_triggers: dict[tuple[bytes, ...], tuple[bytes, ...]] = {}
_last_parse: list = []  # [(grammar, text), Parsed]: analyze and the engine's re-parse share it


# ---- parsing -----------------------------------------------------------------

def grammar_of(path: str) -> str | None:
    dot = path.rfind(".")
    return GRAMMARS.get(path[dot:].lower()) if dot > path.rfind("/") else None


def wants(path: str, ctx: Context) -> bool:
    return grammar_of(path) is not None


def triggers(path: str, ctx: Context) -> tuple[bytes, ...]:
    """The pack's trigger literals, also as UTF-16 so the byte prefilter sees UTF-16 sources."""
    base = ctx.trigger_bytes()
    if base not in _wide_triggers:
        wide = tuple(t.decode("utf-8").encode(enc) for t in base for enc in ("utf-16-le", "utf-16-be"))
        _wide_triggers[base] = base + wide
    return _wide_triggers[base]


def _tools(grammar: str) -> tuple:
    if grammar not in _grammars:
        import tree_sitter

        if grammar == "javascript":
            import tree_sitter_javascript as module

            language = tree_sitter.Language(module.language())
        else:
            import tree_sitter_typescript as module

            raw = module.language_tsx() if grammar == "tsx" else module.language_typescript()
            language = tree_sitter.Language(raw)
        _grammars[grammar] = (tree_sitter.Parser(language), tree_sitter.Query(language, LITERALS),
                              tree_sitter.Query(language, CALLEES))
    return _grammars[grammar]


class Offsets:
    """UTF-8 byte offsets of the encoded text -> str offsets of the decoded text."""

    def __init__(self, text: str):
        self.ascii = text.isascii()
        self.byte_starts: list[int] = []
        self.extra: list[int] = []  # extra bytes of all non-ASCII characters up to and including this one
        if self.ascii:
            return
        total = 0
        for match in re.finditer(r"[^\x00-\x7f]", text):
            code = ord(match.group())
            self.byte_starts.append(match.start() + total)
            total += 1 if code < 0x800 else 2 if code < 0x10000 else 3
            self.extra.append(total)

    def __call__(self, byte: int) -> int:
        if self.ascii:
            return byte
        k = bisect.bisect_left(self.byte_starts, byte)
        return byte - self.extra[k - 1] if k else byte


@dataclass
class Parsed:
    text: str
    tree: object
    grammar: str
    at: Offsets
    errors: list[tuple[int, int]]  # str spans of ERROR nodes and MISSING tokens
    problem: str | None  # one-line reason for the first of them
    problem_at: int = 0
    error_starts: list[int] | None = None

    def span(self, node) -> tuple[int, int]:
        return self.at(node.start_byte), self.at(node.end_byte)

    def source(self, node) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def broken(self, start: int, end: int) -> bool:
        """Whether [start, end) touches an ERROR node or a MISSING token (spans are disjoint)."""
        if self.error_starts is None:
            self.error_starts = [s for s, _ in self.errors]
        k = bisect.bisect_right(self.error_starts, end)
        return bool(k) and (self.errors[k - 1][1] > start or self.errors[k - 1][0] >= start)


def parse(text: str, path: str) -> Parsed:
    grammar = grammar_of(path) or "javascript"
    if _last_parse and _last_parse[0] == (grammar, text):
        return _last_parse[1]
    parser = _tools(grammar)[0]
    tree = parser.parse(text.encode("utf-8", "surrogatepass"))
    parsed = Parsed(text, tree, grammar, Offsets(text), [], None)
    if tree.root_node.has_error:
        _collect_errors(parsed)
    _last_parse[:] = [(grammar, text), parsed]
    return parsed


def _collect_errors(parsed: Parsed) -> None:
    """ERROR and MISSING nodes, found by descending only into subtrees that hold one."""
    stack = [parsed.tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            start, end = parsed.span(node)
            parsed.errors.append((start, end))
            continue
        stack += [c for c in reversed(node.children) if c.has_error or c.is_missing]
    if not parsed.errors:  # has_error without a node to show: blame the whole file
        parsed.errors.append((0, len(parsed.text)))
    parsed.errors.sort()
    start, end = parsed.errors[0]
    parsed.problem_at = start
    if start == end:
        missing = _first_missing(parsed.tree.root_node)
        parsed.problem = f"syntax error: missing `{missing}`" if missing else "syntax error"
    else:
        snippet = parsed.text[start:end].strip().split("\n", 1)[0][:30]
        parsed.problem = f"syntax error at `{snippet}`" if snippet else "syntax error"


def _first_missing(root) -> str | None:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_missing:
            return node.type
        stack += [c for c in reversed(node.children) if c.has_error or c.is_missing]
    return None


def parse_error(text: str, path: str) -> str | None:
    parsed = parse(text, path)
    if parsed.problem is None:
        return None
    from themis_lint.text import LineIndex

    row, col = LineIndex(text).position(parsed.problem_at)
    return f"{parsed.problem} (line {row}, column {col})"


# ---- string literals ------------------------------------------------------------

@dataclass(frozen=True)
class Literal:
    """A string or template literal; offsets are str offsets, `opaque` is relative to `raw`."""

    node: object
    start: int
    end: int
    body: int  # offset of raw[0]
    raw: str
    quote: str  # ' " or `
    opaque: tuple[tuple[int, int], ...] = ()
    escapes: bool = True  # backslash escapes are interpreted (not in JSX attributes, String.raw)

    @property
    def body_end(self) -> int:
        return self.body + len(self.raw)

    def chunks(self) -> list[tuple[int, int]]:
        """The literal text between `${...}` substitutions, relative to raw."""
        out, at = [], 0
        for s, e in self.opaque:
            out.append((at, s))
            at = e
        out.append((at, len(self.raw)))
        return out

    def value(self) -> str | None:
        """The string value when it has no substitutions."""
        if self.opaque:
            return None
        return decode(self.raw) if self.escapes and "\\" in self.raw else self.raw


def literal(parsed: Parsed, node) -> Literal:
    start, end = parsed.span(node)
    text = parsed.text
    quote = text[start] if start < end else "'"
    close = end - 1 if end - start >= 2 and text[end - 1] == quote else end
    opaque: tuple[tuple[int, int], ...] = ()
    if node.type == "template_string":
        opaque = tuple((parsed.at(c.start_byte) - start - 1, parsed.at(c.end_byte) - start - 1)
                       for c in node.named_children if c.type == "template_substitution")
    parent = node.parent
    escapes = True
    if parent is not None and parent.type == "jsx_attribute":
        escapes = False
    elif parent is not None and parent.type == "call_expression":
        escapes = _callee_names(parent)[-2:] != ["String", "raw"]
    return Literal(node, start, end, start + 1, text[start + 1:close], quote, opaque, escapes)


_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_LINE_CONTINUATIONS = ("\n", "\r\n", "\r", "\u2028", "\u2029")


def decode(raw: str) -> str:
    """The value of a JS string body with backslash escapes."""
    def one(match: re.Match) -> str:
        s = match.group(1)
        if s.startswith("u{"):
            code = int(s[2:-1], 16)
            return chr(code) if code <= 0x10FFFF else s
        if len(s) > 1 and s[0] in "ux":
            return chr(int(s[1:], 16))
        if s in _LINE_CONTINUATIONS:
            return ""
        return _SIMPLE_ESCAPES.get(s, s)

    return _ESCAPE.sub(one, raw)


def literals(parsed: Parsed, wanted) -> list[Literal]:
    """String and template literals outside broken regions whose body `wanted(raw)` accepts."""
    import tree_sitter

    query = _tools(parsed.grammar)[1]
    nodes = tree_sitter.QueryCursor(query).captures(parsed.tree.root_node).get("lit", [])
    at, text, out = parsed.at, parsed.text, []
    for node in sorted(nodes, key=lambda n: n.start_byte):
        start, end = at(node.start_byte), at(node.end_byte)
        if not wanted(text[start + 1:end - 1]):
            continue
        if parsed.errors and parsed.broken(start, end):
            continue
        out.append(literal(parsed, node))
    return out


def _callee_names(call) -> list[str]:
    """Dotted names of a call's callee, outermost last: `a.b.c(...)` -> [a, b, c]; [] if none."""
    node = call.child_by_field_name("function")
    names: list[str] = []
    while node is not None:
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            if prop is None or prop.type not in ("property_identifier", "private_property_identifier"):
                break
            names.append(prop.text.decode("utf-8", "replace"))
            node = node.child_by_field_name("object")
        elif node.type in ("identifier", "this", "super"):
            names.append(node.text.decode("utf-8", "replace"))
            break
        else:
            break
    return names[::-1]


def _named_args(node) -> list:
    return [c for c in node.named_children if c.type != "comment"]


# ---- TH201 / TH202 ---------------------------------------------------------------

def find_endpoints(parsed: Parsed, lits: list[Literal], ctx: Context) -> list[Finding]:
    found: list[Finding] = []
    for lit in lits:
        simple = _simple_all_finding(parsed, lit, ctx)
        if simple is not None:
            found.append(simple)
            continue
        for lo, hi in lit.chunks():
            found += _chunk_endpoints(lit, lo, hi, ctx)
    return found


def _chunk_endpoints(lit: Literal, lo: int, hi: int, ctx: Context) -> list[Finding]:
    raw = lit.raw[lo:hi]
    if not lit.escapes or "\\" not in raw:
        return endpoints.findings_in_value(raw, lit.body + lo, ctx)
    # escapes: fix only when the raw text shows the same paths as the value (RULES.md: edit the text)
    exact = endpoints.find_paths(raw, ctx)
    value_hits = endpoints.find_paths(decode(raw), ctx)
    if [h[2]["path"] for h in exact] == [h[2]["path"] for h in value_hits]:
        return endpoints.findings_in_value(raw, lit.body + lo, ctx)
    return [endpoints.path_finding(change, lit.start, lit.end, editable=False) for _, _, change in value_hits]


def _simple_all_finding(parsed: Parsed, lit: Literal, ctx: Context) -> Finding | None:
    """RULES.md TH202: `X._connection.PUT('/_api/simple/all', {collection: c})` -> `X._query(...)`."""
    if lit.raw != SIMPLE_ALL_PATH or lit.quote not in "'\"":
        return None
    change = next((c for c in ctx.changes("remove-endpoint") if c["path"] == SIMPLE_ALL_PATH), None)
    if change is None:
        return None
    shape = _simple_all_shape(parsed, lit)
    if shape is None:
        hint = _collection_hint(parsed, lit)
        message = (f"`{SIMPLE_ALL_PATH}` is removed with no replacement; "
                   f"use an AQL query: {edits.aql_for(hint)}")
        return Finding(change.code, message, lit.body, lit.body_end, None,
                       replacement_since=change.replacement_since)
    call, receiver, name, expression = shape
    start, end = parsed.span(call)
    new = edits.simple_all_query(receiver, lit.quote, name, expression)
    aql = edits.aql_for(name, bound=name is None)
    message = f"`{SIMPLE_ALL_PATH}` is removed with no replacement; use an AQL query: {aql}"
    fix = Fix((Edit(start, end, new),), Safety.UNSAFE, f"Replace the call with `{new}`")
    return Finding(change.code, message, lit.body, lit.body_end, fix,
                   replacement_since=change.replacement_since)


def _simple_all_shape(parsed: Parsed, lit: Literal) -> tuple | None:
    """(call, receiver text, collection name or None, collection expression or None)."""
    args = lit.node.parent
    if args is None or args.type != "arguments" or args.parent is None:
        return None
    call = args.parent
    values = _named_args(args)
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
    values = _named_args(args) if args is not None and args.type == "arguments" else []
    if len(values) < 2 or values[0] != lit.node or values[1].type != "object":
        return None
    for member in _named_args(values[1]):
        key, value = member.child_by_field_name("key"), member.child_by_field_name("value")
        if member.type == "pair" and key is not None and _key_name(parsed, key) == "collection" \
                and value is not None and value.type == "string":
            return literal(parsed, value).value()
    return None


def _collection_value(parsed: Parsed, obj) -> tuple[str | None, str | None] | None:
    members = _named_args(obj)
    if len(members) != 1:
        return None  # other options (batchSize, limit, ...) have no place in the plain query
    member = members[0]
    if member.type == "shorthand_property_identifier" and parsed.source(member) == "collection":
        return None, "collection"
    if member.type != "pair":
        return None
    key, value = member.child_by_field_name("key"), member.child_by_field_name("value")
    if key is None or value is None or _key_name(parsed, key) != "collection":
        return None
    if value.type == "string":
        raw = literal(parsed, value).raw
        if "\\" not in raw and edits.is_plain_collection(raw):
            return raw, None
    return None, parsed.source(value)


def _key_name(parsed: Parsed, key) -> str | None:
    if key.type == "property_identifier":
        return parsed.source(key)
    if key.type == "string":
        return literal(parsed, key).value()
    return None


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
    """RULES.md TH301: `{type: 'skiplist'}` in an object literal; reads and comparisons are not found."""
    found = []
    for change in ctx.changes("replace-index-type"):
        for lit in lits:
            if lit.raw != change["old"] or lit.opaque or not _is_type_property(parsed, lit.node):
                continue
            fix = Fix((edits.body_edit(lit.body, lit.body_end, change["new"]),), Safety.SAFE,
                      f"Use index type `{change['new']}`")
            found.append(Finding(change.code, f"index type `{change['old']}` is deprecated in ThemisDB "
                                 f"{ctx.pack.to_version}; use `{change['new']}`", lit.start, lit.end, fix,
                                 replacement_since=change.replacement_since))
    return found


def _is_type_property(parsed: Parsed, node) -> bool:
    pair = node.parent
    if pair is None or pair.type != "pair" or pair.parent is None or pair.parent.type != "object":
        return False
    value, key = pair.child_by_field_name("value"), pair.child_by_field_name("key")
    return value == node and key is not None and _key_name(parsed, key) == "type"


def find_index_helpers(parsed: Parsed, ctx: Context) -> list[Finding]:
    """RULES.md TH301: calls of skiplist helpers; method definitions are not calls."""
    renames = {c["old"]: c for c in ctx.changes("rename-index-helper") if _for_js(c)}
    reports = {c["name"]: c for c in ctx.changes("report-index-helper") if _for_js(c)}
    if not renames and not reports:
        return []
    if not any(name in parsed.text for name in (*renames, *reports)):
        return []
    import tree_sitter

    query = _tools(parsed.grammar)[2]
    found = []
    for node in tree_sitter.QueryCursor(query).captures(parsed.tree.root_node).get("name", []):
        name = node.text.decode("utf-8", "replace")
        if name not in renames and name not in reports:
            continue
        start, end = parsed.span(node)
        if parsed.errors and parsed.broken(start, end):
            continue
        if name in renames:
            change = renames[name]
            fix = Fix((edits.rename_edit(start, end, change["new"]),), Safety.SAFE,
                      f"Rename to `{change['new']}`")
            message = (f"`{name}()` creates a skiplist index, deprecated in ThemisDB {ctx.pack.to_version}; "
                       f"use `{change['new']}()`")
        else:
            change, fix = reports[name], None
            advice = change.get("advice") or "create a persistent index instead"
            message = (f"`{name}()` creates a skiplist index, deprecated in ThemisDB {ctx.pack.to_version}; "
                       f"{advice}")
        found.append(Finding(change.code, message, start, end, fix,
                             replacement_since=change.replacement_since))
    return found


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
        runs, starts_value = _literal_runs(parsed, top, by_node)
        for i, run in enumerate(runs):
            hosts = [_host(aql, part, query_call and starts_value and i == 0) for part in run]
            found += aql.find_in_host_strings(hosts, ctx)
    return found


def _host(aql, lit: Literal, query_call: bool):
    return aql.HostString(raw=lit.raw, offset=lit.body, quote=lit.quote, multiline=lit.quote == "`",
                          opaque=lit.opaque, escapes=lit.escapes, query_call=query_call)


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
        return _callee_names(parent)[-1:] == ["aql"]
    if parent.type != "arguments" or parent.parent is None or parent.parent.type != "call_expression":
        return False
    args = _named_args(parent)
    if not args or args[0] != node:
        return False
    names = _callee_names(parent.parent)
    return any(names[-len(f.split(".")):] == f.split(".") for f in ctx.query_functions if f)


# ---- entry point -------------------------------------------------------------------------

def _relevance(ctx: Context, holds_aql):
    """A cheap test on a literal's raw body: could any finder report something in it?"""
    needles = []
    if ctx.enabled("TH201") or ctx.enabled("TH202"):
        needles += [c["path"] for c in endpoints.endpoint_changes(ctx)]
    if ctx.enabled("TH301"):
        needles += [c["old"] for c in ctx.changes("replace-index-type")]

    def wanted(raw: str) -> bool:
        # an escape may spell a path (`\u0067`): such literals get the full check
        return "\\" in raw or any(n in raw for n in needles) or (holds_aql is not None and holds_aql(raw))

    return wanted


def _aql_filter(parsed: Parsed, ctx: Context):
    if not (ctx.enabled("TH401") or ctx.enabled("TH402")):
        return None
    try:
        from themis_lint.analyzers import aql
    except ImportError:
        return None  # the AQL surface is not part of this build
    if not aql.could_hold_aql(parsed.text, ctx):
        return None
    return lambda raw: aql.could_hold_aql(raw, ctx)


def analyze(text: str, path: str, ctx: Context) -> list[Finding]:
    parsed = parse(text, path)
    holds_aql = _aql_filter(parsed, ctx)
    lits = literals(parsed, _relevance(ctx, holds_aql))
    found: list[Finding] = []
    if ctx.enabled("TH201") or ctx.enabled("TH202"):
        found += find_endpoints(parsed, lits, ctx)
    if ctx.enabled("TH301"):
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
