"""`text`: `path:line:col: CODE [*] message` lines and a summary (CLI.md "Outputs")."""
from __future__ import annotations

from themis_lint.model import Safety
from themis_lint.report import Report, clean, fix_marker


def render(report: Report) -> str:
    lines = [f"{clean(f.path)}:{f.row}:{f.column}: {f.code} {fix_marker(f)}{clean(f.message)}"
             for f in report.findings]
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def summary(report: Report) -> str:
    n = len(report.findings)
    safe = sum(1 for f in report.findings if f.fix and f.fix.safety is Safety.SAFE)
    unsafe = sum(1 for f in report.findings if f.fix and f.fix.safety is Safety.UNSAFE)
    if report.fixing is not None:
        return f"Found {n + report.fixed} finding(s) ({report.fixed} fixed, {n} remaining)."
    if not n and report.errors:
        return f"No findings, but {report.errors} error(s) above: not everything could be checked."
    if not n:
        return "All checks passed."
    parts = []
    if safe:
        parts.append(f"{safe} fixable with --fix")
    if unsafe:
        parts.append(f"{unsafe} more with --fix --unsafe-fixes")
    return f"Found {n} finding(s)" + (f" ({'; '.join(parts)})" if parts else "") + "."
