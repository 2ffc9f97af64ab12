"""What an analyzer may consult: the merged pack, the project's settings, the enabled rules."""
from __future__ import annotations

from dataclasses import dataclass, field

from themis_lint import globs
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
    root: str | None = None  # folder of the governing config: its globs are relative to it
    _trigger_bytes: dict = field(default_factory=dict, repr=False)  # verbs (None: all) -> literals
    _call_triggers: tuple[frozenset[bytes], object] | None = field(default=None, repr=False)

    def enabled(self, code: str) -> bool:
        return code in self.selected

    def version_of(self, change: Change, event: str = "") -> str:
        """The version a message names for `change`: the step it happened in, not the target."""
        return change.when(event) or self.pack.to_version

    def options(self, code: str) -> dict:
        """A rule's options: the pack's defaults overridden by the project config."""
        return {**self.pack.rule_defaults(code), **self.rule_options.get(code, {})}

    def changes(self, primitive: str, enabled_only: bool = True) -> list[Change]:
        return [c for c in self.pack.of(primitive) if not enabled_only or self.enabled(c.code)]

    def finds(self, *primitives: str) -> bool:
        """Does the run have an enabled entry of one of these verbs? (A surface's gate: a pack's
        own code for a verb counts as much as the built-in one.)"""
        return any(c.primitive in primitives and self.enabled(c.code) for c in self.pack.changes)

    def aql_functions(self) -> dict[str, Change]:
        """Upper-case AQL function name -> its enabled rewrite-aql-function change."""
        return {c["function"].upper(): c for c in self.changes("rewrite-aql-function")}

    def per_file_ignored(self, path: str, code: str) -> bool:
        """docs/cli.md `per-file-ignores`: glob -> codes (or prefixes) ignored in matching files."""
        if not self.per_file_ignores:
            return False
        rel = globs.relative(path, self.root)
        return any(globs.matches(rel, (pattern,)) and any(code.startswith(c) for c in codes)
                   for pattern, codes in self.per_file_ignores.items())

    def matches(self, path: str, patterns) -> bool:
        """Does a project glob list (config-files, overlay-files) match this file (themis_lint.globs)?"""
        return globs.matches(globs.relative(path, self.root), tuple(patterns))

    def trigger_bytes(self, primitives: tuple[str, ...] | None = None) -> tuple[bytes, ...]:
        """`triggers()` as bytes; with `primitives`, of the entries of those verbs only (a surface
        that finds nothing else needs nothing else: issue 17)."""
        if primitives not in self._trigger_bytes:
            self._trigger_bytes[primitives] = tuple(t.encode() for t in self.triggers(primitives))
        return self._trigger_bytes[primitives]

    def call_triggers(self):
        """(function-name literals, a bytes regex for `name(`): "within" and "fulltext" are English
        words, so a file holding only them must also hold a call before any parser runs."""
        if self._call_triggers is None:
            import re

            from themis_lint.prefilter import call_expression

            names = tuple(sorted({c["function"].lower().encode() for c in self.changes("rewrite-aql-function")}))
            pattern = re.compile(call_expression(names) or b"(?!)")  # one definition: the prefilter's
            self._call_triggers = (frozenset(names), pattern)
        return self._call_triggers

    def triggers(self, primitives: tuple[str, ...] | None = None) -> list[str]:
        """Lower-case literals one of which a file must contain to be parsed at all (by a surface
        finding only `primitives`, when given)."""
        found: list[str] = []
        for change in self.pack.changes:
            if not self.enabled(change.code) or (primitives is not None and change.primitive not in primitives):
                continue
            for literal in trigger_literals(change):
                if literal not in found:
                    found.append(literal)
        return found


def trigger_literals(change: Change) -> list[str]:
    """The literal strings a file needs before a change's finder can match anything (the
    primitive's `trigger_fields`; required and known keys matter only in files named as server
    configs, which their surface claims by name)."""
    from themis_lint import primitives

    return primitives.get(change.primitive).trigger_literals(change.data)


def default_context(select: frozenset[str] | None = None, extra_changes: list | None = None,
                    **settings) -> Context:
    """The bundled newest pack with default settings (tests and simple callers); `extra_changes`
    are pack entries added to its step, as a user's pack for that step would add them."""
    from themis_lint import packs

    catalogue = packs.load_catalogue()
    available = packs.available_packs(catalogue)
    chain = packs.resolve_chain(available, None, None)
    if extra_changes:
        chain[-1] = packs.merge_step([chain[-1], packs.pack_of_entries(extra_changes, chain[-1], catalogue)])
    pack = packs.merge(chain)
    if select is None:
        select = frozenset(code for code, rule in catalogue.items() if rule.default)
    return Context(pack=pack, catalogue=catalogue, selected=frozenset(select),
                   config_files=settings.pop("config_files", list(pack.config_files)),
                   query_functions=settings.pop("query_functions", list(pack.query_functions)),
                   **settings)
