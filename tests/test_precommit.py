"""`.pre-commit-hooks.yaml` with the real pre-commit tool (docs/ci-and-hooks.md).

Slow-ish (about 50 s): pre-commit builds a virtualenv with themis-lint and its dependencies once.
pre-commit installs hooks from a git repository at a commit, and this checkout may not be
committed, so the test copies its files into a temporary repository and commits them there.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
HOOKS = ROOT / ".pre-commit-hooks.yaml"


def _pre_commit() -> str:
    beside = Path(sys.executable).parent / "pre-commit"
    found = str(beside) if beside.exists() else shutil.which("pre-commit")
    if not found:
        pytest.skip("pre-commit is not installed (it is in the `test` extra: pip install -e '.[test]')")
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    return found


def _git(cwd: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    done = subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid",
                           "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def _checkout_copy(dest: Path) -> str:
    """Tracked and untracked-but-not-ignored files of this checkout, committed in `dest`; the sha."""
    try:
        listed = _git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    except (subprocess.CalledProcessError, OSError):
        pytest.skip("this checkout is not a git work tree")
    dest.mkdir()
    for rel in filter(None, listed.split("\0")):
        source = ROOT / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    _git(dest, "init", "-q")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "themis-lint under test")
    return _git(dest, "rev-parse", "HEAD").strip()


def test_hook_definitions() -> None:
    hooks = {h["id"]: h for h in YAML(typ="safe", pure=True).load(HOOKS.read_text())}
    assert set(hooks) == {"themis-lint", "themis-lint-fix"}
    assert hooks["themis-lint"]["entry"].startswith("themis-lint check")
    assert "--fix" in hooks["themis-lint-fix"]["entry"].split()
    files = re.compile(hooks["themis-lint"]["files"])
    wanted = ["app.py", "stubs/db.pyi", "a.js", "a.mjs", "a.cjs", "a.jsx", "a.ts", "a.mts", "a.cts", "a.tsx",
              "queries/search.aql", "deploy.sh", "run.bash", "index.json", "k8s/deploy.yaml", "compose.yml",
              "themisdb.conf", "etc/themisdb-prod.conf", "Dockerfile", "docker/Dockerfile.prod", "Makefile",
              "systemd/themisdb.service", "nginx/sites-enabled/api.conf"]
    assert [p for p in wanted if not files.search(p)] == []
    assert [p for p in ("README.md", "notes.txt", "Dockerfile/notes.txt") if files.search(p)] == []
    for hook in hooks.values():
        assert hook["require_serial"] is False and hook["language"] == "python"
        assert hook["files"] == hooks["themis-lint"]["files"]


def test_pre_commit_fails_on_a_13_config_and_passes_after_the_fix_hook(tmp_path) -> None:
    pre_commit = _pre_commit()
    sha = _checkout_copy(tmp_path / "themis-lint")
    client = tmp_path / "client"
    client.mkdir()
    (client / "themisdb.conf").write_text("server.endpoint: tcp://0.0.0.0:8529\nstorage.journalSize: 32MB\n")
    (client / "README.md").write_text("storage.journalSize is mentioned here, not configured\n")
    (client / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {tmp_path / 'themis-lint'}\n    rev: {sha}\n    hooks:\n"
        "      - id: themis-lint\n      - id: themis-lint-fix\n        stages: [manual]\n")
    _git(client, "init", "-q")
    _git(client, "add", "-A")
    _git(client, "commit", "-q", "-m", "a ThemisDB 1.3 client")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([pre_commit, "run", *args, "--all-files", "--color", "never"], cwd=client, env=env,
                              capture_output=True, text=True, timeout=600, check=False)

    check = run("themis-lint")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "themisdb.conf:2:1: TH101" in check.stdout
    fix = run("--hook-stage", "manual", "themis-lint-fix")
    assert fix.returncode == 1 and "files were modified by this hook" in fix.stdout, fix.stdout + fix.stderr
    assert "storage.rocksdb.walSize: 32MB" in (client / "themisdb.conf").read_text()
    again = run("themis-lint")
    assert again.returncode == 0, again.stdout + again.stderr
