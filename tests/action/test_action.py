"""The GitHub Action (`action.yml`), run step by step as a runner runs it on a copy of the sample
client repository: outputs, job summary, SARIF file, annotations and the exit status.

Each run installs themis-lint from a copy of this source tree into a fresh virtualenv, as the
action's first step does on GitHub (`pip install "${{ github.action_path }}"`).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.action.runner import EXPRESSION, Runner, load

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "fixtures" / "sample-client"
SCHEMA = Path(__file__).with_name("github-action.schema.json")
NOT_SHIPPED = shutil.ignore_patterns(".git", ".venv*", ".ci", "node_modules", ".themis-lint-cache", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                     ".hypothesis", "tests", "benchmarks", "fixtures")


@pytest.fixture(scope="module")
def action_dir(tmp_path_factory) -> Path:
    """What GitHub checks out for `uses: themis-lint/themis-lint@TAG`: the source tree."""
    target = tmp_path_factory.mktemp("action") / "themis-lint"
    shutil.copytree(ROOT, target, ignore=NOT_SHIPPED)
    return target


@pytest.fixture
def workspace(tmp_path) -> Path:
    root = tmp_path / "workspace"
    shutil.copytree(SAMPLE, root)
    (root / ".git").mkdir()
    return root


def run_action(action_dir: Path, workspace: Path, **inputs: str):
    temp = workspace.parent / "runner-temp"
    temp.mkdir()
    return Runner(action_dir, workspace, temp, {k.rstrip("_").replace("_", "-"): v for k, v in inputs.items()}).run()


def cli_json(workspace: Path, *args: str) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "themis_lint", "check", "--no-cache", "--output-format", "json",
                           "--exit-zero", *args], cwd=workspace, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def counts(found: list[dict]) -> dict[str, str]:
    return {"findings": str(len(found)),
            "errors": str(sum(f["severity"] == "error" for f in found)),
            "warnings": str(sum(f["severity"] == "warning" for f in found)),
            "fixable": str(sum((f["fix"] or {}).get("applicability") == "safe" for f in found))}


def test_the_action_on_the_sample_repository(action_dir, workspace) -> None:
    run = run_action(action_dir, workspace)
    assert [s.status for s in run.steps] == ["success"] * 5 + ["failure"]  # findings remain: the step fails
    assert run.failed and run.steps[-1].exit_code == 1 and run.errors() == []
    assert run.outputs == {"findings": "32", "errors": "10", "warnings": "22", "fixable": "21",
                           "sarif-file": "themis-lint.sarif"}
    assert {k: v for k, v in run.outputs.items() if k != "sarif-file"} == counts(cli_json(workspace, "."))

    sarif = json.loads((workspace / "themis-lint.sarif").read_text(encoding="utf-8"))  # written for the upload
    assert sarif["version"] == "2.1.0" and len(sarif["runs"]) == 1
    assert sarif["runs"][0]["automationDetails"] == {"id": "themis-lint/"}
    results = sarif["runs"][0]["results"]
    assert len(results) == 32
    assert {"ruleId": "TH202", "uri": "app/db.py", "startLine": 20, "startColumn": 37} in [
        {"ruleId": r["ruleId"], "uri": r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
         **{k: r["locations"][0]["physicalLocation"]["region"][k] for k in ("startLine", "startColumn")}}
        for r in results]

    annotations = [line for line in run.steps[-1].stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 32
    assert "::error file=app/db.py,line=20,col=37,endLine=20,endColumn=48,title=TH202::TH202 `/_admin/log` is removed" \
        in run.steps[-1].stdout

    summary = run.summary
    assert summary.startswith("### ThemisDB 1.3 → 1.4 compatibility report\n")
    assert "| ✗ | Configuration | 18 | 4 | 14 | 16 | 2 |" in summary
    assert "| ⚠ | Indexes | 4 | 0 | 4 | 4 | 0 |" in summary
    assert "<details><summary>✗ Queries: 6 findings</summary>" in summary
    assert "#### Manual review" in summary


OLD_PACK = ('from: "1.2"\nto: "1.3"\nchanges:\n  - {primitive: rename-config-key, code: TH101, '
            "old: storage.journal, new: storage.journalSize}\n")


def test_versions_packs_baseline_paths_category_and_fail_on(action_dir, workspace) -> None:
    (workspace / "old.yaml").write_text(OLD_PACK)
    chain = ("--from", "1.2", "--to", "1.4", "--pack", "old.yaml")
    subprocess.run([sys.executable, "-m", "themis_lint", "check", "--no-cache", *chain, "--write-baseline", "base.json",
                    "config", "app"], cwd=workspace, capture_output=True, check=True)
    with (workspace / "config" / "themisdb.conf").open("a") as conf:
        conf.write("storage.journal: 8MB\n")  # a 1.2 key: found only through the extra pack, new to the baseline

    run = run_action(action_dir, workspace, paths="config app", from_="1.2", to="1.4", packs="old.yaml",
                     baseline="base.json", fail_on="error", sarif_file="upgrade.sarif",
                     sarif_category="themisdb-upgrade", output_format="text")
    assert not run.failed, run.steps[-1].stderr  # the new finding is a warning; fail-on is error
    assert run.errors() == []
    new = cli_json(workspace, *chain, "--baseline", "base.json", "config", "app")
    assert [f["code"] for f in new] == ["TH101"] and "storage.journal" in new[0]["message"]
    assert run.outputs["findings"] == "1" and run.outputs == {**counts(new), "sarif-file": "upgrade.sarif"}
    sarif = json.loads((workspace / "upgrade.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["automationDetails"] == {"id": "themisdb-upgrade/"}
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["TH101"]
    assert "config/themisdb.conf:11:1: TH101" in run.steps[-1].stdout
    assert "ThemisDB 1.2 → 1.4 compatibility report" in run.summary


def test_a_clean_repository_passes_with_zero_counts_and_no_category(action_dir, tmp_path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "themisdb.conf").write_text(
        "server.statisticsEnabled: true\nquery.spillToDisk: true\nstorage.rocksdb.compression: lz4\n")
    run = run_action(action_dir, workspace, sarif_category="")
    assert not run.failed and [s.status for s in run.steps] == ["success"] * 6 and run.errors() == []
    sarif = json.loads((workspace / "themis-lint.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"] == [] and "automationDetails" not in sarif["runs"][0]  # upload's category
    assert run.outputs == {"findings": "0", "errors": "0", "warnings": "0", "fixable": "0",
                           "sarif-file": "themis-lint.sarif"}
    assert "| ✓ | Configuration | 0 | 0 | 0 | 0 | 0 |" in run.summary


def test_a_bad_input_fails_the_step_after_the_sarif_is_written(action_dir, workspace) -> None:
    run = run_action(action_dir, workspace, fail_on="fatal")
    assert run.failed and run.steps[-1].exit_code == 2
    assert "Invalid value for '--fail-on'" in run.steps[-1].stderr
    assert (workspace / "themis-lint.sarif").exists()


def test_action_metadata_is_valid_against_the_published_schema() -> None:
    meta = load(ROOT / "action.yml")
    jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(meta)


def test_every_expression_names_a_declared_input_or_step() -> None:
    meta = load(ROOT / "action.yml")
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    ids = {step["id"] for step in meta["runs"]["steps"] if "id" in step}
    for expr in EXPRESSION.findall(text):
        head, _, rest = expr.partition(".")
        if head == "inputs":
            assert rest in meta["inputs"], expr
        elif head == "steps":
            assert rest.split(".")[0] in ids, expr
        else:
            assert expr in ("github.action_path",), expr
    for step in meta["runs"]["steps"]:  # inputs reach scripts through env only (script injection)
        assert "${{" not in step.get("run", ""), step["name"]
