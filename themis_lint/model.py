"""Findings, fixes and edits: the values every analyzer returns and the engine applies."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class Safety(str, Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"
    NONE = "none"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace text[start:end] (str offsets into the decoded file) with content."""

    start: int
    end: int
    content: str


@dataclass(frozen=True)
class Fix:
    """Edits that apply together or not at all."""

    edits: tuple[Edit, ...]
    safety: Safety
    message: str = ""


@dataclass
class Finding:
    """One reported construct; start/end are str offsets into the decoded file text."""

    code: str
    message: str
    start: int
    end: int
    fix: Fix | None = None
    # version from which the replacement exists (pack data), for --keep-compatible-with
    replacement_since: str | None = None
    # filled in by the engine
    path: str = ""
    row: int = 0
    column: int = 0
    end_row: int = 0
    end_column: int = 0
    matched: str = ""
    extra: dict = field(default_factory=dict)


class AnalysisError(Exception):
    """A surface could not parse a file; becomes one TH900 finding at (offset)."""

    def __init__(self, reason: str, offset: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.offset = offset
