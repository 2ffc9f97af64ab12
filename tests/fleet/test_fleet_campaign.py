"""Issue 15 items 4-6 with real git: bare repositories as remotes (`file://`), cloned through
`--repos-file` into a workspace, migrated, pushed; the remote's branch is checked, then reruns
skip, redo and never overwrite what they did not push."""
from __future__ import annotations

import json
import os

import pytest

from tests.fleet.gitfarm import (
    CLEAN_SH,
    CONF,
    SH,
    SH_FIXED,
    advance,
    by_path,
    git,
    load,
    make_remote,
    remote_branches,
    remote_file,
)
from tests.helpers import invoke

BRANCH = "themis-lint/1.3-to-1.4"
OWN_CONFIG = '[tool.themis-lint]\nignore = ["TH103"]\n'


@pytest.fixture
def remotes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    urls = {
        "billing": make_remote(tmp_path / "forge/acme/billing.git", {"config/themisdb.conf": CONF,
                                                                    "scripts/start.sh": SH}),
        "catalog": make_remote(tmp_path / "forge/acme/catalog.git", {"scripts/start.sh": CLEAN_SH}),
        "own": make_remote(tmp_path / "forge/acme/own.git", {"config/themisdb.conf": CONF,
                                                            "pyproject.toml": OWN_CONFIG}),
        "develop": make_remote(tmp_path / "forge/acme/legacy.git", {"bin/run.sh": SH}, branch="develop"),
    }
    (tmp_path / "repos.txt").write_text(
        "# the fleet\n\n"
        f"{urls['billing']}\n"
        f"{urls['catalog']}   # nothing to do there\n"
        f"{urls['own']} main\n"
        f"{urls['develop']} develop project=acme/legacy\n")
    return urls


def campaign(*args: str):
    return invoke("migrate", "--no-progress", "--repos-file", "repos.txt", "--workspace", "ws", *args)


def state(tmp_path) -> dict:
    return json.loads((tmp_path / "ws/campaign.json").read_text())["repositories"]


def test_clone_migrate_push_then_rerun_skips(remotes, tmp_path) -> None:
    result = campaign("--push", "--report", "r.json")
    assert result.exit_code == 0, result.output
    assert remote_file(remotes["billing"], BRANCH, "scripts/start.sh") == SH_FIXED
    assert "walSize" in remote_file(remotes["billing"], BRANCH, "config/themisdb.conf")
    assert remote_file(remotes["billing"], "main", "scripts/start.sh") == SH  # the base is untouched
    assert remote_branches(remotes["catalog"]) == ["main"]  # no change: no branch
    own = remote_file(remotes["own"], BRANCH, "config/themisdb.conf")
    assert "requireAuthentication: true" in own and "walSize" in own  # its own config governs it
    assert remote_file(remotes["develop"], BRANCH, "bin/run.sh") == SH_FIXED
    parent = git(tmp_path, "--git-dir", remotes["develop"].removeprefix("file://"), "rev-parse", f"{BRANCH}^")
    assert parent == git(tmp_path, "--git-dir", remotes["develop"].removeprefix("file://"), "rev-parse", "develop")

    report = load(tmp_path / "r.json")
    rows = by_path(report)
    assert set(rows) == set(remotes.values())
    assert rows[remotes["billing"]]["campaign"]["state"] == "pushed" and rows[remotes["own"]]["configs"] == [
        "pyproject.toml"]
    assert rows[remotes["catalog"]]["outcome"] == "clean"
    states = state(tmp_path)
    assert {k: v["status"] for k, v in states.items()} == {remotes["billing"]: "pushed", remotes["catalog"]: "clean",
                                                           remotes["own"]: "pushed", remotes["develop"]: "pushed"}
    assert states[remotes["develop"]]["base_branch"] == "develop"
    billing = states[remotes["billing"]]
    assert billing["pushed"] == billing["tip"] and billing["base"] == git(
        tmp_path, "--git-dir", remotes["billing"].removeprefix("file://"), "rev-parse", "main").strip()
    # shallow clones in the workspace, reused on the rerun
    clone = next(p for p in (tmp_path / "ws/repos").iterdir() if p.name.startswith("acme__billing"))
    assert (clone / ".git/shallow").exists()
    (clone / ".git/reused").write_text("")

    again = campaign("--push", "--report", "r2.json")
    assert again.exit_code == 0, again.output
    assert (clone / ".git/reused").exists()
    rows2 = by_path(load(tmp_path / "r2.json"))
    assert all(r["campaign"]["skipped"] for r in rows2.values())
    assert load(tmp_path / "r2.json")["totals"] == report["totals"]  # a skipped repository still counts
    assert rows2[remotes["billing"]]["files_changed"] == 2


def test_a_moved_base_is_redone_and_force_pushed_over_its_own_push(remotes, tmp_path) -> None:
    assert campaign("--push").exit_code == 0
    first = state(tmp_path)[remotes["billing"]]["pushed"]
    advance(remotes["billing"], {"scripts/stop.sh": SH})
    result = campaign("--push", "--report", "r.json")
    assert result.exit_code == 0, result.output
    entry = state(tmp_path)[remotes["billing"]]
    assert entry["pushed"] != first and entry["status"] == "pushed"
    assert remote_file(remotes["billing"], BRANCH, "scripts/stop.sh") == SH_FIXED
    row = by_path(load(tmp_path / "r.json"))[remotes["billing"]]
    assert not row["campaign"]["skipped"] and row["files_changed"] == 3
    assert by_path(load(tmp_path / "r.json"))[remotes["catalog"]]["campaign"]["skipped"]


