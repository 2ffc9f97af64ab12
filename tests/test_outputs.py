"""SARIF (checked by the official validator), GitHub annotations and JUnit XML, end to end (docs/cli.md "Outputs")."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml

from themis_lint.report.github import escape_data, escape_property
from tests.helpers import invoke

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = ROOT / ".ci" / "node"
CONF = "server.endpoint: tcp://0.0.0.0:8529\nstorage.journalSize: 32MB   # WAL\nserver.requireAuthentication: true\n"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / "themisdb.conf").write_text(CONF)
    odd = tmp_path / "deploy, prod: eu" / "ünï cödé"
    odd.mkdir(parents=True)
    (odd / "themisdb.conf").write_text("# themis-lint: ignore[TH401]\ncache.maxSize: 1GB\n")
    (tmp_path / "themisdb.json").write_text('{"server.endpoint": "x",}\n')  # TH900 at a zero-width spot
    monkeypatch.chdir(tmp_path)
    return tmp_path



def sarif(*args) -> dict:
    result = invoke("check", "--output-format", "sarif", "--report-unused-suppressions", *args)
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


# --- SARIF ---

def test_sarif_driver_lists_every_rule_of_the_pack(repo) -> None:
    doc = sarif(".")
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "themis-lint" and driver["version"] and driver["informationUri"].startswith("https://")
    ids = [r["id"] for r in driver["rules"]]
    for code in ("TH101", "TH102", "TH103", "TH104", "TH201", "TH202", "TH301", "TH401", "TH402", "TH900", "TH901"):
        assert code in ids
    th101 = driver["rules"][ids.index("TH101")]
    assert th101["name"] == "ConfigKeyRenamed"
    assert th101["defaultConfiguration"]["level"] == "warning"
    assert th101["helpUri"].endswith("rules/docs/TH101-config-key-renamed.md")
    assert th101["help"]["text"].startswith("## What it finds")
    assert th101["shortDescription"]["text"] and th101["fullDescription"]["text"]


def test_sarif_results_locations_and_fixes(repo) -> None:
    run = sarif(".")["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    renamed = next(r for r in results if r["ruleId"] == "TH101" and r["locations"][0]["physicalLocation"]
                   ["artifactLocation"]["uri"] == "themisdb.conf")
    location = renamed["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "themisdb.conf", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 20}
    assert renamed["level"] == "warning"
    [change] = renamed["fixes"][0]["artifactChanges"]
    assert change["replacements"] == [{"deletedRegion": {"startLine": 2, "startColumn": 1, "endLine": 2,
                                                         "endColumn": 20},
                                       "insertedContent": {"text": "storage.rocksdb.walSize"}}]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "deploy%2C%20prod%3A%20eu/%C3%BCn%C3%AF%20c%C3%B6d%C3%A9/themisdb.conf" in uris
    parse_error = next(r for r in results if r["ruleId"] == "TH900")
    assert parse_error["level"] == "error" and "fixes" not in parse_error
    assert any(r["ruleId"] == "TH901" and r["fixes"] for r in results)


def test_sarif_fingerprints_survive_lines_added_above(repo) -> None:
    def fingerprints() -> dict:
        run = sarif("themisdb.conf")["runs"][0]
        return {r["partialFingerprints"]["themisLint/v1"]: r["locations"][0]["physicalLocation"]["region"]
                ["startLine"] for r in run["results"]}

    before = fingerprints()
    (repo / "themisdb.conf").write_text("# a comment\n# another\ndatabase.path: /var/lib/x\n" + CONF)
    after = fingerprints()
    assert set(before) == set(after) and len(before) == 5
    assert sorted(after.values()) != sorted(before.values())


def _sarif_multitool() -> Path:
    """The validator's native executable from .ci/node (installed by .ci/run); skip only without npm."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node/npm not installed: cannot run the SARIF validator (@microsoft/sarif-multitool)")
    resolve = [node, "-p", "require('@microsoft/sarif-multitool')"]
    found = (subprocess.run(resolve, cwd=NODE_DIR, capture_output=True, text=True, check=False)
             if NODE_DIR.exists() else None)
    if found is None or found.returncode != 0:
        install = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR),
                                  "@microsoft/sarif-multitool"], capture_output=True, text=True, timeout=300, check=False)
        if install.returncode != 0:
            pytest.skip(f"@microsoft/sarif-multitool could not be installed: {install.stderr.strip()[-300:]}")
        found = subprocess.run(resolve, cwd=NODE_DIR, capture_output=True, text=True, check=False)
    tool = Path(found.stdout.strip())
    if found.returncode != 0 or not tool.exists():
        pytest.skip(f"@microsoft/sarif-multitool has no binary for this platform: {found.stderr.strip()[-300:]}")
    if not os.access(tool, os.X_OK):
        tool.chmod(tool.stat().st_mode | 0o100)  # its postinstall step does this when scripts may run
    return tool


