"""A rerun after `kill -9` resumes (issue 18 item 9): the resume record is written as files are, not
at the end, so the files a killed run wrote are known as migrate's own."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.migrate.repos import CONF, SH, git, snapshot
from themis_lint.migrate.record import JOURNAL, MARKER

COMMAND = [sys.executable, "-c", "from themis_lint.cli import main; main()", "migrate", "--no-progress"]


def big_repo(root, files: int) -> None:
    """Many small fixable files, so that a kill lands in the middle of the run."""
    for i in range(files):
        folder = root / f"svc{i % 40}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / (f"run{i}.sh" if i % 40 else f"themisdb-{i}.conf")).write_text(SH if i % 40 else CONF)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")


def own_temp_files_removed(files: dict[str, bytes]) -> dict[str, bytes]:
    # a kill between the engine's temp-file write and its rename leaves `.themis-lint-*.tmp`
    # (issue 18 item 21 cleans them); they are never a person's work, never committed
    return {k: v for k, v in files.items() if not os.path.basename(k).startswith(".themis-lint-")}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_rerun_after_kill_9_resumes_and_commits_both_runs(tmp_path, jobs) -> None:
    repo = tmp_path / "big"
    big_repo(repo, 600)
    original = snapshot(repo)
    shutil.copytree(repo, tmp_path / "reference")
    subprocess.run([*COMMAND, "--quiet", "reference"], cwd=tmp_path, capture_output=True, check=True)
    fixed = snapshot(tmp_path / "reference")

    # the fifth write pauses (in whichever process makes it), so the kill always lands mid-run
    # however loaded the machine is; the other worker may go on writing until the kill
    paused = tmp_path / "paused"
    pause = (f"import pathlib, time\nfrom themis_lint import writer\nseen = []\n"
             f"def pause(path):\n    seen.append(path)\n    if len(seen) == 5:\n"
             f"        pathlib.Path({str(paused)!r}).touch()\n        time.sleep(3600)\n"
             f"writer.before_write = pause\nfrom themis_lint.cli import main\nmain()\n")
    proc = subprocess.Popen([sys.executable, "-c", pause, *COMMAND[3:], "--jobs", jobs, "--commit", "big"],
                            cwd=tmp_path, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120  # only a hang reaches this
    while not paused.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (repo / ".git" / JOURNAL).exists()  # the journal appears with the first file written
    os.killpg(proc.pid, signal.SIGKILL)  # the whole process group: workers too, as the OOM killer might
    proc.wait()
    now = own_temp_files_removed(snapshot(repo))
    assert all(now[name] in (original[name], fixed[name]) for name in original)
    assert any(now[n] != fixed[n] for n in original), "the run finished before the kill; make the repo bigger"
    assert (repo / ".git" / JOURNAL).exists() and not (repo / ".git" / MARKER).exists()

    again = subprocess.run([*COMMAND, "--jobs", jobs, "--commit", "big"], cwd=tmp_path, capture_output=True,
                           text=True, check=False)
    assert again.returncode == 0, again.stdout + again.stderr
    assert own_temp_files_removed(snapshot(repo)) == fixed
    changed = sorted(n for n in original if original[n] != fixed[n])
    assert git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD").split() == changed
    assert git(repo, "rev-parse", "HEAD~1") == git(repo, "rev-parse", "main")
    assert not (repo / ".git" / JOURNAL).exists() and not (repo / ".git" / MARKER).exists()


CRASH = """
import os, sys
from themis_lint import writer
from themis_lint.cli import main

if sys.argv[1] == "before-rename":
    writer.before_write = lambda path: os._exit(9)  # after the journal line, before the rename
else:
    writer.after_swap = lambda name: os._exit(9)  # the rename happened; nothing after it ran
sys.argv = ["themis-lint", "migrate", "--no-progress", "--jobs", "1", "--commit", "repo"]
main()
"""


@pytest.mark.parametrize("moment", ["before-rename", "after-rename"])
def test_a_crash_at_either_side_of_a_rename_is_resumed(tmp_path, moment) -> None:
    from tests.migrate.repos import SH_FIXED, standard_repo

    repo = standard_repo(tmp_path / "repo")
    crashed = subprocess.run([sys.executable, "-c", CRASH, moment], cwd=tmp_path, capture_output=True, check=False)
    assert crashed.returncode == 9
    written = (repo / "config/themisdb.conf").read_text() != CONF
    assert written == (moment == "after-rename")
    again = subprocess.run([*COMMAND, "--jobs", "1", "--commit", "repo"], cwd=tmp_path, capture_output=True,
                           text=True, check=False)
    assert again.returncode == 0, again.stdout  # never "refused: uncommitted changes"
    assert (repo / "scripts/start.sh").read_text() == SH_FIXED
    assert git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD").split() == [
        "config/themisdb.conf", "scripts/start.sh"]
