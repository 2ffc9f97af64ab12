"""Issue 13 step 4: primitives are first-class. Every surface's `PRIMITIVES` claim is true both
ways: a rule case exercises each claimed verb on that surface, and no surface finds a verb it
does not claim. Each verb's entries get a code of their own here, so a finding says which verb
found it; a surface that gated on a built-in code (`ctx.enabled("TH201")`) would find nothing."""
from __future__ import annotations

import base64
from dataclasses import replace
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from themis_lint import primitives, surfaces
from themis_lint.context import Context, default_context
from themis_lint.packs import Rule
from themis_lint.parse.source import Source

CASES = Path(__file__).resolve().parents[2] / "rules" / "cases"
VERBS = list(primitives.by_verb())
CODE_OF = {verb: f"PRIM{i:02d}" for i, verb in enumerate(VERBS)}


def _verb_context(settings: dict, without: str | None = None) -> Context:
    settings = dict(settings)
    """The bundled pack with each verb's entries under a code of its own (a `reports_as` code
    stays: it is the one rule over all its entries), every one enabled."""
    base = default_context(extra_changes=settings.pop("pack", None), **settings)
    changes = []
    for change in base.pack.changes:
        verb = primitives.get(change.primitive)
        if change.primitive == without:
            continue
        code = change.code if verb.reports_as and verb.reports_as not in primitives.by_verb() else CODE_OF[
            verb.reports_as or change.primitive]
        changes.append(replace(change, code=code))
    pack = replace(base.pack, changes=changes)
    catalogue = {**base.catalogue, **{c: Rule(c, c.lower(), "warning", "safe", "Tool", c) for c in CODE_OF.values()}}
    return Context(pack=pack, catalogue=catalogue, selected=frozenset(catalogue), config_files=base.config_files,
                   query_functions=base.query_functions, overlay_files=base.overlay_files,
                   known_keys=base.known_keys)


def _cases():
    for path in sorted(CASES.glob("*.yaml")):
        for case in YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))["cases"]:
            text = base64.b64decode(case["source_b64"]).decode() if "source_b64" in case else case["source"]
            yield case, text


def _found(module, text: str, path: str, ctx: Context) -> list:
    try:
        return module.analyze(Source(text, path), ctx)
    except Exception:  # noqa: BLE001  a case of a broken file: TH900, nothing about verbs
        return []


def _verbs_found(module, text: str, path: str, settings: dict) -> set[str]:
    by_code = {code: verb for verb, code in CODE_OF.items()}
    found = {by_code[f.code] for f in _found(module, text, path, _verb_context(settings)) if f.code in by_code}
    if "TH104" in {f.code for f in _found(module, text, path, _verb_context(settings))}:
        found.add("known-config-keys")
    return found | _through_verbs(module, text, path, settings, found)


def _through_verbs(module, text: str, path: str, settings: dict, found: set[str]) -> set[str]:
    """Verbs whose findings carry another verb's code (index-type-argument): found when leaving
    their entries out loses findings."""
    out = set()
    for verb in VERBS:
        through = primitives.get(verb).reports_as
        if through in found:
            full = len(_found(module, text, path, _verb_context(settings)))
            if len(_found(module, text, path, _verb_context(settings, without=verb))) < full:
                out.add(verb)
    return out


@pytest.fixture(scope="module")
def observed() -> dict[str, set[str]]:
    """Surface name -> the verbs the rule cases show it finding."""
    seen: dict[str, set[str]] = {name: set() for name in surfaces.SURFACE_MODULES}
    for case, text in _cases():
        settings = {**case.get("settings", {}), "pack": case.get("pack")}
        for module in surfaces.wanting(case["file"], default_context(**case.get("settings", {}))):
            seen[module.NAME] |= _verbs_found(module, text, case["file"], settings)
    return seen


@pytest.mark.parametrize("surface", surfaces.SURFACE_MODULES)
def test_every_claimed_primitive_has_a_finder_and_cases(surface: str, observed) -> None:
    module = surfaces.load(surface)
    claimed = set(module.PRIMITIVES)
    assert claimed <= set(VERBS), f"{surface} claims unknown verbs: {claimed - set(VERBS)}"
    assert claimed - observed[surface] == set(), f"{surface}: no rule case shows these verbs found"
    assert observed[surface] - claimed == set(), f"{surface}: finds verbs it does not claim"


def test_every_primitive_is_found_somewhere() -> None:
    claimed = {verb for name in surfaces.SURFACE_MODULES for verb in surfaces.load(name).PRIMITIVES}
    assert claimed == set(VERBS)
