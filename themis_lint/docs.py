"""`themis-lint rule CODE`: the rule's page plus its `doc: true` cases (STYLE.md)."""
from __future__ import annotations

from pathlib import Path

from themis_lint.packs import load_catalogue, rules_dir


def case_files(code: str) -> list[Path]:
    return sorted((rules_dir() / "cases").glob(f"{code}-*.yaml"))


def doc_cases(code: str) -> list[dict]:
    from ruamel.yaml import YAML

    found = []
    for path in case_files(code):
        data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8")) or {}
        found += [c for c in data.get("cases", []) if c.get("doc")]
    return found


def render_rule(code: str) -> str:
    catalogue = load_catalogue()
    if code not in catalogue:
        raise KeyError(f"unknown rule code {code!r}; `themis-lint rules` lists them")
    rule = catalogue[code]
    page = rules_dir() / "docs" / f"{rule.code}-{rule.slug}.md"
    head = f"{rule.code} {rule.slug} ({rule.severity}, fix: {rule.fix})\n\n"
    body = page.read_text(encoding="utf-8") if page.exists() else rule.summary + "\n"
    examples = []
    for case in doc_cases(code):
        examples.append(f"### Example: {case['name']} ({case['file']})\n\nBefore:\n\n"
                        + _indent(case.get("source", "")) + "\nAfter:\n\n" + _indent(case.get("fixed", case.get("source", ""))))
    return head + body + ("\n" + "\n".join(examples) if examples else "")


def _indent(text: str) -> str:
    return "".join("    " + line for line in text.splitlines(keepends=True)) + ("" if text.endswith("\n") else "\n")
