"""The four code-execution repros of issue 18, one by one, as filed (items 1-4).

tests/migrate/test_git_safety.py holds them all at once with every other program-running setting;
these keep each attack minimal, so a regression names the mechanism that broke.
"""
from __future__ import annotations

import os

import pytest

from tests.helpers import invoke
from tests.migrate.repos import SH_FIXED, git, standard_repo


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return standard_repo(tmp_path / "repo", **{".gitattributes": "*.sh filter=evil\n"})


def evil(tmp_path, name: str) -> str:
    script = tmp_path / f"{name}.sh"
    script.write_text(f"#!/bin/sh\ntouch '{tmp_path}/ran-{name}'\nexec cat\n")
    script.chmod(0o755)
    return str(script)


def ran(tmp_path) -> list[str]:
    return sorted(p.name for p in tmp_path.glob("ran-*"))


def stat_dirty(path) -> None:
    os.utime(path, (1_000_000_000, 1_000_000_000))  # git must compare content: a clean filter would run


def test_item1_filter_included_only_on_the_tools_branch(repo, tmp_path) -> None:
    (repo / ".git" / "evil.inc").write_text(f"[filter \"evil\"]\n\tclean = {evil(tmp_path, 'late')}\n")
    git(repo, "config", "includeIf.onbranch:themis-lint/**.path", "evil.inc")
    result = invoke("migrate", "--no-progress", "--commit", "repo")
    assert ran(tmp_path) == []
    assert result.exit_code == 0, result.output
    assert git(repo, "show", "themis-lint/1.3-to-1.4:scripts/start.sh") == SH_FIXED


def test_item2_status_preflight_and_a_submodule_filter(repo, tmp_path) -> None:
    sub = standard_repo(tmp_path / "subsrc", **{".gitattributes": "*.sh filter=subevil\n"})
    git(repo, "submodule", "add", "-q", str(sub), "lib")
    git(repo, "commit", "-q", "-m", "submodule")
    git(repo / "lib", "config", "filter.subevil.clean", evil(tmp_path, "sub"))
    stat_dirty(repo / "lib/scripts/start.sh")
    result = invoke("migrate", "--no-progress", "repo")  # the default mode: no --commit
    assert ran(tmp_path) == []
    assert result.exit_code == 0, result.output
    assert (repo / "scripts/start.sh").read_text() == SH_FIXED


def test_item3_a_filter_named_with_an_equals_sign(repo, tmp_path) -> None:
    (repo / ".gitattributes").write_text("*.sh filter=a=b\n")
    git(repo, "commit", "-q", "-am", "attributes")
    git(repo, "config", "filter.a=b.clean", evil(tmp_path, "equals"))
    stat_dirty(repo / "scripts/start.sh")
    for mode in ([], ["--commit"]):
        result = invoke("migrate", "--no-progress", *mode, "repo")
        assert ran(tmp_path) == []
        assert result.exit_code == 0, result.output
    assert git(repo, "show", "themis-lint/1.3-to-1.4:scripts/start.sh") == SH_FIXED


def test_item4_the_repositorys_own_git_through_an_empty_path_entry(repo, tmp_path, monkeypatch) -> None:
    fake = repo / "git"
    fake.write_text(f"#!/bin/sh\ntouch '{tmp_path}/ran-dot-git'\nexit 1\n")
    fake.chmod(0o755)
    git(repo, "add", "git")
    git(repo, "commit", "-q", "-m", "a git script")
    monkeypatch.setenv("PATH", os.pathsep + os.environ["PATH"])
    result = invoke("migrate", "--no-progress", "--commit", "repo")
    assert ran(tmp_path) == []
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(repo)  # and from inside it: the tool's own current folder
    assert invoke("migrate", "--no-progress", "--dry-run", ".").exit_code == 0
    assert ran(tmp_path) == []
