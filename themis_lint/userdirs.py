"""Where themis-lint keeps what it caches: outside any checked tree."""
from __future__ import annotations

import os

CACHE_ENV = "THEMIS_LINT_CACHE_DIR"


def cache_folder() -> str:
    """Outside the scanned tree, so a check never changes a repository (the acceptance run checks
    that a second run leaves every byte alone): $THEMIS_LINT_CACHE_DIR, else the XDG cache folder."""
    if os.environ.get(CACHE_ENV):
        return os.environ[CACHE_ENV]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "themis-lint")
