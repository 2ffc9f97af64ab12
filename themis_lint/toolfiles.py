"""Files themis-lint wrote are never findings, whatever their name (issue 14, docs/ci-and-hooks.md
"Files themis-lint writes").

Every machine document the tool writes carries a marker a later run recognises by content:
`"tool": "themis-lint"` at the top of a JSON object (baselines, `report --output-format json`,
the migrate report), the driver name of every SARIF run, our documentation URL in every item of
`json` output, `engine_name` in every GitLab Code Quality item, the suite name of JUnit XML and
the title of the migrate HTML page. A baseline holds the very text it matched (`/_admin/log`),
so without this a committed baseline or SARIF log would be reported, and fixed, as client data.
Text and GitHub annotation output are for people and logs and carry no marker.
"""
from __future__ import annotations

import codecs
import json
import re

TOOL = "themis-lint"
TOOL_URI = "https://github.com/themis-lint/themis-lint"
_NEEDLE = TOOL.encode()
_JUNIT = re.compile(rb'\s*(<\?xml[^>]*\?>\s*)?<testsuites name="themis-lint"')
_HTML = re.compile(rb"\s*<!doctype html>.{0,200}<title>themis-lint ", re.IGNORECASE | re.DOTALL)


def kind(data: bytes) -> str | None:
    """What themis-lint document these bytes are ("a baseline", "a SARIF log", "a rule pack",
    ...), or None."""
    if b"primitive:" in data and b"changes:" in data and _is_pack(data):
        return "a rule pack"  # its `path:` and `old:` values are the pack's, not client code
    if _NEEDLE not in data:
        return None  # the fast path: nearly every file stops here
    start = data.removeprefix(codecs.BOM_UTF8).lstrip()[:1]
    if start == b"<":
        return _markup_kind(data[:1024])
    if start not in (b"{", b"["):
        return None
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return _json_kind(doc)


def _markup_kind(head: bytes) -> str | None:
    if _JUNIT.match(head):
        return "a JUnit report"
    if _HTML.match(head):
        return "an HTML report"
    return None


def _json_kind(doc) -> str | None:
    if isinstance(doc, dict):
        if doc.get("tool") == TOOL:
            return "a baseline" if "findings" in doc else "a report"
        runs = doc.get("runs")
        if isinstance(runs, list) and runs and all(_driver(run) == TOOL for run in runs):
            return "a SARIF log"
        return None
    if isinstance(doc, list) and doc and all(isinstance(item, dict) for item in doc):
        if all(str(item.get("url", "")).startswith(TOOL_URI) and "code" in item for item in doc):
            return "a JSON report"
        if all(item.get("engine_name") == TOOL for item in doc):
            return "a GitLab Code Quality report"
    return None


def _driver(run) -> str | None:
    try:
        return run["tool"]["driver"]["name"]
    except (TypeError, KeyError):
        return None


def write(path: str, text: str) -> None:
    """Write a document atomically (safe_io.replace); OSError as it comes."""
    from themis_lint.safe_io import write_document

    write_document(path, text.encode("utf-8"))


def _is_pack(data: bytes) -> bool:
    """A rule pack (docs/packs.md): a YAML mapping with `from`, `to` and `changes`, each change
    naming its `primitive`."""
    from themis_lint.model import AnalysisError
    from themis_lint.parse import yaml_nodes

    try:
        docs = yaml_nodes.compose(data.decode("utf-8-sig"))
    except (AnalysisError, UnicodeDecodeError, RecursionError):
        return False
    if len(docs) != 1 or not yaml_nodes.is_mapping(docs[0]):
        return False
    keys = {k.value: v for k, v in docs[0].value if yaml_nodes.is_scalar(k)}
    changes = keys.get("changes")
    return ({"from", "to"} <= set(keys) and changes is not None and yaml_nodes.is_sequence(changes)
            and all(yaml_nodes.is_mapping(c) and any(yaml_nodes.is_scalar(k) and k.value == "primitive"
                                                     for k, _ in c.value) for c in changes.value))


def described(kind: str) -> str:
    """`kind` (from `kind`) as the skip notes say it."""
    return f"{kind}, themis-lint's own input" if kind == "a rule pack" else f"{kind} written by themis-lint"
