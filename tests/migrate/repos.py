"""Real git repositories for the migrate tests: ordinary ones, and a hostile one whose config names a
program in every setting git has that runs one (issue 18 items 1-4)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

CONF = "storage:\n  journalSize: 32MB\nserver:\n  requireAuthentication: true\n  port: 8529\n"
CONF_FIXED = ("storage:\n  rocksdb:\n    walSize: 32MB\n    compression: lz4\nserver:\n  port: 8529\n"
              "  statisticsEnabled: true\nquery:\n  spillToDisk: true\n")
SH = "#!/bin/sh\nexec themisdb-server --storage.journalSize 32MB\n"
SH_FIXED = "#!/bin/sh\nexec themisdb-server --storage.rocksdb.walSize 32MB\n"
README = "# service\n"
BROKEN = "storage: [\n  journalSize: : 32MB\n"
IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com"}
SYSTEM_GIT = shutil.which("git", path=os.defpath + ":/usr/local/bin") or "/usr/bin/git"


def _env() -> dict[str, str]:
    # the tests' own git: never the environment a test made hostile, never a repository's program
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(IDENTITY, GIT_CONFIG_NOSYSTEM="1", PATH=os.defpath)
    return env


def git(repo, *args: str, check: bool = True) -> str:
    """Set-up git for fixtures (runs the repository's config: only before it is made hostile)."""
    out = subprocess.run([SYSTEM_GIT, "-c", "init.defaultBranch=main", "-c", "protocol.file.allow=always", *args],
                         cwd=repo, capture_output=True, text=True, env=_env(), check=check)
    return out.stdout


def plumb(repo, *args: str) -> bytes:
    """Read-only plumbing for assertions on a hostile repository: runs none of its programs."""
    out = subprocess.run([SYSTEM_GIT, "--no-pager", "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false",
                          *args], cwd=repo, capture_output=True, env={**_env(), "GIT_DIR": str(Path(repo) / ".git")},
                         check=True)
    return out.stdout


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def make_repo(path: Path, files: dict[str, str], commit: bool = True) -> Path:
    """A work tree holding `files`; with `commit`, a repository with one commit on `main` whose
    config names a committer (the tool's own commits there need one)."""
    path.mkdir(parents=True)
    write_files(path, files)
    if commit:
        git(path, "init", "-q")
        git(path, "config", "user.name", "t")
        git(path, "config", "user.email", "t@example.com")
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", "initial")
    return path


def standard_repo(path: Path, **extra: str) -> Path:
    return make_repo(path, {"config/themisdb.conf": CONF, "scripts/start.sh": SH, "README.md": README, **extra})


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts}


# --- the hostile repository -------------------------------------------------------------------------

HOOKS = ("applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit",
         "prepare-commit-msg", "commit-msg", "post-commit", "pre-rebase", "post-checkout", "post-merge",
         "pre-push", "pre-receive", "update", "proc-receive", "post-receive", "post-update",
         "reference-transaction", "push-to-checkout", "pre-auto-gc", "post-rewrite", "sendemail-validate",
         "fsmonitor-watchman", "p4-changelist", "p4-prepare-changelist", "p4-post-changelist", "p4-pre-submit",
         "post-index-change")

# every git setting that names a program (git-config(1)), each to a script that leaves a marker
PROGRAM_SETTINGS = {
    "filter.evil.clean": "filter-clean", "filter.evil.smudge": "filter-smudge",
    "filter.evil.process": "filter-process", "filter.evil.required": None,
    "filter.a=b.clean": "filter-eq-clean", "filter.a=b.smudge": "filter-eq-smudge",
    "filter.a=b.process": "filter-eq-process",
    "core.fsmonitor": "fsmonitor", "core.fsmonitorHookVersion": None,
    "core.pager": "pager", "pager.status": "pager-status", "pager.log": "pager-log", "pager.diff": "pager-diff",
    "pager.show": "pager-show", "pager.ls-files": "pager-ls-files", "pager.rev-parse": "pager-rev-parse",
    "pager.config": "pager-config", "pager.branch": "pager-branch", "pager.commit-tree": "pager-commit-tree",
    "diff.external": "diff-external", "diff.evil.textconv": "diff-textconv", "diff.evil.command": "diff-command",
    "merge.evil.driver": "merge-driver",
    "core.sshCommand": "ssh-command", "core.askPass": "askpass", "credential.helper": "credential",
    "core.gitProxy": "git-proxy", "remote.origin.url": None, "remote.origin.uploadpack": "uploadpack",
    "remote.origin.receivepack": "receivepack", "remote.origin.fetch": None,
    "core.editor": "editor", "sequence.editor": "sequence-editor",
    "gpg.program": "gpg", "gpg.ssh.program": "gpg-ssh", "gpg.x509.program": "gpg-x509",
    "commit.gpgSign": None, "tag.gpgSign": None,
    "core.alternateRefsCommand": "alternate-refs", "uploadpack.packObjectsHook": "pack-objects-hook",
    "trailer.evil.command": "trailer", "gc.auto": None, "gc.autoDetach": None, "maintenance.auto": None,
    "submodule.recurse": None, "status.submoduleSummary": None, "diff.submodule": None,
}
FIXED_VALUES = {"filter.evil.required": "true", "core.fsmonitorHookVersion": "2",
                "remote.origin.url": "ssh://example.invalid/fleet.git", "remote.origin.fetch": "+refs/*:refs/*",
                "commit.gpgSign": "true", "tag.gpgSign": "true", "gc.auto": "1", "gc.autoDetach": "false",
                "maintenance.auto": "true", "submodule.recurse": "true", "status.submoduleSummary": "true",
                "diff.submodule": "diff"}
