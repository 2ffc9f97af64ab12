"""Issue 15 defect 1: every repository of a migrate run is governed by its own config (found from
its root as `check` finds it, hierarchically inside it), with the command line on top; the
config of the folder migrate is started in governs none of them."""
from __future__ import annotations

import pytest

from tests.fleet.gitfarm import CONF, SH, SH_FIXED, by_path, git, load, make_repo
from tests.helpers import invoke

IGNORES_UNSAFE = '[project]\nname = "svc"\n\n[tool.themis-lint]\nignore = ["TH103", "TH4"]\n'


@pytest.fixture
def fleet(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # the folder the campaign runs in has a config of its own: it must govern no repository
    (tmp_path / ".themis-lint.toml").write_text('ignore = ["TH101"]\n')
    make_repo(tmp_path / "own", {"config/themisdb.conf": CONF, "scripts/start.sh": SH,
                                 "pyproject.toml": IGNORES_UNSAFE})
    make_repo(tmp_path / "plain", {"config/themisdb.conf": CONF, "scripts/start.sh": SH})
    return tmp_path


def test_a_repositorys_own_config_keeps_unsafe_rewrites_out_of_its_commit(fleet) -> None:
    result = invoke("migrate", "--no-progress", "--commit", "--report", "r.json", "own", "plain")
    assert result.exit_code == 0, result.output
    committed = git(fleet / "own", "show", "HEAD:config/themisdb.conf")
    assert "requireAuthentication: true" in committed  # TH103 ignored by the repository itself
    assert "walSize" in committed  # TH101 is not ignored by it (only by the folder migrate ran in)
    assert "requireAuthentication" not in git(fleet / "plain", "show", "HEAD:config/themisdb.conf")
    repos = by_path(load(fleet / "r.json"))
    assert repos["own"]["configs"] == ["pyproject.toml"] and "TH103" not in repos["own"]["fixes"]
    assert repos["plain"]["configs"] == [] and repos["plain"]["fixes"]["TH103"] == 1
    assert "- TH103" not in git(fleet / "own", "log", "-1", "--format=%B")


def test_ignore_repo_config_overrides_and_says_so(fleet) -> None:
    invoke("migrate", "--no-progress", "--ignore-repo-config", "--report", "r.json", "own")
    assert "requireAuthentication" not in (fleet / "own/config/themisdb.conf").read_text()
    report = load(fleet / "r.json")
    assert report["mode"]["ignore_repo_config"] is True and report["options"]["ignore_repo_config"] is True
    assert by_path(report)["own"]["configs"] == []


def test_command_line_options_go_on_top_of_the_repositorys_config(fleet) -> None:
    invoke("migrate", "--no-progress", "--ignore", "TH101", "--report", "r.json", "own")
    conf = (fleet / "own/config/themisdb.conf").read_text()
    assert "journalSize" in conf and "requireAuthentication" in conf  # both ignores hold
    assert (fleet / "own/scripts/start.sh").read_text() == SH
    assert load(fleet / "r.json")["options"]["ignore"] == ["TH101"]


def test_configs_inside_a_monorepo_govern_their_folders_in_worker_processes(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    files = {f"services/api/bin/run{i}.sh": SH for i in range(12)}
    files.update({f"services/web/bin/run{i}.sh": SH for i in range(12)})
    files["services/api/.themis-lint.toml"] = 'ignore = ["TH101"]\n'
    files["pyproject.toml"] = '[tool.themis-lint]\nper-file-ignores = { "services/web/bin/run0.sh" = ["TH101"] }\n'
    make_repo(tmp_path / "mono", files)
    result = invoke("migrate", "--no-progress", "--jobs", "2", "--report", "r.json", "mono")
    assert result.exit_code == 0, result.output
    assert all((tmp_path / f"mono/services/api/bin/run{i}.sh").read_text() == SH for i in range(12))
    assert (tmp_path / "mono/services/web/bin/run0.sh").read_text() == SH  # anchored glob, repo-relative
    assert all((tmp_path / f"mono/services/web/bin/run{i}.sh").read_text() == SH_FIXED for i in range(1, 12))
    repo = by_path(load(tmp_path / "r.json"))["mono"]
    assert repo["configs"] == ["pyproject.toml", "services/api/.themis-lint.toml"]
    assert repo["fixes"] == {"TH101": 11}


def test_an_unusable_repository_config_fails_that_repository_alone(fleet) -> None:
    (fleet / "plain/.themis-lint.toml").write_text("ignroe = []\n")
    git(fleet / "plain", "add", "-A")
    git(fleet / "plain", "commit", "-q", "-m", "config")
    result = invoke("migrate", "--no-progress", "--report", "r.json", "own", "plain")
    assert result.exit_code == 1
    repos = by_path(load(fleet / "r.json"))
    assert repos["plain"]["status"] == "failed" and "ignroe" in repos["plain"]["reason"]
    assert (fleet / "plain/scripts/start.sh").read_text() == SH
    assert repos["own"]["status"] == "done" and (fleet / "own/scripts/start.sh").read_text() == SH_FIXED
