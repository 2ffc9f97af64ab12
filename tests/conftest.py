"""Shared helpers: a context on the bundled pack, and running the engine on text."""
from __future__ import annotations

import pytest

from themis_lint.context import default_context
from themis_lint.engine import Options, check_source
from themis_lint.model import Safety


@pytest.fixture(scope="session")
def ctx():
    return default_context()


def run(text: str, path: str, level: Safety | None = None, select=None, **settings):
    """check_source with the bundled pack; `select` narrows the enabled codes."""
    context = default_context(select=frozenset(select) if select else None, **settings)
    return check_source(text, path, context, Options(fix=level))


def fix(text: str, path: str, level: Safety = Safety.UNSAFE, select=None, **settings) -> str:
    result = run(text, path, level, select, **settings)
    return text if result.fixed is None else result.fixed
