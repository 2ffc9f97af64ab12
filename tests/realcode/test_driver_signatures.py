"""Issue 12 item 2: every `rename-index-helper` entry's declared signatures are the drivers' real
ones, so the pack's argument mapping cannot drift from the drivers.

The Python drivers come with the `[test]` extra (pinned to the versions the pack names); arangojs
6.14.1 (the last release with `createSkipList`) is installed into .ci/node by .ci/run, its `.d.ts`
declarations read with tree-sitter-typescript; without npm that test skips, saying so.
"""
from __future__ import annotations

import importlib
import inspect
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import pytest

from themis_lint.context import default_context
from themis_lint.packs import Param, parse_signature

NODE_DIR = Path(__file__).resolve().parents[2] / ".ci" / "node"
CHANGES = default_context().changes("rename-index-helper", enabled_only=False)
PYTHON = [c for c in CHANGES if c["language"] == "python"]
JS = [c for c in CHANGES if c["language"] in ("javascript", "typescript")]


def _declared(change, which: str) -> list[Param]:
    return parse_signature(change["signature"][which])


def _python_params(function) -> list[Param]:
    params = list(inspect.signature(function).parameters.values())[1:]  # after self
    return [Param(p.name, None if p.default is inspect.Parameter.empty else repr(p.default),
                  p.default is not inspect.Parameter.empty) for p in params]


def test_every_helper_rename_names_its_driver() -> None:
    assert {c["old"] for c in PYTHON} == {"add_skiplist_index", "ensureSkiplistIndex"}
    assert {c["old"] for c in JS} == {"createSkipList"}
    for change in CHANGES:
        assert set(change["driver"]) == {"package", "version", "module", "class"}, change.origin


@pytest.mark.parametrize("change", PYTHON, ids=lambda c: c["old"])
def test_python_driver_signatures_match_the_pack(change) -> None:
    driver = change["driver"]
    assert metadata.version(driver["package"]) == driver["version"], (
        f"{driver['package']} installed is not the version the pack's signatures were checked against")
    cls = getattr(importlib.import_module(driver["module"]), driver["class"])
    assert _python_params(getattr(cls, change["old"])) == _declared(change, "old")
    assert _python_params(getattr(cls, change["new"])) == _declared(change, "new")
    call = change.get("index-call")
    if call is not None:  # the unsafe fix's generic method exists in that driver too
        assert hasattr(cls, call["method"])
        assert [p.name for p in _python_params(getattr(cls, call["method"]))][:2] == ["data", "formatter"]


def _arangojs_declarations(version: str) -> Path:
    """collection.d.ts of arangojs `version` in .ci/node; installed here when .ci/run did not."""
    package = NODE_DIR / "node_modules" / "arangojs"
    if not (package / "package.json").exists() or f'"version": "{version}"' not in (
            package / "package.json").read_text():
        npm = shutil.which("npm")
        if not npm:
            pytest.skip("npm not installed: cannot read arangojs's type declarations")
        install = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR),
                                  f"arangojs@{version}"], capture_output=True, text=True, timeout=300, check=False)
        if install.returncode != 0:
            pytest.skip(f"arangojs@{version} could not be installed: {install.stderr.strip()[-300:]}")
    return package


def _ts_methods(source: bytes, class_name: str) -> dict[str, list[Param]]:
    """Method signatures of one declared class: name -> parameters (`x?` optional)."""
    import tree_sitter
    import tree_sitter_typescript

    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_typescript.language_typescript()))
    stack, methods = [parser.parse(source).root_node], {}
    while stack:
        node = stack.pop()
        stack += node.children
        name = node.child_by_field_name("name")
        if node.type not in ("class_declaration", "abstract_class_declaration") or name.text.decode() != class_name:
            continue
        for member in node.child_by_field_name("body").named_children:
            if member.type != "method_signature":
                continue
            params = member.child_by_field_name("parameters").named_children
            methods[member.child_by_field_name("name").text.decode()] = [
                Param(p.child_by_field_name("pattern").text.decode(), None, p.type == "optional_parameter")
                for p in params if p.type in ("required_parameter", "optional_parameter")]
    return methods


@pytest.mark.parametrize("change", JS, ids=lambda c: c["old"])
def test_arangojs_declarations_match_the_pack(change) -> None:
    driver = change["driver"]
    package = _arangojs_declarations(driver["version"])
    methods = _ts_methods((package / driver["module"]).read_bytes(), driver["class"])
    assert methods[change["old"]] == _declared(change, "old")
    assert methods[change["new"]] == _declared(change, "new")
