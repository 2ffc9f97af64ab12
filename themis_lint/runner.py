"""Run the engine over many files: cache lookups here, read + prefilter + analysis in workers.

A file no surface wants by name is never opened. A wanted file is read once; most stop at the
trigger-literal prefilter. With `--jobs N` the name test, reading and prefiltering run in the
worker processes too, so a clean tree scales with the cores, not only the files that get
parsed; the main process only walks the tree and looks files up in the cache by stat.
"""
from __future__ import annotations

import hashlib
import os
import stat
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from typing import Callable

from themis_lint import surfaces
from themis_lint.context import Context
from themis_lint.discovery import Target
from themis_lint.userdirs import UntrustedFolder, cache_folder, inside, open_private_folder
from themis_lint.workers import die_with_parent
from themis_lint.pipeline import FileResult, Options, applicable, check_bytes
from themis_lint.writer import (
    ChangedOnDisk, ReadFile, TooLarge, WriteRefused, clean_stale_temps, not_fixable, open_folder, read_source,
    write_fixed)

PARALLEL_MIN_FILES = 64  # below this, starting processes costs more than it saves
PRESTART_FILES = 1024  # from this many files found, the workers start while discovery walks on
SAME = "same"  # the bytes match the cached entry's digest: reuse its result
StatKey = tuple[int, int, int, int]  # size, mtime, inode, ctime: what says a file may have changed
# result (None: nothing to say; SAME: as cached), the stat key and digest of what was read
Outcome = tuple[FileResult | str | None, StatKey | None, str]
_cleaned: set[tuple[float, int, int]] = set()  # (run, folder) this process cleared of stale temp files


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def stat_key(st: os.stat_result) -> StatKey:
    """Size and mtime can be forged together (same length, `touch -d`); the inode and the ctime,
    which no one can set back, cannot."""
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns


def check_target(target: Target, ctx: Context, options: Options, expected: str | None = None,
                 hashing: bool = False) -> Outcome:
    """Read the file once, prefilter, analyse only when a trigger literal is there; `expected`
    is the cached digest of the file's bytes (its stat changed): equal bytes are not parsed."""
    modules = surfaces.wanting(target.display, ctx)
    if not modules:  # never opened; remembered as clean so a warm run skips the name test too
        try:
            return None, stat_key(os.stat(target.path)), ""
        except OSError:
            return None, None, ""
    source = _open(target, options)
    if isinstance(source, FileResult):
        return source, None, ""
    try:
        digest = content_digest(source.data) if hashing or expected is not None else ""  # only a cache needs it
        if expected is not None and digest == expected:
            return SAME, stat_key(source.stat), digest
        kept = surfaces.prefiltered(target.display, source.data, ctx, modules)
        if not kept:
            return None, stat_key(source.stat), digest
        return _check_read(target, ctx, options, source, kept), stat_key(source.stat), digest
    finally:
        source.close()


def process_file(target: Target, ctx: Context, options: Options, record=None) -> FileResult:
    """Read one file, run the pipeline, and when fixing hand the fixed bytes to the one writer.
    `record(original, new, fixes by code)` runs right before a write (migrate's resume journal);
    an OSError from it keeps the file as it is."""
    modules = surfaces.wanting(target.display, ctx)
    if not modules:
        return FileResult(path=target.display)
    source = _open(target, options)
    if isinstance(source, FileResult):
        return source
    try:
        kept = surfaces.prefiltered(target.display, source.data, ctx, modules)
        return _check_read(target, ctx, options, source, kept, record)
    finally:
        source.close()


def _open(target: Target, options: Options) -> ReadFile | FileResult:
    """The file read once (at most the size limit + 1 bytes), or the FileResult saying why not.
    When the run writes, the file is read through a descriptor of its folder that the write uses
    too: both go to the folder discovery found, whatever its path points to by then."""
    display = target.display
    writing = options.fix is not None and options.write
    folder = None
    try:
        if writing:
            folder = open_folder(target.path, _walk_root(target))
        source = read_source(target.path, options.max_file_size, follow=target.explicit, folder=folder)
    except TooLarge as exc:
        _close(folder)
        return FileResult(path=display, infos=[f"{display}: {exc}"], skipped=True)
    except (OSError, ChangedOnDisk) as exc:
        _close(folder)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return FileResult(path=display, errors=[f"{display}: cannot read: {reason}"])
    source.folder = folder
    return source


