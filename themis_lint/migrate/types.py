"""The values of a migrate run: what one file did, what one repository holds, what was asked."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from themis_lint.migrate.git import Repository
    from themis_lint.migrate.worktree import TreeState


@dataclass
class FileOutcome:
    """What migrating one file did; small, it travels back from a worker process."""

    rel: str
    fixes: dict[str, int] = field(default_factory=dict)
    remaining: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    diff: str | None = None  # unified-diff hunks without file headers (dry run)
    written: str | None = None  # sha256 of the bytes written
    seconds: float = 0.0


@dataclass
class RepoRun:
    """One given PATH: a repository or a plain folder, and what the run did to it."""

    path: str  # as given, normalised
    root: str  # absolute
    git: Repository | None = None  # None outside git
    scope: str = ""  # root's path from the work-tree top, POSIX ("" at the top)
    state: TreeState | None = None
    lock: int | None = None  # held while the run writes (record.lock)
    status: str = "pending"  # done | dry-run | refused | interrupted | failed
    reason: str = ""
    files: int = 0
    pending: int = 0
    changed: list[str] = field(default_factory=list)
    fixes: dict[str, int] = field(default_factory=dict)
    remaining: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. files skipped for their size
    diffs: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    branch: str | None = None
    commit: str | None = None
    configs: list[str] = field(default_factory=list)  # the project configs that governed its files
    base: str | None = None  # the commit the run started from (git), what the branch is compared with
    holds: Holdings | None = None  # what the branch (or work tree) holds against `base`
    campaign: dict | None = None  # --repos-file: remote, base branch, state, pull request (report row)

    @property
    def top(self) -> str | None:
        return None if self.git is None else self.git.top

    def top_path(self, rel: str) -> str:
        """A path relative to PATH as git names it: relative to the work-tree top."""
        return f"{self.scope}/{rel}" if self.scope else rel

    def add(self, outcome: FileOutcome) -> None:
        self.pending -= 1
        self.seconds += outcome.seconds
        for code, n in outcome.fixes.items():
            self.fixes[code] = self.fixes.get(code, 0) + n
        if outcome.fixes:
            self.changed.append(outcome.rel)
        self.remaining += outcome.remaining
        self.errors += outcome.errors
        self.notes += outcome.infos
        if outcome.diff is not None:
            self.diffs.append((outcome.rel, outcome.diff))


@dataclass
class Holdings:
    """What a repository's branch (or, without --commit, its work tree) holds against its base,
    whichever run made it: an interrupted run resumed by another counts once, in full."""

    files: list[str] = field(default_factory=list)  # relative to the repository's PATH
    fixes: dict[str, int] = field(default_factory=dict)
    unsafe: list[dict] = field(default_factory=list)  # {file, line, code, message}: review these
    patch: str = ""  # git-style, paths relative to PATH
    foreign: list[str] = field(default_factory=list)  # files holding changes themis-lint would not make


@dataclass
class MigrateRequest:
    paths: list[str]
    safe_only: bool = False
    dry_run: bool = False
    diff_dir: str | None = None
    jobs: int = 1
    shard: tuple[int, int] | None = None
    allow_dirty: bool = False
    commit: bool = False
    branch: str | None = None
    report: str | None = None
    html: str | None = None
    quiet: bool = False
    progress: bool = True
    exit_zero: bool = False
    max_file_size: int | None = None
    ignore_repo_config: bool = False
    options: dict = field(default_factory=dict)  # the campaign's rule options, as the report shows them

    @property
    def writes(self) -> bool:
        return not (self.dry_run or self.diff_dir)

    def fix_options(self):
        """The engine options of every file of the run: all fixes (safe ones with --safe-only)."""
        from themis_lint.model import Safety
        from themis_lint.pipeline import DEFAULT_MAX_FILE_SIZE, Options

        return Options(fix=Safety.SAFE if self.safe_only else Safety.UNSAFE, write=self.writes,
                       max_file_size=self.max_file_size or DEFAULT_MAX_FILE_SIZE)
