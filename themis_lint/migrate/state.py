"""The campaign state file in the workspace (docs/migrate.md "Campaign state").

`campaign.json`: what the campaign is (branch, pack) and, per repository (by its shown URL), its
status, the base commit it was migrated from, what was pushed, its pull request, and its last
report row (a rerun that skips the repository still reports it). Every update is a
read-modify-write under an exclusive lock with an atomic replace, so shards sharing one workspace
(a Kubernetes volume) never lose each other's entries.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time

from themis_lint.project import ProjectError

FILE = "campaign.json"
LOCK = "campaign.lock"
STATUSES = ("pending", "clean", "changed", "pushed", "pr-open", "refused", "failed")
DONE = ("clean", "changed", "pushed", "pr-open")  # nothing left to migrate while the base stays


def path(workspace: str) -> str:
    return os.path.join(workspace, FILE)


def read(workspace: str) -> dict:
    """The state as stored; an empty one when there is none. ProjectError when unreadable."""
    try:
        with open(path(workspace), encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return {"version": 1, "campaign": None, "repositories": {}}
    except (OSError, ValueError) as exc:
        raise ProjectError(f"{path(workspace)}: not a themis-lint campaign state: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("repositories"), dict):
        raise ProjectError(f"{path(workspace)}: not a themis-lint campaign state")
    return data


@contextlib.contextmanager
def _locked(workspace: str):
    os.makedirs(workspace, exist_ok=True)
    fd = os.open(os.path.join(workspace, LOCK), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def claim(workspace: str, campaign: dict) -> None:
    """Tie the workspace to one campaign (branch, pack): another one is refused, not mixed in."""
    with _locked(workspace):
        data = read(workspace)
        if data["campaign"] not in (None, campaign):
            raise ProjectError(f"workspace {workspace} holds another campaign ({data['campaign']}); "
                               "use another --workspace for this one")
        data["campaign"] = campaign
        _write(workspace, data)


def update(workspace: str, entries: dict[str, dict]) -> None:
    """Merge these repositories' entries into the state (others, e.g. other shards', stay)."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with _locked(workspace):
        data = read(workspace)
        for key, entry in entries.items():
            data["repositories"][key] = {**data["repositories"].get(key, {}), **entry, "updated": stamp}
        _write(workspace, data)


def _write(workspace: str, data: dict) -> None:
    """Atomically (safe_io.replace: never through a planted symlink)."""
    from themis_lint.safe_io import replace

    replace(path(workspace), (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode())
