"""What a pack is: the codes (Rule), the changes (Change) and a version step's data (Pack)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

VERSION_FIELDS = ("deprecated-in", "removed-in", "replacement-since")
PACK_LISTS = ("server-commands", "server-images", "query-functions", "config-files")
# codes starting so are themis-lint's own, now and later: a pack declares codes of another name
RESERVED_PREFIX = "TH"


def rules_dir() -> Path:
    """Where the bundled catalogue, packs, docs and cases live (the `rules/` folder)."""
    return Path(str(resources.files("themis_lint.rules")))


VERSION_RE = re.compile(r"^\d+\.\d+(\.\d+)?$")


class PackError(Exception):
    """A pack or catalogue that cannot be used: `file:line: reason`."""


@dataclass(frozen=True)
class Rule:
    code: str
    slug: str
    severity: str
    fix: str
    category: str
    summary: str
    default: bool = True
    docs: str | None = None  # a pack's own code: its page text (built-in codes: rules/docs/)
    url: str | None = None  # a pack's own code: where it is documented on the web, if anywhere
    origin: str | None = None  # a pack's own code: file:line of its declaration (None: built-in)

    @property
    def builtin(self) -> bool:
        return self.origin is None


@dataclass(frozen=True)
class Change:
    primitive: str
    code: str
    data: dict
    deprecated_in: str | None
    removed_in: str | None
    replacement_since: str | None
    pack: str
    origin: str  # file:line, for messages
    step: str | None = None  # the `to` version of the pack that declares it: when it happened

    @property
    def verb(self):
        """Its Primitive: parameters, message templates, fix safety (themis_lint/primitives)."""
        from themis_lint import primitives

        return primitives.get(self.primitive)

    def same_as(self, other: Change) -> bool:
        """The same entry, written twice (a pack that copied another's): it counts once."""
        return (self.primitive, self.code, self.data, self.deprecated_in, self.removed_in,
                self.replacement_since) == (other.primitive, other.code, other.data, other.deprecated_in,
                                            other.removed_in, other.replacement_since)

    def when(self, event: str = "") -> str | None:
        """The version a message names for this change (issue 12: with packs chained 1.3 -> 1.4 ->
        1.5 a 1.4 rename is "renamed in 1.4", not in the run's target): its own `deprecated-in` /
        `removed-in` for those events, else the version its pack upgrades to."""
        declared = {"deprecated": self.deprecated_in, "removed": self.removed_in}.get(event)
        return declared or self.step

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@dataclass
class Pack:
    """One version pair, or several chained: what the analyzers consult."""

    name: str
    from_version: str
    to_version: str
    changes: list[Change] = field(default_factory=list)
    manual_review: list[dict] = field(default_factory=list)
    server_commands: list[str] = field(default_factory=list)
    server_images: list[str] = field(default_factory=list)
    query_functions: list[str] = field(default_factory=list)
    config_files: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    rules: dict[str, Rule] = field(default_factory=dict)  # codes the pack declares
    path: str = ""  # its file ("" for a merged pack)
    bundled: bool = False  # shipped with themis-lint (not named with --pack)

    def of(self, primitive: str) -> list[Change]:
        return [c for c in self.changes if c.primitive == primitive]

    def rule_defaults(self, code: str) -> dict:
        merged: dict = {}
        for change in self.changes:
            if change.code == code:
                merged.update(change.get("options") or {})
        return merged


def minor(version: str) -> tuple[int, int]:
    """`1.4.5` -> (1, 4): patch levels never change the rules."""
    if not VERSION_RE.match(str(version).strip()):
        raise PackError(f"not a version: {version!r} (expected MAJOR.MINOR or MAJOR.MINOR.PATCH)")
    major, minor_, *_ = str(version).strip().split(".")
    return int(major), int(minor_)


def short(version: str) -> str:
    return "%d.%d" % minor(version)



def bundled_pack_paths() -> list[Path]:
    return sorted(p for p in rules_dir().glob("*.yaml") if p.name != "catalogue.yaml")
