"""The one per-file pipeline: a file's bytes (or text) and name in, findings and fixed text out.

prefilter -> decode (TH900) -> analysis -> fixes in bounded passes, each re-analysed and
re-parsed -> suppressions -> TH901, judged from the last pass's raw findings. It never reads
or writes a file: `runner.process_file` reads one and hands a fixed text to the one writer
(`writer.write_fixed`); stdin, `--diff`, `migrate --dry-run` and the language server use the
result as it is (docs/ARCHITECTURE.md "How one file flows").
"""
from __future__ import annotations

import bisect
import time
from dataclasses import dataclass, field
from types import ModuleType

from themis_lint import suppress, surfaces
from themis_lint.context import Context
from themis_lint.model import AnalysisError, Edit, Finding, Fix, Safety
from themis_lint.packs import minor
from themis_lint.parse.source import Source
from themis_lint.text import LineIndex
from themis_lint.writer import DecodeError, decode

MAX_PASSES = 8  # chained packs need one pass per step; more means a fix that never converges
DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024


@dataclass
class Options:
    """How one run treats fixes."""

    fix: Safety | None = None  # None: report only; SAFE: --fix; UNSAFE: --fix --unsafe-fixes
    write: bool = True  # False for --diff and --stdin-filename
    keep_compatible_with: str | None = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    # when the run began: temp files a killed run left are those older than this (writer)
    started: float = field(default_factory=time.time, compare=False)


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    original: str | None = None
    fixed: str | None = None  # the fixed text when it differs from the original
    fixes_applied: int = 0
    applied_codes: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    parsed: bool = False
    encoding: str = "utf-8"  # how the fixed text goes back to bytes (writer.Decoded)
    bom: bytes = b""
    written: str | None = None  # sha256 of the bytes the writer wrote (migrate's resume record)
    skipped: bool = False  # not analysed at all (over --max-file-size): the run did not check it

    def fixed_bytes(self) -> bytes | None:
        return None if self.fixed is None else self.bom + self.fixed.encode(self.encoding)


def analyze(text: str, path: str, ctx: Context, modules: list[ModuleType]) -> list[Finding]:
    """Every finding of every wanting surface, TH900 for a surface that cannot parse the file.
    The surfaces share one Source: one line index, each parse made once (parse/source.py)."""
    found: list[Finding] = []
    source = Source(text, path)
    for module in modules:
        try:
            found += module.analyze(source, ctx)
        except AnalysisError as exc:
            if any(f.code == "TH900" and f.start == exc.offset for f in found):
                continue  # two surfaces reading one YAML text: its parse error once
            found.append(Finding("TH900", f"cannot parse as {module.NAME}: {exc.reason}", exc.offset,
                                 exc.offset))
        except RecursionError:
            found.append(Finding("TH900", f"cannot parse as {module.NAME}: nesting too deep", 0, 0))
        except Exception as exc:  # a bug in a surface: report it, never take the run down
            raise SurfaceCrash(f"internal error in the {module.NAME} surface: {type(exc).__name__}: {exc}") from exc
    return [f for f in found if ctx.enabled(f.code)]


class SurfaceCrash(Exception):
    """An analyzer raised something other than AnalysisError: the file is reported and left alone."""


def place(f: Finding, index: LineIndex, path: str) -> None:
    """Fill a finding's path, positions, matched text and its edits' positions."""
    f.path = path
    f.row, f.column = index.position(f.start)
    f.end_row, f.end_column = index.position(max(f.end, f.start))
    f.matched = index.text[f.start:f.end]
    if f.fix is not None:
        f.extra["edit_positions"] = [(e.content, index.position(e.start), index.position(e.end))
                                     for e in f.fix.edits]


