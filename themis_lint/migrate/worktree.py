"""What a git work tree holds, read without letting git touch work-tree content (docs/migrate.md
"Safety"): the index with its stat data, HEAD's tree and the untracked files git does not ignore.

Which files changed is decided here, in Python, the way `git status` decides it: an entry whose
stat data still matches (and is not racily clean) is unchanged, as git itself trusts; otherwise
the file's raw bytes are hashed as a blob and compared with the index. Only a file whose bytes
differ and whose `filter` attribute check-attr reports unset is hashed by git, with its builtin
conversion (a CRLF checkout of an LF blob): git runs a filter program only for a path whose
`filter` attribute names a driver. Submodules are repositories of their own: neither listed nor
looked into (`--ignore-submodules=all`).
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field

from themis_lint.migrate import git
from themis_lint.safe_io import read_regular

GITLINK = "160000"
SYMLINK = "120000"
_U32 = 0xFFFFFFFF  # the index keeps 32 bits of each stat field


@dataclass(frozen=True)
class IndexEntry:
    mode: str
    oid: str
    stage: int
    skip_worktree: bool
    stat: tuple[int, ...]  # ctime s, ns, mtime s, ns, dev, ino, uid, gid, size (as the index holds them)


@dataclass
class TreeState:
    """One reading of the repository, top-relative POSIX paths throughout."""

    index: dict[str, IndexEntry] = field(default_factory=dict)
    head: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (mode, oid)
    head_commit: str | None = None
    others: list[str] = field(default_factory=list)  # untracked, not ignored; "dir/" = a nested repository
    index_mtime_ns: int = 0
    file_mode: bool = True  # core.fileMode: the executable bit counts

    def submodules(self) -> list[str]:
        return sorted(p for p, e in self.index.items() if e.mode == GITLINK)

    def nested_repositories(self) -> list[str]:
        return sorted(p.rstrip("/") for p in self.others if p.endswith("/"))

    def listed(self) -> set[str]:
        """Files git tracks or would track: everything but ignored files and other repositories."""
        return {p for p, e in self.index.items() if e.mode != GITLINK} | {p for p in self.others
                                                                          if not p.endswith("/")}


def read_state(repo: git.Repository, scope: str) -> TreeState:
    """The index, HEAD and the untracked files below `scope` (top-relative, "" for all)."""
    spec = ["--", scope] if scope else []
    state = TreeState()
    try:  # before the entries: an index rewritten meanwhile only makes more of them racy
        state.index_mtime_ns = os.stat(os.path.join(repo.git_dir, "index")).st_mtime_ns
    except OSError:
        state.index_mtime_ns = 0
    state.index, state.head_commit = read_index(repo, *spec), head_commit(repo)
    state.others = _split(git.output(repo, "ls-files", "-z", "--others", "--exclude-standard", *spec))
    if state.head_commit is not None:
        state.head = _parse_tree(git.output(repo, "ls-tree", "-r", "-z", "--full-tree", state.head_commit))
    mode = git.run(repo, "config", "--type=bool", "--default=true", "--get", "core.fileMode")
    state.file_mode = mode.stdout.strip() != b"false"
    return state


def read_index(repo: git.Repository, *spec: str, index: str | None = None) -> dict[str, IndexEntry]:
    return _parse_index(git.output(repo, "ls-files", "-z", "--stage", "-t", "--debug", *spec, index=index))


def head_commit(repo: git.Repository) -> str | None:
    """HEAD's commit id; None on an unborn branch (nothing committed yet)."""
    head = git.run(repo, "rev-parse", "--quiet", "--verify", "HEAD^{commit}")
    return head.stdout.decode().strip() if head.returncode == 0 else None


def _split(raw: bytes) -> list[str]:
    return [os.fsdecode(p) for p in raw.split(b"\0") if p]


def _parse_index(raw: bytes) -> dict[str, IndexEntry]:
    """`ls-files -z --stage -t --debug`: `T MODE OID STAGE\\tPATH\\0`, then five lines of stat data
    (`  ctime: S:NS`, `  mtime: S:NS`, `  dev: D\\tino: I`, `  uid: U\\tgid: G`, `  size: N\\tflags: X`)."""
    entries: dict[str, IndexEntry] = {}
    pos = 0
    while pos < len(raw):
        end = raw.index(b"\0", pos)
        head, path = raw[pos:end].split(b"\t", 1)
        tag, mode, oid, stage = head.decode().split(" ")
        pos, lines = end + 1, []
        for _ in range(5):
            line_end = raw.index(b"\n", pos)
            lines.append(raw[pos:line_end])
            pos = line_end + 1
        fields = dict(item.split(b": ") for line in lines for item in line.strip().split(b"\t"))
        numbers = [int(n) for key in (b"ctime", b"mtime") for n in fields[key].split(b":")]
        numbers += [int(fields[key]) for key in (b"dev", b"ino", b"uid", b"gid", b"size")]
        name = os.fsdecode(path)
        entry = IndexEntry(mode, oid, int(stage), tag == "S", tuple(numbers))
        if name not in entries or entry.stage:
            entries[name] = entry  # any unmerged stage marks the path unmerged
    return entries


def _parse_tree(raw: bytes) -> dict[str, tuple[str, str]]:
    out = {}
    for record in raw.split(b"\0"):
        if record:
            info, path = record.split(b"\t", 1)
            mode, _kind, oid = info.decode().split(" ")
            out[os.fsdecode(path)] = (mode, oid)
    return out


