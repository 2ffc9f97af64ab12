"""TH301 helper renames in Python, argument by argument from the pack's signatures (issue 12).

`col.add_skiplist_index(["a", "b"], True, False, True)` renamed as it is passes `True` as the
new helper's fourth parameter (`name`), and `deduplicate=False` raises TypeError: the arguments
are bound to the old helper's declared parameters, then each either stays (positional while it
is in the shared prefix, else as a keyword), is renamed, dropped, or blocks the safe fix; a
blocking argument leaves the unsafe fix of the pack's `index-call` (one generic call with every
argument as a key of the index body), when the call's text allows it.
"""
from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass

from themis_lint.analyzers.python_literals import Lines
from themis_lint.edits import python_text as edits
from themis_lint.model import Edit, Fix, Safety
from themis_lint.packs import Change, Param, parse_signature


@dataclass(frozen=True)
class Bound:
    """One argument of the call, bound to the old helper's parameter `param`."""

    param: Param
    value: ast.expr
    keyword: ast.keyword | None  # None: passed by position
    start: int  # the whole argument (a keyword's name included)
    end: int


def helper_fix(text: str, lines: Lines, call: ast.Call, name_span: tuple[int, int],
               change: Change) -> tuple[Fix | None, str]:
    """The fix for one call of a renamed helper, and what the message adds ("" for a safe fix)."""
    old = parse_signature(change["signature"]["old"])
    new = parse_signature(change["signature"]["new"])
    bound = bind(text, lines, call, old)
    if isinstance(bound, str):
        return None, f" (no fix: {bound})"
    actions = change.get("arguments") or {}
    present = [b for b in bound if not _absent(b)]
    blocking = [b for b in present if actions.get(b.param.name) == "block"]
    if not blocking:
        return _renamed_call(text, bound, actions, new, name_span, change["new"]), ""
    why = f"`{change['new']}` has no `{blocking[0].param.name}` parameter"
    call_spec = change.get("index-call")
    if call_spec is None:
        return None, f" (no fix: {why})"
    end = lines.offset_bytes(call.end_lineno, call.end_col_offset)
    if _has_comment(text[name_span[0]:end]):
        return None, f" (no fix: {why}, and a comment inside the call would be lost)"
    new_call = edits.index_call(call_spec, [(b.param.name, _source(text, lines, b.value)) for b in present])
    fix = Fix((Edit(name_span[0], end, new_call),), Safety.UNSAFE, f"Replace the call with `{new_call}`")
    since = f", which needs {call_spec['since']}" if call_spec.get("since") else ""
    runtime = any(b.param.default == "None" and not _literal(b.value) for b in present)
    return fix, (f" (no safe fix: {why}; the unsafe fix calls `{call_spec['method']}`{since}"
                 + ("; an argument that is None at run time is then sent as null)" if runtime else ")"))


def _literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def bind(text: str, lines: Lines, call: ast.Call, old: list[Param]) -> list[Bound] | str:
    """The call's arguments bound to `old`'s parameters, in source order; a reason when they
    cannot be (star arguments, unknown keywords, too many positional arguments)."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return "`*args` / `**kwargs` cannot be matched to the parameters"
    if len(call.args) > len(old):
        return f"more positional arguments than the {len(old)} parameters declared"
    by_name = {p.name: p for p in old}
    bound = [Bound(old[i], arg, None, _start(lines, arg), _end(lines, arg))
             for i, arg in enumerate(call.args)]
    for kw in call.keywords:
        if kw.arg not in by_name or any(b.param.name == kw.arg for b in bound):
            return f"`{kw.arg}` is not a parameter it declares, or is given twice"
        bound.append(Bound(by_name[kw.arg], kw.value, kw, _start(lines, kw), _end(lines, kw.value)))
    return sorted(bound, key=lambda b: b.start)


def _absent(b: Bound) -> bool:
    """`deduplicate=None` where None is the declared default: the driver sends nothing for it."""
    return b.param.default == "None" and isinstance(b.value, ast.Constant) and b.value.value is None


def _renamed_call(text: str, bound: list[Bound], actions: dict, new: list[Param],
                  name_span: tuple[int, int], new_name: str) -> Fix:
    """Rename the method; positional arguments stay while they are in the shared prefix and
    become keywords after it; renamed parameters get their new name; dropped ones go."""
    out = [Edit(name_span[0], name_span[1], new_name)]
    positional_ok = True
    for k, b in enumerate(bound):
        action = actions.get(b.param.name)
        target = action.get("rename") if isinstance(action, dict) else b.param.name
        if action in ("drop", "block"):  # (a blocking argument here is an absent `None`)
            out.append(edits.drop_argument([(x.start, x.end) for x in bound], k))
            positional_ok = positional_ok and b.keyword is not None
            continue
        if b.keyword is not None:
            if target != b.keyword.arg:
                out.append(Edit(b.start, b.start + len(b.keyword.arg), target))
            continue
        at = len([x for x in bound[:k] if x.keyword is None])
        positional_ok = positional_ok and at < len(new) and new[at].name == target
        if not positional_ok:
            out.append(Edit(b.start, b.start, f"{target}="))
    message = f"Rename to `{new_name}`" + ("" if len(out) == 1 else ", passing arguments by name")
    return Fix(tuple(out), Safety.SAFE, message)


def _has_comment(source: str) -> bool:
    try:
        return any(t.type == tokenize.COMMENT for t in tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return True


def _start(lines: Lines, node: ast.AST) -> int:
    return lines.offset_bytes(node.lineno, node.col_offset)


def _end(lines: Lines, node: ast.AST) -> int:
    return lines.offset_bytes(node.end_lineno, node.end_col_offset)


def _source(text: str, lines: Lines, node: ast.AST) -> str:
    return text[_start(lines, node):_end(lines, node)]