def test_a_commit_someone_pushed_to_the_branch_is_never_overwritten(remotes, tmp_path) -> None:
    assert campaign("--push").exit_code == 0
    bare = remotes["billing"].removeprefix("file://")
    work = tmp_path / "person"
    git(tmp_path, "clone", "-q", "-b", BRANCH, remotes["billing"], str(work))
    (work / "NOTES.md").write_text("reviewed\n")
    git(work, "add", "NOTES.md")
    git(work, "commit", "-q", "-m", "review notes")
    git(work, "push", "-q", "origin", BRANCH)
    theirs = git(tmp_path, "--git-dir", bare, "rev-parse", BRANCH)
    advance(remotes["billing"], {"scripts/stop.sh": SH})
    result = campaign("--push", "--report", "r.json")
    assert result.exit_code == 1
    assert git(tmp_path, "--git-dir", bare, "rev-parse", BRANCH) == theirs
    entry = state(tmp_path)[remotes["billing"]]
    assert entry["status"] == "failed" and "did not push" in entry["reason"]
    assert by_path(load(tmp_path / "r.json"))[remotes["billing"]]["outcome"] == "needs-review"


def test_commit_without_push_then_push_on_a_rerun(remotes, tmp_path) -> None:
    assert campaign("--commit").exit_code == 0
    assert remote_branches(remotes["billing"]) == ["main"]
    assert state(tmp_path)[remotes["billing"]]["status"] == "changed"
    assert campaign("--push").exit_code == 0
    assert remote_file(remotes["billing"], BRANCH, "scripts/start.sh") == SH_FIXED
    assert state(tmp_path)[remotes["billing"]]["status"] == "pushed"


def test_credentials_never_reach_a_report_the_state_or_the_terminal(remotes, tmp_path) -> None:
    secret_url = "https://deploy:s3cr3t-t0ken@127.0.0.1:9/acme/private.git"
    (tmp_path / "repos.txt").write_text(f"{remotes['catalog']}\n{secret_url}\n")
    result = campaign("--commit", "--report", "r.json", "--html", "r.html")
    assert result.exit_code == 1
    written = [result.output, (tmp_path / "r.json").read_text(), (tmp_path / "r.html").read_text(),
               (tmp_path / "ws/campaign.json").read_text()]
    assert all("s3cr3t-t0ken" not in text and "deploy:" not in text for text in written)
    row = by_path(load(tmp_path / "r.json"))["https://***@127.0.0.1:9/acme/private.git"]
    assert row["status"] == "failed" and "git clone failed" in row["reason"]


def test_dry_run_over_the_list_writes_no_state_and_pushes_nothing(remotes, tmp_path) -> None:
    result = campaign("--dry-run", "--report", "r.json")
    assert "+exec themisdb-server --storage.rocksdb.walSize 32MB" in result.stdout
    assert not (tmp_path / "ws/campaign.json").exists()
    assert remote_branches(remotes["billing"]) == ["main"]
    assert by_path(load(tmp_path / "r.json"))[remotes["billing"]]["files_changed"] == 2


def test_status_prints_the_state_and_a_burndown(remotes, tmp_path) -> None:
    campaign("--push")
    result = invoke("migrate", "--status", "--workspace", "ws")
    assert result.exit_code == 0
    assert "4 repositories: 3 pushed, 1 clean" in result.stdout
    assert remotes["billing"] in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--push", "x"], "--repos-file"),
    (["--repos-file", "repos.txt"], "needs --commit"),
    (["--repos-file", "repos.txt", "--commit", "x"], "either as PATHs"),
    (["--draft", "x"], "--open-pr"),
    (["--open-pr", "github", "--dry-run", "--repos-file", "repos.txt"], "cannot be combined"),
])
def test_options_that_would_not_do_what_they_say_are_usage_errors(remotes, args, message) -> None:
    result = invoke("migrate", *args)
    assert result.exit_code == 2 and message in result.output


@pytest.mark.parametrize(("text", "message"), [
    ("file:///a.git\nfile:///a.git\n", "listed twice"),
    ("file:///a.git main extra\n", "expected `URL [BASE-BRANCH] [project=PATH]`"),
    ("file:///a.git main colour=red\n", "expected `URL"),
])
def test_a_bad_repos_file_names_its_line(tmp_path, monkeypatch, text, message) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "repos.txt").write_text(text)
    result = campaign("--commit")
    assert result.exit_code == 2 and message in result.output and "repos.txt:" in result.output


def test_the_open_pr_token_comes_from_the_environment(remotes, monkeypatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    result = campaign("--open-pr", "github")
    assert result.exit_code == 2 and "GITHUB_TOKEN" in result.output
    assert not os.path.exists("ws/campaign.json")


def test_only_the_campaign_talks_to_remotes() -> None:
    """git.transport (the user's authentication, transports allowed) serves the workspace's clones
    alone: no other module reaches it, so a path given on the command line never talks to a remote."""
    import re
    from pathlib import Path

    import themis_lint

    remote = re.compile(r"\bgit\.(transport|clone|fetch_base|push|reset_to_base|current_branch|folder_rev)\(")
    users = {path.name for path in Path(themis_lint.__file__).parent.rglob("*.py") if remote.search(path.read_text())}
    assert users == {"campaign.py"}
