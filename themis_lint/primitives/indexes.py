"""Index verbs: deprecated index types, helper renames, report-only helpers and the calls that
take the type as an argument (TH301)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from themis_lint.primitives.base import Parameter, Primitive
from themis_lint.primitives.schema_parts import IDENTIFIER, INDEX_TYPE, LANGUAGE, LIBRARY, TEXT


@dataclass(frozen=True)
class Param:
    """One parameter of a driver helper's declared signature (`name`, `name=default`, `name?`)."""

    name: str
    default: str | None = None  # the default as written (`None`, `False`); None: required or `?`
    optional: bool = False


_PARAM_RE = re.compile(r"^([A-Za-z_$][A-Za-z0-9_$]*)(\?)?(?:=(.+))?$")
ARGUMENT_ACTIONS = ("block", "drop")


def parse_signature(text: str) -> list[Param]:
    """`"fields, unique=None, opts?"` -> its parameters; ValueError on anything else."""
    params = []
    for part in (p.strip() for p in str(text).split(",")):
        match = _PARAM_RE.match(part)
        if not match:
            raise ValueError(f"bad parameter {part!r} (expected name, name=default or name?)")
        name, question, default = match.groups()
        params.append(Param(name, default, bool(question) or default is not None))
    if len({p.name for p in params}) != len(params):
        raise ValueError("a parameter is declared twice")
    return params


def check_helper_rename(data: Mapping[str, Any]) -> str | None:
    """A rename must say what happens to every argument of the old helper (issue 12)."""
    signature = data["signature"]
    try:
        old, new = parse_signature(signature["old"]), parse_signature(signature["new"])
    except ValueError as exc:
        return f"signature: {exc}"
    arguments = data.get("arguments") or {}
    names = {p.name for p in new}
    for param in old:
        action = arguments.get(param.name)
        target = action.get("rename") if isinstance(action, dict) else None
        if action is None and param.name not in names:
            return (f"`{param.name}` is not a parameter of `{data['new']}`: "
                    "say in `arguments` whether it blocks the fix, is dropped or renamed")
        if action is not None and action not in ARGUMENT_ACTIONS and target not in names:
            return (f"arguments: `{param.name}`: expected block, drop or "
                    f"{{rename: <a parameter of {data['new']}>}}")
    return None


def check_type_argument(data: Mapping[str, Any]) -> str | None:
    """An index-type-argument entry says which argument carries the type."""
    if data.get("keyword") is None and data.get("position") is None and not data.get("dict-key"):
        return "index-type-argument needs `keyword`, `position` or `dict-key`"
    return None


SIGNATURE = {"type": "object", "properties": {"old": {"type": "string"}, "new": {"type": "string"}},
             "required": ["old", "new"], "additionalProperties": False}
ARGUMENTS = {"type": "object", "additionalProperties": {"anyOf": [
    {"enum": list(ARGUMENT_ACTIONS)},
    {"type": "object", "properties": {"rename": IDENTIFIER}, "required": ["rename"], "additionalProperties": False}]}}
# python keyword arguments with literal values: the text goes into the fix as written
EXTRA_ARGUMENTS = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*=(True|False|None|-?[0-9]+)"
                                                r"(, [A-Za-z_][A-Za-z0-9_]*=(True|False|None|-?[0-9]+))*$"}
INDEX_CALL = {"type": "object", "properties": {
    "method": IDENTIFIER, "type": INDEX_TYPE,
    "keys": {"type": "object", "propertyNames": IDENTIFIER, "additionalProperties": IDENTIFIER},
    "extra": EXTRA_ARGUMENTS, "since": TEXT}, "required": ["method"], "additionalProperties": False}
DRIVER = {"type": "object", "properties": {name: TEXT for name in ("package", "version", "module", "class")},
          "additionalProperties": False}
HELPER_MESSAGES = {
    "deprecated": "`{name}` is deprecated in ThemisDB {version}; use `{new}`{note}",
    "deprecated-call": "`{name}()` creates a skiplist index, deprecated in ThemisDB {version}; use `{new}()`",
    "report": "`{name}` is deprecated in ThemisDB {version}; {advice}",
    "report-call": "`{name}()` creates a skiplist index, deprecated in ThemisDB {version}; {advice}",
    "fix": "Rename to `{new}`",
}

