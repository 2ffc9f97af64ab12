"""JSON Schema fragments the verbs share: what a config key, an endpoint path or a line of advice
may hold. Values go into fixes and one-line messages, so each pattern admits only what its
place can carry (issue 18 item 26: a value with a quote or a line break must not reach a file)."""
from __future__ import annotations

VERSION_PATTERN = r"^\d+\.\d+(\.\d+)?$"
# YAML reads an unquoted 1.4 as a number; the loader reads it back as "1.4"
VERSION = {"anyOf": [{"type": "string", "pattern": VERSION_PATTERN}, {"type": "number"}]}
OPTIONAL_VERSION = {"anyOf": [*VERSION["anyOf"], {"type": "null"}]}
VERSION_PROPERTIES = {
    "deprecated-in": {**OPTIONAL_VERSION, "description": "The version that deprecated it (null: not deprecated)."},
    "removed-in": {**OPTIONAL_VERSION, "description": "The version that removed it (null: not removed)."},
    "replacement-since": {**OPTIONAL_VERSION, "description": "The first version that has the replacement: "
                          "`--keep-compatible-with` applies the fix only from there."},
}
CONFIG_KEY = {"type": "string", "pattern": r"^[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_][A-Za-z0-9_-]*)*$"}
ENDPOINT = {"type": "string", "pattern": r"^/[A-Za-z0-9_.~%/-]*$"}
IDENTIFIER = {"type": "string", "pattern": r"^[A-Za-z_$][A-Za-z0-9_$]*$"}
INDEX_TYPE = {"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9_-]*$"}
LIBRARY = {"type": "string", "pattern": r"^@?[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$"}
LANGUAGE = {"enum": ["python", "javascript"]}
# one line of prose for a message: no control characters, so outputs stay one line per finding
TEXT = {"type": "string", "pattern": r"^[^\x00-\x1f\x7f]*$"}
STRINGS = {"type": "array", "items": {"type": "string", "pattern": r"^[^\x00-\x1f\x7f]*$"}}
CODE = {"type": "string", "pattern": r"^[A-Z][A-Z0-9]*[0-9]$"}
# ArangoDB analyzer names, optionally database-qualified (`db::name`); written into an AQL string
ANALYZER = {"type": "string", "pattern": r"^([A-Za-z0-9_-]+::)?[A-Za-z][A-Za-z0-9_-]*$"}
# document attribute paths written after `doc.` in a rewrite
ATTRIBUTE = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$"}
