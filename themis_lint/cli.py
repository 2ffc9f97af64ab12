"""The `themis-lint` command (docs/cli.md). Heavy modules are imported only inside commands."""
from __future__ import annotations

import os
import sys

import click

from themis_lint import __version__

FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab")
TOOL_CODES = ("TH900", "TH901")  # reported by the engine and the CLI, not by a pack change
UNUSED_SUPPRESSION = "TH901"


class RunError(click.ClickException):
    """A run that cannot go on (unreadable config, pack or baseline): exit 2 with
    `themis-lint: error: ...`. Bad options and arguments are click's usage errors instead
    (`Usage: ...` then `Error: ...`, exit 2): docs/ci-and-hooks.md "Exit codes and messages"."""

    exit_code = 2

    def show(self, file=None) -> None:
        from themis_lint.text import clean

        click.echo(f"themis-lint: error: {clean(self.message)}", err=True)


UsageProblem = RunError  # the name commands written before the two error styles use


def common_options(func):
    """Options every analysing command shares."""
    options = [
        click.option("--from", "from_version", metavar="VERSION", help="ThemisDB version upgraded from."),
        click.option("--to", "--target-version", "to_version", metavar="VERSION", help="Version upgraded to."),
        click.option("--select", multiple=True, help="Codes or prefixes to check (comma-separated)."),
        click.option("--extend-select", multiple=True, help="Codes or prefixes added to the selection."),
        click.option("--ignore", multiple=True, help="Codes or prefixes to skip."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Project config file."),
        click.option("--pack", "pack_paths", multiple=True, type=click.Path(dir_okay=False),
                     help="An extra rule pack file."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes."),
        click.option("--quiet", "-q", is_flag=True, help="Print findings only: no summary, no notes."),
        click.option("--max-file-size", type=click.IntRange(min=1), default=None,
                     help="Skip files larger than this many bytes (default 20 MiB)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def run_options(func):
    """`check` and `report`: the result cache, colour and what -v tells."""
    options = [
        click.option("--verbose", "-v", is_flag=True,
                     help="Say on stderr which config governed which files, which packs, and timing."),
        click.option("--no-cache", is_flag=True, help="Do not read or write the result cache."),
        click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
                     help="Colour the text output: auto (a terminal, unless NO_COLOR; FORCE_COLOR forces)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def use_color(choice: str) -> bool:
    """--color: explicit always/never win; auto honours NO_COLOR, then FORCE_COLOR, then the terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


class Group(click.Group):
    """Every command lives here and imports its part only when it runs (keeps --version fast);
    the parts raise ProjectError, which is a run error here (exit 2, one line)."""

    def invoke(self, ctx):
        from themis_lint.project import ProjectError

        try:
            return super().invoke(ctx)
        except ProjectError as exc:
            raise RunError(str(exc)) from exc
        except ModuleNotFoundError as exc:
            # a command's part is imported when it runs: a missing dependency is an install
            # problem to name, never "No such command" and never a bare traceback
            top = (exc.name or "").split(".")[0]
            if not top or top == "themis_lint":
                raise
            raise RunError(f"{ctx.invoked_subcommand}: needs the Python module {top!r}, which is not "
                           f"installed here; reinstall themis-lint with its dependencies") from exc


def _projects(from_version, to_version, select, extend_select, ignore, config_path, pack_paths):
    """The command line's options over every project config (project.Projects)."""
    from themis_lint.project import Overrides, Projects

    return Projects(Overrides(from_version, to_version, tuple(select), tuple(extend_select), tuple(ignore),
                              config_path, tuple(pack_paths)))


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="themis-lint", message="%(prog)s %(version)s")
def main() -> None:
    """Find and rewrite ThemisDB upgrade breakage in client repositories.

    Shell completion: eval "$(_THEMIS_LINT_COMPLETE=bash_source themis-lint)" (zsh_source, fish_source).
    """


def _stdin_name(paths: tuple, stdin_filename: str | None) -> tuple[list[str], str | None]:
    """`-` as a path means stdin, as in every linter; --stdin-filename names it."""
    if "-" not in paths and stdin_filename is None:
        return list(paths) or ["."], None
    others = [p for p in paths if p != "-"]
    if others:
        raise click.UsageError(f"stdin (`-` or --stdin-filename) is checked alone; also named: {others[0]}")
    return [], stdin_filename if stdin_filename is not None else "-"


def _check_usage(fix, unsafe_fixes, diff, output_format, output_file, sarif_category, statistics,
                 show_fixes) -> None:
    """Combinations that could only be ignored are usage errors (issue 14: an option does what it says)."""
    if unsafe_fixes and not (fix or diff):
        raise click.UsageError("--unsafe-fixes applies fixes: add --fix or --diff (the [~] markers and the "
                               "summary already show which unsafe fixes exist)")
    if diff and output_format != "text" and not output_file:
        raise click.UsageError(f"--diff prints the diff on stdout; write the {output_format} document with "
                               "--output-file FILE")
    if sarif_category is not None and output_format != "sarif":
        raise click.UsageError("--sarif-category is for --output-format sarif")
    if statistics and (output_format != "text" or diff):
        raise click.UsageError("--statistics prints a text table: not with --diff or another --output-format")
    if show_fixes and not (fix or diff):
        raise click.UsageError("--show-fixes lists what --fix (or --diff) changes: add one of them")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@common_options
@run_options
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff, also unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print the unified diff of the fixes on stdout; write nothing.")
@click.option("--show-fixes", is_flag=True, help="List what --fix changed (or --diff would), file by file.")
@click.option("--output-format", type=click.Choice(FORMATS), default="text")
@click.option("--output-file", "-o", type=click.Path(dir_okay=False),
              help="Write the report to FILE (atomically) instead of stdout.")
@click.option("--sarif-category", metavar="NAME",
              help="SARIF automationDetails.id: GitHub code scanning keeps one result set per category.")
@click.option("--statistics", is_flag=True, help="One line per code: count, code, fixability, slug.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default="warning")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--keep-compatible-with", metavar="VERSION",
              help="Apply only fixes whose replacement already exists in this version.")
@click.option("--stdin-filename", metavar="NAME", help="Read the file from stdin and report it as NAME.")
@click.option("--force-exclude", is_flag=True,
              help="Apply excludes, default excludes and .gitignore to named files too (for hooks).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), help="Report only new findings.")
@click.option("--write-baseline", "write_baseline_path", type=click.Path(dir_okay=False),
              help="Record the current findings as the baseline.")
@click.option("--show-stale", is_flag=True, help="With --baseline, report entries whose finding is gone (TH901).")
@click.option("--report-unused-suppressions", is_flag=True,
              help="Report ignore comments and baseline entries that matched nothing (TH901).")
def check(paths, from_version, to_version, select, extend_select, ignore, config_path, pack_paths, jobs, quiet,
          max_file_size, verbose, no_cache, color, fix, unsafe_fixes, diff, show_fixes, output_format, output_file,
          sarif_category, statistics, fail_on, exit_zero, keep_compatible_with, stdin_filename, force_exclude,
          baseline_path, write_baseline_path, show_stale, report_unused_suppressions) -> None:
    """Find (and with --fix, rewrite) what breaks on the target version. PATH `-` reads stdin."""
    from themis_lint.checking import CheckRequest, run_check

    _check_usage(fix, unsafe_fixes, diff, output_format, output_file, sarif_category, statistics, show_fixes)
    paths, stdin_name = _stdin_name(paths, stdin_filename)
    if report_unused_suppressions:  # like --extend-select TH901; an explicit --ignore still wins
        extend_select = (*extend_select, UNUSED_SUPPRESSION)
    projects = _projects(from_version, to_version, select, extend_select, ignore, config_path, pack_paths)
    setup = projects.setup_for(stdin_name if stdin_name not in (None, "-") else paths[0] if paths else ".")
    request = CheckRequest(projects=projects, paths=paths, fix=fix or diff, unsafe=unsafe_fixes, diff=diff,
                           output_format=output_format, fail_on=fail_on, exit_zero=exit_zero,
                           keep_compatible_with=keep_compatible_with, stdin_filename=stdin_name,
                           jobs=jobs or os.cpu_count() or 1, quiet=quiet, max_file_size=max_file_size,
                           baseline=baseline_path, write_baseline=write_baseline_path, no_cache=no_cache,
                           show_stale=show_stale, report_unused=report_unused_suppressions,
                           force_exclude=force_exclude, verbose=verbose, output_file=output_file,
                           sarif_category=sarif_category, statistics=statistics, show_fixes=show_fixes,
                           color=use_color(color) and output_format == "text" and not output_file)
    sys.exit(run_check(setup, request))


@main.command("rules")
@click.option("--from", "from_version", metavar="VERSION")
@click.option("--to", "--target-version", "to_version", metavar="VERSION")
@click.option("--pack", "pack_paths", multiple=True, type=click.Path(dir_okay=False))
def rules_command(from_version, to_version, pack_paths) -> None:
    """The rules of the selected pack(s): code, slug, severity, fix safety, one line."""
    from themis_lint.project import load_setup

    setup = load_setup(from_version, to_version, (), (), (), None, pack_paths)
    pack = setup.ctx.pack
    if not pack.changes:
        click.echo(f"themis-lint: no breaking changes between {pack.from_version} and {pack.to_version}", err=True)
    codes = {c.code for c in pack.changes} | set(TOOL_CODES)
    width = max(len(code) for code in codes)  # a pack's own codes may be longer than TH101
    for code, rule in setup.catalogue.items():
        if code in codes:
            off = "" if rule.default else " (off unless selected)"
            click.echo(f"{code:<{width}}  {rule.slug:<26} {rule.severity:<8} fix:{rule.fix:<7} {rule.summary}{off}")


@main.command("rule")
@click.argument("code")
@click.option("--pack", "pack_paths", multiple=True, type=click.Path(dir_okay=False),
              help="A rule pack whose own codes to document.")
def rule_command(code, pack_paths) -> None:
    """One rule's documentation: what it finds, why, example, fix safety, options."""
    from pathlib import Path

    from themis_lint import docs
    from themis_lint.packs import PackError

    try:
        click.echo(docs.render_rule(code.upper(), [Path(p) for p in pack_paths]))
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="CODE") from exc
    except PackError as exc:
        raise RunError(str(exc)) from exc


@main.command("schema")
@click.argument("kind", type=click.Choice(["pack", "config"]))
def schema_command(kind) -> None:
    """The JSON Schema of a rule pack or of the project config (for editors and CI checks)."""
    from themis_lint import schemas

    click.echo(schemas.render(schemas.pack_schema() if kind == "pack" else schemas.config_schema()), nl=False)


@main.command("packs")
@click.option("--pack", "pack_paths", multiple=True, type=click.Path(dir_okay=False))
def packs_command(pack_paths) -> None:
    """The available version pairs."""
    from pathlib import Path

    from themis_lint import packs
    from themis_lint.text import clean

    try:
        catalogue = packs.load_catalogue()
        available = packs.available_packs(catalogue, [Path(p) for p in pack_paths])
    except packs.PackError as exc:
        raise RunError(str(exc)) from exc
    for pack in available:
        click.echo(clean(f"{pack.from_version} → {pack.to_version}  {pack.name}  ({len(pack.changes)} changes)"))


@main.command("report")
@click.argument("paths", nargs=-1, type=click.Path())
@common_options
@run_options
@click.option("--output-format", type=click.Choice(["text", "json", "markdown"]), default="text")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default="warning")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
def report(paths, from_version, to_version, select, extend_select, ignore, config_path, pack_paths, jobs, quiet,
           max_file_size, verbose, no_cache, color, output_format, fail_on, exit_zero) -> None:
    """The compatibility report: one line per category, then the manual-review items."""
    from themis_lint.checking import CheckRequest, run_report

    projects = _projects(from_version, to_version, select, extend_select, ignore, config_path, pack_paths)
    setup = projects.setup_for(paths[0] if paths else ".")
    req = CheckRequest(projects=projects, paths=list(paths) or ["."], output_format=output_format, fail_on=fail_on,
                       exit_zero=exit_zero, jobs=jobs or os.cpu_count() or 1, quiet=quiet,
                       max_file_size=max_file_size, no_cache=no_cache, verbose=verbose,
                       color=use_color(color) and output_format == "text")
    sys.exit(run_report(setup, req))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@common_options
@click.option("--no-progress", is_flag=True, help="No progress display.")
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
@click.option("--ignore-repo-config", is_flag=True,
              help="Ignore the repositories' own configs: only the command line decides.")
@click.option("--repos-file", type=click.Path(dir_okay=False),
              help="Clone and migrate the repositories listed here, one per line: URL [BASE-BRANCH].")
@click.option("--workspace", type=click.Path(file_okay=False),
              help="Where --repos-file clones and the campaign state live (default: in the user cache).")
@click.option("--push", is_flag=True, help="With --repos-file: push the campaign branch (implies --commit).")
@click.option("--open-pr", type=click.Choice(["github", "gitlab"]),
              help="Open or update a pull/merge request per changed repository (implies --push).")
@click.option("--forge-url", metavar="URL", help="The forge's API base URL (GitHub Enterprise, self-hosted GitLab).")
@click.option("--draft", is_flag=True, help="With --open-pr: open drafts.")
@click.option("--status", "show_status", is_flag=True,
              help="Print the campaign state of the workspace (with --open-pr: each PR's state and checks).")
def migrate(paths, from_version, to_version, select, extend_select, ignore, config_path, pack_paths, jobs, quiet,
            max_file_size, no_progress, safe_only, dry_run, diff_dir, shard, allow_dirty,
            do_commit, branch, report_path, html_path, exit_zero, ignore_repo_config, repos_file, workspace, push,
            open_pr, forge_url, draft, show_status) -> None:
    """Apply every fix across many repositories: the bulk upgrade codemod."""
    from dataclasses import replace

    from themis_lint.migrate.git import GitError, valid_branch_name
    from themis_lint.migrate.run import MigrateRequest, parse_shard, run_migrate
    from themis_lint.project import Overrides, ProjectError, Projects, build_setup

    try:
        parsed_shard = parse_shard(shard) if shard is not None else None
    except ProjectError as exc:
        raise click.BadParameter(str(exc), param_hint="--shard") from exc
    do_commit = do_commit or push or bool(open_pr)
    _check_migrate_options(paths, dry_run, diff_dir, do_commit, repos_file, push, open_pr, forge_url, draft,
                           show_status)
    overrides = Overrides(from_version, to_version, tuple(select), tuple(extend_select), tuple(ignore), config_path,
                          tuple(pack_paths), ignore_configs=ignore_repo_config)
    # the campaign's version pair comes from the command line (or --config), never from the
    # folder it is started in; each repository then brings its own config (docs/migrate.md)
    setup = build_setup(overrides, config_path)
    pack = setup.ctx.pack
    projects = Projects(replace(overrides, from_version=pack.from_version, to_version=pack.to_version))
    branch = branch or f"themis-lint/{pack.from_version}-to-{pack.to_version}"
    try:
        if do_commit and not valid_branch_name(branch):
            raise click.BadParameter(f"{branch!r} is not a valid branch name", param_hint="--branch")
    except GitError as exc:
        raise UsageProblem(f"--commit needs git: {exc}") from exc
    req = MigrateRequest(paths=list(paths) or ["."], safe_only=safe_only, dry_run=dry_run, diff_dir=diff_dir,
                         jobs=jobs or os.cpu_count() or 1, shard=parsed_shard, allow_dirty=allow_dirty,
                         commit=do_commit, branch=branch, report=report_path, html=html_path, quiet=quiet,
                         progress=not no_progress, exit_zero=exit_zero, max_file_size=max_file_size,
                         ignore_repo_config=ignore_repo_config,
                         options={"select": list(select), "extend_select": list(extend_select),
                                  "ignore": list(ignore), "config": config_path, "packs": list(pack_paths),
                                  "ignore_repo_config": ignore_repo_config, "safe_only": safe_only,
                                  "branch": branch if do_commit else None})
    if show_status or repos_file:
        from themis_lint.migrate.campaign import Campaign, run_campaign
        from themis_lint.migrate.campaign import show_status as status

        campaign = Campaign(repos_file=repos_file, workspace=workspace, push=push or bool(open_pr), forge=open_pr,
                            forge_url=forge_url, draft=draft)
        sys.exit(status(setup, req, campaign) if show_status else run_campaign(setup, projects, req, campaign))
    sys.exit(run_migrate(setup, projects, req))


def _check_migrate_options(paths, dry_run, diff_dir, do_commit, repos_file, push, open_pr, forge_url, draft,
                           show_status) -> None:
    """Combinations that would not do what they say are usage errors (docs/migrate.md)."""
    if do_commit and (dry_run or diff_dir):
        raise UsageProblem("--commit (and --push, --open-pr) cannot be combined with --dry-run or --diff-dir")
    if (push or open_pr) and not repos_file and not show_status:
        raise UsageProblem("--push and --open-pr work on the clones of --repos-file only")
    if (forge_url or draft) and not open_pr:
        raise UsageProblem("--forge-url and --draft go with --open-pr")
    if repos_file and paths:
        raise UsageProblem("give repositories either as PATHs or with --repos-file, not both")
    if show_status and (paths or repos_file):
        raise UsageProblem("--status reads the campaign state of --workspace; it takes no repositories")
    if repos_file and not (do_commit or dry_run or diff_dir):
        raise UsageProblem("--repos-file needs --commit, --push or --open-pr (or --dry-run, --diff-dir): "
                           "changes left uncommitted in the workspace's clones would reach no one")


@main.command("merge-reports")
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="Write the merged JSON report here.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), help="Write the merged HTML dashboard here.")
def merge_reports_command(reports, report_path, html_path) -> None:
    """Merge the JSON reports of `migrate --shard K/N` runs into one fleet report."""
    from themis_lint.migrate.merge import merge_reports

    sys.exit(merge_reports(list(reports), report_path, html_path))


@main.command()
def server() -> None:
    """Run the language server on stdin/stdout (docs/editors.md)."""
    from themis_lint.lsp import serve

    sys.exit(serve())