REPLACE_INDEX_TYPE = Primitive(
    verb="replace-index-type",
    doc="An index type the target version deprecates: `type: <old>` beside `fields` in data files and "
        "object literals, and the type argument of the calls `index-type-argument` lists; the safe "
        "fix writes `new` inside the same quotes.",
    category="Indexes", fix="safe",
    params=(Parameter("old", INDEX_TYPE, "The deprecated type (`skiplist`).", True),
            Parameter("new", INDEX_TYPE, "The type to use (`persistent`).", True)),
    messages={"deprecated": "index type `{old}` is deprecated in ThemisDB {version}; use `{new}`",
              "fix": "Use index type `{new}`"},
    trigger_fields=("old",), identity=("old",),
)

RENAME_INDEX_HELPER = Primitive(
    verb="rename-index-helper",
    doc="A driver helper that creates a deprecated index, renamed to its twin; arguments are mapped "
        "by the two declared signatures, and one the new helper lacks blocks, is dropped or renamed.",
    category="Indexes", fix="safe",
    params=(Parameter("old", IDENTIFIER, "The helper's name (`add_skiplist_index`).", True),
            Parameter("new", IDENTIFIER, "Its replacement (`add_persistent_index`).", True),
            Parameter("language", LANGUAGE, "The client language whose calls are found.", True),
            Parameter("signature", SIGNATURE, "Both helpers' parameters after `self`: "
                      "`name`, `name=default` or `name?` (optional), comma-separated.", True),
            Parameter("arguments", ARGUMENTS, "For each old parameter the new helper lacks: `block` "
                      "(no safe fix), `drop` (it had no effect) or `{rename: <new parameter>}`."),
            Parameter("index-call", INDEX_CALL, "The unsafe fix when an argument blocks: one generic "
                      "call (`method`) with every argument as a key of the index body."),
            Parameter("driver", DRIVER, "The driver package, version, module and class the signatures "
                      "were read from (checked by a test).")),
    messages=HELPER_MESSAGES, trigger_fields=("old",), identity=("language", "old"),
    namespace="index-helper", check=check_helper_rename,
)

REPORT_INDEX_HELPER = Primitive(
    verb="report-index-helper",
    doc="A driver helper that creates a deprecated index and has no one-to-one replacement: "
        "reported with `advice`, never fixed.",
    category="Indexes", fix="none",
    params=(Parameter("name", IDENTIFIER, "The helper's name (`ensureSkiplist`).", True),
            Parameter("language", LANGUAGE, "The client language whose calls are found.", True),
            Parameter("advice", TEXT, "What to write instead.")),
    messages=HELPER_MESSAGES, trigger_fields=("name",), identity=("language", "name"),
    namespace="index-helper",
)

INDEX_TYPE_ARGUMENT = Primitive(
    verb="index-type-argument",
    doc="A call of an ORM or wrapper that takes the index type as an argument (`IndexSpec(index_type=...)`): "
        "where else `replace-index-type` values are found, in files that import `library`.",
    category="Indexes", fix="safe",
    params=(Parameter("call", IDENTIFIER, "The called name (`IndexSpec`, `ensureIndex`, `Index`).", True),
            Parameter("language", LANGUAGE, "The client language.", True),
            Parameter("library", LIBRARY, "The import that makes the call the library's.", True),
            Parameter("keyword", IDENTIFIER, "The keyword argument carrying the type."),
            Parameter("position", {"type": "integer", "minimum": 0}, "The 0-based position of that argument."),
            Parameter("dict-key", {"type": "boolean"}, "Plain dict specs with the `keyword` key count too."),
            Parameter("blocked-by", {"type": "array", "items": IDENTIFIER},
                      "Arguments that make the fix wrong: such specs are reported only."),
            Parameter("reason", TEXT, "Why those arguments block the fix, shown in the message.")),
    identity=("language", "library", "call"), check=check_type_argument,
    # the finding is the index type's: this entry only says where else the type is written
    reports_as="replace-index-type",
)

PRIMITIVES = (REPLACE_INDEX_TYPE, RENAME_INDEX_HELPER, REPORT_INDEX_HELPER, INDEX_TYPE_ARGUMENT)
