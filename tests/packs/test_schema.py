"""Issue 14 item 1: the pack and config formats as JSON Schema, generated from the primitives and
the settings table, shipped as files, printed by `themis-lint schema`, and what the loaders use."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from tests.helpers import invoke
from themis_lint import packs, schemas

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("kind", ["pack", "config"])
def test_schema_command_prints_a_valid_json_schema_equal_to_the_shipped_file(kind) -> None:
    result = invoke("schema", kind)
    assert result.exit_code == 0
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)  # the metaschema's verdict
    # the shipped file (what editors point at) is the generated schema, byte for byte
    assert schemas.schema_path(kind).read_text(encoding="utf-8") == result.output


def _pack_files() -> list[Path]:
    """Every pack the project holds: the bundled one and the ones in tests and docs examples."""
    found = packs.bundled_pack_paths() + sorted((ROOT / "tests").rglob("*.yaml"))
    return [p for p in found if _looks_like_pack(p)]


def _looks_like_pack(path: Path) -> bool:
    try:
        doc = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001  not YAML at all: not a pack
        return False
    return isinstance(doc, dict) and {"from", "to", "changes"} <= set(doc)


@pytest.mark.parametrize("path", packs.bundled_pack_paths(), ids=lambda p: p.name)
def test_bundled_packs_validate_against_the_shipped_schema(path) -> None:
    schema = json.loads(schemas.schema_path("pack").read_text(encoding="utf-8"))
    doc = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)


def test_every_pack_written_in_the_tests_validates() -> None:
    """Packs the tests write inline (as strings) validate too: they are collected by the tests
    that own them; here the ones kept as files, and the documented example."""
    schema = schemas.pack_schema()
    for path in [*_pack_files(), ROOT / "fixtures" / "sample-client" / "packs" / "acme-1.3-to-1.4.yaml"]:
        doc = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
        jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)


def _load(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(packs.PackError) as caught:
        packs.load_pack(path, packs.load_catalogue())
    message = str(caught.value)
    assert "\n" not in message
    return message.replace(str(path), "bad.yaml")


HEAD = 'from: "1.3"\nto: "1.4"\n'


@pytest.mark.parametrize("text, expected", [
    ("- a list\n", "bad.yaml:1: a pack is a mapping with `from`, `to` and `changes`"),
    ('from: "1.3"\nto: "1.4"\n', "bad.yaml:1: missing `changes`"),
    (HEAD + "changes:\n  - {primitive: rename-key, code: TH101}\n",
     "bad.yaml:4: unknown primitive 'rename-key' (did you mean 'rename-config-key'?)"),
    (HEAD + "changes:\n  - {primitive: rename-config-key, code: TH101, old: a.b}\n",
     "bad.yaml:4: rename-config-key needs `new`"),
    (HEAD + "changes:\n  - {primitive: rename-config-key, code: TH101, old: a.b, new: c.d, nwe: x}\n",
     "bad.yaml:4: rename-config-key: unknown key 'nwe' (did you mean 'new'?)"),
    (HEAD + "server-commands: themisdb\nchanges: []\n", "bad.yaml:3: `server-commands` must be a list of strings"),
    (HEAD + "changes: {}\n", "bad.yaml:3: `changes` must be a list"),
    (HEAD + "changes:\n  - 3\n", "bad.yaml:4: a change is a mapping with `primitive` and `code`"),
    (HEAD + "changes:\n  - {primitive: remove-endpoint, code: TH202, path: \"/a\\nb\", new: null}\n",
     "bad.yaml:4: `path`: '/a\\nb' is not an endpoint path (`/` then letters, digits and `_.~%/-`)"),
    (HEAD + "changes:\n  - {primitive: rewrite-aql-function, code: TH401, function: FULLTEXT,\n"
            "     transform: fulltext-to-search, options: {analyzer: 'x\", 1'}}\n",
     "bad.yaml:5: `analyzer`: 'x\", 1' is not an analyzer name (`text_en`, `db::name`)"),
    (HEAD + "changes:\n  - {primitive: rename-config-key, code: ACME001, old: a.b, new: c.d}\n",
     "bad.yaml:4: unknown rule code 'ACME001'; a pack's own codes are declared under `rules:` in the same pack"),
    ('from: "1.4"\nto: "1.4"\nchanges: []\n', "bad.yaml:2: `to` (1.4) must be newer than `from` (1.4)"),
])
def test_an_invalid_pack_is_one_line_with_file_and_line(tmp_path, text, expected) -> None:
    assert _load(tmp_path, text) == expected


@pytest.mark.parametrize("text, valid", [
    ('extend-select = ["TH104"]\n', True),
    ('[tool.themis-lint]\nextend-select = ["TH104"]\n', True),  # .themis-lint.toml's table form
    ('[tool.themis-lint]\nextend-selct = ["TH104"]\n', False),
    ('[tool.other]\nx = 1\n', False),
])
def test_the_config_schema_takes_both_forms_the_loader_takes(tmp_path, text, valid) -> None:
    # editors validate .themis-lint.toml with this schema; it rejected the documented table form
    import tomllib

    schema = json.loads(schemas.schema_path("config").read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(tomllib.loads(text)))
    assert (not errors) is valid
    (tmp_path / ".themis-lint.toml").write_text(text)
    (tmp_path / "themisdb.conf").write_text("cache.size: 1GB\n")
    result = invoke("check", "--config", str(tmp_path / ".themis-lint.toml"), str(tmp_path / "themisdb.conf"))
    assert (result.exit_code != 2) is valid
