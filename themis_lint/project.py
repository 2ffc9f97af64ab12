"""The project a run works for: its config, packs, rule selection and rule options.

The engine side of "which rules, which data, which files": the CLI, the language server and
`migrate` all build a Setup here. Problems are ProjectError; only the CLI turns them into exit 2.
"""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass


class ProjectError(Exception):
    """An unusable option, config or pack: one line, exit 2 at the CLI."""


@dataclass
class Setup:
    """Everything a command needs that options and project config decide."""

    ctx: object
    chain: list
    settings: object
    excludes: list[str]
    catalogue: dict
    root: str | None = None  # the folder of the governing config: globs are relative to it
    pack_paths: tuple[str, ...] = ()  # the config's own `packs` (the run's own files: never checked)


def _split(values) -> list[str]:
    return [v.strip().upper() for value in values or () for v in value.split(",") if v.strip()]


def check_codes(catalogue: dict, codes: list[str], where: str = "") -> None:
    """ProjectError for the first code (or prefix) no rule has; `where` names its source
    (`pyproject.toml: ignore: `), so a config's typo is found where it is."""
    for code in codes:
        if code != "ALL" and not any(c.startswith(code) for c in catalogue):
            hint = difflib.get_close_matches(code, catalogue, n=1)
            raise ProjectError(f"{where}unknown rule code {code!r}" + (f" (did you mean {hint[0]}?)" if hint else ""))


def resolve_selection(catalogue: dict, select: list[str] | None, extend: list[str], ignore: list[str]) -> frozenset:
    """Codes enabled: a selection (default: every rule on by default) plus extensions minus ignores."""
    check_codes(catalogue, [*(select or []), *extend, *ignore])

    def matching(prefixes):
        return {c for c in catalogue if any(p == "ALL" or c.startswith(p) for p in prefixes)}

    base = matching(select) if select else {c for c, r in catalogue.items() if r.default}
    return frozenset((base | matching(extend)) - matching(ignore))


@dataclass(frozen=True)
class Overrides:
    """What the command line (or an editor, or a campaign) says on top of every project config."""

    from_version: str | None = None
    to_version: str | None = None
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    config_path: str | None = None  # --config: this file governs every path
    pack_paths: tuple[str, ...] = ()
    ignore_configs: bool = False  # migrate --ignore-repo-config: no project config at all


class Projects:
    """The Setup that governs each path: the closest config at or above it, up to the repository
    root (ruff's hierarchical discovery: a monorepo can have one config per service). Each config
    is read and its Setup built once; the command-line overrides apply on top of every one."""

    def __init__(self, overrides: Overrides = Overrides()):
        self.overrides = overrides
        self._configs: dict[str, str | None] = {}  # absolute folder -> its governing config
        self._setups: dict[str | None, Setup] = {}

    def config_for(self, path: str) -> str | None:
        """The config file governing `path` (a file or a folder), or None."""
        from themis_lint import settings

        if self.overrides.ignore_configs:
            return None
        if self.overrides.config_path:
            return self.overrides.config_path
        folder = os.path.abspath(path)
        if not os.path.isdir(folder):
            folder = os.path.dirname(folder)
        seen = []
        found: str | None = None
        while True:
            if folder in self._configs:
                found = self._configs[folder]
                break
            seen.append(folder)
            try:
                found = settings.config_in(folder)
            except settings.SettingsError as exc:
                raise ProjectError(str(exc)) from exc
            parent = os.path.dirname(folder)
            if found is not None or parent == folder or settings.is_repository_root(folder):
                break
            folder = parent
        for folder in seen:
            self._configs[folder] = found
        return found

    def setup_for(self, path: str) -> Setup:
        config = self.config_for(path)
        if config not in self._setups:
            self._setups[config] = build_setup(self.overrides, config)
        return self._setups[config]

    def excludes_for(self, folder: str) -> tuple[str | None, tuple[str, ...]]:
        """discovery's view: the excludes governing a folder, and the folder they are relative to."""
        setup = self.setup_for(folder)
        return setup.root, tuple(setup.excludes)

    @classmethod
    def fixed(cls, setup: Setup) -> Projects:
        """One Setup for every path (a caller that built it already)."""
        projects = cls()
        projects.config_for = lambda path: setup.settings.path  # type: ignore[method-assign]
        projects._setups[setup.settings.path] = setup
        return projects

    def setups(self) -> list[Setup]:
        """Every Setup built so far (`-v` names their configs)."""
        return list(self._setups.values())


