"""`report --output-format markdown`: the job summary the action writes (GitHub renders it as HTML)."""
from __future__ import annotations

import pytest

from tests.helpers import invoke

CONF = "server.endpoint: tcp://0.0.0.0:8529\nstorage.journalSize: 32MB\nserver.requireAuthentication: true\n"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_markdown_report_table_details_and_manual_review(repo) -> None:
    (repo / "themisdb.conf").write_text(CONF)
    result = invoke("report", "--output-format", "markdown", ".")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "### ThemisDB 1.3 → 1.4 compatibility report"
    assert "| ✗ | Configuration | 5 | 3 | 2 | 4 | 1 |" in lines and "| ✓ | API | 0 | 0 | 0 | 0 | 0 |" in lines
    assert "<details><summary>✗ Configuration: 5 findings</summary>" in lines
    assert ("- `themisdb.conf:2:1` TH101 `storage.journalSize` is renamed to `storage.rocksdb.walSize` "
            "in ThemisDB 1.4") in lines
    assert lines[-1] == "- **API**: Response format changed: responses include metadata; check error handling"


def test_names_from_the_repository_stay_text(repo) -> None:
    # a file name is data: it must not open HTML, end a code span or split a table
    odd = repo / "<b>`x`|" / "themisdb.conf"
    odd.parent.mkdir()
    odd.write_text(CONF)
    out = invoke("report", "--output-format", "markdown", ".").stdout
    assert "- ``<b>`x`|/themisdb.conf:2:1`` TH101" in out
    assert "<b>" not in out.replace("``<b>", "")
