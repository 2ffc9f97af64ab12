"""Issue 9: hostile trees. Nothing outside the root is read or written, a symlink is never
written through, unreadable or unwritable files are clear error lines, names cannot forge output,
concurrent fixers never interleave, and many files stay within bounded memory."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from themis_lint.context import default_context
from themis_lint.pipeline import Options
from tests.helpers import check_file
from themis_lint.model import Safety

OLD = "storage:\n  journalSize: 32MB\n"


def cli(cwd: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "themis_lint", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, **kw)


def test_a_file_replaced_by_a_symlink_before_the_write_is_not_written_through(tmp_path, monkeypatch) -> None:
    outside = tmp_path / "outside.conf"
    outside.write_text(OLD)
    path = tmp_path / "root" / "themisdb.conf"
    path.parent.mkdir()
    path.write_text(OLD)
    import themis_lint.pipeline as engine

    real = engine.check_source

    def swap(*args, **kwargs):
        out = real(*args, **kwargs)
        path.unlink()
        path.symlink_to(outside)  # same bytes behind it: only the symlink check can refuse
        return out

    monkeypatch.setattr(engine, "check_source", swap)
    result = check_file(str(path), "themisdb.conf", default_context(), Options(fix=Safety.SAFE))
    assert result.errors and "symlink" in result.errors[0]
    assert outside.read_text() == OLD and path.is_symlink()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_file_and_folder_are_error_lines_and_the_rest_is_fixed(tmp_path) -> None:
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro" / "themisdb.conf").write_text(OLD)
    (tmp_path / "ro").chmod(0o555)
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "themisdb.conf").write_text(OLD)
    try:
        result = cli(tmp_path, "check", "--no-cache", "--fix", ".")
    finally:
        (tmp_path / "ro").chmod(0o755)
    assert result.returncode == 2
    assert "ro/themisdb.conf: not written" in result.stderr
    assert (tmp_path / "ro" / "themisdb.conf").read_text() == OLD
    assert "walSize" in (tmp_path / "ok" / "themisdb.conf").read_text()


def test_unreadable_file_is_an_error_line_when_not_root(tmp_path) -> None:
    path = tmp_path / "themisdb.conf"
    path.write_text(OLD)
    path.chmod(0o000)
    try:
        result = cli(tmp_path, "check", "--no-cache", ".")
    finally:
        path.chmod(0o644)
    if os.geteuid() == 0:
        assert result.returncode == 1  # root reads it anyway
    else:
        assert result.returncode == 2 and "themisdb.conf: cannot read" in result.stderr


def test_names_with_newlines_escapes_and_invalid_utf8_cannot_forge_lines(tmp_path) -> None:
    bad = os.fsencode(tmp_path) + b"/themisdb\xff\n\x1b[2J.conf"
    with open(bad, "wb") as handle:
        handle.write(OLD.encode())
    result = cli(tmp_path, "check", "--no-cache", ".")
    lines = [line for line in result.stdout.splitlines() if "TH1" in line]
    assert len(lines) == 4 and all(line.startswith("themisdb") for line in lines)
    assert "\x1b" not in result.stdout and "\\n" in lines[0]


def test_very_long_paths_are_handled(tmp_path) -> None:
    folder = tmp_path
    for i in range(12):
        folder = folder / (f"{i:02d}" + "d" * 200)
    folder.mkdir(parents=True)
    (folder / "themisdb.conf").write_text(OLD)
    result = cli(tmp_path, "check", "--no-cache", "--fix", ".")
    assert result.returncode == 0, result.stderr
    assert "walSize" in (folder / "themisdb.conf").read_text()


def test_two_concurrent_fixers_leave_every_file_original_or_fixed(tmp_path) -> None:
    for i in range(300):
        (tmp_path / f"s{i:03d}").mkdir()
        (tmp_path / f"s{i:03d}" / "themisdb.conf").write_text(OLD + f"# file {i}\n")
    fixed = [None]
    procs = [subprocess.Popen([sys.executable, "-m", "themis_lint", "check", "--no-cache", "--fix", "--jobs", "1",
                               "."], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(2)]
    for proc in procs:
        proc.wait(timeout=300)
    reference = tmp_path / "ref"
    reference.mkdir()
    (reference / "themisdb.conf").write_text(OLD + "# file 0\n")
    cli(reference, "check", "--no-cache", "--fix", ".")
    fixed[0] = (reference / "themisdb.conf").read_text()
    for i in range(300):
        text = (tmp_path / f"s{i:03d}" / "themisdb.conf").read_text()
        assert text == fixed[0].replace("# file 0\n", f"# file {i}\n"), i
    assert not list(tmp_path.rglob(".themis-lint-*.tmp"))


def test_many_small_files_stay_within_bounded_memory(tmp_path) -> None:
    for i in range(200):
        folder = tmp_path / f"d{i:03d}"
        folder.mkdir()
        for j in range(100):  # 20,000 files, 1 in 100 with a finding
            text = OLD if j == 0 else f"# unrelated {i} {j}\nname: x{j}\n"
            (folder / (f"themisdb-{j}.yaml" if j % 2 == 0 else f"notes-{j}.md")).write_text(text)
    # measured from a small intermediate process: a child forked straight from pytest inherits
    # pytest's own peak RSS in its rusage (Linux keeps the high-water mark across fork and exec)
    measure = ("import os, subprocess, sys; p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL); "
               "_, status, usage = os.wait4(p.pid, 0); print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", measure, sys.executable, "-m", "themis_lint", "check", "--no-cache",
                          "--jobs", "1", "--exit-zero", "-q", "."], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300).stdout.split()
    assert out[0] == "0"
    assert int(out[1]) < 200 * 1024, f"peak RSS {out[1]} KiB"  # kilobytes on Linux
