"""Edits for JSON/YAML data files: replace a string's text by span, keeping its quotes and layout."""
from __future__ import annotations

from themis_lint.model import Edit


def replace_value(inner: int, old: str, new: str) -> Edit:
    """rules/docs/TH301-index-type-skiplist.md: `skiplist` -> `persistent` inside its quotes (or as a plain scalar)."""
    return Edit(inner, inner + len(old), new)
