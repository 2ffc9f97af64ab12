"""The JSON Schemas of a rule pack and of the project config.

Generated: the pack schema from the primitives (themis_lint.primitives), the config schema from
the settings table (schemas/config.py). The same dicts are shipped as files beside this module
for editors (`# yaml-language-server: $schema=...`), printed by `themis-lint schema`, and are what
the loaders validate with (the jsonschema library; a test keeps the files equal to the code).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from themis_lint import primitives
from themis_lint.primitives import schema_parts as parts

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_URI = "https://raw.githubusercontent.com/themis-lint/themis-lint/main/themis_lint/schemas/"
SLUG = {"type": "string", "pattern": r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"}
URL = {"type": "string", "pattern": r"^https?://[^\s]+$"}
RULE = {
    "type": "object",
    "description": "A code of this pack's own. Its fix safety and category come from the primitives "
                   "of the entries that use it.",
    "properties": {
        "slug": {**SLUG, "description": "A kebab-case noun that reads after \"ignore\" (`acme-legacy-endpoint`)."},
        "severity": {"enum": ["error", "warning", "info"], "description": "error: breaks on the target "
                     "version; warning: deprecated; info: worth a look."},
        "summary": {**parts.TEXT, "description": "One line: what the rule finds."},
        "docs": {"type": "string", "description": "The rule's page (Markdown), printed by `themis-lint rule CODE`."},
        "url": {**URL, "description": "Where the rule is documented on the web (SARIF helpUri, JSON url)."},
        "default": {"type": "boolean", "description": "false: off unless selected."},
    },
    "required": ["slug", "severity", "summary"],
    "additionalProperties": False,
}
PACK_LISTS = {
    "server-commands": "Programs that run the ThemisDB server: their `--flags` are config keys.",
    "server-images": "Container image names (last path part) that run the server.",
    "query-functions": "Calls whose first argument is an AQL query (`db.aql.execute`).",
    "config-files": "Globs of server config file names.",
}


def schema_path(name: str) -> Path:
    """The shipped file of `pack` or `config`."""
    return Path(__file__).resolve().parent / f"{name}.schema.json"


def pack_schema() -> dict:
    verbs = primitives.by_verb()
    change = {
        "type": "object",
        "description": "One change: a primitive (verb), the code it reports under and its parameters.",
        "properties": {"primitive": {"enum": list(verbs), "description": "The verb."},
                       "code": {**parts.CODE, "description": "A built-in code (TH101...) or one this pack declares under `rules`."}},
        "required": ["primitive", "code"],
        "allOf": [{"if": {"properties": {"primitive": {"const": verb}}, "required": ["primitive"]},
                   "then": {"$ref": f"#/$defs/{verb}"}} for verb in verbs],
    }
    properties: dict[str, Any] = {
        "pack": {**parts.TEXT, "description": "The pack's name (default: the file name)."},
        "from": {**parts.VERSION, "description": "The version upgraded from (MAJOR.MINOR)."},
        "to": {**parts.VERSION, "description": "The version upgraded to (MAJOR.MINOR)."},
        **{key: {**parts.STRINGS, "description": doc} for key, doc in PACK_LISTS.items()},
        "rules": {"type": "object", "description": "Codes this pack declares (not TH...).",
                  "propertyNames": parts.CODE, "additionalProperties": RULE},
        "changes": {"type": "array", "items": {"$ref": "#/$defs/change"}, "description": "The changes."},
        "manual-review": {"type": "array", "description": "Changes no static check can see: the "
                          "compatibility report's manual-review list.",
                          "items": {"type": "object", "properties": {
                              "category": {"enum": list(primitives.CATEGORIES)}, "text": parts.TEXT},
                              "required": ["text"], "additionalProperties": False}},
    }
    defs = {"change": change, **{verb: p.entry_schema(change["properties"]["code"]) for verb, p in verbs.items()}}
    return {"$schema": DRAFT, "$id": BASE_URI + "pack.schema.json", "title": "themis-lint rule pack",
            "description": "A version pair's changes (rules/themisdb-1.3-to-1.4.yaml), or a company's own.",
            "type": "object", "properties": properties, "required": ["from", "to", "changes"],
            "additionalProperties": False, "$defs": defs}


def config_schema() -> dict:
    from themis_lint.schemas import config

    # .themis-lint.toml may hold the keys at its top level or in a [tool.themis-lint] table: an
    # editor validating that file with this schema must accept both (the loader does)
    table = {"type": "object", "properties": {"themis-lint": {"$ref": "#/$defs/settings"}},
             "additionalProperties": False,
             "description": "Only in .themis-lint.toml: the keys in a [tool.themis-lint] table, as in pyproject.toml."}
    return {"$schema": DRAFT, "$id": BASE_URI + "config.schema.json",
            "title": "themis-lint project config",
            "description": "`[tool.themis-lint]` in pyproject.toml, or .themis-lint.toml (top level or that table).",
            **config.SCHEMA, "properties": {**config.SCHEMA["properties"], "tool": table},
            "$defs": {"settings": config.SCHEMA}}


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _marker(kind: str, data: Any) -> str:
    import hashlib

    from themis_lint import __version__

    schema = render(pack_schema() if kind == "pack" else config_schema())
    body = json.dumps(data, sort_keys=True, default=str)
    key = hashlib.sha256("\0".join((__version__, schema, body)).encode()).hexdigest()
    return f"valid-{kind}-{key}"


def seen_valid(kind: str, data: Any) -> bool:
    """Did this very data pass this schema before? (The jsonschema import costs a third of a
    one-file hook run; a project config rarely changes.) A marker skips validation, so only one
    of ours in the private cache folder counts (userdirs, issue 18 item 11)."""
    import os

    from themis_lint import userdirs

    try:
        folder = userdirs.open_private_folder(userdirs.cache_folder())
    except userdirs.UntrustedFolder:
        return False
    try:
        return userdirs.read_private(folder, _marker(kind, data), 0) is not None
    finally:
        os.close(folder)


def remember_valid(kind: str, data: Any) -> None:
    import os

    from themis_lint import userdirs

    try:
        folder = userdirs.open_private_folder(userdirs.cache_folder())
    except userdirs.UntrustedFolder:
        return  # no cache: the next run validates again
    try:
        userdirs.write_private(folder, _marker(kind, data), b"")
    except OSError:
        pass  # no cache: the next run validates again
    finally:
        os.close(folder)
