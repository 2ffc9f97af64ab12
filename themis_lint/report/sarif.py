"""`sarif`: SARIF 2.1.0 for code scanning (docs/cli.md "Outputs"); passes the official validator."""
from __future__ import annotations

import json
import os
from urllib.parse import quote

from themis_lint import __version__
from themis_lint.model import Finding, Safety
from themis_lint.report import TOOL_URI, Report, rule_page, rule_url, severity_level
from themis_lint.packs import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "themisLint/v1"  # code + path + matched text + occurrence (baseline.py)


def render(report: Report) -> str:
    from themis_lint.baseline import assign_fingerprints

    if any("fingerprint" not in f.extra for f in report.findings):
        assign_fingerprints(report.findings)
    rules = report.rules()
    index = {rule.code: i for i, rule in enumerate(rules)}
    run = {
        "tool": {"driver": {
            "name": "themis-lint", "version": __version__, "semanticVersion": __version__,
            "informationUri": TOOL_URI, "rules": [rule_descriptor(r) for r in rules]}},
        "columnKind": "unicodeCodePoints",  # our columns count characters, not UTF-16 units
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The folder themis-lint ran in."}}},
        "results": [result(f, report, index[f.code]) for f in report.findings],
    }
    if report.sarif_category:
        # GitHub's upload action sets its `category` only when the log has no id of its own, so
        # the id is the user's choice, never a constant: two uploads of one id replace each other
        run["automationDetails"] = {"id": f"{report.sarif_category}/"}
    doc = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def rule_descriptor(rule: Rule) -> dict:
    page = rule_page(rule)
    summary = _sentence(rule.summary)
    descriptor = {
        "id": rule.code,
        "name": "".join(part.capitalize() for part in rule.slug.split("-")),
        "shortDescription": {"text": summary},
        "fullDescription": {"text": _sentence(_what_it_finds(page) or rule.summary)},
        "help": {"text": page or summary, "markdown": page or summary},
        "helpUri": rule_url(rule),
        "defaultConfiguration": {"level": severity_level(rule.severity), "enabled": rule.default},
        "properties": {"tags": [rule.category, rule.slug], "fix": rule.fix},
    }
    if descriptor["helpUri"] is None:  # a pack's own code without a `url`: SARIF makes it optional
        del descriptor["helpUri"]
    return descriptor


def result(f: Finding, report: Report, rule_index: int) -> dict:
    rule = report.rule(f.code)
    out = {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": severity_level(rule.severity),
        "message": {"text": _sentence(f.message)},
        "locations": [{"physicalLocation": {"artifactLocation": artifact(f.path),
                                            "region": region(f.row, f.column, f.end_row, f.end_column)}}],
        "partialFingerprints": {FINGERPRINT_KEY: f.extra["fingerprint"]},
    }
    if f.fix is not None and f.fix.safety is not Safety.NONE and f.extra.get("edit_positions"):
        out["fixes"] = [fix(f)]
    return out


def fix(f: Finding) -> dict:
    note = "" if f.fix.safety is Safety.SAFE else " (unsafe: check the result)"
    replacements = [{"deletedRegion": region(r, c, er, ec), "insertedContent": {"text": content}}
                    for content, (r, c), (er, ec) in f.extra["edit_positions"]]
    return {"description": {"text": _sentence((f.fix.message or f"Fix {f.code}") + note)},
            "artifactChanges": [{"artifactLocation": artifact(f.path), "replacements": replacements}]}


def artifact(path: str) -> dict:
    """A relative URI against %SRCROOT% (the folder of the run); absolute paths as file URIs."""
    if os.path.isabs(path):
        return {"uri": "file://" + quote(path.replace(os.sep, "/"))}
    return {"uri": quote(path.replace(os.sep, "/")), "uriBaseId": SRCROOT}


def region(row: int, column: int, end_row: int, end_column: int) -> dict:
    end_row, end_column = max((end_row, end_column), (row, column))
    return {"startLine": row, "startColumn": column, "endLine": end_row, "endColumn": end_column}


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _what_it_finds(page: str | None) -> str | None:
    """The first paragraph of the page's "What it finds" section."""
    if not page or "## What it finds" not in page:
        return None
    section = page.split("## What it finds", 1)[1].strip()
    paragraph = section.split("\n\n", 1)[0]
    return " ".join(paragraph.split()) if paragraph and not paragraph.startswith("#") else None