def load_setup(from_version, to_version, select, extend_select, ignore, config_path, pack_paths,
               start: str = ".") -> Setup:
    """The Setup governing `start` (default: the current folder) under these options."""
    overrides = Overrides(from_version, to_version, tuple(select or ()), tuple(extend_select or ()),
                          tuple(ignore or ()), config_path, tuple(pack_paths or ()))
    return Projects(overrides).setup_for(start)


def build_setup(overrides: Overrides, config: str | None) -> Setup:
    """Options on top of one config file (or none): the pack chain, the selection, the context."""
    from pathlib import Path

    from themis_lint import packs, settings
    from themis_lint.context import Context
    from themis_lint.discovery import DEFAULT_EXCLUDES

    o = overrides
    try:
        conf = settings.load(config)
        catalogue = packs.load_catalogue()
        own = _config_packs(conf, config)
        named = {os.path.realpath(p): p for p in (*o.pack_paths, *own)}  # one pack named twice counts once
        available = packs.available_packs(catalogue, [Path(p) for p in named.values()])
        catalogue = packs.extended_catalogue(catalogue, available)  # with the packs' own codes
        frm = o.from_version or conf.get("from")
        to = o.to_version or conf.get("to")
        chain = packs.resolve_chain(available, frm, to)
        pack = packs.merge(chain, frm, to)
    except (settings.SettingsError, packs.PackError) as exc:
        raise ProjectError(str(exc)) from exc
    for key in ("select", "extend-select", "ignore"):
        check_codes(catalogue, [c.upper() for c in conf.get(key, [])], f"{conf.path}: `{key}`: ")
    selected = resolve_selection(catalogue, _split(o.select) or [c.upper() for c in conf.get("select", [])] or None,
                                 _split(o.extend_select) + [c.upper() for c in conf.get("extend-select", [])],
                                 _split(o.ignore) + [c.upper() for c in conf.get("ignore", [])])
    rule_options = _rule_options(conf, pack, catalogue)
    root = os.path.dirname(os.path.abspath(config)) if config else None
    ctx = Context(pack=pack, catalogue=catalogue, selected=selected, root=root,
                  config_files=list(conf.get("config-files", pack.config_files)),
                  overlay_files=list(conf.get("overlay-files", [])),
                  query_functions=list(conf.get("query-functions", pack.query_functions)),
                  known_keys=list(conf.get("known-keys", [])), rule_options=rule_options,
                  per_file_ignores={k: [c.upper() for c in v] for k, v in conf.get("per-file-ignores", {}).items()})
    excludes = list(conf.get("exclude", DEFAULT_EXCLUDES)) + list(conf.get("extend-exclude", []))
    return Setup(ctx, chain, conf, excludes, catalogue, root, tuple(own))


def _config_packs(conf, config: str | None) -> list[str]:
    """The config's `packs`, relative to its folder (as its globs are)."""
    base = os.path.dirname(os.path.abspath(config)) if config else os.getcwd()
    return [os.path.normpath(os.path.join(base, p)) for p in conf.get("packs", [])]


def _rule_options(conf, pack, catalogue) -> dict:
    options = {}
    for code, values in conf.get("rules", {}).items():
        if code not in catalogue:
            raise ProjectError(f"{conf.path}: [rules.{code}]: unknown rule code")
        known = pack.rule_defaults(code)
        for key in values:
            if key not in known:
                hint = difflib.get_close_matches(key, known, n=1)
                raise ProjectError(f"{conf.path}: [rules.{code}]: unknown option {key!r}"
                                   + (f" (did you mean {hint[0]!r}?)" if hint else ""))
        _check_option_values(conf.path, code, values, pack)
        options[code] = dict(values)
    return options


def _check_option_values(config: str, code: str, values: dict, pack) -> None:
    """Option values go into fixes (an analyzer name into an AQL string): each is checked against
    the options schema of the primitive of the code's entries, as pack defaults are."""
    from themis_lint import primitives
    from themis_lint.schemas.validate import problems

    for change in (c for c in pack.changes if c.code == code):
        schema = primitives.get(change.primitive).options_schema
        found = problems(dict(values), dict(schema(change.data))) if schema else []
        if found:
            raise ProjectError(f"{config}: [rules.{code}]: {found[0].message}")
