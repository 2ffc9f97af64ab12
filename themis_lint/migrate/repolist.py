"""`migrate --repos-file`: the list of repositories a campaign works on, and how their URLs are
shown (docs/migrate.md "Campaigns").

One repository per line: `URL [BASE-BRANCH] [project=PATH]`. URL is https, ssh (`ssh://` or
`user@host:path`), `file://` or a local path; without a base branch the remote's default branch is
the base; `project=` names the repository on the forge when its URL does not (a mirror, `file://`).
`#` starts a comment at the start of a line or after a space; blank lines are skipped.

Nothing secret leaves this module: a URL is only ever shown with its user information redacted.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from themis_lint.project import ProjectError

SCP_LIKE = re.compile(r"^(?P<user>[^@/\s]+@)?(?P<host>[^:/\s]+):(?P<path>(?!/).+)$")  # git@host:org/repo.git
USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@")


@dataclass(frozen=True)
class Entry:
    url: str  # as written: may hold credentials, never shown
    base: str | None
    project: str  # owner/name (GitHub) or group/sub/name (GitLab)
    line: int

    @property
    def shown(self) -> str:
        """The URL as reports, logs and the state file name it."""
        return redact(self.url)

    @property
    def local(self) -> bool:
        return "://" not in self.url and not SCP_LIKE.match(self.url)

    def folder(self) -> str:
        """The clone's folder name in the workspace: readable, and unique per URL."""
        tail = re.sub(r"[^A-Za-z0-9._-]+", "_", self.project.replace("/", "__"))[-60:]
        digest = hashlib.sha256(self.shown.encode()).hexdigest()[:10]
        return f"{tail}-{digest}"


def redact(text: str) -> str:
    """`https://user:token@host/x` -> `https://***@host/x`, wherever URLs appear in `text`."""
    return USERINFO.sub(lambda m: m["scheme"] + "***@", text)


def parse(path: str) -> list[Entry]:
    """The entries of a repos file; ProjectError (exit 2) naming the line of a bad one."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(f"--repos-file {path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from exc
    entries, seen = [], {}
    for number, raw in enumerate(lines, 1):
        fields = re.sub(r"(^|\s)#.*$", "", raw).split()
        if not fields:
            continue
        entry = _entry(fields, number, path)
        if entry.shown in seen:
            raise ProjectError(f"{path}:{number}: {entry.shown} is listed twice (also on line {seen[entry.shown]})")
        seen[entry.shown] = number
        entries.append(entry)
    return entries


def _entry(fields: list[str], number: int, path: str) -> Entry:
    url, rest = fields[0], fields[1:]
    options = dict(f.split("=", 1) for f in rest if "=" in f)
    plain = [f for f in rest if "=" not in f]
    where = f"{path}:{number}"
    if set(options) - {"project"} or len(plain) > 1:
        raise ProjectError(f"{where}: expected `URL [BASE-BRANCH] [project=PATH]`, got {redact(' '.join(fields))!r}")
    if url.startswith("-") or (plain and plain[0].startswith("-")):
        raise ProjectError(f"{where}: a URL or branch may not start with '-'")
    if not ("://" in url or SCP_LIKE.match(url)):
        url = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(path)), url))
    project = options.get("project") or project_of(url)
    return Entry(url, plain[0] if plain else None, project.strip("/"), number)


def project_of(url: str) -> str:
    """The repository's path on its forge: everything after the host (https, ssh), the last two
    folders (file:// and local paths); without a trailing `.git`."""
    match = SCP_LIKE.match(url) if "://" not in url else None
    if match:
        path = match["path"]
    elif url.startswith("file://") or "://" not in url:
        path = "/".join(urlsplit(url).path.rstrip("/").split("/")[-2:]) if "://" in url else \
            "/".join(url.rstrip("/").split("/")[-2:])
    else:
        path = urlsplit(url).path
    path = path.strip("/")
    return path.removesuffix(".git")


def shard(entries: list[Entry], selected: tuple[int, int] | None) -> list[Entry]:
    """Every N-th entry from K, by their shown URL: each shard of one list gets a disjoint part."""
    ordered = sorted(entries, key=lambda e: e.shown)
    if selected is None:
        return ordered
    k, n = selected
    return [e for i, e in enumerate(ordered) if i % n == k]
