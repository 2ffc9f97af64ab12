"""Running themis-lint as the user does: the installed console script, in a real git repository."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "fixtures" / "sample-client"


def command() -> list[str]:
    """The `themis-lint` script pip installed beside this interpreter (else the module)."""
    script = Path(sys.executable).parent / "themis-lint"
    return [str(script)] if script.exists() else [sys.executable, "-m", "themis_lint"]


def themis(*args: str, cwd: Path | None = None, input: bytes | str | None = None,
           env: dict | None = None) -> subprocess.CompletedProcess:
    """One run of the console script; text out unless `input` is bytes."""
    merged = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    merged.update(env or {})
    return subprocess.run([*command(), *args], cwd=cwd, input=input, env=merged, capture_output=True,
                          text=not isinstance(input, bytes), timeout=300, check=False)


def git(cwd: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    done = subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid",
                           "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def client_repository(dest: Path, source: Path = SAMPLE) -> Path:
    """A committed git repository holding `source` (the bundled ThemisDB 1.3 sample client)."""
    shutil.copytree(source, dest)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "a ThemisDB 1.3 client")
    return dest


def tree(folder: Path) -> dict[str, bytes]:
    """Every file's bytes below `folder` (outside .git)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(folder).parts}
