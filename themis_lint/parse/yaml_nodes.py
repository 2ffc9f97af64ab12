"""YAML node trees with exact character offsets: composed once per text, shared by every surface.

Surfaces only locate things in YAML and edit by source span, so nothing needs ruamel's
round-trip objects: node marks give exact character offsets (never recomputed from line and
column, so no second line model). libyaml (PyYAML's C composer) does the work where it is
installed, about 25 times faster than ruamel's pure-Python scanner; ruamel composes when libyaml
is missing, when libyaml rejects a text (ruamel is the reference: the two differ at the edges),
and for texts holding NEL, U+2028 or U+2029, which libyaml (YAML 1.1) takes as line breaks and
YAML 1.2 does not. Nodes of both libraries share the interface used here: `id` ("scalar",
"sequence", "mapping"), `value`, `tag`, `flow_style`, `start_mark.index`, `end_mark.index`;
a scalar's style is read through `style()` (the two spell "plain" differently). Aliases are the same node object twice: walk with a seen-set, never expand.
"""
from __future__ import annotations

import re

from themis_lint.model import AnalysisError
from themis_lint.text import MAX_FLOW_DEPTH, flow_depth

_YAML_11_BREAKS = ("\x85", "\u2028", "\u2029")
# the last few texts composed: a fix pass re-parses its output for several surfaces and compares
# it with its input (duplicate keys), so both are asked for in turn
_RECENT = 4
_recent: dict[str, tuple[list | None, AnalysisError | None]] = {}


def compose(text: str) -> list:
    """The root node of every non-empty document; AnalysisError(reason, offset) when the text
    is not YAML (or nests deeper than can be parsed in bounded time)."""
    if text not in _recent:
        try:
            _recent[text] = (_compose(text), None)
        except AnalysisError as exc:
            _recent[text] = (None, exc)
        while len(_recent) > _RECENT:
            del _recent[next(iter(_recent))]
    docs, error = _recent[text]
    if error is not None:
        raise error
    return docs


_TEMPLATE_ACTION = re.compile(r"\{\{.*?\}\}")  # a Go template action (Helm's), within one line


def without_template_actions(text: str) -> str:
    """`text` with every `{{ ... }}` action replaced by spaces: offsets unchanged, so spans found
    in the result edit the template itself."""
    return _TEMPLATE_ACTION.sub(lambda m: " " * len(m.group()), text)


def problem(text: str) -> str | None:
    """None when `text` composes as YAML, else a one-line reason (surfaces' parse_error)."""
    try:
        compose(text)
    except AnalysisError as exc:
        return exc.reason
    return None


def span(node) -> tuple[int, int]:
    return node.start_mark.index, node.end_mark.index


def is_scalar(node) -> bool:
    return node.id == "scalar"


def is_mapping(node) -> bool:
    return node.id == "mapping"


def is_sequence(node) -> bool:
    return node.id == "sequence"


def style(node) -> str | None:
    """A scalar's style: None for plain (libyaml says "", ruamel None), else ' " | >."""
    return node.style or None


def is_null(node) -> bool:
    return node.id == "scalar" and node.tag.endswith(":null") and style(node) is None


def duplicate_key(roots: list) -> tuple[str, int] | None:
    """The first scalar key that a mapping holds twice, with its offset (YAML forbids duplicate
    keys, but composing does not check them; a loader would refuse the document)."""
    for node in walk(roots):
        if node.id != "mapping":
            continue
        seen: set[str] = set()
        for key, _ in node.value:
            if key.id != "scalar":
                continue
            if key.value in seen:
                return key.value, key.start_mark.index
            seen.add(key.value)
    return None


def walk(roots: list):
    """Every node once, parents before children, in document order (aliases visited once)."""
    stack, seen = list(reversed(roots)), set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if node.id == "sequence":
            stack += reversed(node.value)
        elif node.id == "mapping":
            for key, value in reversed(node.value):
                stack += [value, key]


def _compose(text: str) -> list:
    if flow_depth(text) > MAX_FLOW_DEPTH:  # ruamel's scanner is quadratic in flow nesting
        raise AnalysisError("invalid YAML: nesting too deep", 0)
    if not any(ch in text for ch in _YAML_11_BREAKS):
        try:
            return _compose_libyaml(text)
        except (ImportError, AnalysisError):
            pass
        except Exception:  # noqa: BLE001  libyaml rejected it: ruamel decides and says why
            pass
    return _compose_ruamel(text)


def warm() -> None:
    """Import both YAML libraries now: runner.Workers' workers do it while discovery walks."""
    import ruamel.yaml  # noqa: F401
    import yaml  # noqa: F401


def _compose_libyaml(text: str) -> list:
    import yaml

    if not getattr(yaml, "__with_libyaml__", False):
        raise ImportError("PyYAML without libyaml")
    try:
        return [d for d in yaml.compose_all(text, Loader=yaml.CSafeLoader) if d is not None]
    except RecursionError as exc:  # ruamel then says the same, with its own limit
        raise AnalysisError("invalid YAML: nesting too deep", 0) from exc


def _compose_ruamel(text: str) -> list:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return [d for d in YAML(typ="rt", pure=True).compose_all(text) if d is not None]
    except RecursionError as exc:
        raise AnalysisError("invalid YAML: nesting too deep", 0) from exc
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        offset = mark.index if mark is not None and 0 <= mark.index <= len(text) else 0
        reason = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise AnalysisError(f"invalid YAML: {reason}", offset) from exc
