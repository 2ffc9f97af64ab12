"""Code actions: each finding's fix, "suppress on this line", and fix-all-safe (`source.fixAll.themis-lint`).

Every edit comes from the engine: a fix's own span edits, the text `check --fix` produces, or
the documented ignore comment placed where it is a comment (lsp.suppressing).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as T

from themis_lint.lsp.analysis import Item
from themis_lint.lsp.convert import FIX_ALL, diagnostic, overlaps, to_range

if TYPE_CHECKING:
    from themis_lint.lsp.server import Doc, Server


def wanted(only: list[str] | None, kind: str) -> bool:
    """Did the client ask for this kind (`only` lists kinds or their parents, e.g. `source`)?"""
    return only is None or any(kind == k or kind.startswith(f"{k}.") for k in only)


async def code_actions(ls: Server, params: T.CodeActionParams) -> list[T.CodeAction] | None:
    doc = ls.docs.get(params.text_document.uri)
    if doc is None or doc.path is None:
        return None
    items = await ls.current_items(doc)
    if items is None:
        return None
    version = doc.version
    # kinds arrive as lsprotocol's CodeActionKind (a str Enum whose str() is its name) or plain str
    only = [getattr(k, "value", k) for k in params.context.only] if params.context.only else None
    actions: list[T.CodeAction] = []
    hits = [i for i in items if overlaps(i.range, params.range)]
    # the diagnostics the client asks about, when it names them: findings at one point (TH102's
    # missing keys all sit at 0:0) would otherwise each offer a preferred fix for the one asked
    asked = {(str(d.code), d.message) for d in params.context.diagnostics or () if d.source == "themis-lint"}
    if asked:
        hits = [i for i in hits if (i.code, i.message) in asked] or hits
    if wanted(only, T.CodeActionKind.QuickFix.value):
        actions += [quick_fix(ls, doc, version, i) for i in hits if i.fix is not None]
        for i in _one_per_code_and_line(hits):
            if (action := await suppress_action(ls, doc, version, i)) is not None:
                actions.append(action)
    safe_fixes = any(i.fix is not None and i.fix.safety == "safe" for i in items)
    if wanted(only, FIX_ALL) and safe_fixes and (action := await fix_all_action(ls, doc, version)) is not None:
        actions.append(action)
    return actions if doc.version == version else None  # the buffer moved on: these edits are stale


def _one_per_code_and_line(items: list[Item]) -> list[Item]:
    seen, out = set(), []
    for i in items:
        key = (i.code, i.range[0][0])
        if key not in seen:
            seen.add(key)
            out.append(i)
    return out


def workspace_edit(ls: Server, doc: Doc, version: int, edits) -> T.WorkspaceEdit:
    text_edits = [T.TextEdit(to_range(r), content) for r, content in edits]
    caps = ls.client_capabilities.workspace
    if caps is not None and caps.workspace_edit is not None and caps.workspace_edit.document_changes:
        ident = T.OptionalVersionedTextDocumentIdentifier(doc.uri, version)
        return T.WorkspaceEdit(document_changes=[T.TextDocumentEdit(ident, text_edits)])
    return T.WorkspaceEdit(changes={doc.uri: text_edits})


def quick_fix(ls: Server, doc: Doc, version: int, item: Item) -> T.CodeAction:
    return T.CodeAction(item.fix.title, kind=T.CodeActionKind.QuickFix, diagnostics=[diagnostic(item)],
                        is_preferred=item.fix.safety == "safe", edit=workspace_edit(ls, doc, version, item.fix.edits))


async def suppress_action(ls: Server, doc: Doc, version: int, item: Item) -> T.CodeAction | None:
    outcome = await ls.run_job(doc, "suppress", (item.code, item.start))
    if outcome is None or not outcome.edits or doc.version != version:
        return None
    return T.CodeAction(f"{item.code}: suppress on this line", kind=T.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic(item)], edit=workspace_edit(ls, doc, version, outcome.edits))


async def fix_all_action(ls: Server, doc: Doc, version: int) -> T.CodeAction | None:
    if doc.fix_all is None or doc.fix_all[0] != version:
        outcome = await ls.run_job(doc, "fixall")
        if outcome is None or doc.version != version:
            return None
        doc.fix_all = (version, outcome.edits)
    if not doc.fix_all[1]:
        return None
    return T.CodeAction("themis-lint: apply all safe fixes", kind=FIX_ALL,
                        edit=workspace_edit(ls, doc, version, doc.fix_all[1]))
