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


def _split(values) -> list[str]:
    return [v.strip().upper() for value in values or () for v in value.split(",") if v.strip()]


def resolve_selection(catalogue: dict, select: list[str] | None, extend: list[str], ignore: list[str]) -> frozenset:
    """Codes enabled: a selection (default: every rule on by default) plus extensions minus ignores."""
    for code in [*(select or []), *extend, *ignore]:
        if code != "ALL" and not any(c.startswith(code) for c in catalogue):
            hint = difflib.get_close_matches(code, catalogue, n=1)
            raise ProjectError(f"unknown rule code {code!r}" + (f" (did you mean {hint[0]}?)" if hint else ""))

    def matching(prefixes):
        return {c for c in catalogue if any(p == "ALL" or c.startswith(p) for p in prefixes)}

    base = matching(select) if select else {c for c, r in catalogue.items() if r.default}
    return frozenset((base | matching(extend)) - matching(ignore))


def load_setup(from_version, to_version, select, extend_select, ignore, config_path, pack_paths) -> Setup:
    from pathlib import Path

    from themis_lint import packs, settings
    from themis_lint.context import Context
    from themis_lint.discovery import DEFAULT_EXCLUDES

    try:
        conf = settings.load(config_path or settings.find_config(os.getcwd()))
        catalogue = packs.load_catalogue()
        available = packs.available_packs(catalogue, [Path(p) for p in pack_paths])
        frm = from_version or conf.get("from")
        to = to_version or conf.get("to")
        chain = packs.resolve_chain(available, frm, to)
    except (settings.SettingsError, packs.PackError) as exc:
        raise ProjectError(str(exc)) from exc
    pack = packs.merge(chain, frm, to)
    selected = resolve_selection(catalogue, _split(select) or [c.upper() for c in conf.get("select", [])] or None,
                                 _split(extend_select) + [c.upper() for c in conf.get("extend-select", [])],
                                 _split(ignore) + [c.upper() for c in conf.get("ignore", [])])
    rule_options = _rule_options(conf, pack, catalogue)
    ctx = Context(pack=pack, catalogue=catalogue, selected=selected,
                  config_files=list(conf.get("config-files", pack.config_files)),
                  overlay_files=list(conf.get("overlay-files", [])),
                  query_functions=list(conf.get("query-functions", pack.query_functions)),
                  known_keys=list(conf.get("known-keys", [])), rule_options=rule_options,
                  per_file_ignores={k: [c.upper() for c in v] for k, v in conf.get("per-file-ignores", {}).items()})
    excludes = list(conf.get("exclude", DEFAULT_EXCLUDES)) + list(conf.get("extend-exclude", []))
    return Setup(ctx, chain, conf, excludes, catalogue)


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
        options[code] = dict(values)
    return options
