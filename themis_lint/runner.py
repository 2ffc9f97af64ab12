"""Run the engine over many files: a cheap prefilter here, analysis in worker processes."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

from themis_lint import surfaces
from themis_lint.context import Context
from themis_lint.discovery import Target
from themis_lint.engine import FileResult, Options, check_file

PARALLEL_MIN_CANDIDATES = 16  # below this, starting processes costs more than it saves
_worker_state: tuple[Context, Options] | None = None


def _candidate(target: Target, ctx: Context, options: Options) -> bool:
    """Could this file hold a finding? Reads it once; most files stop here."""
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
    return bool(surfaces.prefiltered(target.display, data, ctx, modules))


def _init(ctx: Context, options: Options) -> None:
    global _worker_state
    _worker_state = (ctx, options)


def _work(target: Target) -> FileResult:
    ctx, options = _worker_state
    return check_file(target.path, target.display, ctx, options, target.explicit)


def run(targets: list[Target], ctx: Context, options: Options, jobs: int) -> list[FileResult]:
    """FileResults of the files that needed analysis, in target order."""
    candidates = [t for t in targets if _candidate(t, ctx, options)]
    if jobs <= 1 or len(candidates) < PARALLEL_MIN_CANDIDATES:
        return [check_file(t.path, t.display, ctx, options, t.explicit) for t in candidates]
    chunk = max(1, len(candidates) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(ctx, options)) as pool:
        return list(pool.map(_work, candidates, chunksize=chunk))
