"""Shared fixtures."""
from __future__ import annotations

import pytest

from themis_lint.context import default_context


@pytest.fixture(scope="session")
def ctx():
    return default_context()
