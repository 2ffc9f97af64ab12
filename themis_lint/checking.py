"""`themis-lint check`: discovery, the run, baselines, output and the exit code.

Streams (docs/ci-and-hooks.md "Exit codes and messages"): the report on stdout (or in
`--output-file`), except that `--diff` owns stdout and `--fix` on stdin returns the buffer there;
notes, warnings, errors and `-v` on stderr, each line starting `themis-lint: `.
"""
from __future__ import annotations

import importlib
import os
import sys
import time
from dataclasses import dataclass, field

import click

from themis_lint.project import ProjectError, Projects, Setup
from themis_lint import diff, toolfiles
from themis_lint.pipeline import FileResult, Options, check_bytes
from themis_lint.model import Safety, Severity
from themis_lint.report import Report, clean

FORMAT_MODULES = {"text": "text", "json": "json_format", "sarif": "sarif", "github": "github", "junit": "junit",
                  "gitlab": "gitlab"}


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
    stdin_filename: str | None = None  # "-": stdin without a name
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
    force_exclude: bool = False
    verbose: bool = False
    output_file: str | None = None
    sarif_category: str | None = None
    statistics: bool = False
    show_fixes: bool = False
    color: bool = False


@dataclass
class Run:
    """What collect found and did: the results, and what -v and "nothing was checked" tell."""

    results: list[FileResult]
    errors: list[str]
    checked: bool  # a surface reads (by name) some file of the run: else say that nothing was checked
    count: int | None = None  # how many (-v only: the name test per file costs on a warm 10k-file run)
    skipped: list[str] = field(default_factory=list)  # "path: why" for files left out
    started: float = field(default_factory=time.perf_counter)
    discovered: float = 0.0  # perf_counter marks for -v
    analysed: float = 0.0
    unchecked: str | None = None  # why nothing was checked, when discovery alone cannot tell


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


def _keep_within_range(options: Options, pack) -> None:
    """--keep-compatible-with names a version the fleet still runs: at or after the upgrade's
    start, before its target (at the target or later it would keep every fix: a no-op)."""
    from themis_lint.packs.model import minor

    keep = options.keep_compatible_with
    if keep is not None and not minor(pack.from_version) <= minor(keep) < minor(pack.to_version):
        raise ProjectError(f"--keep-compatible-with {keep}: expected a version from {pack.from_version} up to "
                           f"(not including) the target {pack.to_version}")


def renderer(name: str):
    try:
        return importlib.import_module(f"themis_lint.report.{FORMAT_MODULES[name]}").render
    except ModuleNotFoundError as exc:
        raise ProjectError(f"--output-format {name} is not available in this build") from exc


def run_check(setup: Setup, req: CheckRequest) -> int:
    render = renderer(req.output_format)
    if not setup.chain:
        pack = setup.ctx.pack
        click.echo(f"themis-lint: no breaking changes between {pack.from_version} and {pack.to_version}",
                   err=True)
        emit(req, _report(setup, req, []), render)
        return 0
    options = engine_options(req)
    _keep_within_range(options, setup.ctx.pack)
    if req.stdin_filename is not None:
        return _check_stdin(setup, req, options, render)
    run = collect(setup, req, options)
    return finish(setup, req, run, render)


# --- discovery and the run ------------------------------------------------------------------------

def collect(setup: Setup, req: CheckRequest, options: Options) -> Run:
    """Discover, analyse (and fix) the request's paths: the one pipeline `check` and `report` share."""
    from themis_lint import runner
    from themis_lint.cache import DB_NAME
    from themis_lint.discovery import discover

    run = Run([], [], False)
    projects = req.projects or Projects.fixed(setup)
    cache, problem = (None, None) if req.no_cache else runner.usable_cache(req.paths)
    # the worker processes start while the walk goes on when the run will analyse every file: no
    # cache, or none filled yet (a warm run analyses few files and would start them for nothing);
    # when it writes nothing either, they check files as they are found
    cold = cache is None or not os.path.exists(os.path.join(cache, DB_NAME))
    early = req.jobs > 1 and cold and not (options.fix is not None and options.write)
    workers = runner.Workers(req.jobs, options, _context_for(projects) if early else None, cache is not None)
    try:
        targets, run.errors = discover(req.paths, projects.excludes_for, force_exclude=req.force_exclude,
                                       skipped=run.skipped, found=workers.found if req.jobs > 1 and cold else None)
        _analyse(run, req, options, projects, targets, (cache, problem), workers)
    finally:
        workers.close()
    return run


