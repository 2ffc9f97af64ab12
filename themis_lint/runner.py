"""Run the engine over many files: cache lookups here, read + prefilter + analysis in workers.

A file no surface wants by name is never opened. A wanted file is read once; most stop at the
trigger-literal prefilter. With `--jobs N` the name test, reading and prefiltering run in the
worker processes too, so a clean tree scales with the cores, not only the files that get
parsed; the main process only walks the tree and looks files up in the cache by stat.
"""
from __future__ import annotations

import hashlib
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

from themis_lint import surfaces
from themis_lint.context import Context
from themis_lint.discovery import Target
from themis_lint.pipeline import FileResult, Options, applicable, check_bytes
from themis_lint.writer import TooLarge, WriteRefused, read_file, write_fixed

PARALLEL_MIN_FILES = 64  # below this, starting processes costs more than it saves
PRESTART_FILES = 1024  # from this many files found, the workers start while discovery walks on
SAME = "same"  # the bytes match the cached entry's digest: reuse its result
# result (None: nothing to say; SAME: as cached), size, mtime and digest of what was read
Outcome = tuple[FileResult | str | None, int, int, str]


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def check_target(target: Target, ctx: Context, options: Options, expected: str | None = None,
                 hashing: bool = False) -> Outcome:
    """Read the file once, prefilter, analyse only when a trigger literal is there; `expected`
    is the cached digest of the file's bytes (its stat changed): equal bytes are not parsed."""
    modules = surfaces.wanting(target.display, ctx)
    try:
        st = os.stat(target.path)
        if not modules:  # never opened; remembered as clean so a warm run skips the name test too
            return None, st.st_size, st.st_mtime_ns, ""
        if st.st_size > options.max_file_size:
            return process_file(target, ctx, options), -1, -1, ""
        with open(target.path, "rb") as handle:
            data = handle.read()
    except OSError:
        return process_file(target, ctx, options), -1, -1, ""
    digest = content_digest(data) if hashing or expected is not None else ""  # only a cache needs it
    if expected is not None and digest == expected:
        return SAME, st.st_size, st.st_mtime_ns, digest
    kept = surfaces.prefiltered(target.display, data, ctx, modules)
    if not kept:
        return None, st.st_size, st.st_mtime_ns, digest
    result = process_file(target, ctx, options, data=data, modules=kept)
    return result, st.st_size, st.st_mtime_ns, digest


def process_file(target: Target, ctx: Context, options: Options, data: bytes | None = None,
                 modules: list | None = None) -> FileResult:
    """Read one file, run the pipeline, and when fixing hand the fixed bytes to the one writer.

    A caller that has read and prefiltered the file already passes `data` and the surfaces that
    kept it: nothing is read or prefiltered twice. Findings stay when a write is refused.
    """
    display = target.display
    if data is None:
        modules = surfaces.wanting(display, ctx)
        if not modules:
            return FileResult(path=display)
        try:
            data = read_file(target.path, options.max_file_size)
        except TooLarge as exc:
            return FileResult(path=display, infos=[f"{display}: {exc}"])
        except OSError as exc:
            return FileResult(path=display, errors=[f"{display}: cannot read: {exc.strerror or exc}"])
        modules = surfaces.prefiltered(display, data, ctx, modules)
    if options.fix is not None and options.write and os.path.islink(target.path):
        # only an explicitly named file can be a symlink: checked, never written through
        result = check_bytes(data, display, ctx, replace(options, fix=None), modules)
        if any(applicable(f, options.fix) for f in result.findings):
            result.infos.append(f"{display}: not fixed: it is a symlink, and themis-lint never writes "
                                "through one; fix the file it points to")
        return _small(result)
    result = check_bytes(data, display, ctx, options, modules)
    if result.fixed is not None and options.write:
        try:
            result.written = write_fixed(target.path, data, result.fixed_bytes())
        except WriteRefused as exc:
            result = _unwritten(data, display, ctx, options, modules, str(exc))
    return _small(result) if options.write else result


def _unwritten(data: bytes, display: str, ctx: Context, options: Options, modules: list, reason: str) -> FileResult:
    """The file as it stays on disk: its findings, each fixable one saying why it was not fixed."""
    result = check_bytes(data, display, ctx, replace(options, fix=None), modules)
    for f in result.findings:
        if applicable(f, options.fix):
            f.message += f" (not fixed: the file was not written: {reason})"
    result.errors.append(f"{display}: not written: {reason}")
    return result


def _small(result: FileResult) -> FileResult:
    """Nothing downstream of a write needs the texts: keep worker results small."""
    result.original = result.fixed = None if result.fixed is None else ""
    return result


