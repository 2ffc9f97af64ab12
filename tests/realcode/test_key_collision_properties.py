"""Issue 12 item 1 as a property: in generated mappings where a rename's target key already
exists (JSON, YAML, JS, Python), no fix ever yields a duplicate key, under `--fix` and under
`--fix --unsafe-fixes`; the colliding key keeps its finding and its text.

Duplicates are counted here by readers independent of the surfaces: json's object_pairs_hook,
ruamel's constructor (which rejects duplicate keys), `ast` values, and the JS object literals'
keys as tree-sitter shows them.
"""
from __future__ import annotations

import ast
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError

from themis_lint.context import default_context
from themis_lint.model import Safety
from themis_lint.pipeline import Options, check_source

RENAMES = [("/_api/collection/create", "/_api/collection"), ("/_admin/log", "/_admin/log/entries")]
PREFIXES = ["", "http://db:8529", "/_db/app", "https://h"]
SUFFIXES = ["", "?upto=3", "#x"]
OTHERS = ["/_api/version", "name", "/_admin/log/level", "/_api/collection/create/x", "get"]
CTX = default_context()
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mappings(draw) -> tuple[list[str], str]:
    """Keys of one mapping, in order, holding a renamable key whose renamed form is present too;
    and that taken key."""
    old, new = draw(st.sampled_from(RENAMES))
    prefix, suffix = draw(st.sampled_from(PREFIXES)), draw(st.sampled_from(SUFFIXES))
    taken = prefix + new + suffix
    extra_old, extra_new = draw(st.sampled_from(RENAMES))  # more renamable keys, maybe free
    fillers = draw(st.lists(st.sampled_from(OTHERS + [extra_old, extra_new + "/z"]), max_size=4, unique=True))
    keys = [prefix + old + suffix, taken, *fillers]
    keys = list(dict.fromkeys(draw(st.permutations(keys))))
    return keys, taken


def _fixed(text: str, path: str, level: Safety) -> str:
    """The fixed text; the finding of the colliding key stays, without a fix, saying why."""
    result = check_source(text, path, CTX, Options(fix=level))
    assert not result.errors, result.errors
    assert any(f.fix is None and "(no fix: " in f.message for f in result.findings)
    return text if result.fixed is None else result.fixed


# ---- JSON -----------------------------------------------------------------------------

def _json_duplicates(text: str) -> list[str]:
    dupes: list[str] = []

    def hook(pairs):
        keys = [k for k, _ in pairs]
        dupes.extend(k for k in set(keys) if keys.count(k) > 1)
        return dict(pairs)

    json.loads(text, object_pairs_hook=hook)
    return dupes


@SETTINGS
@given(mappings(), st.sampled_from([None, 2]), st.booleans())
def test_json_never_gains_a_duplicate_key(mapping, indent, nested) -> None:
    keys, taken = mapping
    body = {k: {"get": {}} for k in keys}
    text = json.dumps({"paths": body} if nested else body, indent=indent) + "\n"
    for level in (Safety.SAFE, Safety.UNSAFE):
        out = _fixed(text, "docs/swagger.json", level)
        assert _json_duplicates(out) == []
        assert json.dumps(taken) in out


# ---- YAML -----------------------------------------------------------------------------

def _yaml_key(key: str, style: str) -> str:
    if style == "plain" and not key.startswith(("/_db", "#")) and "#" not in key:
        return key
    return json.dumps(key) if style == "double" else "'" + key + "'"


@SETTINGS
@given(mappings(), st.sampled_from(["plain", "double", "single"]), st.booleans())
def test_yaml_never_gains_a_duplicate_key(mapping, style, flow) -> None:
    keys, taken = mapping
    if flow:
        text = "paths: {" + ", ".join(f"{_yaml_key(k, style)}: 1" for k in keys) + "}\n"
    else:
        text = "paths:\n" + "".join(f"  {_yaml_key(k, style)}: {{get: {{}}}}\n" for k in keys)
    for level in (Safety.SAFE, Safety.UNSAFE):
        out = _fixed(text, "docs/openapi.yaml", level)
        try:
            YAML(typ="safe", pure=True).load(out)
        except DuplicateKeyError as exc:  # pragma: no cover - the property failing
            raise AssertionError(f"duplicate key after the fix:\n{out}") from exc
        assert _yaml_key(taken, style) in out


# ---- JavaScript -----------------------------------------------------------------------

def _js_key(key: str, style: str) -> str:
    if style == "computed":
        return "[`" + key + "`]"
    return json.dumps(key) if style == "double" else "'" + key + "'"


def _js_duplicates(text: str) -> list[str]:
    import tree_sitter
    import tree_sitter_javascript

    tree = tree_sitter.Parser(tree_sitter.Language(tree_sitter_javascript.language())).parse(text.encode())
    assert not tree.root_node.has_error
    seen, dupes, stack = [], [], [tree.root_node]
    while stack:
        node = stack.pop()
        stack += node.children
        if node.type != "pair":
            continue
        key = node.child_by_field_name("key")
        raw = key.text.decode()
        value = raw[2:-2] if raw.startswith("[`") else raw[1:-1]
        (dupes if value in seen else seen).append(value)
    return dupes


@SETTINGS
@given(mappings(), st.lists(st.sampled_from(["double", "single", "computed"]), min_size=8, max_size=8))
def test_js_never_gains_a_duplicate_key(mapping, styles) -> None:
    keys, taken = mapping
    text = "export const routes = {" + ", ".join(f"{_js_key(k, s)}: {i}" for i, (k, s) in
                                              enumerate(zip(keys, styles))) + "};\n"
    for level in (Safety.SAFE, Safety.UNSAFE):
        out = _fixed(text, "src/routes.js", level)
        assert _js_duplicates(out) == []
        assert _js_key(taken, styles[keys.index(taken)]) in out


# ---- Python ---------------------------------------------------------------------------

@SETTINGS
@given(mappings(), st.lists(st.sampled_from(['"', "'", "split"]), min_size=8, max_size=8))
def test_python_never_gains_a_duplicate_key(mapping, quotes) -> None:
    keys, taken = mapping

    def literal(key: str, quote: str) -> str:
        if quote == "split":  # implicit concatenation: one key in two pieces
            return f"'{key}' \"\""
        return f"{quote}{key}{quote}"

    text = "HANDLERS = {" + ", ".join(f"{literal(k, q)}: h{i}" for i, (k, q) in
                                      enumerate(zip(keys, quotes))) + "}\n"
    for level in (Safety.SAFE, Safety.UNSAFE):
        out = _fixed(text, "app/routes.py", level)
        node = ast.parse(out).body[0].value
        values = [k.value for k in node.keys]
        assert len(values) == len(set(values)), out
        assert taken in values
