"""`junit`: JUnit XML with one test case per file and a failure per finding (docs/cli.md "Outputs")."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from themis_lint.model import Finding
from themis_lint.report import Report, rule_url

# characters XML 1.0 cannot hold at all, even escaped
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def render(report: Report) -> str:
    by_file: dict[str, list[Finding]] = {path: [] for path in report.files}
    for f in report.findings:
        by_file.setdefault(f.path, []).append(f)
    if not by_file:  # a run that checked nothing still reports one passing case
        by_file["themis-lint"] = []
    failures = len(report.findings)
    root = ET.Element("testsuites", name="themis-lint", tests=str(len(by_file)), failures=str(failures),
                      errors="0")
    suite = ET.SubElement(root, "testsuite", name=xml_text(f"themis-lint {report.pack.name}"),
                          tests=str(len(by_file)), failures=str(failures),
                          errors="0", skipped="0", time="0")
    for path in sorted(by_file):
        case = ET.SubElement(suite, "testcase", name=xml_text(path), classname="themis-lint",
                             file=xml_text(path), time="0")
        for f in by_file[path]:
            rule = report.rule(f.code)
            failure = ET.SubElement(case, "failure", message=xml_text(f"{f.code} {f.message}"),
                                    type=f"{f.code} {rule.slug}")
            failure.text = xml_text(f"{f.path}:{f.row}:{f.column}: {f.code} [{rule.severity}] {f.message}\n"
                                    f"{rule_url(rule) or rule.summary}\n")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
