"""`themis-lint migrate`: the bulk codemod over many repositories (CLI.md, issue 7, docs/migrate.md).

Git (the safe invocation, dirty checks, commits, the resume record) is in migrate_git.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field

import click

from themis_lint.cli import UsageProblem, common_options, load_setup
from themis_lint.migrate_git import (  # MARKER: re-exported for tests
    MARKER, commit_ours, find_work_tree, preflight, read_marker, top_rel, write_marker, write_new)

PARALLEL_MIN_FILES = 16  # below this, starting processes costs more than it saves


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
    from themis_lint.writer import ChangedOnDisk, DecodeError, decode, encode, write_atomic

    modules = surfaces.wanting(rel, ctx)
    if not modules:
        return
    try:
        size = os.path.getsize(path)
        if size > options.max_file_size:
            outcome.infos.append(f"{rel}: skipped: {size} bytes is over the {options.max_file_size}-byte limit")
            return
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        outcome.errors.append(f"{rel}: cannot read: {exc.strerror or exc}")
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
    new = encode(result.fixed, decoded)
    before_write(path)
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


def _quote(name: str) -> str:
    if not re.search(r'["\\\x00-\x1f\x7f]', name):
        return name
    escaped = name.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
    return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\{ord(m[0]):03o}", escaped) + '"'


def patch_text(diffs: list[tuple[str, str]], prefix: str = "") -> str:
    """A git-style patch of (path, hunks) pairs; `prefix` goes before each path."""
    out = []
    for rel, hunks in sorted(diffs):
        a, b = _quote(f"a/{prefix}{rel}"), _quote(f"b/{prefix}{rel}")
        out.append(f"diff --git {a} {b}\n--- {a}\n+++ {b}\n{hunks}")
    return "".join(out)


# --- workers --------------------------------------------------------------------------------------

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
    # the parent decides when to stop (a terminal's Ctrl-C reaches the whole process group)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    global _worker
    _worker = (ctx, options, event)


def run_items(items: list[tuple], ctx, options, stop) -> tuple[list[tuple[int, FileOutcome]], list[tuple]]:
    """Migrate work items in order until `stop` is set; (outcomes, items not started)."""
    done = []
    for i, (repo, path, rel, _size) in enumerate(items):
        if stop.is_set():
            return done, items[i:]
        done.append((repo, migrate_file(path, rel, ctx, options)))
    return done, []


def _run_chunk(items: list[tuple]):
    ctx, options, stop = _worker
    return run_items(items, ctx, options, stop)


def chunked(items: list[tuple], jobs: int) -> list[list[tuple]]:
    """Largest files first, in chunks small enough that no worker is left holding a long tail."""
    items = sorted(items, key=lambda item: -item[3])
    size = max(1, min(32, len(items) // (jobs * 16)))
    return [items[i:i + size] for i in range(0, len(items), size)]


# --- the run --------------------------------------------------------------------------------------

class Progress:
    """A click progress bar on a terminal, a line per repository otherwise, or nothing."""

    def __init__(self, mode: str, files: int, repos: int) -> None:
        self.mode, self.repos, self.repos_done, self.fixes = mode, repos, 0, 0
        self.started = time.perf_counter()
        self.files_done = 0
        self.bar = None
        if mode == "bar":
            self.bar = click.progressbar(length=max(files, 1), label="migrating", file=sys.stderr, show_pos=True,
                                         item_show_func=lambda text: text)
            self.bar.__enter__()

    def _status(self) -> str:
        rate = self.files_done / max(time.perf_counter() - self.started, 1e-6)
        return f"{self.repos_done}/{self.repos} repos, {self.fixes} fixes, {rate:.0f} files/s"

    def file_done(self, outcome: FileOutcome) -> None:
        self.files_done += 1
        self.fixes += sum(outcome.fixes.values())
        if self.bar is not None:
            self.bar.update(1, self._status())

    def repo_done(self, repo: RepoRun) -> None:
        self.repos_done += 1
        if self.mode == "lines":
            click.echo(f"themis-lint: [{self.repos_done}/{self.repos}] {repo.path}: {repo.status}, "
                       f"{len(repo.changed)} file(s) changed, {sum(repo.fixes.values())} fix(es), "
                       f"{len(repo.remaining)} remaining", err=True)

    def note(self, text: str) -> None:
        if self.mode != "none":
            if self.bar is not None:
                click.echo("", err=True)
            click.echo(f"themis-lint: {text}", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def collect(repos: list[RepoRun], excludes: list[str], ctx) -> list[tuple]:
    """The flat work queue: (repo index, path, path relative to the repo, size) of every wanted file."""
    from themis_lint import surfaces
    from themis_lint.discovery import discover

    items = []
    for index, repo in enumerate(repos):
        if repo.status != "pending":
            continue
        targets, errors = discover([repo.root], excludes)
        repo.errors += errors
        for target in targets:
            rel = os.path.relpath(target.path, repo.root).replace(os.sep, "/")
            if not surfaces.wanting(rel, ctx):
                continue
            try:
                size = os.path.getsize(target.path)
            except OSError:
                size = 0
            items.append((index, target.path, rel, size))
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
                try:
                    done, rest = future.result()
                except Exception as exc:  # noqa: BLE001  a crashed worker: report its files, keep the others going
                    done, rest = [(it[0], FileOutcome(it[2], errors=[f"{it[2]}: internal error: {exc!r}"]))
                                  for it in futures[future]], []
                take(done)
                not_started += rest
            if stop.is_set() and not stopping:
                stopping = True
                event.set()  # workers finish the file in hand, then hand back the rest
                progress.note("stopping: finishing the files in progress")
                for future in pending:
                    future.cancel()
    return not_started


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
    from themis_lint.migrate_report import build_report, render_html, render_table
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
    mode = "none" if req.quiet or not req.progress else ("bar" if sys.stderr.isatty() else "lines")
    progress = Progress(mode, len(items), sum(r.status == "pending" for r in repos))
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
    write_outputs(repos, report, req, render_html)
    click.echo(render_table(report), nl=False, err=req.dry_run and not req.diff_dir)
    if stop.signum is not None:
        click.echo(f"themis-lint: interrupted by signal {stop.signum}; rerun the same command to finish",
                   err=True)
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


def write_outputs(repos: list[RepoRun], report: dict, req: MigrateRequest, render_html) -> None:
    if req.dry_run and not req.diff_dir:
        for repo in repos:
            prefix = "" if repo.path == "." else repo.path.replace(os.sep, "/") + "/"
            click.echo(patch_text(repo.diffs, prefix), nl=False)
    if req.diff_dir:
        os.makedirs(req.diff_dir, exist_ok=True)
        used: set[str] = set()
        for repo in repos:
            if repo.diffs:
                name = patch_name(repo.path)
                while name in used:  # `a/b` and `a__b` would share a name
                    name = name.removesuffix(".patch") + "-1.patch"
                used.add(name)
                write_new(os.path.join(req.diff_dir, name), patch_text(repo.diffs).encode())
    if req.report:
        text = json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        write_new(req.report, text.encode())
    if req.html:
        write_new(req.html, render_html(report).encode())


def patch_name(path: str) -> str:
    """`services/billing` -> `services__billing.patch`: one flat folder of patches."""
    name = os.path.abspath(path) if path in (".", "..") else os.path.normpath(path)
    parts = [re.sub(r"[^A-Za-z0-9._-]", "_", part) for part in name.split(os.sep) if part]
    return ("__".join(parts) or "root") + ".patch"


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
