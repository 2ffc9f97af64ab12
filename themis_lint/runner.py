"""Run the engine over many files: cache lookups here, read + prefilter + analysis in workers.

A file no surface wants by name is never opened. A wanted file is read once; most stop at the
trigger-literal prefilter. With `--jobs N` the name test, reading and prefiltering run in the
worker processes too, so a clean tree scales with the cores, not only the files that get
parsed; the main process only walks the tree and looks files up in the cache by stat.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

from themis_lint import surfaces
from themis_lint.context import Context
from themis_lint.discovery import Target
from themis_lint.engine import FileResult, Options, applicable, check_file

PARALLEL_MIN_FILES = 64  # below this, starting processes costs more than it saves
_worker_state: tuple[Context, Options] | None = None
Outcome = tuple[FileResult | None, int, int]  # result (None: nothing to say), size and mtime read


def check_target(target: Target, ctx: Context, options: Options) -> Outcome:
    """Read the file once, prefilter, analyse only when a trigger literal is there."""
    modules = surfaces.wanting(target.display, ctx)
    try:
        st = os.stat(target.path)
        if not modules:  # never opened; remembered as clean so a warm run skips the name test too
            return None, st.st_size, st.st_mtime_ns
        if st.st_size > options.max_file_size:
            return check_file(target.path, target.display, ctx, options, target.explicit), -1, -1
        with open(target.path, "rb") as handle:
            data = handle.read()
    except OSError:
        return check_file(target.path, target.display, ctx, options, target.explicit), -1, -1
    if not surfaces.prefiltered(target.display, data, ctx, modules):
        return None, st.st_size, st.st_mtime_ns
    result = check_file(target.path, target.display, ctx, options, target.explicit, data=data)
    return result, st.st_size, st.st_mtime_ns


def _init(ctx: Context, options: Options) -> None:
    global _worker_state
    _worker_state = (ctx, options)


def _work(target: Target) -> Outcome:
    ctx, options = _worker_state
    return check_target(target, ctx, options)


def run(targets: list[Target], ctx: Context, options: Options, jobs: int,
        cache_dir: str | None = None) -> list[FileResult]:
    """FileResults of the files with something to say, in target order; cached ones reused."""
    from themis_lint.cache import Cache, run_key

    cache = Cache(cache_dir, run_key(ctx, options)) if cache_dir else None
    done: dict[Target, FileResult] = {}
    todo: list[Target] = []
    for target in targets:
        if cache is not None:
            try:
                st = os.stat(target.path)
            except OSError:
                todo.append(target)
                continue
            hit = cache.lookup(os.path.abspath(target.path), st.st_size, st.st_mtime_ns, target.display)
            if hit is None:
                continue  # unchanged and clean
            if hit is not False and not any(applicable(f, options.fix) for f in hit.findings):
                done[target] = hit
                continue
        todo.append(target)
    stored = []
    for target, (result, size, mtime) in zip(todo, _process(todo, ctx, options, jobs)):
        if result is not None:
            done[target] = result
        if size >= 0 and (result is None or not (result.errors or result.fixes_applied)):
            stored.append((os.path.abspath(target.path), size, mtime, result))
    if cache is not None:
        cache.put_many(stored)
        cache.close()
    return [done[t] for t in targets if t in done]


def _process(todo: list[Target], ctx: Context, options: Options, jobs: int) -> list[Outcome]:
    if jobs <= 1 or len(todo) < PARALLEL_MIN_FILES:
        return [check_target(t, ctx, options) for t in todo]
    chunk = max(1, min(128, len(todo) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(ctx, options)) as pool:
        return list(pool.map(_work, todo, chunksize=chunk))
