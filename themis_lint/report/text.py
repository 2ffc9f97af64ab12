"""`text`: `path:line:col: CODE [*] message` lines and a summary (docs/cli.md "Outputs").

Colour (`--color`, decided by the CLI) marks paths, codes by severity and fix markers; the
machine formats never get any. `--statistics` prints one line per code instead (ruff's table),
`--show-fixes` what `--fix` changed, file by file, `--quiet` drops the summary.
"""
from __future__ import annotations

import click

from themis_lint.model import Finding, Safety
from themis_lint.report import Report, clean, fix_marker

SEVERITY_COLORS = {"error": "red", "warning": "yellow", "info": "blue"}


class Paint:
    """click.style when colouring, else the text as it is."""

    def __init__(self, on: bool):
        self.on = on

    def __call__(self, text: str, **style) -> str:
        return click.style(text, **style) if self.on and text else text


def render(report: Report) -> str:
    paint = Paint(report.color)
    if report.statistics:
        lines = statistics_lines(report, paint)
    else:
        lines = [finding_line(f, report, paint) for f in report.findings]
    if report.show_fixes:
        lines += fixes_lines(report)
    if not report.quiet:
        lines.append(paint(summary(report), bold=True))
    return "".join(line + "\n" for line in lines)


def finding_line(f: Finding, report: Report, paint: Paint) -> str:
    marker = fix_marker(f)
    color = SEVERITY_COLORS.get(report.rule(f.code).severity) if f.code in report.catalogue else None
    return (f"{paint(clean(f.path), bold=True)}:{f.row}:{f.column}: {paint(f.code, fg=color, bold=True)} "
            f"{paint(marker.strip(), fg='cyan')}{' ' if marker else ''}{clean(f.message)}")


def fixes_lines(report: Report) -> list[str]:
    """ruff's --show-fixes: every file `--fix` changed (or `--diff` would), with its fixes by code."""
    total = sum(n for codes in report.fixed_by_file.values() for n in codes.values())
    verb = "Would fix" if report.would_fix else "Fixed"
    if not total:
        return ["No findings fixed." if not report.would_fix else "No findings would be fixed."]
    lines = [f"{verb} {total} finding(s):"]
    for path in sorted(report.fixed_by_file):
        lines.append(f"- {clean(path)}:")
        for code, n in sorted(report.fixed_by_file[path].items()):
            slug = report.rule(code).slug if code in report.catalogue else ""
            lines.append(f"    {n} × {code} ({slug})")
    return lines


def statistics_lines(report: Report, paint: Paint) -> list[str]:
    """ruff's --statistics: count, code, fix marker and slug per code, most frequent first; a code
    whose findings differ in fixability says how many of each."""
    by_code: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_code.setdefault(f.code, []).append(f)
    width = max((len(str(len(found))) for found in by_code.values()), default=1)
    lines = []
    for code, found in sorted(by_code.items(), key=lambda item: (-len(item[1]), item[0])):
        slug = report.rule(code).slug if code in report.catalogue else ""
        marker, detail = _fixability(found)
        lines.append(f"{len(found):>{width}}\t{paint(code, bold=True)}\t{paint(marker, fg='cyan')} {slug}{detail}")
    return lines


def _fixability(found: list[Finding]) -> tuple[str, str]:
    safe = sum(1 for f in found if f.fix and f.fix.safety is Safety.SAFE)
    unsafe = sum(1 for f in found if f.fix and f.fix.safety is Safety.UNSAFE)
    manual = len(found) - safe - unsafe
    marker = "[*]" if safe == len(found) else "[~]" if not manual else "[ ]"
    parts = [text for n, text in ((safe, f"{safe} with --fix"), (unsafe, f"{unsafe} with --fix --unsafe-fixes"),
                                  (manual, f"{manual} by hand")) if n]
    return marker, f" ({', '.join(parts)})" if len(parts) > 1 else ""


def summary(report: Report) -> str:
    n = len(report.findings)
    known = f" {report.baselined} more are in the baseline." if report.baselined else ""
    if not n and not report.fixed and not report.errors and report.nothing_checked:
        return "Nothing was checked."
    if report.fixing is not None and n + report.fixed:
        return f"Found {n + report.fixed} finding(s) ({report.fixed} fixed, {n} remaining).{known}"
    if not n and report.errors:
        return f"No findings, but {report.errors} error(s) above: not everything could be checked."
    if not n:
        return "All checks passed." + (f" ({report.baselined} known finding(s) are in the baseline.)"
                                       if report.baselined else "")
    safe = sum(1 for f in report.findings if f.fix and f.fix.safety is Safety.SAFE)
    unsafe = sum(1 for f in report.findings if f.fix and f.fix.safety is Safety.UNSAFE)
    parts = []
    if safe:
        parts.append(f"{safe} fixable with --fix")
    if unsafe:
        parts.append(f"{unsafe} more with --fix --unsafe-fixes")
    return f"Found {n} finding(s)" + (f" ({'; '.join(parts)})" if parts else "") + "." + known
