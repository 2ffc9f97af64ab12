"""`themis-lint rule CODE`: the rule's page plus its `doc: true` cases (STYLE.md); a pack's own
code: its declared docs, the verbs it uses and its pack's entries."""
from __future__ import annotations

from pathlib import Path

from themis_lint.packs import Rule, available_packs, extended_catalogue, load_catalogue, rules_dir


def case_files(code: str) -> list[Path]:
    return sorted((rules_dir() / "cases").glob(f"{code}-*.yaml"))


def doc_cases(code: str) -> list[dict]:
    from ruamel.yaml import YAML

    found = []
    for path in case_files(code):
        data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8")) or {}
        found += [c for c in data.get("cases", []) if c.get("doc")]
    return found


def render_rule(code: str, pack_paths: list[Path] = ()) -> str:
    catalogue = load_catalogue()
    packs = available_packs(catalogue, list(pack_paths)) if pack_paths else []
    catalogue = extended_catalogue(catalogue, packs)
    if code not in catalogue:
        raise KeyError(f"unknown rule code {code!r}; `themis-lint rules` lists them (a pack's own code: "
                       "name its pack with --pack)")
    rule = catalogue[code]
    head = f"{rule.code} {rule.slug} ({rule.severity}, fix: {rule.fix})\n\n"
    if not rule.builtin:
        return head + _own_page(rule, [c for p in packs for c in p.changes if c.code == code])
    page = rules_dir() / "docs" / f"{rule.code}-{rule.slug}.md"
    body = page.read_text(encoding="utf-8") if page.exists() else rule.summary + "\n"
    examples = []
    for case in doc_cases(code):
        examples.append(f"### Example: {case['name']} ({case['file']})\n\nBefore:\n\n"
                        + _indent(case.get("source", "")) + "\nAfter:\n\n" + _indent(case.get("fixed", case.get("source", ""))))
    return head + body + ("\n" + "\n".join(examples) if examples else "")


def _own_page(rule: Rule, changes: list) -> str:
    """A pack's own code: what its pack says, then what each verb it uses finds and the entries."""
    from themis_lint import primitives

    parts = [(rule.docs or rule.summary).rstrip() + "\n", f"Declared at {rule.origin}."
             + (f" More: {rule.url}" if rule.url else "") + "\n"]
    for verb in dict.fromkeys(c.primitive for c in changes):
        parts.append(f"## {verb}\n\n{primitives.get(verb).doc}\n")
        for change in (c for c in changes if c.primitive == verb):
            shown = ", ".join(f"{k}: {v}" for k, v in change.data.items())
            parts.append(f"- {shown} ({change.origin})")
        parts.append("")
    return "\n".join(parts)


def _indent(text: str) -> str:
    return "".join("    " + line for line in text.splitlines(keepends=True)) + ("" if text.endswith("\n") else "\n")
