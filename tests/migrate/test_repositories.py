"""What belongs to a repository, and who holds it (issue 18 items 14, 15, 16 and 27)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.helpers import invoke
from tests.migrate.repos import CONF, SH, SH_FIXED, git, make_repo, standard_repo

BRANCH = "themis-lint/1.3-to-1.4"


def migrate(*args: str):
    return invoke("migrate", "--no-progress", "--jobs", "1", *args)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return standard_repo(tmp_path / "repo")


def committed(repo, rev: str = BRANCH) -> list[str]:
    return git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", rev).split()


# --- item 14: submodules and nested repositories ---------------------------------------------------

def test_a_submodule_is_skipped_with_a_note_and_the_commit_succeeds(repo, tmp_path) -> None:
    lib = standard_repo(tmp_path / "libsrc")
    git(repo, "submodule", "add", "-q", str(lib), "vendor-lib")
    git(repo, "commit", "-q", "-m", "submodule")
    result = migrate("--commit", "--report", "r.json", "repo")
    assert result.exit_code == 0, result.output
    assert (repo / "vendor-lib/scripts/start.sh").read_text() == SH
    assert committed(repo) == ["config/themisdb.conf", "scripts/start.sh"]
    [entry] = json.loads((tmp_path / "r.json").read_text())["repositories"]
    note = "vendor-lib: skipped: a git submodule is a repository of its own; migrate it as its own path"
    assert entry["notes"] == [note]
    # as its own path, the submodule is migrated like any repository
    assert migrate("repo/vendor-lib").exit_code == 0
    assert (repo / "vendor-lib/scripts/start.sh").read_text() == SH_FIXED


def test_a_nested_repository_is_untracked_work_and_never_migrated_from_outside(repo) -> None:
    standard_repo(repo / "tools")
    refused = migrate("repo")
    assert "repo: refused: uncommitted changes (tools/)" in refused.stdout
    result = migrate("--allow-dirty", "repo")
    assert "repo: note: tools: skipped: a separate git repository" in result.stdout
    assert (repo / "tools/scripts/start.sh").read_text() == SH
    assert (repo / "scripts/start.sh").read_text() == SH_FIXED


# --- item 15: git's own ignore decision ------------------------------------------------------------

@pytest.mark.parametrize("where", ["info/exclude", "core.excludesFile"])
def test_files_git_ignores_are_never_rewritten(repo, tmp_path, where) -> None:
    if where == "info/exclude":
        (repo / ".git/info/exclude").write_text("generated/\n")
    else:
        (tmp_path / "excludes").write_text("generated/\n")
        git(repo, "config", "core.excludesFile", str(tmp_path / "excludes"))
    (repo / "generated").mkdir()
    (repo / "generated/start.sh").write_text(SH)
    result = migrate("--commit", "repo")
    assert result.exit_code == 0, result.output
    assert (repo / "generated/start.sh").read_text() == SH
    assert committed(repo) == ["config/themisdb.conf", "scripts/start.sh"]


def test_tracked_files_in_an_ignored_folder_are_still_migrated(repo) -> None:
    # git ignores only untracked files: a committed file below an excluded folder is the repository's
    (repo / "generated").mkdir()
    (repo / "generated/start.sh").write_text(SH)
    git(repo, "add", "generated/start.sh")
    git(repo, "commit", "-q", "-m", "generated")
    (repo / ".git/info/exclude").write_text("generated/\n")
    assert migrate("repo").exit_code == 0
    assert (repo / "generated/start.sh").read_text() == SH_FIXED


def test_check_honours_info_exclude(repo) -> None:
    (repo / ".git/info/exclude").write_text("generated/\n")
    (repo / "generated").mkdir()
    (repo / "generated/start.sh").write_text(SH)
    result = invoke("check", "--no-cache", "repo")
    assert "repo/scripts/start.sh" in result.stdout and "generated" not in result.stdout


# --- item 16: one run per repository ---------------------------------------------------------------

HOLDER = """
import sys
from themis_lint.migrate.record import lock
lock(sys.argv[1])
print("locked", flush=True)
sys.stdin.read()  # hold the lock until the test closes stdin
"""


def test_a_second_run_on_a_locked_repository_is_refused_and_says_who_holds_it(repo) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(repo / ".git")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        result = migrate("--report", "r.json", "repo")
        assert result.exit_code == 1
        reason = json.loads((repo.parent / "r.json").read_text())["repositories"][0]["reason"]
        assert reason.startswith(f"another themis-lint migrate is running on it (pid {holder.pid} on ")
        assert " since " in reason and reason.endswith("themis-lint-migrate.lock")
        assert (repo / "scripts/start.sh").read_text() == SH
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert migrate("repo").exit_code == 0  # released when its holder ends
    assert (repo / "scripts/start.sh").read_text() == SH_FIXED


# --- item 27: patches are relative to the repository that was named --------------------------------

def test_core_worktree_does_not_move_patch_paths(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    repo = standard_repo(tmp_path / "repo")
    make_repo(tmp_path / "wt", {"config/themisdb.conf": CONF, "scripts/start.sh": SH})
    git(repo, "config", "core.worktree", "../../wt")  # relative to the git dir: tmp_path/wt
    result = migrate("--diff-dir", "patches", "repo", "repo/scripts")
    assert result.exit_code == 0, result.output
    for name, prefix in (("repo.patch", ""), ("repo__scripts.patch", "")):
        patch = (tmp_path / "patches" / name).read_text()
        assert "../" not in patch and "diff --git a/scripts/start.sh b/scripts/start.sh\n" in patch
        copy = tmp_path / f"copy-{name}"
        shutil.copytree(repo, copy, ignore=shutil.ignore_patterns(".git"))
        subprocess.run(["git", "apply", "--check", str(tmp_path / "patches" / name)], cwd=copy / prefix,
                       check=True)
        subprocess.run(["git", "apply", str(tmp_path / "patches" / name)], cwd=copy, check=True)
        assert (copy / "scripts/start.sh").read_text() == SH_FIXED
    assert (tmp_path / "wt/scripts/start.sh").read_text() == SH


# --- what --commit stores --------------------------------------------------------------------------

def test_a_file_git_stores_converted_is_committed_as_git_add_would(repo) -> None:
    (repo / ".gitattributes").write_text("*.sh text eol=crlf\n")
    git(repo, "add", ".gitattributes")
    git(repo, "commit", "-q", "-m", "crlf")
    (repo / "scripts/start.sh").unlink()
    git(repo, "checkout", "--", "scripts/start.sh")
    assert (repo / "scripts/start.sh").read_bytes() == SH.replace("\n", "\r\n").encode()
    result = migrate("--commit", "repo")
    assert result.exit_code == 0, result.output
    assert (repo / "scripts/start.sh").read_bytes() == SH_FIXED.replace("\n", "\r\n").encode()
    assert git(repo, "show", f"{BRANCH}:scripts/start.sh") == SH_FIXED  # LF in the repository
    assert git(repo, "status", "--porcelain") == ""


def test_a_file_whose_filter_converts_it_is_written_but_not_committed(repo, tmp_path) -> None:
    git(repo, "config", "filter.shout.clean", "tr a-z A-Z")  # the person's own, trusted filter
    git(repo, "config", "filter.shout.smudge", "cat")
    (repo / ".gitattributes").write_text("*.sh filter=shout\n")
    git(repo, "add", "--renormalize", ".")
    git(repo, "add", ".gitattributes")
    git(repo, "commit", "-q", "-m", "shout")
    past = 1_000_000_000
    for path in (repo / "scripts/start.sh", repo / "config/themisdb.conf", repo / "README.md"):
        os.utime(path, (past, past))
    git(repo, "update-index", "--refresh")  # stat data fresh and not racy: git trusts it
    result = migrate("--commit", "repo")
    assert "scripts/start.sh: not committed: its git filter converts it" in result.stdout
    assert (repo / "scripts/start.sh").read_text() == SH_FIXED
    assert committed(repo) == ["config/themisdb.conf"]


def test_the_commit_identity_from_the_environment_is_kept(repo, monkeypatch) -> None:
    # every other GIT_* variable is dropped; the identity names no program and no path
    for name, value in {"GIT_AUTHOR_NAME": "Fleet Bot", "GIT_AUTHOR_EMAIL": "bot@example.com",
                        "GIT_COMMITTER_NAME": "Fleet CI", "GIT_COMMITTER_EMAIL": "ci@example.com"}.items():
        monkeypatch.setenv(name, value)
    assert migrate("--commit", "repo").exit_code == 0
    assert git(repo, "log", "-1", "--format=%an <%ae> / %cn <%ce>", BRANCH) == (
        "Fleet Bot <bot@example.com> / Fleet CI <ci@example.com>\n")
