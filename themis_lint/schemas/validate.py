"""Validation against the generated schemas, with the loaders' one-line messages.

The jsonschema library judges; this module only words its verdicts as the rest of the tool does
(`new` must be ..., unknown key 'x' (did you mean 'y'?)) and says where (a path into the
document, which the loaders turn into `file:line`).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from themis_lint.primitives import schema_parts as parts

EXPECTED = {
    parts.CONFIG_KEY["pattern"]: "a dotted config key (letters, digits, `_` and `-` between dots)",
    parts.ENDPOINT["pattern"]: "an endpoint path (`/` then letters, digits and `_.~%/-`)",
    parts.IDENTIFIER["pattern"]: "an identifier",
    parts.INDEX_TYPE["pattern"]: "an index type name",
    parts.LIBRARY["pattern"]: "a module or package name",
    parts.TEXT["pattern"]: "one line of text (no control characters)",
    parts.CODE["pattern"]: "a rule code (capital letters then digits, such as ACME001)",
    parts.VERSION_PATTERN: "a version (MAJOR.MINOR or MAJOR.MINOR.PATCH)",
    parts.ANALYZER["pattern"]: "an analyzer name (`text_en`, `db::name`)",
    parts.ATTRIBUTE["pattern"]: "an attribute path (`latitude`, `geo.lat`)",
    r"^([A-Za-z][A-Za-z0-9]*|ALL)$": "a rule code or prefix (TH1, TH101, ALL)",
}
# what the whole document must be, by the schema's title (the messages the loaders always gave)
WHOLE = {"themis-lint rule pack": "a pack is a mapping with `from`, `to` and `changes`",
         "themis-lint project config": "[tool.themis-lint] must be a table"}
TYPES = {"array": "a list", "object": "a mapping", "string": "a string", "integer": "a whole number",
         "boolean": "true or false", "number": "a number", "null": "null"}


@dataclass(frozen=True)
class Problem:
    path: tuple  # keys and indexes into the document, down to what is wrong
    message: str


def problems(doc: Any, schema: dict) -> list[Problem]:
    """Every schema violation in `doc` (the caller orders them by line)."""
    from jsonschema import Draft202012Validator

    return [_problem(error, doc) for error in Draft202012Validator(schema).iter_errors(doc)]


def _problem(error, doc: Any) -> Problem:
    path = tuple(error.absolute_path)
    kind = error.validator
    if kind == "additionalProperties":
        extra = next(k for k in error.instance if k not in error.schema.get("properties", {}))
        return Problem((*path, extra), _unknown_key(path, extra, error.schema.get("properties", {}), doc))
    if "propertyNames" in error.schema_path:  # a key's own name: at the key's line
        return Problem((*path, error.instance), _wrong_value(path, error))
    if kind == "propertyNames":
        return Problem(path, f"{_name(path)}: bad name {error.instance!r}: expected "
                             + EXPECTED.get(error.validator_value.get("pattern"), "another name"))
    if kind == "required":
        missing = next(k for k in error.validator_value if k not in error.instance)
        return Problem(path, _missing(path, missing, doc))
    return Problem(path, _wrong_value(path, error))


def _verb(path: tuple, doc: Any) -> str | None:
    """The primitive of the change `path` is in, when it is one."""
    if len(path) >= 2 and path[0] == "changes" and isinstance(path[1], int):
        try:
            verb = doc["changes"][path[1]].get("primitive")
        except (AttributeError, IndexError, KeyError, TypeError):
            return None
        return verb if isinstance(verb, str) else None
    return None


def _name(path: tuple) -> str:
    names = [p for p in path if isinstance(p, str)]
    return f"`{names[-1]}`" if names else "the document"


def _unknown_key(path: tuple, extra: str, known: dict, doc: Any) -> str:
    if len(path) == 2 and path[0] == "rules" and extra in ("fix", "category"):
        return (f"`{extra}` is not declared: a code's fix safety and category come from the "
                "primitives of the changes that use it")
    hint = difflib.get_close_matches(str(extra), list(known), n=1)
    verb = _verb(path, doc) if len(path) == 2 else None
    prefix = f"{verb}: " if verb else ""
    return f"{prefix}unknown key {extra!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")


def _missing(path: tuple, missing: str, doc: Any) -> str:
    if not path:
        return f"missing `{missing}`"
    verb = _verb(path, doc)
    if len(path) == 2 and verb:
        return f"{verb} needs `{missing}`"
    if len(path) == 2 and path[0] == "changes":
        return "a change is a mapping with `primitive` and `code`"
    if len(path) == 2 and path[0] == "rules":
        return f"rule {path[1]} needs `{missing}`"
    return f"{_name(path)} needs `{missing}`"


def _wrong_value(path: tuple, error) -> str:
    kind, value, instance = error.validator, error.validator_value, error.instance
    name = _name(path)
    if path and path[-1] == "primitive" and kind == "enum":
        hint = difflib.get_close_matches(str(instance), value, n=1)
        return f"unknown primitive {instance!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
    if kind == "type" and not path and error.schema.get("title") in WHOLE:
        return WHOLE[error.schema["title"]]
    if kind == "type" and path and isinstance(path[-1], int):
        if len(path) == 2 and path[0] == "changes":
            return "a change is a mapping with `primitive` and `code`"
        return f"{name} must be a list of {_plural(value)}"
    if kind == "type":
        items = error.schema.get("items", {}).get("type") if value == "array" else None
        return f"{name} must be {_types(value)}" + (f" of {_plural(items)}" if items else "")
    if kind == "enum":
        return f"{name} must be one of {', '.join(map(str, value))}, not {instance!r}"
    if kind == "pattern":
        return f"{name}: {instance!r} is not {EXPECTED.get(value, 'valid here')}"
    if kind == "anyOf":
        return f"{name}: {instance!r} is not {' or '.join(_expected(s) for s in value)}"
    if kind == "minimum":
        return f"{name} must be {value} or more"
    return f"{name}: {error.message}"


def _types(value) -> str:
    return " or ".join(TYPES.get(t, t) for t in ([value] if isinstance(value, str) else value))


def _plural(value) -> str:
    return {"string": "strings", "object": "mappings"}.get(value, _types(value))


def _expected(schema: dict) -> str:
    if "pattern" in schema:
        return EXPECTED.get(schema["pattern"], "valid")
    return _types(schema.get("type", "value"))
