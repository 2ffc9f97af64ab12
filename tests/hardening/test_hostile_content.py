"""Issue 9: hostile content gives bounded time and memory, and TH900 where analysis gives up.

Each case runs the real CLI in a subprocess with a generous timeout: a hang fails the test
instead of blocking CI (this is a hang guard, not a speed assertion).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HANG_GUARD = 120


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "themis_lint", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=HANG_GUARD)


def findings(cwd: Path, *paths: str) -> list[dict]:
    result = run_cli(cwd, "check", "--no-cache", "--output-format", "json", "--exit-zero", *paths)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def alias_bomb() -> str:
    lines = ["storage:", "  journalSize: 32MB", 'a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 12):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


HOSTILE = {
    "themisdb.yaml": alias_bomb(),
    "deep/themisdb.json": '{"storage": {"journalSize": 1, "x": ' + "[" * 100_000 + "]" * 100_000 + "}}\n",
    "deep/yaml/themisdb.yaml": "storage:\n  journalSize: 1\nx: " + "[" * 5_000 + "]" * 5_000 + "\n",
    "q/nested.aql": "FOR d IN c FILTER " + "(" * 100_000 + "WITHIN(d, 1, 2, 3)" + ")" * 100_000 + " RETURN d\n",
    "q/unclosed.aql": "FOR d IN FULLTEXT(c, 'a', 'b') FILTER " + "(" * 100_000 + "\n",
    "py/deep.py": "Q = 'FOR d IN c FILTER WITHIN(d, 1, 2, 3) RETURN d'\nX = " + "(" * 100_000 + "1" + ")" * 100_000 + "\n",
    "py/wide.py": "ROUTES = [\n" + "    '/_admin/log',\n" * 50_000 + "]\n",
    "js/deep.js": "const q = '/_admin/log';\nconst x = " + "[" * 50_000 + "]" * 50_000 + ";\n",
    "js/nested_calls.js": "f(" * 20_000 + "'/_admin/log'" + ")" * 20_000 + ";\n",
}


@pytest.fixture(scope="module")
def hostile_tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    for name, text in HOSTILE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_file_finishes_with_findings_or_th900(hostile_tree: Path, name: str) -> None:
    got = findings(hostile_tree, name)
    # every file holds a trigger: it is either analysed (findings) or given up on (TH900), never dropped
    assert got and all(f["code"].startswith("TH") for f in got)


def test_hostile_files_are_never_half_written(hostile_tree: Path, tmp_path: Path) -> None:
    import shutil

    work = tmp_path / "w"
    shutil.copytree(hostile_tree, work)
    run_cli(work, "check", "--no-cache", "--fix", "--unsafe-fixes", "--exit-zero", ".")
    for name, text in HOSTILE.items():
        after = (work / name).read_text(encoding="utf-8")
        if after != text:  # a fixed file must parse and be fixed completely
            assert findings(work, name) == [] or all(f["fix"] is None for f in findings(work, name)), name


def test_deep_json_config_is_a_parse_error_not_a_crash(hostile_tree: Path) -> None:
    codes = [f["code"] for f in findings(hostile_tree, "deep/themisdb.json")]
    assert codes == ["TH900"]
