"""Runs a composite action's steps the way a GitHub runner does, for tests.

Per step: `${{ }}` expressions substituted (only the contexts the action uses: inputs,
github.action_path, runner.temp, steps.<id>.outputs; anything else fails the test), `env:` set,
the script run as `bash --noprofile --norc -eo pipefail FILE` (GitHub's `shell: bash`) in the
workspace, with the documented variables: GITHUB_WORKSPACE, GITHUB_ACTION_PATH, RUNNER_TEMP,
GITHUB_OUTPUT (a new file per step, read back as step outputs), GITHUB_STEP_SUMMARY (per step,
joined like the job summary), GITHUB_ENV, GITHUB_PATH. `if:` knows success(), failure(), always().
"""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class Step:
    name: str
    status: str  # success | failure | skipped
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""


@dataclass
class Run:
    steps: list[Step] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""

    @property
    def failed(self) -> bool:
        return any(s.status == "failure" for s in self.steps)

    def log(self) -> str:
        return "".join(s.stdout for s in self.steps)

    def errors(self) -> list[str]:
        """Error lines themis-lint printed in any step."""
        return [line for s in self.steps for line in s.stderr.splitlines() if line.startswith("themis-lint: error")]


def load(action: Path) -> dict:
    return YAML(typ="safe", pure=True).load(action.read_text(encoding="utf-8"))


class Runner:
    def __init__(self, action_dir: Path, workspace: Path, temp: Path, inputs: dict[str, str]):
        self.meta = load(action_dir / "action.yml")
        assert self.meta["runs"]["using"] == "composite"
        self.action_dir, self.workspace, self.temp = action_dir, workspace, temp
        declared = self.meta.get("inputs", {})
        unknown = set(inputs) - set(declared)
        assert not unknown, f"inputs the action does not declare: {unknown}"  # GitHub warns; a test should fail
        self.inputs = {name: str(inputs.get(name, spec.get("default", ""))) for name, spec in declared.items()}
        self.step_outputs: dict[str, dict[str, str]] = {}

    def evaluate(self, expr: str) -> str:
        if m := re.fullmatch(r"inputs\.([A-Za-z0-9_-]+)", expr):
            return self.inputs[m.group(1)]
        if expr == "github.action_path":
            return str(self.action_dir)
        if expr == "runner.temp":
            return str(self.temp)
        if m := re.fullmatch(r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", expr):
            return self.step_outputs.get(m.group(1), {}).get(m.group(2), "")
        raise AssertionError(f"an expression this runner does not evaluate: {expr}")

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: self.evaluate(m.group(1)), text)

    def condition(self, step: dict, failed: bool) -> bool:
        expr = EXPRESSION.sub(lambda m: m.group(1), str(step.get("if", "success()"))).strip()
        known = {"success()": not failed, "failure()": failed, "always()": True}
        assert expr in known, f"an if: this runner does not evaluate: {expr}"
        return known[expr]

    def base_env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR",
                                                            "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL",
                                                            "PIP_FIND_LINKS", "PIP_CONFIG_FILE",
                                                            "THEMIS_LINT_CACHE_DIR")}
        files = {name: self.temp / f"_{name.lower()}" for name in ("GITHUB_ENV", "GITHUB_PATH", "GITHUB_STATE")}
        for path in files.values():
            path.touch()
        return {**keep, "CI": "true", "GITHUB_ACTIONS": "true", "RUNNER_OS": "Linux", "RUNNER_TEMP": str(self.temp),
                "GITHUB_WORKSPACE": str(self.workspace), "GITHUB_ACTION_PATH": str(self.action_dir),
                **{k: str(v) for k, v in files.items()}}

    def run(self) -> Run:
        result = Run()
        summaries = []
        for number, step in enumerate(self.meta["runs"]["steps"]):
            name = step.get("name", f"step {number}")
            if not self.condition(step, result.failed):
                result.steps.append(Step(name, "skipped"))
                continue
            assert step.get("shell") == "bash" and "run" in step, f"{name}: only `run:` steps with shell: bash"
            output, summary = self.temp / f"_output_{number}", self.temp / f"_summary_{number}"
            output.touch()
            summary.touch()
            script = self.temp / f"_step_{number}.sh"
            script.write_text(self.substitute(step["run"]), encoding="utf-8")
            env = {**self.base_env(), "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
                   **{k: self.substitute(str(v)) for k, v in step.get("env", {}).items()}}
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=self.workspace,
                                  env=env, capture_output=True, text=True, check=False)
            status = "success" if done.returncode == 0 else "failure"
            result.steps.append(Step(name, status, done.returncode, done.stdout, done.stderr))
            if "id" in step:
                self.step_outputs[step["id"]] = parse_outputs(output.read_text(encoding="utf-8"))
            summaries.append(summary.read_text(encoding="utf-8"))
        result.summary = "".join(summaries)
        result.outputs = {k: self.substitute(v["value"]) for k, v in self.meta.get("outputs", {}).items()}
        return result


def parse_outputs(text: str) -> dict[str, str]:
    """`name=value` lines and `name<<DELIMITER` blocks (GitHub's two GITHUB_OUTPUT forms)."""
    out, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            out[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
    return out
