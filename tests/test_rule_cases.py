"""Every case in rules/cases/*.yaml runs here: findings, exact fixed bytes, idempotence, re-parse.

The cases are the rules' documentation too (`doc: true` ones are printed by `themis-lint rule`).
"""
from __future__ import annotations

import base64
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from themis_lint import surfaces
from themis_lint.context import default_context
from themis_lint.pipeline import Options, check_source
from themis_lint.model import Safety
from themis_lint.packs import load_catalogue

CASES_DIR = Path(__file__).resolve().parent.parent / "rules" / "cases"
LEVELS = {"safe": Safety.SAFE, "unsafe": Safety.UNSAFE, "none": Safety.UNSAFE}


def _load_cases():
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
        for case in data.get("cases", []):
            params.append(pytest.param(data["code"], case, id=f"{path.stem}::{case['name']}"))
    return params


def _text(case: dict, key: str) -> str | None:
    if f"{key}_b64" in case:
        return base64.b64decode(case[f"{key}_b64"]).decode("utf-8")
    return case.get(key)


def _context(code: str, case: dict):
    select = case.get("select", [code])
    settings = dict(case.get("settings", {}))
    ctx = default_context(select=None if select == "default" else frozenset(select),
                          extra_changes=case.get("pack"), **settings)
    if case.get("options"):
        ctx.rule_options = {code: dict(case["options"])}
    return ctx


@pytest.mark.parametrize("code,case", _load_cases())
def test_rule_case(code: str, case: dict) -> None:
    source, path = _text(case, "source"), case["file"]
    ctx = _context(code, case)
    found = check_source(source, path, ctx, Options())
    got = sorted(f"{f.row}:{f.column} {f.code}" for f in found.findings if f.code == code)
    if case.get("unchanged"):
        assert got == []
        assert check_source(source, path, ctx, Options(fix=Safety.UNSAFE)).fixed is None
        return
    assert got == sorted(case["findings"])
    level = LEVELS[case["fix"]]
    fixed = check_source(source, path, ctx, Options(fix=level))
    assert not fixed.errors
    output = source if fixed.fixed is None else fixed.fixed
    expected = source if case["fix"] == "none" else _text(case, "fixed")
    assert output == expected
    assert check_source(output, path, ctx, Options(fix=level)).fixed is None, "a second fix changed the output"
    if output != source:
        for module in surfaces.wanting(path, ctx):  # parses, and no duplicate key the source lacked
            if module.parse_error(source, path) is None:  # (a Helm template parses before and after: neither)
                assert module.parse_error(output, path, original=source) is None


def test_every_rule_has_docs_cases_and_an_analyzer() -> None:
    """Capabilities are derived from the cases (Fixit): each code is documented, found, fixed."""
    catalogue = load_catalogue()
    docs = Path(__file__).resolve().parent.parent / "rules" / "docs"
    ctx = default_context()
    reporting = {code for name in surfaces.SURFACE_MODULES if (m := surfaces.load(name)) for code in m.CODES}
    for code, rule in catalogue.items():
        assert (docs / f"{code}-{rule.slug}.md").exists(), f"{code}: no docs page"
        if code.startswith("TH9") and code not in reporting:  # tool codes: the engine or CLI reports them
            continue
        assert code in reporting, f"{code}: no analyzer lists it"
        cases = [c for p in CASES_DIR.glob(f"{code}-*.yaml")
                 for c in YAML(typ="safe", pure=True).load(p.read_text(encoding="utf-8"))["cases"]]
        assert any(c.get("findings") for c in cases), f"{code}: no found case"
        assert any(c.get("unchanged") for c in cases), f"{code}: no not-found case"
        if rule.fix != "none":
            assert any(c.get("fix") in ("safe", "unsafe") for c in cases), f"{code}: no fixed case"
    assert ctx.pack.changes
