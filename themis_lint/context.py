"""What an analyzer may consult: the merged pack, the project's settings, the enabled rules."""
from __future__ import annotations

from dataclasses import dataclass, field

from themis_lint.packs import Change, Pack, Rule


@dataclass
class Context:
    pack: Pack
    catalogue: dict[str, Rule]
    selected: frozenset[str]
    config_files: list[str] = field(default_factory=list)
    overlay_files: list[str] = field(default_factory=list)
    query_functions: list[str] = field(default_factory=list)
    known_keys: list[str] = field(default_factory=list)
    rule_options: dict[str, dict] = field(default_factory=dict)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    _trigger_bytes: tuple[bytes, ...] | None = field(default=None, repr=False)

    def enabled(self, code: str) -> bool:
        return code in self.selected

    def options(self, code: str) -> dict:
        """A rule's options: the pack's defaults overridden by the project config."""
        return {**self.pack.rule_defaults(code), **self.rule_options.get(code, {})}

    def changes(self, primitive: str, enabled_only: bool = True) -> list[Change]:
        return [c for c in self.pack.of(primitive) if not enabled_only or self.enabled(c.code)]

    def per_file_ignored(self, path: str, code: str) -> bool:
        """CLI.md `per-file-ignores`: glob -> codes (or prefixes) ignored in matching files."""
        for pattern, codes in self.per_file_ignores.items():
            if glob_match(path, pattern) and any(code.startswith(c) for c in codes):
                return True
        return False

    def trigger_bytes(self) -> tuple[bytes, ...]:
        if self._trigger_bytes is None:
            self._trigger_bytes = tuple(t.encode() for t in self.triggers())
        return self._trigger_bytes

    def triggers(self) -> list[str]:
        """Lower-case literals one of which a file must contain to be parsed at all."""
        found: list[str] = []
        for change in self.pack.changes:
            if not self.enabled(change.code):
                continue
            for literal in trigger_literals(change):
                if literal not in found:
                    found.append(literal)
        return found


def glob_match(path: str, pattern: str) -> bool:
    """Match a POSIX path against a glob: by its name when the glob has no `/`, else whole."""
    from fnmatch import fnmatchcase

    if "/" not in pattern:
        return fnmatchcase(path.rsplit("/", 1)[-1], pattern)
    return fnmatchcase(path, pattern) or fnmatchcase(path, "*/" + pattern.lstrip("/"))


def trigger_literals(change: Change) -> list[str]:
    """The literal strings a file needs before a change's finder can match anything."""
    p = change.primitive
    if p in ("rename-config-key", "remove-config-key"):
        key = change.get("old") or change.get("key")
        return [key.rsplit(".", 1)[-1].lower()]
    if p in ("deprecate-endpoint", "remove-endpoint"):
        return [change["path"].lower()]
    if p == "replace-index-type":
        return [change["old"].lower()]
    if p == "rename-index-helper":
        return [change["old"].lower()]
    if p == "report-index-helper":
        return [change["name"].lower()]
    if p == "rewrite-aql-function":
        return [change["function"].lower()]
    return []  # required/known keys only matter in files named as server configs


def default_context(select: frozenset[str] | None = None, **settings) -> Context:
    """The bundled newest pack with default settings (tests and simple callers)."""
    from themis_lint import packs

    catalogue = packs.load_catalogue()
    chain = packs.resolve_chain(packs.available_packs(catalogue), None, None)
    pack = packs.merge(chain)
    if select is None:
        select = frozenset(code for code, rule in catalogue.items() if rule.default)
    return Context(pack=pack, catalogue=catalogue, selected=frozenset(select),
                   config_files=settings.pop("config_files", list(pack.config_files)),
                   query_functions=settings.pop("query_functions", list(pack.query_functions)),
                   **settings)
