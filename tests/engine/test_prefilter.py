"""The prefilter (issue 17): both backends answer alike, and no file with a finding is dropped.

A prefilter that drops a file holding a finding is a silent wrong answer, so every input the suite
has (the rule cases, the sample client, a generated corpus with every dirty template and its near
misses) goes through each backend and through the full analysis without any prefilter.
"""
from __future__ import annotations

import base64
import re
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from themis_lint import prefilter, surfaces
from themis_lint.context import default_context
from themis_lint.pipeline import analyze

ROOT = Path(__file__).resolve().parents[2]
HAVE_HYPERSCAN = find_spec("hyperscan") is not None
BACKENDS = ["python", pytest.param("hyperscan", marks=pytest.mark.skipif(
    not HAVE_HYPERSCAN, reason="hyperscan is not installed (pip install 'themis-lint[fast]')"))]


@pytest.fixture(autouse=True)
def fresh_prefilter():
    """Each test starts with, and leaves behind, a process prefilter as a run would create it."""
    prefilter.use()
    yield
    prefilter.use()


def rule_case_inputs() -> list[tuple[str, bytes, object]]:
    """(path, bytes, context) of every rule case source, with the context the case runs under."""
    found = []
    for path in sorted((ROOT / "rules" / "cases").glob("*.yaml")):
        data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
        for case in data.get("cases", []):
            text = (base64.b64decode(case["source_b64"]).decode("utf-8") if "source_b64" in case
                    else case["source"])
            select = case.get("select", [data["code"]])
            ctx = default_context(select=None if select == "default" else frozenset(select),
                                  **dict(case.get("settings", {})))
            found.append((case["file"], text.encode("utf-8", "surrogatepass"), ctx))
    return found


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[tuple[str, bytes, object]]:
    """The rule cases, the sample client and a generated corpus (every dirty template, near misses)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    corpus = tmp_path_factory.mktemp("corpus")
    generate.generate(str(corpus), 600, 0.2, 7)
    ctx = default_context()
    every = default_context(select=frozenset(ctx.catalogue))
    files = [p for folder in (ROOT / "fixtures", corpus) for p in sorted(folder.rglob("*")) if p.is_file()]
    found = rule_case_inputs()
    for path in files:
        for context in (ctx, every):
            found.append((path.relative_to(path.parents[2]).as_posix(), path.read_bytes(), context))
    return found


def kept(backend: str, path: str, data: bytes, ctx) -> list[str]:
    prefilter.use(prefilter.Prefilter(backend))
    return [m.NAME for m in surfaces.prefiltered(path, data, ctx, surfaces.wanting(path, ctx))]


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_file_with_a_finding_is_dropped(backend, inputs) -> None:
    chosen = prefilter.use(prefilter.Prefilter(backend))
    dropped = []
    for path, data, ctx in inputs:
        modules = surfaces.wanting(path, ctx)
        passing = surfaces.prefiltered(path, data, ctx, modules)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        for module in modules:
            # TH900 aside: a file without any trigger literal is never parsed, by design
            if module not in passing and any(f.code != "TH900" for f in analyze(text, path, ctx, [module])):
                dropped.append(f"{path} ({module.NAME})")
    assert chosen.backend == backend
    assert dropped == []


@pytest.mark.skipif(not HAVE_HYPERSCAN, reason="hyperscan is not installed")
def test_backends_keep_the_same_surfaces(inputs) -> None:
    python, native = prefilter.Prefilter("python"), prefilter.Prefilter("hyperscan")
    differ = []
    for path, data, ctx in inputs:
        modules = surfaces.wanting(path, ctx)
        prefilter.use(python)
        a = surfaces.prefiltered(path, data, ctx, modules)
        prefilter.use(native)
        b = surfaces.prefiltered(path, data, ctx, modules)
        if a != b:
            differ.append(path)
    assert differ == []


# --- any bytes, any literals ------------------------------------------------------------------------

PIECES = ["within", "WITHIN", "Within", "fulltext", "FullText", "skiplist", "/_admin/log", "journalSize", " ", "(",
          "\t", "\v", "\f", "\n", ".", "::", "@", "$", "`", "_", "x", "9", "-", "é", "\x00", "größe", "GRÖSSE", "[*]"]
LITERALS = ["within", "fulltext", "skiplist", "/_admin/log", "journalsize", "größe", "x", "[*]", "a.b", "",
            "w\x00i\x00t\x00h\x00i\x00n\x00"]
NAMES = frozenset({b"within", b"fulltext"})


def _bytes(pieces: list[str]) -> bytes:
    return "".join(pieces).encode("utf-8", "surrogatepass")


@pytest.mark.skipif(not HAVE_HYPERSCAN, reason="hyperscan is not installed")
@given(st.lists(st.sampled_from(PIECES), max_size=40),
       st.lists(st.lists(st.sampled_from(LITERALS), max_size=5), min_size=1, max_size=4))
@example(["x", "within", " ", "("], [["within"]])
@example(["within", "\v", "("], [["within"], ["skiplist"]])
@example(["GRÖSSE"], [["größe"]])  # beyond ASCII nothing is case folded, by either backend
@example([], [[""]])
def test_backends_agree_on_any_bytes(pieces, literal_sets) -> None:
    data = _bytes(pieces)
    sets = [[lit.encode("utf-8") for lit in literals] for literals in literal_sets]
    python = prefilter.Prefilter("python").keep(data, sets, NAMES)
    native = prefilter.Prefilter("hyperscan").keep(data, sets, NAMES)
    assert python == native


OLD_CALL = re.compile(rb"(?<![a-z0-9_.:@$`])(?:fulltext|within)\s*\(")  # the lookbehind it replaced


@given(st.lists(st.sampled_from(PIECES), max_size=40))
@example(["within", "("])
@example(["x", "within", "("])
@example(["-", "within", "\v", "("])
def test_call_shape_is_the_lookbehind_it_replaced(pieces) -> None:
    data = _bytes(pieces).lower()
    call = re.compile(prefilter.call_expression(sorted(NAMES)))
    assert (call.search(data) is not None) == (OLD_CALL.search(data) is not None)


# --- which backend ----------------------------------------------------------------------------------

def test_without_hyperscan_the_python_backend_runs(monkeypatch) -> None:
    monkeypatch.setattr(prefilter, "_installed", lambda name: False)
    monkeypatch.delenv("THEMIS_LINT_PREFILTER", raising=False)
    chosen = prefilter.Prefilter()
    for _ in range(prefilter.WARM_UP + 5):
        chosen.keep(b"within (", [[b"within"]], NAMES)
    assert chosen.backend == "python"


@pytest.mark.skipif(not HAVE_HYPERSCAN, reason="hyperscan is not installed")
def test_hyperscan_after_the_warm_up(monkeypatch) -> None:
    monkeypatch.delenv("THEMIS_LINT_PREFILTER", raising=False)
    chosen = prefilter.Prefilter()
    backends = set()
    for _ in range(prefilter.WARM_UP + 1):
        backends.add(chosen.backend)
        assert chosen.keep(b"x = within (", [[b"within"]], NAMES) == [True]
    assert backends == {"python", "hyperscan"}


@pytest.mark.parametrize("backend", ["python", "hyperscan"])
def test_the_environment_forces_a_backend(monkeypatch, backend) -> None:
    monkeypatch.setenv("THEMIS_LINT_PREFILTER", backend)
    if backend == "hyperscan" and not HAVE_HYPERSCAN:
        pytest.skip("hyperscan is not installed")
    assert prefilter.Prefilter().backend == backend
