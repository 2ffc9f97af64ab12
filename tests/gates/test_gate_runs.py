"""Issue 14 items 4-6: -v says which config governed which files, the packs and the timing; stdin that
no surface reads says so; --diff keeps stdout for the diff and says on stderr what it leaves."""
from __future__ import annotations

import json
import shutil
import re
import subprocess

from tests.gates.support import SAMPLE, git, themis

TIMING = re.compile(r"themis-lint: (\d+) file\(s\) checked in \d+\.\d\ds \(discovery \d+\.\d\ds, "
                    r"analysis \d+\.\d\ds, output \d+\.\d\ds\)")
PACKS = "(packs: themisdb-1.3-to-1.4; 1.3 → 1.4)"


def test_verbose_names_the_config_of_each_file_the_packs_and_the_time(tmp_path) -> None:
    repo = tmp_path / "mono"
    (repo / "services" / "a").mkdir(parents=True)
    (repo / "services" / "b").mkdir(parents=True)
    (repo / "pyproject.toml").write_text('[tool.themis-lint]\nignore = ["TH102"]\n')
    (repo / "services" / "a" / ".themis-lint.toml").write_text('ignore = ["TH102", "TH103"]\n')
    for service in ("a", "b"):
        (repo / "services" / service / "themisdb.conf").write_text("server.requireAuthentication: true\n")
    (repo / "notes.txt").write_text("not read by any surface\n")
    git(repo, "init", "-q")
    done = themis("check", "-v", "services", cwd=repo)
    lines = done.stderr.splitlines()
    assert lines[:2] == [
        f"themis-lint: config services/a/.themis-lint.toml {PACKS} governs 1 file(s): services/a/themisdb.conf",
        f"themis-lint: config pyproject.toml {PACKS} governs 1 file(s): services/b/themisdb.conf"]
    assert TIMING.fullmatch(lines[2])[1] == "2" and len(lines) == 3
    assert done.stdout.splitlines()[0].startswith("services/b/themisdb.conf:1:1: TH103")
    alone = themis("check", "--verbose", "--select", "TH101", "notes.txt", cwd=tmp_path / "mono")
    assert alone.stderr.splitlines()[0] == f"themis-lint: config pyproject.toml {PACKS} governs 0 file(s)"


def test_verbose_names_twenty_files_per_config_and_counts_the_rest(tmp_path) -> None:
    for i in range(23):
        (tmp_path / f"themisdb-{i:02}.conf").write_text("server.requireAuthentication: true\n")
    done = themis("check", "-v", ".", cwd=tmp_path)
    first = done.stderr.splitlines()[0]
    names = ", ".join(f"themisdb-{i:02}.conf" for i in range(20))
    assert first == f"themis-lint: no config (defaults) {PACKS} governs 23 file(s): {names} and 3 more"


# --- stdin (item 5) ---

def test_stdin_no_surface_reads_says_nothing_was_checked(tmp_path) -> None:
    done = themis("check", "--stdin-filename", "notes.txt", input="uses /_admin/log\n", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "Nothing was checked.\n")
    assert done.stderr == ("themis-lint: warning: nothing was checked: no surface reads a file named notes.txt "
                           "(README.md \"Surfaces\" lists the files it reads)\n")


def test_stdin_without_a_name(tmp_path) -> None:
    for args in (("-",), ("--stdin-filename", "-")):
        done = themis("check", *args, input="u = '/_admin/log'\n", cwd=tmp_path)
        assert (done.returncode, done.stdout) == (0, "Nothing was checked.\n")
        assert done.stderr == ("themis-lint: warning: nothing was checked: stdin has no file name: pass "
                               "--stdin-filename NAME (the name picks the surface, the config and the path in "
                               "the report)\n")


def test_dash_is_stdin_and_fix_echoes_an_unchecked_buffer(tmp_path) -> None:
    named = themis("check", "--stdin-filename", "app.py", "-", input="u = '/_admin/log'\n", cwd=tmp_path)
    assert named.returncode == 1 and named.stdout.startswith("app.py:1:6: TH202 [~] `/_admin/log` is removed")
    echoed = themis("check", "--fix", "--stdin-filename", "notes.txt", input=b"/_admin/log\r\n", cwd=tmp_path)
    assert (echoed.returncode, echoed.stdout) == (0, b"/_admin/log\r\n")
    assert echoed.stderr.startswith(b"Nothing was checked.\nthemis-lint: warning: nothing was checked")
    mixed = themis("check", "-", "app.py", input="", cwd=tmp_path)
    assert mixed.returncode == 2 and mixed.stderr.endswith(
        "Error: stdin (`-` or --stdin-filename) is checked alone; also named: app.py\n")


