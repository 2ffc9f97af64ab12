"""Bad input: one TH900 or one error line per file, the run goes on, nothing written (issue 2)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from themis_lint.cli import main

BOMB = "".join(f"{a}: &{a} [{', '.join([f'*{p}'] * 9)}]\n" for p, a in zip("abcdefgh", "bcdefghi"))
BAD = {
    "themisdb-yaml.yaml": (b"server:\n  endpoint: [unclosed\n", "3:1"),
    "themisdb-dup.conf": (b"cache.size: 1\ncache.size: 2\n", "2:1"),
    "themisdb-tab.yaml": (b"server:\n\tendpoint: x\n", "2:1"),
    "themisdb-json.json": (b'{"server.endpoint": 1,}', "1:23"),
    "themisdb.bin.conf": (b"\x00\x01storage.journalSize", "1:1"),
    "themisdb-latin1.conf": (b"storage.journalSize: caf\xe9\n", "1:1"),
    "themisdb-deep.json": (b'{"cache.maxSize": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "1:1018"),
}


@pytest.fixture
def tree(tmp_path, monkeypatch):
    for name, (data, _) in BAD.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "themisdb-empty.conf").write_bytes(b"")
    (tmp_path / "themisdb-bomb.yaml").write_text('a: &a ["lol", "lol"]\n' + BOMB + "cache.maxSize: 1GB\n")
    (tmp_path / "themisdb-good.conf").write_text("cache.maxSize: 1GB\n")
    (tmp_path / "broken-unrelated.json").write_text("{not json")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_each_bad_file_is_one_th900_and_the_run_goes_on(tree) -> None:
    result = CliRunner().invoke(main, ["check", "--output-format", "json", "."])
    findings = json.loads(result.output)
    th900 = {f["filename"]: f"{f['location']['row']}:{f['location']['column']}" for f in findings
             if f["code"] == "TH900"}
    assert th900 == {name: pos for name, (_, pos) in BAD.items()}
    assert sum(f["code"] == "TH900" for f in findings) == len(BAD)
    assert {f["filename"] for f in findings} - set(BAD) == {"themisdb-bomb.yaml", "themisdb-good.conf"}
    assert result.exit_code == 1


def test_nothing_is_written_to_a_bad_file(tree) -> None:
    CliRunner().invoke(main, ["check", "--fix", "--unsafe-fixes", "."])
    for name, (data, _) in BAD.items():
        assert (tree / name).read_bytes() == data
    assert (tree / "themisdb-good.conf").read_text().startswith("cache.size: 1GB\n")


def test_a_file_over_the_size_limit_is_skipped_with_an_info_line(tree) -> None:
    (tree / "themisdb-big.conf").write_text("storage.journalSize: 1MB\n" + "# filler\n" * 200_000)
    result = CliRunner().invoke(main, ["check", "--max-file-size", "1000000", "themisdb-big.conf"])
    assert "themisdb-big.conf: skipped: 1800025 bytes is over the 1000000-byte limit" in result.output
    assert result.exit_code == 0
