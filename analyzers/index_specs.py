"""Index specs of ORMs and wrappers that take the index type as an argument (issue 12 item 3).

The pack's `index-type-argument` entries name the call (`IndexSpec`, `ensureIndex`, `@Index`),
the argument that carries the type (by keyword or position, or a dict key for specs written as
plain dicts) and the library whose import makes that call the library's: `IndexSpec` and
`Index` are common names, so a file that does not import the library is not searched for them.
"""
from __future__ import annotations

import re

from themis_lint.context import Context
from themis_lint.packs import Change


def specs_for(ctx: Context, text: str, language: str) -> list[Change]:
    """The enabled entries for `language` whose library the file imports."""
    return [c for c in ctx.changes("index-type-argument")
            if c["language"] == language and imports(text, c["library"], language)]


def imports(text: str, library: str, language: str) -> bool:
    """`import arango_orm`, `from arango_orm.x import ...`; `require('type-arango')`, `from 'type-arango'`."""
    lib = re.escape(library)
    if language == "python":
        pattern = rf"^[ \t]*(?:from[ \t]+{lib}(?:\.[\w.]+)?[ \t]+import\b|import[ \t]+{lib}\b)"
    else:
        pattern = rf"(?:\bfrom|\brequire\(|\bimport\(?)\s*['\"]{lib}(?:/[^'\"]*)?['\"]"
    return re.search(pattern, text, re.MULTILINE) is not None


def blocker(change: Change, names: set[str], unknown: bool) -> str | None:
    """Why a spec with these other argument names gets no fix (None: it gets one)."""
    blocked = change.get("blocked-by") or []
    hit = sorted(set(blocked) & names)
    if hit:
        return f"it passes `{hit[0]}`: " + (change.get("reason") or "the persistent index does not take it")
    if blocked and unknown:
        return f"its `**` arguments may hold `{blocked[0]}`: " + (
            change.get("reason") or "the persistent index does not take it")
    return None
