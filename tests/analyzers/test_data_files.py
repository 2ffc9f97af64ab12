"""Data-file surface: JSON/YAML strings and keys, skiplist index definitions, parse errors, bounds."""
from __future__ import annotations

import time

import pytest

from themis_lint.analyzers import data_files
from themis_lint.context import default_context
from themis_lint.model import AnalysisError, Safety
from themis_lint.parse.source import Source

from tests.helpers import fix, run


def _found(text: str, path: str, select=("TH201", "TH202", "TH301", "TH900")) -> list[tuple[int, int, str]]:
    return [(f.row, f.column, f.code) for f in run(text, path, select=select).findings]


@pytest.mark.parametrize("path,wanted", [
    ("a.json", True), ("deploy/k8s/probe.yaml", True), ("docker-compose.yml", True), ("a.jsonc", False),
    ("themisdb.conf", False), ("a.py", False),
])
def test_wants(path: str, wanted: bool) -> None:
    assert data_files.wants(path, default_context()) is wanted


def test_triggers_are_only_what_this_surface_finds() -> None:
    ctx = default_context()
    assert b"within" in data_files.triggers("q.json", ctx)
    assert b"within" not in data_files.triggers("q.yaml", ctx)
    assert b"skiplist" in data_files.triggers("q.yaml", ctx)


def test_multi_document_yaml_with_anchors_and_tags() -> None:
    text = ("---\nbase: &idx {type: skiplist, fields: [a]}\ncopy: *idx\n"
            "---\nurl: !Sub 'http://${Host}/_admin/log'\n")
    assert _found(text, "m.yaml") == [(2, 19, "TH301"), (5, 26, "TH202")]
    assert fix(text, "m.yaml") == ("---\nbase: &idx {type: persistent, fields: [a]}\ncopy: *idx\n"
                                   "---\nurl: !Sub 'http://${Host}/_admin/log/entries'\n")


def test_crlf_yaml_keeps_line_endings() -> None:
    text = "indexes:\r\n  - type: \"skiplist\"\r\n    fields: [a]\r\n"
    assert fix(text, "i.yaml", Safety.SAFE) == "indexes:\r\n  - type: \"persistent\"\r\n    fields: [a]\r\n"


def test_folded_and_multiline_plain_scalars_are_fixed_by_source_text() -> None:
    text = "a: >\n  see /_admin/log\n  for details\nb: one\n  /_admin/log two\n"
    assert fix(text, "a.yaml") == ("a: >\n  see /_admin/log/entries\n  for details\n"
                                   "b: one\n  /_admin/log/entries two\n")


def test_block_scalar_comment_in_header_makes_it_report_only() -> None:
    text = "a: | # /_admin/log\n  /_admin/log/entries\n"
    assert _found(text, "a.yaml") == []
    text = "a: | # old /_admin/log\n  curl /_admin/log\n"
    result = run(text, "a.yaml", select=["TH202"])
    assert [(f.row, f.column, f.fix) for f in result.findings] == [(1, 4, None)]


def test_single_quoted_with_doubled_quote_is_report_only() -> None:
    text = "a: 'it''s /_admin/log'\n"
    result = run(text, "a.yaml", select=["TH202"])
    assert [(f.row, f.column, f.fix) for f in result.findings] == [(1, 4, None)]


def test_skiplist_needs_fields_beside_it_and_exact_type() -> None:
    text = ('{"a": {"type": "skiplist"}, "b": {"type": "Skiplist", "fields": []},'
            ' "c": {"fields": {"type": "skiplist"}}, "d": {"type": ["skiplist"], "fields": []}}\n')
    assert _found(text, "i.json") == []


def test_json_duplicate_keys_are_tolerated() -> None:
    text = '{"type": "hash", "type": "skiplist", "fields": ["a"]}\n'
    assert _found(text, "i.json") == [(1, 26, "TH301")]


def test_broken_json_with_a_trigger_is_th900() -> None:
    assert _found('{"url": "/_admin/log",}\n', "api.json") == [(1, 23, "TH900")]
    with pytest.raises(AnalysisError):
        data_files.analyze(Source('{"url": "/_admin/log",}\n', "api.json"), default_context())


def test_broken_yaml_with_a_trigger_is_th900() -> None:
    assert _found("a: [/_admin/log\n", "x.yaml") == [(2, 1, "TH900")]


def test_no_th900_without_a_trigger_or_for_jsonc_or_server_configs() -> None:
    assert _found('{"a": 1,}\n', "x.json") == []
    assert _found('{\n  // /_admin/log\n  "a": 1\n}\n', "tsconfig.json") == []
    assert _found('{\n  // /_admin/log\n}\n', ".vscode/settings.json") == []
    found = run('{"storage.journalSize": "32MB",, "u": "/_admin/log"}\n', "themisdb.json").findings
    assert [f.message.split(":")[0] for f in found if f.code == "TH900"] == ["cannot parse as server_config"]


def test_helm_template_is_scanned_as_text() -> None:
    text = "{{- if .Values.x }}\npath: /_admin/log\n{{- end }}\n"
    fixed = fix(text, "chart/templates/p.yaml")
    assert fixed == "{{- if .Values.x }}\npath: /_admin/log/entries\n{{- end }}\n"


def test_server_config_file_is_scanned_for_endpoints_only() -> None:
    text = "server.endpoint: tcp://0.0.0.0:8529\nlog.url: http://h/_admin/log\nstorage.journalSize: 1MB\n"
    result = run(text, "themisdb.yaml")
    codes = sorted(f.code for f in result.findings)
    assert codes.count("TH202") == 1 and "TH101" in codes


def test_compose_command_string_and_healthcheck() -> None:
    text = ("services:\n  db:\n    image: themisdb/themisdb:1.3.5\n    healthcheck:\n"
            "      test: [\"CMD-SHELL\", \"curl -f http://localhost:8529/_admin/log || exit 1\"]\n")
    assert _found(text, "docker-compose.yml") == [(5, 57, "TH202")]


def test_parse_error() -> None:
    assert data_files.parse_error('{"a": [1]}', "a.json") is None
    assert data_files.parse_error('{"a": [1}', "a.json")
    assert data_files.parse_error("a: 1\n---\nb: 2\n", "a.yaml") is None
    assert data_files.parse_error("a: [1\n", "a.yaml")
    assert data_files.parse_error("[" * 5000, "a.yaml")


def test_json_query_member_goes_to_the_aql_surface() -> None:
    text = '{"query": "FOR o IN c FILTER WITHIN(o, 1, 2, 3) RETURN o", "nested": {"query": 5}}\n'
    expected = ('{"query": "FOR o IN c FILTER GEO_DISTANCE([o.longitude, o.latitude], [2, 1]) <= 3'
                ' RETURN o", "nested": {"query": 5}}\n')
    assert fix(text, "q.json") == expected


def test_analysis_stays_bounded() -> None:
    ctx = default_context()
    big_json = '{"indexes": [' + ",".join('{"type": "skiplist", "fields": ["a"]}' for _ in range(5000)) + "]}"
    big_yaml = "- {type: skiplist, fields: [a], url: /_admin/log}\n" * 2000
    bombs = "a: &a [/_admin/log, /_admin/log]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(20))
    inputs = ((big_json, "d.json", 5000), (big_yaml, "d.yaml", 4000), (bombs, "b.yaml", 2))
    for text, path, at_least in inputs:
        began = time.perf_counter()
        assert len(data_files.analyze(Source(text, path), ctx)) >= at_least
        assert time.perf_counter() - began < 10
