"""Issue 18, item 18: YAML with line ends ruamel and LineIndex count differently (a lone CR, CR CR
LF) is analysed and fixed like any other, never an internal error: ruamel's marks are mapped to
offsets in ruamel's own line model (parse.yaml_docs.MarkIndex)."""
from __future__ import annotations

import pytest

from themis_lint.model import Safety
from tests.helpers import invoke, run

CASES = {
    "cr-only config": ("themisdb.yaml", "cache:\r  maxSize: 2\r", "cache:\r  size: 2\r"),
    "cr-cr-lf config": ("themisdb.yaml", "cache:\r\r\n  maxSize: 2\r\r\n", "cache:\r\r\n  size: 2\r\r\n"),
    "cr-only compose": ("docker-compose.yml",
                        'services:\r  db:\r    image: themisdb:1.3\r    command: ["themisdb-server", "--cache.maxSize", "2"]\r',
                        'services:\r  db:\r    image: themisdb:1.3\r    command: ["themisdb-server", "--cache.size", "2"]\r'),
    "cr-cr-lf compose": ("docker-compose.yml",
                         'services:\r\r\n  db:\r\r\n    image: themisdb:1.3\r\r\n'
                         '    command: ["themisdb-server", "--cache.maxSize", "2"]\r\r\n',
                         'services:\r\r\n  db:\r\r\n    image: themisdb:1.3\r\r\n'
                         '    command: ["themisdb-server", "--cache.size", "2"]\r\r\n'),
    "byte order mark inside a line": ("themisdb.yaml", "a: 1\ufeff\ncache:\n  maxSize: 2\n",
                                      "a: 1\ufeff\ncache:\n  size: 2\n"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_odd_line_ends_are_found_and_fixed_in_place(name) -> None:
    path, text, renamed = CASES[name]
    result = run(text, path, Safety.SAFE, select=["TH101"])
    assert not result.errors
    assert [f.code for f in result.findings] == [] and result.fixed == renamed


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_cli_reports_a_finding_not_an_internal_error(tmp_path, name) -> None:
    path, text, _ = CASES[name]
    (tmp_path / path).write_bytes(text.encode())
    result = invoke("check", "--no-cache", "--select", "TH101", str(tmp_path / path))
    assert result.exit_code == 1 and "TH101" in result.stdout and "internal error" not in result.stderr
