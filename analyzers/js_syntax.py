"""tree-sitter for the js_code surface: the grammars (imported on first use, so `--version` and
other surfaces never load tree-sitter), parses with their syntax-error spans, UTF-8 byte to str
offsets (docs/CONTRACTS.md), and the string and template literals with their values.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# docs/surfaces.md "The surfaces": the grammar follows the extension
GRAMMARS = {".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
            ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx"}
LITERALS = "(string) @lit (template_string) @lit"
CALLEES = ("(call_expression function: [(identifier) @name"
           " (member_expression property: (property_identifier) @name)])")

_grammars: dict[str, tuple] = {}  # grammar -> (parser, literal query, callee query)
_last_parse: list = []  # [(grammar, text), Parsed]: analyze and the engine's re-parse share it


# ---- parsing -----------------------------------------------------------------

def grammar_of(path: str) -> str | None:
    dot = path.rfind(".")
    return GRAMMARS.get(path[dot:].lower()) if dot > path.rfind("/") else None


def tools(grammar: str) -> tuple:
    """(parser, literal query, callee query) of a grammar; tree-sitter is imported here."""
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
    parser = tools(grammar)[0]
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
        escapes = callee_names(parent)[-2:] != ["String", "raw"]
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

    query = tools(parsed.grammar)[1]
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


def callee_names(call) -> list[str]:
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


def named_args(node) -> list:
    return [c for c in node.named_children if c.type != "comment"]


def key_name(parsed: Parsed, key) -> str | None:
    if key.type == "property_identifier":
        return parsed.source(key)
    if key.type == "string":
        return literal(parsed, key).value()
    return None
