"""The classes of the pack verbs: a Primitive and its Parameters (the registry is the package)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from typing import Any

from themis_lint.primitives.schema_parts import VERSION_PROPERTIES

FIX_ORDER = ("none", "unsafe", "safe")  # the best fix a code gets is the highest of its entries'
CATEGORIES = ("Configuration", "API", "Indexes", "Queries")  # the compatibility report's lines


@dataclass(frozen=True)
class Parameter:
    """One key of a pack entry: its JSON Schema, whether the entry must have it, what it means."""

    name: str
    schema: Mapping[str, Any]
    doc: str
    required: bool = False


@dataclass(frozen=True)
class Primitive:
    """One pack verb."""

    verb: str
    doc: str
    category: str
    fix: str  # the default (best) fix safety of its findings: safe, unsafe or none
    params: tuple[Parameter, ...]
    messages: Mapping[str, str] = field(default_factory=dict)  # name -> str.format template
    # the literals a file must hold before a finder can match this entry (lower-cased by users)
    trigger_fields: tuple[str, ...] = ()
    # what an entry is about: two entries of one step about the same thing must say the same
    # (`namespace` lets two verbs clash: renaming a config key and removing it)
    identity: tuple[str, ...] = ()
    namespace: str = ""
    fold_case: bool = False  # identity values compare case-insensitively (AQL function names)
    constraints: tuple[Mapping[str, Any], ...] = ()  # JSON Schema over the whole entry (if/then)
    check: Callable[[Mapping[str, Any]], str | None] | None = None  # what a schema cannot say
    # the JSON Schema of an entry's rule options (pack defaults and project config alike)
    options_schema: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None
    fix_of: Callable[[Mapping[str, Any]], str] | None = None  # per entry, when it differs
    # None: findings carry the entry's own code; a verb: the code of that verb's entries (the
    # entry only says where else to look); a code: always that code (one rule over all entries)
    reports_as: str | None = None

    def message(self, template: str, /, **fields: Any) -> str:
        """The `template` message filled in (fields may be called anything, `name` too)."""
        return self.messages[template].format(**fields)

    def trigger_literals(self, data: Mapping[str, Any]) -> list[str]:
        """Lower-case literals one of which a file must contain for this entry to match."""
        out = []
        for name in self.trigger_fields:
            value = data.get(name)
            if isinstance(value, str) and value:
                out.append(value.rsplit(".", 1)[-1].lower() if self.namespace == "config-key" else value.lower())
        return out

    def fix_for(self, data: Mapping[str, Any]) -> str:
        return self.fix_of(data) if self.fix_of is not None else self.fix

    def key(self, data: Mapping[str, Any]) -> tuple:
        """What the entry is about, for conflicts between packs of one step; () = adds up."""
        if not self.identity:
            return ()
        values = (data.get(name) for name in self.identity)
        return (self.namespace or self.verb,
                *(v.upper() if self.fold_case and isinstance(v, str) else v for v in values))

    def entry_schema(self, codes: Mapping[str, Any]) -> dict:
        """The JSON Schema of one entry of this verb (`codes`: the schema of the `code` key)."""
        properties = {"primitive": {"const": self.verb, "description": self.doc},
                      "code": codes, **VERSION_PROPERTIES}
        properties.update({p.name: {**p.schema, "description": p.doc} for p in self.params})
        required = ["primitive", "code", *(p.name for p in self.params if p.required)]
        schema = {"type": "object", "description": self.doc, "properties": properties,
                  "required": required, "additionalProperties": False}
        if self.constraints:
            schema["allOf"] = [dict(c) for c in self.constraints]
        return schema


def best_fix(levels) -> str:
    """The best of several fix safeties (a code's `fix` from its entries')."""
    return max(levels, key=FIX_ORDER.index, default="none")
