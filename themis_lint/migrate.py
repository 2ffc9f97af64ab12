"""`themis-lint migrate`: the bulk codemod over many repositories (CLI.md, issue 7, docs/migrate.md).

Git (the safe invocation, dirty checks, commits, the resume record) is in migrate_git; the work queue
and the worker processes in migrate_pool; the progress display, patches, report files and closing
table in migrate_output; the report data and its renderings in migrate_report.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field

import click

from themis_lint.cli import UsageProblem, common_options, load_setup
from themis_lint.migrate_git import (  # MARKER: re-exported for tests
    MARKER, commit_ours, find_work_tree, preflight, read_marker, top_rel, write_marker)
from themis_lint.migrate_output import Progress, patch_name, progress_mode, show_results  # patch_name: tests
from themis_lint.migrate_pool import StopFlag, collect, execute


def before_write(path: str) -> None:
    """Called between reading a file and replacing it; tests monkeypatch it to edit the file mid-run."""


@dataclass
class FileOutcome:
    """What migrating one file did; small, it travels back from a worker process."""

    rel: str
    fixes: dict[str, int] = field(default_factory=dict)
    remaining: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    diff: str | None = None  # unified-diff hunks without file headers (dry run)
    written: str | None = None  # sha256 of the bytes written
    seconds: float = 0.0


@dataclass
class RepoRun:
    """One given PATH: a repository or a plain folder, and what the run did to it."""

    path: str  # as given, normalised
    root: str  # absolute
    top: str | None = None  # git work tree root, None outside git
    git_args: tuple[str, ...] = ()
    status: str = "pending"  # done | dry-run | refused | interrupted | failed
    reason: str = ""
    files: int = 0
    pending: int = 0
    changed: list[str] = field(default_factory=list)
    fixes: dict[str, int] = field(default_factory=dict)
    remaining: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. files skipped for their size
    diffs: list[tuple[str, str]] = field(default_factory=list)
    written: dict[str, dict] = field(default_factory=dict)  # rel -> {sha256, fixes}
    seconds: float = 0.0
    branch: str | None = None
    commit: str | None = None

    def add(self, outcome: FileOutcome) -> None:
        self.pending -= 1
        self.seconds += outcome.seconds
        for code, n in outcome.fixes.items():
            self.fixes[code] = self.fixes.get(code, 0) + n
        if outcome.fixes:
            self.changed.append(outcome.rel)
        self.remaining += outcome.remaining
        self.errors += outcome.errors
        self.notes += outcome.infos
        if outcome.diff is not None:
            self.diffs.append((outcome.rel, outcome.diff))
        if outcome.written is not None:
            self.written[outcome.rel] = {"sha256": outcome.written, "fixes": dict(outcome.fixes)}


@dataclass
class MigrateRequest:
    paths: list[str]
    safe_only: bool = False
    dry_run: bool = False
    diff_dir: str | None = None
    jobs: int = 1
    shard: tuple[int, int] | None = None
    allow_dirty: bool = False
    commit: bool = False
    branch: str | None = None
    report: str | None = None
    html: str | None = None
    quiet: bool = False
    progress: bool = True
    exit_zero: bool = False
    max_file_size: int | None = None

    @property
    def writes(self) -> bool:
        return not (self.dry_run or self.diff_dir)


# --- sharding -------------------------------------------------------------------------------------

def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` with 0 <= K < N: K is 0-based, like Kubernetes' JOB_COMPLETION_INDEX."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise UsageProblem(f"--shard {text!r}: expected K/N, e.g. 0/4 (K is 0-based: 0 to N-1)")
    k, n = int(match[1]), int(match[2])
    if n < 1 or k >= n:
        raise UsageProblem(f"--shard {text}: K must be 0 to N-1 with N >= 1 (K is 0-based, "
                           f"as JOB_COMPLETION_INDEX); got K={k}, N={n}")
    return k, n


def select_paths(paths: list[str], shard: tuple[int, int] | None) -> list[str]:
    """The given paths, normalised, deduplicated and sorted; with a shard, every N-th from K."""
    unique = sorted({os.path.normpath(p) for p in paths})
    if shard is None:
        return unique
    k, n = shard
    return [p for i, p in enumerate(unique) if i % n == k]


# --- one file -------------------------------------------------------------------------------------

def migrate_file(path: str, rel: str, ctx, options) -> FileOutcome:
    """Read, fix and atomically write one file; one changed since it was read is not written."""
    started = time.perf_counter()
    outcome = FileOutcome(rel)
    try:
        _migrate(path, rel, ctx, options, outcome)
    except Exception as exc:  # noqa: BLE001  an analyzer bug costs one file, not the run and its report
        outcome.fixes, outcome.written, outcome.diff = {}, None, None
        outcome.errors.append(f"{rel}: internal error: {exc!r}")
    outcome.seconds = time.perf_counter() - started
    return outcome


def _migrate(path: str, rel: str, ctx, options, outcome: FileOutcome) -> None:
    from themis_lint import surfaces
    from themis_lint.engine import SurfaceCrash, check_source
    from themis_lint.writer import DecodeError, decode, encode

    modules = surfaces.wanting(rel, ctx)
    if not modules:
        return
    data = _read(path, rel, options, outcome)
    if data is None:
        return
    modules = surfaces.prefiltered(rel, data, ctx, modules)
    if not modules:
        return
    try:
        decoded = decode(data, rel)
    except DecodeError as exc:
        if ctx.enabled("TH900"):
            outcome.remaining.append({"file": rel, "line": 1, "column": 1, "code": "TH900",
                                      "message": f"cannot read as text: {exc}", "fix": None})
        return
    try:
        result = check_source(decoded.text, rel, ctx, options, modules)
    except SurfaceCrash as exc:
        outcome.errors.append(f"{rel}: {exc}; file left unchanged")
        return
    outcome.errors += result.errors
    outcome.infos += result.infos
    outcome.remaining = [_remaining(f) for f in result.findings]
    if result.fixed is None:
        return
    if not options.write:
        outcome.diff, outcome.fixes = diff_hunks(decoded.text, result.fixed), dict(result.applied_codes)
        return
    _write(path, rel, data, encode(result.fixed, decoded), result, outcome)


def _read(path: str, rel: str, options, outcome: FileOutcome) -> bytes | None:
    """The file's bytes; None (with a note or an error) when too big or unreadable."""
    try:
        size = os.path.getsize(path)
        if size > options.max_file_size:
            outcome.infos.append(f"{rel}: skipped: {size} bytes is over the {options.max_file_size}-byte limit")
            return None
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        outcome.errors.append(f"{rel}: cannot read: {exc.strerror or exc}")
        return None


