"""Inline suppressions (docs/surfaces.md "Suppressions"): `themis-lint: ignore[CODES]` and `ignore-file`."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from themis_lint.model import Edit, Finding, Fix, Safety

# a comment marker (#, //, /*, --) somewhere before the directive on its line
_DIRECTIVE = re.compile(
    r"(?:#|//|/\*|--)[^\n]*?themis-lint:\s*ignore(?P<file>-file)?(?:\[(?P<codes>[A-Za-z0-9_, ]*)\])?")
ALL = frozenset({"*"})
# the same directive anywhere inside a `/* ... */` block (a JSDoc line ` * themis-lint: ...`,
# or the last line of a multi-line comment): _block_comments
_BARE = re.compile(r"themis-lint:\s*ignore(?P<file>-file)?(?:\[(?P<codes>[A-Za-z0-9_, ]*)\])?")


def _directive_matches(text: str) -> list:
    """Directives after a comment marker on their line, plus those inside block comments."""
    found = {m.start("codes") if m.group("codes") is not None else m.end(): m for m in _line_matches(text)}
    for start, end in _block_comments(text):
        for m in _BARE.finditer(text, start, end):
            key = m.start("codes") if m.group("codes") is not None else m.end()
            found.setdefault(key, m)
    return [found[k] for k in sorted(found)]


def _line_matches(text: str):
    """What `_DIRECTIVE.finditer(text)` finds, in linear time (issue 18 item 7): finditer tried
    every comment marker and scanned the rest of its line from each (a line of 20,000 `#` took
    seconds). Here markers are looked for once per stretch of a line, and a line is matched from
    its first marker at most once."""
    resume, at = 0, text.find(_KEY)
    seek, line_end = 0, -1  # no marker in [seek, at) on the line that ends at line_end
    while at != -1:
        if at > line_end:
            seek = max(text.rfind("\n", 0, at) + 1, resume)
            newline = text.find("\n", at)
            line_end = len(text) if newline == -1 else newline
        marks = [i for i in (text.find(m, seek, at) for m in _MARKERS) if i != -1]
        if not marks:
            seek, at = at, text.find(_KEY, at + 1)
            continue
        match = _DIRECTIVE.match(text, min(marks))
        if match is None:  # the match from the first marker tried every later one on this line
            at = text.find(_KEY, line_end)
            continue
        yield match
        resume = seek = match.end()
        at = text.find(_KEY, resume)


_KEY = "themis-lint:"


def _block_comments(text: str):
    r"""(start, end) of each `/* ... */`, as `/\*.*?\*/` with re.S would find them, in linear
    time: once a comment is left open, every later `/*` is inside it."""
    start = text.find("/*")
    while start != -1:
        end = text.find("*/", start + 2)
        if end == -1:
            return
        yield start, end + 2
        start = text.find("/*", end + 2)


@dataclass
class Suppressions:
    by_row: dict[int, frozenset[str]] = field(default_factory=dict)
    file_codes: frozenset[str] = frozenset()
    directive_rows: dict[int, tuple[int, int]] = field(default_factory=dict)  # row -> comment span

    def file_suppresses(self, code: str) -> bool:
        return _matches(self.file_codes, code)

    def suppresses(self, code: str, row: int) -> bool:
        if self.file_suppresses(code):
            return True
        return any(_matches(self.by_row.get(r, frozenset()), code) for r in (row, row - 1))


def _matches(codes: frozenset[str], code: str) -> bool:
    return "*" in codes or any(code.startswith(c) for c in codes)


def parse(text: str) -> Suppressions:
    """Collect directives; cheap when the file has none."""
    result = Suppressions()
    if "themis-lint:" not in text:
        return result
    row, counted = 1, 0
    for match in _directive_matches(text):  # in order: rows are counted once over the text
        if match.start() < counted:
            row, counted = 1, 0
        row += text.count("\n", counted, match.start())
        counted = match.start()
        raw = match.group("codes")
        codes = ALL if raw is None else frozenset(c.strip().upper() for c in raw.split(",") if c.strip())
        if match.group("file"):
            if row <= 10:
                result.file_codes = result.file_codes | codes
        else:
            result.by_row[row] = result.by_row.get(row, frozenset()) | codes
            result.directive_rows[row] = (match.start(), match.end())
    return result


# --- unused suppressions (TH901, docs/cli.md `--report-unused-suppressions`) ---

_LINE_DIRECTIVE = re.compile(r"themis-lint:[ \t]*ignore(?!-file)(?:\[(?P<codes>[A-Za-z0-9_, \t]*)\])?")
_MARKERS = ("#", "//", "/*", "--")


@dataclass(frozen=True)
class Directive:
    """One line-level `themis-lint: ignore[...]` directive and where its pieces are."""

    row: int
    start: int  # the directive text `themis-lint: ignore[...]`
    end: int
    codes: tuple[str, ...] | None  # None: a bare `ignore` (every code)
    list_start: int = 0  # inside the brackets
    list_end: int = 0


def directives(text: str) -> list[Directive]:
    """Line-level directives the engine honours (those after a comment marker)."""
    marks = parse(text)
    found = []
    for row, (start, end) in sorted(marks.directive_rows.items()):
        for match in _LINE_DIRECTIVE.finditer(text, start, end):
            raw = match.group("codes")
            codes = None if raw is None else tuple(c.strip().upper() for c in raw.split(",") if c.strip())
            found.append(Directive(row, match.start(), match.end(), codes or None,
                                   match.start("codes") if raw is not None else 0,
                                   match.end("codes") if raw is not None else 0))
    return found


def unused_codes(directive: Directive, rows: dict[int, set[str]], judged) -> tuple[str, ...] | None:
    """The directive's codes no finding on its row or the next used; None when all of it is used.

    `rows` maps a row to the codes found there; `judged(code)` says whether a code is checked in
    this run (a code that is not selected cannot prove its directive unused).
    """
    found = rows.get(directive.row, set()) | rows.get(directive.row + 1, set())
    if directive.codes is None:
        return () if not found else None
    stale = tuple(c for c in directive.codes if judged(c) and not any(f.startswith(c) for f in found))
    return stale or None


def removal_edits(text: str, directive: Directive, stale: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """Edits (start, end, content) removing the stale part: codes from a list, else the directive,
    its comment when the comment holds nothing else, and the line when it holds only the comment."""
    if directive.codes is not None and stale and len(stale) < len(directive.codes):
        body = text[directive.list_start:directive.list_end]
        sep = ", " if ", " in body else ","
        kept = [c for c in (p.strip() for p in body.split(",")) if c and c.upper() not in stale]
        return [(directive.list_start, directive.list_end, sep.join(kept))]
    line_start = text.rfind("\n", 0, directive.start) + 1
    line_end = len(text) if (n := text.find("\n", directive.end)) == -1 else n
    marker_at = _comment_start(text[line_start:directive.start])
    if marker_at is None:  # prose between the marker and the directive: remove the directive only
        start = directive.start
        while start > line_start and text[start - 1] in " \t":
            start -= 1
        return [(start, directive.end, "")]
    comment_end = _comment_end(text, directive.end, line_end, text[line_start + marker_at:directive.start])
    if comment_end is None:  # prose after the directive: keep the comment, drop the directive
        end = directive.end
        while end < line_end and text[end] in " \t":
            end += 1
        return [(directive.start, end, "")]
    start = line_start + marker_at
    if not text[line_start:start].strip() and not text[comment_end:line_end].strip():
        full_end = line_end + 1 if line_end < len(text) else line_end
        if full_end == line_end and line_start > 0:  # last line without a newline: take the one before
            return [(line_start - 1, line_end, "")]
        return [(line_start, full_end, "")]
    while start > line_start and text[start - 1] in " \t":
        start -= 1
    return [(start, comment_end, "")]


def _comment_start(before: str) -> int | None:
    """Index in `before` of the marker that opens a comment holding only the directive."""
    stripped = before.rstrip(" \t")
    for marker in _MARKERS:
        if stripped.endswith(marker):
            return len(stripped) - len(marker)
    return None


def _comment_end(text: str, after_directive: int, line_end: int, marker: str) -> int | None:
    """End of the comment when nothing but the directive is in it, else None."""
    rest = text[after_directive:line_end]
    if marker.startswith("/*"):
        close = rest.find("*/")
        if close == -1 or rest[:close].strip():
            return None
        return after_directive + close + 2
    return line_end if not rest.strip() else None


def unused_findings(text: str, raw: list[Finding], judged) -> list[Finding]:
    """TH901 findings (offsets only) for directives that suppressed none of `raw`.

    `raw` are the file's findings before suppression, enabled codes only; `judged(code)` as in
    `unused_codes`. Each finding carries a safe fix removing what is stale.
    """
    found_directives = directives(text)
    if not found_directives:
        return []
    from themis_lint.text import LineIndex

    index = LineIndex(text)
    rows: dict[int, set[str]] = {}
    for f in raw:
        rows.setdefault(index.position(f.start)[0], set()).add(f.code)
    out = []
    for directive in found_directives:
        stale = unused_codes(directive, rows, judged)
        if stale is None:
            continue
        what = "`themis-lint: ignore`" if directive.codes is None else ", ".join(stale)
        message = f"Unused suppression: {what} matched no finding on this line or the next"
        edits = tuple(Edit(s, e, c) for s, e, c in removal_edits(text, directive, stale))
        fix = Fix(edits, Safety.SAFE, "Remove the unused suppression")
        out.append(Finding("TH901", message, directive.start, directive.end, fix=fix,
                           extra={"stale_codes": list(stale)}))
    return out