def _walk_root(target: Target) -> str | None:
    """Where the part of the path discovery walked begins (discovery.Target)."""
    if target.root is not None or target.explicit:
        return target.root
    if not os.path.isabs(target.display) and target.path.replace(os.sep, "/").endswith(target.display):
        return target.path[:len(target.path) - len(target.display)] or "."
    return None


def _close(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)


def _check_read(target: Target, ctx: Context, options: Options, source: ReadFile, modules: list,
                record=None) -> FileResult:
    """The pipeline over the read bytes, and when fixing the one writer. Findings stay when a
    write is refused or the file must not be rewritten; they say why they were not fixed."""
    display, data = target.display, source.data
    modules, too_big = within_parse_limits(modules, len(data), display)
    if not modules:
        return FileResult(path=display, infos=too_big)
    if options.fix is not None and options.write:
        _clean_folder_once(source.folder, options.started)
        reason = _not_fixable(target, source)
        if reason:
            result = _report_only(data, display, ctx, options, modules, reason, error=False)
            result.infos += too_big
            return _small(result)
    result = _checked(data, display, ctx, options, modules, too_big)
    if result.fixed is not None and options.write:
        result = _write(target, ctx, options, source, modules, result, record)
    return _small(result) if options.write else result


def _write(target: Target, ctx: Context, options: Options, source: ReadFile, modules: list, result: FileResult,
           record) -> FileResult:
    """The fixed bytes to the one writer (after `record`); a refusal keeps the findings, with why."""
    display, data, new = target.display, source.data, result.fixed_bytes()
    if record is not None:
        try:
            record(data, new, dict(result.applied_codes))
        except OSError as exc:
            reason = f"cannot record it for a rerun: {exc.strerror or exc}"
            return _report_only(data, display, ctx, options, modules, reason, error=True)
    try:
        result.written = write_fixed(source, new)
    except WriteRefused as exc:
        return _report_only(data, display, ctx, options, modules, str(exc), error=not exc.deliberate)
    if source.stat.st_mode & (stat.S_ISUID | stat.S_ISGID):
        result.infos.append(f"{display}: its set-user/group-ID bit was dropped: a rewritten file never keeps one")
    return result


# The most bytes each surface parses (issue 18 item 17). Its parser holds many times a file's size
# in memory (benchmarks/memory.py, benchmarks/README.md "Memory per file": tree-sitter ~55x,
# ast and tokens ~180x, YAML nodes ~105x, AQL tokens ~200x); these keep one file's peak near
# 256 MiB, where a 19 MB JavaScript file took 1.95 GB. A bigger file is not analysed by that
# surface, and an info line says so: never a silent pass.
MIB = 1024 * 1024
PARSE_LIMITS = {"js_code": 4 * MIB, "python_code": 1 * MIB, "server_config": 2 * MIB, "command_line": 2 * MIB,
                "aql": 1 * MIB, "shell_code": 4 * MIB, "data_files": 4 * MIB}


def within_parse_limits(modules: list, size: int, display: str) -> tuple[list, list[str]]:
    """The surfaces that may parse a file of `size` bytes, and an info line for each that may not."""
    kept, infos = [], []
    for module in modules:
        limit = PARSE_LIMITS.get(module.NAME)
        if limit is not None and size > limit:
            infos.append(f"{display}: not analysed as {module.NAME}: {size} bytes is over its {limit}-byte "
                         "parse limit (its parser needs many times a file's size in memory); check it by hand "
                         "or split it")
        else:
            kept.append(module)
    return kept, infos


def _checked(data: bytes, display: str, ctx: Context, options: Options, modules: list, infos: list[str]):
    result = check_bytes(data, display, ctx, options, modules)
    result.infos += infos
    return result


def _not_fixable(target: Target, source: ReadFile) -> str | None:
    if target.explicit and os.path.islink(target.path):
        # only an explicitly named file can be a symlink: checked, never written through
        return "it is a symlink, and themis-lint never writes through one; fix the file it points to"
    return not_fixable(source.stat)


def _clean_folder_once(folder: int | None, started: float) -> None:
    """In a fixing run, delete the temp files a killed run left in a folder (once per folder and
    run): the file they were for may be fixed already, so no write of ours need come there."""
    if folder is None:
        return
    try:
        st = os.fstat(folder)
        if (started, st.st_dev, st.st_ino) not in _cleaned:
            _cleaned.add((started, st.st_dev, st.st_ino))
            clean_stale_temps(folder, started)
    except OSError:
        pass  # cleaning is a courtesy; the write itself reports what matters