def in_scope(path: str, scope: str) -> bool:
    return not scope or path == scope or path.startswith(scope + "/")


def changed_paths(repo: git.Repository, state: TreeState, scope: str, ours) -> list[str]:
    """Staged, unstaged or untracked changes below `scope`, except files `ours(path)` accepts
    (what an earlier migrate run wrote and nobody touched since)."""
    dirty, differ = [], []
    for path, entry in sorted(state.index.items()):
        if not in_scope(path, scope) or entry.mode == GITLINK:
            continue
        if entry.stage or state.head.get(path) != (entry.mode, entry.oid):
            dirty.append(path)  # unmerged, or staged
        elif (found := compare(repo, state, path, entry)) != SAME and not ours(path):
            (differ if found == BYTES_DIFFER else dirty).append(path)
    dirty += sorted(set(differ) - converted_clean(repo, state, differ))
    dirty += [p for p, (mode, _) in state.head.items()
              if in_scope(p, scope) and p not in state.index and mode != GITLINK]  # staged deletions
    dirty += [p for p in state.others if in_scope(p.rstrip("/"), scope) and not _own_temp_file(p)]
    return sorted(set(dirty))


def without_filter(repo: git.Repository, paths: list[str]) -> set[str]:
    """The paths whose `filter` attribute is unset or unspecified (git check-attr runs nothing).

    Git converts content through a program only for a filter driver, and only for a path whose
    `filter` attribute names one: for these paths its conversion (eol, ident, encoding) is builtin.
    """
    if not paths:
        return set()
    out = git.output(repo, "check-attr", "-z", "--stdin", "filter",
                     input=b"".join(os.fsencode(p) + b"\0" for p in paths)).split(b"\0")
    # records of `path NUL attribute NUL value NUL`
    no_filter = (b"unspecified", b"unset")
    return {os.fsdecode(out[i]) for i in range(0, len(out) - 2, 3) if out[i + 2] in no_filter}


def converted_clean(repo: git.Repository, state: TreeState, paths: list[str]) -> set[str]:
    """Of files whose bytes differ from their blob, those git stores converted and unchanged
    (a `*.bat eol=crlf` checkout): hashed by git as `git add` would, never through a filter."""
    names = sorted(without_filter(repo, [p for p in paths if "\n" not in p]))
    if not names:
        return set()
    listing = b"".join(os.fsencode(p) + b"\n" for p in names)
    oids = git.output(repo, "hash-object", "--stdin-paths", input=listing).split()
    # a path git could not hash has no id here: it stays changed
    return {p for p, oid in zip(names, oids, strict=False) if oid.decode() == state.index[p].oid}


def _own_temp_file(path: str) -> bool:
    # the engine's atomic writes use `.themis-lint-*.tmp` next to the file; one left by `kill -9`
    # is not a person's work (issue 18 item 21 removes them)
    name = path.rsplit("/", 1)[-1]
    return name.startswith(".themis-lint-") and name.endswith(".tmp")


SAME, BYTES_DIFFER, CHANGED = "same", "bytes differ", "changed"


def compare(repo: git.Repository, state: TreeState, path: str, entry: IndexEntry) -> str:
    """SAME: the work tree holds what the index entry records; BYTES_DIFFER: a regular file whose
    raw bytes are not the blob (changed, or stored converted); CHANGED: missing, another type or mode."""
    full = os.path.join(repo.top, path)
    try:
        info = os.lstat(full)
    except FileNotFoundError:
        return SAME if entry.skip_worktree else CHANGED  # sparse checkout: absent by design
    except OSError:
        return CHANGED
    if stat.S_ISLNK(info.st_mode):
        if entry.mode != SYMLINK:
            return CHANGED
        target = os.fsencode(os.readlink(full))
        return SAME if git.blob_id(target, repo.object_format) == entry.oid else CHANGED
    if not stat.S_ISREG(info.st_mode):
        return CHANGED  # a FIFO, socket or folder where git has a file
    if state.file_mode and entry.mode != SYMLINK and (entry.mode == "100755") != bool(info.st_mode & 0o100):
        return CHANGED
    if _stat_matches(entry, info, state.index_mtime_ns):
        return SAME
    try:
        data = read_regular(full)
    except OSError:
        return CHANGED
    return SAME if git.blob_id(data, repo.object_format) == entry.oid else BYTES_DIFFER


def _stat_matches(entry: IndexEntry, info: os.stat_result, index_mtime_ns: int) -> bool:
    """Git's own stat check (read-cache.c ie_match_stat), stricter: every field, nanoseconds too,
    and a racily clean entry is never trusted: its content decides."""
    ctime, mtime = info.st_ctime_ns, info.st_mtime_ns
    now = (ctime // 10**9 & _U32, ctime % 10**9, mtime // 10**9 & _U32, mtime % 10**9, info.st_dev & _U32,
           info.st_ino & _U32, info.st_uid & _U32, info.st_gid & _U32, info.st_size & _U32)
    return now == entry.stat and not racy(entry, index_mtime_ns)


def racy(entry: IndexEntry, index_mtime_ns: int) -> bool:
    """Modified in or after the second the index was written (read-cache.c is_racy_timestamp, by
    the second: a git built without nanoseconds compares only those). Entries without stat data
    (fresh from a tree) are never racy."""
    return any(entry.stat) and entry.stat[2] >= (index_mtime_ns // 10**9) & _U32
