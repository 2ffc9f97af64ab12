"""Our values as lsprotocol types: diagnostics and ranges."""
from __future__ import annotations

from lsprotocol import types as T

from themis_lint.lsp.analysis import Item

SOURCE = "themis-lint"
FIX_ALL = f"{T.CodeActionKind.SourceFixAll.value}.themis-lint"


def diagnostic(item: Item) -> T.Diagnostic:
    (sl, sc), (el, ec) = item.range
    tags = [T.DiagnosticTag.Unnecessary] if item.code == "TH901" else None
    return T.Diagnostic(T.Range(T.Position(sl, sc), T.Position(el, ec)), item.message, T.DiagnosticSeverity(item.severity),
                        code=item.code, source=SOURCE, tags=tags,
                        # a pack's own code may have no page: LSP wants a real href or none
                        code_description=T.CodeDescription(item.url) if item.url else None)


def error_diagnostic(line: str) -> T.Diagnostic:
    # a file the engine could not check must not look clean
    return T.Diagnostic(T.Range(T.Position(0, 0), T.Position(0, 0)), line, T.DiagnosticSeverity.Error, source=SOURCE)


def to_range(r) -> T.Range:
    (sl, sc), (el, ec) = r
    return T.Range(T.Position(sl, sc), T.Position(el, ec))


def overlaps(r, query: T.Range) -> bool:
    """Do a finding's range and a request's range meet? Ranges are half-open; an empty one (a
    cursor, or a finding at a point such as a missing key) meets what touches it."""
    start, end = r
    q_start, q_end = (query.start.line, query.start.character), (query.end.line, query.end.character)
    if start == end or q_start == q_end:
        return q_start <= end and start <= q_end
    return start < q_end and q_start < end
