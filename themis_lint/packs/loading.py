"""Building the catalogue and one pack from their files: the schema first (files.document), then
what a schema cannot say (versions, codes, the primitives' own checks)."""
from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from themis_lint.packs.files import Lines, cached_data, document, plain
from themis_lint.packs.model import (
    PACK_LISTS,
    RESERVED_PREFIX,
    VERSION_FIELDS,
    Change,
    Pack,
    PackError,
    Rule,
    minor,
    rules_dir,
    short,
)


def load_catalogue(path: Path | None = None) -> dict[str, Rule]:
    """The built-in codes (rules/catalogue.yaml)."""
    path = path or rules_dir() / "catalogue.yaml"
    return _build_catalogue(path, *cached_data(path, "catalogue"))


def _build_catalogue(path: Path, doc: Any, lines: Lines) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    entries = doc.get("rules") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise PackError(f"{path}:1: expected a `rules:` list")
    for i, entry in enumerate(entries):
        where = f"{path}:{lines.at('rules', i)}"
        try:
            rule = Rule(**{k: v for k, v in entry.items() if k not in ("docs", "url", "origin")})
        except TypeError as exc:
            raise PackError(f"{where}: bad rule entry: {exc}") from exc
        if not re.fullmatch(r"TH\d{3}", rule.code):
            raise PackError(f"{where}: bad code {rule.code!r}")
        if rule.severity not in ("error", "warning", "info") or rule.fix not in ("safe", "unsafe", "none"):
            raise PackError(f"{where}: bad severity or fix safety for {rule.code}")
        rules[rule.code] = rule
    return rules


def _check_version(value: Any, where: str, name: str) -> str | None:
    if value is None:
        return None
    try:
        return short(str(value))
    except PackError as exc:
        raise PackError(f"{where}: {name}: {exc}") from exc


def load_pack(path: Path, catalogue: dict[str, Rule], bundled: bool = False) -> Pack:
    """Read and validate one pack file (schema, then what a schema cannot say); PackError with file:line."""
    pack = _build_pack(path, *document(path), catalogue)
    pack.bundled = bundled
    return pack


def _build_pack(path: Path, doc: Any, lines: Lines, catalogue: dict[str, Rule]) -> Pack:
    frm = _check_version(doc["from"], f"{path}:{lines.at('from')}", "from")
    to = _check_version(doc["to"], f"{path}:{lines.at('to')}", "to")
    if minor(frm) >= minor(to):
        raise PackError(f"{path}:{lines.at('to')}: `to` ({to}) must be newer than `from` ({frm})")
    name = str(doc.get("pack") or path.stem)
    pack = Pack(name=name, from_version=frm, to_version=to, names=[name], path=str(path))
    for key in PACK_LISTS:
        setattr(pack, key.replace("-", "_"), [str(v) for v in doc.get(key) or []])
    pack.rules = _declared_rules(path, doc.get("rules") or {}, lines, catalogue)
    known = {**catalogue, **pack.rules}
    changes = doc["changes"]
    for i, entry in enumerate(changes):
        pack.changes.append(_load_change(entry, f"{path}:{lines.at('changes', i)}", name, known, to))
    pack.rules = _derived(pack, changes, path)
    pack.manual_review = [plain(item) for item in doc.get("manual-review") or []]
    return pack


def _declared_rules(path: Path, declared: Any, lines: Lines, catalogue: dict[str, Rule]) -> dict[str, Rule]:
    """The codes a pack declares under `rules:`; fix safety and category are filled in from
    their changes (`_derived`)."""
    rules = {}
    for code, entry in declared.items():
        where = f"{path}:{lines.at('rules', code)}"
        if code.startswith(RESERVED_PREFIX):
            raise PackError(f"{where}: {code}: codes starting with {RESERVED_PREFIX} are themis-lint's own; "
                            "pick a prefix of your own (ACME001)")
        if code in catalogue:
            raise PackError(f"{where}: {code} is already a themis-lint code")
        rules[code] = Rule(code, entry["slug"], entry["severity"], "none", "", entry["summary"],
                           default=entry.get("default", True), docs=entry.get("docs"),
                           url=entry.get("url"), origin=where)
    return rules


def _derived(pack: Pack, changes: Any, path: Path) -> dict[str, Rule]:
    """Each declared code's category and best fix safety, from the primitives of its changes."""
    from dataclasses import replace

    from themis_lint import primitives

    out = {}
    for code, rule in pack.rules.items():
        using = [c for c in pack.changes if c.code == code]
        if not using:
            raise PackError(f"{rule.origin}: {code} is declared but no change of this pack uses it")
        categories = {primitives.get(c.primitive).category: c for c in using}
        if len(categories) > 1:
            (a, first), (b, second) = list(categories.items())[:2]
            raise PackError(f"{second.origin}: {code} is used by a {b} change here and a {a} change at "
                            f"{first.origin}: one code per category (the compatibility report groups by it)")
        fix = primitives.best_fix(primitives.get(c.primitive).fix_for(c.data) for c in using)
        out[code] = replace(rule, fix=fix, category=next(iter(categories)))
    return out


def _load_change(entry: Any, where: str, pack: str, known: dict[str, Rule], step: str | None = None) -> Change:
    from themis_lint import primitives

    primitive, code = entry["primitive"], entry["code"]
    if code not in known:
        hint = difflib.get_close_matches(code, known, n=1)
        raise PackError(f"{where}: unknown rule code {code!r}" + (f" (did you mean {hint[0]}?)" if hint else "")
                        + "; a pack's own codes are declared under `rules:` in the same pack")
    verb = primitives.get(primitive)
    if verb.reports_as and verb.reports_as not in primitives.by_verb() and code != verb.reports_as:
        raise PackError(f"{where}: {primitive} is reported as {verb.reports_as} (one rule over every "
                        f"entry's data), not as {code}")
    versions = [_check_version(entry.get(k), where, k) for k in VERSION_FIELDS]
    data = plain(entry)
    for key in ("primitive", "code", *VERSION_FIELDS):
        data.pop(key, None)
    problem = verb.check(data) if verb.check is not None else None
    if problem:
        raise PackError(f"{where}: {problem}")
    return Change(primitive, code, data, *versions, pack=pack, origin=where, step=step)


# Re-exported for the finders that map a helper's arguments (analyzers/python_helpers.py).


def pack_of_entries(entries: list[dict], step: Pack, catalogue: dict[str, Rule]) -> Pack:
    """A pack for `step`'s versions holding these entries, checked as a pack file's (rule cases
    that need a verb's data the bundled pack lacks)."""
    import tempfile

    from ruamel.yaml import YAML

    doc = {"pack": "case", "from": step.from_version, "to": step.to_version, "changes": entries}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.yaml"
        with open(path, "w", encoding="utf-8") as handle:
            YAML(typ="safe", pure=True).dump(doc, handle)
        return load_pack(path, catalogue)
