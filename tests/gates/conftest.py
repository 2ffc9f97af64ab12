"""Fixtures for the gate and hook tests (issue 14)."""
from __future__ import annotations

import shutil

import pytest

from tests.gates.support import client_repository


@pytest.fixture
def sample(tmp_path, monkeypatch):
    """The sample client as a committed git repository, and the current folder."""
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    repo = client_repository(tmp_path / "client")
    monkeypatch.chdir(repo)
    return repo
