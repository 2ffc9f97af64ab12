"""Issue 18, item 7: every surface stays linear in the size of a file, hostile shapes included.

The cases are benchmarks/scaling.py's (numbers in benchmarks/README.md). Each runs the whole
per-file pipeline at n and at 8n units: linear code takes about 8 times as long, quadratic code
64 times. The bound is a ratio, never seconds, and a generous one (3x linear), so a loaded CI
machine does not fail it while a quadratic finder always does (the skiplist calls of the issue
took 32 s at 4,000 lines and 127 s at 8,000).
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from benchmarks.scaling import CASES, Case, best

SCALE = 8
BOUND = 3 * SCALE


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_pipeline_is_linear_in_the_file_size(case: Case) -> None:
    small = best(case, 1, runs=2)
    large = best(case, SCALE, runs=2)
    assert large / small < BOUND, f"{case.surface}: {small * 1000:.0f} ms at n, {large * 1000:.0f} ms at {SCALE}n"


def test_every_surface_has_a_scaling_case() -> None:
    from themis_lint.surfaces import SURFACE_MODULES

    assert set(SURFACE_MODULES) <= {c.surface for c in CASES}


def test_the_crafted_skiplist_comment_is_not_a_redos(tmp_path) -> None:
    """The issue's repro at full size: one call and 160 KB of ` createSkipList(): x` took 10 s."""
    (tmp_path / "app.js").write_text("db.c.createSkipList([\"a\"]);\n//" + " createSkipList(): x" * 8000 + "\n")
    (tmp_path / "calls.js").write_text("db.c.createSkipList([\"a\"]);\n" * 4000)
    result = subprocess.run([sys.executable, "-m", "themis_lint", "check", "--no-cache", "--fix", "."],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)  # a hang guard
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "calls.js").read_text() == "db.c.createPersistentIndex([\"a\"]);\n" * 4000


def test_a_long_python_concatenation_is_fixed_without_a_traceback(tmp_path) -> None:
    """libcst's printer recursed past Python's limit on a 1,200-term `+` chain: the run crashed."""
    (tmp_path / "app.py").write_text("X = " + "'/_admin/log' + " * 1200 + "''\n")
    result = subprocess.run([sys.executable, "-m", "themis_lint", "check", "--no-cache", "--fix", "--unsafe-fixes",
                             "."], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr and result.returncode == 0, result.stderr
    assert (tmp_path / "app.py").read_text().count("/_admin/log/entries") == 1200


def test_the_linear_directive_scan_finds_what_the_regex_found() -> None:
    """suppress._line_matches and _block_comments replace two regexes that were quadratic on
    hostile lines; on every text they must find exactly what the regexes found."""
    import random
    import re

    from themis_lint import suppress

    pieces = ["#", "//", "/*", "*/", "--", "-", "/", " ", "\n", "x", "themis-lint:", "themis-lint: ignore",
              "ignore", "[TH1, A]", "-file", "themis-lint:\n ignore", "themis-lint: ignore-file[TH2]"]
    rng = random.Random(18)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        expected = [(m.span(), m.group("codes"), m.group("file")) for m in suppress._DIRECTIVE.finditer(text)]
        assert [(m.span(), m.group("codes"), m.group("file")) for m in suppress._line_matches(text)] == expected
        assert list(suppress._block_comments(text)) == [m.span() for m in re.finditer(r"/\*.*?\*/", text, re.S)]


def test_many_known_keys_over_a_broken_config_finish(tmp_path) -> None:
    """A config that does not parse is checked for known keys: once per key over the text was
    keys x text (100,000 `known-keys` from a project config)."""
    keys = [f"section{i}.key{i}" for i in range(100_000)]
    (tmp_path / "pyproject.toml").write_text("[tool.themis-lint]\nknown-keys = ["
                                             + ",".join(f'"{k}"' for k in keys) + "]\n")
    (tmp_path / "themisdb.yaml").write_text("section7:\n  key7: [\n" + "x: 1\n" * 50_000)
    result = subprocess.run([sys.executable, "-m", "themis_lint", "check", "--no-cache", "--exit-zero", "."],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)  # a hang guard
    assert "TH900" in result.stdout, result.stdout + result.stderr
