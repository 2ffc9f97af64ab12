"""AQL verbs: deprecated and removed functions rewritten by a named transform (TH401, TH402)."""
from __future__ import annotations

from themis_lint.primitives.base import Parameter, Primitive
from themis_lint.primitives.schema_parts import ANALYZER, ATTRIBUTE
# each transform's rule options: pack defaults and `[tool.themis-lint.rules.CODE]` alike
TRANSFORM_OPTIONS = {
    "fulltext-to-search": {"analyzer": ANALYZER},
    "within-to-geo-distance": {"latitude": ATTRIBUTE, "longitude": ATTRIBUTE},
}


def options_schema(transform: str) -> dict:
    return {"type": "object", "properties": dict(TRANSFORM_OPTIONS.get(transform, {})),
            "additionalProperties": False}


REWRITE_AQL_FUNCTION = Primitive(
    verb="rewrite-aql-function",
    doc="An AQL function the target version deprecates or removes, in `.aql` files, query strings of "
        "client code and JSON `query` members; `transform` names the rewrite (an unsafe fix).",
    category="Queries", fix="unsafe",
    params=(Parameter("function", {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
                      "The function name (case-insensitive in queries).", True),
            Parameter("transform", {"enum": list(TRANSFORM_OPTIONS)}, "The rewrite: " + ", ".join(
                f"`{name}` (options: {', '.join(opts)})" for name, opts in TRANSFORM_OPTIONS.items()) + ".",
                True),
            Parameter("options", {"type": "object"}, "The transform's rule options and their defaults; "
                      "a project overrides them in `[tool.themis-lint.rules.CODE]`.")),
    messages={"fulltext-to-search": "`{function}()` is deprecated in {version}",
              "within-to-geo-distance": "`{function}()` is removed in {version}",
              "fix": "Rewrite the call"},
    trigger_fields=("function",), identity=("function",), fold_case=True,
    options_schema=lambda data: options_schema(data.get("transform", "")),
    constraints=tuple({"if": {"properties": {"transform": {"const": name}}, "required": ["transform"]},
                       "then": {"properties": {"options": options_schema(name)}}}
                      for name in TRANSFORM_OPTIONS),
)

PRIMITIVES = (REWRITE_AQL_FUNCTION,)
