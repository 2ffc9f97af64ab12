"""The title and body of a campaign's pull request, from the repository's report row (docs/migrate.md
"Pull requests"): the changes rule by rule with links to the rule pages, the unsafe fixes to
review, what still needs a person, the upgrade guide's manual-review items, how to reproduce.
"""
from __future__ import annotations

import shlex

from themis_lint import __version__
from themis_lint.report import rule_url

BODY_LIMIT = 60_000  # GitHub refuses bodies over 65,536 characters
LIST_LIMIT = 50  # items per list before "and N more"


def describe(row: dict, req, setup) -> tuple[str, str]:
    pack = setup.ctx.pack
    title = f"themis-lint: migrate from ThemisDB {pack.from_version} to {pack.to_version}"
    intro = (f"This pull request upgrades the repository from ThemisDB {pack.from_version} to {pack.to_version}. "
             f"It was made by `themis-lint migrate` {__version__} (pack `{pack.name}`); every change is "
             "format-preserving and explained rule by rule below.")
    parts = [intro, _changes(row, setup.catalogue), _unsafe(row), _person(row), _manual(pack), _reproduce(req, pack)]
    body = "\n\n".join(p for p in parts if p) + "\n"
    if len(body) > BODY_LIMIT:
        body = body[:BODY_LIMIT] + "\n\n… (cut: the campaign report has the rest)\n"
    return title, body


def _changes(row: dict, catalogue: dict) -> str:
    lines = ["### Changes by rule", "", "| rule | fixes | fix safety |", "|---|---:|---|"]
    for code, n in row["fixes"].items():
        rule = catalogue.get(code)
        name = f"[{code} {rule.slug}]({rule_url(rule)})" if rule else code
        unsafe = row.get("unsafe_fixes", {}).get(code, 0)
        safety = "safe" if not unsafe else ("**unsafe: review**" if unsafe == n else f"{n - unsafe} safe, "
                                                                                  f"**{unsafe} unsafe: review**")
        lines.append(f"| {name} | {n} | {safety} |")
    lines += ["", f"{row['files_changed']} file(s) changed: " + ", ".join(f"`{f}`" for f in row["changed"][:LIST_LIMIT])
              + _more(row["changed"])]
    return "\n".join(lines)


def _unsafe(row: dict) -> str:
    items = row.get("unsafe") or []
    if not items:
        return ""
    lines = ["### ⚠️ Unsafe fixes: review each one",
             "These replacements are the documented ones, but they may change behaviour. Tick each once reviewed.", ""]
    lines += [f"- [ ] `{f['file']}:{f['line']}` **{f['code']}** {f['message']}" for f in items[:LIST_LIMIT]]
    return "\n".join(lines) + _more(items)


def _person(row: dict) -> str:
    items = row.get("remaining") or []
    if not items:
        return ""
    lines = ["### Still needs a person", "themis-lint found these but could not fix them safely:", ""]
    lines += [f"- `{f['file']}:{f['line']}:{f['column']}` **{f['code']}** {f['message']}" for f in items[:LIST_LIMIT]]
    return "\n".join(lines) + _more(items)


def _manual(pack) -> str:
    if not pack.manual_review:
        return ""
    lines = ["### Manual review (from the upgrade guide)", "No static check can see these; check them by hand:", ""]
    lines += [f"- **{item.get('category', 'General')}**: {item['text']}" for item in pack.manual_review]
    return "\n".join(lines)


def _reproduce(req, pack) -> str:
    words = ["themis-lint", "check", "--from", pack.from_version, "--to", pack.to_version, "--fix"]
    if not req.safe_only:
        words.append("--unsafe-fixes")
    for name in ("select", "extend_select", "ignore"):
        for value in req.options.get(name) or []:
            words += [f"--{name.replace('_', '-')}", value]
    if req.options.get("ignore_repo_config"):
        words.append("# this campaign ignored the repository's config; the command above reads it")
    command = " ".join(shlex.quote(w) if not w.startswith("#") else w for w in words) + " ."
    return "\n".join(["### Reproduce locally", "", "```sh", f"pip install themis-lint=={__version__}", command, "```"])


def _more(items: list) -> str:
    return f"\n\n… and {len(items) - LIST_LIMIT} more (see the campaign report)" if len(items) > LIST_LIMIT else ""
