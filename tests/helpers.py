"""Running the engine on text with the bundled pack (shared by the tests)."""
from __future__ import annotations

from themis_lint.context import default_context
from themis_lint.pipeline import FileResult, Options, check_source
from themis_lint.model import Safety


def run(text: str, path: str, level: Safety | None = None, select=None, **settings) -> FileResult:
    """check_source with the bundled pack; `select` narrows the enabled codes."""
    context = default_context(select=frozenset(select) if select else None, **settings)
    return check_source(text, path, context, Options(fix=level))


def fix(text: str, path: str, level: Safety = Safety.UNSAFE, select=None, **settings) -> str:
    result = run(text, path, level, select, **settings)
    return text if result.fixed is None else result.fixed


def invoke(*args: str, input=None):
    """The CLI in-process (click's runner), exceptions raised rather than turned into exit codes."""
    from click.testing import CliRunner

    from themis_lint.cli import main

    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def check_file(path: str, display: str, ctx, options: Options) -> FileResult:
    """One real file through the runner: read, pipeline, and with a fix level the one writer."""
    from themis_lint.discovery import Target
    from themis_lint.runner import process_file

    return process_file(Target(path, display, False), ctx, options)
