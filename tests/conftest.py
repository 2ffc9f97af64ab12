"""Shared fixtures."""
from __future__ import annotations

import pytest

from themis_lint.context import default_context


@pytest.fixture(scope="session")
def ctx():
    return default_context()


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """Each test gets its own result cache (the default lives in the user's cache folder)."""
    monkeypatch.setenv("THEMIS_LINT_CACHE_DIR", str(tmp_path_factory.mktemp("themis-lint-cache")))
