"""The `themis-lint` command (CLI.md). Heavy modules are imported only inside commands."""
from __future__ import annotations

import difflib
import os
import sys
from dataclasses import dataclass

import click

from themis_lint import __version__

FORMATS = ("text", "json", "sarif", "github", "junit")
TOOL_CODES = ("TH900", "TH901")  # reported by the engine and the CLI, not by a pack change
UNUSED_SUPPRESSION = "TH901"


class UsageProblem(click.ClickException):
    """Exit 2 with a one-line reason (CLI.md "Exit codes")."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"themis-lint: error: {self.message}", err=True)


@dataclass
class Setup:
    """Everything a command needs that options and project config decide."""

    ctx: object
    chain: list
    settings: object
    excludes: list[str]
    catalogue: dict


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
        click.option("--quiet", "-q", is_flag=True, help="Print findings only."),
        click.option("--no-progress", is_flag=True, help="No progress bar."),
        click.option("--no-cache", is_flag=True, help="Do not read or write the result cache."),
        click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto"),
        click.option("--max-file-size", type=click.IntRange(min=1), default=None,
                     help="Skip files larger than this many bytes (default 20 MiB)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _split(values) -> list[str]:
    return [v.strip().upper() for value in values or () for v in value.split(",") if v.strip()]


def resolve_selection(catalogue: dict, select: list[str] | None, extend: list[str], ignore: list[str]) -> frozenset:
    """Codes enabled: a selection (default: every rule on by default) plus extensions minus ignores."""
    for code in [*(select or []), *extend, *ignore]:
        if code != "ALL" and not any(c.startswith(code) for c in catalogue):
            hint = difflib.get_close_matches(code, catalogue, n=1)
            raise UsageProblem(f"unknown rule code {code!r}" + (f" (did you mean {hint[0]}?)" if hint else ""))

    def matching(prefixes):
        return {c for c in catalogue if any(p == "ALL" or c.startswith(p) for p in prefixes)}

    base = matching(select) if select else {c for c, r in catalogue.items() if r.default}
    return frozenset((base | matching(extend)) - matching(ignore))


def load_setup(from_version, to_version, select, extend_select, ignore, config_path, pack_paths) -> Setup:
    from pathlib import Path

    from themis_lint import packs, settings
    from themis_lint.context import Context
    from themis_lint.discovery import DEFAULT_EXCLUDES

    try:
        conf = settings.load(config_path or settings.find_config(os.getcwd()))
        catalogue = packs.load_catalogue()
        available = packs.available_packs(catalogue, [Path(p) for p in pack_paths])
        frm = from_version or conf.get("from")
        to = to_version or conf.get("to")
        chain = packs.resolve_chain(available, frm, to)
    except (settings.SettingsError, packs.PackError) as exc:
        raise UsageProblem(str(exc)) from exc
    pack = packs.merge(chain, frm, to)
    selected = resolve_selection(catalogue, _split(select) or [c.upper() for c in conf.get("select", [])] or None,
                                 _split(extend_select) + [c.upper() for c in conf.get("extend-select", [])],
                                 _split(ignore) + [c.upper() for c in conf.get("ignore", [])])
    rule_options = _rule_options(conf, pack, catalogue)
    ctx = Context(pack=pack, catalogue=catalogue, selected=selected,
                  config_files=list(conf.get("config-files", pack.config_files)),
                  overlay_files=list(conf.get("overlay-files", [])),
                  query_functions=list(conf.get("query-functions", pack.query_functions)),
                  known_keys=list(conf.get("known-keys", [])), rule_options=rule_options,
                  per_file_ignores={k: [c.upper() for c in v] for k, v in conf.get("per-file-ignores", {}).items()})
    excludes = list(conf.get("exclude", DEFAULT_EXCLUDES)) + list(conf.get("extend-exclude", []))
    return Setup(ctx, chain, conf, excludes, catalogue)


def _rule_options(conf, pack, catalogue) -> dict:
    options = {}
    for code, values in conf.get("rules", {}).items():
        if code not in catalogue:
            raise UsageProblem(f"{conf.path}: [rules.{code}]: unknown rule code")
        known = pack.rule_defaults(code)
        for key in values:
            if key not in known:
                hint = difflib.get_close_matches(key, known, n=1)
                raise UsageProblem(f"{conf.path}: [rules.{code}]: unknown option {key!r}"
                                   + (f" (did you mean {hint[0]!r}?)" if hint else ""))
        options[code] = dict(values)
    return options


# commands that live in their own modules, imported only when invoked (fast --version)
LAZY_COMMANDS = {"report": "themis_lint.compat_report:report", "migrate": "themis_lint.migrate:migrate"}


class LazyGroup(click.Group):
    def list_commands(self, ctx) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx, name):
        if name in LAZY_COMMANDS:
            import importlib

            module, attr = LAZY_COMMANDS[name].split(":")
            try:
                return getattr(importlib.import_module(module), attr)
            except ModuleNotFoundError:
                return None
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="themis-lint", message="%(prog)s %(version)s")
def main() -> None:
    """Find and rewrite ThemisDB upgrade breakage in client repositories."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@common_options
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix, also apply unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print the unified diff of the fixes; write nothing.")
@click.option("--output-format", type=click.Choice(FORMATS), default="text")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default="warning")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--keep-compatible-with", metavar="VERSION",
              help="Apply only fixes whose replacement already exists in this version.")