def _context_for(projects: Projects):
    """A target's governing context, looked up once per folder (as `_analyse` groups them)."""
    by_folder: dict[str, object] = {}
    last: list = [None, None]  # the walk yields a folder's files together: most calls end here

    def context_for(target):
        folder = os.path.dirname(target.path)
        if folder == last[0]:
            return last[1]
        ctx = by_folder.get(folder)
        if ctx is None:
            ctx = by_folder[folder] = projects.setup_for(folder or os.curdir).ctx
        last[:] = folder, ctx
        return ctx
    return context_for


def _analyse(run: Run, req: CheckRequest, options: Options, projects: Projects, targets: list,
             cache: tuple[str | None, str | None], workers) -> None:
    """Group the discovered files by the config governing them and run each group; `cache`: the
    folder this run may use and why not (runner.usable_cache)."""
    from themis_lint import runner, surfaces

    own_packs = {p for s in projects.setups() for p in s.pack_paths}  # every config's `packs` met so far
    targets = _without_tool_files(targets, req, run.skipped, (*projects.overrides.pack_paths, *own_packs))
    req.checked = targets
    groups: dict[int, tuple[Setup, list]] = {}  # the closest config governs the files under it
    by_folder: dict[str, Setup] = {}  # one lookup per folder, not per file (issue 17)
    for target in targets:
        folder = os.path.dirname(target.path)
        governing = by_folder.get(folder)
        if governing is None:
            governing = by_folder[folder] = projects.setup_for(folder or os.curdir)
        groups.setdefault(id(governing), (governing, []))[1].append(target)
    run.checked = any(surfaces.wanting(t.display, s.ctx) for s, group in groups.values() for t in group)
    run.discovered = time.perf_counter()
    if req.verbose:
        run.count = 0
        for governing, group in groups.values():
            wanted = [t.display for t in group if surfaces.wanting(t.display, governing.ctx)]
            run.count += len(wanted)
            say_config(governing, wanted)
        for line in run.skipped:
            click.echo(f"themis-lint: {clean(line)}", err=True)
    folder, problem = cache
    if problem:
        click.echo(f"themis-lint: warning: {clean(problem)}; running without the cache", err=True)
    order = {t.display: i for i, t in enumerate(targets)}
    run.results = [r for governing, group in groups.values()
                   for r in runner.run(group, governing.ctx, options, req.jobs, folder, workers)]
    run.results.sort(key=lambda r: order.get(r.path, -1))
    run.analysed = time.perf_counter()
    too_large = {r.path for r in run.results if r.skipped}
    if too_large:  # a file skipped for its size was not checked: never "All checks passed" for it alone
        if run.count is not None:
            run.count -= len(too_large)
        if run.checked and not any(t.display not in too_large and surfaces.wanting(t.display, s.ctx)
                                   for s, group in groups.values() for t in group):
            run.checked = False
            run.unchecked = "every file a surface reads is over --max-file-size (the lines above say which)"


def _without_tool_files(targets: list, req: CheckRequest, skipped: list[str], packs=()) -> list:
    """The targets less the files this run reads or writes as its own (baseline, output file,
    the --pack files: a pack's `path:` values would be findings of itself and --fix would rewrite
    it), and named files holding a themis-lint document (pre-commit names a committed baseline
    too; files found by walking are left out by surfaces.prefiltered, unread when cached)."""
    own = {os.path.realpath(p): flag for p, flag in ((req.baseline, "--baseline"),
                                                     (req.write_baseline, "--write-baseline"),
                                                     (req.output_file, "--output-file"),
                                                     *((pack, "--pack") for pack in packs)) if p}
    names = {os.path.basename(p) for p in own}
    kept = []
    for target in targets:
        flag = own.get(os.path.realpath(target.path)) if _may_be(target, names) else None
        kind = _document_kind(target.path, req) if flag is None and target.explicit else None
        if flag is not None:
            skipped.append(f"{target.display}: skipped: this run's {flag} file")
        elif kind is not None:
            skipped.append(f"{target.display}: skipped: it is {toolfiles.described(kind)}")
        else:
            kept.append(target)
    return kept


