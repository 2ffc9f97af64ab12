"""Issue 18, item 22: pool workers die with a parent killed by SIGKILL, for `check` and `migrate`.

A small program starts the real pool with its work function replaced by one that reports the
worker's pid and waits (a fork inherits the replacement): the workers are alive and busy when
the parent is killed. Then the workers must be gone.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX process model")

COMMON = """
import os, sys, time
def stuck(*args, **kwargs):
    os.write(1, f"worker {os.getpid()}\\n".encode())  # one write: lines of two workers never mix
    time.sleep(600)
from themis_lint.context import default_context
from themis_lint.pipeline import Options
ctx = default_context()
"""

CHECK_POOL = COMMON + """
from themis_lint import runner
from themis_lint.discovery import Target
runner.check_target = stuck
targets = [Target(f"f{i}.conf", f"f{i}.conf", False) for i in range(runner.PARALLEL_MIN_FILES * 4)]
runner.run(targets, ctx, Options(), jobs=2)
"""

MIGRATE_POOL = COMMON + """
from themis_lint.migrate import files, pool
from themis_lint.migrate.output import Progress
from themis_lint.migrate.types import RepoRun
files.migrate_file = stuck
repos = [RepoRun("r", os.path.abspath("r"))]
items = [(0, f"r/f{i}.conf", f"f{i}.conf", 1, None, None) for i in range(pool.PARALLEL_MIN_FILES * 4)]
pool.execute(items, repos, {None: ctx}, Options(), 2, pool.StopFlag(), Progress("none", len(items), 1))
"""


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper has already exited)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False


@pytest.mark.parametrize("program", [CHECK_POOL, MIGRATE_POOL], ids=["check", "migrate"])
def test_workers_exit_when_the_parent_is_killed(tmp_path, program) -> None:
    parent = subprocess.Popen([sys.executable, "-c", program], cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    workers = []
    try:
        while len(workers) < 2:
            line = parent.stdout.readline()
            assert line, parent.stderr.read()
            if line.startswith("worker "):
                workers.append(int(line.split()[1]))
        assert all(alive(pid) for pid in workers)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=60)
    deadline = time.monotonic() + 30  # a hang guard; they normally go within milliseconds
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers if alive(pid)]
    for pid in left:  # never leave them behind for the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert not left, f"workers {left} outlived their parent"
