"""One per-file pipeline, one writer, one diff (issue 13 step 1): check, stdin, --diff and migrate
agree by construction. Each test here failed before the pipeline was shared."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from themis_lint import writer

from tests.helpers import invoke

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-client"
SUPPRESSED = ("cache.maxSize: 1GB\n"
              "server.maximalQueueSize: 5  # themis-lint: ignore[TH101]\n"
              "server.endpoint: x  # themis-lint: ignore[TH103]\n"
              "server.statisticsEnabled: true\nquery.spillToDisk: true\nstorage.rocksdb.compression: lz4\n")


def test_fix_with_unused_suppressions_writes_each_file_once(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "themisdb.conf").write_text(SUPPRESSED)
    writes = []
    real = writer.write_fixed

    def counting(source, new):
        writes.append(source.path)
        return real(source, new)

    monkeypatch.setattr(writer, "write_fixed", counting)
    monkeypatch.setattr("themis_lint.runner.write_fixed", counting)
    result = invoke("check", "--fix", "--report-unused-suppressions", "--no-cache", "-j", "1", ".")
    assert writes == ["./themisdb.conf"]
    # the rename and the removal of the stale TH103 directive in one write; the used one stays
    assert (tmp_path / "themisdb.conf").read_text() == SUPPRESSED.replace("cache.maxSize", "cache.size").replace(
        "  # themis-lint: ignore[TH103]", "")
    assert result.exit_code == 0, result.output


def test_migrate_reports_unused_suppressions_as_check_does(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "themisdb.conf").write_text(SUPPRESSED)
    check = json.loads(invoke("check", "--extend-select", "TH901", "--output-format", "json", "--no-cache",
                              "repo").output)
    assert [f["code"] for f in check] == ["TH101", "TH901"]
    invoke("migrate", "--dry-run", "--extend-select", "TH901", "--no-progress", "--report", "r.json", "repo")
    [repo] = json.loads((tmp_path / "r.json").read_text())["repositories"]
    # migrate applies every fix, the removal of the stale directive included, as check --fix does
    assert repo["remaining"] == [] and repo["fixes"] == {"TH101": 1, "TH901": 1}
    invoke("migrate", "--dry-run", "--extend-select", "TH901", "--ignore", "TH101", "--no-progress", "--report",
           "r.json", "repo")
    [repo] = json.loads((tmp_path / "r.json").read_text())["repositories"]
    # with TH101 not checked, its directive cannot be judged: only the TH103 one is stale
    assert repo["fixes"] == {"TH901": 1}


def test_check_diff_applies_with_form_feeds_and_line_separators(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q"], check=True)
    text = ('# page one\x0c\n# page two\nURL = "/_api/collection/create"  # \u2028 kept\n'
            'NEXT = "/_api/collection/create"\n')
    (tmp_path / "client.py").write_text(text, encoding="utf-8")
    result = invoke("check", "--diff", "--no-cache", ".")
    patch = tmp_path / "fix.patch"
    patch.write_text(result.output, encoding="utf-8")
    applied = subprocess.run(["git", "apply", "--check", "-v", str(patch)], capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    subprocess.run(["git", "apply", str(patch)], check=True)
    assert (tmp_path / "client.py").read_text(encoding="utf-8") == text.replace("/create", "")


def test_check_fix_and_migrate_write_the_same_bytes(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLE, tmp_path / "a")
    shutil.copytree(SAMPLE, tmp_path / "b")
    checked = invoke("check", "--fix", "--unsafe-fixes", "--no-cache", "--output-format", "json", "a")
    invoke("migrate", "--no-progress", "--report", "r.json", "b")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    remaining = {(f["filename"].removeprefix("a/"), f["location"]["row"], f["code"]) for f in json.loads(checked.output)}
    [repo] = json.loads((tmp_path / "r.json").read_text())["repositories"]
    assert remaining == {(f["file"], f["line"], f["code"]) for f in repo["remaining"]}
