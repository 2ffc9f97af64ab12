"""Hierarchical config discovery (issue 14 item 4) and the one glob dialect (issue 13): the closest
config governs the files under it, up to the repository root; globs are gitignore's, relative to
the config's folder."""
from __future__ import annotations

import json
import subprocess

import pytest

from tests.helpers import invoke

LEGACY = "cache.maxSize: 1GB\nserver.requireAuthentication: true\n" \
         "server.statisticsEnabled: true\nquery.spillToDisk: true\nstorage.rocksdb.compression: lz4\n"


@pytest.fixture
def monorepo(tmp_path, monkeypatch):
    """A git repository with a root config and one per service."""
    root = tmp_path / "mono"
    for service in ("a", "b", "c"):
        (root / "services" / service).mkdir(parents=True)
        (root / "services" / service / "themisdb.conf").write_text(LEGACY)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "pyproject.toml").write_text('[tool.themis-lint]\nignore = ["TH103"]\n')
    (root / "services" / "a" / ".themis-lint.toml").write_text('ignore = ["TH101"]\n')
    (root / "services" / "b" / "pyproject.toml").write_text('[tool.themis-lint]\nselect = ["TH103"]\n')
    monkeypatch.chdir(root)
    return root


def codes(result) -> set[tuple[str, str]]:
    return {(f["filename"], f["code"]) for f in json.loads(result.stdout)}


def test_each_service_is_checked_with_its_closest_config(monorepo) -> None:
    result = invoke("check", "--no-cache", "--output-format", "json", ".")
    # a: its own config (ignore TH101; the root's `ignore TH103` is not inherited, as in ruff);
    # b: select TH103 only; c: no config of its own, so the root's
    assert codes(result) == {("services/a/themisdb.conf", "TH103"), ("services/b/themisdb.conf", "TH103"),
                             ("services/c/themisdb.conf", "TH101")}


def test_a_path_below_the_current_folder_uses_its_own_config(monorepo) -> None:
    # the same answer whether run from the repository root, from the service, or with a path there
    from_root = codes(invoke("check", "--no-cache", "--output-format", "json", "services/b"))
    assert from_root == {("services/b/themisdb.conf", "TH103")}
    explicit = codes(invoke("check", "--no-cache", "--output-format", "json", "services/b/themisdb.conf"))
    assert explicit == from_root


def test_the_command_line_applies_on_top_of_every_config(monorepo) -> None:
    result = invoke("check", "--no-cache", "--output-format", "json", "--ignore", "TH103", ".")
    assert codes(result) == {("services/c/themisdb.conf", "TH101")}


def test_config_flag_governs_every_path(monorepo) -> None:
    (monorepo / "strict.toml").write_text('select = ["TH101", "TH103"]\n')
    result = invoke("check", "--no-cache", "--output-format", "json", "--config", "strict.toml", ".")
    assert {c for _, c in codes(result)} == {"TH101", "TH103"} and len(codes(result)) == 6


def test_a_config_above_the_repository_root_does_not_govern_it(tmp_path, monkeypatch) -> None:
    (tmp_path / ".themis-lint.toml").write_text('select = ["TH103"]\n')
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "themisdb.conf").write_text(LEGACY)
    monkeypatch.chdir(repo)
    # the defaults (TH101 and TH103), not the outer config's `select = ["TH103"]`
    assert {c for _, c in codes(invoke("check", "--no-cache", "--output-format", "json", "."))} == {"TH101", "TH103"}


def test_invalid_pyproject_is_an_error_with_file_and_line(monorepo) -> None:
    (monorepo / "services" / "c" / "pyproject.toml").write_text('[project]\nname = "c"\nversion = \n')
    result = invoke("check", "--no-cache", ".")
    assert result.exit_code == 2
    assert "services/c/pyproject.toml:3: invalid TOML" in result.output


def test_themis_lint_toml_accepts_a_tool_table(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "themisdb.conf").write_text(LEGACY)
    (tmp_path / ".themis-lint.toml").write_text('[tool.themis-lint]\nselect = ["TH103"]\n')
    result = invoke("check", "--no-cache", "--output-format", "json", ".")
    assert result.exit_code == 1 and {c for _, c in codes(result)} == {"TH103"}
    (tmp_path / ".themis-lint.toml").write_text('select = ["TH101"]\n[tool.themis-lint]\nselect = ["TH103"]\n')
    mixed = invoke("check", "--no-cache", ".")
    assert mixed.exit_code == 2 and "not both" in mixed.output


def test_nested_excludes_and_per_file_ignores_are_relative_to_their_config(monorepo) -> None:
    (monorepo / "services" / "c" / "legacy").mkdir()
    (monorepo / "services" / "c" / "legacy" / "themisdb.conf").write_text(LEGACY)
    (monorepo / "services" / "c" / "old").mkdir()
    (monorepo / "services" / "c" / "old" / "themisdb.conf").write_text(LEGACY)
    (monorepo / "services" / "c" / ".themis-lint.toml").write_text(
        'extend-exclude = ["/legacy/"]\nper-file-ignores = {"old/*.conf" = ["TH101"]}\n')
    found = codes(invoke("check", "--no-cache", "--output-format", "json", "services/c"))
    # legacy/ is excluded; old/*.conf ignores TH101 (this config replaces the root's TH103 ignore)
    assert found == {("services/c/themisdb.conf", "TH101"), ("services/c/themisdb.conf", "TH103"),
                     ("services/c/old/themisdb.conf", "TH103")}
    # `/legacy/` is anchored (gitignore): the same folder name deeper down is not excluded
    (monorepo / "services" / "c" / "x" / "legacy").mkdir(parents=True)
    (monorepo / "services" / "c" / "x" / "legacy" / "themisdb.conf").write_text(LEGACY)
    found = codes(invoke("check", "--no-cache", "--output-format", "json", "services/c"))
    assert ("services/c/x/legacy/themisdb.conf", "TH101") in found
