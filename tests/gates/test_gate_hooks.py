"""Issue 14 item 3: the hooks honour excludes. pre-commit names every matching file, excluded or not;
the hooks pass --force-exclude, so `extend-exclude`, the default excludes and .gitignore apply to them
too. Run with the real pre-commit on a real git repository (about 50 s: it builds the hook's venv)."""
from __future__ import annotations

import os
import shlex
import subprocess

from tests.gates.support import git, themis, tree
from tests.test_precommit import _checkout_copy, _pre_commit

# docs/ci-and-hooks.md "pre-commit" shows this command; this test runs it (test_gate_docs checks they agree)
DOCUMENTED_FIX = "pre-commit run --hook-stage manual themis-lint-fix --all-files"
OLD = "server.endpoint: tcp://0.0.0.0:8529\nstorage.journalSize: 32MB\n"


def client(folder, hooks_repo, sha):
    folder.mkdir()
    (folder / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks_repo}\n    rev: {sha}\n    hooks:\n      - id: themis-lint\n"
        "      - id: themis-lint-fix\n        stages: [manual]\n")
    (folder / "pyproject.toml").write_text('[tool.themis-lint]\nextend-exclude = ["legacy/"]\n')
    (folder / ".gitignore").write_text("generated/\n")
    for name in ("themisdb.conf", "vendor/themisdb.conf", "legacy/themisdb.conf", "generated/themisdb.conf",
                 "node_modules/db/themisdb.conf"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(OLD)
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "add", "-f", "generated/themisdb.conf")  # tracked though ignored: pre-commit names it
    git(folder, "commit", "-q", "-m", "a ThemisDB 1.3 client with vendored and legacy copies")
    return folder


def test_hooks_never_touch_excluded_files(tmp_path) -> None:
    pre_commit = _pre_commit()
    sha = _checkout_copy(tmp_path / "themis-lint")
    repo = client(tmp_path / "client", tmp_path / "themis-lint", sha)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([pre_commit, "run", *args, "--color", "never"], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=600, check=False)

    excluded = {k: v for k, v in tree(repo).items() if k != "themisdb.conf"}
    check = run("themis-lint", "--all-files")
    assert check.returncode == 1, check.stdout + check.stderr
    reported = sorted(line.split(":")[0] for line in check.stdout.splitlines() if ": TH1" in line)
    assert reported == ["themisdb.conf"] * 4
    fix = run(*shlex.split(DOCUMENTED_FIX)[2:])
    assert fix.returncode == 1 and "files were modified by this hook" in fix.stdout, fix.stdout + fix.stderr
    assert (repo / "themisdb.conf").read_text() == (
        "server.endpoint: tcp://0.0.0.0:8529\nserver.statisticsEnabled: true\nstorage.rocksdb.walSize: 32MB\n"
        "storage.rocksdb.compression: lz4\nquery.spillToDisk: true\n")
    assert {k: v for k, v in tree(repo).items() if k != "themisdb.conf"} == excluded
    assert run("themis-lint", "--all-files").returncode == 0
    # a commit that touches only an excluded file: the hook has nothing to say
    (repo / "vendor" / "themisdb.conf").write_text(OLD + "cache.maxSize: 1GB\n")
    git(repo, "add", "vendor/themisdb.conf")
    staged = run("--hook-stage", "manual", "themis-lint-fix")
    assert staged.returncode == 0, staged.stdout + staged.stderr
    assert (repo / "vendor" / "themisdb.conf").read_text() == OLD + "cache.maxSize: 1GB\n"


def test_force_exclude_on_the_command_line(tmp_path) -> None:
    repo = tmp_path / "client"
    repo.mkdir()
    (repo / "pyproject.toml").write_text('[tool.themis-lint]\nextend-exclude = ["legacy/"]\n')
    (repo / ".gitignore").write_text("generated/\n")
    for name in ("legacy/themisdb.conf", "vendor/themisdb.conf", "generated/themisdb.conf"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(OLD)
    git(repo, "init", "-q")
    names = ["legacy/themisdb.conf", "vendor/themisdb.conf", "generated/themisdb.conf"]
    assert themis("check", *names, cwd=repo).returncode == 1  # named files are checked, as documented
    done = themis("check", "--force-exclude", "--fix", *names, cwd=repo)
    assert (done.returncode, done.stdout) == (0, "Nothing was checked.\n")
    assert done.stderr == (
        "themis-lint: warning: nothing was checked: every file named was skipped\n"
        "themis-lint: legacy/themisdb.conf: skipped (--force-exclude): `legacy/` matches the exclude patterns\n"
        "themis-lint: vendor/themisdb.conf: skipped (--force-exclude): `vendor/` matches the exclude patterns\n"
        "themis-lint: generated/themisdb.conf: skipped (--force-exclude): `generated/` is ignored by a "
        ".gitignore file\n")
    assert all((repo / name).read_text() == OLD for name in names)
