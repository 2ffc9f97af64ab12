"""`themis-lint report`: the migration guide's `themisdb-compat-check`, made real (CLI.md "Commands").

One line per category with ✓ (nothing), ⚠ (warnings only) or ✗ (errors), counts and how many
findings `--fix` repairs, the distinct findings under it, then the pack's manual-review items.
The findings come from `checking.collect`, the same pipeline as `check`; `checking.run_report` runs it.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field

import click

from themis_lint.model import Finding, Safety
from themis_lint.text import clean

CATEGORIES = ("Configuration", "API", "Indexes", "Queries")
MARKS = {"ok": "✓", "warning": "⚠", "error": "✗"}


@dataclass
class Category:
    name: str
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    fixable: int = 0
    unsafe_fixable: int = 0
    items: dict[tuple[str, str], list[Finding]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.errors + self.warnings + self.infos

    @property
    def status(self) -> str:
        return "error" if self.errors else "warning" if self.total else "ok"

    def add(self, f: Finding, severity: str) -> None:
        counter = {"error": "errors", "warning": "warnings", "info": "infos"}[severity]
        setattr(self, counter, getattr(self, counter) + 1)
        if f.fix is not None and f.fix.safety is Safety.SAFE:
            self.fixable += 1
        elif f.fix is not None and f.fix.safety is Safety.UNSAFE:
            self.unsafe_fixable += 1
        self.items.setdefault((f.code, f.message), []).append(f)


def summarise(findings: list[Finding], catalogue: dict) -> list[Category]:
    """The four guide categories always, other categories (Tool) only when they have findings."""
    categories = {name: Category(name) for name in CATEGORIES}
    for f in findings:
        rule = catalogue[f.code]
        categories.setdefault(rule.category, Category(rule.category)).add(f, rule.severity)
    return [c for c in categories.values() if c.name in CATEGORIES or c.total]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def category_line(c: Category) -> str:
    if not c.total:
        return f"{MARKS['ok']} {c.name}: Compatible"
    kinds = [_plural(n, w) for n, w in ((c.errors, "error"), (c.warnings, "warning"), (c.infos, "info")) if n]
    line = f"{MARKS[c.status]} {c.name}: {_plural(c.total, 'finding')} ({', '.join(kinds)}), {c.fixable} auto-fixable"
    if c.unsafe_fixable:
        line += f", {c.unsafe_fixable} more with --unsafe-fixes"
    return line


def render_text(pack, categories: list[Category], files: int) -> str:
    source = f"({pack.name})" if pack.changes else "(no breaking changes)"
    title = (f"ThemisDB {pack.from_version} → {pack.to_version} compatibility report {source}, "
             f"{_plural(files, 'file')} with findings")
    lines = [title, ""]
    for c in categories:
        lines.append(category_line(c))
        for (code, message), found in c.items.items():
            first = found[0]
            more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
            lines.append(f"    {clean(first.path)}:{first.row}:{first.column}: {code} {clean(message)}{more}")
    if pack.manual_review:
        lines += ["", "Manual review (no static check can see these):"]
        lines += [clean(f"  - {item.get('category', 'General')}: {item['text']}") for item in pack.manual_review]
    return "\n".join(lines) + "\n"


def render_json(pack, categories: list[Category], files: int) -> str:
    doc = {
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
