"""`json`: one object per finding with ruff's field names (docs/cli.md "Outputs")."""
from __future__ import annotations

import json

from themis_lint.model import Finding
from themis_lint.report import Report, rule_url


def finding_dict(f: Finding, report: Report) -> dict:
    rule = report.rule(f.code)
    fix = None
    if f.fix is not None:
        fix = {"applicability": f.fix.safety.value, "message": f.fix.message or None,
               "edits": [{"content": content, "location": {"row": r, "column": c},
                          "end_location": {"row": er, "column": ec}}
                         for content, (r, c), (er, ec) in f.extra.get("edit_positions", [])]}
    return {"code": f.code, "message": f.message, "filename": f.path,
            "location": {"row": f.row, "column": f.column},
            "end_location": {"row": f.end_row, "column": f.end_column},
            "fix": fix, "url": rule_url(rule), "severity": rule.severity, "category": rule.category,
            "slug": rule.slug, "pack": report.pack.name}


def render(report: Report) -> str:
    return json.dumps([finding_dict(f, report) for f in report.findings], indent=2, ensure_ascii=False) + "\n"
