"""Issue 14 items 7-10: the SARIF category, --output-file, GitLab Code Quality, --statistics,
--show-fixes, colour, --quiet, --unsafe-fixes, the two error styles and shell completion."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.gates.support import command, themis
from tests.test_outputs import _sarif_multitool

# GitLab's documented Code Quality fields (docs.gitlab.com/ci/testing/code_quality, "Code Quality report
# format"): every issue needs these; severity is one of GitLab's five
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


# --- SARIF (item 7) ---

def test_sarif_has_no_fixed_automation_id_and_takes_a_category(sample, tmp_path) -> None:
    plain = json.loads(themis("check", "--output-format", "sarif", ".").stdout)
    assert "automationDetails" not in plain["runs"][0]
    done = themis("check", "--output-format", "sarif", "--sarif-category", "themis-lint/backend",
                  "--output-file", "backend.sarif", ".")
    assert (done.returncode, done.stdout) == (1, "")
    doc = json.loads((sample / "backend.sarif").read_text())
    assert doc["runs"][0]["automationDetails"] == {"id": "themis-lint/backend/"}
    tool = _sarif_multitool()
    log = tmp_path / "validation.sarif"
    checked = subprocess.run([str(tool), "validate", "--rule-kind", "Sarif;Gh", "--output", str(log),
                              str(sample / "backend.sarif")], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    results = json.loads(log.read_text(encoding="utf-8-sig"))["runs"][0]["results"]
    assert [(r["ruleId"], r["message"]) for r in results if r.get("level", "warning") == "error"] == []


def test_sarif_category_is_for_sarif_only(sample) -> None:
    done = themis("check", "--sarif-category", "x", ".")
    assert done.returncode == 2 and done.stderr.endswith("Error: --sarif-category is for --output-format sarif\n")


# --- --output-file and GitLab (item 8) ---

@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit", "gitlab"])
def test_output_file_for_every_format_matches_stdout(sample, fmt) -> None:
    to_stdout = themis("check", "--output-format", fmt, ".")
    to_file = themis("check", "--output-format", fmt, "--output-file", "reports/out", ".")
    assert (to_file.returncode, to_file.stdout, to_file.stderr) == (to_stdout.returncode, "", to_stdout.stderr)
    assert (sample / "reports" / "out").read_text() == to_stdout.stdout
    assert [p.name for p in (sample / "reports").iterdir()] == ["out"]  # no temp file left behind


def test_output_file_that_is_a_folder_is_a_usage_error(sample) -> None:
    done = themis("check", "--output-file", "app", ".")
    assert done.returncode == 2
    assert done.stderr.endswith("Error: Invalid value for '--output-file' / '-o': File 'app' is a directory.\n")


def test_gitlab_code_quality(sample) -> None:
    done = themis("check", "--output-format", "gitlab", ".")
    issues = json.loads(done.stdout)
    assert done.returncode == 1 and len(issues) == 32
    for issue in issues:
        assert isinstance(issue["description"], str) and issue["check_name"].startswith("TH")
        assert issue["severity"] in GITLAB_SEVERITIES and len(issue["fingerprint"]) == 32
        assert isinstance(issue["location"]["path"], str) and issue["location"]["lines"]["begin"] >= 1
    assert len({i["fingerprint"] for i in issues}) == 32
    removed = next(i for i in issues if i["check_name"] == "TH202")
    assert removed["severity"] == "major" and removed["location"] == {"path": "app/db.py",
                                                                       "lines": {"begin": 20, "end": 20}}
    assert next(i for i in issues if i["check_name"] == "TH101")["severity"] == "minor"
    # fingerprints survive unrelated edits above the finding
    db = sample / "app" / "db.py"
    db.write_text("# a new first line\n\n" + db.read_text())
    moved = {i["fingerprint"]: i["location"]["lines"]["begin"]
             for i in json.loads(themis("check", "--output-format", "gitlab", ".").stdout)}
    assert moved[removed["fingerprint"]] == 22 and set(moved) == {i["fingerprint"] for i in issues}


def test_statistics(sample) -> None:
    done = themis("check", "--statistics", ".")
    assert done.returncode == 1
    assert done.stdout == ("12\tTH101\t[*] config-key-renamed\n"
                           " 4\tTH102\t[*] config-key-required\n"
                           " 4\tTH301\t[*] index-type-skiplist\n"
                           " 3\tTH202\t[~] api-endpoint-removed\n"
                           " 3\tTH401\t[~] aql-fulltext\n"
                           " 3\tTH402\t[~] aql-within\n"
                           " 2\tTH103\t[~] config-key-removed\n"
                           " 1\tTH201\t[*] api-endpoint-deprecated\n"
                           "Found 32 finding(s) (21 fixable with --fix; 11 more with --fix --unsafe-fixes).\n")
    (sample / "app" / "more.py").write_text("requests.get(f'{base}/_api/simple/all')\n")
    mixed = themis("check", "--statistics", "--select", "TH202", ".").stdout
    assert mixed.splitlines()[0] == "4\tTH202\t[ ] api-endpoint-removed (3 with --fix --unsafe-fixes, 1 by hand)"
    assert themis("check", "--statistics", "--exit-zero", ".").returncode == 0


def test_show_fixes(sample) -> None:
    done = themis("check", "--fix", "--show-fixes", "--select", "TH101,TH201", ".")
    assert done.returncode == 0
    assert done.stdout == ("Fixed 13 finding(s):\n"
                           "- Dockerfile:\n    1 × TH101 (config-key-renamed)\n"
                           "- config/themisdb.conf:\n    3 × TH101 (config-key-renamed)\n"
                           "- config/themisdb.staging.yaml:\n    2 × TH101 (config-key-renamed)\n"
                           "- deploy/docker-compose.yml:\n    2 × TH101 (config-key-renamed)\n"
                           "- deploy/k8s/configmap.yaml:\n    1 × TH101 (config-key-renamed)\n"
                           "- deploy/k8s/statefulset.yaml:\n    1 × TH101 (config-key-renamed)\n"
                           "- deploy/themisdb.service:\n    1 × TH101 (config-key-renamed)\n"
                           "- scripts/start.sh:\n    1 × TH101 (config-key-renamed)\n"
                           "- web/src/api.ts:\n    1 × TH201 (api-endpoint-deprecated)\n"
                           "Found 13 finding(s) (13 fixed, 0 remaining).\n")
    none = themis("check", "--fix", "--show-fixes", "--select", "TH101", ".")
    assert (none.returncode, none.stdout) == (0, "No findings fixed.\nAll checks passed.\n")
    refused = themis("check", "--show-fixes", ".")
    assert refused.returncode == 2 and refused.stderr.endswith(
        "Error: --show-fixes lists what --fix (or --diff) changes: add one of them\n")


def test_show_fixes_with_diff_goes_to_stderr(sample) -> None:
    done = themis("check", "--diff", "--show-fixes", "--select", "TH201", ".")
    assert done.stdout.startswith("diff --git a/web/src/api.ts b/web/src/api.ts\n")
    assert done.stderr == "Would fix 1 finding(s):\n- web/src/api.ts:\n    1 × TH201 (api-endpoint-deprecated)\n"


# --- options that did nothing (item 9) ---

def test_color(sample) -> None:
    plain = themis("check", "--select", "TH201", ".").stdout
    assert "\x1b[" not in plain  # not a terminal: auto is off
    coloured = themis("check", "--color", "always", "--select", "TH201", ".").stdout
    assert coloured == ("\x1b[1mweb/src/api.ts\x1b[0m:6:27: \x1b[33m\x1b[1mTH201\x1b[0m \x1b[36m[*]\x1b[0m "
                        "`/_api/collection/create` is deprecated; use `/_api/collection` (POST)\n"
                        "\x1b[1mFound 1 finding(s) (1 fixable with --fix).\x1b[0m\n")
    assert themis("check", "--select", "TH201", ".", env={"FORCE_COLOR": "1"}).stdout == coloured
    assert themis("check", "--select", "TH201", ".", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout == plain
    assert themis("check", "--color", "never", "--select", "TH201", ".", env={"FORCE_COLOR": "1"}).stdout == plain
    for fmt in ("json", "sarif", "github", "junit", "gitlab"):
        assert "\x1b[" not in themis("check", "--color", "always", "--output-format", fmt, ".").stdout
    report = themis("report", "--color", "always", ".").stdout.splitlines()
    assert report[2] == ("\x1b[31m✗ Configuration: 18 findings (4 errors, 14 warnings), 16 auto-fixable, 2 more "
                         "with --unsafe-fixes\x1b[0m")
    assert report[-1].startswith("  - ") and "\x1b[" not in themis("report", ".").stdout


def test_quiet_prints_findings_only(sample) -> None:
    loud = themis("check", "--select", "TH201", ".").stdout.splitlines()
    assert themis("check", "-q", "--select", "TH201", ".").stdout.splitlines() == loud[:-1]
    assert themis("check", "--quiet", "--select", "TH201", "app").stdout == ""  # no finding: nothing at all


def test_unsafe_fixes_without_a_fix_is_a_usage_error(sample) -> None:
    done = themis("check", "--unsafe-fixes", ".")
    assert (done.returncode, done.stdout) == (2, "")
    # click's usage style (its help hint's wording varies between click releases)
    assert done.stderr.startswith("Usage: themis-lint check [OPTIONS] [PATHS]...\n")
    assert done.stderr.endswith("\n\nError: --unsafe-fixes applies fixes: add --fix or --diff (the [~] markers "
                                "and the summary already show which unsafe fixes exist)\n")


def test_run_errors_and_usage_errors_have_one_style_each(sample) -> None:
    (sample / "pyproject.toml").write_text("[tool.themis-lint]\nselect = [\n")
    run_error = themis("check", ".")
    assert run_error.returncode == 2 and run_error.stderr.startswith("themis-lint: error: ")
    assert run_error.stderr.count("\n") == 1
    usage = themis("check", "--fail-on", "never", ".")
    assert usage.returncode == 2 and usage.stderr.startswith("Usage: themis-lint check [OPTIONS] [PATHS]...\n")
    assert themis("rule", "TH999").stderr.startswith("Usage: themis-lint rule [OPTIONS] CODE\n")


@pytest.mark.parametrize("command_name, gone", [("check", "--no-progress"), ("report", "--no-progress"),
                                                ("migrate", "--no-cache"), ("migrate", "--color")])
def test_options_that_did_nothing_are_gone(sample, command_name, gone) -> None:
    args = [gone] if gone != "--color" else [gone, "always"]
    done = themis(command_name, *args, ".")
    # click words it "No such option: X" before 8.2.1 and "No such option 'X'." after
    assert done.returncode == 2 and "Error: No such option" in done.stderr and gone in done.stderr.splitlines()[-1]


# --- shell completion (item 10) ---

@pytest.mark.parametrize("shell, marker", [("bash", "complete -o nosort -F _themis_lint_completion themis-lint"),
                                           ("zsh", "compdef _themis_lint_completion themis-lint"),
                                           ("fish", "complete --no-files --command themis-lint")])
def test_shell_completion_scripts(shell, marker) -> None:
    done = subprocess.run(command(), env={**os.environ, "_THEMIS_LINT_COMPLETE": f"{shell}_source"},
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and marker in done.stdout


def test_completion_offers_the_options(sample) -> None:
    env = {**os.environ, "_THEMIS_LINT_COMPLETE": "bash_complete", "COMP_WORDS": "themis-lint check --sta",
           "COMP_CWORD": "2"}
    done = subprocess.run(command(), env=env, capture_output=True, text=True, check=False)
    assert done.stdout == "plain,--statistics\n"
