"""migrate decides "uncommitted changes" without letting git read work-tree content; here its answer
is held to `git status` itself on real repositories (which have no filters, so status is safe)."""
from __future__ import annotations

import dataclasses
import os

import pytest

from tests.migrate.repos import SH, git, standard_repo
from themis_lint.migrate import git as safe_git
from themis_lint.migrate import worktree


def ours_nothing(path: str) -> bool:
    return False


def migrate_view(repo) -> list[str]:
    found = safe_git.open_repository(str(repo))
    return worktree.changed_paths(found, worktree.read_state(found, ""), "", ours_nothing)


def status_view(repo) -> list[str]:
    raw = git(repo, "status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all",
              "--ignore-submodules=all")
    return sorted({entry[3:] for entry in raw.split("\0") if entry})


def same_size_edit_keeping_mtime(repo) -> None:
    path = repo / "scripts/start.sh"
    info = os.stat(path)
    path.write_text(SH.replace("32MB", "64MB"))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def conflict(repo) -> None:
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "README.md").write_text("other\n")
    git(repo, "commit", "-q", "-am", "other")
    git(repo, "checkout", "-q", "main")
    (repo / "README.md").write_text("main\n")
    git(repo, "commit", "-q", "-am", "main")
    git(repo, "merge", "-q", "other", check=False)


def skip_worktree_absent(repo) -> None:
    git(repo, "update-index", "--skip-worktree", "README.md")
    (repo / "README.md").unlink()


def crlf_checkout(repo) -> None:
    (repo / ".gitattributes").write_text("*.bat text eol=crlf\n")
    (repo / "gradlew.bat").write_text("@echo off\nrem build\n")
    git(repo, "add", ".gitattributes", "gradlew.bat")
    git(repo, "commit", "-q", "-m", "bat")
    (repo / "gradlew.bat").unlink()
    git(repo, "checkout", "--", "gradlew.bat")  # CRLF in the work tree, LF in the blob


def crlf_edit(repo) -> None:
    crlf_checkout(repo)
    (repo / "gradlew.bat").write_bytes(b"@echo off\r\nrem build all\r\n")


SCENARIOS = {
    "clean": lambda repo: None,
    "touched, same bytes": lambda repo: os.utime(repo / "scripts/start.sh"),
    "same size, mtime kept": same_size_edit_keeping_mtime,
    "longer": lambda repo: (repo / "README.md").write_text("# service\nmore\n"),
    "executable bit": lambda repo: (repo / "README.md").chmod(0o755),
    "deleted": lambda repo: (repo / "README.md").unlink(),
    "staged edit": lambda repo: ((repo / "README.md").write_text("x\n"), git(repo, "add", "README.md")),
    "staged new file": lambda repo: ((repo / "new.txt").write_text("x\n"), git(repo, "add", "new.txt")),
    "staged removal": lambda repo: git(repo, "rm", "-q", "--cached", "README.md"),
    "intent to add": lambda repo: ((repo / "n.txt").write_text("x\n"), git(repo, "add", "-N", "n.txt")),
    "untracked": lambda repo: (repo / "notes" / "a.txt").parent.mkdir() or (repo / "notes/a.txt").write_text("x"),
    "ignored": lambda repo: ((repo / ".git/info/exclude").write_text("*.log\n"), (repo / "x.log").write_text("x")),
    "file became a symlink": lambda repo: ((repo / "README.md").unlink(), (repo / "README.md").symlink_to("x")),
    "nested repository": lambda repo: standard_repo(repo / "tools"),
    "conflict": conflict,
    "sparse, absent": skip_worktree_absent,
    "crlf checkout": crlf_checkout,
    "crlf edited": crlf_edit,
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_uncommitted_changes_match_git_status(tmp_path, scenario) -> None:
    repo = standard_repo(tmp_path / "repo")
    SCENARIOS[scenario](repo)
    expected = status_view(repo)
    assert migrate_view(repo) == expected
    if scenario in ("clean", "touched, same bytes", "sparse, absent", "crlf checkout", "ignored"):
        assert expected == []


def stat_of(path) -> tuple[int, ...]:
    info, u32 = os.lstat(path), 0xFFFFFFFF
    return (info.st_ctime_ns // 10**9 & u32, info.st_ctime_ns % 10**9, info.st_mtime_ns // 10**9 & u32,
            info.st_mtime_ns % 10**9, info.st_dev & u32, info.st_ino & u32, info.st_uid & u32, info.st_gid & u32,
            info.st_size & u32)


@pytest.mark.parametrize("index_age", [0, 10])
def test_matching_stat_data_is_trusted_only_when_not_racy(tmp_path, index_age) -> None:
    """An edit within one filesystem timestamp tick of `git add` leaves stat data identical; git
    then trusts only entries older than the index file, and so does migrate."""
    repo = standard_repo(tmp_path / "repo")
    found = safe_git.open_repository(str(repo))
    state = worktree.read_state(found, "")
    path = repo / "README.md"
    path.write_text("# servicE\n")  # same size: a different blob behind identical stat data
    entry = dataclasses.replace(state.index["README.md"], stat=stat_of(path))
    state.index_mtime_ns = os.lstat(path).st_mtime_ns + index_age * 10**9
    expected = worktree.SAME if index_age else worktree.BYTES_DIFFER
    assert worktree.compare(found, state, "README.md", entry) == expected
