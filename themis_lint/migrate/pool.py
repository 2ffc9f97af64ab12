"""The work queue of `themis-lint migrate` and the processes that work it (docs/migrate.md).

One flat queue of files across every repository; run in order in this process, or in chunks over
a process pool. SIGINT/SIGTERM set a flag that is checked between files, never during a write.
Migrating one file is `files.migrate_file`.
"""
from __future__ import annotations

import os
import signal
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from themis_lint.migrate.output import Progress
    from themis_lint.migrate.types import FileOutcome, RepoRun

PARALLEL_MIN_FILES = 16  # below this, starting processes costs more than it saves

_worker: tuple | None = None


class StopFlag:
    """Set by SIGINT/SIGTERM; checked between files, never interrupting a write."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._old: dict[int, object] = {}

    def is_set(self) -> bool:
        return self.signum is not None

    def _handle(self, signum, frame) -> None:
        if self.signum is None:
            self.signum = signum

    def install(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                self._old[sig] = signal.signal(sig, self._handle)
            except ValueError:  # not the main thread: no clean stop, but the run still works
                pass

    def restore(self) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)


def _init_worker(ctx, options, event) -> None:
    from themis_lint.workers import die_with_parent

    die_with_parent()  # a parent killed with -9 must not leave workers waiting forever
    # the parent decides when to stop (a terminal's Ctrl-C reaches the whole process group)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    global _worker
    _worker = (ctx, options, event)


def run_items(items: list[tuple], ctx, options, stop) -> tuple[list[tuple[int, FileOutcome]], list[tuple]]:
    """Migrate work items in order until `stop` is set; (outcomes, items not started)."""
    from themis_lint.migrate import files

    done = []
    for i, (repo, path, rel, _size, journal) in enumerate(items):
        if stop.is_set():
            return done, items[i:]
        done.append((repo, files.migrate_file(path, rel, ctx, options, journal)))
    return done, []


def _run_chunk(items: list[tuple]):
    ctx, options, stop = _worker
    return run_items(items, ctx, options, stop)


def chunked(items: list[tuple], jobs: int) -> list[list[tuple]]:
    """Largest files first, in chunks small enough that no worker is left holding a long tail."""
    items = sorted(items, key=lambda item: -item[3])
    size = max(1, min(32, len(items) // (jobs * 16)))
    return [items[i:i + size] for i in range(0, len(items), size)]


def collect(repos: list[RepoRun], excludes: list[str], ctx, req) -> list[tuple]:
    """The flat work queue: (repo index, path, path relative to the repo, size, journal) of every
    wanted file. Inside a git work tree only files git does not ignore: not .git/info/exclude or
    core.excludesFile matches, nothing in a submodule or a nested repository."""
    from themis_lint import surfaces
    from themis_lint.discovery import discover
    from themis_lint.migrate.repository import journal, listed

    items = []
    for index, repo in enumerate(repos):
        if repo.status != "pending":
            continue
        allowed = listed(repo)
        # in a work tree git's ignore rules decide (.gitignore, info/exclude, core.excludesFile;
        # a tracked file is never ignored), the configured excludes still apply
        targets, errors = discover([repo.root], excludes, respect_gitignore=allowed is None)
        repo.errors += errors
        for target in targets:
            rel = os.path.relpath(target.path, repo.root).replace(os.sep, "/")
            if (allowed is not None and rel not in allowed) or not surfaces.wanting(rel, ctx):
                continue
            try:
                size = os.path.getsize(target.path)
            except OSError:
                size = 0
            items.append((index, target.path, rel, size, journal(repo, rel, req)))
            repo.files += 1
    return items


def execute(items: list[tuple], repos: list[RepoRun], ctx, options, jobs: int, stop: StopFlag,
            progress: Progress) -> list[tuple]:
    """Run the queue; return the items never started (after a stop)."""
    def take(outcomes):
        for index, outcome in outcomes:
            repo = repos[index]
            repo.add(outcome)
            if repo.pending == 0:
                repo.status = "dry-run" if not options.write else "done"
                progress.repo_done(repo)
            progress.file_done(outcome)

    if jobs <= 1 or len(items) < PARALLEL_MIN_FILES:
        ordered = sorted(items, key=lambda it: (it[0], it[2]))
        for i, item in enumerate(ordered):
            done, rest = run_items([item], ctx, options, stop)
            take(done)
            if rest:
                return ordered[i:]
        return []
    return _execute_pool(chunked(items, jobs), ctx, options, jobs, stop, take, progress)


def _execute_pool(chunks, ctx, options, jobs: int, stop: StopFlag, take, progress: Progress) -> list[tuple]:
    import multiprocessing

    event = multiprocessing.Event()
    not_started: list[tuple] = []
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(ctx, options, event)) as pool:
        futures = {pool.submit(_run_chunk, chunk): chunk for chunk in chunks}
        pending, stopping = set(futures), False
        while pending:
            finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in finished:
                if future.cancelled():
                    not_started += futures[future]
                    continue
                done, rest = _chunk_result(future, futures[future])
                take(done)
                not_started += rest
            if stop.is_set() and not stopping:
                stopping = True
                event.set()  # workers finish the file in hand, then hand back the rest
                progress.note("stopping: finishing the files in progress")
                for future in pending:
                    future.cancel()
    return not_started


def _chunk_result(future, chunk: list[tuple]) -> tuple[list[tuple[int, FileOutcome]], list[tuple]]:
    from themis_lint.migrate.types import FileOutcome

    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001  a crashed worker: report its files, keep the others going
        return [(it[0], FileOutcome(it[2], errors=[f"{it[2]}: internal error: {exc!r}"])) for it in chunk], []
