"""Issue 14 item 2: files themis-lint wrote are never findings, whatever their name; the documented
adoption flow (write a baseline, then gate on it, then fix) works with findings on every surface."""
from __future__ import annotations

import json

from tests.gates.support import themis, tree

EVERY_SURFACE = {"Dockerfile", "app/db.py", "config/themisdb.conf", "config/themisdb.staging.yaml",
                 "data/dump/orders.structure.json", "deploy/docker-compose.yml", "deploy/k8s/configmap.yaml",
                 "deploy/k8s/statefulset.yaml", "deploy/themisdb.service", "queries/nearby.aql",
                 "queries/notes.aql", "scripts/healthcheck.sh", "scripts/start.sh", "web/src/api.ts"}


def findings(*args: str) -> list[tuple[str, int, str]]:
    done = themis("check", "--output-format", "json", *args)
    assert done.returncode in (0, 1), done.stderr
    return [(f["filename"], f["location"]["row"], f["code"]) for f in json.loads(done.stdout)]


def test_baseline_then_gate_then_fix(sample) -> None:
    wrote = themis("check", "--write-baseline", "themis-baseline.json", ".")
    assert (wrote.returncode, wrote.stderr) == (0, "themis-lint: wrote 32 finding(s) to themis-baseline.json\n")
    assert wrote.stdout == "All checks passed. (32 known finding(s) are in the baseline.)\n"
    recorded = json.loads((sample / "themis-baseline.json").read_text())["findings"]
    assert {e["path"] for e in recorded} == EVERY_SURFACE
    assert {"/_admin/log", "/_api/simple/all", "/_api/collection/create"} <= {e["matched"] for e in recorded}

    gate = themis("check", "--baseline", "themis-baseline.json", ".")
    assert (gate.returncode, gate.stdout, gate.stderr) == (
        0, "All checks passed. (32 known finding(s) are in the baseline.)\n", "")

    baseline = (sample / "themis-baseline.json").read_bytes()
    fixed = themis("check", "--baseline", "themis-baseline.json", "--fix", ".")
    assert (fixed.returncode, fixed.stdout) == (
        0, "Found 21 finding(s) (21 fixed, 0 remaining). 11 more are in the baseline.\n")
    assert (sample / "themis-baseline.json").read_bytes() == baseline
    # the unsafe fixes too: still the baseline is not touched, and the gate stays green
    assert themis("check", "--baseline", "themis-baseline.json", "--fix", "--unsafe-fixes", ".").returncode == 0
    assert (sample / "themis-baseline.json").read_bytes() == baseline


def test_a_committed_baseline_is_never_data_under_any_name(sample) -> None:
    # `themisdb.json` is a server-config name: checked as data it would also miss required keys (TH102)
    assert themis("check", "--write-baseline", "deploy/themisdb.json", ".").returncode == 0
    before = (sample / "deploy" / "themisdb.json").read_bytes()
    assert "deploy/themisdb.json" not in {path for path, _, _ in findings(".")}
    fixed = themis("check", "--fix", "--unsafe-fixes", ".")
    assert (fixed.returncode, fixed.stdout) == (0, "Found 32 finding(s) (32 fixed, 0 remaining).\n")
    assert (sample / "deploy" / "themisdb.json").read_bytes() == before
    named = themis("check", "deploy/themisdb.json")  # as pre-commit names it
    assert (named.returncode, named.stdout) == (0, "Nothing was checked.\n")
    assert named.stderr == ("themis-lint: warning: nothing was checked: every file named was skipped\n"
                            "themis-lint: deploy/themisdb.json: skipped: it is a baseline written by themis-lint\n")


def test_reports_written_into_the_tree_are_never_data(sample) -> None:
    outputs = {"json": "report.json", "sarif": "deploy/results.json", "gitlab": "gl-code-quality.json",
               "junit": "junit.yaml"}
    for fmt, name in outputs.items():
        done = themis("check", "--output-format", fmt, "--output-file", name, ".")
        assert (done.returncode, done.stdout) == (1, ""), done.stderr
    (sample / "compat.json").write_text(themis("report", "--output-format", "json", ".").stdout)
    only_sources = findings(".")
    assert {path for path, _, _ in only_sources} == EVERY_SURFACE and len(only_sources) == 32
    # named one by one, as a hook passes them: each is skipped, saying why
    named = themis("check", *outputs.values(), "compat.json")
    assert named.returncode == 0 and named.stdout == "Nothing was checked.\n"
    assert named.stderr.splitlines()[1:] == [
        "themis-lint: compat.json: skipped: it is a report written by themis-lint",
        "themis-lint: deploy/results.json: skipped: it is a SARIF log written by themis-lint",
        "themis-lint: gl-code-quality.json: skipped: it is a GitLab Code Quality report written by themis-lint",
        "themis-lint: junit.yaml: skipped: it is a JUnit report written by themis-lint",
        "themis-lint: report.json: skipped: it is a JSON report written by themis-lint"]


def test_migrate_reports_in_the_tree_are_never_data(sample, tmp_path) -> None:
    done = themis("migrate", "--dry-run", "--no-progress", "--report", str(tmp_path / "m.json"),
                  "--html", str(tmp_path / "m.html"), ".")
    assert done.returncode == 0, done.stderr
    (sample / "migrate-report.json").write_bytes((tmp_path / "m.json").read_bytes())
    (sample / "migrate-report.yaml").write_bytes((tmp_path / "m.html").read_bytes())  # any name
    assert len(findings(".")) == 32


def test_this_runs_own_files_are_left_out_even_when_named(sample) -> None:
    (sample / "out.json").write_text('{"url": "/_admin/log"}\n')  # stale, unmarked: it is about to be replaced
    done = themis("check", "--output-format", "sarif", "--output-file", "out.json", "out.json", "app/db.py")
    assert done.returncode == 1 and done.stdout == ""
    results = json.loads((sample / "out.json").read_text())["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"app/db.py"}


def test_write_baseline_never_overwrites_a_file_that_is_not_one(sample) -> None:
    before = tree(sample)
    done = themis("check", "--write-baseline", "app/db.py", ".")
    assert done.returncode == 2
    assert done.stderr == "themis-lint: error: app/db.py: not overwritten: it is not a themis-lint baseline\n"
    assert tree(sample) == before
