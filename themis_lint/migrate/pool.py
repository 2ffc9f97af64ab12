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


def _init_worker(contexts, options, event) -> None:
    from themis_lint.workers import die_with_parent

    die_with_parent()  # a parent killed with -9 must not leave workers waiting forever
    # the parent decides when to stop (a terminal's Ctrl-C reaches the whole process group)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    global _worker
    _worker = (contexts, options, event)


def run_items(items: list[tuple], contexts: dict, options, stop) -> tuple[list[tuple[int, FileOutcome]], list[tuple]]:
    """Migrate work items in order until `stop` is set; (outcomes, items not started).

    `contexts` maps each item's config (its path, None for none) to the Context it governs:
    every repository is migrated under its own configuration, not the caller's."""
    from themis_lint.migrate import files

    done = []
    for i, (repo, path, rel, _size, config, journal) in enumerate(items):
        if stop.is_set():
            return done, items[i:]
        done.append((repo, files.migrate_file(path, rel, contexts[config], options, journal)))
    return done, []


def _run_chunk(items: list[tuple]):
    contexts, options, stop = _worker
    return run_items(items, contexts, options, stop)


def chunked(items: list[tuple], jobs: int) -> list[list[tuple]]:
    """Largest files first, in chunks small enough that no worker is left holding a long tail."""
    items = sorted(items, key=lambda item: -item[3])
    size = max(1, min(32, len(items) // (jobs * 16)))
    return [items[i:i + size] for i in range(0, len(items), size)]


def collect(repos: list[RepoRun], projects, req) -> tuple[list[tuple], dict]:
    """The flat work queue: (repo index, path, path relative to the repo, size, config, journal) of
    every wanted file, and the Context of each config. Each file is governed by the closest config
    at or above it inside its repository (project.Projects, as `check` does), the command line on
    top; a repository whose config cannot be used fails alone. Inside a git work tree only files
    git does not ignore: not .git/info/exclude or core.excludesFile matches, nothing in a
    submodule or a nested repository."""
    from themis_lint.project import ProjectError

    items: list[tuple] = []
    contexts: dict[str | None, object] = {}
    for index, repo in enumerate(repos):
        if repo.status != "pending":
            continue
        try:
            found = _repo_items(index, repo, projects, contexts, req)
        except ProjectError as exc:
            repo.status, repo.reason, repo.files = "failed", f"unusable project config: {exc}", 0
            continue
        items += found
    return items, contexts


def _repo_items(index: int, repo: RepoRun, projects, contexts: dict, req) -> list[tuple]:
    from themis_lint import surfaces
    from themis_lint.discovery import discover
    from themis_lint.migrate.repository import journal, listed

    configs = {projects.config_for(repo.root)}
    allowed = listed(repo)
    # in a work tree git's ignore rules decide (.gitignore, info/exclude, core.excludesFile;
    # a tracked file is never ignored), the configured excludes still apply
    targets, errors = discover([repo.root], projects.excludes_for, respect_gitignore=allowed is None)
    found = []
    for target in targets:
        rel = os.path.relpath(target.path, repo.root).replace(os.sep, "/")
        if allowed is not None and rel not in allowed:
            continue
        setup = projects.setup_for(target.path)
        config = setup.settings.path
        if not surfaces.wanting(target.path, setup.ctx):
            continue
        contexts.setdefault(config, setup.ctx)
        configs.add(config)
        try:
            size = os.path.getsize(target.path)
        except OSError:
            size = 0
        found.append((index, target.path, rel, size, config, journal(repo, rel, req)))
    repo.errors += errors
    repo.files = len(found)
    repo.configs = sorted(_shown(repo, c) for c in configs if c is not None)
    return found


def _shown(repo: RepoRun, config: str) -> str:
    """A config as the report names it: from the repository's PATH when inside it."""
    rel = os.path.relpath(os.path.abspath(config), repo.root).replace(os.sep, "/")
    return os.path.abspath(config) if rel.startswith("../") else rel


def execute(items: list[tuple], repos: list[RepoRun], contexts: dict, options, jobs: int, stop: StopFlag,
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
            done, rest = run_items([item], contexts, options, stop)
            take(done)
            if rest:
                return ordered[i:]
        return []
    return _execute_pool(chunked(items, jobs), contexts, options, jobs, stop, take, progress)


def _execute_pool(chunks, contexts: dict, options, jobs: int, stop: StopFlag, take, progress: Progress) -> list[tuple]:
    import multiprocessing

    event = multiprocessing.Event()
    not_started: list[tuple] = []
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(contexts, options, event)) as pool:
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
