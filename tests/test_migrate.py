"""`themis-lint migrate` end to end on real git repositories (docs/cli.md, issue 7, docs/migrate.md).

Only the server-config and command-line surfaces feed these tests: the other analyzers are
being written in parallel and must not change the outcomes here.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from themis_lint import writer
from themis_lint.migrate import run as migrate
from themis_lint.cli import main

from tests.migrate.repos import BROKEN, CONF, README, SH, SH_FIXED, interrupt_after_first_write, make_repo
from tests.migrate.repos import IDENTITY as GIT_ENV


def git(repo, *args: str) -> str:
    out = subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=repo, capture_output=True, text=True,
                         env={**os.environ, **GIT_ENV}, check=True)
    return out.stdout


def standard_repo(path, **extra: str):
    return make_repo(path, {"config/themisdb.conf": CONF, "scripts/start.sh": SH, "README.md": README, **extra})


def invoke(*args: str):
    return CliRunner().invoke(main, ["migrate", "--no-progress", *args], catch_exceptions=False)


@pytest.fixture
def fleet(tmp_path, monkeypatch):
    """clean, dirty (a tracked edit), broken (an unparsable server config), plain (no git)."""
    monkeypatch.chdir(tmp_path)
    standard_repo(tmp_path / "clean")
    standard_repo(tmp_path / "dirty")
    (tmp_path / "dirty" / "README.md").write_text("# service\nwork in progress\n")
    standard_repo(tmp_path / "broken", **{"deploy/themisdb.conf": BROKEN})
    make_repo(tmp_path / "plain", {"start.sh": SH}, commit=False)
    return tmp_path


def load(path) -> dict:
    return json.loads(path.read_text())


def by_path(report: dict) -> dict[str, dict]:
    return {r["path"]: r for r in report["repositories"]}


def test_migrates_clean_refuses_dirty_reports_unparsable(fleet) -> None:
    result = invoke("--report", "out/report.json", "clean", "dirty", "broken", "plain")
    assert result.exit_code == 1  # a refusal and findings that need a person
    conf = (fleet / "clean/config/themisdb.conf").read_text()
    assert "journalSize" not in conf and "walSize: 32MB" in conf and "requireAuthentication" not in conf
    assert (fleet / "clean/scripts/start.sh").read_text() == SH_FIXED
    assert (fleet / "plain/start.sh").read_text() == SH_FIXED
    assert (fleet / "dirty/scripts/start.sh").read_text() == SH  # refused: untouched
    repos = by_path(load(fleet / "out/report.json"))
    assert repos["clean"]["status"] == "done"
    assert repos["clean"]["changed"] == ["config/themisdb.conf", "scripts/start.sh"]
    assert repos["clean"]["fixes"]["TH101"] == 2 and repos["clean"]["fixes"]["TH103"] == 1
    assert repos["dirty"]["status"] == "refused" and "README.md" in repos["dirty"]["reason"]
    assert "--allow-dirty" in repos["dirty"]["reason"]
    [th900] = [f for f in repos["broken"]["remaining"] if f["code"] == "TH900"]
    assert th900["file"] == "deploy/themisdb.conf" and th900["line"] == 2 and th900["severity"] == "error"
    assert repos["broken"]["status"] == "done" and "scripts/start.sh" in repos["broken"]["changed"]
    assert (fleet / "broken/deploy/themisdb.conf").read_text() == BROKEN
    assert "dirty: refused: uncommitted changes (README.md)" in result.stdout
    assert "broken/deploy/themisdb.conf:2:" in result.stdout and "TH900" in result.stdout
    assert "1 refused, 1 needs review, 2 changed" in result.stdout


def test_report_totals_and_durations(fleet) -> None:
    invoke("--report", "r.json", "clean", "broken", "plain")
    report = load(fleet / "r.json")
    totals = report["totals"]
    assert totals["repositories"] == 3 and totals["by_status"] == {"done": 3}
    assert totals["files_changed"] == 5
    assert totals["fixes"] == sum(sum(r["fixes"].values()) for r in report["repositories"])
    assert totals["remaining_by_code"]["TH900"] == 1
    assert totals["by_category"]["Configuration"]["fixed"] >= 3
    assert all(r["seconds"] >= 0 for r in report["repositories"])
    assert report["interrupted"] is False and report["mode"]["dry_run"] is False


def test_allow_dirty_and_untracked_files_count_as_dirty(fleet) -> None:
    (fleet / "clean" / "notes.txt").write_text("scratch\n")
    result = invoke("clean", "dirty")
    assert "clean: refused: uncommitted changes (notes.txt)" in result.stdout
    assert (fleet / "clean/scripts/start.sh").read_text() == SH
    assert invoke("--allow-dirty", "clean", "dirty").exit_code == 0
    assert (fleet / "dirty/scripts/start.sh").read_text() == SH_FIXED
    assert (fleet / "dirty/README.md").read_text() == "# service\nwork in progress\n"


def test_rerun_is_allowed_over_its_own_changes_and_changes_nothing(fleet) -> None:
    assert invoke("clean").exit_code == 0
    before = (fleet / "clean/config/themisdb.conf").read_bytes()
    second = invoke("--report", "r.json", "clean")
    assert second.exit_code == 0 and "refused" not in second.stdout
    assert (fleet / "clean/config/themisdb.conf").read_bytes() == before
    repo = by_path(load(fleet / "r.json"))["clean"]
    assert repo["changed_this_run"] == 0  # nothing left to do, but the work tree holds the first run's change:
    assert repo["changed"] == ["config/themisdb.conf", "scripts/start.sh"] and repo["fixes"]["TH101"] == 2
    # a person's edit on top of migrate's own change makes the tree dirty again
    (fleet / "clean/scripts/start.sh").write_text(SH_FIXED + "echo more\n")
    assert "clean: refused" in invoke("clean").stdout


def test_file_changed_between_read_and_write_is_not_written(fleet, monkeypatch) -> None:
    edited = "#!/bin/sh\n# edited by a person during the run\nexec themisdb-server --storage.journalSize 32MB\n"

    def someone_edits(path: str) -> None:
        if path.endswith("start.sh"):
            with open(path, "w") as handle:
                handle.write(edited)

    monkeypatch.setattr(writer, "before_write", someone_edits)
    result = invoke("--jobs", "1", "--report", "r.json", "clean")
    assert result.exit_code == 1
    assert (fleet / "clean/scripts/start.sh").read_text() == edited
    assert "walSize" in (fleet / "clean/config/themisdb.conf").read_text()
    repo = by_path(load(fleet / "r.json"))["clean"]
    assert repo["changed"] == ["config/themisdb.conf"]
    assert repo["errors"] == ["scripts/start.sh: not written: changed on disk while it was being fixed"]
    assert "clean: error: scripts/start.sh: not written" in result.stdout
    assert "clean: needs review: " in result.stdout


def test_safe_only_leaves_unsafe_fixes(fleet) -> None:
    invoke("--safe-only", "--report", "r.json", "clean")
    conf = (fleet / "clean/config/themisdb.conf").read_text()
    assert "walSize" in conf and "requireAuthentication: true" in conf
    remaining = by_path(load(fleet / "r.json"))["clean"]["remaining"]
    assert [(f["code"], f["fix"]) for f in remaining] == [("TH103", "unsafe")]


def test_dry_run_prints_the_diff_and_writes_nothing(fleet) -> None:
    result = invoke("--dry-run", "clean", "dirty")
    assert (fleet / "clean/scripts/start.sh").read_text() == SH
    assert "--- a/clean/scripts/start.sh\n+++ b/clean/scripts/start.sh\n" in result.stdout
    assert "-exec themisdb-server --storage.journalSize 32MB\n+exec themisdb-server " in result.stdout
    assert "dirty/scripts/start.sh" in result.stdout  # a dry run touches nothing, so dirty is fine
    assert "Total:" not in result.stdout  # the table goes to stderr, stdout stays a patch


def test_diff_dir_patches_apply_with_git(fleet, tmp_path) -> None:
    shutil.copytree(fleet / "clean", tmp_path / "reference")
    invoke("reference")
    result = invoke("--diff-dir", "patches", "clean", "broken", "plain")
    assert result.exit_code == 1  # broken's TH900 needs a person
    assert (fleet / "clean/scripts/start.sh").read_text() == SH
    assert sorted(os.listdir(fleet / "patches")) == ["broken.patch", "clean.patch", "plain.patch"]
    patch = str(fleet / "patches/clean.patch")
    subprocess.run(["git", "apply", "--check", patch], cwd=fleet / "clean", check=True)
    subprocess.run(["git", "apply", patch], cwd=fleet / "clean", check=True)
    for name in ("config/themisdb.conf", "scripts/start.sh"):
        assert (fleet / "clean" / name).read_bytes() == (tmp_path / "reference" / name).read_bytes()


def test_diff_dir_patch_without_final_newline(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    standard_repo(tmp_path / "r", **{"scripts/start.sh": SH.rstrip("\n")})
    invoke("--diff-dir", "p", "r")
    assert "\\ No newline at end of file" in (tmp_path / "p/r.patch").read_text()
    subprocess.run(["git", "apply", "--check", str(tmp_path / "p/r.patch")], cwd=tmp_path / "r", check=True)


def test_shards_partition_the_paths() -> None:
    paths = [f"repos/r{i}" for i in (5, 1, 10, 3, 7, 2, 9)] + ["repos/r1/"]
    shards = [migrate.select_paths(paths, (k, 3)) for k in range(3)]
    assert sorted(p for shard in shards for p in shard) == sorted({os.path.normpath(p) for p in paths})
    assert sum(len(s) for s in shards) == 7  # disjoint, duplicates folded
    assert migrate.select_paths(list(reversed(paths)), (1, 3)) == shards[1]  # order of arguments is irrelevant


def test_shard_on_the_command_line(fleet) -> None:
    seen = []
    for k in range(2):
        invoke("--dry-run", "--shard", f"{k}/2", "--report", f"s{k}.json", "clean", "dirty", "broken", "plain")
        seen.append([r["path"] for r in load(fleet / f"s{k}.json")["repositories"]])
        assert load(fleet / f"s{k}.json")["mode"]["shard"] == f"{k}/2"
    assert seen == [["broken", "dirty"], ["clean", "plain"]]


@pytest.mark.parametrize("bad", ["2/2", "1/0", "a/b", "-1/3", "3"])
def test_bad_shard_is_a_usage_error(fleet, bad) -> None:
    result = invoke("--shard", bad, "clean")
    assert result.exit_code == 2 and "--shard" in result.output and "0-based" in result.output
    assert (fleet / "clean/scripts/start.sh").read_text() == SH


def test_commit_makes_one_commit_on_a_new_branch_without_hooks(fleet) -> None:
    hooks = fleet / "clean/.git/hooks"
    for hook in ("pre-commit", "post-checkout", "commit-msg", "post-commit"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {fleet}/hook-ran-{hook}\n")
        (hooks / hook).chmod(0o755)
    result = invoke("--commit", "--report", "r.json", "clean")
    assert result.exit_code == 0
    assert not list(fleet.glob("hook-ran-*"))
    repo = fleet / "clean"
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "themis-lint/1.3-to-1.4"
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "rev-list", "--count", "main..HEAD").strip() == "1"
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("themis-lint: migrate from ThemisDB 1.3 to 1.4")
    assert "- TH101 config-key-renamed: 2" in message and "- TH103 config-key-removed (unsafe fix): 1" in message
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["config/themisdb.conf",
                                                                           "scripts/start.sh"]
    assert by_path(load(fleet / "r.json"))["clean"]["commit"] == git(repo, "rev-parse", "HEAD").strip()
    assert git(repo, "remote") == ""  # nothing to push to, and nothing pushed


def test_commit_refuses_an_existing_branch(fleet) -> None:
    git(fleet / "clean", "branch", "upgrade")
    result = invoke("--commit", "--branch", "upgrade", "clean")
    assert result.exit_code == 1 and "clean: refused: branch upgrade exists" in result.stdout
    assert (fleet / "clean/scripts/start.sh").read_text() == SH
    assert invoke("--commit", "--branch", "bad..name", "clean").exit_code == 2


class PageParser(HTMLParser):
    """Tags, attributes, and the cells of each repository's summary row."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.rows: list[list[str]] = []
        self._cell = False

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        self.attrs += attrs
        if tag == "tr" and ("class", "summary") in attrs:
            self.rows.append([])
        elif tag == "td" and self.rows and ("class", "summary") not in attrs:
            self._cell = True
            self.rows[-1].append("")

    def handle_endtag(self, tag) -> None:
        if tag == "td":
            self._cell = False
        if tag == "tr":
            self._cell = False

    def handle_data(self, data) -> None:
        if self._cell and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