def _clean_folders(targets: list[Target], started: float) -> None:
    """Every folder holding a target, before the run: a cached clean file is never read, so its
    folder would not be cleaned on the way."""
    seen: set[tuple[str | None, str]] = set()
    for target in targets:
        key = (_walk_root(target), os.path.dirname(target.path))
        if key in seen:
            continue
        seen.add(key)
        try:
            folder = open_folder(target.path, key[0])
        except (OSError, ChangedOnDisk):
            continue
        try:
            _clean_folder_once(folder, started)
        finally:
            os.close(folder)


def _report_only(data: bytes, display: str, ctx: Context, options: Options, modules: list, reason: str,
                 error: bool) -> FileResult:
    """The file as it stays on disk: its findings, each fixable one saying why it was not fixed;
    an error line when the write failed, an info line when the file must not be rewritten."""
    result = check_bytes(data, display, ctx, replace(options, fix=None), modules)
    fixable = [f for f in result.findings if applicable(f, options.fix)]
    why = f"the file was not written: {reason}" if error else reason
    for f in fixable:
        f.message += f" (not fixed: {why})"
    if error:
        result.errors.append(f"{display}: not written: {reason}")
    elif fixable:
        result.infos.append(f"{display}: not fixed: {reason}")
    return result


def _small(result: FileResult) -> FileResult:
    """Nothing downstream of a write needs the texts: keep worker results small."""
    result.original = result.fixed = None if result.fixed is None else ""
    return result


class Workers:
    """The worker processes of one run (`--jobs N`: N of them; the main process walks the tree
    and hands work over. Taking a share of the files itself saved each run a worker's imports,
    ~0.1 s of CPU, but came out 2-4% slower in wall time: benchmarks/README.md).

    In a big tree they start while discovery still walks (`found`, discovery's hook) and import
    the parsers (tree-sitter's grammars, sqlglot, the YAML libraries, hyperscan: ~90 ms) meanwhile
    instead of on their first files; in a smaller one they start once discovery is done and import
    what their files need (all of it would cost more than the walk hides). Tasks carry their
    context: one pool serves every config of a monorepo.

    With `context_for` (a cold run that writes nothing: its outcomes depend on the file and its
    context only) the files also go to the workers as discovery finds them, in batches; `run`
    takes those outcomes instead of checking the files again."""

    BATCH = 64

    def __init__(self, jobs: int, options: Options | None = None,
                 context_for: Callable[[Target], Context] | None = None, hashing: bool = False):
        self.jobs = jobs
        self.pool: ProcessPoolExecutor | None = None
        self.options, self.context_for, self.hashing = options, context_for, hashing
        self.count = 0
        self.waiting: dict[int, tuple[Context, list[Target]]] = {}  # per context, not yet handed over
        self.handed: dict[Target, tuple[Future, int, Context]] = {}  # -> its batch, place, context
        self.queued: list[Future] = []  # handed batches not done yet

    def start(self, warm: bool = False) -> None:
        if self.pool is None and self.jobs > 1:
            self.pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_init, initargs=(warm,))

    def found(self, target: Target) -> None:
        """discovery's hook, once per file: a tree this big has a walk long enough to hide the
        imports; with `context_for`, the file joins its context's next batch."""
        self.count += 1
        if self.count == PRESTART_FILES:
            self.start(warm=True)
        if self.context_for is None:
            return
        ctx = self.context_for(target)
        batch = self.waiting.setdefault(id(ctx), (ctx, []))[1]
        batch.append(target)
        if self.pool is None or len(batch) % self.BATCH:
            return  # once a batch's worth came in (asking the futures per file: ~5% of a 10k walk)
        # two batches queued a worker at most: what is left when the walk ends is dealt out evenly
        self.queued = [f for f in self.queued if not f.done()]
        for ctx, batch in self.waiting.values():
            while len(batch) >= self.BATCH and len(self.queued) < 2 * self.jobs:
                self._hand(ctx, batch[:self.BATCH])
                del batch[:self.BATCH]

    def _hand(self, ctx: Context, batch: list[Target]) -> None:
        future = self.pool.submit(_work, ctx, self.options, [(t, None, self.hashing) for t in batch])
        self.queued.append(future)
        for place, target in enumerate(batch):
            self.handed[target] = (future, place, ctx)

    def taken(self, target: Target, ctx: Context) -> Outcome | None:
        """The outcome a worker computed while discovery walked, or None (not handed over)."""
        handed = self.handed.pop(target, None)
        if handed is None or handed[2] is not ctx:
            return None
        future, place, _ = handed
        return future.result()[place]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None


