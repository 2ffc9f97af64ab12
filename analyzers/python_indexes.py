"""TH301 in Python client code: skiplist index types in dict literals and the pack's deprecated
index helper calls (rules/docs/TH301-index-type-skiplist.md), found from the python_code surface's scan and `Shape`.
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from themis_lint.analyzers.python_helpers import helper_fix
from themis_lint.analyzers.python_literals import Lines
from themis_lint.edits.python_text import literal_value_fix
from themis_lint.context import Context
from themis_lint.model import Finding, Safety

if TYPE_CHECKING:
    from themis_lint.analyzers.python_code import Candidates, Shape, Wanted


# issue 12: a skiplist definition inside `def add_skiplist_index(...)` is a test double's or the
# driver's own: rewriting it changes what that code returns or sends, not a client's index
INSIDE_HELPER = (" (no fix: it is inside a definition of `{}`, a test double or driver code whose "
                 "behaviour the rewrite would change)")


def is_python_helper(change) -> bool:
    """A helper change for Python (`language` unset or `python`)."""
    return change.get("language") in (None, "python")


def own_method(func: ast.Attribute, defined: set[str]) -> bool:
    """`self.add_skiplist_index(...)` calls the file's own method of that name, not the driver's."""
    return isinstance(func.value, ast.Name) and func.value.id in ("self", "cls") and func.attr in defined


def index_findings(text: str, found: Candidates, shape: Shape, w: Wanted, ctx: Context) -> list[Finding]:
    """rules/docs/TH301-index-type-skiplist.md: `"type": "skiplist"` in a dict literal or `dict(type=...)`, at the string."""
    out = []
    for start in sorted(shape.index_values & found.index_groups.keys()):
        piece = found.index_groups[start][0]
        old = text[piece.body_start:piece.body_end]
        change = w.index_types[old]
        fix = literal_value_fix(piece.body_start, piece.body_end, change["new"], Safety.SAFE)
        message = change.verb.message("deprecated", old=old, new=change["new"],
                                      version=ctx.version_of(change, "deprecated"))
        helper = shape.defining_helper(piece.start)
        if helper is not None:
            fix, message = None, message + INSIDE_HELPER.format(helper)
        elif start in shape.index_notes:
            fix, message = None, message + f" (no fix: {shape.index_notes[start]})"
        out.append(Finding(change.code, message, piece.start, piece.end, fix,
                           replacement_since=change.replacement_since))
    return out


def helper_findings(text: str, found: Candidates, shape: Shape, w: Wanted, ctx: Context,
                    lines: Lines) -> list[Finding]:
    """rules/docs/TH301-index-type-skiplist.md: calls of the pack's skiplist helpers (never their definitions), at the name;
    a rename maps the call's arguments by the pack's signatures (issue 12)."""
    out = []
    names = {start for start, _ in found.names}
    for start, end, name, call in shape.helper_calls:
        if start not in names or text[start:end] != name:
            continue
        if name in w.renames:
            change = w.renames[name]
            fix, note = helper_fix(text, lines, call, (start, end), change)
            message = change.verb.message("deprecated", name=name, new=change["new"], note=note,
                                          version=ctx.version_of(change, "deprecated"))
            out.append(Finding(change.code, message, start, end, fix, replacement_since=change.replacement_since))
        elif name in w.reports:
            change = w.reports[name]
            advice = change.get("advice") or "no automatic fix"
            message = change.verb.message("report", name=name, advice=advice,
                                          version=ctx.version_of(change, "deprecated"))
            out.append(Finding(change.code, message, start, end, None,
                               replacement_since=change.replacement_since))
    return out