def test_html_report_is_self_contained(fleet) -> None:
    (fleet / "dirty" / "<script>.txt").write_text("x")
    invoke("--html", "report.html", "clean", "dirty", "broken", "plain")
    text = (fleet / "report.html").read_text()
    page = PageParser()
    page.feed(text)
    summary = [row[:2] for row in page.rows if len(row) > 2]
    assert summary == [["broken", "needs review"], ["clean", "changed"], ["dirty", "refused"], ["plain", "changed"]]
    assert "link" not in page.tags and "img" not in page.tags and "iframe" not in page.tags
    assert not [v for k, v in page.attrs if k in ("src", "href", "action", "srcset")]
    assert "default-src 'none'" in text  # the page may not load anything, whatever its script does
    assert "<script>.txt" not in text and "TH900" in text


def test_progress_lines_when_not_a_terminal(fleet) -> None:
    result = CliRunner().invoke(main, ["migrate", "clean", "plain"], catch_exceptions=False)
    assert "themis-lint: [1/2] clean: done, 2 file(s) changed" in result.stderr
    quiet = CliRunner().invoke(main, ["migrate", "--quiet", "--allow-dirty", "clean"], catch_exceptions=False)
    assert quiet.stderr == ""


def test_parallel_run_matches_serial_run(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for i in range(6):
        files = {f"svc{j}/themisdb.conf": CONF for j in range(1 + i % 2)}
        files.update({f"bin/run{j}.sh": SH for j in range(2 + i * 2)})
        make_repo(tmp_path / "serial" / f"r{i}", files, commit=False)
    shutil.copytree(tmp_path / "serial", tmp_path / "parallel")
    assert invoke("--jobs", "1", "--report", "s.json", *[f"serial/r{i}" for i in range(6)]).exit_code == 0
    assert invoke("--jobs", "2", "--report", "p.json", *[f"parallel/r{i}" for i in range(6)]).exit_code == 0
    for path in (tmp_path / "serial").rglob("*.*"):
        assert path.read_bytes() == (tmp_path / "parallel" / path.relative_to(tmp_path / "serial")).read_bytes()
    assert load(tmp_path / "s.json")["totals"]["fixes"] == load(tmp_path / "p.json")["totals"]["fixes"] > 0


def write_big_repo(root, files: int) -> None:
    """A repository of many small fixable files, plus one large one that the queue takes first."""
    for i in range(files):
        folder = root / f"svc{i % 40}"
        folder.mkdir(parents=True, exist_ok=True)
        if i % 40:  # mostly shell scripts: the YAML surface costs ~50 ms a file
            (folder / f"run{i}.sh").write_text(SH)
        else:
            (folder / f"themisdb-{i}.conf").write_text(CONF)
    big = "".join(f"exec themisdb-server --storage.journalSize {n}MB\n" for n in range(1500))
    (root / "big.sh").write_text("#!/bin/sh\n" + big)


def snapshot(root) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts}


