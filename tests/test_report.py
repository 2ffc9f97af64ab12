"""`themis-lint report`: the compatibility report per category (docs/cli.md "Commands"), end to end."""
from __future__ import annotations

import json

import pytest

from tests.helpers import invoke

CONF = "server.endpoint: tcp://0.0.0.0:8529\nstorage.journalSize: 32MB\nserver.requireAuthentication: true\n"
FULL = "server.statisticsEnabled: true\nquery.spillToDisk: true\nstorage.rocksdb.compression: lz4\n"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / "themisdb.conf").write_text(CONF)
    monkeypatch.chdir(tmp_path)
    return tmp_path



def test_text_report_one_line_per_category_and_manual_review(repo) -> None:
    result = invoke("report", ".")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ThemisDB 1.3 → 1.4 compatibility report (themisdb-1.3-to-1.4)")
    status = [line for line in lines if line[:1] in ("✓", "⚠", "✗")]
    assert status == [
        "✗ Configuration: 5 findings (3 errors, 2 warnings), 4 auto-fixable, 1 more with --unsafe-fixes",
        "✓ API: Compatible", "✓ Indexes: Compatible", "✓ Queries: Compatible"]
    assert "    themisdb.conf:2:1: TH101 `storage.journalSize` is renamed to `storage.rocksdb.walSize` " \
           "in ThemisDB 1.4" in lines
    assert lines[-2] == "Manual review (no static check can see these):"
    assert lines[-1] == "  - API: Response format changed: responses include metadata; check error handling"


def test_warnings_only_is_a_warning_sign(repo) -> None:
    (repo / "themisdb.conf").write_text(FULL + "storage.journalSize: 1MB\n")
    (repo / "b").mkdir()
    (repo / "b" / "themisdb.conf").write_text(FULL + "storage.journalSize: 2MB\n")
    result = invoke("report", ".")
    assert "⚠ Configuration: 2 findings (2 warnings), 2 auto-fixable" in result.stdout
    assert "    b/themisdb.conf:4:1: TH101 `storage.journalSize` is renamed to `storage.rocksdb.walSize` in " \
           "ThemisDB 1.4" in result.stdout
    assert invoke("report", "--fail-on", "error", ".").exit_code == 0
    assert invoke("report", ".").exit_code == 1
    assert invoke("report", "--exit-zero", ".").exit_code == 0


def test_clean_repository(repo) -> None:
    (repo / "themisdb.conf").write_text(FULL)
    result = invoke("report", ".")
    assert result.exit_code == 0
    assert [line for line in result.stdout.splitlines() if line[:1] in ("✓", "⚠", "✗")] == [
        "✓ Configuration: Compatible", "✓ API: Compatible", "✓ Indexes: Compatible", "✓ Queries: Compatible"]


def test_json_report(repo) -> None:
    result = invoke("report", "--output-format", "json", ".")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert (doc["pack"], doc["from"], doc["to"], doc["files"]) == ("themisdb-1.3-to-1.4", "1.3", "1.4", 1)
    config, api, _indexes, _queries = doc["categories"]
    assert [c["name"] for c in doc["categories"]] == ["Configuration", "API", "Indexes", "Queries"]
    assert (config["status"], config["symbol"], config["errors"], config["warnings"], config["fixable"],
            config["unsafe_fixable"]) == ("error", "✗", 3, 2, 4, 1)
    assert api["status"] == "ok" and api["findings"] == 0
    item = next(i for i in config["items"] if i["code"] == "TH101")
    assert item["locations"] == [{"filename": "themisdb.conf", "row": 2, "column": 1}]
    assert doc["manual_review"] == [{"category": "API", "text": "Response format changed: responses include "
                                                                "metadata; check error handling"}]


def test_parse_errors_get_their_own_line(repo) -> None:
    (repo / "themisdb.json").write_text('{"storage": {"journalSize": [}')
    result = invoke("report", ".")
    assert "✗ Tool: 1 finding (1 error), 0 auto-fixable" in result.stdout


def test_same_version_has_nothing_to_report(repo) -> None:
    result = invoke("report", "--from", "1.4", "--to", "1.4.2", ".")
    assert result.exit_code == 0 and "no breaking changes" in result.output


def test_report_reads_project_config(repo) -> None:
    (repo / ".themis-lint.toml").write_text('ignore = ["TH102"]\n')
    result = invoke("report", ".")
    assert "✗" not in result.stdout and "⚠ Configuration: 2 findings (2 warnings)" in result.stdout


def test_categories_no_selected_rule_checks_are_not_called_compatible(repo) -> None:
    # `--select TH101` checks no API, index or query rule: ✓ Compatible there proved nothing
    (repo / "themisdb.conf").write_text(FULL + "storage.journalSize: 1MB\n")
    (repo / "b").mkdir()
    (repo / "b" / "themisdb.conf").write_text(FULL + "storage.journalSize: 2MB\n")
    result = invoke("report", "--select", "TH101", ".")
    lines = result.stdout.splitlines()
    assert [line for line in lines if line[:1] in ("✓", "⚠", "✗", "–")] == [
        "⚠ Configuration: 2 findings (2 warnings), 2 auto-fixable",
        "– API: not checked (none of its rules selected)", "– Indexes: not checked (none of its rules selected)",
        "– Queries: not checked (none of its rules selected)"]
    assert lines[3].endswith("in ThemisDB 1.4 (and 1 more, 1 other file)")
    doc = json.loads(invoke("report", "--select", "TH101", "--output-format", "json", ".").stdout)
    assert [(c["name"], c["status"], c["symbol"]) for c in doc["categories"]] == [
        ("Configuration", "warning", "⚠"), ("API", "not-checked", "–"), ("Indexes", "not-checked", "–"),
        ("Queries", "not-checked", "–")]
