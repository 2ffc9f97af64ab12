"""Run surfaces over one file's text, apply fixes in bounded passes, check the result re-parses."""
from __future__ import annotations

import bisect

import os
from dataclasses import dataclass, field, replace
from types import ModuleType

from themis_lint import suppress, surfaces
from themis_lint.context import Context
from themis_lint.model import AnalysisError, Edit, Finding, Fix, Safety
from themis_lint.packs import minor
from themis_lint.text import LineIndex
from themis_lint.writer import ChangedOnDisk, DecodeError, decode, encode, write_atomic

MAX_PASSES = 8  # chained packs need one pass per step; more means a fix that never converges
DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024


@dataclass
class Options:
    """How one run treats fixes."""

    fix: Safety | None = None  # None: report only; SAFE: --fix; UNSAFE: --fix --unsafe-fixes
    write: bool = True  # False for --diff and --stdin-filename
    keep_compatible_with: str | None = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE


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


def analyze(text: str, path: str, ctx: Context, modules: list[ModuleType]) -> list[Finding]:
    """Every finding of every wanting surface, TH900 for a surface that cannot parse the file."""
    found: list[Finding] = []
    for module in modules:
        try:
            found += module.analyze(text, path, ctx)
        except AnalysisError as exc:
            found.append(Finding("TH900", f"cannot parse as {module.NAME}: {exc.reason}", exc.offset,
                                 exc.offset))
        except RecursionError:
            found.append(Finding("TH900", f"cannot parse as {module.NAME}: nesting too deep", 0, 0))
        except Exception as exc:  # a bug in a surface: report it, never take the run down
            raise SurfaceCrash(f"internal error in the {module.NAME} surface: {type(exc).__name__}: {exc}") from exc
    return [f for f in found if ctx.enabled(f.code)]


class SurfaceCrash(Exception):
    """An analyzer raised something other than AnalysisError: the file is reported and left alone."""


def _prepare(findings: list[Finding], text: str, path: str, ctx: Context, options: Options) -> list[Finding]:
    """Drop suppressed findings, fill positions, apply --keep-compatible-with; sorted."""
    index = LineIndex(text)
    marks = suppress.parse(text)
    kept = []
    for f in findings:
        f.path = path
        f.row, f.column = index.position(f.start)
        f.end_row, f.end_column = index.position(max(f.end, f.start))
        f.matched = text[f.start:f.end]
        if marks.suppresses(f.code, f.row) or ctx.per_file_ignored(path, f.code):
            continue
        _keep_compatible(f, options.keep_compatible_with)
        if f.fix is not None:
            f.extra["edit_positions"] = [(e.content, index.position(e.start), index.position(e.end))
                                         for e in f.fix.edits]
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
    # CLI.md --keep-compatible-with: fixes whose replacement is newer become "needs a version switch"
    if version is None or f.fix is None or not f.replacement_since:
        return
    if minor(f.replacement_since) > minor(version):
        f.fix = None
        f.message += (f" (no fix: the replacement exists from {f.replacement_since}, not in {version};"
                      " switch on the server version in code)")
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


def _parse_problem(text: str, path: str, modules: list[ModuleType]) -> str | None:
    for module in modules:
        problem = module.parse_error(text, path)
        if problem:
            return f"{module.NAME}: {problem}"
    return None


def check_source(text: str, path: str, ctx: Context, options: Options,
                 modules: list[ModuleType] | None = None) -> FileResult:
    """Findings for one decoded file; with options.fix, the fixed text too (nothing written)."""
    if modules is None:  # as check_file does: a file without trigger literals is never parsed
        modules = surfaces.prefiltered(path, text.encode("utf-8", "surrogatepass"), ctx, surfaces.wanting(path, ctx))
    result = FileResult(path=path, original=text, parsed=True)
    findings = _prepare(analyze(text, path, ctx, modules), text, path, ctx, options)
    if options.fix is None or not any(applicable(f, options.fix) for f in findings):
        result.findings = findings
        return result
    current, dropped = text, set()
    for _ in range(MAX_PASSES):
        todo = [f for f in findings if applicable(f, options.fix) and (f.code, f.message) not in dropped]
        # lower codes win overlaps: renames (TH101) before inserts (TH102) before removals
        todo.sort(key=lambda f: (f.code, f.start))
        if not todo:
            break
        current = _one_pass(current, path, todo, modules, result, dropped)
        findings = _prepare(analyze(current, path, ctx, modules), current, path, ctx, options)
    else:
        result.errors.append(f"{path}: fix did not converge after {MAX_PASSES} passes; left as it was")
        result.findings = _prepare(analyze(text, path, ctx, modules), text, path, ctx, options)
        result.fixes_applied, result.applied_codes = 0, {}
        return result
    result.findings = findings
    if current != text:
        result.fixed = current
    return result


