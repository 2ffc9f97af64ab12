"""HTTP endpoint verbs: deprecated and removed paths (TH201, TH202)."""
from __future__ import annotations

from themis_lint.primitives.base import Parameter, Primitive
from themis_lint.primitives.schema_parts import ENDPOINT, TEXT

# descriptions name no real endpoint: a copy of the pack schema lives in client trees, whose every
# string is searched for endpoint paths
METHOD = {"enum": ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]}
MESSAGES = {
    "deprecated": "`{path}` is deprecated; use `{new}`{method}",
    "removed": "`{path}` is removed; use `{new}`{advice}",
    "removed-no-replacement": "`{path}` is removed with no replacement; {advice}",
    "fix": "Replace with `{new}`",
}

DEPRECATE_ENDPOINT = Primitive(
    verb="deprecate-endpoint",
    doc="An endpoint path that still works but is deprecated; found in every string of every surface "
        "at segment boundaries; the safe fix writes `new` in its place.",
    category="API", fix="safe",
    params=(Parameter("path", ENDPOINT, "The deprecated path, from its first `/` (no host, no query).", True),
            Parameter("new", ENDPOINT, "The path to use instead.", True),
            Parameter("method", METHOD, "The HTTP method the new path takes, named in the message.")),
    messages=MESSAGES, trigger_fields=("path",), identity=("path",), namespace="endpoint",
)

REMOVE_ENDPOINT = Primitive(
    verb="remove-endpoint",
    doc="An endpoint path the target version removed; with `new` the fix (unsafe: responses differ) "
        "writes it in its place, with `new: null` it is reported only, with `advice`.",
    category="API", fix="unsafe",
    params=(Parameter("path", ENDPOINT, "The removed path, from its first `/` (no host, no query).", True),
            Parameter("new", {"anyOf": [ENDPOINT, {"type": "null"}]},
                      "The path to use instead, or null when there is none.", True),
            Parameter("advice", TEXT, "What to do instead or check, shown in the message.")),
    messages=MESSAGES, trigger_fields=("path",), identity=("path",), namespace="endpoint",
    fix_of=lambda data: "unsafe" if data.get("new") else "none",
)

PRIMITIVES = (DEPRECATE_ENDPOINT, REMOVE_ENDPOINT)
