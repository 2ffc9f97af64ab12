"""Issue 18, item 19: a file or repository name can never forge an output line or send a terminal
escape, in `check`'s error and info lines, `report`, `migrate`'s table and progress lines, and
diff headers. Names are real file names on disk; the CLI runs in a subprocess with its real output.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FORGED = "\nAll checks passed.\nTotal: 0 repositories\x1b]0;owned\x07\x1b[2J\x9b31m"
OLD = "storage:\n  journalSize: 32MB\n"


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "themis_lint", *args], cwd=cwd, capture_output=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": os.getcwd()})


def assert_not_forged(output: bytes) -> None:
    text = output.decode("utf-8", "replace")
    lines = text.splitlines()
    assert not any(line.startswith(("All checks passed.", "Total: 0 repositories")) for line in lines), text
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text, text


def test_check_error_and_info_lines_escape_names(tmp_path) -> None:
    big = os.fsencode(tmp_path) + os.fsencode(f"/themisdb{FORGED}") + b"\xff.conf"
    with open(big, "wb") as handle:
        handle.write(OLD.encode() * 10)
    result = cli(tmp_path, "check", "--no-cache", "--max-file-size", "20", ".", f"missing{FORGED}")
    assert result.returncode == 2
    assert b"skipped:" in result.stderr and b"no such file or folder" in result.stderr
    assert_not_forged(result.stderr)
    assert_not_forged(result.stdout)


def test_report_and_diff_escape_names(tmp_path) -> None:
    (tmp_path / f"themisdb{FORGED}.conf").write_text(OLD)
    assert_not_forged(cli(tmp_path, "report", "--no-cache", ".").stdout)
    diff = cli(tmp_path, "check", "--no-cache", "--diff", ".").stdout
    assert_not_forged(diff)
    assert b'diff --git "a/themisdb\\nAll checks passed.' in diff  # git's C quoting, which git apply reads


def test_migrate_table_and_progress_escape_names(tmp_path) -> None:
    repo = tmp_path / f"repo{FORGED}"
    repo.mkdir()
    (repo / f"themisdb{FORGED}.conf").write_text("server:\n  requireAuthentication: true\n")
    result = cli(tmp_path, "migrate", "--safe-only", "--no-progress", repo.name)
    assert b"Needs a person (1):" in result.stdout and b"1 repositories" in result.stdout
    assert_not_forged(result.stdout)
    assert_not_forged(result.stderr)


def test_a_file_under_a_folder_with_a_newline_in_its_name_is_checked(tmp_path) -> None:
    """Glob matching used `.`, which stops at a newline: such a folder hid its configs silently."""
    folder = tmp_path / "re\npo"
    folder.mkdir()
    (folder / "themisdb.conf").write_text(OLD)
    result = cli(tmp_path, "check", "--no-cache", ".")
    assert result.returncode == 1 and b"TH101" in result.stdout
