"""Editors: `--stdin-filename` reads the buffer from stdin; with `--fix` the fixed text goes to stdout."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import invoke

CONF = "server.endpoint: tcp://0.0.0.0:8529\r\nstorage.journalSize: 32MB   # WAL\r\n"


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path



def test_findings_are_reported_under_the_given_name(cwd) -> None:
    result = invoke("check", "--stdin-filename", "deploy/themisdb.conf", "--select", "TH101", input=CONF.encode())
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "deploy/themisdb.conf:2:1: TH101 [*] `storage.journalSize` is renamed to `storage.rocksdb.walSize` "
        "in ThemisDB 1.4")
    assert not (cwd / "deploy").exists()


def test_json_output_from_stdin(cwd) -> None:
    result = invoke("check", "--stdin-filename", "themisdb.conf", "--output-format", "json", input=CONF.encode())
    found = json.loads(result.stdout)
    assert {f["filename"] for f in found} == {"themisdb.conf"} and len(found) == 4


def test_fix_prints_the_fixed_text_only_and_keeps_crlf(cwd) -> None:
    (cwd / "themisdb.conf").write_bytes(CONF.encode())
    done = subprocess.run([sys.executable, "-c", "from themis_lint.cli import main; main()", "check", "--fix",
                           "--select", "TH101", "--stdin-filename", "themisdb.conf"],
                          input=CONF.encode(), capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == CONF.replace("storage.journalSize", "storage.rocksdb.walSize").encode()
    assert b"1 fixed, 0 remaining" in done.stderr
    assert (cwd / "themisdb.conf").read_bytes() == CONF.encode()  # nothing written


def test_fix_with_nothing_to_fix_echoes_the_input(cwd) -> None:
    text = "cache.size: 1GB\n"
    result = invoke("check", "--fix", "--select", "TH101", "--stdin-filename", "themisdb.conf", input=text.encode())
    assert result.exit_code == 0 and result.stdout == text


def test_fix_leaves_unfixable_findings_and_exit_1(cwd) -> None:
    text = "server.requireAuthentication: true\n"
    result = invoke("check", "--fix", "--select", "TH103", "--stdin-filename", "themisdb.conf",
                    input=text.encode())
    assert result.exit_code == 1 and result.stdout == text
    assert "TH103" in result.stderr


def test_diff_from_stdin(cwd) -> None:
    result = invoke("check", "--diff", "--select", "TH101", "--stdin-filename", "themisdb.conf",
                    input=b"storage.journalSize: 1MB\n")
    assert "-storage.journalSize: 1MB\n+storage.rocksdb.walSize: 1MB\n" in result.stdout


def test_unparsable_buffer_is_th900(cwd) -> None:
    result = invoke("check", "--stdin-filename", "themisdb.json", input=b'{"a": \xff}')
    assert result.exit_code == 1 and "themisdb.json:1:1: TH900" in result.stdout


def test_unused_suppression_fixed_on_stdin(cwd) -> None:
    text = "cache.size: 1GB  # themis-lint: ignore[TH101]\n"
    result = invoke("check", "--fix", "--report-unused-suppressions", "--select", "TH101",
                    "--stdin-filename", "themisdb.conf", input=text.encode())
    assert result.exit_code == 0 and result.stdout == "cache.size: 1GB\n"