def _write(path: str, rel: str, data: bytes, new: bytes, result, outcome: FileOutcome) -> None:
    """Replace `data` with `new` unless the file changed since it was read."""
    from themis_lint.writer import ChangedOnDisk, write_atomic

    before_write(path)  # a module global, looked up at call time: tests monkeypatch it
    try:
        write_atomic(path, new, expected=data)
    except (ChangedOnDisk, OSError) as exc:
        # the findings were for text that is not on disk: rerunning migrate looks again
        outcome.remaining = []
        outcome.errors.append(f"{rel}: not written: {getattr(exc, 'strerror', None) or exc}")
        return
    outcome.fixes, outcome.written = dict(result.applied_codes), hashlib.sha256(new).hexdigest()


def _remaining(f) -> dict:
    fix = None if f.fix is None else f.fix.safety.value
    return {"file": f.path, "line": f.row, "column": f.column, "code": f.code, "message": f.message, "fix": fix}


def _lines(text: str) -> list[str]:
    # only "\n" ends a line for git; str.splitlines would also split on \x0c, \u2028, ...
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def diff_hunks(old: str, new: str) -> str:
    """Unified-diff hunks (no file headers) that `git apply` accepts."""
    import difflib

    lines = list(difflib.unified_diff(_lines(old), _lines(new), n=3))[2:]
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


# --- the run --------------------------------------------------------------------------------------

def run_migrate(setup, req: MigrateRequest) -> int:
    """The whole run; SIGINT/SIGTERM stop it cleanly and still give the table and the reports."""
    ctx = setup.ctx
    if not setup.chain:
        click.echo(f"themis-lint: no breaking changes between {ctx.pack.from_version} and "
                   f"{ctx.pack.to_version}", err=True)
        return 0
    stop = StopFlag()
    stop.install()
    try:
        return _run(setup, req, stop)
    finally:
        stop.restore()


