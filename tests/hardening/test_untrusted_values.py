"""Issue 18, items 24 and 26: packs and project configs are bounded and validated at load time.

A pack or config is often committed next to the code it checks: an alias bomb or deep nesting
gets one error line in bounded time (item 24), and a value a fix would write into client files
(a rule option, a pack's new key, path or default) is checked against what its place can hold,
so it cannot inject code, YAML or AQL (item 26). Each case runs the real CLI in a subprocess
with a hang guard and asserts the files are left alone.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HANG_GUARD = 120
AQL = "FOR d IN FULLTEXT(articles, 'text', 'prefix:db') RETURN d\n"
CONF = "cache:\n  maxSize: 2\n"


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "themis_lint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=HANG_GUARD)


def one_error_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("themis-lint: error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def pack(changes: str, frm: str = "1.3", to: str = "1.4") -> str:
    return f'pack: extra\nfrom: "{frm}"\nto: "{to}"\nchanges:\n{changes}'


# ---- item 26: values that go into fixes -----------------------------------------------------------

OPTION_INJECTIONS = {
    "analyzer with quotes": ('[tool.themis-lint.rules.TH401]\nanalyzer = "text_en\\"), \\"x"\n', "`analyzer`"),
    "analyzer with a newline": ('[tool.themis-lint.rules.TH401]\nanalyzer = "text_en\\nRETURN 1"\n', "`analyzer`"),
    "analyzer not a string": ("[tool.themis-lint.rules.TH401]\nanalyzer = [[1]]\n", "`analyzer`"),
    "latitude with a quote": ('[tool.themis-lint.rules.TH402]\nlatitude = "lat\\"] || 1 || d[\\""\n', "`latitude`"),
}


@pytest.mark.parametrize("name", sorted(OPTION_INJECTIONS))
def test_rule_options_are_validated_before_any_fix(tmp_path, name) -> None:
    config, key = OPTION_INJECTIONS[name]
    (tmp_path / "pyproject.toml").write_text(config)
    (tmp_path / "q.aql").write_text(AQL)
    line = one_error_line(cli(tmp_path, "check", "--no-cache", "--fix", "--unsafe-fixes", "."))
    assert "pyproject.toml" in line and key in line
    assert (tmp_path / "q.aql").read_text() == AQL


PACK_INJECTIONS = {
    "new key with a newline (YAML)": (
        "  - {primitive: rename-config-key, code: TH101, old: cache.maxSize, new: \"cache.size: 1\\nevil: true\"}\n",
        "`new`"),
    "default with a newline (YAML)": (
        "  - {primitive: require-config-key, code: TH102, key: cache.size, default: \"lz4\\nauth: false\"}\n",
        "`default`"),
    "endpoint with a quote (code)": (
        "  - {primitive: deprecate-endpoint, code: TH201, path: /_api/x, new: \"/_api/y' + require('fs') + '\"}\n",
        "`new`"),
    "helper name that is not an identifier": (
        "  - {primitive: report-index-helper, code: TH301, name: \"a(); evil()\", language: javascript}\n",
        "`name`"),
    "aql option with a quote": (
        "  - {primitive: rewrite-aql-function, code: TH401, function: FULLTEXT, transform: fulltext-to-search,"
        " options: {analyzer: \"x') RETURN 1 //\"}}\n", "`analyzer`"),
}


@pytest.mark.parametrize("name", sorted(PACK_INJECTIONS))
def test_pack_values_are_validated_at_load(tmp_path, name) -> None:
    changes, key = PACK_INJECTIONS[name]
    (tmp_path / "extra.yaml").write_text(pack(changes))
    (tmp_path / "themisdb.yaml").write_text(CONF)
    line = one_error_line(cli(tmp_path, "check", "--no-cache", "--fix", "--pack", "extra.yaml", "."))
    assert "extra.yaml:" in line and key in line
    assert (tmp_path / "themisdb.yaml").read_text() == CONF


def test_the_bundled_packs_pass_their_own_validation(tmp_path) -> None:
    (tmp_path / "themisdb.yaml").write_text(CONF)
    assert cli(tmp_path, "check", "--no-cache", ".").returncode == 1


# ---- item 24: bounded, one-line errors ------------------------------------------------------------

def alias_bomb_pack() -> str:
    lines = ["  - primitive: remove-endpoint", "    code: TH202", "    path: /_api/x", "    new: null",
             '    a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"    a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 12)]
    return pack("\n".join(lines) + "\n")


HOSTILE_PACKS = {
    "alias bomb": (alias_bomb_pack(), "YAML aliases"),
    "flow nesting 100,000 deep": (pack("  - " + "[" * 100_000 + "]" * 100_000 + "\n"), "nested deeper"),
    "block nesting 2,000 deep": (pack("".join("  " * i + f"  k{i}:\n" for i in range(2_000))), "nested"),
    "over 4 MiB": (pack("# " + "x" * (5 * 1024 * 1024) + "\n  []\n"), "is larger than 4194304 bytes"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_PACKS))
def test_hostile_packs_are_one_line_errors_in_bounded_time(tmp_path, name) -> None:
    text, reason = HOSTILE_PACKS[name]
    (tmp_path / "hostile.yaml").write_text(text)
    line = one_error_line(cli(tmp_path, "check", "--no-cache", "--pack", "hostile.yaml", "."))
    assert "hostile.yaml" in line and reason in line


@pytest.mark.parametrize("where", ["[tool.themis-lint]\nselect = ", "[tool.other]\nx = ",
                                   "[tool.themis-lint.rules.TH401]\nanalyzer = "])
def test_a_config_nested_100000_deep_is_one_error_line(tmp_path, where) -> None:
    (tmp_path / "pyproject.toml").write_text(where + "[" * 100_000 + "]" * 100_000 + "\n")
    line = one_error_line(cli(tmp_path, "check", "--no-cache", "."))
    assert "pyproject.toml" in line and "nested too deeply" in line