def _prepare(findings: list[Finding], text: str, path: str, ctx: Context, options: Options) -> list[Finding]:
    """Drop suppressed findings, fill positions, apply --keep-compatible-with; sorted."""
    index = LineIndex(text)
    marks = suppress.parse(text)
    kept = []
    for f in findings:
        place(f, index, path)
        if marks.suppresses(f.code, f.row) or ctx.per_file_ignored(path, f.code):
            continue
        _keep_compatible(f, options.keep_compatible_with)
        kept.append(f)
    order = {code: i for i, code in enumerate(ctx.catalogue)}
    # ties keep the analyzers' order, which follows the pack's order of changes
    kept.sort(key=lambda f: (f.start, f.end, order.get(f.code, 99)))
    return _dedupe(kept)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Two surfaces may see the same string (a URL in a YAML value and a shell word): report once."""
    seen, out = set(), []
    for f in findings:
        key = (f.code, f.start, f.end, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _keep_compatible(f: Finding, version: str | None) -> None:
    # docs/cli.md --keep-compatible-with: fixes whose replacement is newer become "needs a version switch"
    if version is None or f.fix is None or not f.replacement_since:
        return
    if minor(f.replacement_since) > minor(version):
        f.fix = None
        f.extra.pop("edit_positions", None)
        f.message += (f" (no fix: the replacement exists from {f.replacement_since}, not in {version}; change it"
                      f" once every server runs {f.replacement_since}, or switch on the server version in code)")
        f.extra["version_switch"] = True


def applicable(f: Finding, level: Safety | None) -> bool:
    if f.fix is None or level is None or f.fix.safety is Safety.NONE:
        return False
    return f.fix.safety is Safety.SAFE or level is Safety.UNSAFE


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end == b.start == b.end:
        # two insertions at one offset: their order is only right once the first is in the text
        # (a key for an existing section must not land after a new section inserted there), so
        # the second waits for the next pass and is placed by a fresh analysis
        return True
    if a.start == a.end or b.start == b.end:  # insertions conflict only strictly inside a replacement
        return a.start < b.end and b.start < a.end and not (a.start == b.start or a.end == b.end)
    return a.start < b.end and b.start < a.end


def choose(fixes: list[Fix]) -> list[Fix]:
    """Non-overlapping fixes in order; the others wait for the next pass.

    Taken edits stay sorted by start; they are disjoint, so their ends are sorted too and only
    the few just before an edit's end can overlap it (n log n for files with thousands of fixes).
    """
    chosen: list[Fix] = []
    starts: list[int] = []
    taken: list[Edit] = []
    for fix in fixes:
        if any(_clashes(e, starts, taken) for e in fix.edits):
            continue
        chosen.append(fix)
        for e in fix.edits:
            at = bisect.bisect_right(starts, e.start)
            starts.insert(at, e.start)
            taken.insert(at, e)
    return chosen


def _clashes(edit: Edit, starts: list[int], taken: list[Edit]) -> bool:
    j = bisect.bisect_right(starts, edit.end) - 1
    while j >= 0 and taken[j].end >= edit.start:
        if _overlaps(edit, taken[j]):
            return True
        j -= 1
    return False


def apply_fixes(text: str, fixes: list[Fix]) -> str:
    """Apply non-overlapping fixes' edits; equal positions keep fix order."""
    edits = [(e.start, e.end, seq, e.content) for seq, fix in enumerate(fixes) for e in fix.edits]
    edits.sort()
    pieces, at = [], 0
    for start, end, _, content in edits:
        pieces.append(text[at:start])
        pieces.append(content)
        at = max(at, end)
    pieces.append(text[at:])
    return "".join(pieces)


def _parse_problem(text: str, path: str, modules: list[ModuleType], original: str) -> str | None:
    """Why a fixed text does not parse for a surface, or holds a duplicate key `original` did not."""
    for module in modules:
        problem = module.parse_error(text, path, original=original)
        if problem:
            return f"{module.NAME}: {problem}"
    return None


def check_bytes(data: bytes, path: str, ctx: Context, options: Options,
                modules: list[ModuleType] | None = None) -> FileResult:
    """The pipeline from a file's bytes: prefilter (unless the caller did), decode, check_source.

    Bytes that are not text are one TH900 finding. Nothing is written.
    """
    if modules is None:
        modules = surfaces.prefiltered(path, data, ctx, surfaces.wanting(path, ctx))
    if not modules:
        return FileResult(path=path)
    try:
        decoded = decode(data, path)
    except DecodeError as exc:
        return FileResult(path=path, findings=[_th900(path, str(exc))] if ctx.enabled("TH900") else [])
    result = check_source(decoded.text, path, ctx, options, modules)
    result.encoding, result.bom = decoded.encoding, decoded.bom
    return result


def check_source(text: str, path: str, ctx: Context, options: Options,
                 modules: list[ModuleType] | None = None) -> FileResult:
    """Findings for one decoded file; with options.fix, the fixed text too (nothing written).

    A surface that crashes (a bug, not a parse error) costs this file: one error line, no
    findings, no fix.
    """
    if modules is None:  # as check_bytes does: a file without trigger literals is never parsed
        modules = surfaces.prefiltered(path, text.encode("utf-8", "surrogatepass"), ctx, surfaces.wanting(path, ctx))
    try:
        return _passes(text, path, ctx, options, modules)
    except SurfaceCrash as exc:
        return FileResult(path=path, original=text, errors=[f"{path}: {exc}; file left unchanged"])


