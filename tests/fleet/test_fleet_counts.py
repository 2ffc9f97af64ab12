"""Issue 15 defect 2: after an interrupted `--commit` run and a rerun, the report counts what the
branch holds against its base (files, fixes by rule, unsafe fixes), not only what the last
process wrote."""
from __future__ import annotations


from tests.fleet.gitfarm import CONF, SH, by_path, git, load, make_repo
from tests.helpers import invoke
from tests.migrate.repos import interrupt_after_first_write
from themis_lint import writer




def test_a_resumed_commit_reports_the_whole_branch(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_repo(tmp_path / "svc", {"config/themisdb.conf": CONF, "scripts/start.sh": SH})
    make_repo(tmp_path / "reference", {"config/themisdb.conf": CONF, "scripts/start.sh": SH})
    invoke("migrate", "--no-progress", "--commit", "--report", "ref.json", "reference")
    reference = by_path(load(tmp_path / "ref.json"))["reference"]
    interrupt_after_first_write(monkeypatch)
    first = invoke("migrate", "--no-progress", "--jobs", "1", "--commit", "--report", "r1.json", "svc")
    assert first.exit_code == 130
    monkeypatch.setattr(writer, "before_write", lambda path: None)
    second = invoke("migrate", "--no-progress", "--jobs", "1", "--commit", "--report", "r2.json", "svc")
    assert second.exit_code == 0, second.output
    repo = by_path(load(tmp_path / "r2.json"))["svc"]
    assert repo["changed_this_run"] == 1  # the rerun wrote one file, the first run the other
    assert repo["changed"] == ["config/themisdb.conf", "scripts/start.sh"] and repo["files_changed"] == 2
    assert repo["fixes"] == reference["fixes"] and repo["fixes"]["TH101"] == 2 and repo["fixes"]["TH103"] == 1
    assert repo["unsafe_fixes"] == {"TH103": 1}
    [unsafe] = repo["unsafe"]
    assert (unsafe["file"], unsafe["line"], unsafe["code"]) == ("config/themisdb.conf", 4, "TH103")
    assert repo["base"] == git(tmp_path / "svc", "rev-parse", "main").strip()
    assert repo["patch"].startswith("diff --git a/config/themisdb.conf b/config/themisdb.conf\n")
    assert "+exec themisdb-server --storage.rocksdb.walSize 32MB" in repo["patch"]
    assert "2 files changed" in second.stdout
    totals = load(tmp_path / "r2.json")["totals"]
    assert totals["files_changed"] == 2 and totals["unsafe_fixes"] == 1 and totals["by_outcome"]["changed"] == 1


def test_a_person_s_change_on_the_branch_is_not_counted_as_a_fix(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_repo(tmp_path / "svc", {"bin/a.sh": SH, "bin/b.sh": SH})
    interrupt_after_first_write(monkeypatch)
    assert invoke("migrate", "--no-progress", "--jobs", "1", "--commit", "svc").exit_code == 130
    monkeypatch.setattr(writer, "before_write", lambda path: None)
    # someone undoes the first run's fix in a.sh and changes a value; the rerun fixes it again
    (tmp_path / "svc/bin/a.sh").write_text(SH.replace("32MB", "64MB"))
    result = invoke("migrate", "--no-progress", "--allow-dirty", "--commit", "--report", "r.json", "svc")
    repo = by_path(load(tmp_path / "r.json"))["svc"]
    assert repo["changed"] == ["bin/a.sh", "bin/b.sh"] and repo["foreign"] == ["bin/a.sh"]
    assert repo["outcome"] == "needs-review" and result.exit_code == 1
    assert "changed by someone else" in result.stdout
