"""`gitlab`: GitLab Code Quality, the JSON array GitLab's merge-request widget reads
(`artifacts: reports: codequality:`), a subset of the Code Climate issue format.

GitLab requires `description`, `check_name`, `fingerprint`, `severity` (info, minor, major,
critical, blocker) and `location.path` with `location.lines.begin`. The fingerprint is the
baseline's (code, path, matched text, occurrence: never the line), so a finding keeps it across
unrelated edits and GitLab does not call it new. `engine_name` marks the file as ours
(themis_lint.toolfiles): a report committed to the repository is never checked as data.
"""
from __future__ import annotations

import json

from themis_lint.model import Finding
from themis_lint.report import Report, rule_url
from themis_lint.toolfiles import TOOL

# a 1.4 error breaks the client (a removed endpoint): above GitLab's style findings, below security
SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def issue(f: Finding, report: Report) -> dict:
    rule = report.rule(f.code)
    return {
        "type": "issue",
        "engine_name": TOOL,
        "check_name": f.code,
        "description": f"{f.code} {f.message}",
        "content": {"body": f"{rule.slug}: {rule_url(rule)}"},
        "categories": ["Compatibility"],
        "severity": SEVERITIES[rule.severity],
        "fingerprint": f.extra["fingerprint"],
        "location": {"path": f.path, "lines": {"begin": f.row, "end": max(f.row, f.end_row)}},
    }


def render(report: Report) -> str:
    from themis_lint.baseline import assign_fingerprints

    if any("fingerprint" not in f.extra for f in report.findings):
        assign_fingerprints(report.findings)
    return json.dumps([issue(f, report) for f in report.findings], indent=2, ensure_ascii=False) + "\n"