ACME_PACK = """\
from: "1.3"
to: "1.4"
rules:
  ACME001: {slug: acme-legacy-endpoint, severity: error, summary: "An ACME v1 endpoint"}
changes:
  - {primitive: remove-endpoint, code: ACME001, path: /acme/v1/export, new: /acme/v2/export}
"""


def test_sarif_passes_the_official_validator(repo, tmp_path) -> None:
    tool = _sarif_multitool()
    # a company pack's own code (issue 14 item 1) is a rule of the driver like the built-in ones
    (repo / "acme.yaml").write_text(ACME_PACK)
    (repo / "client.py").write_text('import requests\nrequests.get("http://gw/acme/v1/export")\n')
    doc = sarif("--pack", "acme.yaml", ".")
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert "ACME001" in [r["id"] for r in rules]
    assert any(r["ruleId"] == "ACME001" for r in doc["runs"][0]["results"])
    (repo / "outside.sarif").write_text(json.dumps(doc))
    log = tmp_path / "validation.sarif"
    # the tool itself, not `npx`: its bin.js runs through a shell, which would split "Sarif;Gh"
    done = subprocess.run([str(tool), "validate", "--rule-kind", "Sarif;Gh", "--output", str(log),
                           str(repo / "outside.sarif")], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    findings = json.loads(log.read_text(encoding="utf-8-sig"))["runs"][0]["results"]
    errors = [(r["ruleId"], r["message"]) for r in findings if r.get("level", "warning") == "error"]
    assert errors == []


# --- GitHub annotations ---

def test_github_annotations(repo) -> None:
    result = invoke("check", "--output-format", "github", "themisdb.conf")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert ("::warning file=themisdb.conf,line=2,col=1,endLine=2,endColumn=20,title=TH101::TH101 "
            "`storage.journalSize` is renamed to `storage.rocksdb.walSize` in ThemisDB 1.4") in lines
    assert any(line.startswith("::error file=themisdb.conf,line=1,col=1,endLine=1,endColumn=1,title=TH102::")
               for line in lines)
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)


def test_github_escapes_properties_and_data(repo) -> None:
    result = invoke("check", "--output-format", "github", "--select", "TH101", ".")
    assert ("::warning file=deploy%2C prod%3A eu/ünï cödé/themisdb.conf,line=2,col=1,endLine=2,endColumn=14,"
            "title=TH101::") in result.stdout
    assert escape_data("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_info_is_a_notice() -> None:
    from themis_lint.context import default_context
    from themis_lint.model import Finding
    from themis_lint.report import Report
    from themis_lint.report.github import render
    from themis_lint.packs import Rule

    ctx = default_context()
    catalogue = dict(ctx.catalogue)
    catalogue["TH101"] = Rule("TH101", "config-key-renamed", "info", "safe", "Configuration", "s")
    f = Finding("TH101", "m", 0, 1, path="a.conf", row=1, column=1, end_row=1, end_column=2)
    assert render(Report([f], catalogue, ctx.pack)) == \
        "::notice file=a.conf,line=1,col=1,endLine=1,endColumn=2,title=TH101::TH101 m\n"


# --- JUnit ---

def test_junit_one_case_per_file_one_failure_per_finding(repo) -> None:
    result = invoke("check", "--output-format", "junit", ".")
    assert result.exit_code == 1
    xml = JUnitXml.fromstring(result.stdout.encode())
    cases = {case.name: case for suite in xml for case in suite}
    assert set(cases) == {"themisdb.conf", "themisdb.json", "deploy, prod: eu/ünï cödé/themisdb.conf"}
    failures = [r for r in cases["themisdb.conf"].result if isinstance(r, Failure)]
    assert len(failures) == 5
    assert sorted(f.type.split()[0] for f in failures) == ["TH101", "TH102", "TH102", "TH102", "TH103"]
    renamed = next(f for f in failures if f.type.startswith("TH101"))
    assert renamed.message.startswith("TH101 `storage.journalSize` is renamed")
    assert renamed.text.startswith("themisdb.conf:2:1: TH101 [warning]")
    assert [r.type.split()[0] for r in cases["themisdb.json"].result] == ["TH900"]


def test_junit_clean_run_passes(tmp_path, monkeypatch) -> None:
    (tmp_path / "themisdb.conf").write_text("server.statisticsEnabled: true\nquery.spillToDisk: true\n"
                                            "storage.rocksdb.compression: lz4\ncache.size: 1GB\n")
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "--output-format", "junit", ".")
    assert result.exit_code == 0
    xml = JUnitXml.fromstring(result.stdout.encode())
    cases = [case for suite in xml for case in suite]
    assert [c.name for c in cases] == ["themisdb.conf"] and all(c.is_passed for c in cases)


def test_junit_control_characters_stay_well_formed(tmp_path, monkeypatch) -> None:
    (tmp_path / "themisdb.conf").write_bytes(b"cache.maxSize: \x01\n")
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "--output-format", "junit", ".")
    suites = JUnitXml.fromstring(result.stdout.encode())  # raises on malformed XML
    assert suites.failures >= 1
