"""Shared fixtures, and the hypothesis profiles.

CI runs the property tests derandomized (`ci`, the default): the same examples every run, so CI
is never flaky on a real bug; every example a property test ever found is an explicit `@example`
on it (or a regression test), replayed first. `HYPOTHESIS_PROFILE=fuzz pytest tests/hardening`
explores at random with more examples and keeps what it finds in .hypothesis/ (not committed):
turn each into an `@example`.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("fuzz", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

from themis_lint.context import default_context


@pytest.fixture(scope="session")
def ctx():
    return default_context()


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """Each test gets its own result cache (the default lives in the user's cache folder)."""
    monkeypatch.setenv("THEMIS_LINT_CACHE_DIR", str(tmp_path_factory.mktemp("themis-lint-cache")))
