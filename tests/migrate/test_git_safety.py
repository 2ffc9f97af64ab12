"""Nothing a scanned repository controls runs, in any `migrate` mode (issue 18 items 1-4, SECURITY.md "Git").

The hostile repository (tests/migrate/repos.py) names a marker-leaving program in every setting git
has that runs one: filters (one named with `=`, one in the submodule's config, one only included
once HEAD is on the tool's branch), every hook in .git/hooks and in core.hooksPath, fsmonitor,
pagers, diff drivers, textconv, transports, credentials, editors, signing, ... and ships its own
`./git`, found through an empty PATH entry. Every mode must leave no marker and still do its job.
"""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import invoke
from tests.migrate.repos import CONF, CONF_FIXED, SH, SH_FIXED, SUB_CONF, hostile_repo, interrupt_after_first_write, plumb
from themis_lint import writer
from themis_lint.migrate import git as safe_git

ROOT = Path(__file__).resolve().parents[2]
BRANCH = "themis-lint/1.3-to-1.4"


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    h = hostile_repo(tmp_path)
    monkeypatch.chdir(tmp_path)
    # an empty PATH entry is the current folder: git's own `./git` must never be what runs (item 4)
    monkeypatch.setenv("PATH", os.pathsep + os.environ["PATH"])
    # an environment that would redirect or script git: the tool clears every GIT_* variable
    marker = str(tmp_path / "bin" / "pager")
    for name, value in {"GIT_DIR": str(h.decoy / ".git"), "GIT_WORK_TREE": str(h.decoy),
                        "GIT_INDEX_FILE": str(tmp_path / "other-index"), "GIT_EXTERNAL_DIFF": marker,
                        "GIT_PAGER": marker, "GIT_EDITOR": marker, "GIT_SSH_COMMAND": marker,
                        "GIT_CONFIG_PARAMETERS": f"'core.fsmonitor'='{marker}'",
                        "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "core.pager", "GIT_CONFIG_VALUE_0": marker,
                        "GIT_EXEC_PATH": str(tmp_path / "bin"), "GIT_ALTERNATE_OBJECT_DIRECTORIES": "/nonexistent",
                        "GIT_CONFIG_GLOBAL": str(h.repo / ".git" / "config")}.items():
        monkeypatch.setenv(name, value)
    return h


def migrate(*args: str):
    return invoke("migrate", "--no-progress", "--jobs", "1", *args)


def assert_fixed(h, commit: bool = False) -> None:
    assert (h.repo / "config/themisdb.conf").read_text() == CONF_FIXED
    assert (h.repo / "scripts/start.sh").read_text() == SH_FIXED
    assert (h.repo / "bin/start.sh").read_bytes() == SH_FIXED.replace("\n", "\r\n").encode()
    assert (h.repo / "sub/themisdb.conf").read_text() == SUB_CONF  # a submodule is its own repository
    assert (h.decoy / "config/themisdb.conf").read_text() == CONF  # core.worktree is not the work tree
    if commit:
        for name in ("config/themisdb.conf", "scripts/start.sh"):
            assert plumb(h.repo, "cat-file", "blob", f"{BRANCH}:{name}") == (h.repo / name).read_bytes()
        assert plumb(h.repo, "cat-file", "blob", f"{BRANCH}:bin/start.sh") == SH_FIXED.encode()  # LF
        assert plumb(h.repo, "symbolic-ref", "HEAD").decode().strip() == f"refs/heads/{BRANCH}"
        assert plumb(h.repo, "rev-parse", f"{BRANCH}~1").strip() == plumb(h.repo, "rev-parse", "main").strip()


def assert_untouched(h) -> None:
    assert (h.repo / "config/themisdb.conf").read_text() == CONF
    assert (h.repo / "scripts/start.sh").read_text() == SH
    assert (h.repo / "bin/start.sh").read_bytes() == SH.replace("\n", "\r\n").encode()


def test_default_mode(hostile) -> None:
    result = migrate("--report", "r.json", "repo")
    assert hostile.markers() == []
    assert result.exit_code == 0, result.output
    assert_fixed(hostile)
    assert "repo: note: sub: skipped: a git submodule" in result.stdout


def test_rerun_over_its_own_changes(hostile) -> None:
    assert migrate("repo").exit_code == 0
    os.utime(hostile.repo / "scripts/start.sh", (1_000_000_000, 1_000_000_000))
    second = migrate("repo")
    assert hostile.markers() == []
    assert second.exit_code == 0 and "refused" not in second.stdout
    assert_fixed(hostile)


def test_dry_run(hostile) -> None:
    result = migrate("--dry-run", "repo")
    assert hostile.markers() == []
    assert "+++ b/repo/scripts/start.sh\n" in result.stdout and "sub/themisdb.conf" not in result.stdout
    assert_untouched(hostile)


def test_diff_dir(hostile, tmp_path) -> None:
    result = migrate("--diff-dir", "patches", "repo")
    assert hostile.markers() == []
    assert result.exit_code == 0
    assert_untouched(hostile)
    copy = tmp_path / "copy"  # `git apply` in the repository itself would obey its core.worktree
    shutil.copytree(hostile.repo, copy, ignore=shutil.ignore_patterns(".git"))
    subprocess.run(["/usr/bin/env", "git", "apply", str(tmp_path / "patches/repo.patch")], cwd=copy, check=True,
                   env={"PATH": os.defpath, "HOME": str(tmp_path)})
    assert (copy / "config/themisdb.conf").read_text() == CONF_FIXED
    assert (copy / "scripts/start.sh").read_text() == SH_FIXED


