"""`themis-lint merge-reports` (issue 15 item 7): shard reports into one fleet report."""
from __future__ import annotations

import json

import pytest

from tests.fleet.gitfarm import BROKEN, CONF, SH, load, make_repo
from tests.helpers import invoke


@pytest.fixture
def shards(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for i in range(5):
        files = {"scripts/start.sh": SH} if i % 2 else {"config/themisdb.conf": CONF}
        if i == 4:
            files["deploy/themisdb.conf"] = BROKEN
        make_repo(tmp_path / f"repos/r{i}", files)
    paths = [f"repos/r{i}" for i in range(5)]
    for k in range(3):
        invoke("migrate", "--no-progress", "--shard", f"{k}/3", "--report", f"shard-{k}.json", *paths)
    return tmp_path


def test_merged_report_counts_every_repository_once(shards) -> None:
    result = invoke("merge-reports", "shard-0.json", "shard-1.json", "shard-2.json", "--report", "org.json",
                    "--html", "org.html")
    assert result.exit_code == 0, result.output
    org = load(shards / "org.json")
    assert [r["path"] for r in org["repositories"]] == [f"repos/r{i}" for i in range(5)]
    parts = [load(shards / f"shard-{k}.json") for k in range(3)]
    assert org["totals"]["fixes"] == sum(p["totals"]["fixes"] for p in parts)
    assert org["totals"]["by_outcome"]["needs-review"] == 1 and org["totals"]["repositories"] == 5
    assert org["shards"] == ["0/3", "1/3", "2/3"] and org["missing_shards"] == [] and org["mode"]["shard"] is None
    assert "5 repositories" in result.stdout and "Full report: org.json, org.html" in result.stdout
    assert "merged from 3 reports" in (shards / "org.html").read_text()
    from themis_lint import toolfiles  # a dashboard committed to a repository is never checked as data

    assert toolfiles.kind((shards / "org.html").read_bytes()) == "an HTML report"
    assert toolfiles.kind((shards / "org.json").read_bytes()) == "a report"


def test_a_missing_shard_is_said_and_fails(shards) -> None:
    result = invoke("merge-reports", "shard-0.json", "shard-2.json", "--report", "org.json", "--html", "org.html")
    assert result.exit_code == 1 and "no report of shard(s) 1/3" in result.output
    assert load(shards / "org.json")["missing_shards"] == ["1/3"]
    assert "Incomplete: no report of shard(s) 1/3" in (shards / "org.html").read_text()


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r.update(pack="themisdb-1.2-to-1.3"), "differ in 'pack'"),
    (lambda r: r["options"].update(ignore=["TH103"]), "differ in 'options'"),
    (lambda r: r["mode"].update(safe_only=True), "different modes"),
])
def test_reports_of_different_campaigns_are_refused(shards, change, message) -> None:
    other = load(shards / "shard-1.json")
    change(other)
    (shards / "other.json").write_text(json.dumps(other))
    result = invoke("merge-reports", "shard-0.json", "other.json", "shard-2.json", "--report", "org.json")
    assert result.exit_code == 2 and message in result.output
    assert not (shards / "org.json").exists()


def test_the_same_repository_twice_is_refused(shards) -> None:
    result = invoke("merge-reports", "shard-0.json", "shard-0.json", "--report", "org.json")
    assert result.exit_code == 2 and "is in both" in result.output