class Workers:
    """The worker processes of one run: `--jobs N` is the main process and N - 1 workers (the main
    process would only wait otherwise, and each worker pays its own imports: ~80 ms).

    In a big tree they start while discovery still walks (`discovery.discover(found=...)`) and
    import the parsers (tree-sitter's grammars, sqlglot, the YAML libraries, hyperscan: ~90 ms)
    meanwhile instead of on their first files; in a smaller one they start once discovery is done
    and import what their files need (all of it would cost more than the walk hides). Tasks carry
    their context: one pool serves every config of a monorepo."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.pool: ProcessPoolExecutor | None = None

    def start(self, warm: bool = False) -> None:
        if self.pool is None and self.jobs > 1:
            self.pool = ProcessPoolExecutor(max_workers=self.jobs - 1, initializer=_warm if warm else None)

    def found(self, count: int) -> None:
        """discovery's hook: a tree this big has a walk long enough to hide the imports."""
        if count == PRESTART_FILES:
            self.start(warm=True)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None


def _warm() -> None:
    """A worker's first act: import what the surfaces parse with (no effect on any result)."""
    for module in surfaces.all_modules():
        warm = getattr(module, "warm", None)
        if warm is not None:
            warm()
    from themis_lint import prefilter

    prefilter.warm()


def _work(ctx: Context, options: Options, items: list[tuple[Target, str | None, bool]]) -> list[Outcome]:
    return [check_target(target, ctx, options, expected, hashing) for target, expected, hashing in items]


def run(targets: list[Target], ctx: Context, options: Options, jobs: int,
        cache_dir: str | None = None, workers: Workers | None = None) -> list[FileResult]:
    """FileResults of the files with something to say, in target order; cached ones reused.
    `workers`: the run's processes, when its caller started them (else this starts its own)."""
    from themis_lint.cache import Cache, run_key

    cache = Cache(cache_dir, run_key(ctx, options)) if cache_dir else None
    done: dict[Target, FileResult] = {}
    todo: list[tuple[Target, str | None]] = []
    for target in targets:
        expected = None
        if cache is not None:
            key = os.path.abspath(target.path)
            try:
                st = os.stat(target.path)
            except OSError:
                todo.append((target, None))
                continue
            hit = cache.lookup(key, st.st_size, st.st_mtime_ns, target.display)
            if hit is None:
                continue  # unchanged and clean
            if hit is not False and not any(applicable(f, options.fix) for f in hit.findings):
                done[target] = hit
                continue
            expected = cache.digest(key) if hit is False else None
        todo.append((target, expected))
    stored = []
    outcomes = _process([(t, expected, cache is not None) for t, expected in todo], ctx, options, jobs, workers)
    for (target, _), (result, size, mtime, digest) in zip(todo, outcomes):
        if cache is not None:
            key = os.path.abspath(target.path)
            if result == SAME:
                result = cache.stored(key, target.display)
                if result is False:  # the entry cannot be read back: analyse after all
                    result = check_target(target, ctx, options)[0]
            if size >= 0 and (result is None or not (result.errors or result.fixes_applied)):
                stored.append((key, size, mtime, digest, result))
        if result is not None:
            done[target] = result
    if cache is not None:
        cache.put_many(stored)
        cache.close()
    return [done[t] for t in targets if t in done]


def _process(todo: list[tuple[Target, str | None, bool]], ctx: Context, options: Options,
             jobs: int, workers: Workers | None = None) -> list[Outcome]:
    started = workers is not None and workers.pool is not None
    if jobs <= 1 or not todo or (len(todo) < PARALLEL_MIN_FILES and not started):
        return _work(ctx, options, todo)
    own = None
    if workers is None:  # a caller without a Workers of its own: this group's pool
        workers = own = Workers(jobs)
    workers.start()  # the caller's pool serves its next groups too
    try:
        return _share(workers.pool, jobs - 1, ctx, options, todo)
    finally:
        if own is not None:
            own.close()


def _share(pool: ProcessPoolExecutor, children: int, ctx: Context, options: Options,
           todo: list[tuple[Target, str | None, bool]]) -> list[Outcome]:
    """Outcomes in `todo`'s order, from the workers and the main process together: the workers take
    chunks from the front (two queued each, so one never waits for the main process to hand it
    the next), the main process from the back, until none is left."""
    # about 16 chunks a process: the last ones finish close together; a chunk pickles the context once
    size = max(1, min(128, len(todo) // ((children + 1) * 16)))
    pending = deque((i, todo[i:i + size]) for i in range(0, len(todo), size))
    done: dict[int, list[Outcome]] = {}
    queued: dict = {}

    def top_up() -> None:
        for future in [f for f in queued if f.done()]:
            done[queued.pop(future)] = future.result()
        while pending and len(queued) < 2 * children:
            start, items = pending.popleft()
            queued[pool.submit(_work, ctx, options, items)] = start

    top_up()
    while pending:
        start, items = pending.pop()
        done[start] = _work(ctx, options, items)
        top_up()
    for future, start in queued.items():
        done[start] = future.result()
    return [outcome for start in sorted(done) for outcome in done[start]]
