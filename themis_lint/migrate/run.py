"""`themis-lint migrate`: the bulk codemod over many repositories (docs/cli.md, issue 7, docs/migrate.md).

A repository's git side is in `repository` (before and after its files), built on `git` (the one
safe way to run git), `worktree` (what changed, what git ignores), `commit` (plumbing commits)
and `record` (the resume record, its journal, the lock); the work queue and the worker processes
in `pool`; one file in `files`; what a branch holds against its base in `holdings`; the progress
display, patches, report files and closing summary in `output`; the report data and its
renderings in themis_lint.report.migrate. A campaign over a list of repositories (`campaign`)
runs the same `migrate_repos` over its clones.
"""
from __future__ import annotations

import os
import re
import time

import click

from themis_lint.migrate import git, holdings, repository
from themis_lint.migrate.output import Progress, patch_name, progress_mode, show_results  # noqa: F401  (patch_name: tests)
from themis_lint.migrate.pool import StopFlag, collect, execute
from themis_lint.migrate.record import MARKER  # noqa: F401  (re-exported for tests)
from themis_lint.migrate.types import FileOutcome, MigrateRequest, RepoRun  # noqa: F401  (re-exported)
from themis_lint.project import ProjectError

# --- sharding -------------------------------------------------------------------------------------

def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` with 0 <= K < N: K is 0-based, like Kubernetes' JOB_COMPLETION_INDEX."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise ProjectError(f"--shard {text!r}: expected K/N, e.g. 0/4 (K is 0-based: 0 to N-1)")
    k, n = int(match[1]), int(match[2])
    if n < 1 or k >= n:
        raise ProjectError(f"--shard {text}: K must be 0 to N-1 with N >= 1 (K is 0-based, "
                           f"as JOB_COMPLETION_INDEX); got K={k}, N={n}")
    return k, n


def select_paths(paths: list[str], shard: tuple[int, int] | None) -> list[str]:
    """The given paths, normalised, deduplicated and sorted; with a shard, every N-th from K."""
    unique = sorted({os.path.normpath(p) for p in paths})
    if shard is None:
        return unique
    k, n = shard
    return [p for i, p in enumerate(unique) if i % n == k]


# --- the run --------------------------------------------------------------------------------------

def run_migrate(setup, projects, req: MigrateRequest) -> int:
    """The whole run; SIGINT/SIGTERM stop it cleanly and still give the summary and the reports.

    `setup` is the campaign's (its pack names the run); `projects` gives each repository's files
    their own config with the command line on top."""
    ctx = setup.ctx
    if not setup.chain:
        click.echo(f"themis-lint: no breaking changes between {ctx.pack.from_version} and "
                   f"{ctx.pack.to_version}", err=True)
        return 0
    stop = StopFlag()
    stop.install()
    try:
        started = time.perf_counter()
        repos = [RepoRun(p, os.path.abspath(p)) for p in select_paths(req.paths, req.shard)]
        migrate_repos(repos, setup, projects, req, stop)
        return conclude(repos, setup, req, stop, time.perf_counter() - started)
    finally:
        stop.restore()


def migrate_repos(repos: list[RepoRun], setup, projects, req: MigrateRequest, stop: StopFlag) -> None:
    """Preflight, the files of every repository through one queue, commits, then what each holds."""
    git.stop_when(stop.is_set)
    try:
        prepare_repos(repos, req, stop)
        options = req.fix_options()
        items, contexts = collect(repos, projects, req)
        progress = Progress(progress_mode(req), len(items), sum(r.status == "pending" for r in repos))
        for repo in repos:
            repo.pending = repo.files
            if repo.status == "refused":
                progress.note(f"{repo.path}: refused: {repo.reason}")
            elif repo.status == "pending" and repo.files == 0:
                repo.status = "done" if options.write else "dry-run"
                progress.repo_done(repo)
        try:
            left = execute(items, repos, contexts, options, req.jobs, stop, progress)
        finally:
            progress.close()
        for index, *_ in left:
            repos[index].status = "interrupted"
        git.stop_when(lambda: False)  # a commit or record update in hand is finished, not cut
        finish_repos(repos, setup, req)
    finally:
        git.stop_when(lambda: False)
        for repo in repos:
            repository.finish(repo, req, setup, commit=False)  # releases what is still held
    for repo in repos:
        holdings.summarise(repo, projects, req)


def conclude(repos: list[RepoRun], setup, req: MigrateRequest, stop: StopFlag, seconds: float) -> int:
    """The report files, the closing summary and the exit code."""
    from themis_lint.report.migrate import build_report

    report = build_report(repos, setup, req, seconds, stop.signum)
    show_results(repos, report, req, stop.signum)
    if stop.signum is not None:
        return 128 + stop.signum
    return exit_code(report, req)


def exit_code(report: dict, req: MigrateRequest) -> int:
    """1 when a repository needs a person (refused, failed, findings, errors, a foreign change)."""
    attention = any(r["outcome"] not in ("changed", "clean") for r in report["repositories"])
    return 1 if attention and not req.exit_zero else 0


def prepare_repos(repos: list[RepoRun], req: MigrateRequest, stop: StopFlag) -> None:
    """The git side before any file: work tree, lock, resume record, uncommitted changes; and the
    commit the run starts from, which reports compare the result with."""
    for repo in repos:
        if repo.status != "pending":
            continue  # a campaign's clone that could not be had
        if not os.path.isdir(repo.root):
            repo.status, repo.reason = "failed", "no such folder"
        elif stop.is_set():
            repo.status = "interrupted"
        else:
            try:
                repository.prepare(repo, req)
                if repo.status == "pending" and repo.git is not None:
                    repo.base = git.rev(repo.git, "HEAD")
            except git.GitStopped:
                repo.status = "interrupted"


def finish_repos(repos: list[RepoRun], setup, req: MigrateRequest) -> None:
    """Sort what each repository holds; record what was written, or commit it. A repository whose
    files were all migrated is committed even when the run was stopped later: a resumed fleet run
    does not redo it; one whose files were not all reached is not."""
    for repo in repos:
        repo.changed.sort()
        repo.remaining.sort(key=lambda f: (f["file"], f["line"], f["column"], f["code"]))
        started = time.perf_counter()
        repository.finish(repo, req, setup, commit=True)
        repo.errors.sort()
        repo.notes.sort()
        repo.seconds += time.perf_counter() - started
