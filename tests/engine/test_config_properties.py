"""Properties of config fixes on generated files: idempotent, clean afterwards, still parsing."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from themis_lint.analyzers import server_config
from themis_lint.context import default_context
from themis_lint.pipeline import Options, check_source
from themis_lint.model import Safety

KEYS = ["storage.journalSize", "cache.maxSize", "server.maximalQueueSize", "server.requireAuthentication",
        "storage.rocksdb.walSize", "cache.size", "server.maxQueueSize", "server.endpoint", "storage.directory",
        "storage.rocksdb.compression", "server.statisticsEnabled", "query.spillToDisk", "log.level"]
VALUES = st.sampled_from(["32MB", "1GB", "true", "4096", "'quoted'", '"dq"', "tcp://0.0.0.0:8529"])
CTX = default_context()


def _nest(pairs: dict) -> dict:
    tree: dict = {}
    for key, value in pairs.items():
        node = tree
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


def _yaml_nested(tree: dict, indent: int, step: int, comments: bool) -> list[str]:
    lines = []
    for key, value in tree.items():
        pad = " " * indent
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            lines += _yaml_nested(value, indent + step, step, comments)
        else:
            lines.append(f"{pad}{key}: {value}" + ("  # note" if comments else ""))
    return lines


@st.composite
def configs(draw):
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=8, unique=True))
    pairs = {k: draw(VALUES) for k in keys}
    style = draw(st.sampled_from(["flat", "nested", "json-flat", "json-nested"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    comments = draw(st.booleans())
    if style == "flat":
        lines = [f"{k}: {v}" + ("   # c" if comments else "") for k, v in pairs.items()]
        name = "themisdb.conf"
    elif style == "nested":
        lines = _yaml_nested(_nest(pairs), 0, draw(st.sampled_from([2, 4])), comments)
        name = "themisdb.yaml"
    else:
        data = {k: v.strip("'\"") for k, v in pairs.items()}
        data = _nest(data) if style == "json-nested" else data
        lines = json.dumps(data, indent=draw(st.sampled_from([2, 4]))).split("\n")
        name = "themisdb.json"
    if comments and not style.startswith("json"):
        lines.insert(0, "# ThemisDB config")
    return name, newline.join(lines) + newline


@settings(max_examples=150, deadline=None)
@given(configs())
def test_fixing_twice_equals_fixing_once_and_leaves_nothing_fixable(case) -> None:
    name, text = case
    once = check_source(text, name, CTX, Options(fix=Safety.UNSAFE))
    assert not once.errors, once.errors
    fixed = once.fixed if once.fixed is not None else text
    assert server_config.parse_error(fixed, name) is None
    again = check_source(fixed, name, CTX, Options(fix=Safety.UNSAFE))
    assert again.fixed is None
    assert not [f for f in again.findings if f.fix is not None]
    if "\r\n" in text:
        assert "\n" not in fixed.replace("\r\n", "")