@click.option("--stdin-filename", metavar="NAME", help="Read the file from stdin and report it as NAME.")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), help="Report only new findings.")
@click.option("--write-baseline", "write_baseline_path", type=click.Path(dir_okay=False),
              help="Record the current findings as the baseline.")
@click.option("--show-stale", is_flag=True, help="With --baseline, report entries whose finding is gone (TH901).")
@click.option("--report-unused-suppressions", is_flag=True,
              help="Report ignore comments and baseline entries that matched nothing (TH901).")
def check(paths, from_version, to_version, select, extend_select, ignore, config_path, pack_paths, jobs, quiet,
          no_progress, no_cache, color, max_file_size, fix, unsafe_fixes, diff, output_format, fail_on, exit_zero,
          keep_compatible_with, stdin_filename, baseline_path, write_baseline_path, show_stale,
          report_unused_suppressions) -> None:
    """Find (and with --fix, rewrite) what breaks on the target version."""
    from themis_lint.checking import CheckRequest, run_check

    if report_unused_suppressions:  # like --extend-select TH901; an explicit --ignore still wins
        extend_select = (*extend_select, UNUSED_SUPPRESSION)
    setup = load_setup(from_version, to_version, select, extend_select, ignore, config_path, pack_paths)
    request = CheckRequest(paths=list(paths) or ["."], fix=fix or diff, unsafe=unsafe_fixes, diff=diff,
                           output_format=output_format, fail_on=fail_on, exit_zero=exit_zero,
                           keep_compatible_with=keep_compatible_with, stdin_filename=stdin_filename,
                           jobs=jobs or os.cpu_count() or 1, quiet=quiet, max_file_size=max_file_size,
                           baseline=baseline_path, write_baseline=write_baseline_path, no_cache=no_cache,
                           show_stale=show_stale, report_unused=report_unused_suppressions)
    sys.exit(run_check(setup, request))


@main.command("rules")
@click.option("--from", "from_version", metavar="VERSION")
@click.option("--to", "--target-version", "to_version", metavar="VERSION")
@click.option("--pack", "pack_paths", multiple=True, type=click.Path(dir_okay=False))
def rules_command(from_version, to_version, pack_paths) -> None:
    """The rules of the selected pack(s): code, slug, severity, fix safety, one line."""
    setup = load_setup(from_version, to_version, (), (), (), None, pack_paths)
    pack = setup.ctx.pack
    if not pack.changes:
        click.echo(f"themis-lint: no breaking changes between {pack.from_version} and {pack.to_version}", err=True)
    codes = {c.code for c in pack.changes} | set(TOOL_CODES)
    for code, rule in setup.catalogue.items():
        if code in codes:
            off = "" if rule.default else " (off unless selected)"
            click.echo(f"{code}  {rule.slug:<26} {rule.severity:<8} fix:{rule.fix:<7} {rule.summary}{off}")


@main.command("rule")
@click.argument("code")
def rule_command(code) -> None:
    """One rule's documentation: what it finds, why, example, fix safety, options."""
    from themis_lint import docs

    try:
        click.echo(docs.render_rule(code.upper()))
    except KeyError as exc:
        raise UsageProblem(str(exc.args[0])) from exc


@main.command("packs")
@click.option("--pack", "pack_paths", multiple=True, type=click.Path(dir_okay=False))
def packs_command(pack_paths) -> None:
    """The available version pairs."""
    from pathlib import Path

    from themis_lint import packs

    try:
        catalogue = packs.load_catalogue()
        available = packs.available_packs(catalogue, [Path(p) for p in pack_paths])
    except packs.PackError as exc:
        raise UsageProblem(str(exc)) from exc
    for pack in available:
        click.echo(f"{pack.from_version} → {pack.to_version}  {pack.name}  ({len(pack.changes)} changes)")