def test_sigint_leaves_every_file_old_or_new_and_a_rerun_finishes(tmp_path) -> None:
    repo = tmp_path / "big"
    write_big_repo(repo, 1200)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    original = snapshot(repo)
    shutil.copytree(repo, tmp_path / "reference")
    command = [sys.executable, "-c", "from themis_lint.cli import main; main()", "migrate", "--jobs", "2"]
    subprocess.run([*command, "--quiet", "reference"], cwd=tmp_path, capture_output=True, check=False)
    fixed = snapshot(tmp_path / "reference")
    assert fixed != original

    proc = subprocess.Popen([*command, "--no-progress", "--report", "r.json", "big"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while (repo / "big.sh").read_bytes() == original["big.sh"] and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    now = snapshot(repo)
    assert now.keys() == original.keys()  # no temp files left behind
    assert all(now[name] in (original[name], fixed[name]) for name in now)
    assert sum(now[n] != original[n] for n in now) >= 1
    assert any(now[n] != fixed[n] for n in now), "the run finished before the signal; make the repo bigger"
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["interrupted"] is True and report["repositories"][0]["status"] == "interrupted"
    assert "1 interrupted" in stdout and "interrupted" in stderr

    again = subprocess.run([*command, "--no-progress", "big"], cwd=tmp_path, capture_output=True, text=True,
                           check=False)
    assert again.returncode == 0, again.stdout + again.stderr
    assert snapshot(repo) == fixed


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stop_finishes_the_file_in_hand_and_reports(fleet, monkeypatch, signum, code) -> None:
    interrupt_after_first_write(monkeypatch, signum)
    result = invoke("--jobs", "1", "--report", "r.json", "--html", "r.html", "clean", "plain")
    assert result.exit_code == code
    report = load(fleet / "r.json")
    assert report["interrupted"] is True and report["signal"] == signum
    assert [r["status"] for r in report["repositories"]] == ["interrupted", "interrupted"]
    assert report["totals"]["files_changed"] == 1 and (fleet / "r.html").exists()
    assert "2 repositories in" in result.stdout and "  2 interrupted\n  1 files changed" in result.stdout
    assert "rerun the same command" in result.stderr


def test_commit_after_an_interrupted_run_takes_both_runs_files(fleet, monkeypatch) -> None:
    interrupt_after_first_write(monkeypatch, signal.SIGINT)
    assert invoke("--jobs", "1", "--commit", "clean").exit_code == 130
    repo = fleet / "clean"
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"  # no commit after a stop
    monkeypatch.setattr(writer, "before_write", lambda path: None)
    assert invoke("--jobs", "1", "--commit", "clean").exit_code == 0  # its own changes are not "dirty"
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["config/themisdb.conf",
                                                                           "scripts/start.sh"]
    assert "- TH101 config-key-renamed: 2" in git(repo, "log", "-1", "--format=%B")
    assert not (repo / ".git" / migrate.MARKER).exists()


def test_git_never_runs_the_repositorys_filters(fleet) -> None:
    repo = fleet / "clean"
    (repo / ".gitattributes").write_text("*.sh filter=evil\n")
    git(repo, "config", "filter.evil.clean", f"touch {fleet}/filter-ran; cat")
    git(repo, "add", ".gitattributes")
    git(repo, "commit", "-q", "-m", "attributes")
    (fleet / "filter-ran").unlink(missing_ok=True)
    os.utime(repo / "scripts/start.sh")  # stat-dirty: git status would run the clean filter
    assert invoke("--commit", "clean").exit_code == 0
    assert not (fleet / "filter-ran").exists()


def test_broken_git_metadata_fails_instead_of_skipping_the_dirty_check(fleet) -> None:
    make_repo(fleet / "orphan", {"start.sh": SH}, commit=False)
    (fleet / "orphan" / ".git").write_text("gitdir: /nonexistent/worktree\n")
    result = invoke("--report", "r.json", "orphan", "clean")
    assert result.exit_code == 1
    repo = by_path(load(fleet / "r.json"))["orphan"]
    assert repo["status"] == "failed" and repo["reason"].startswith("git cannot use this work tree")
    assert (fleet / "orphan/start.sh").read_text() == SH
    assert "walSize" in (fleet / "clean/scripts/start.sh").read_text()


def test_missing_path_and_oversized_file(fleet) -> None:
    result = invoke("--max-file-size", "60", "--report", "r.json", "clean", "nowhere")
    repos = by_path(load(fleet / "r.json"))
    assert repos["nowhere"]["status"] == "failed" and repos["nowhere"]["reason"] == "no such folder"
    assert repos["clean"]["notes"] == ["config/themisdb.conf: skipped: 80 bytes is over the 60-byte limit (--max-file-size)"]
    assert repos["clean"]["changed"] == ["scripts/start.sh"]
    assert (fleet / "clean/config/themisdb.conf").read_text() == CONF
    assert "clean: note: config/themisdb.conf: skipped" in result.stdout and result.exit_code == 1


def test_an_analyzer_crash_costs_one_file_not_the_run(fleet, monkeypatch) -> None:
    from themis_lint.analyzers import command_line

    def crash(source, ctx):
        raise ValueError("boom")

    monkeypatch.setattr(command_line, "analyze", crash)
    result = invoke("--jobs", "1", "--report", "r.json", "clean")
    repo = by_path(load(fleet / "r.json"))["clean"]
    message = "internal error in the command_line surface: ValueError: boom; file left unchanged"
    assert repo["errors"] == [f"scripts/start.sh: {message}"]
    assert repo["changed"] == ["config/themisdb.conf"] and result.exit_code == 1


def test_a_folder_inside_a_repository(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    api = "services/api"
    make_repo(tmp_path / "mono", {f"{api}/config/themisdb.conf": CONF, f"{api}/scripts/start.sh": SH,
                                  "web/README.md": README})
    (tmp_path / "mono/web/README.md").write_text("# edited elsewhere in the repository\n")
    invoke("--diff-dir", "patches", f"mono/{api}")
    patch = tmp_path / "patches" / "mono__services__api.patch"
    # paths from the repository root: git skips patch paths outside the folder it runs in, and a
    # folder-relative path would be outside (the patch would "apply" and change nothing)
    assert patch.read_text().startswith(f"diff --git a/{api}/config/themisdb.conf b/{api}/config/themisdb.conf\n")
    out = subprocess.run(["git", "apply", "-v", "--check", str(patch)], cwd=tmp_path / "mono" / api,
                         capture_output=True, text=True, check=True)
    assert "Skipped" not in out.stderr and "config/themisdb.conf" in out.stderr
    # the uncommitted edit in web/ is outside the folder: not a reason to refuse it
    assert invoke("--commit", f"mono/{api}").exit_code == 0
    assert git(tmp_path / "mono", "show", "--name-only", "--format=", "HEAD").split() == [
        f"{api}/config/themisdb.conf", f"{api}/scripts/start.sh"]
    assert git(tmp_path / "mono", "status", "--porcelain") == " M web/README.md\n"
    assert migrate.patch_name("a b/c") == "a_b__c.patch" and migrate.patch_name("x") == "x.patch"