def _one_pass(text: str, path: str, todo: list[Finding], modules: list[ModuleType],
              result: FileResult, dropped: set) -> str:
    """Apply the chosen fixes; when together they break the parse, add them one by one.

    A fix that breaks the parse on its own is dropped for good (internal error naming the
    rule); one that only clashes with another waits for the next pass.
    """
    chosen = choose([f.fix for f in todo])
    by_fix = {id(f.fix): f for f in todo}
    new = apply_fixes(text, chosen)
    if _parse_problem(new, path, modules) and not _parse_problem(text, path, modules):
        good: list[Fix] = []
        for fix in chosen:
            if not _parse_problem(apply_fixes(text, good + [fix]), path, modules):
                good.append(fix)
            elif problem := _parse_problem(apply_fixes(text, [fix]), path, modules):
                finding = by_fix[id(fix)]
                dropped.add((finding.code, finding.message))
                result.errors.append(f"{path}: internal error: {finding.code} fix dropped, "
                                     f"its output does not parse ({problem})")
        chosen, new = good, apply_fixes(text, good)
    for fix in chosen:
        code = by_fix[id(fix)].code
        result.fixes_applied += 1
        result.applied_codes[code] = result.applied_codes.get(code, 0) + 1
    return new


def check_file(path: str, display: str, ctx: Context, options: Options, explicit: bool = False,
               data: bytes | None = None, modules: list[ModuleType] | None = None) -> FileResult:
    """Read, prefilter, analyze and (when fixing and allowed) atomically write one file.

    A caller that has read the file and prefiltered it already (the runner) passes `data` and
    the surfaces that kept it: nothing is read or prefiltered twice.
    """
    result = FileResult(path=display)
    prefiltered = data is not None and modules is not None
    modules = modules if prefiltered else surfaces.wanting(display, ctx)
    if not modules:
        return result
    if options.fix is not None and options.write and os.path.islink(path):
        # only an explicitly named file can be a symlink: checked, never written through
        result = check_file(path, display, ctx, replace(options, fix=None), explicit, data,
                            modules if prefiltered else None)
        if any(applicable(f, options.fix) for f in result.findings):
            result.infos.append(f"{display}: not fixed: it is a symlink, and themis-lint never writes "
                                "through one; fix the file it points to")
        return result
    if data is None:
        try:
            size = os.path.getsize(path)
            if size > options.max_file_size:
                result.infos.append(f"{display}: skipped: {size} bytes is over the "
                                    f"{options.max_file_size}-byte limit (--max-file-size)")
                return result
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            result.errors.append(f"{display}: cannot read: {exc.strerror or exc}")
            return result
    if not prefiltered:
        modules = surfaces.prefiltered(display, data, ctx, modules)
    if not modules:
        return result
    try:
        decoded = decode(data, display)
    except DecodeError as exc:
        result.findings = [_th900(display, str(exc))] if ctx.enabled("TH900") else []
        return result
    try:
        result = check_source(decoded.text, display, ctx, options, modules)
    except SurfaceCrash as exc:
        result.errors.append(f"{display}: {exc}; file left unchanged")
        return result
    if result.fixed is not None and options.write:
        try:
            write_atomic(path, encode(result.fixed, decoded), expected=data)
        except (ChangedOnDisk, OSError) as exc:
            result.errors.append(f"{display}: not written: {getattr(exc, 'strerror', None) or exc}")
            result.fixed, result.fixes_applied, result.applied_codes = None, 0, {}
    if options.write:  # nothing downstream needs the texts: keep worker results small
        result.original = result.fixed = None if result.fixed is None else ""
    return result


def _th900(display: str, reason: str) -> Finding:
    f = Finding("TH900", f"cannot read as text: {reason}", 0, 0, path=display, row=1, column=1,
                end_row=1, end_column=1)
    return f