def _git_call(node: ast.AST, in_git_module: bool) -> bool:
    """`git.run(...)`/`git.output(...)` anywhere, or `run(...)`/`output(...)` inside migrate/git.py."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr in ("run", "output") and isinstance(func.value, ast.Name) and func.value.id == "git"
    return in_git_module and isinstance(func, ast.Name) and func.id in ("run", "output")


def git_commands_in_source() -> set[str]:
    """The subcommand (first string argument) of every git call in the package."""
    found = set()
    for path in (ROOT / "themis_lint").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if _git_call(node, path.name == "git.py" and path.parent.name == "migrate"):
                words = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                found |= set(words[:1])
    return found


def test_commit(hostile, monkeypatch) -> None:
    ran: set[str] = set()
    spawn = safe_git._spawn

    def spy(argv, cwd, env, input):
        ran.add(argv[2])
        return spawn(argv, cwd, env, input)

    monkeypatch.setattr(safe_git, "_spawn", spy)
    result = migrate("--commit", "--report", "r.json", "repo")
    assert hostile.markers() == []
    # this mode runs every git command the tool has: the marker check above covers them all
    assert ran == git_commands_in_source()
    assert result.exit_code == 0, result.output
    assert_fixed(hostile, commit=True)
    assert plumb(hostile.repo, "diff-tree", "--no-commit-id", "--name-only", "-r", BRANCH).split() == [
        b"bin/start.sh", b"config/themisdb.conf", b"scripts/start.sh"]


def test_commit_after_an_interrupted_run(hostile, monkeypatch) -> None:
    interrupt_after_first_write(monkeypatch)
    assert migrate("--commit", "repo").exit_code == 130
    assert hostile.markers() == []
    monkeypatch.setattr(writer, "before_write", lambda path: None)
    result = migrate("--commit", "repo")
    assert hostile.markers() == []
    assert result.exit_code == 0, result.output
    assert_fixed(hostile, commit=True)


def test_allow_dirty(hostile) -> None:
    (hostile.repo / "README.md").write_text("# service\nwork in progress\n")
    refused = migrate("repo")
    assert "repo: refused: uncommitted changes (README.md)" in refused.stdout
    result = migrate("--allow-dirty", "repo")
    assert hostile.markers() == []
    assert result.exit_code == 0
    assert_fixed(hostile)
    assert (hostile.repo / "README.md").read_text() == "# service\nwork in progress\n"


def test_safe_only(hostile) -> None:
    migrate("--safe-only", "--commit", "repo")
    assert hostile.markers() == []
    conf = (hostile.repo / "config/themisdb.conf").read_text()
    assert "walSize: 32MB" in conf and "requireAuthentication: true" in conf
    assert plumb(hostile.repo, "cat-file", "blob", f"{BRANCH}:config/themisdb.conf").decode() == conf


def test_run_from_inside_the_repository(hostile, monkeypatch) -> None:
    monkeypatch.chdir(hostile.repo)  # `./git` is now in the current folder of the tool itself
    result = migrate("--commit", ".")
    assert hostile.markers() == []
    assert result.exit_code == 0, result.output
    assert_fixed(hostile, commit=True)


# --- one way to run git ------------------------------------------------------------------------------

SPAWNING = {"subprocess", "pty"}
OS_SPAWN = {"system", "popen", "spawnl", "spawnlp", "spawnv", "spawnvp", "spawnve", "spawnvpe", "execv", "execve",
            "execvp", "execvpe", "execl", "execlp", "execle", "execlpe", "posix_spawn", "posix_spawnp", "forkpty"}
HELPER = "themis_lint/migrate/git.py"


def _spawning(node: ast.AST) -> str | None:
    """What process-starting API a node uses, if any."""
    if isinstance(node, ast.Import):
        return next((a.name for a in node.names if a.name.split(".")[0] in SPAWNING), None)
    if isinstance(node, ast.ImportFrom):
        return node.module if (node.module or "").split(".")[0] in SPAWNING else None
    if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
        return None
    if node.value.id in SPAWNING or (node.value.id == "os" and node.attr in OS_SPAWN):
        return f"{node.value.id}.{node.attr}"
    return None


def _spawn_sites(path: Path) -> list[tuple[str, int, str]]:
    """(innermost function, line, API) for each use of a process-starting API in a module."""
    sites = []

    def visit(node: ast.AST, func: str) -> None:
        for child in ast.iter_child_nodes(node):
            if (what := _spawning(child)) is not None:
                sites.append((func, child.lineno, what))
            visit(child, child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else func)

    visit(ast.parse(path.read_text(encoding="utf-8")), "<module>")
    return sites


def test_git_runs_only_through_the_safe_helper() -> None:
    found = []
    for folder in ("themis_lint", "analyzers", "edits", "rules"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            for func, line, what in _spawn_sites(path):
                if rel == HELPER and (func == "_spawn" or (func == "<module>" and what == "subprocess")):
                    continue
                found.append(f"{rel}:{line}: {what} in {func}")
    assert found == [], "processes start only in themis_lint/migrate/git.py:_spawn"


def test_the_process_check_sees_a_call(tmp_path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import subprocess\n\ndef f():\n    subprocess.run(['git', 'status'])\n")
    assert _spawn_sites(module) == [("<module>", 1, "subprocess"), ("f", 4, "subprocess.run")]
    module.write_text("import os\n\nclass C:\n    def g(self):\n        os.system('git status')\n")
    assert _spawn_sites(module) == [("g", 5, "os.system")]
