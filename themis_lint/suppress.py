"""Inline suppressions (RULES.md "Suppressions"): `themis-lint: ignore[CODES]` and `ignore-file`."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# a comment marker (#, //, /*, --) somewhere before the directive on its line
_DIRECTIVE = re.compile(
    r"(?:#|//|/\*|--)[^\n]*?themis-lint:\s*ignore(?P<file>-file)?(?:\[(?P<codes>[A-Za-z0-9_, ]*)\])?")
ALL = frozenset({"*"})


@dataclass
class Suppressions:
    by_row: dict[int, frozenset[str]] = field(default_factory=dict)
    file_codes: frozenset[str] = frozenset()
    directive_rows: dict[int, tuple[int, int]] = field(default_factory=dict)  # row -> comment span

    def suppresses(self, code: str, row: int) -> bool:
        if _matches(self.file_codes, code):
            return True
        return any(_matches(self.by_row.get(r, frozenset()), code) for r in (row, row - 1))


def _matches(codes: frozenset[str], code: str) -> bool:
    return "*" in codes or any(code.startswith(c) for c in codes)


def parse(text: str) -> Suppressions:
    """Collect directives; cheap when the file has none."""
    result = Suppressions()
    if "themis-lint:" not in text:
        return result
    for match in _DIRECTIVE.finditer(text):
        row = text.count("\n", 0, match.start()) + 1
        raw = match.group("codes")
        codes = ALL if raw is None else frozenset(c.strip().upper() for c in raw.split(",") if c.strip())
        if match.group("file"):
            if row <= 10:
                result.file_codes = result.file_codes | codes
        else:
            result.by_row[row] = result.by_row.get(row, frozenset()) | codes
            result.directive_rows[row] = (match.start(), match.end())
    return result
