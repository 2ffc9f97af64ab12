"""`themis-lint check`: discovery, the run, baselines, output and the exit code."""
from __future__ import annotations

import difflib
import importlib
import sys
from dataclasses import dataclass

import click

from themis_lint.cli import Setup, UsageProblem
from themis_lint.engine import FileResult, Options, check_source
from themis_lint.model import Safety, Severity
from themis_lint.output import Report

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
    jobs: int = 1
    quiet: bool = False
    max_file_size: int | None = None
    baseline: str | None = None
    write_baseline: str | None = None
    no_cache: bool = False


def engine_options(req: CheckRequest) -> Options:
    from themis_lint.engine import DEFAULT_MAX_FILE_SIZE
    from themis_lint.packs import PackError, short

    level = None if not req.fix else (Safety.UNSAFE if req.unsafe else Safety.SAFE)
    keep = None
    if req.keep_compatible_with:
        try:
            keep = short(req.keep_compatible_with)
        except PackError as exc:
            raise UsageProblem(f"--keep-compatible-with: {exc}") from exc
    return Options(fix=level, write=not req.diff and not req.stdin_filename, keep_compatible_with=keep,
                   max_file_size=req.max_file_size or DEFAULT_MAX_FILE_SIZE)


def renderer(name: str):
    try:
        return importlib.import_module(f"themis_lint.output.{FORMAT_MODULES[name]}").render
    except ModuleNotFoundError as exc:
        raise UsageProblem(f"--output-format {name} is not available in this build") from exc


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
    from themis_lint import runner
    from themis_lint.discovery import discover

    targets, errors = discover(req.paths, setup.excludes)
    from themis_lint.cache import CACHE_DIR

    results = runner.run(targets, ctx, options, req.jobs, None if req.no_cache else CACHE_DIR)
    return finish(setup, req, results, errors, render)


def finish(setup: Setup, req: CheckRequest, results: list[FileResult], errors: list[str], render) -> int:
    """Print diagnostics, diffs and the report; return the exit code."""
    findings = sorted((f for r in results for f in r.findings), key=lambda f: (f.path, f.row, f.column, f.code))
    for r in results:
        errors += r.errors
        if not req.quiet:
            for line in r.infos:
                click.echo(f"themis-lint: {line}", err=True)
    for line in errors:
        click.echo(f"themis-lint: error: {line}", err=True)
    if req.diff:
        for r in results:
            if r.fixed is not None:
                click.echo(unified_diff(r), nl=False)
    findings = apply_baseline(setup, req, findings)
    fixed = sum(r.fixes_applied for r in results)
    level = None if not req.fix else (Safety.UNSAFE if req.unsafe else Safety.SAFE)
    report = Report(findings, setup.catalogue, setup.ctx.pack, [r.path for r in results], fixed, level)
    if not (req.diff and req.output_format == "text"):
        click.echo(render(report), nl=False)
    return exit_code(req, findings, errors, results)


def apply_baseline(setup: Setup, req: CheckRequest, findings: list) -> list:
    if not req.baseline and not req.write_baseline:
        return findings
    try:
        from themis_lint import baseline
    except ModuleNotFoundError as exc:
        raise UsageProblem("baselines are not available in this build") from exc
    return baseline.apply(findings, req.baseline, req.write_baseline)


def exit_code(req: CheckRequest, findings: list, errors: list[str], results: list[FileResult]) -> int:
    if req.exit_zero:
        return 0
    if errors:
        return 2
    if req.diff:
        return 1 if any(r.fixed is not None for r in results) else 0
    from themis_lint.packs import load_catalogue

    threshold = Severity(req.fail_on).rank
    severities = {code: Severity(rule.severity).rank for code, rule in load_catalogue().items()}
    return 1 if any(severities.get(f.code, 2) >= threshold for f in findings) else 0


def unified_diff(result: FileResult) -> str:
    lines = difflib.unified_diff(result.original.splitlines(keepends=True), result.fixed.splitlines(keepends=True),
                                 f"a/{result.path}", f"b/{result.path}")
    out = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    return out


def _check_stdin(setup: Setup, req: CheckRequest, options: Options, render) -> int:
    text = sys.stdin.read()
    from themis_lint import surfaces

    result = check_source(text, req.stdin_filename, setup.ctx, options,
                          surfaces.wanting(req.stdin_filename, setup.ctx))
    if req.fix and not req.diff:
        sys.stdout.write(result.fixed if result.fixed is not None else text)
        report = Report(result.findings, setup.catalogue, setup.ctx.pack, [result.path], result.fixes_applied)
        click.echo(renderer("text")(report), nl=False, err=True)
        return exit_code(req, result.findings, result.errors, [result])
    return finish(setup, req, [result], [], render)
