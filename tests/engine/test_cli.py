"""The command line end to end: outputs, exit codes, versions, packs, config (docs/cli.md)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import invoke

CONF = "server.endpoint: tcp://0.0.0.0:8529\nstorage.journalSize: 32MB   # WAL\n"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / "themisdb.conf").write_text(CONF)
    monkeypatch.chdir(tmp_path)
    return tmp_path



def test_text_output_and_exit_1(repo) -> None:
    result = invoke("check", ".")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == ("themisdb.conf:1:1: TH102 [*] `storage.rocksdb.compression` is required in "
                        "ThemisDB 1.4; add `storage.rocksdb.compression: lz4`")
    assert "themisdb.conf:2:1: TH101 [*] `storage.journalSize` is renamed to `storage.rocksdb.walSize`" in lines[3]
    assert lines[-1] == "Found 4 finding(s) (4 fixable with --fix)."


def test_json_output_uses_ruff_field_names(repo) -> None:
    result = invoke("check", "--output-format", "json", "--select", "TH101", ".")
    [item] = json.loads(result.output)
    assert item["code"] == "TH101" and item["filename"] == "themisdb.conf"
    assert item["location"] == {"row": 2, "column": 1} and item["end_location"] == {"row": 2, "column": 20}
    assert item["fix"]["applicability"] == "safe"
    assert item["fix"]["edits"] == [{"content": "storage.rocksdb.walSize", "location": {"row": 2, "column": 1},
                                     "end_location": {"row": 2, "column": 20}}]
    assert (item["severity"], item["category"], item["slug"]) == ("warning", "Configuration", "config-key-renamed")
    assert item["pack"] == "themisdb-1.3-to-1.4" and item["url"].endswith("TH101-config-key-renamed.md")


def test_fix_then_clean_exit_0(repo) -> None:
    assert invoke("check", "--fix", ".").exit_code == 0
    assert (repo / "themisdb.conf").read_text().startswith(
        "server.endpoint: tcp://0.0.0.0:8529\nserver.statisticsEnabled: true\nstorage.rocksdb.walSize: 32MB   # WAL\n")
    assert invoke("check", ".").exit_code == 0


def test_diff_prints_and_writes_nothing(repo) -> None:
    result = invoke("check", "--diff", "--select", "TH101", ".")
    assert result.exit_code == 1
    assert "-storage.journalSize: 32MB   # WAL\n+storage.rocksdb.walSize: 32MB   # WAL\n" in result.output
    assert (repo / "themisdb.conf").read_text() == CONF


def test_fail_on_and_exit_zero(repo) -> None:
    assert invoke("check", "--select", "TH101", "--fail-on", "error", ".").exit_code == 0
    assert invoke("check", "--exit-zero", ".").exit_code == 0


def test_select_ignore_and_unknown_code(repo) -> None:
    assert "TH102" not in invoke("check", "--ignore", "TH102", ".").output
    result = invoke("check", "--select", "TH1O1", ".")
    assert result.exit_code == 2 and "unknown rule code 'TH1O1'" in result.output


def test_versions(repo) -> None:
    same = invoke("check", "--from", "1.4.0", "--to", "1.4.5", ".")
    assert same.exit_code == 0 and "no breaking changes between 1.4 and 1.4" in same.output
    missing = invoke("check", "--from", "1.2", "--to", "1.4", ".")
    assert missing.exit_code == 2 and "no pack for the step from 1.2 towards 1.4" in missing.output
    assert invoke("check", "--from", "1.3.5", "--target-version", "1.4.0", ".").exit_code == 1


def test_user_pack_chains_before_the_bundled_one(repo) -> None:
    (repo / "old.yaml").write_text(
        'from: "1.2"\nto: "1.3"\nchanges:\n  - {primitive: rename-config-key, code: TH101, '
        "old: storage.journal, new: storage.journalSize}\n")
    (repo / "themisdb.conf").write_text(FULL + "storage.journal: 8MB\n")
    assert invoke("check", "--pack", "old.yaml", "--from", "1.2", "--fix", ".").exit_code == 0
    assert (repo / "themisdb.conf").read_text() == FULL + "storage.rocksdb.walSize: 8MB\n"


FULL = "server.statisticsEnabled: true\nquery.spillToDisk: true\nstorage.rocksdb.compression: lz4\n"


def test_broken_pack_is_exit_2_with_file_and_line(repo) -> None:
    (repo / "bad.yaml").write_text('from: "1.3"\nto: "1.4"\nchanges:\n  - {primitive: rename-key, code: TH101}\n')
    result = invoke("check", "--pack", "bad.yaml", ".")
    assert result.exit_code == 2
    assert "bad.yaml:4: unknown primitive 'rename-key' (did you mean 'rename-config-key'?)" in result.output


def test_unknown_config_key_has_a_hint(repo) -> None:
    (repo / ".themis-lint.toml").write_text('extend-exlude = ["x"]\n')
    result = invoke("check", ".")
    assert result.exit_code == 2 and "unknown key 'extend-exlude' (did you mean 'extend-exclude'?)" in result.output


def test_config_errors_name_the_file_and_line(repo) -> None:
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.themis-lint]\n# ours\nextend-selct = ["TH104"]\n')
    result = invoke("check", ".")
    assert result.stderr == (f"themis-lint: error: {repo / 'pyproject.toml'}:6: unknown key 'extend-selct' "
                             "(did you mean 'extend-select'?)\n")
    (repo / "pyproject.toml").write_text('[tool.themis-lint]\nignore = ["TH299"]\n')
    result = invoke("check", ".")
    assert result.exit_code == 2
    assert result.stderr == (f"themis-lint: error: {repo / 'pyproject.toml'}: `ignore`: unknown rule code 'TH299' "
                             "(did you mean TH901?)\n")


def test_project_config_rule_options_and_per_file_ignores(repo) -> None:
    (repo / "pyproject.toml").write_text(
        '[tool.themis-lint]\nper-file-ignores = {"themisdb.conf" = ["TH10"]}\n'
        '[tool.themis-lint.rules.TH402]\nlatitud = "lat"\n')
    result = invoke("check", ".")
    assert result.exit_code == 2 and "unknown option 'latitud' (did you mean 'latitude'?)" in result.output
    (repo / "pyproject.toml").write_text('[tool.themis-lint]\nper-file-ignores = {"themisdb.conf" = ["TH10"]}\n')
    assert invoke("check", ".").exit_code == 0


def test_rules_rule_and_packs_commands() -> None:
    assert "TH101  config-key-renamed" in invoke("rules").output
    page = invoke("rule", "th101").output
    assert page.startswith("TH101 config-key-renamed (warning, fix: safe)")
    assert "### Example: flat_key_guide_example" in page
    assert "1.3 → 1.4  themisdb-1.3-to-1.4" in invoke("packs").output


def test_explicit_file_is_checked_even_when_excluded(repo) -> None:
    (repo / ".themis-lint.toml").write_text('extend-exclude = ["themisdb.conf"]\n')
    assert invoke("check", ".").exit_code == 0
    assert invoke("check", "themisdb.conf").exit_code == 1


def test_version_does_not_import_parsers() -> None:
    code = ("import sys; from themis_lint.cli import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit: pass\n"
            "heavy = [m for m in ('libcst', 'tree_sitter', 'sqlglot', 'ruamel') if m in sys.modules]\n"
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")


def test_parallel_run_equals_serial_run(tmp_path, monkeypatch) -> None:
    for i in range(80):  # over runner.PARALLEL_MIN_FILES, so the pool really runs
        (tmp_path / f"themisdb-{i}.conf").write_text(CONF)
        (tmp_path / f"notes-{i}.yaml").write_text("text: within reason\n")
    monkeypatch.chdir(tmp_path)
    serial = invoke("check", "--no-cache", "--jobs", "1", "--output-format", "json", ".").output
    parallel = invoke("check", "--no-cache", "--jobs", "2", "--output-format", "json", ".").output
    assert serial == parallel and len(json.loads(serial)) == 320


def test_missing_path_is_an_error_line(repo) -> None:
    result = invoke("check", "nope.conf", "themisdb.conf")
    assert result.exit_code == 2 and "nope.conf: no such file or folder" in result.output
    assert "themisdb.conf:2:1: TH101" in result.output


def test_control_characters_in_names_are_escaped(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    name = "themisdb\x1b[31m\n.conf"
    (tmp_path / name).write_text(CONF)
    result = invoke("check", ".")
    assert "\x1b" not in result.output and "themisdb\\x1b[31m\\n.conf:2:1: TH101" in result.output
    assert os.path.exists(tmp_path / name)


def test_cache_reuses_results_and_never_trusts_its_content(repo) -> None:
    first = invoke("check", "--output-format", "json", ".").output
    db = Path(os.environ["THEMIS_LINT_CACHE_DIR"]) / "results.sqlite3"
    assert db.exists()
    assert invoke("check", "--output-format", "json", ".").output == first
    import sqlite3

    with sqlite3.connect(db) as conn:  # a hostile or corrupt entry is ignored, never executed
        conn.execute("UPDATE results SET result = 'cos\\nsystem\\n(S\"echo pwned\"\\ntR.'")
    assert invoke("check", "--output-format", "json", ".").output == first


def test_no_cache_writes_no_cache_folder(repo) -> None:
    invoke("check", "--no-cache", ".")
    assert not (Path(os.environ["THEMIS_LINT_CACHE_DIR"]) / "results.sqlite3").exists()


def test_the_cache_lives_outside_the_checked_tree(repo) -> None:
    before = sorted(p.name for p in repo.rglob("*"))
    invoke("check", ".")
    assert (Path(os.environ["THEMIS_LINT_CACHE_DIR"]) / "results.sqlite3").exists()
    assert sorted(p.name for p in repo.rglob("*")) == before


def test_fix_after_a_cached_report_still_fixes(repo) -> None:
    invoke("check", ".")
    assert invoke("check", "--fix", ".").exit_code == 0
    assert "storage.rocksdb.walSize" in (repo / "themisdb.conf").read_text()


def test_cache_skips_unchanged_files_and_notices_changed_ones(repo) -> None:
    first = invoke("check", "--output-format", "json", ".").output
    assert invoke("check", "--output-format", "json", ".").output == first
    conf = repo / "themisdb.conf"
    conf.write_text(conf.read_text() + "cache.maxSize: 2GB\n")
    again = json.loads(invoke("check", "--output-format", "json", ".").output)
    assert len(again) == len(json.loads(first)) + 1


def test_cache_reuses_a_result_when_only_the_stat_changed(repo, monkeypatch) -> None:
    first = invoke("check", "--output-format", "json", ".").output
    conf = repo / "themisdb.conf"
    os.utime(conf, ns=(1_000_000_000, 1_000_000_000))  # same bytes, another mtime
    import themis_lint.pipeline as engine

    def no_parse(*args, **kwargs):
        raise AssertionError("an unchanged file was parsed again")

    monkeypatch.setattr(engine, "check_source", no_parse)
    assert invoke("check", "--output-format", "json", ".").output == first


def test_cache_forgets_the_oldest_option_sets(repo, monkeypatch) -> None:
    import sqlite3

    import themis_lint.cache as cache

    monkeypatch.setattr(cache, "KEEP_RUNS", 2)
    for select in ("TH101", "TH102", "TH103"):
        invoke("check", "--select", select, ".")
    with sqlite3.connect(Path(os.environ["THEMIS_LINT_CACHE_DIR"]) / "results.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(DISTINCT run) FROM results").fetchone()[0] == 2


def test_diff_exit_code_counts_findings_the_diff_leaves(tmp_path, monkeypatch) -> None:
    (tmp_path / "a.py").write_text('u = "/_admin/log"\n')  # an error whose only fix is unsafe
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "--no-cache", "--diff", "a.py")
    assert result.exit_code == 1 and result.stdout == ""  # the diff is empty; stderr says what remains
    assert "1 finding(s) have no automatic fix in this diff" in result.stderr


def test_error_lines_replace_the_all_clear(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "--no-cache", "missing.py")
    assert result.exit_code == 2 and "All checks passed" not in result.output


def test_junit_has_a_test_case_for_every_checked_file(tmp_path, monkeypatch) -> None:
    from junitparser import JUnitXml

    (tmp_path / "a.py").write_text('u = "/_admin/log"\n')
    (tmp_path / "b.py").write_text("x = 1\n")
    (tmp_path / "notes.md").write_text("/_admin/log\n")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "junit.xml"
    out.write_text(invoke("check", "--no-cache", "--output-format", "junit", ".").output)
    cases = sorted(case.name for suite in JUnitXml.fromfile(str(out)) for case in suite)
    assert cases == ["a.py", "b.py"]


def test_a_missing_dependency_of_a_command_is_named_not_no_such_command(monkeypatch) -> None:
    # issue 13: the lazy command loader turned any ModuleNotFoundError into "No such command"
    import sys

    for name in [m for m in sys.modules if m == "pygls" or m.startswith(("pygls.", "themis_lint.lsp"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pygls", None)  # importing it now raises ModuleNotFoundError
    result = invoke("server")
    assert result.exit_code == 2
    assert "No such command" not in result.output
    assert "server: needs the Python module 'pygls', which is not installed here" in result.output


def test_max_file_size_holds_with_a_warm_cache_and_a_skipped_file_is_not_checked(repo) -> None:
    # the cache once answered from a run without the limit: the finding came back, exit 1
    assert invoke("check", ".").exit_code == 1  # fills the cache
    size = (repo / "themisdb.conf").stat().st_size
    for _ in range(2):  # cold, then from the cache
        result = invoke("check", "--max-file-size", "10", ".")
        assert result.exit_code == 0 and "TH101" not in result.output
        assert f"themisdb.conf: skipped: {size} bytes is over the 10-byte limit (--max-file-size)" in result.stderr
        assert ("themis-lint: warning: nothing was checked: every file a surface reads is over --max-file-size"
                in result.stderr)
        assert "All checks passed." not in result.output
    (repo / "themisdb.small.conf").write_text("cache.maxSize: 2GB\n")  # 19 bytes: checked
    mixed = invoke("check", "--max-file-size", "40", ".")
    assert mixed.exit_code == 1 and "nothing was checked" not in mixed.stderr
    assert "themisdb.small.conf:1:1: TH101" in mixed.stdout and "themisdb.conf:" not in mixed.stdout


def test_keep_compatible_with_on_the_command_line(repo) -> None:
    (repo / "themisdb.conf").write_text("cache.maxSize: 1GB\n")
    kept = invoke("check", "--keep-compatible-with", "1.3", "--fix", "--select", "TH101", ".")
    assert kept.exit_code == 1 and (repo / "themisdb.conf").read_text() == "cache.maxSize: 1GB\n"
    assert ("(no fix: the replacement exists from 1.4, not in 1.3; change it once every server runs 1.4, "
            "or switch on the server version in code)") in kept.stdout
    for version in ("1.4", "9.9", "1.2"):  # at or past the target keeps every fix; before the start means nothing
        refused = invoke("check", "--keep-compatible-with", version, ".")
        assert refused.exit_code == 2
        assert refused.stderr == (f"themis-lint: error: --keep-compatible-with {version}: expected a version from 1.3 "
                                  "up to (not including) the target 1.4\n")
