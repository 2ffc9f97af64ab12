"""One round-trip YAML parse per file text, shared by the surfaces that read YAML objects.

The server-config and command-line surfaces both want ruamel's round-trip documents of the same
compose or Kubernetes file; ruamel's pure-Python parser is the largest cost of a scan, so the
last text's documents (or its error) are kept and handed to the next surface that asks. The
documents are read-only by convention: no surface mutates them.
"""
from __future__ import annotations

from themis_lint.model import AnalysisError
from themis_lint.text import MAX_FLOW_DEPTH, flow_depth

_last: tuple[str, list | None, BaseException | None] | None = None


def load_all(text: str) -> list:
    """Every document of `text` (round-trip objects). Raises ruamel's YAMLError as it would, and
    AnalysisError for nesting too deep to parse in bounded time."""
    global _last
    if _last is not None and (_last[0] is text or _last[0] == text):
        if _last[2] is not None:
            raise _last[2]
        return _last[1]
    try:
        docs = _parse(text)
    except BaseException as exc:
        _last = (text, None, exc)
        raise
    _last = (text, docs, None)
    return docs


def _parse(text: str) -> list:
    from ruamel.yaml import YAML

    if flow_depth(text) > MAX_FLOW_DEPTH:  # ruamel's scanner is quadratic in flow nesting
        raise AnalysisError("invalid YAML: nesting too deep", 0)
    try:
        return list(YAML(typ="rt", pure=True).load_all(text))
    except RecursionError as exc:
        raise AnalysisError("invalid YAML: nesting too deep", 0) from exc


def compose_all(text: str) -> list:
    """Node trees of every document (no construction: custom tags such as `!Ref` are fine, and so
    are duplicate keys). Raises AnalysisError when the text is not YAML."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    if flow_depth(text) > MAX_FLOW_DEPTH:  # ruamel's scanner is quadratic in flow nesting
        raise AnalysisError("invalid YAML: nesting too deep", 0)
    try:
        return [d for d in YAML(typ="rt", pure=True).compose_all(text) if d is not None]
    except RecursionError as exc:
        raise AnalysisError("invalid YAML: nesting too deep", 0) from exc
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        offset = mark.index if mark is not None and 0 <= mark.index <= len(text) else 0
        reason = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise AnalysisError(f"invalid YAML: {reason}", offset) from exc