def test_stdin_force_exclude_and_tool_documents(tmp_path) -> None:
    excluded = themis("check", "--force-exclude", "--stdin-filename", "vendor/app.py", input="u = '/_admin/log'\n",
                      cwd=tmp_path)
    assert (excluded.returncode, excluded.stdout) == (0, "Nothing was checked.\n")
    assert excluded.stderr == ("themis-lint: warning: nothing was checked: vendor/app.py is excluded "
                               "(--force-exclude): `vendor/` matches the exclude patterns\n")
    sarif = themis("check", "--output-format", "sarif", "--stdin-filename", "app.py", input="u = '/_admin/log'\n",
                   cwd=tmp_path).stdout
    again = themis("check", "--stdin-filename", "results.json", input=sarif, cwd=tmp_path)
    assert (again.returncode, again.stdout) == (0, "Nothing was checked.\n")
    assert "stdin holds a SARIF log written by themis-lint" in again.stderr


def test_force_exclude_outside_a_repository_from_a_subfolder(tmp_path) -> None:
    # no .git: `../vendor/db.py` named from `app/` was judged from `vendor/` itself, so neither the
    # default `vendor` exclude nor the project's .gitignore applied, and --fix rewrote it
    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project)
    (project / "vendor").mkdir()
    vendored = (project / "app" / "db.py").read_text()
    (project / "vendor" / "db.py").write_text(vendored)
    done = themis("check", "--force-exclude", "--fix", "../vendor/db.py", "../local/themisdb.conf", cwd=project / "app")
    assert (done.returncode, done.stdout) == (0, "Nothing was checked.\n")
    assert "../vendor/db.py: skipped (--force-exclude): `vendor/` matches the exclude patterns" in done.stderr
    assert "../local/themisdb.conf: skipped (--force-exclude): `local/` is ignored by a .gitignore file" in done.stderr
    assert (project / "vendor" / "db.py").read_text() == vendored


# --- --diff (item 6) ---

def test_diff_only_unsafe_fixes_says_so_on_stderr(sample) -> None:
    done = themis("check", "--diff", "--select", "TH401", ".")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines() == [
        "themis-lint: 3 finding(s) have no automatic fix in this diff (3 only an unsafe one: add --unsafe-fixes):",
        *[line for line in themis("check", "--select", "TH401", ".").stdout.splitlines()[:-1]]]


def test_diff_stdout_is_a_patch_git_applies(sample) -> None:
    done = themis("check", "--diff", ".")
    assert done.returncode == 1
    patch = sample.parent / "fix.patch"
    patch.write_text(done.stdout)
    subprocess.run(["git", "apply", "--check", str(patch)], cwd=sample, check=True)
    assert done.stderr.splitlines()[0] == ("themis-lint: 11 finding(s) have no automatic fix in this diff "
                                           "(11 only an unsafe one: add --unsafe-fixes):")
    unsafe = themis("check", "--diff", "--unsafe-fixes", ".")
    assert unsafe.stderr == ""  # every finding of the sample has a fix with --unsafe-fixes
    git(sample, "apply", str(patch))
    assert themis("check", ".").stdout.endswith("Found 11 finding(s) (11 more with --fix --unsafe-fixes).\n")


def test_diff_with_a_document_needs_an_output_file(sample) -> None:
    refused = themis("check", "--diff", "--output-format", "json", ".")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.endswith("Error: --diff prints the diff on stdout; write the json document with "
                                   "--output-file FILE\n")
    done = themis("check", "--diff", "--output-format", "sarif", "--output-file", "fixes.sarif", ".")
    assert done.returncode == 1 and done.stdout.startswith("diff --git a/Dockerfile b/Dockerfile\n")
    remaining = json.loads((sample / "fixes.sarif").read_text())["runs"][0]["results"]
    assert len(remaining) == 11  # what the diff leaves, as --fix would
    # what the diff leaves is summarised on stderr as in a text run (this once ended in a traceback)
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("themis-lint: 11 finding(s) have no automatic fix in this diff "
                                  "(11 only an unsafe one: add --unsafe-fixes):\n")
    assert len(done.stderr.splitlines()) == 12
