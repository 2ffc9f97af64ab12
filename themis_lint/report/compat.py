"""`themis-lint report`: the migration guide's `themisdb-compat-check`, made real (docs/cli.md "Commands").

One line per category with ✓ (nothing), ⚠ (warnings only), ✗ (errors) or – (not checked: no rule
of it selected in this run, so its silence proves nothing), counts and how many
findings `--fix` repairs, the distinct findings under it, then the pack's manual-review items.
The findings come from `checking.collect`, the same pipeline as `check`; `checking.run_report` runs it.
"""
from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field

import click

from themis_lint.model import Finding, Safety
from themis_lint.text import clean

CATEGORIES = ("Configuration", "API", "Indexes", "Queries")
MARKS = {"ok": "✓", "warning": "⚠", "error": "✗", "not-checked": "–"}


@dataclass
class Category:
    name: str
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    fixable: int = 0
    unsafe_fixable: int = 0
    items: dict[tuple[str, str], list[Finding]] = field(default_factory=dict)
    checked: bool = True  # some rule of the category ran (`--select` may leave out all of them)

    @property
    def total(self) -> int:
        return self.errors + self.warnings + self.infos

    @property
    def status(self) -> str:
        if not self.checked and not self.total:
            return "not-checked"
        return "error" if self.errors else "warning" if self.total else "ok"

    def add(self, f: Finding, severity: str) -> None:
        counter = {"error": "errors", "warning": "warnings", "info": "infos"}[severity]
        setattr(self, counter, getattr(self, counter) + 1)
        if f.fix is not None and f.fix.safety is Safety.SAFE:
            self.fixable += 1
        elif f.fix is not None and f.fix.safety is Safety.UNSAFE:
            self.unsafe_fixable += 1
        self.items.setdefault((f.code, f.message), []).append(f)


def summarise(findings: list[Finding], catalogue: dict, enabled=None) -> list[Category]:
    """The four guide categories always, other categories (Tool) only when they have findings;
    `enabled(code)`: whether the run checked a rule (a category none of whose rules ran is
    "not checked", never "Compatible")."""
    categories = {name: Category(name) for name in CATEGORIES}
    if enabled is not None:
        for c in categories.values():
            c.checked = any(enabled(code) for code, rule in catalogue.items() if rule.category == c.name)
    for f in findings:
        rule = catalogue[f.code]
        categories.setdefault(rule.category, Category(rule.category)).add(f, rule.severity)
    return [c for c in categories.values() if c.name in CATEGORIES or c.total]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def category_line(c: Category) -> str:
    if c.status == "not-checked":
        return f"{MARKS['not-checked']} {c.name}: not checked (none of its rules selected)"
    if not c.total:
        return f"{MARKS['ok']} {c.name}: Compatible"
    kinds = [_plural(n, w) for n, w in ((c.errors, "error"), (c.warnings, "warning"), (c.infos, "info")) if n]
    line = f"{MARKS[c.status]} {c.name}: {_plural(c.total, 'finding')} ({', '.join(kinds)}), {c.fixable} auto-fixable"
    if c.unsafe_fixable:
        line += f", {c.unsafe_fixable} more with --unsafe-fixes"
    return line


def _more(found: list[Finding]) -> str:
    """What one line folds in besides its first finding: how many, and in how many other files
    (the line names only the first; `check` lists them all)."""
    if len(found) < 2:
        return ""
    others = len({f.path for f in found} - {found[0].path})
    where = f", {_plural(others, 'other file')}" if others else ""
    return f" (and {len(found) - 1} more{where})"


MARK_COLORS = {"ok": "green", "warning": "yellow", "error": "red", "not-checked": None}


def render_text(pack, categories: list[Category], files: int, color: bool = False) -> str:
    """The report for people; `color` marks each category line by its status (--color)."""
    source = f"({pack.name})" if pack.changes else "(no breaking changes)"
    title = (f"ThemisDB {pack.from_version} → {pack.to_version} compatibility report {source}, "
             f"{_plural(files, 'file')} with findings")
    lines = [title, ""]
    for c in categories:
        line = category_line(c)
        lines.append(click.style(line, fg=MARK_COLORS[c.status]) if color else line)
        for (code, message), found in c.items.items():
            first = found[0]
            lines.append(f"    {clean(first.path)}:{first.row}:{first.column}: {code} {clean(message)}{_more(found)}")
    if pack.manual_review:
        lines += ["", "Manual review (no static check can see these):"]
        lines += [clean(f"  - {item.get('category', 'General')}: {item['text']}") for item in pack.manual_review]
    return "\n".join(lines) + "\n"


def render_json(pack, categories: list[Category], files: int) -> str:
    doc = {
        "tool": "themis-lint",  # the marker that keeps a committed report out of later checks
        "pack": pack.name, "from": pack.from_version, "to": pack.to_version, "files": files,
        "categories": [{
            "name": c.name, "status": c.status, "symbol": MARKS[c.status], "findings": c.total,
            "errors": c.errors, "warnings": c.warnings, "infos": c.infos,
            "fixable": c.fixable, "unsafe_fixable": c.unsafe_fixable,
            "items": [{"code": code, "message": message, "count": len(found),
                       "locations": [{"filename": f.path, "row": f.row, "column": f.column} for f in found]}
                      for (code, message), found in c.items.items()]} for c in categories],
        "manual_review": [{"category": item.get("category"), "text": item["text"]} for item in pack.manual_review],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_markdown(pack, categories: list[Category], files: int) -> str:
    """The report as GitHub-flavoured Markdown, for a CI job summary ($GITHUB_STEP_SUMMARY)."""
    source = pack.name if pack.changes else "no breaking changes"
    lines = [f"### ThemisDB {pack.from_version} → {pack.to_version} compatibility report", "",
             f"{_plural(files, 'file')} with findings ({_md(source)})", "",
             "| | Category | Findings | Errors | Warnings | Auto-fixable | With --unsafe-fixes |",
             "|---|---|--:|--:|--:|--:|--:|"]
    for c in categories:
        lines.append(f"| {MARKS[c.status]} | {_md(c.name)} | {c.total} | {c.errors} | {c.warnings} | {c.fixable} "
                     f"| {c.unsafe_fixable} |")
    for c in categories:
        if not c.items:
            continue
        lines += ["", f"<details><summary>{MARKS[c.status]} {_md(c.name)}: {_plural(c.total, 'finding')}</summary>", ""]
        for (code, message), found in c.items.items():
            first = found[0]
            lines.append(f"- {_code(f'{first.path}:{first.row}:{first.column}')} {code} {_md(message)}{_md(_more(found))}")
        lines += ["", "</details>"]
    if pack.manual_review:
        lines += ["", "#### Manual review (no static check can see these)", ""]
        lines += [f"- **{_md(item.get('category', 'General'))}**: {_md(item['text'])}" for item in pack.manual_review]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Text from files and packs, kept as text: a summary renders HTML and tables split on `|`.
    Backtick code spans render literally already (an entity there would show as `&lt;`)."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code spans at all
        parts = [text]
    return "`".join(p if i % 2 else p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    .replace("|", "\\|") for i, p in enumerate(parts))


def _code(text: str) -> str:
    """A code span that holds any text: its fence is longer than any backtick run inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
