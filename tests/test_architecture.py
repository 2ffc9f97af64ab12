"""docs/ARCHITECTURE.md as a test: the import arrows that are never allowed, and no import circles.

Imports are read with `ast` from the source (top-level and inside functions alike: a lazy import
is still an arrow); imports under `if TYPE_CHECKING:` are type-only and do not count.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# the installed package name of each source folder (pyproject's package-dir mapping)
FOLDERS = {"themis_lint": "themis_lint", "analyzers": "themis_lint.analyzers", "edits": "themis_lint.edits",
           "rules": "themis_lint.rules"}


def modules() -> dict[str, Path]:
    found = {}
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


def _type_checking_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports at run time."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if _type_checking_block(node):
            stack += node.orelse
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names}
        stack += list(ast.iter_child_nodes(node))
    return {m for m in out if m in known and m != name}


def graph(found: dict[str, Path] | None = None) -> dict[str, set[str]]:
    found = found or modules()
    return {name: imports_of(name, path, set(found)) for name, path in found.items()}


def part_of(module: str) -> str:
    """The part a module belongs to (docs/ARCHITECTURE.md "The parts")."""
    parts = module.split(".")
    if module in ("themis_lint.cli", "themis_lint.__main__"):
        return "cli"
    if len(parts) > 2 and parts[1] in ("parse", "report", "migrate", "analyzers", "edits", "rules", "lsp"):
        return parts[1]
    if module in ("themis_lint.model", "themis_lint.text"):
        return "model"
    if module == "themis_lint.checking":
        return "checking"
    if module in ("themis_lint.parse", "themis_lint.report", "themis_lint.migrate", "themis_lint.analyzers",
                  "themis_lint.edits", "themis_lint.rules", "themis_lint.lsp"):
        return parts[1]
    return "engine"


# (from part, to part): never allowed, with the reason docs/ARCHITECTURE.md gives
NEVER = {
    ("model", "*"): "the values everything shares depend on nothing",
    ("parse", "analyzers"): "shared parsers know no rule",
    ("parse", "edits"): "shared parsers know no rule",
    ("parse", "engine"): "shared parsers know no rule",
    ("edits", "analyzers"): "edits build text; finders call them, never the reverse",
    ("edits", "engine"): "edits build text from values they are given",
    ("analyzers", "checking"): "finders return values; they never drive a run",
    ("engine", "checking"): "the engine never depends on a command's run",
    ("engine", "report"): "the engine produces findings; reports render them",
    ("engine", "migrate"): "the engine serves migrate, never the reverse",
    ("engine", "lsp"): "the engine serves the language server, never the reverse",
    ("report", "migrate"): "reports render values they are given",
    ("report", "checking"): "reports render values they are given",
    ("*", "cli"): "the command line is the outermost layer: nothing imports it",
}
# the few modules of the engine part that finders may use: the registry of what a pack holds
ANALYZER_ENGINE_OK = {"themis_lint", "themis_lint.context", "themis_lint.packs", "themis_lint.globs"}


def violations(found: dict[str, Path] | None = None) -> list[str]:
    out = []
    for module, targets in graph(found).items():
        src = part_of(module)
        for target in sorted(targets):
            dst = part_of(target)
            if src == dst or (src == "cli"):
                continue
            if src == "analyzers" and dst == "engine" and target not in ANALYZER_ENGINE_OK:
                out.append(f"{module} -> {target}: finders use only context, packs and globs of the engine")
            for (a, b), why in NEVER.items():
                if (a in (src, "*")) and (b in (dst, "*")) and not (a == "model" and dst == "model"):
                    if a == "*" and module == "themis_lint.__main__":
                        continue
                    out.append(f"{module} -> {target}: {why}")
    return out


def cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    g = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on: set[str] = set()
    stack: list[str] = []
    found = []
    counter = 0
    for root in g:
        if root in index:
            continue
        work = [(root, iter(sorted(g[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(g[child]))))
                elif child in on:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_modules_are_found() -> None:
    found = modules()
    assert "themis_lint.pipeline" in found and "themis_lint.analyzers.aql" in found
    assert "themis_lint.edits.config_keys" in found


def test_no_import_circles() -> None:
    assert cycles() == []


def test_no_never_arrow() -> None:
    assert violations() == []


@pytest.mark.parametrize("source, expected", [
    ("from themis_lint.cli import main\n", "the command line is the outermost layer"),
    ("def f():\n    from themis_lint.analyzers import aql\n", "edits build text"),
    ("if TYPE_CHECKING:\n    from themis_lint.analyzers import aql\n", None),
])
def test_a_broken_arrow_is_caught(tmp_path, source, expected) -> None:
    # the check itself can fail: an edit module importing the CLI or a finder is reported
    path = ROOT / "edits" / "config_keys.py"
    fake = tmp_path / "config_keys.py"
    fake.write_text(path.read_text(encoding="utf-8") + "\n" + source, encoding="utf-8")
    found = violations({**modules(), "themis_lint.edits.config_keys": fake})
    if expected is None:
        assert found == []
    else:
        assert any(expected in v for v in found), found


def test_the_wheel_claims_only_the_themis_lint_namespace() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert all(p == "themis_lint" or p.startswith("themis_lint.") for p in config["packages"])
    assert set(config["package-dir"]) <= set(config["packages"])
    # every package folder with modules is listed (a missing one would be left out of the wheel)
    listed = set(config["packages"])
    assert {name.rpartition(".")[0] or name for name, path in modules().items()
            if path.name != "__init__.py"} <= listed
