"""Issue 14: the company-pack example of README.md, docs/ci-and-hooks.md and docs/packs.md, run
as written: the pack the docs show, the commands they show, in a client repository."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ["README.md", "docs/ci-and-hooks.md", "docs/packs.md"]
SAMPLE = ROOT / "fixtures" / "sample-client"
EXAMPLE = SAMPLE / "packs" / "acme-1.3-to-1.4.yaml"


def blocks(doc: str, kind: str) -> list[str]:
    """The fenced blocks that follow an `<!-- example: company-pack KIND -->` marker."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    pattern = rf"<!-- example: company-pack {kind} -->\n```[a-z]*\n(.*?)```"
    return re.findall(pattern, text, re.DOTALL)


def commands(doc: str) -> list[str]:
    """Shell lines of the `commands` blocks and `run:` steps of the `ci` blocks, as written."""
    found = [line for block in blocks(doc, "commands") for line in block.splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    for block in blocks(doc, "ci"):
        found += [m for m in re.findall(r"- run: (.*)", block) if not m.startswith("pip install")]
    return found


def test_every_doc_shows_the_example_and_the_pack_is_the_shipped_file() -> None:
    assert all(commands(doc) for doc in DOCS)
    [shown] = blocks("docs/packs.md", "pack")
    assert shown == EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def client(tmp_path) -> Path:
    """The sample client: a ThemisDB 1.3 application with the company pack in `packs/`."""
    import shutil

    return Path(shutil.copytree(SAMPLE, tmp_path / "client"))


@pytest.mark.parametrize("doc", DOCS)
def test_the_documented_commands_run_as_written(doc, client) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    outputs = []
    for line in commands(doc):
        done = subprocess.run(["bash", "-c", line], cwd=client, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode in (0, 1), f"{line}\n{done.stdout}{done.stderr}"  # never a usage error
        outputs.append(done.stdout + done.stderr)
    shown = "\n".join(outputs)
    # the run reports the built-in rules and the pack's own code side by side; the suppressed
    # line (row 13) is not reported
    assert "ACME001" in shown and "TH202" in shown
    assert "gateway.py:13" not in shown and "line=13," not in shown
    if "rules --pack" in " ".join(commands(doc)):
        assert re.search(r"^ACME001  acme-legacy-endpoint +error +fix:unsafe", shown, re.MULTILINE)


def test_the_editor_schema_line_points_at_the_written_schema(client) -> None:
    """packs.md: `themis-lint schema pack > packs/pack.schema.json` beside the pack, whose first
    line names it; the pack validates against that file."""
    import json

    import jsonschema
    from ruamel.yaml import YAML

    line = next(c for c in commands("docs/packs.md") if c.startswith("themis-lint schema pack"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["bash", "-c", line], cwd=client, env=env, check=True, timeout=120)
    pack = client / "packs" / "acme-1.3-to-1.4.yaml"
    first = pack.read_text().splitlines()[0]
    target = pack.parent / first.split("$schema=", 1)[1]
    schema = json.loads(target.read_text())
    jsonschema.validate(YAML(typ="safe", pure=True).load(pack.read_text()), schema,
                        cls=jsonschema.Draft202012Validator)
