"""One line model (themis_lint/text.py): "\r\n", "\n" and a lone "\r" end a line everywhere, as
in the LSP, YAML and Python; YAML positions come from parser marks, never from line and column.
Each case here was an internal error (exit 2) before (issue 13 "two line models", issue 18 #18)."""
from __future__ import annotations

import pytest

from themis_lint.model import Safety
from themis_lint.text import LineIndex, newline_of

from tests.helpers import invoke, run

REQUIRED = "server.statisticsEnabled: true\nquery.spillToDisk: true\nstorage.rocksdb.compression: lz4\n"


def test_line_index_counts_every_line_break_style() -> None:
    index = LineIndex("a\rb\r\nc\nd\r\re")
    assert [index.position(i) for i in (0, 2, 5, 7, 9, 10)] == [(1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1)]
    assert index.line(2, keep_newline=False) == "b" and index.line(5) == "\r"
    assert [newline_of(t) for t in ("a\rb", "a\r\nb", "a\r\r\nb", "ab")] == ["\r", "\r\n", "\r", "\n"]


@pytest.mark.parametrize("nl", ["\r", "\r\r\n", "\n\r"])
def test_yaml_config_with_odd_line_ends_is_fixed_not_an_internal_error(nl) -> None:
    source = f"cache:{nl}  maxSize: 2{nl}" + REQUIRED.replace("\n", nl)
    result = run(source, "themisdb.yaml", Safety.SAFE)
    assert result.errors == []
    assert result.fixed == source.replace("maxSize", "size")


def test_cr_only_config_positions_are_the_rows_an_editor_shows(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "themisdb.yaml").write_bytes(b"cache:\r  maxSize: 2\r" + REQUIRED.replace("\n", "\r").encode())
    result = invoke("check", "--no-cache", ".")
    assert result.exit_code == 1
    assert "themisdb.yaml:2:3: TH101" in result.output and "internal error" not in result.output