# bin/*.sh has no filter but is stored converted (CRLF checkout, LF blob): git converts it itself
ATTRIBUTES = "* filter=evil diff=evil merge=evil\n*.sh filter=a=b\n*.conf filter=late\nbin/*.sh -filter eol=crlf\n"
SUB_CONF = "storage:\n  journalSize: 64MB\n"


class Hostile:
    """base/repo: the hostile repository; base/marks must stay empty; base/decoy is where its
    core.worktree points."""

    def __init__(self, base: Path) -> None:
        self.base, self.repo, self.marks = base, base / "repo", base / "marks"
        self.decoy = base / "decoy"

    def markers(self) -> list[str]:
        return sorted(os.listdir(self.marks))


def _program(base: Path, name: str, passthrough: bool = False) -> str:
    script = base / "bin" / name
    script.parent.mkdir(exist_ok=True)
    script.write_text(f"#!/bin/sh\ntouch '{base}/marks/{name}'\n" + ("exec cat\n" if passthrough else ""))
    script.chmod(0o755)
    return str(script)


def _hooks(base: Path, folder: Path, prefix: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for hook in HOOKS:
        target = folder / hook
        target.write_text(f"#!/bin/sh\ntouch '{base}/marks/{prefix}-{hook}'\n")
        target.chmod(0o755)


def _configure(repo: Path, base: Path, settings: dict[str, str | None], prefix: str) -> None:
    config = ["config", "--file", str(repo)]
    for key, marker in settings.items():
        if marker is None:
            value = FIXED_VALUES[key]
        else:
            value = _program(base, f"{prefix}{marker}", passthrough=key.startswith("filter."))
            value = "!" + value if key == "credential.helper" else value
        git(base, *config, "--add", key, value)


def hostile_repo(base: Path) -> Hostile:
    """A repository that is a ThemisDB 1.3 client, made hostile after its last commit."""
    h = Hostile(base)
    h.marks.mkdir(parents=True)
    make_repo(base / "subsrc", {"themisdb.conf": SUB_CONF, ".gitattributes": "* filter=subevil\n"})
    make_repo(h.decoy, {"config/themisdb.conf": CONF, "scripts/start.sh": SH})
    repo = standard_repo(h.repo, **{".gitattributes": ATTRIBUTES, "bin/start.sh": SH,
                                    "git": f"#!/bin/sh\ntouch '{base}/marks/dot-git'\nexec {SYSTEM_GIT} \"$@\"\n"})
    (repo / "bin/start.sh").unlink()
    git(repo, "checkout", "--", "bin/start.sh")  # CRLF now
    (repo / "git").chmod(0o755)
    git(repo, "add", "git")
    git(repo, "commit", "-q", "-m", "a git script")
    git(repo, "submodule", "add", "-q", "../subsrc", "sub")
    git(repo, "commit", "-q", "-m", "a submodule")
    _make_hostile(h)
    return h


def _make_hostile(h: Hostile) -> None:
    base, repo, gitdir = h.base, h.repo, h.repo / ".git"
    _configure(gitdir / "config", base, PROGRAM_SETTINGS, "")
    git(base, "config", "--file", str(gitdir / "config"), "core.hooksPath", str(base / "hookspath"))
    git(base, "config", "--file", str(gitdir / "config"), "core.worktree", "../../decoy")
    _hooks(base, base / "hookspath", "hookspath")
    _hooks(base, gitdir / "hooks", "hook")
    # only active once HEAD is on the tool's branch: read after `git checkout -b` (item 1)
    git(base, "config", "--file", str(gitdir / "config"), "includeIf.onbranch:themis-lint/**.path", "evil.inc")
    _configure(gitdir / "evil.inc", base, {"filter.late.clean": "late-clean", "filter.late.smudge": "late-smudge",
                                           "filter.late.process": "late-process", "core.fsmonitor": "late-fsmonitor",
                                           "core.hooksPath": "late-hookspath", "diff.external": "late-diff"}, "")
    subgit = gitdir / "modules" / "sub"
    _configure(subgit / "config", base, {"filter.subevil.clean": "sub-clean", "filter.subevil.smudge": "sub-smudge",
                                         "core.fsmonitor": "sub-fsmonitor", "core.pager": "sub-pager"}, "")
    _hooks(base, subgit / "hooks", "sub-hook")
    # stat-dirty everywhere, so that anything comparing content would run the clean filters
    for path in [*repo.rglob("*.conf"), *repo.rglob("*.sh"), repo / "sub" / "themisdb.conf"]:
        os.utime(path, (1_000_000_000, 1_000_000_000))


def interrupt_after_first_write(monkeypatch, signum: int = signal.SIGINT) -> None:
    """The process sends itself `signum` just before its first file write (as a user's Ctrl-C
    or an orchestrator's SIGTERM would land mid-run)."""
    from themis_lint import writer

    sent = []

    def send(path: str) -> None:
        if not sent:
            sent.append(path)
            os.kill(os.getpid(), signum)

    monkeypatch.setattr(writer, "before_write", send)
