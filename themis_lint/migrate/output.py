"""What `themis-lint migrate` shows and writes: the progress display while it runs, then the patches,
the report files and the closing text table (docs/migrate.md).

The report itself (JSON data, HTML page, text table) is built in themis_lint.report.migrate.
"""
from __future__ import annotations

import json
import os
import re
import sys
import time
from typing import TYPE_CHECKING

import click

from themis_lint import diff
from themis_lint.text import clean

if TYPE_CHECKING:
    from themis_lint.migrate.types import FileOutcome, MigrateRequest, RepoRun


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
            click.echo(f"themis-lint: [{self.repos_done}/{self.repos}] {clean(repo.path)}: {repo.status}, "
                       f"{len(repo.changed)} file(s) changed, {sum(repo.fixes.values())} fix(es), "
                       f"{len(repo.remaining)} remaining", err=True)

    def note(self, text: str) -> None:
        if self.mode != "none":
            if self.bar is not None:
                click.echo("", err=True)
            click.echo(f"themis-lint: {clean(text)}", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def progress_mode(req: MigrateRequest) -> str:
    """`bar` on a terminal, `lines` otherwise, `none` with --quiet or --no-progress."""
    return "none" if req.quiet or not req.progress else ("bar" if sys.stderr.isatty() else "lines")


def show_results(repos: list[RepoRun], report: dict, req: MigrateRequest, signum: int | None) -> None:
    """The patches and report files asked for, the closing table, and after a stop how to finish."""
    from themis_lint.report.migrate import render_summary
    from themis_lint.report.migrate_html import render as render_html

    write_outputs(repos, report, req, render_html)
    where = [p for p in (req.report, req.html, req.diff_dir) if p]
    click.echo(render_summary(report, where), nl=False, err=req.dry_run and not req.diff_dir)
    if signum is not None:
        click.echo(f"themis-lint: interrupted by signal {signum}; rerun the same command to finish", err=True)


def write_outputs(repos: list[RepoRun], report: dict, req: MigrateRequest, render_html) -> None:
    if req.dry_run and not req.diff_dir:
        for repo in repos:
            prefix = "" if repo.path == "." else repo.path.replace(os.sep, "/") + "/"
            click.echo(diff.patch(repo.diffs, prefix), nl=False)
    if req.diff_dir:
        os.makedirs(req.diff_dir, exist_ok=True)
        used: set[str] = set()
        for repo in repos:
            if repo.diffs:
                name = patch_name(repo.path)
                while name in used:  # `a/b` and `a__b` would share a name
                    name = name.removesuffix(".patch") + "-1.patch"
                used.add(name)
                write_new(os.path.join(req.diff_dir, name), diff.patch(repo.diffs, _inside_repo(repo)).encode())
    if req.report:
        text = json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        write_new(req.report, text.encode())
    if req.html:
        write_new(req.html, render_html(report).encode())


def write_new(path: str, data: bytes) -> None:
    """Atomically write a report or patch named on the command line, creating its folder if needed."""
    from themis_lint.safe_io import write_document

    write_document(path, data)


def patch_name(path: str) -> str:
    """`services/billing` -> `services__billing.patch`: one flat folder of patches."""
    name = os.path.abspath(path) if path in (".", "..") else os.path.normpath(path)
    parts = [re.sub(r"[^A-Za-z0-9._-]", "_", part) for part in name.split(os.sep) if part]
    return ("__".join(parts) or "root") + ".patch"


def _inside_repo(repo: RepoRun) -> str:
    """For a folder inside a git repository, the folder's path from the repository root: git reads
    patch paths from the root (and `git apply` in the folder skips paths that are not below it).
    The root is the folder holding `.git`, never where a core.worktree points: always above PATH."""
    return repo.scope + "/" if repo.scope else ""
