"""`github`: workflow commands that GitHub Actions shows as annotations (docs/cli.md "Outputs").

`::error file=...,line=...,col=...,endLine=...,endColumn=...,title=CODE::message`; the
workflow-command syntax needs `%`, CR and LF escaped in the message, and `:` and `,` too in
property values.
"""
from __future__ import annotations

from themis_lint.model import Finding
from themis_lint.report import Report

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, report: Report) -> str:
    rule = report.rule(f.code)
    end_row, end_column = max((f.row, f.column), (f.end_row, f.end_column))
    props = [("file", f.path), ("line", f.row), ("col", f.column), ("endLine", end_row),
             ("endColumn", end_column), ("title", f.code)]
    head = ",".join(f"{key}={escape_property(str(value))}" for key, value in props)
    return f"::{COMMANDS[rule.severity]} {head}::{escape_data(f'{f.code} {f.message}')}"


def render(report: Report) -> str:
    return "".join(annotation(f, report) + "\n" for f in report.findings)
