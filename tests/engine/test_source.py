"""Parse once, share it (issue 13 step 2): the surfaces that read one file in one pass share one
Source, so each parse they have in common is made once."""
from __future__ import annotations

import pytest

from themis_lint.model import Safety
from themis_lint.parse import commands, json_spans, yaml_nodes
from themis_lint.parse.source import Source

from tests.helpers import run

COMPOSE = ("services:\n  db:\n    image: themisdb:1.3\n    command: [themisdb-server, --cache.maxSize, 1GB]\n"
           "    healthcheck:\n      test: curl -f http://localhost:8529/_admin/log\n")


def counting(monkeypatch, module, name: str) -> list:
    calls = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_yaml_file_is_composed_once_for_every_surface(monkeypatch) -> None:
    calls = counting(monkeypatch, yaml_nodes, "_compose")
    result = run(COMPOSE, "docker-compose.yml")
    assert sorted(f.code for f in result.findings) == ["TH101", "TH202"]  # two surfaces, one parse
    assert len(calls) == 1


def test_a_json_config_is_parsed_once_for_the_config_and_data_surfaces(monkeypatch) -> None:
    calls = counting(monkeypatch, json_spans, "parse")
    text = ('{"cache": {"maxSize": "1GB"}, "server": {"statisticsEnabled": true}, "log": "/_admin/log",\n'
            ' "query": {"spillToDisk": true}, "storage": {"rocksdb": {"compression": "lz4"}}}\n')
    result = run(text, "themisdb.json")
    assert sorted(f.code for f in result.findings) == ["TH101", "TH202"]
    assert len([c for c in calls if c is text]) == 1


def test_a_script_is_split_into_commands_once_for_flag_and_http_rules(monkeypatch) -> None:
    calls = counting(monkeypatch, commands, "sites")
    text = "themisdb-server --cache.maxSize 1GB &\ncurl http://db:8529/_api/collection/create\n"
    result = run(text, "start.sh")
    assert sorted(f.code for f in result.findings) == ["TH101", "TH201"]
    assert len(calls) == 1


def test_each_fix_pass_gets_a_fresh_source(monkeypatch) -> None:
    calls = counting(monkeypatch, yaml_nodes, "_compose")
    fixed = run(COMPOSE, "docker-compose.yml", Safety.UNSAFE).fixed
    assert "--cache.size" in fixed and "/_admin/log/entries" in fixed
    assert len(set(calls)) == len(calls)  # every parsed text differs: a pass never reparses its own


def test_a_failed_parse_fails_once_and_is_raised_to_every_asker() -> None:
    source = Source("a: [\n", "x.yaml")
    with pytest.raises(Exception) as first:
        source.yaml()
    with pytest.raises(Exception) as second:
        source.yaml()
    assert first.value is second.value
