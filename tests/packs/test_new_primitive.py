"""Issue 13 step 4, shown: a new primitive is one object, one finder per surface and cases.

`rename-env-var` (a ThemisDB environment variable renamed) does not exist. Here it is added the
way docs/ARCHITECTURE.md "Adding a primitive" says, with everything in this one file: the
object (in real life one more entry in themis_lint/primitives/config.py), a throwaway surface
standing in for its finder (in real life a function in analyzers/command_line.py named in that
module's PRIMITIVES) and a case. The loader, the pack schema, its validation, the trigger-literal
prefilter, the conflict check and `themis-lint rule` take it from the object, untouched.
"""
from __future__ import annotations

import re
import types
from pathlib import Path

import pytest

from themis_lint import packs, primitives, surfaces
from themis_lint.context import Context
from themis_lint.model import Edit, Finding, Fix, Safety
from themis_lint.pipeline import Options, check_source
from themis_lint.primitives.base import Parameter, Primitive

ENV_NAME = {"type": "string", "pattern": r"^[A-Z][A-Z0-9_]*$"}
RENAME_ENV_VAR = Primitive(
    verb="rename-env-var",
    doc="An environment variable the server reads, renamed; the safe fix renames it.",
    category="Configuration", fix="safe",
    params=(Parameter("old", ENV_NAME, "The old variable.", True),
            Parameter("new", ENV_NAME, "The new variable.", True)),
    messages={"renamed": "`{old}` is renamed to `{new}` in ThemisDB {version}", "fix": "Rename to `{new}`"},
    trigger_fields=("old",), identity=("old",),
)


def _find_env_vars(source, ctx: Context) -> list[Finding]:
    """The throwaway finder: `NAME=` at a word start, in shell scripts."""
    verb = primitives.get("rename-env-var")
    found = []
    for change in ctx.changes("rename-env-var"):
        for m in re.finditer(rf"(?<![\w$]){re.escape(change['old'])}(?==)", source.text):
            message = verb.message("renamed", old=change["old"], new=change["new"], version=ctx.version_of(change))
            fix = Fix((Edit(m.start(), m.end(), change["new"]),), Safety.SAFE, verb.message("fix", new=change["new"]))
            found.append(Finding(change.code, message, m.start(), m.end(), fix))
    return found


ENV_SURFACE = types.SimpleNamespace(
    NAME="env_vars", CODES=(), PRIMITIVES=("rename-env-var",), wants=lambda path, ctx: path.endswith(".sh"),
    analyze=_find_env_vars, parse_error=lambda text, path, original=None: None)
PACK = """\
from: "1.3"
to: "1.4"
rules:
  ACME010: {slug: acme-env-renamed, severity: warning, summary: "A renamed server environment variable"}
changes:
  - {primitive: rename-env-var, code: ACME010, old: THEMIS_JOURNAL_SIZE, new: THEMIS_WAL_SIZE}
"""
CASE = ("export THEMIS_JOURNAL_SIZE=32MB\n", "export THEMIS_WAL_SIZE=32MB\n")


@pytest.fixture
def with_new_primitive(monkeypatch):
    monkeypatch.setitem(primitives.BY_VERB, RENAME_ENV_VAR.verb, RENAME_ENV_VAR)
    monkeypatch.setattr(surfaces, "_all", [*surfaces.all_modules(), ENV_SURFACE])


def _context(tmp_path: Path) -> Context:
    path = tmp_path / "acme.yaml"
    path.write_text(PACK)
    catalogue = packs.load_catalogue()
    available = packs.available_packs(catalogue, [path])
    catalogue = packs.extended_catalogue(catalogue, available)
    pack = packs.merge(packs.resolve_chain(available, "1.3", "1.4"))
    return Context(pack=pack, catalogue=catalogue, selected=frozenset({"ACME010"}))


def test_a_new_primitive_is_loaded_found_and_fixed_from_its_object(with_new_primitive, tmp_path) -> None:
    ctx = _context(tmp_path)
    assert ctx.catalogue["ACME010"].fix == "safe" and ctx.catalogue["ACME010"].category == "Configuration"
    assert "themis_journal_size" in ctx.triggers()
    result = check_source(CASE[0], "deploy/env.sh", ctx, Options(fix=Safety.SAFE))
    assert [(f.code, f.message) for f in result.findings] == [] and result.fixed == CASE[1]
    found = check_source(CASE[0], "deploy/env.sh", ctx, Options()).findings
    assert [(f.row, f.column, f.message) for f in found] == [
        (1, 8, "`THEMIS_JOURNAL_SIZE` is renamed to `THEMIS_WAL_SIZE` in ThemisDB 1.4")]


def test_its_parameters_are_the_pack_schema(with_new_primitive, tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(PACK.replace("new: THEMIS_WAL_SIZE", "new: 'wal size'"))
    with pytest.raises(packs.PackError, match=r"bad.yaml:6: `new`: 'wal size' is not valid here"):
        packs.load_pack(path, packs.load_catalogue())
    path.write_text(PACK + "  - {primitive: rename-env-var, code: ACME010, old: THEMIS_JOURNAL_SIZE, new: X}\n")
    with pytest.raises(packs.PackError, match="bad.yaml:7: this rename-env-var entry for THEMIS_JOURNAL_SIZE "
                                              "contradicts the rename-env-var entry at .*bad.yaml:6"):
        _context_from(path)


def _context_from(path: Path) -> None:
    catalogue = packs.load_catalogue()
    packs.resolve_chain(packs.available_packs(catalogue, [path]), "1.3", "1.4")
