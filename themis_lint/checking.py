"""`themis-lint check`: discovery, the run, baselines, output and the exit code."""
from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass

import click

from themis_lint.project import ProjectError, Projects, Setup
from themis_lint import diff
from themis_lint.pipeline import FileResult, Options, check_bytes
from themis_lint.model import Safety, Severity
from themis_lint.report import Report, clean

FORMAT_MODULES = {"text": "text", "json": "json_format", "sarif": "sarif", "github": "github", "junit": "junit"}


@dataclass
class CheckRequest:
    paths: list[str]
    fix: bool = False
    unsafe: bool = False
    diff: bool = False
    output_format: str = "text"
    fail_on: str = "warning"
    exit_zero: bool = False
    keep_compatible_with: str | None = None
    stdin_filename: str | None = None
    checked: list | None = None  # the discovered targets (JUnit lists every checked file)
    projects: Projects | None = None  # which config governs which path (None: `setup`'s, everywhere)
    jobs: int = 1
    quiet: bool = False
    max_file_size: int | None = None
    baseline: str | None = None
    write_baseline: str | None = None
    no_cache: bool = False
    show_stale: bool = False
    report_unused: bool = False


def engine_options(req: CheckRequest) -> Options:
    from themis_lint.pipeline import DEFAULT_MAX_FILE_SIZE
    from themis_lint.packs import PackError, short

    level = None if not req.fix else (Safety.UNSAFE if req.unsafe else Safety.SAFE)
    keep = None
    if req.keep_compatible_with:
        try:
            keep = short(req.keep_compatible_with)
        except PackError as exc:
            raise ProjectError(f"--keep-compatible-with: {exc}") from exc
    return Options(fix=level, write=not req.diff and not req.stdin_filename, keep_compatible_with=keep,
                   max_file_size=req.max_file_size or DEFAULT_MAX_FILE_SIZE)


def renderer(name: str):
    try:
        return importlib.import_module(f"themis_lint.report.{FORMAT_MODULES[name]}").render
    except ModuleNotFoundError as exc:
        raise ProjectError(f"--output-format {name} is not available in this build") from exc


def run_check(setup: Setup, req: CheckRequest) -> int:
    ctx = setup.ctx
    render = renderer(req.output_format)
    if not setup.chain:
        pack = ctx.pack
        click.echo(f"themis-lint: no breaking changes between {pack.from_version} and {pack.to_version}",
                   err=True)
        click.echo(render(Report([], setup.catalogue, pack)), nl=False)
        return 0
    options = engine_options(req)
    if req.stdin_filename:
        return _check_stdin(setup, req, options, render)
    results, errors = collect(setup, req, options)
    return finish(setup, req, results, errors, render)


def collect(setup: Setup, req: CheckRequest, options: Options) -> tuple[list[FileResult], list[str]]:
    """Discover, analyse (and fix) the request's paths: the one pipeline `check` and `report` share."""
    from themis_lint import runner
    from themis_lint.discovery import discover

    projects = req.projects or Projects.fixed(setup)
    targets, errors = discover(req.paths, projects.excludes_for)
    req.checked = targets
    groups: dict[int, tuple[Setup, list]] = {}  # the closest config governs the files under it
    for target in targets:
        governing = projects.setup_for(target.path)
        groups.setdefault(id(governing), (governing, []))[1].append(target)
    cache, problem = (None, None) if req.no_cache else runner.usable_cache(req.paths)
    if problem:
        click.echo(f"themis-lint: warning: {clean(problem)}; running without the cache", err=True)
    order = {t.display: i for i, t in enumerate(targets)}
    results = [r for governing, group in groups.values()
               for r in runner.run(group, governing.ctx, options, req.jobs, cache)]
    results.sort(key=lambda r: order.get(r.path, -1))
    return results, errors


def finish(setup: Setup, req: CheckRequest, results: list[FileResult], errors: list[str], render) -> int:
    """Print diagnostics, diffs and the report; return the exit code."""
    findings = sorted((f for r in results for f in r.findings), key=lambda f: (f.path, f.row, f.column, f.code))
    for r in results:
        errors += r.errors
        if not req.quiet:
            for line in r.infos:
                click.echo(f"themis-lint: {clean(line)}", err=True)
    for line in errors:
        click.echo(f"themis-lint: error: {clean(line)}", err=True)
    if req.diff:
        for r in results:
            if r.fixed is not None:
                click.echo(diff.file_patch(r.path, diff.hunks(r.original, r.fixed)), nl=False)
    findings, baseline_fixed = apply_baseline(setup, req, findings)
    fixed = sum(r.fixes_applied for r in results) + baseline_fixed
    level = None if not req.fix else (Safety.UNSAFE if req.unsafe else Safety.SAFE)
    report = Report(findings, setup.catalogue, setup.ctx.pack, _files(setup, req, results), fixed, level,
                    errors=len(errors))
    if not (req.diff and req.output_format == "text"):
        click.echo(render(report), nl=False)
    return exit_code(req, findings, errors, results)


