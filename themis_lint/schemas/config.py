"""The project config's keys: their JSON Schema and what each does (settings.py validates with it)."""
from __future__ import annotations

from themis_lint.primitives import schema_parts as parts

VERSION = {"type": "string", "pattern": parts.VERSION_PATTERN}
CODES = {"type": "array", "items": {"type": "string", "pattern": r"^([A-Za-z][A-Za-z0-9]*|ALL)$"}}
GLOBS = {"type": "array", "items": {"type": "string"}}
KEYS = {
    "from": (VERSION, "The ThemisDB version upgraded from (`--from`)."),
    "to": (VERSION, "The version upgraded to (`--to`)."),
    "select": (CODES, "Codes or prefixes to check instead of the default set."),
    "extend-select": (CODES, "Codes or prefixes added to the selection (TH104, a pack's off-by-default codes)."),
    "ignore": (CODES, "Codes or prefixes not to check."),
    "exclude": (GLOBS, "Paths not checked (gitignore globs); replaces the default excludes."),
    "extend-exclude": (GLOBS, "Paths not checked, besides the default excludes."),
    "per-file-ignores": ({"type": "object", "additionalProperties": CODES},
                         "A glob -> the codes (or prefixes) not reported in matching files."),
    "config-files": (GLOBS, "Globs of server config files (replaces the pack's list)."),
    "overlay-files": (GLOBS, "Config files that are partial overlays: no TH102 required keys."),
    "query-functions": ({"type": "array", "items": {"type": "string"}},
                        "Calls whose first argument is AQL (replaces the pack's list)."),
    "known-keys": ({"type": "array", "items": {"type": "string"}}, "More config keys TH104 accepts."),
    "packs": ({"type": "array", "items": {"type": "string", "minLength": 1}},
              "Pack files added to the bundled packs, as `--pack` adds them (paths relative to this config); "
              "the language server and hooks use them too."),
    "rules": ({"type": "object", "propertyNames": {"pattern": r"^[A-Za-z][A-Za-z0-9]*[0-9]$"},
               "additionalProperties": {"type": "object",
                                        "additionalProperties": {"type": ["string", "number", "boolean"]}}},
              "Rule options, one table per code: [tool.themis-lint.rules.TH401] analyzer = \"text_de\"."),
}
SCHEMA = {
    "type": "object",
    "properties": {key: {**schema, "description": doc} for key, (schema, doc) in KEYS.items()},
    "additionalProperties": False,
}
