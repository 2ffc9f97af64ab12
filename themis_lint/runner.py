"""Run the engine over many files: a cheap prefilter here, analysis in worker processes."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

from themis_lint import surfaces
from themis_lint.context import Context
from themis_lint.discovery import Target
from themis_lint.engine import FileResult, Options, applicable, check_file

PARALLEL_MIN_CANDIDATES = 16  # below this, starting processes costs more than it saves
_worker_state: tuple[Context, Options] | None = None


def _candidate(target: Target, ctx: Context, options: Options) -> bytes | bool:
    """Could this file hold a finding? Its bytes when it could, True when check_file must say
    why it cannot read it, False when not. Reads it once; most files stop here."""
    modules = surfaces.wanting(target.display, ctx)
    if not modules:
        return False
    try:
        if os.path.getsize(target.path) > options.max_file_size:
            return True  # check_file reports the skip
        with open(target.path, "rb") as handle:
            data = handle.read()
    except OSError:
        return True  # check_file reports the error
    return data if surfaces.prefiltered(target.display, data, ctx, modules) else False


def _init(ctx: Context, options: Options) -> None:
    global _worker_state
    _worker_state = (ctx, options)


def _work(target: Target) -> FileResult:
    ctx, options = _worker_state
    return check_file(target.path, target.display, ctx, options, target.explicit)


def run(targets: list[Target], ctx: Context, options: Options, jobs: int,
        cache_dir: str | None = None) -> list[FileResult]:
    """FileResults of the files that needed analysis, in target order; cached ones reused."""
    from themis_lint.cache import Cache, file_key, run_key

    cache = Cache(cache_dir, run_key(ctx, options)) if cache_dir else None
    done: dict[Target, FileResult] = {}
    todo: list[Target] = []
    keys: dict[Target, str] = {}
    for target in targets:
        state = _candidate(target, ctx, options)
        if state is False:
            continue
        if cache is not None and isinstance(state, bytes):
            keys[target] = file_key(target.display, state)
            hit = cache.get(keys[target])
            if hit is not None and not any(applicable(f, options.fix) for f in hit.findings):
                done[target] = hit
                continue
        todo.append(target)
    for target, result in zip(todo, _analyze(todo, ctx, options, jobs)):
        done[target] = result
    if cache is not None:
        cache.put_many([(keys[t], done[t]) for t in todo
                        if t in keys and not done[t].errors and not done[t].fixes_applied])
        cache.close()
    return [done[t] for t in targets if t in done]


def _analyze(todo: list[Target], ctx: Context, options: Options, jobs: int) -> list[FileResult]:
    if jobs <= 1 or len(todo) < PARALLEL_MIN_CANDIDATES:
        return [check_file(t.path, t.display, ctx, options, t.explicit) for t in todo]
    chunk = max(1, len(todo) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(ctx, options)) as pool:
        return list(pool.map(_work, todo, chunksize=chunk))
