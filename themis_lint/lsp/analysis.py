"""What a worker process computes for the server: LSP-ready findings, fix-all and suppression edits.

Every answer comes from `pipeline.check_source` with the Setup that `check` would use for the
file (project.Projects: the closest config at or above it), so an editor never shows or
writes anything the CLI would not. Values here are plain and picklable: they cross a pipe.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace

from themis_lint.lsp.positions import LspLines
from themis_lint.model import Edit

SEVERITIES = {"error": 1, "warning": 2, "info": 3}  # lsprotocol DiagnosticSeverity values
Range = tuple[tuple[int, int], tuple[int, int]]


@dataclass(frozen=True)
class Job:
    kind: str  # "check" | "fixall" | "suppress"
    path: str  # absolute: which config governs it
    display: str  # the name `check` would report (relative to the workspace folder)
    text: str
    encoding: str
    generation: int  # bumped when configs or packs change: a worker then reloads them
    target: tuple[str, int] = ("", 0)  # suppress: (code, start offset) of the finding


@dataclass(frozen=True)
class FixView:
    safety: str  # "safe" | "unsafe"
    title: str
    edits: tuple[tuple[Range, str], ...]


@dataclass(frozen=True)
class Item:
    """One finding as a diagnostic: what `check` reports, in LSP positions."""

    code: str
    message: str
    severity: int
    url: str | None  # None: a pack's own code that declares no `url`
    range: Range
    start: int
    fix: FixView | None = None


@dataclass(frozen=True)
class ConfigProblem:
    config: str | None  # the config file to put the diagnostic on (None: not known)
    line: int  # 0-based
    message: str


@dataclass
class Outcome:
    items: list[Item] = field(default_factory=list)
    edits: list[tuple[Range, str]] = field(default_factory=list)
    problem: ConfigProblem | None = None
    config: str | None = None  # the config governing the file (None: defaults)
    errors: list[str] = field(default_factory=list)
    note: str | None = None  # why nothing was analysed (too large, claimed by no surface)


_state: dict = {"generation": None, "projects": None}


def run(job: Job) -> Outcome:
    """One job, in whichever process runs it."""
    from themis_lint.project import ProjectError

    projects = _projects(job.generation)
    try:
        config = projects.config_for(job.path)
    except ProjectError as exc:
        return Outcome(problem=config_problem(str(exc), None))
    try:
        setup = projects.setup_for(job.path)
    except ProjectError as exc:
        return Outcome(problem=config_problem(str(exc), config), config=config)
    outcome = {"check": check, "fixall": fix_all, "suppress": suppression}[job.kind](job, setup.ctx)
    outcome.config = config
    return outcome


def _projects(generation: int):
    from themis_lint.project import Projects

    if _state["generation"] != generation:
        _state["projects"], _state["generation"] = Projects(), generation
    return _state["projects"]


def _too_large(job: Job) -> str | None:
    from themis_lint.pipeline import DEFAULT_MAX_FILE_SIZE

    size = len(job.text.encode("utf-8", "surrogatepass"))
    if size > DEFAULT_MAX_FILE_SIZE:  # as `check` skips it (README "Limits")
        return f"{job.display}: skipped, {size} bytes is over the {DEFAULT_MAX_FILE_SIZE} byte limit"
    return None


def _result(job: Job, ctx, fix):
    """`check_source` on the buffer. A buffer that starts with U+FEFF (a client that sends the
    file's byte-order mark as text) is analysed without it, as `check` decodes the file, and
    the offsets moved past it: the client counts it as the line's first character."""
    from themis_lint.pipeline import Options, check_source

    if not job.text.startswith(BOM):
        return check_source(job.text, job.display, ctx, Options(fix=fix, write=False))
    result = check_source(job.text[1:], job.display, ctx, Options(fix=fix, write=False))
    for f in result.findings:
        f.start, f.end = f.start + 1, f.end + 1
        if f.fix is not None:
            f.fix = replace(f.fix, edits=tuple(Edit(e.start + 1, e.end + 1, e.content) for e in f.fix.edits))
    result.original = job.text
    if result.fixed is not None:
        result.fixed = BOM + result.fixed
    return result


BOM = "\ufeff"


def check(job: Job, ctx) -> Outcome:
    """Findings as `check --stdin-filename` reports them."""
    from themis_lint import surfaces

    if not surfaces.wanting(job.display, ctx):
        return Outcome(note="claimed by no surface")
    if note := _too_large(job):
        return Outcome(note=note)
    result = _result(job, ctx, None)
    lines = LspLines(job.text, job.encoding)
    return Outcome(items=[item(f, ctx.catalogue, lines) for f in result.findings], errors=list(result.errors))


def item(f, catalogue: dict, lines: LspLines) -> Item:
    from themis_lint.model import Safety
    from themis_lint.report import rule_url

    rule = catalogue[f.code]
    fix = None
    if f.fix is not None and f.fix.safety is not Safety.NONE:
        title = f.fix.message or f"Fix {f.code}"
        if f.fix.safety is Safety.UNSAFE:
            title += " (unsafe)"
        edits = tuple((span(lines, e.start, e.end), e.content) for e in f.fix.edits)
        fix = FixView(f.fix.safety.value, f"{f.code}: {title}", edits)
    return Item(f.code, f.message, SEVERITIES[rule.severity], rule_url(rule), span(lines, f.start, max(f.start, f.end)),
                f.start, fix)


def span(lines: LspLines, start: int, end: int) -> Range:
    return lines.position(start), lines.position(end)


def fix_all(job: Job, ctx) -> Outcome:
    """`check --fix` on the buffer: its fixed text as one edit over the part that changed."""
    from themis_lint import surfaces
    from themis_lint.model import Safety

    if not surfaces.wanting(job.display, ctx) or _too_large(job):
        return Outcome()
    result = _result(job, ctx, Safety.SAFE)
    if result.fixed is None or result.errors:
        return Outcome(errors=list(result.errors))
    start, end, new_end = changed_span(job.text, result.fixed)
    lines = LspLines(job.text, job.encoding)
    return Outcome(edits=[(span(lines, start, end), result.fixed[start:new_end])])


def changed_span(old: str, new: str) -> tuple[int, int, int]:
    """[start, end) in `old` replaced by new[start:new_end]: common prefix and suffix kept,
    never splitting a CRLF (an LSP position cannot stand between its two characters)."""
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    if 0 < start and old[start - 1] == "\r":
        start -= 1
    tail = 0
    while tail < limit - start and old[len(old) - 1 - tail] == new[len(new) - 1 - tail]:
        tail += 1
    if tail and old[len(old) - tail] == "\n" and len(old) - tail > start and old[len(old) - tail - 1] == "\r":
        tail -= 1
    return start, len(old) - tail, len(new) - tail


def suppression(job: Job, ctx) -> Outcome:
    """The edit adding `themis-lint: ignore[CODE]` for one finding, when the file allows one."""
    from themis_lint.lsp.suppressing import family, suppression_edit

    code, offset = job.target
    is_config = ctx.matches(job.display, ctx.config_files)
    edit = suppression_edit(job.text, job.display, code, offset, family(job.display, is_config))
    if edit is None:
        return Outcome()
    if edit.start == 0 and job.text.startswith(BOM):  # a comment above line 1 goes after the mark
        edit = Edit(1, max(1, edit.end), edit.content)
    lines = LspLines(job.text, job.encoding)
    return Outcome(edits=[(span(lines, edit.start, edit.end), edit.content)])


def config_problem(message: str, config: str | None) -> ConfigProblem:
    """Which config file a one-line ProjectError is about, and the line it names or quotes."""
    named = re.match(r"(.+?\.toml):(?:(\d+):)?", message)
    if named and os.path.isfile(named.group(1)):
        config = named.group(1)
        if named.group(2):
            return ConfigProblem(config, int(named.group(2)) - 1, message)
    return ConfigProblem(config, _quoted_line(config, message), message)


def _quoted_line(config: str | None, message: str) -> int:
    """The first line of the config holding a value the message quotes ('TH999', `from`)."""
    if config is None:
        return 0
    try:
        with open(config, encoding="utf-8") as handle:
            rows = handle.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    for quoted in re.findall(r"'([^']+)'|`([^`]+)`|\[([^\]]+)\]", message):
        needle = next(q for q in quoted if q)
        for number, row in enumerate(rows):
            if needle in row:
                return number
    return 0