def _passes(text: str, path: str, ctx: Context, options: Options, modules: list[ModuleType]) -> FileResult:
    result = FileResult(path=path, original=text, parsed=True)
    raw = analyze(text, path, ctx, modules)
    findings = _prepare(raw, text, path, ctx, options)
    current = text
    dropped: dict[tuple[str, str], str] = {}  # (code, message) -> why its fix cannot be made
    if options.fix is not None and any(applicable(f, options.fix) for f in findings):
        for _ in range(MAX_PASSES):
            todo = [f for f in findings if applicable(f, options.fix) and (f.code, f.message) not in dropped]
            # lower codes win overlaps: renames (TH101) before inserts (TH102) before removals
            todo.sort(key=lambda f: (f.code, f.start))
            if not todo:
                break
            current = _one_pass(current, path, todo, modules, result, dropped)
            raw = analyze(current, path, ctx, modules)
            findings = _prepare(raw, current, path, ctx, options)
        else:
            result.errors.append(f"{path}: fix did not converge after {MAX_PASSES} passes; left as it was")
            result.findings = _prepare(analyze(text, path, ctx, modules), text, path, ctx, options)
            result.fixes_applied, result.applied_codes = 0, {}
            return result
    for f in findings:
        if (f.code, f.message) in dropped:
            f.message += f" (no fix: the fixed file would not parse: {dropped[f.code, f.message]})"
            f.fix = None
            f.extra.pop("edit_positions", None)
    if ctx.enabled("TH901"):
        current, findings = _unused_suppressions(current, path, ctx, options, modules, raw, findings, result)
    result.findings = findings
    if current != text:
        result.fixed = current
    return result


def _unused_suppressions(text: str, path: str, ctx: Context, options: Options, modules: list[ModuleType],
                         raw: list[Finding], findings: list[Finding], result: FileResult) -> tuple[str, list[Finding]]:
    """TH901 (docs/cli.md --report-unused-suppressions): directives that suppressed none of the last
    pass's raw findings; with a fix level, their safe removal (checked to re-parse like any fix)."""
    marks = suppress.parse(text)
    if marks.file_suppresses("TH901") or ctx.per_file_ignored(path, "TH901"):
        return text, findings
    raw = [f for f in raw if not ctx.per_file_ignored(path, f.code)]
    unused = suppress.unused_findings(text, raw, lambda code: _judged(ctx, code))
    if not unused:
        return text, findings
    index = LineIndex(text)
    for f in unused:
        place(f, index, path)
    fixes = choose([f.fix for f in unused if applicable(f, options.fix)])
    new = apply_fixes(text, fixes) if fixes else text
    if fixes and _parse_problem(new, path, modules, text):
        new, fixes = text, []
    if fixes:
        result.fixes_applied += len(fixes)
        result.applied_codes["TH901"] = result.applied_codes.get("TH901", 0) + len(fixes)
    taken = {id(x) for x in fixes}  # a set: comparing each with each was quadratic (issue 18 item 7)
    left = [f for f in unused if id(f.fix) not in taken]
    return new, sorted(findings + left, key=lambda f: (f.start, f.end))


def _judged(ctx: Context, code: str) -> bool:
    """A directive code proves unused only when every rule it names is checked in this run, and
    it names one: a code this run does not know may be a pack's it did not load (`--pack`)."""
    named = [c for c in ctx.catalogue if c.startswith(code) and c != "TH901"]
    return bool(named) and all(ctx.enabled(c) for c in named)


def _one_pass(text: str, path: str, todo: list[Finding], modules: list[ModuleType],
              result: FileResult, dropped: dict) -> str:
    """Apply the chosen fixes; when together they break the parse, add them one by one.

    A fix that breaks the parse on its own is dropped for good: its finding stays, without a fix,
    saying why. One that only clashes with another waits for the next pass.
    """
    chosen = choose([f.fix for f in todo])
    by_fix = {id(f.fix): f for f in todo}
    new = apply_fixes(text, chosen)
    if _parse_problem(new, path, modules, text) and not _parse_problem(text, path, modules, text):
        good: list[Fix] = []
        for fix in chosen:
            if not _parse_problem(apply_fixes(text, good + [fix]), path, modules, text):
                good.append(fix)
            elif problem := _parse_problem(apply_fixes(text, [fix]), path, modules, text):
                finding = by_fix[id(fix)]
                dropped[finding.code, finding.message] = problem
        chosen, new = good, apply_fixes(text, good)
    for fix in chosen:
        code = by_fix[id(fix)].code
        result.fixes_applied += 1
        result.applied_codes[code] = result.applied_codes.get(code, 0) + 1
    return new


def _th900(display: str, reason: str) -> Finding:
    return Finding("TH900", f"cannot read as text: {reason}", 0, 0, path=display, row=1, column=1,
                   end_row=1, end_column=1)
