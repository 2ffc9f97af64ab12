"""Output formats: each module renders a Report to a string."""
from __future__ import annotations

from dataclasses import dataclass, field

from themis_lint.model import Finding, Safety
from themis_lint.packs import Pack, Rule

DOCS_BASE = "https://github.com/themis-lint/themis-lint/blob/main/rules/docs/"


@dataclass
class Report:
    findings: list[Finding]
    catalogue: dict[str, Rule]
    pack: Pack
    files: list[str] = field(default_factory=list)  # every file analyzed (for JUnit)
    fixed: int = 0
    fixing: Safety | None = None

    def rule(self, code: str) -> Rule:
        return self.catalogue[code]


def rule_url(rule: Rule) -> str:
    return f"{DOCS_BASE}{rule.code}-{rule.slug}.md"


def fix_marker(f: Finding) -> str:
    if f.fix is None:
        return ""
    return "[*] " if f.fix.safety is Safety.SAFE else "[~] "


def clean(text: str) -> str:
    """Control characters shown escaped, so a file name cannot forge lines or terminal codes."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)