def _run(setup, req: MigrateRequest, stop: StopFlag) -> int:
    from themis_lint.engine import DEFAULT_MAX_FILE_SIZE, Options
    from themis_lint.migrate_report import build_report
    from themis_lint.model import Safety

    started = time.perf_counter()
    repos = [RepoRun(p, os.path.abspath(p)) for p in select_paths(req.paths, req.shard)]
    for repo in repos:
        if not os.path.isdir(repo.root):
            repo.status, repo.reason = "failed", "no such folder"
            continue
        find_work_tree(repo)
        if repo.status == "pending":
            preflight(repo, req)
    options = Options(fix=Safety.SAFE if req.safe_only else Safety.UNSAFE, write=req.writes,
                      max_file_size=req.max_file_size or DEFAULT_MAX_FILE_SIZE)
    items = collect(repos, setup.excludes, setup.ctx)
    progress = Progress(progress_mode(req), len(items), sum(r.status == "pending" for r in repos))
    for repo in repos:
        repo.pending = repo.files
        if repo.status == "refused":
            progress.note(f"{repo.path}: refused: {repo.reason}")
        elif repo.status == "pending" and repo.files == 0:
            repo.status = "done" if options.write else "dry-run"
            progress.repo_done(repo)
    try:
        left = execute(items, repos, setup.ctx, options, req.jobs, stop, progress)
    finally:
        progress.close()
    for index, *_ in left:
        repos[index].status = "interrupted"
    finish_repos(repos, setup, req, stop)
    report = build_report(repos, setup, req, time.perf_counter() - started, stop.signum)
    show_results(repos, report, req, stop.signum)
    if stop.signum is not None:
        return 128 + stop.signum
    attention = any(r.status in ("refused", "failed") or r.errors or r.remaining for r in repos)
    return 1 if attention and not req.exit_zero else 0


def finish_repos(repos: list[RepoRun], setup, req: MigrateRequest, stop: StopFlag) -> None:
    """Sort what each repository holds; record what was written, or commit it (not after a stop)."""
    for repo in repos:
        repo.changed.sort()
        repo.remaining.sort(key=lambda f: (f["file"], f["line"], f["column"], f["code"]))
        repo.errors.sort()
        repo.notes.sort()
        if repo.top is None or not req.writes or repo.status not in ("done", "interrupted"):
            continue
        started = time.perf_counter()
        ours = read_marker(repo)
        ours.update({top_rel(repo, rel): entry for rel, entry in repo.written.items()})
        if req.commit and repo.status == "done" and not stop.is_set():
            commit_ours(repo, ours, req.branch, setup)
        try:
            write_marker(repo, ours)
        except OSError as exc:
            repo.errors.append(f"cannot record the files written in the git dir: {exc.strerror or exc}")
        repo.seconds += time.perf_counter() - started



@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@common_options
@click.option("--safe-only", is_flag=True, help="Apply safe fixes only (default: unsafe ones too).")
@click.option("--dry-run", is_flag=True, help="Write nothing; print the diff.")
@click.option("--diff-dir", type=click.Path(file_okay=False),
              help="With or without --dry-run: write one .patch per repository here, change nothing.")
@click.option("--shard", metavar="K/N", help="Take the K-th (0-based) of N slices of the given paths.")
@click.option("--allow-dirty", is_flag=True, help="Also migrate git work trees with uncommitted changes.")
@click.option("--commit", "do_commit", is_flag=True, help="Commit each repository's changes on a new branch.")
@click.option("--branch", metavar="NAME", help="Branch for --commit (default themis-lint/FROM-to-TO).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="Write a JSON report here.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), help="Write an HTML report here.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when something needs a person.")
def migrate(paths, from_version, to_version, select, extend_select, ignore, config_path, pack_paths, jobs, quiet,
            no_progress, no_cache, color, max_file_size, safe_only, dry_run, diff_dir, shard, allow_dirty,
            do_commit, branch, report_path, html_path, exit_zero) -> None:
    """Apply every fix across many repositories: the bulk upgrade codemod."""
    parsed_shard = parse_shard(shard) if shard is not None else None
    if do_commit and (dry_run or diff_dir):
        raise UsageProblem("--commit cannot be combined with --dry-run or --diff-dir")
    setup = load_setup(from_version, to_version, select, extend_select, ignore, config_path, pack_paths)
    pack = setup.ctx.pack
    branch = branch or f"themis-lint/{pack.from_version}-to-{pack.to_version}"
    if do_commit and subprocess.run(["git", "check-ref-format", "--branch", branch],
                                    capture_output=True, check=False).returncode != 0:
        raise UsageProblem(f"--branch {branch!r} is not a valid branch name")
    req = MigrateRequest(paths=list(paths) or ["."], safe_only=safe_only, dry_run=dry_run, diff_dir=diff_dir,
                         jobs=jobs or os.cpu_count() or 1, shard=parsed_shard, allow_dirty=allow_dirty,
                         commit=do_commit, branch=branch, report=report_path, html=html_path, quiet=quiet,
                         progress=not no_progress, exit_zero=exit_zero, max_file_size=max_file_size)
    sys.exit(run_migrate(setup, req))