def _init(warm: bool) -> None:
    """A worker's first act: die with the main process (themis_lint/workers.py), and when asked,
    import what the surfaces parse with (no effect on any result)."""
    die_with_parent()
    if warm:
        _warm()


def _warm() -> None:
    """Import every surface's parsers now (each surface's `warm()`, the prefilter's hyperscan)."""
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
    if options.fix is not None and options.write:
        _clean_folders(targets, options.started)
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
            hit = cache.lookup(key, stat_key(st), target.display)
            if hit is None:
                continue  # unchanged and clean
            if hit is not False and not any(applicable(f, options.fix) for f in hit.findings):
                done[target] = hit
                continue
            expected = cache.digest(key) if hit is False else None
        todo.append((target, expected))
    stored = []
    outcomes = _process([(t, expected, cache is not None) for t, expected in todo], ctx, options, jobs, workers)
    for (target, _), (result, key_of_stat, digest) in zip(todo, outcomes):
        if cache is not None:
            key = os.path.abspath(target.path)
            if result == SAME:
                result = cache.stored(key, target.display)
                if result is False:  # the entry cannot be read back: analyse after all
                    result = check_target(target, ctx, options)[0]
            if key_of_stat is not None and _storable(result, options):
                stored.append((key, key_of_stat, digest, result))
        if result is not None:
            done[target] = result
    if cache is not None:
        cache.put_many(stored)
        cache.close()
    return [done[t] for t in targets if t in done]


def usable_cache(paths: list[str]) -> tuple[str | None, str | None]:
    """The cache folder this run may trust, or None and the one-line reason it may not."""
    folder = cache_folder()
    holder = inside(folder, paths)
    if holder is not None:
        return None, f"cache folder {folder} is inside the checked tree {holder}, which could have brought it"
    try:
        os.close(open_private_folder(folder))
    except UntrustedFolder as exc:
        return None, str(exc)
    return folder, None


def _storable(result: FileResult | None, options: Options) -> bool:
    """Only what a later run may show as it is: no errors, nothing written, and no finding a fix
    run left unfixed on purpose (its message says why, which a report-only run must not show)."""
    if result is None:
        return True
    return not (result.errors or result.fixes_applied or any(applicable(f, options.fix) for f in result.findings))


def _process(todo: list[tuple[Target, str | None, bool]], ctx: Context, options: Options,
             jobs: int, workers: Workers | None = None) -> list[Outcome]:
    if workers is not None and workers.handed:
        return _with_handed(todo, ctx, options, jobs, workers)
    started = workers is not None and workers.pool is not None
    if jobs <= 1 or not todo or (len(todo) < PARALLEL_MIN_FILES and not started):
        return _work(ctx, options, todo)
    own = None
    if workers is None:  # a caller without a Workers of its own: this group's pool
        workers = own = Workers(jobs)
    workers.start()  # the caller's pool serves its next groups too
    try:
        return _share(workers.pool, jobs, ctx, options, todo)
    finally:
        if own is not None:
            own.close()


def _with_handed(todo: list[tuple[Target, str | None, bool]], ctx: Context, options: Options, jobs: int,
                 workers: Workers) -> list[Outcome]:
    """The outcomes of the files the workers had while discovery walked, the rest checked now."""
    outcomes: list[Outcome | None] = [workers.taken(target, ctx) if expected is None else None
                                      for target, expected, _ in todo]
    rest = [i for i, outcome in enumerate(outcomes) if outcome is None]
    for i, outcome in zip(rest, _process([todo[i] for i in rest], ctx, options, jobs, None if not rest else
                                         _without_handed(workers))):
        outcomes[i] = outcome
    return outcomes


def _without_handed(workers: Workers) -> Workers:
    """The same pool, as a caller sees it when nothing was handed over (no recursion into taken)."""
    view = Workers(workers.jobs)
    view.pool = workers.pool
    return view


def _share(pool: ProcessPoolExecutor, jobs: int, ctx: Context, options: Options,
           todo: list[tuple[Target, str | None, bool]]) -> list[Outcome]:
    """Outcomes in `todo`'s order, from about 16 chunks a worker.

    A chunk is every n-th file, not n neighbours: the costly files sit together (one driver's
    modules in one folder), and neighbours in one chunk would leave one worker alone with them at
    the end (the real-client corpus gained nothing from a second process until this)."""
    count = max(1, min(len(todo), jobs * 16))
    futures = [(first, pool.submit(_work, ctx, options, todo[first::count])) for first in range(count)]
    done: list[Outcome | None] = [None] * len(todo)
    for first, future in futures:
        done[first::count] = future.result()
    return done
