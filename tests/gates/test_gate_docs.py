"""Every command README.md and docs/ci-and-hooks.md show is run here, as written, in a copy of the
sample client (issue 14 "Done when"): the `sh` blocks line by line, the `run:`, `script:` and `args:`
of the CI examples, and every TOML block is loaded as a project config. A few commands are run
elsewhere, and this test checks that they agree: the install and test lines by .ci/run, the
pre-commit command by test_gate_hooks."""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from themis_lint import __version__
from tests.gates.support import ROOT, SAMPLE, client_repository
from tests.gates.test_gate_hooks import DOCUMENTED_FIX

DOCS = ("README.md", "docs/ci-and-hooks.md")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
CI_RUN = (ROOT / ".ci" / "run").read_text()


def blocks(doc: str) -> list[tuple[str, str]]:
    return FENCE.findall((ROOT / doc).read_text(encoding="utf-8"))


def sh_commands(text: str) -> list[str]:
    lines = [re.sub(r"\s{2,}#.*$", "", line).strip() for line in text.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def yaml_commands(text: str) -> list[str]:
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "run" and isinstance(value, str):
                    found.append(" ".join(value.split()))
                elif key in ("script", "args") and isinstance(value, list):
                    found.extend(" ".join(str(v).split()) for v in value if "themis-lint" in str(v))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(YAML(typ="safe", pure=True).load(text))
    return found


def commands(doc: str) -> list[str]:
    out = []
    for lang, text in blocks(doc):
        if lang == "sh":
            out += sh_commands(text)
        elif lang == "yaml":
            out += yaml_commands(text)
    return [part.strip() for command in out for part in command.split(" && ")]


def test_the_docs_show_commands() -> None:
    shown = [c for doc in DOCS for c in commands(doc)]
    assert len(shown) > 40 and any("--write-baseline" in c for c in shown)
    assert any("--output-format gitlab" in c for c in shown) and any("--force-exclude" not in c for c in shown)


@pytest.fixture
def places(tmp_path, monkeypatch):
    """The sample client (the current folder), a fleet of two client repositories for `migrate`,
    a home folder for completion scripts, and the environment the commands run in."""
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    client = client_repository(tmp_path / "client")
    shutil.copy(SAMPLE / "config" / "themisdb.conf", client / "buffer")  # an editor's buffer
    fleet = tmp_path / "fleet"
    for name in ("a", "b"):
        client_repository(fleet / "repos" / name)
    (tmp_path / "reports").mkdir()
    home = tmp_path / "home"
    (home / ".config" / "fish" / "completions").mkdir(parents=True)
    env = {**os.environ, "HOME": str(home), "JOB_COMPLETION_INDEX": "0",
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    env.pop("NO_COLOR", None)
    monkeypatch.chdir(client)
    return {"client": client, "fleet": fleet, "tmp": tmp_path, "env": env}


def run_shown(command: str, places: dict) -> None:
    """One documented command, through bash as a user types it."""
    if (version := re.fullmatch(r"pip install themis-lint==(\S+)", command)) is not None:
        assert version[1] == __version__, "the docs pin a version that is not this one"
        return
    if command.startswith(("python3 -m venv", ".venv/bin/pip install", ".venv/bin/pytest")):
        assert command.split(" -e ")[0] in CI_RUN, f".ci/run does not run {command!r}"
        return
    if command.startswith("pre-commit "):
        assert command == DOCUMENTED_FIX, f"no test runs {command!r}"
        return
    cwd = places["client"]
    if command.startswith(".venv/bin/themis-lint "):
        command, cwd = command.removeprefix(".venv/bin/"), ROOT
    if {"migrate", "merge-reports"} & set(command.split()[:3]):  # merge-reports reads migrate's reports
        cwd = places["fleet"]
        command = (command.replace("${{ matrix.shard }}", "0").replace("/reports/", f"{places['tmp']}/reports/")
                   .replace("/fleet/*", "repos/*"))
    shell, line = _shell(command)
    done = subprocess.run([shell, "-c", line], cwd=cwd, env=places["env"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode in (0, 1), f"{command}\n{done.stdout}\n{done.stderr}"
    assert "Usage:" not in done.stderr and "themis-lint: error:" not in done.stderr, f"{command}\n{done.stderr}"
    home = places["env"]["HOME"]
    for written in _written(command.replace("$JOB_COMPLETION_INDEX", "0").replace("~/", home + "/"), cwd):
        _parses(written)


def _shell(command: str) -> tuple[str, str]:
    """(shell, command): bash, except for the line that loads zsh completion: zsh when installed,
    else bash produces the script that line evaluates (bash cannot read zsh's syntax)."""
    if "zsh_source" not in command or shutil.which("zsh"):
        return ("zsh" if "zsh_source" in command else "bash"), command
    return "bash", re.fullmatch(r'eval "\$\((.*)\)"', command)[1] + " | grep -q compdef"


def _written(command: str, cwd: Path) -> list[Path]:
    words = shlex.split(command)
    names = [words[i + 1] for i, w in enumerate(words[:-1]) if w in (">", "--output-file", "--report", "--html")]
    return [cwd / name for name in names]


def _parses(path: Path) -> None:
    """A machine document the command wrote is well formed."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".json", ".sarif"):
        json.loads(text)
    elif path.suffix == ".xml":
        ET.fromstring(text)
    assert text


@pytest.mark.parametrize("doc", DOCS)
def test_every_shown_command_runs(places, doc) -> None:
    for command in commands(doc):
        run_shown(command, places)


@pytest.mark.parametrize("doc", DOCS)
def test_every_shown_config_loads(tmp_path, doc) -> None:
    from themis_lint.project import Overrides, build_setup

    configs = [text for lang, text in blocks(doc) if lang == "toml"]
    assert configs
    for i, text in enumerate(configs):
        path = tmp_path / f"c{i}" / ".themis-lint.toml"
        path.parent.mkdir()
        path.write_text(text)
        assert build_setup(Overrides(), str(path)).settings.values