def _may_be(target, names: set[str]) -> bool:
    """Could the target be one of the run's own files (named `names` once symlinks are resolved)?
    A walked file is a regular file reached through real folders, so only one of the same name
    can be; a named path may be a symlink under any name. (realpath per file cost more than the
    rest of a clean 10k-file run's main process: issue 17.)"""
    return bool(names) and (target.explicit or os.path.basename(target.path) in names)


def _document_kind(path: str, req: CheckRequest) -> str | None:

    from themis_lint.pipeline import DEFAULT_MAX_FILE_SIZE

    try:
        if os.path.getsize(path) > (req.max_file_size or DEFAULT_MAX_FILE_SIZE):
            return None
        with open(path, "rb") as handle:
            return toolfiles.kind(handle.read())
    except OSError:
        return None  # the runner reports an unreadable file


SHOWN_FILES = 20  # -v names this many files per config: a 10k-file tree is not a 400 KB line


def say_config(setup: Setup, files: list[str]) -> None:
    """-v: which config governs which files (the first SHOWN_FILES), under which packs."""
    from themis_lint.discovery import display_path

    where = f"config {display_path(setup.settings.path)}" if setup.settings.path else "no config (defaults)"
    pack = setup.ctx.pack
    packs = ", ".join(p.name for p in setup.chain) or "no pack"
    shown = ", ".join(files[:SHOWN_FILES]) + (f" and {len(files) - SHOWN_FILES} more" if len(files) > SHOWN_FILES else "")
    click.echo(clean(f"themis-lint: {where} (packs: {packs}; {pack.from_version} → {pack.to_version}) governs "
                     f"{len(files)} file(s)" + (f": {shown}" if shown else "")), err=True)


# --- after the run ---------------------------------------------------------------------------------

def finish(setup: Setup, req: CheckRequest, run: Run, render, to_stderr: bool = False,
           unchecked: str | None = None) -> int:
    """Print diagnostics, diffs and the report; return the exit code. `to_stderr`: stdout holds the
    fixed buffer; `unchecked`: why the buffer was not checked."""
    errors = run.errors + [e for r in run.results for e in r.errors]
    print_notes(req, run.results, errors)
    if req.diff:
        for r in run.results:
            if r.fixed is not None:
                click.echo(diff.file_patch(r.path, diff.hunks(r.original, r.fixed)), nl=False)
    findings = sorted((f for r in run.results for f in r.findings), key=lambda f: (f.path, f.row, f.column, f.code))
    findings, baselined, pruned = apply_baseline(setup, req, findings)
    report = _report(setup, req, findings, run, errors)
    report.baselined = baselined
    if pruned:
        report.fixed += pruned
        report.fixed_by_file[_shown(req.baseline or req.write_baseline)] = {"TH901": pruned}
    emit(req, report, render, to_stderr)
    if not run.checked and not errors:
        say_nothing_checked(req, run.skipped, unchecked or run.unchecked)
    if req.verbose:
        say_timing(run)
    return exit_code(req, findings, errors, run.results, setup.catalogue)


def print_notes(req: CheckRequest, results: list[FileResult], errors: list[str]) -> None:
    """Notes (skipped large files, ...) unless --quiet; errors always."""
    if not req.quiet:
        for r in results:
            for line in r.infos:
                click.echo(f"themis-lint: {clean(line)}", err=True)
    for line in errors:
        click.echo(f"themis-lint: error: {clean(line)}", err=True)


def _report(setup: Setup, req: CheckRequest, findings: list, run: Run | None = None,
            errors: list[str] | None = None) -> Report:
    results = run.results if run else []
    fixed_by_file = {r.path: dict(r.applied_codes) for r in results if r.applied_codes}
    return Report(findings, setup.catalogue, setup.ctx.pack, _files(setup, req, results),
                  sum(r.fixes_applied for r in results), Safety.UNSAFE if req.fix and req.unsafe
                  else Safety.SAFE if req.fix else None, errors=len(errors or []),
                  nothing_checked=run is not None and not run.checked, fixed_by_file=fixed_by_file,
                  would_fix=req.diff, sarif_category=req.sarif_category, color=req.color, quiet=req.quiet,
                  statistics=req.statistics, show_fixes=req.show_fixes)


def _shown(path: str) -> str:
    from themis_lint.discovery import display_path

    return display_path(path)


