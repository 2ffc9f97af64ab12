"""Baselines and unused suppressions (docs/cli.md `--baseline`, `--write-baseline`; TH901), end to end."""
from __future__ import annotations

import json

import pytest

from tests.helpers import invoke

CONF = ("server.statisticsEnabled: true\nquery.spillToDisk: true\nstorage.rocksdb.compression: lz4\n"
        "storage.journalSize: 32MB\ncache.maxSize: 1GB\n")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / "themisdb.conf").write_text(CONF)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "themisdb.conf").write_text("storage.journalSize: 8MB\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path



def codes(result) -> list[str]:
    return sorted(f"{f['filename']}:{f['location']['row']} {f['code']}" for f in json.loads(result.stdout))


def test_write_baseline_is_sorted_stable_json(repo) -> None:
    result = invoke("check", "--write-baseline", "baseline.json", ".")
    assert result.exit_code == 0
    text = (repo / "baseline.json").read_text()
    doc = json.loads(text)
    assert text == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    keys = [(e["path"], e["code"], e["matched"]) for e in doc["findings"]]
    assert keys == sorted(keys) and len(keys) == 6
    assert ("themisdb.conf", "TH101", "storage.journalSize") in keys
    assert all("row" not in e and "line" not in e for e in doc["findings"])
    invoke("check", "--write-baseline", "again.json", ".")
    assert (repo / "again.json").read_text() == text


def test_baseline_reports_only_new_findings(repo) -> None:
    invoke("check", "--write-baseline", "baseline.json", ".")
    assert invoke("check", "--baseline", "baseline.json", ".").exit_code == 0
    # unrelated lines above, and one more renamed key: only that one is new
    (repo / "themisdb.conf").write_text("# upgraded soon\ndatabase.path: /data\n" + CONF
                                        + "server.maximalQueueSize: 5\n")
    result = invoke("check", "--baseline", "baseline.json", "--output-format", "json", ".")
    assert result.exit_code == 1
    assert codes(result) == ["themisdb.conf:8 TH101"]


def test_show_stale_reports_gone_entries_and_fix_prunes_them(repo) -> None:
    invoke("check", "--write-baseline", "baseline.json", ".")
    (repo / "themisdb.conf").write_text(CONF.replace("cache.maxSize", "cache.size"))
    assert invoke("check", "--baseline", "baseline.json", ".").exit_code == 0
    result = invoke("check", "--baseline", "baseline.json", "--show-stale", ".")
    assert result.exit_code == 1
    [line] = [x for x in result.stdout.splitlines() if "TH901" in x]
    assert line.startswith("baseline.json:") and "TH101 in themisdb.conf (`cache.maxSize`)" in line
    # a run over another folder does not call the rest of the baseline stale
    assert invoke("check", "--baseline", "baseline.json", "--show-stale", "other").exit_code == 0
    # --fix fixes the file, so all of its entries go stale and are pruned; other files' entries stay
    assert invoke("check", "--baseline", "baseline.json", "--show-stale", "--fix", "themisdb.conf").exit_code == 0
    after = json.loads((repo / "baseline.json").read_text())["findings"]
    assert {e["path"] for e in after} == {"other/themisdb.conf"} and len(after) == 4


def test_unreadable_baseline_is_exit_2(repo) -> None:
    (repo / "broken.json").write_text("{")
    result = invoke("check", "--baseline", "broken.json", ".")
    assert result.exit_code == 2 and "broken.json: not a themis-lint baseline" in result.output
    assert invoke("check", "--baseline", "missing.json", ".").exit_code == 2


# --- unused suppressions (TH901) ---

SUPPRESSED = ("server.statisticsEnabled: true\nquery.spillToDisk: true\nstorage.rocksdb.compression: lz4\n"
              "storage.journalSize: 32MB  # themis-lint: ignore[TH101]\n"
              "# themis-lint: ignore[TH101, TH103]\n"
              "cache.maxSize: 1GB\n"
              "cache.size: 1GB  # sized for prod themis-lint: ignore\n"
              "# themis-lint: ignore[TH101]\n"
              "database.path: /data\n")


def test_unused_suppressions_are_reported_only_when_asked(repo) -> None:
    (repo / "themisdb.conf").write_text(SUPPRESSED)
    assert invoke("check", "themisdb.conf").exit_code == 0
    result = invoke("check", "--report-unused-suppressions", "--output-format", "json", "themisdb.conf")
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert [(f["location"]["row"], f["location"]["column"], f["code"]) for f in found] == \
        [(5, 3, "TH901"), (7, 35, "TH901"), (8, 3, "TH901")]
    assert "TH103" in found[0]["message"] and found[0]["fix"]["applicability"] == "safe"
    assert found[0]["severity"] == "warning" and found[0]["category"] == "Tool"


def test_unused_suppressions_fix(repo) -> None:
    (repo / "themisdb.conf").write_text(SUPPRESSED)
    result = invoke("check", "--report-unused-suppressions", "--fix", "themisdb.conf")
    assert result.exit_code == 0, result.output
    assert (repo / "themisdb.conf").read_text() == (
        "server.statisticsEnabled: true\nquery.spillToDisk: true\nstorage.rocksdb.compression: lz4\n"
        "storage.journalSize: 32MB  # themis-lint: ignore[TH101]\n"
        "# themis-lint: ignore[TH101]\n"
        "cache.maxSize: 1GB\n"
        "cache.size: 1GB  # sized for prod\n"
        "database.path: /data\n")
    assert invoke("check", "--report-unused-suppressions", "themisdb.conf").exit_code == 0


def test_unused_suppression_diff_writes_nothing(repo) -> None:
    (repo / "themisdb.conf").write_text(SUPPRESSED)
    result = invoke("check", "--report-unused-suppressions", "--diff", "themisdb.conf")
    assert "-# themis-lint: ignore[TH101, TH103]\n+# themis-lint: ignore[TH101]\n" in result.stdout
    assert (repo / "themisdb.conf").read_text() == SUPPRESSED


def test_codes_the_run_does_not_check_are_not_judged(repo) -> None:
    (repo / "themisdb.conf").write_text(CONF + "x: 1  # themis-lint: ignore[TH104]\n")
    assert invoke("check", "--report-unused-suppressions", "themisdb.conf").exit_code == 1
    result = invoke("check", "--report-unused-suppressions", "--select", "TH101", "themisdb.conf")
    assert "TH901" not in result.stdout
    assert "TH901" not in invoke("check", "--report-unused-suppressions", "--ignore", "TH901", ".").stdout


def test_codes_of_a_pack_the_run_did_not_load_are_not_judged(repo) -> None:
    # the sample client's `ignore[ACME001]` was reported stale, and --fix deleted it, in every run
    # without the company pack: a code this run does not know cannot prove its directive unused
    (repo / "gateway.py").write_text('import requests\n\n'
                                      'requests.get("http://gw/acme/v1/export")  # themis-lint: ignore[ACME001]\n'
                                      'requests.get("http://gw/health")  # themis-lint: ignore[TH202]\n')
    result = invoke("check", "--report-unused-suppressions", "--output-format", "json", "gateway.py")
    assert [(f["location"]["row"], f["code"]) for f in json.loads(result.stdout)] == [(4, "TH901")]
    before = (repo / "gateway.py").read_text()
    invoke("check", "--report-unused-suppressions", "--fix", "gateway.py")
    assert (repo / "gateway.py").read_text() == before.replace("  # themis-lint: ignore[TH202]", "")


def test_unused_directive_in_a_file_without_trigger_literals(repo) -> None:
    (repo / "themisdb.conf").write_text("server.statisticsEnabled: true\nquery.spillToDisk: true\n"
                                        "storage.rocksdb.compression: lz4\n# themis-lint: ignore[TH101]\n"
                                        "cache.size: 1GB\n")
    result = invoke("check", "--report-unused-suppressions", "--fix", "themisdb.conf")
    assert result.exit_code == 0
    assert "themis-lint" not in (repo / "themisdb.conf").read_text()


def test_unused_baseline_entries_with_report_unused_suppressions(repo) -> None:
    invoke("check", "--write-baseline", "baseline.json", ".")
    (repo / "other" / "themisdb.conf").write_text("storage.rocksdb.walSize: 8MB\n")
    result = invoke("check", "--baseline", "baseline.json", "--report-unused-suppressions", ".")
    assert result.exit_code == 1
    assert "TH101 in other/themisdb.conf (`storage.journalSize`) matched no finding" in result.stdout
