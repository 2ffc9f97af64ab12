"""Issue 12 item 1: a rename into a key the mapping already has is reported without a fix, with
the reason; and each surface's re-parse check rejects a duplicate key a fix introduced (but not
one the original had already)."""
from __future__ import annotations

import pytest

from themis_lint.analyzers import data_files, js_code, mapping_keys, python_code, server_config
from themis_lint.context import default_context
from themis_lint.model import Safety
from themis_lint.pipeline import Options, check_source

CTX = default_context()
TH201 = "`/_api/collection/create` is deprecated; use `/_api/collection` (POST)"
TH202 = ("`/_admin/log` is removed; use `/_admin/log/entries` (the response shape differs; check the code "
         "that reads it)")


@pytest.mark.parametrize("path,source,expected", [
    ("src/routes.js", 'const routes = {"/_api/collection/create": 1, "/_api/collection": 2};\n',
     [(1, 18, f"{TH201} (no fix: `/_api/collection` is already a key of this mapping)")]),
    ("app/routes.py",
     'HANDLERS = {"/_api/collection/create": create_collection, "/_api/collection": list_collections}\n',
     [(1, 14, f"{TH201} (no fix: `/_api/collection` is already a key of this mapping)")]),
    ("api.json", '{"/_api/collection/create": {"post": {}}, "/_api/collection": {"get": {}}}\n',
     [(1, 3, f"{TH201} (no fix: `/_api/collection` is already a key of this mapping)")]),
    ("swagger.json", '{"paths": {"/_admin/log": {"get": {}}, "/_admin/log/entries": {"get": {}}}}\n',
     [(1, 13, f"{TH202} (no fix: `/_admin/log/entries` is already a key of this mapping)")]),
    ("openapi.yaml", "paths:\n  /_admin/log: {get: {}}\n  /_admin/log/entries: {get: {}}\n",
     [(2, 3, f"{TH202} (no fix: `/_admin/log/entries` is already a key of this mapping)")]),
])
def test_the_issue_repros_are_findings_without_fixes(path, source, expected) -> None:
    for level in (Safety.SAFE, Safety.UNSAFE):
        result = check_source(source, path, CTX, Options(fix=level))
        assert result.errors == [] and result.fixed is None
        assert [(f.row, f.column, f.message) for f in result.findings] == expected


def test_the_yaml_repro_exits_1_not_2(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from themis_lint.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "openapi.yaml").write_text("paths:\n  /_admin/log: {get: {}}\n  /_admin/log/entries: {get: {}}\n")
    run = CliRunner().invoke(main, ["check", "--no-cache", "--fix", "--unsafe-fixes", "openapi.yaml"])
    assert run.exit_code == 1, run.output
    assert "internal error" not in run.output
    assert (tmp_path / "openapi.yaml").read_text() == "paths:\n  /_admin/log: {get: {}}\n  /_admin/log/entries: {get: {}}\n"


def test_two_keys_renamed_into_one_name_both_keep_no_fix() -> None:
    assert mapping_keys.collisions([("a", "c"), ("b", "c"), ("d", "d")]) == {
        0: "another key of this mapping becomes `c` too", 1: "another key of this mapping becomes `c` too"}
    assert mapping_keys.collisions([("a", "b"), ("b", "b")]) == {0: "`b` is already a key of this mapping"}
    assert mapping_keys.collisions([("a", "b"), (mapping_keys.UNKNOWN, mapping_keys.UNKNOWN)]) == {}


@pytest.mark.parametrize("module,path,original,fixed,reason", [
    (data_files, "a.json", '{"a": 1, "b": 2}', '{"a": 1, "a": 2}', "duplicate key 'a' in a mapping (not in the original)"),
    (data_files, "a.yaml", "a: 1\nb: 2\n", "a: 1\na: 2\n", "duplicate key 'a' in a mapping (not in the original)"),
    (data_files, "a.yml", "m: {a: 1, b: 2}\n", "m: {a: 1, 'a': 2}\n", "duplicate key 'a' in a mapping (not in the original)"),
    (js_code, "a.ts", "const o = {a: 1, 'b': 2};\n", "const o = {a: 1, 'a': 2};\n",
     "duplicate key 'a' in a mapping (not in the original)"),
    (python_code, "a.py", "o = {'a': 1, 'b': 2}\n", "o = {'a': 1, \"a\": 2}\n",
     "duplicate key 'a' in a mapping (not in the original)"),
    (server_config, "themisdb.yaml", "a: 1\nb: 2\nb: 3\n", "a: 1\na: 2\nb: 3\n",
     "duplicate key 'a' in a mapping (not in the original)"),
])
def test_parse_error_rejects_a_duplicate_the_fix_introduced(module, path, original, fixed, reason) -> None:
    assert module.parse_error(fixed, path, original=original) == reason


@pytest.mark.parametrize("module,path,original,fixed", [
    (data_files, "a.json", '{"a": 1, "a": 2, "x": "/_api/collection/create"}', '{"a": 1, "a": 2, "x": "/_api/collection"}'),
    (data_files, "a.yaml", "a: 1\na: 2\nx: 3\n", "a: 1\na: 2\ny: 3\n"),
    (js_code, "a.js", "const o = {a: 1, a: 2, x: 3};\n", "const o = {a: 1, a: 2, y: 3};\n"),
    (js_code, "a.js", "const o = {get a() {}, set a(v) {}};\n", "const o = {get a() {}, set a(v) {}};\n"),
    (python_code, "a.py", "o = {'a': 1, 'a': 2, 'x': 3}\n", "o = {'a': 1, 'a': 2, 'y': 3}\n"),
    (server_config, "themisdb.yaml", "a: 1\na: 2\nx: 3\n", "a: 1\na: 2\ny: 3\n"),
])
def test_a_duplicate_the_original_had_does_not_block_other_fixes(module, path, original, fixed) -> None:
    assert module.parse_error(fixed, path, original=original) is None


def test_without_an_original_every_duplicate_is_a_problem() -> None:
    assert data_files.parse_error('{"a": 1, "a": 2}', "a.json") == "duplicate key 'a' in a mapping"
    assert js_code.parse_error("x({a: 1, 'a': 2});\n", "a.js") == "duplicate key 'a' in a mapping"
    assert data_files.parse_error('{"a": 1, "b": 2}', "a.json") is None