def emit(req: CheckRequest, report: Report, render, to_stderr: bool = False) -> None:
    """The report to --output-file, stdout, or stderr when stdout holds something else (the
    buffer of `--fix` on stdin); with --diff, what the diff leaves goes to stderr."""
    from themis_lint.report import text

    document_elsewhere = req.output_format != "text" or (req.diff and not req.output_file)
    if req.output_file:
        _write_output(req.output_file, render(report))
    elif not req.diff:
        click.echo(render(report), nl=False, err=to_stderr, color=req.color)
    if req.diff:
        say_unfixed(req, report)
    if req.show_fixes and document_elsewhere:
        click.echo("".join(line + "\n" for line in text.fixes_lines(report)), nl=False, err=True)


def _write_output(path: str, document: str) -> None:


    try:
        toolfiles.write(path, document)
    except OSError as exc:
        raise ProjectError(f"--output-file {path}: cannot write: {exc.strerror or exc}") from exc


def say_unfixed(req: CheckRequest, report: Report) -> None:
    """--diff: stdout holds only the diff; the findings it leaves are summarised on stderr."""
    from themis_lint.report import text

    left = report.findings
    if not left:
        return
    unsafe = sum(1 for f in left if f.fix is not None and f.fix.safety is Safety.UNSAFE)
    if not req.quiet:
        hint = f" ({unsafe} only an unsafe one: add --unsafe-fixes)" if unsafe and not req.unsafe else ""
        click.echo(f"themis-lint: {len(left)} finding(s) have no automatic fix in this diff{hint}:", err=True)
    paint = text.Paint(False)
    for f in left:
        click.echo(text.finding_line(f, report, paint), err=True)


def say_nothing_checked(req: CheckRequest, skipped: list[str], reason: str | None = None) -> None:
    """Never a silent green: a run that read no file says so, and why (issue 14)."""
    if reason is None:
        reason = ("no file under the given path(s) is one themis-lint reads (README.md \"Surfaces\")"
                  if not skipped else "every file named was skipped")
    click.echo(f"themis-lint: warning: nothing was checked: {reason}", err=True)
    if not req.verbose:  # -v printed them already
        for line in skipped:
            click.echo(f"themis-lint: {clean(line)}", err=True)


def say_timing(run: Run) -> None:
    end = time.perf_counter()
    click.echo(f"themis-lint: {run.count} file(s) checked in {end - run.started:.2f}s (discovery "
               f"{run.discovered - run.started:.2f}s, analysis {run.analysed - run.discovered:.2f}s, "
               f"output {end - run.analysed:.2f}s)", err=True)


def _files(setup: Setup, req: CheckRequest, results: list[FileResult]) -> list[str]:
    """The files the run looked at: for JUnit (one test case per file), every checked file."""
    files = {r.path for r in results}
    if req.output_format == "junit" and req.checked:
        from themis_lint import surfaces

        files |= {t.display for t in req.checked if surfaces.wanting(t.display, setup.ctx)}
    return sorted(files)


def apply_baseline(setup: Setup, req: CheckRequest, findings: list) -> tuple[list, int, int]:
    """(findings not in the baseline, plus stale entries as TH901 when asked; how many the baseline
    knew; how many stale entries the fix pruned from it)."""
    from themis_lint import baseline

    baseline.assign_fingerprints(findings)
    if not req.baseline and not req.write_baseline:
        return findings, 0, 0
    try:
        if req.write_baseline:
            count = baseline.write(req.write_baseline, findings)
            if not req.quiet:
                click.echo(f"themis-lint: wrote {count} finding(s) to {clean(req.write_baseline)}", err=True)
        entries = baseline.load(req.baseline or req.write_baseline)
    except baseline.BaselineError as exc:
        raise ProjectError(str(exc)) from exc
    new, stale = baseline.split(findings, entries)
    known = len(findings) - len(new)
    # judged only where this run looked: its paths and its enabled codes
    scope = [req.stdin_filename] if req.stdin_filename else req.paths
    stale = [e for e in stale if baseline.in_scope(e, scope) and setup.ctx.enabled(e.code)]
    if not stale or not (req.show_stale or setup.ctx.enabled("TH901")):
        return new, known, 0
    path = req.baseline or req.write_baseline
    if req.fix and not req.diff and not req.stdin_filename:
        baseline.prune(path, entries, stale)  # the documented TH901 fix; never a data fix
        return new, known, len(stale)
    return sorted(new + baseline.stale_findings(path, stale),
                  key=lambda f: (f.path, f.row, f.column, f.code)), known, 0