def _files(setup: Setup, req: CheckRequest, results: list[FileResult]) -> list[str]:
    """The files the run looked at: for JUnit (one test case per file), every checked file."""
    files = {r.path for r in results}
    if req.output_format == "junit" and req.checked:
        from themis_lint import surfaces

        files |= {t.display for t in req.checked if surfaces.wanting(t.display, setup.ctx)}
    return sorted(files)


def apply_baseline(setup: Setup, req: CheckRequest, findings: list) -> tuple[list, int]:
    """Findings not in the baseline (plus stale entries as TH901 when asked); fixes applied to it."""
    from themis_lint import baseline

    baseline.assign_fingerprints(findings)
    if not req.baseline and not req.write_baseline:
        return findings, 0
    try:
        if req.write_baseline:
            count = baseline.write(req.write_baseline, findings)
            if not req.quiet:
                click.echo(f"themis-lint: wrote {count} finding(s) to {clean(req.write_baseline)}", err=True)
        entries = baseline.load(req.baseline or req.write_baseline)
    except baseline.BaselineError as exc:
        raise ProjectError(str(exc)) from exc
    new, stale = baseline.split(findings, entries)
    # judged only where this run looked: its paths and its enabled codes
    scope = [req.stdin_filename] if req.stdin_filename else req.paths
    stale = [e for e in stale if baseline.in_scope(e, scope) and setup.ctx.enabled(e.code)]
    if not stale or not (req.show_stale or setup.ctx.enabled("TH901")):
        return new, 0
    path = req.baseline or req.write_baseline
    if req.fix and not req.diff and not req.stdin_filename:
        baseline.prune(path, entries, stale)
        return new, len(stale)
    return sorted(new + baseline.stale_findings(path, stale),
                  key=lambda f: (f.path, f.row, f.column, f.code)), 0


def exit_code(req: CheckRequest, findings: list, errors: list[str], results: list[FileResult]) -> int:
    if req.exit_zero:
        return 0
    if errors:
        return 2
    if req.diff and any(r.fixed is not None for r in results):
        return 1  # the diff is not empty: the files would change
    # otherwise (and with --diff for what the diff leaves) by the findings that remain
    from themis_lint.packs import load_catalogue

    threshold = Severity(req.fail_on).rank
    severities = {code: Severity(rule.severity).rank for code, rule in load_catalogue().items()}
    return 1 if any(severities.get(f.code, 2) >= threshold for f in findings) else 0


def _check_stdin(setup: Setup, req: CheckRequest, options: Options, render) -> int:
    """CLI.md `--stdin-filename`: the editor's buffer in, findings (or with --fix the fixed text) out."""
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
    result = check_bytes(data, req.stdin_filename, setup.ctx, options)
    if req.fix and not req.diff:
        fixed = result.fixed_bytes()
        _write_stdout(fixed if fixed is not None else data)
        return finish(setup, req, [result], [], _to_stderr(render))
    return finish(setup, req, [result], [], render)


def _write_stdout(data: bytes) -> None:
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(data.decode("utf-8", "surrogateescape"))
    else:
        sys.stdout.flush()
        stream.write(data)
        stream.flush()


def _to_stderr(render):
    """With --fix on stdin the fixed text owns stdout; the report goes to stderr."""

    def to_stderr(report: Report) -> str:
        click.echo(render(report), nl=False, err=True)
        return ""

    return to_stderr


def run_report(setup: Setup, req: CheckRequest) -> int:
    """`themis-lint report`: the compatibility report over the same pipeline as `check`."""
    from themis_lint.report import compat

    pack = setup.ctx.pack
    if not setup.chain:
        click.echo(f"themis-lint: no breaking changes between {pack.from_version} and {pack.to_version}", err=True)
        results, errors = [], []
    else:
        results, errors = collect(setup, req, engine_options(req))
    for r in results:
        errors += r.errors
        if not req.quiet:
            for line in r.infos:
                click.echo(f"themis-lint: {clean(line)}", err=True)
    for line in errors:
        click.echo(f"themis-lint: error: {clean(line)}", err=True)
    findings = sorted((f for r in results for f in r.findings), key=lambda f: (f.path, f.row, f.column, f.code))
    categories = compat.summarise(findings, setup.catalogue)
    files = len({f.path for f in findings})
    render = compat.render_json if req.output_format == "json" else compat.render_text
    click.echo(render(pack, categories, files), nl=False)
    return exit_code(req, findings, errors, results)
