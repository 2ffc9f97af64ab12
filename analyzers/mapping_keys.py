"""Keys of mappings: JSON objects, YAML mappings, JS/TS object literals, Python dict displays.

Issue 12: a rename of a literal that is a key (an endpoint path in a Swagger `paths` map, a route
table) must not produce a key the mapping already has: every reader keeps one of the two
entries and silently drops the other. Such a finding keeps its report and loses its fix, with
the reason in its message (like TH101's config-key conflict). And the re-parse check on fixed
output (`parse_error(text, path, original)`) rejects a duplicate key the original did not have,
since json.load, tree-sitter, libcst and ruamel's composer all accept duplicates.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import replace

from themis_lint.model import Finding

UNKNOWN = object()  # a key whose value the source does not tell (computed, spread)


def duplicates(mappings: Iterable[Iterable[Hashable]]) -> Counter:
    """How many extra times each key occurs in its own mapping, summed over the file."""
    extra: Counter = Counter()
    for keys in mappings:
        for key, n in Counter(k for k in keys if k is not UNKNOWN).items():
            if n > 1:
                extra[key] += n - 1
    return extra


def introduced(after: Counter, before: Counter | None) -> str | None:
    """A one-line reason when `after` holds a duplicate key `before` (the original) did not."""
    extra = after - (before or Counter())
    if not extra:
        return None
    key = next(iter(extra))
    shown = key[1] if isinstance(key, tuple) and len(key) == 2 else key
    return f"duplicate key {shown!r} in a mapping" + ("" if before is None else " (not in the original)")


def collisions(keys: list[tuple[Hashable, Hashable]]) -> dict[int, str]:
    """For one mapping's keys as (old, new) pairs in order (new == old when not renamed, UNKNOWN
    when not known), the index of each renamed key whose new name is taken, with the reason.

    A new name is taken when any key has it now, or another renamed key gets it too: with only
    some fixes applied (`--fix` takes the safe ones) either order would leave a duplicate."""
    olds = Counter(old for old, _ in keys if old is not UNKNOWN)
    news = Counter(new for old, new in keys if new != old and new is not UNKNOWN)
    out = {}
    for i, (old, new) in enumerate(keys):
        if new == old or new is UNKNOWN:
            continue
        shown = new[1] if isinstance(new, tuple) and len(new) == 2 else new
        if olds[new]:
            out[i] = f"`{shown}` is already a key of this mapping"
        elif news[new] > 1:
            out[i] = f"another key of this mapping becomes `{shown}` too"
    return out


def renamed(value: str, inner: int | None, findings: list[Finding]) -> str:
    """The key's value once the fixes of `findings` inside it are applied; `inner` is the offset
    where `value` is written char for char (fixes are only made there)."""
    if inner is None:
        return value
    edits = sorted(e for f in findings if f.fix is not None for e in f.fix.edits
                   if inner <= e.start and e.end <= inner + len(value))
    out, at = [], 0
    for edit in edits:
        out += [value[at:edit.start - inner], edit.content]
        at = max(at, edit.end - inner)
    return "".join(out) + value[at:]


def without_fixes(findings: list[Finding], reason: str) -> list[Finding]:
    """The findings with their fixes taken away and `reason` in their message."""
    return [f if f.fix is None else replace(f, fix=None, message=f"{f.message} (no fix: {reason})")
            for f in findings]


def guard(keys: list[tuple[Hashable, Hashable, list[Finding]]]) -> list[Finding]:
    """Every finding of one mapping's keys (old, new, findings in that key), colliding renames
    without their fixes."""
    blocked = collisions([(old, new) for old, new, _ in keys])
    out: list[Finding] = []
    for i, (_, _, found) in enumerate(keys):
        out += without_fixes(found, blocked[i]) if i in blocked else found
    return out


def duplicate_keys(text: str, kind: str) -> Counter:
    """Extra occurrences of each key in its mapping, `kind` "json" (objects) or "yaml" (mappings);
    raises JSONSpanError or AnalysisError when the text does not parse."""
    from themis_lint.parse import json_spans, yaml_nodes

    if kind == "json":
        root = json_spans.parse(text, allow_duplicates=True)
        return duplicates([m.key for m in n.members] for n in json_spans.walk(root) if n.kind == "object")
    return yaml_duplicate_keys(yaml_nodes.compose(text))


def yaml_duplicate_keys(documents: list) -> Counter:
    """Duplicate scalar keys of every mapping: by tag and value, as YAML compares them."""
    from themis_lint.parse import yaml_nodes

    return duplicates([(k.tag, k.value) if yaml_nodes.is_scalar(k) else UNKNOWN for k, _ in node.value]
                      for node in yaml_nodes.walk(documents) if yaml_nodes.is_mapping(node))
