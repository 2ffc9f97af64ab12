"""Output formats: each module renders a Report to a string."""
from __future__ import annotations

from dataclasses import dataclass, field

from themis_lint import text
from themis_lint.model import Finding, Safety
from themis_lint.packs import Pack, Rule

TOOL_URI = "https://github.com/themis-lint/themis-lint"
DOCS_BASE = f"{TOOL_URI}/blob/main/rules/docs/"
TOOL_CODES = ("TH900", "TH901")  # the engine's and the CLI's own codes, in every run


@dataclass
class Report:
    findings: list[Finding]
    catalogue: dict[str, Rule]
    pack: Pack
    files: list[str] = field(default_factory=list)  # every file analyzed (for JUnit)
    fixed: int = 0
    fixing: Safety | None = None
    errors: int = 0  # error lines printed on stderr (unreadable files, missing paths)

    def rule(self, code: str) -> Rule:
        return self.catalogue[code]

    def rules(self) -> list[Rule]:
        """Every rule of the selected pack(s), the tool's own codes and any code reported, in catalogue order."""
        codes = {c.code for c in self.pack.changes} | set(TOOL_CODES) | {f.code for f in self.findings}
        return [rule for code, rule in self.catalogue.items() if code in codes]


def rule_url(rule: Rule) -> str:
    return f"{DOCS_BASE}{rule.code}-{rule.slug}.md"


def fix_marker(f: Finding) -> str:
    if f.fix is None:
        return ""
    return "[*] " if f.fix.safety is Safety.SAFE else "[~] "


clean = text.clean  # the one escaping function: report formats and the command lines share it


def rule_page(rule: Rule) -> str | None:
    """The rule's documentation page (rules/docs), or None while it has none."""
    from themis_lint.packs import rules_dir

    page = rules_dir() / "docs" / f"{rule.code}-{rule.slug}.md"
    try:
        return page.read_text(encoding="utf-8")
    except OSError:
        return None


def severity_level(severity: str) -> str:
    """Our severities as SARIF/GitHub levels."""
    return {"error": "error", "warning": "warning", "info": "note"}[severity]
