""""Suppress on this line": where the documented `themis-lint: ignore[CODE]` comment can go.

The comment goes at the end of the finding's line, else on a new line above it, and only
where it is a comment: the file read without comments (Python tokens, YAML data, shell words,
JS/TS syntax leaves, AQL tokens) must be the same with and without it. Inside a multi-line
string, a YAML block scalar or a heredoc it is not, and no action is offered; JSON has no
comments at all (README "Configure").
"""
from __future__ import annotations

import re
import shlex

from themis_lint import suppress
from themis_lint.model import Edit
from themis_lint.text import LineIndex, newline_of

_CONTINUED = re.compile(r"\\\r?$")
_HEREDOC = re.compile(r"<<-?[ \t]*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")


def family(path: str, is_server_config: bool) -> str | None:
    """How comments are written in this file: None where they cannot be (JSON)."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if name.endswith(".json"):
        return None
    if name.endswith((".py", ".pyi")):
        return "python"
    if name.endswith((".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")):
        return "js"
    if name.endswith(".aql"):
        return "aql"
    if name.endswith((".yaml", ".yml")) or is_server_config:
        return "yaml"
    if name == "dockerfile" or name.startswith("dockerfile.") or name.endswith(".dockerfile"):
        return "dockerfile"  # comments are whole lines only; a trailing `#` is an argument
    if name.endswith(".service"):
        return "systemd"  # likewise
    return "shell"


MARKERS = {"python": "#", "yaml": "#", "shell": "#", "dockerfile": "#", "systemd": "#", "js": "//", "aql": "//"}
WHOLE_LINE_ONLY = {"dockerfile", "systemd"}


def suppression_edit(text: str, path: str, code: str, offset: int, kind: str | None) -> Edit | None:
    """One edit that suppresses `code` for the finding starting at `offset`, or None."""
    if kind is None:
        return None
    index = LineIndex(text)
    row = index.position(offset)[0]
    for directive in suppress.directives(text):
        if directive.row == row and directive.codes is not None:  # extend the line's own list
            listed = text[directive.list_start:directive.list_end]
            sep = "," if "," in listed and ", " not in listed else ", "  # the list's own style
            edit = Edit(directive.list_end, directive.list_end, f"{sep}{code}")
            return edit if _works(text, edit, code, row, kind, path) else None
    for edit, new_row in _candidates(text, index, row, code, kind):
        if _works(text, edit, code, new_row, kind, path):
            return edit
    return None


def _candidates(text: str, index: LineIndex, row: int, code: str, kind: str):
    marker = MARKERS[kind]
    comment = f"{marker} themis-lint: ignore[{code}]"
    line = text[index.line_start(row):index.line_end(row, keep_newline=False)]
    if kind not in WHOLE_LINE_ONLY and not _CONTINUED.search(line):
        yield Edit(index.line_end(row, keep_newline=False), index.line_end(row, keep_newline=False),
                   f"  {comment}"), row
    previous = text[index.line_start(row - 1):index.line_end(row - 1, keep_newline=False)] if row > 1 else ""
    # Docker drops comment lines inside a continuation; a shell or systemd would end the command
    if kind != "shell" and kind != "systemd" or not _CONTINUED.search(previous):
        indent = line[:len(line) - len(line.lstrip(" \t"))]
        start = index.line_start(row)
        yield Edit(start, start, f"{indent}{comment}{newline_of(text)}"), row + 1


def _works(text: str, edit: Edit, code: str, row: int, kind: str, path: str) -> bool:
    """The new text suppresses `code` on `row` and reads the same without its comments."""
    new = text[:edit.start] + edit.content + text[edit.end:]
    if not suppress.parse(new).suppresses(code, row):
        return False
    if kind in ("shell", "dockerfile", "systemd") and _in_heredoc(text, edit.start):
        return False
    before = _without_comments(text, kind, path)
    return before is not None and before == _without_comments(new, kind, path)


def _in_heredoc(text: str, offset: int) -> bool:
    """Is `offset` in a heredoc body (which no shell reads as a comment)?"""
    at = 0
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        found = _HEREDOC.search(lines[i])
        at += len(lines[i])
        i += 1
        if not found:
            continue
        body_start = at
        while i < len(lines) and lines[i].strip() != found.group(2):
            at += len(lines[i])
            i += 1
        if body_start <= offset <= at:
            return True
    return False


def _without_comments(text: str, kind: str, path: str):
    """The file as its language reads it, comments dropped; None when it cannot be read."""
    try:
        return _READERS[kind](text, path)
    except Exception:  # noqa: BLE001  an unreadable file gets no suppression action, never a wrong one
        return None


def _python(text: str, path: str):
    import io
    import tokenize

    skip = {tokenize.COMMENT, tokenize.NL}
    return [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type not in skip]


def _yaml(text: str, path: str):
    from ruamel.yaml import YAML

    return list(YAML(typ="safe", pure=True).load_all(text))


def _shell(text: str, path: str):
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    return list(lexer)


def _js(text: str, path: str):
    import tree_sitter

    parser = tree_sitter.Parser(tree_sitter.Language(_js_grammar(path)))
    tree = parser.parse(text.encode("utf-8", "surrogatepass"))
    leaves, stack = [], [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "comment":
            continue
        if node.child_count == 0:
            leaves.append((node.type, node.text))
        stack.extend(reversed(node.children))
    return None if tree.root_node.has_error else leaves


def _js_grammar(path: str):
    """tree-sitter's grammar for the file, as the JS/TS surface picks it (by extension)."""
    name = path.lower()
    if name.endswith((".ts", ".mts", ".cts", ".tsx")):
        import tree_sitter_typescript as typescript

        return typescript.language_tsx() if name.endswith(".tsx") else typescript.language_typescript()
    import tree_sitter_javascript as javascript

    return javascript.language()


# AQL (ArangoDB's query language): strings in ' or " with backslash escapes, names in ` or ´,
# comments // to the end of the line and /* */
_AQL_PIECE = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`[^`]*`|´[^´]*´|//[^\r\n]*|/\*.*?\*/|/\*|\s+|\w+|.""", re.DOTALL)


def _aql(text: str, path: str):
    """The query's pieces without comments and blanks; None when a string or comment never ends."""
    pieces = []
    for m in _AQL_PIECE.finditer(text):
        piece = m.group()
        if piece[0] in "'\"`´" and (len(piece) < 2 or piece[-1] != piece[0]):
            return None
        if piece.startswith("/*") and not piece.endswith("*/"):
            return None
        if piece.isspace() or piece.startswith(("//", "/*")):
            continue
        pieces.append(piece)
    return pieces


_READERS = {"python": _python, "yaml": _yaml, "shell": _shell, "dockerfile": _shell, "systemd": _shell,
            "js": _js, "aql": _aql}
