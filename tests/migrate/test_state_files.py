"""The tool's own files never hang it or lead it outside the tree (issue 18 items 6 and 8).

A FIFO with no writer blocks `open` itself, so a regression here would hang: every run that could
hang runs in a subprocess whose generous timeout turns a hang into a failure (not a timing check).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import invoke
from tests.migrate.repos import SH, SH_FIXED, interrupt_after_first_write, standard_repo
from themis_lint import writer
from themis_lint.migrate import git as safe_git
from themis_lint.migrate.record import JOURNAL, MARKER
from themis_lint.safe_io import NotRegularFile, read_regular

HANG_GUARD = 120  # seconds: only ever reached by a hang


def cli(cwd, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from themis_lint.cli import main; main()", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=HANG_GUARD, check=False)


# --- safe_io ----------------------------------------------------------------------------------------

def test_read_regular_refuses_what_is_not_a_plain_file(tmp_path) -> None:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "link").symlink_to(tmp_path / "fifo")
    (tmp_path / "file").write_bytes(b"0123456789")
    (tmp_path / "file-link").symlink_to(tmp_path / "file")
    cases = {"fifo": (False, "is a FIFO, not a regular file"), "link": (True, "is a FIFO, not a regular file"),
             "file-link": (False, "is a symlink (not followed)"), ".": (False, "is a folder, not a regular file")}
    for name, (follow, why) in cases.items():
        with pytest.raises(NotRegularFile) as caught:
            read_regular(str(tmp_path / name), follow=follow)
        assert caught.value.strerror == why and caught.value.filename == str(tmp_path / name)
    with pytest.raises(NotRegularFile, match="is a character device"):
        read_regular("/dev/zero")
    assert read_regular(str(tmp_path / "file-link"), follow=True) == b"0123456789"
    assert read_regular(str(tmp_path / "file"), limit=10) == b"0123456789"
    with pytest.raises(NotRegularFile, match="larger than 9 bytes"):
        read_regular(str(tmp_path / "file"), limit=9)


# --- the migrate resume record ---------------------------------------------------------------------

@pytest.fixture
def two(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    standard_repo(tmp_path / "a")
    standard_repo(tmp_path / "b")
    return tmp_path


def test_a_fifo_resume_record_refuses_its_repository_only(two) -> None:
    os.mkfifo(two / "a/.git" / MARKER)
    out = cli(two, "migrate", "--no-progress", "--report", "r.json", "a", "b")
    assert out.returncode == 1, out.stderr
    repos = {r["path"]: r for r in json.loads((two / "r.json").read_text())["repositories"]}
    assert repos["a"]["status"] == "refused"
    assert repos["a"]["reason"] == f"{two}/a/.git/{MARKER}: is a FIFO, not a regular file"
    assert repos["b"]["status"] == "done" and (two / "b/scripts/start.sh").read_text() == SH_FIXED
    assert (two / "a/scripts/start.sh").read_text() == SH


@pytest.mark.parametrize("name", [MARKER, JOURNAL])
def test_a_symlinked_record_is_never_followed(two, monkeypatch, name) -> None:
    outside = two / "outside" / "record.json"
    (two / "a/.git" / name).symlink_to(outside)
    interrupt_after_first_write(monkeypatch)
    result = invoke("migrate", "--no-progress", "--jobs", "1", "--report", "r.json", "a", "b")
    assert result.exit_code == 130
    assert "a: refused: " in result.stdout and f"{name}: is a symlink (not followed)" in result.stdout
    assert not outside.parent.exists()  # nothing created through the link
    assert os.readlink(two / "a/.git" / name) == str(outside)
    # the other repository's progress is recorded, and its rerun resumes
    assert "sha256" in (two / "b/.git" / MARKER).read_text()
    monkeypatch.setattr(writer, "before_write", lambda path: None)
    again = invoke("migrate", "--no-progress", "b")
    assert again.exit_code == 0, again.output
    assert (two / "b/scripts/start.sh").read_text() == SH_FIXED


def test_a_corrupt_record_refuses_its_repository(two) -> None:
    (two / "a/.git" / MARKER).write_text("{not json")
    result = invoke("migrate", "--no-progress", "a", "b")
    assert f"a: refused: {two}/a/.git/{MARKER}: not a themis-lint resume record" in result.stdout
    assert (two / "b/scripts/start.sh").read_text() == SH_FIXED


# --- explicitly named files of `check` -------------------------------------------------------------

@pytest.fixture
def tree(tmp_path):
    (tmp_path / "start.sh").write_text(SH)
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "link").symlink_to(tmp_path / "fifo")
    return tmp_path


@pytest.mark.parametrize("target", ["fifo", "link"])
def test_an_explicitly_named_pack_fifo_is_a_one_line_error(tree, target) -> None:
    out = cli(tree, "check", "--pack", target, "start.sh")
    assert out.returncode == 2
    assert out.stderr.strip().splitlines()[-1].endswith(f"{target}:1: cannot read: is a FIFO, not a regular file")


@pytest.mark.parametrize("option", ["--config", "--baseline"])
def test_an_explicitly_named_config_or_baseline_fifo_is_a_one_line_error(tree, option) -> None:
    out = cli(tree, "check", option, "link", "start.sh")
    assert out.returncode == 2
    assert "link: cannot read" in out.stderr and "is a FIFO, not a regular file" in out.stderr


def test_a_fifo_named_gitignore_in_a_checked_tree_does_not_hang(tree) -> None:
    os.mkfifo(tree / ".gitignore")
    (tree / "sub").mkdir()
    (tree / "sub/pyproject.toml").symlink_to(tree / "fifo")  # a project config found by walking up
    out = cli(tree / "sub", "check", str(tree))
    assert out.returncode == 1 and "TH101" in out.stdout


# --- a git that blocks ------------------------------------------------------------------------------

@pytest.fixture
def blocking(two):
    """Repository `a` includes a FIFO in its git config: every git command there blocks opening it."""
    os.mkfifo(two / "a/.git/blocker")
    with open(two / "a/.git/config", "a") as config:
        config.write("[include]\n\tpath = blocker\n")
    return two


def test_a_blocking_git_costs_its_repository_only(blocking, monkeypatch) -> None:
    monkeypatch.setattr(safe_git, "TIMEOUT", 1.0)
    result = invoke("migrate", "--no-progress", "--report", "r.json", "a", "b")
    repos = {r["path"]: r for r in json.loads((blocking / "r.json").read_text())["repositories"]}
    assert repos["a"]["status"] == "failed"
    assert repos["a"]["reason"] == "git cannot use this work tree: git rev-parse did not finish within 1 s"
    assert repos["b"]["status"] == "done" and result.exit_code == 1


def test_a_stop_kills_a_blocked_git(blocking) -> None:
    safe_git.stop_when(lambda: True)  # SIGINT/SIGTERM arrived: the waiting git is killed
    try:
        with pytest.raises(safe_git.GitStopped):
            safe_git.open_repository(str(blocking / "a"))
    finally:
        safe_git.stop_when(lambda: False)
