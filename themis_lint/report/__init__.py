"""Output formats: each module renders a Report to a string."""
from __future__ import annotations

from dataclasses import dataclass, field

from themis_lint.text import clean as _clean
from themis_lint.model import Finding, Safety
from themis_lint.packs import Pack, Rule
from themis_lint.toolfiles import TOOL_URI  # one spelling: later runs recognise our output by it

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
    nothing_checked: bool = False  # no file of the run is one a surface reads
    baselined: int = 0  # findings the baseline knows (not reported)
    fixed_by_file: dict[str, dict[str, int]] = field(default_factory=dict)  # path -> code -> fixes
    would_fix: bool = False  # --diff: the fixes are shown, not made
    sarif_category: str | None = None  # SARIF automationDetails.id (GitHub's upload category)
    # the text format only
    color: bool = False
    quiet: bool = False  # findings only, no summary
    statistics: bool = False  # one line per code instead of one per finding
    show_fixes: bool = False

    def rule(self, code: str) -> Rule:
        return self.catalogue[code]

    def rules(self) -> list[Rule]:
        """Every rule of the selected pack(s), the tool's own codes and any code reported, in catalogue order."""
        codes = {c.code for c in self.pack.changes} | set(TOOL_CODES) | {f.code for f in self.findings}
        return [rule for code, rule in self.catalogue.items() if code in codes]


def rule_url(rule: Rule) -> str | None:
    """The rule's page on the web: ours for a built-in code; a pack's own code has the `url` its
    pack declares, or none (never a made-up address that does not exist)."""
    if not rule.builtin:
        return rule.url
    return f"{DOCS_BASE}{rule.code}-{rule.slug}.md"


def fix_marker(f: Finding) -> str:
    if f.fix is None:
        return ""
    return "[*] " if f.fix.safety is Safety.SAFE else "[~] "


clean = _clean  # the one escaping function: report formats and the command lines share it


def rule_page(rule: Rule) -> str | None:
    """The rule's documentation page (rules/docs; a pack's own code: its `docs`), or None."""
    from themis_lint.packs import rules_dir

    if not rule.builtin:
        return rule.docs
    page = rules_dir() / "docs" / f"{rule.code}-{rule.slug}.md"
    try:
        return page.read_text(encoding="utf-8")
    except OSError:
        return None


def severity_level(severity: str) -> str:
    """Our severities as SARIF/GitHub levels."""
    return {"error": "error", "warning": "warning", "info": "note"}[severity]