def exit_code(req: CheckRequest, findings: list, errors: list[str], results: list[FileResult],
              catalogue: dict | None = None) -> int:
    if req.exit_zero:
        return 0
    if errors:
        return 2
    if req.diff and any(r.fixed is not None for r in results):
        return 1  # the diff is not empty: the files would change
    # otherwise (and with --diff for what the diff leaves) by the findings that remain
    from themis_lint.packs import load_catalogue

    threshold = Severity(req.fail_on).rank
    # the run's catalogue holds a pack's own codes (ACME001) and their severities too
    severities = {code: Severity(rule.severity).rank for code, rule in (catalogue or load_catalogue()).items()}
    return 1 if any(severities.get(f.code, 2) >= threshold for f in findings) else 0


# --- stdin -----------------------------------------------------------------------------------------

def _check_stdin(setup: Setup, req: CheckRequest, options: Options, render) -> int:
    """docs/cli.md `--stdin-filename`: the editor's buffer in, findings (or with --fix the fixed text) out."""
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
    run = Run([], [], True)
    if req.verbose:
        say_config(setup, [req.stdin_filename])
    run.discovered = time.perf_counter()
    reason = _stdin_unchecked(setup, req, data)
    if reason is None:
        run.results = [check_bytes(data, req.stdin_filename, setup.ctx, options)]
    run.checked, run.count = reason is None, int(reason is None)
    run.analysed = time.perf_counter()
    owns_stdout = req.fix and not req.diff
    if owns_stdout:
        fixed = run.results[0].fixed_bytes() if run.results else None
        _write_stdout(fixed if fixed is not None else data)
    return finish(setup, req, run, render, to_stderr=owns_stdout, unchecked=reason)


def _stdin_unchecked(setup: Setup, req: CheckRequest, data: bytes) -> str | None:
    """Why the buffer cannot be checked under its name, or None."""
    from themis_lint import surfaces, toolfiles
    from themis_lint.discovery import excluded_by

    name = req.stdin_filename
    if name == "-":
        return ("stdin has no file name: pass --stdin-filename NAME (the name picks the surface, the "
                "config and the path in the report)")
    if req.force_exclude and req.projects is not None:
        why = excluded_by(name, req.projects.excludes_for)
        if why:
            return f"{name} is excluded (--force-exclude): {why}"
    if (kind := toolfiles.kind(data)) is not None:
        return f"stdin holds {toolfiles.described(kind)}"
    if not surfaces.wanting(name, setup.ctx):
        return f"no surface reads a file named {name} (README.md \"Surfaces\" lists the files it reads)"
    return None


def _write_stdout(data: bytes) -> None:
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(data.decode("utf-8", "surrogateescape"))
    else:
        sys.stdout.flush()
        stream.write(data)
        stream.flush()


# --- report ----------------------------------------------------------------------------------------

def run_report(setup: Setup, req: CheckRequest) -> int:
    """`themis-lint report`: the compatibility report over the same pipeline as `check`."""
    from themis_lint.report import compat

    pack = setup.ctx.pack
    if not setup.chain:
        click.echo(f"themis-lint: no breaking changes between {pack.from_version} and {pack.to_version}", err=True)
        run = Run([], [], False)
    else:
        run = collect(setup, req, engine_options(req))
    errors = run.errors + [e for r in run.results for e in r.errors]
    print_notes(req, run.results, errors)
    findings = sorted((f for r in run.results for f in r.findings), key=lambda f: (f.path, f.row, f.column, f.code))
    categories = compat.summarise(findings, setup.catalogue, setup.ctx.enabled)
    files = len({f.path for f in findings})
    if req.output_format == "json":
        click.echo(compat.render_json(pack, categories, files), nl=False)
    elif req.output_format == "markdown":
        click.echo(compat.render_markdown(pack, categories, files), nl=False)
    else:
        click.echo(compat.render_text(pack, categories, files, color=req.color), nl=False, color=req.color)
    if setup.chain and not run.checked and not errors:
        say_nothing_checked(req, run.skipped)
    if req.verbose:
        say_timing(run)
    return exit_code(req, findings, errors, run.results, setup.catalogue)
