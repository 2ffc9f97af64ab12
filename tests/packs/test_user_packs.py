"""Issue 14 item 1: `--pack` adds, never replaces. Packs for one step merge, contradictions name
both files and lines, and a pack's own codes (ACME001) work wherever a built-in code does."""
from __future__ import annotations

import json

import pytest

from tests.helpers import invoke
from themis_lint import packs

CONF = "server.endpoint: tcp://0.0.0.0:8529\nstorage.journalSize: 32MB\n"
CLIENT = ('import requests\n\nrequests.get("http://gw/acme/v1/export")\n'
          'requests.get("http://db:8529/_admin/log")\n')
ACME = """\
pack: acme
from: "1.3"
to: "1.4"
rules:
  ACME001: {slug: acme-legacy-endpoint, severity: error, summary: "An ACME v1 endpoint"}
changes:
  - {primitive: remove-endpoint, code: ACME001, path: /acme/v1/export, new: /acme/v2/export}
"""
BUNDLED = packs.bundled_pack_paths()[0]


def _bundled_line(text: str) -> int:
    return next(i for i, line in enumerate(BUNDLED.read_text().splitlines(), 1) if text in line)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / "themisdb.conf").write_text(CONF)
    (tmp_path / "client.py").write_text(CLIENT)
    (tmp_path / "acme.yaml").write_text(ACME)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _codes(*args: str) -> list[str]:
    result = invoke("check", "--output-format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return sorted(f["code"] for f in json.loads(result.stdout))


def test_a_user_pack_for_the_same_step_adds_to_the_bundled_one(repo) -> None:
    # the silent pass: the user's 1.3 -> 1.4 pack used to replace the bundled one
    alone = _codes(".")
    assert "TH101" in alone and "TH202" in alone and "ACME001" not in alone
    assert _codes("--pack", "acme.yaml", ".") == sorted([*alone, "ACME001"])


def test_with_from_both_packs_of_the_step_are_used(repo) -> None:
    # the other silent pass: with --from the user's pack used to be dropped
    both = _codes("--pack", "acme.yaml", "--from", "1.3", ".")
    assert "ACME001" in both and "TH101" in both and "TH202" in both


def test_a_contradicting_entry_names_both_files_and_lines(repo) -> None:
    (repo / "mine.yaml").write_text('from: "1.3"\nto: "1.4"\nchanges:\n'
                                    "  - {primitive: rename-config-key, code: TH101, old: cache.maxSize, "
                                    "new: cache.limit}\n")
    result = invoke("check", "--pack", "mine.yaml", ".")
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith("themis-lint: error: mine.yaml:4: this rename-config-key entry for cache.maxSize "
                           "contradicts the rename-config-key entry at ")
    assert line.endswith(f"themisdb-1.3-to-1.4.yaml:{_bundled_line('old: cache.maxSize')} "
                         "(they differ in new): keep one")


def test_renaming_a_key_the_bundled_pack_removes_is_a_contradiction(repo) -> None:
    (repo / "mine.yaml").write_text('from: "1.3"\nto: "1.4"\nchanges:\n  - {primitive: rename-config-key, code: TH101,\n'
                                    "     old: server.requireAuthentication, new: server.auth}\n")
    result = invoke("check", "--pack", "mine.yaml", ".")
    assert result.exit_code == 2
    assert "mine.yaml:4: this rename-config-key entry for server.requireAuthentication contradicts the " \
           "remove-config-key entry at " in result.output


def test_an_entry_written_twice_counts_once(repo) -> None:
    copy = repo.parent / f"{repo.name}-copy.yaml"  # outside the tree: not a file to check
    copy.write_text(BUNDLED.read_text())  # a company pack that started as a copy of ours
    assert _codes("--pack", str(copy), ".") == _codes(".")


def test_a_pack_the_run_leaves_out_is_an_error(repo) -> None:
    (repo / "old.yaml").write_text('from: "1.2"\nto: "1.3"\nchanges:\n'
                                   "  - {primitive: rename-config-key, code: TH101, old: a.b, new: c.d}\n")
    result = invoke("check", "--pack", "old.yaml", ".")
    assert result.exit_code == 2
    assert "old.yaml:1: pack old (1.2 → 1.3) is outside this run (1.3 → 1.4)" in result.output
    assert invoke("check", "--pack", "old.yaml", "--from", "1.2", ".").exit_code == 1


@pytest.mark.parametrize("rules, expected", [
    ("  TH950: {slug: x-y, severity: error, summary: s}\n", "4: TH950: codes starting with TH are themis-lint's own"),
    ("  ACME001: {slug: config-key-renamed, severity: error, summary: s}\n",
     "4: slug 'config-key-renamed' is already used by TH101"),
    ("  ACME001: {slug: a-b, severity: error, summary: s}\n  ACME002: {slug: c-d, severity: error, summary: s}\n",
     "5: ACME002 is declared but no change of this pack uses it"),
    ("  ACME001: {slug: a-b, severity: error, summary: s, fix: safe}\n",
     "4: `fix` is not declared: a code's fix safety and category come from the primitives"),
    ("  acme1: {slug: a-b, severity: error, summary: s}\n",
     "4: `rules`: 'acme1' is not a rule code (capital letters then digits, such as ACME001)"),
])
def test_declared_codes_are_checked(repo, rules, expected) -> None:
    (repo / "bad.yaml").write_text('from: "1.3"\nto: "1.4"\nrules:\n' + rules + "changes:\n"
                                   "  - {primitive: remove-endpoint, code: ACME001, path: /x, new: null}\n")
    result = invoke("check", "--pack", "bad.yaml", ".")
    assert result.exit_code == 2 and f"bad.yaml:{expected}" in result.output


def test_a_code_declared_by_two_packs_names_both(repo) -> None:
    (repo / "other.yaml").write_text(ACME.replace("acme-legacy-endpoint", "other-endpoint").replace("v1", "v0"))
    result = invoke("check", "--pack", "acme.yaml", "--pack", "other.yaml", ".")
    assert result.exit_code == 2
    assert "other.yaml:5: ACME001 is declared twice: also at acme.yaml:5" in result.output


def test_company_code_through_select_suppressions_and_per_file_ignores(repo) -> None:
    assert _codes("--pack", "acme.yaml", "--select", "ACME001", ".") == ["ACME001"]
    assert _codes("--pack", "acme.yaml", "--select", "ACME", ".") == ["ACME001"]  # prefixes too
    assert "ACME001" not in _codes("--pack", "acme.yaml", "--ignore", "ACME001", ".")
    (repo / "client.py").write_text(CLIENT.replace('export")\n', 'export")  # themis-lint: ignore[ACME001]\n'))
    assert _codes("--pack", "acme.yaml", "--select", "ACME001", ".") == []
    (repo / "client.py").write_text(CLIENT)
    (repo / ".themis-lint.toml").write_text('per-file-ignores = {"client.py" = ["ACME001"]}\n')
    assert _codes("--pack", "acme.yaml", "--select", "ACME001", ".") == []


def test_the_exit_code_follows_the_declared_severity(repo) -> None:
    (repo / "acme.yaml").write_text(ACME.replace("severity: error", "severity: info"))
    assert invoke("check", "--pack", "acme.yaml", "--select", "ACME001", ".").exit_code == 0
    assert invoke("check", "--pack", "acme.yaml", "--select", "ACME001", "--fail-on", "info", ".").exit_code == 1


def test_rules_rule_and_json_know_the_code(repo) -> None:
    listed = invoke("rules", "--pack", "acme.yaml").output.splitlines()
    assert "ACME001  acme-legacy-endpoint       error    fix:unsafe  An ACME v1 endpoint" in listed
    assert any(line.startswith("TH101    config-key-renamed") for line in listed)
    page = invoke("rule", "acme001", "--pack", "acme.yaml")
    assert page.exit_code == 0 and page.output.startswith("ACME001 acme-legacy-endpoint (error, fix: unsafe)")
    assert "Declared at acme.yaml:5." in page.output and "## remove-endpoint" in page.output
    assert "- path: /acme/v1/export, new: /acme/v2/export (acme.yaml:7)" in page.output
    assert invoke("rule", "ACME001").exit_code == 2  # without its pack it is unknown, and says why
    [item] = json.loads(invoke("check", "--pack", "acme.yaml", "--select", "ACME001", "--output-format",
                               "json", ".").stdout)
    assert (item["url"], item["category"], item["severity"]) == (None, "API", "error")


def test_the_baseline_knows_the_code(repo) -> None:
    assert invoke("check", "--pack", "acme.yaml", "--write-baseline", "../base.json", ".").exit_code == 0
    assert "ACME001" in (repo.parent / "base.json").read_text()
    assert invoke("check", "--pack", "acme.yaml", "--baseline", "../base.json", ".").exit_code == 0


def test_a_pack_file_in_the_tree_is_never_checked_or_fixed(repo) -> None:
    assert invoke("check", "--pack", "acme.yaml", "--fix", "--unsafe-fixes", ".").exit_code in (0, 1)
    assert (repo / "acme.yaml").read_text() == ACME  # its own `path:` is data, not a use
    assert "/acme/v2/export" in (repo / "client.py").read_text()


@pytest.mark.parametrize("entry, expected", [
    ("{primitive: index-type-argument, code: ACME001, language: python, library: lib, call: Spec, keyword: kind}",
     "index-type-argument findings are reported under the code of the run's replace-index-type entries "
     "(TH301), not ACME001"),
    ("{primitive: known-config-keys, code: ACME001, keys: [a.b]}",
     "known-config-keys is reported as TH104"),
])
def test_a_code_a_verb_cannot_report_under_is_refused(repo, entry, expected) -> None:
    (repo / "bad.yaml").write_text('from: "1.3"\nto: "1.4"\nrules:\n'
                                   "  ACME001: {slug: a-b, severity: error, summary: s}\nchanges:\n  - " + entry + "\n")
    result = invoke("check", "--pack", "bad.yaml", ".")
    assert result.exit_code == 2 and "bad.yaml:6: " in result.output and expected in result.output


def test_rule_option_values_are_checked_against_the_primitive(repo) -> None:
    (repo / ".themis-lint.toml").write_text('[rules.TH401]\nanalyzer = "text_en\\", \\"x"\n')
    result = invoke("check", ".")
    assert result.exit_code == 2
    assert "[rules.TH401]: `analyzer`: 'text_en\", \"x' is not an analyzer name" in result.output


def test_a_config_names_its_packs_for_every_command_and_editor(repo) -> None:
    # `packs` in the project config: what `--pack` does, without every hook, CI job and editor
    # having to repeat it; paths are relative to the config, so a run from a subfolder finds them
    alone = _codes(".")
    (repo / "pyproject.toml").write_text('[tool.themis-lint]\npacks = ["acme.yaml"]\n')
    assert _codes(".") == sorted([*alone, "ACME001"])
    (repo / "sub").mkdir()
    (repo / "sub" / "client.py").write_text(CLIENT)
    result = invoke("check", "--output-format", "json", "client.py", "sub/client.py")
    assert sorted(f["code"] for f in json.loads(result.stdout)).count("ACME001") == 2
    assert invoke("check", "--pack", "acme.yaml", "--fix", ".").exit_code in (0, 1)
    assert (repo / "acme.yaml").read_text() == ACME  # the config's pack is never checked or fixed
    (repo / "pyproject.toml").write_text('[tool.themis-lint]\npacks = ["missing.yaml"]\n')
    missing = invoke("check", ".")
    assert missing.exit_code == 2 and "missing.yaml" in missing.stderr


def test_a_pack_is_never_a_finding_even_when_nothing_names_it(repo) -> None:
    # a committed pack is themis-lint's input: its `path:` values are not client code (this one's
    # `/_admin/log` was a TH202 finding, and --fix rewrote the pack)
    legacy = ('from: "1.3"\nto: "1.4"\nchanges:\n'
              '  - {primitive: deprecate-endpoint, code: TH201, path: /_admin/log/old, new: /_admin/log}\n')
    (repo / "legacy-pack.yaml").write_text(legacy)
    result = invoke("check", "--output-format", "json", ".")
    assert not [f for f in json.loads(result.stdout) if f["filename"].endswith(("acme.yaml", "legacy-pack.yaml"))]
    invoke("check", "--fix", "--unsafe-fixes", ".")
    assert (repo / "legacy-pack.yaml").read_text() == legacy
    named = invoke("check", "acme.yaml")
    assert named.stdout == "Nothing was checked.\n"
    assert "acme.yaml: skipped: it is a rule pack, themis-lint's own input" in named.stderr
