"""What every worker process of a pool does first: die with the process that started it.

A pool worker blocks on its task queue, and it holds a copy of that queue's write end, so it
never sees end-of-file when the parent is killed (`kill -9`, the OOM killer, an expired grace
period): without this it waits forever, holding its memory and any file it had open. Both pools
(`check`'s in runner.py, `migrate`'s in migrate/pool.py) call `die_with_parent` in their
initializer.
"""
from __future__ import annotations

import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 1.0


def die_with_parent(parent: int | None = None) -> None:
    """Exit when `parent` (default: the process that started this worker, as multiprocessing
    recorded it before the initializer ran) dies.

    Linux: the kernel sends SIGKILL when the parent goes (PR_SET_PDEATHSIG). Elsewhere, or when
    prctl is refused: a daemon thread that notices the reparenting. Either way, a parent that died
    before we got here is noticed at once.
    """
    if parent is None:
        import multiprocessing

        started_by = multiprocessing.parent_process()
        parent = started_by.pid if started_by is not None else os.getppid()
    armed = sys.platform.startswith("linux") and _pdeathsig(signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)  # the parent died before the signal was armed
    if not armed:
        threading.Thread(target=_watch, args=(parent,), daemon=True, name="themis-lint-parent-watch").start()


def _pdeathsig(signum: int) -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(1)
