"""`themis-lint server` end to end: a real LSP client over stdio against the server process.

Diagnostics are compared with what `check --stdin-filename` reports for the same buffer, code
actions are applied as an editor applies them and the text compared byte for byte.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types as T

from tests.lsp.client import Session, apply, edits_of, line_range, run, uri

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-client"


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(SAMPLE, root)
    (root / ".git").mkdir()  # config discovery stops at the repository root, as in a clone
    return root


def cli(repo: Path, name: str, text: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "themis_lint", "check", "--no-cache", "--stdin-filename", name, *args],
                          input=text.encode("utf-8"), capture_output=True, cwd=repo, check=False)


def as_check_reports(diagnostics: list[T.Diagnostic]) -> list[tuple]:
    return sorted((d.code, d.message, d.range.start.line + 1, d.range.start.character + 1,
                   d.range.end.line + 1, d.range.end.character + 1) for d in diagnostics)


def check_reports(repo: Path, name: str, text: str) -> list[tuple]:
    found = json.loads(cli(repo, name, text, "--output-format", "json").stdout)
    return sorted((f["code"], f["message"], f["location"]["row"], f["location"]["column"],
                   f["end_location"]["row"], f["end_location"]["column"]) for f in found)


CONF_DIAGNOSTICS = [  # (code, severity, start line, start char, end line, end char), 0-based
    ("TH102", 1, 0, 0, 0, 0), ("TH102", 1, 0, 0, 0, 0), ("TH102", 1, 0, 0, 0, 0),
    ("TH101", 2, 2, 0, 2, 23), ("TH103", 2, 3, 0, 3, 28), ("TH101", 2, 6, 0, 6, 19), ("TH101", 2, 9, 0, 9, 13),
]
PY_DIAGNOSTICS = [
    ("TH301", 2, 14, 11, 14, 29), ("TH301", 2, 15, 30, 15, 40), ("TH202", 1, 19, 36, 19, 47),
    ("TH401", 2, 25, 17, 25, 49), ("TH402", 1, 35, 32, 35, 59),
]


def shape(diagnostics: list[T.Diagnostic]) -> list[tuple]:
    return [(d.code, d.severity.value, d.range.start.line, d.range.start.character, d.range.end.line,
             d.range.end.character) for d in diagnostics]


def test_diagnostics_code_actions_config_reload_and_clean_exit(repo) -> None:
    run(_session(repo))


async def _session(repo: Path) -> None:
    session = Session(repo)
    result = await session.start()
    assert result.capabilities.position_encoding == "utf-16"
    assert FIX_ALL_KIND in result.capabilities.code_action_provider.code_action_kinds
    conf_path, py_path = repo / "config" / "themisdb.conf", repo / "app" / "db.py"
    conf_text, py_text = conf_path.read_text(), py_path.read_text()
    conf, py = session.open(conf_path), session.open(py_path, language="python")

    # diagnostics: exact ranges and codes, and exactly what `check` reports for the same buffer
    conf_diags = await session.wait_for(conf)
    assert shape(conf_diags) == CONF_DIAGNOSTICS
    assert as_check_reports(conf_diags) == check_reports(repo, "config/themisdb.conf", conf_text)
    first = conf_diags[3]
    assert first.source == "themis-lint" and first.message == (
        "`server.maximalQueueSize` is renamed to `server.maxQueueSize` in ThemisDB 1.4")
    assert first.code_description.href.endswith("/rules/docs/TH101-config-key-renamed.md")
    py_diags = await session.wait_for(py)
    assert shape(py_diags) == PY_DIAGNOSTICS
    assert as_check_reports(py_diags) == check_reports(repo, "app/db.py", py_text)
    assert session.registrations[0].method == "workspace/didChangeWatchedFiles"

    # a quick fix on line 3: the finding's own edit, applied as the editor does
    actions = await session.actions(conf, line_range(2), only=[T.CodeActionKind.QuickFix])
    assert [a.title for a in actions] == ["TH101: Rename to `server.maxQueueSize`", "TH101: suppress on this line"]
    assert actions[0].is_preferred and actions[0].diagnostics[0].code == "TH101"
    renamed = apply(conf_text, edits_of(actions[0], conf))
    assert renamed == conf_text.replace("server.maximalQueueSize", "server.maxQueueSize")
    suppressed = apply(conf_text, edits_of(actions[1], conf))
    assert suppressed.splitlines()[2] == "server.maximalQueueSize: 4096  # themis-lint: ignore[TH101]"

    # an unsafe fix says so, and is never the preferred one
    unsafe = await session.actions(conf, line_range(3), only=[T.CodeActionKind.QuickFix])
    assert unsafe[0].title == "TH103: Remove `server.requireAuthentication` (unsafe)" and not unsafe[0].is_preferred

    # fix all: byte for byte what `check --fix --stdin-filename` prints
    for doc, name, text in ((conf, "config/themisdb.conf", conf_text), (py, "app/db.py", py_text)):
        fix_all = await session.actions(doc, line_range(0), only=[T.CodeActionKind.SourceFixAll])
        assert [a.kind for a in fix_all] == [FIX_ALL_KIND]
        fixed = apply(text, edits_of(fix_all[0], doc))
        assert fixed.encode("utf-8") == cli(repo, name, text, "--fix").stdout
        assert fixed != text

    # the editor applies the fix-all: the remaining diagnostics are those of the fixed text
    session.change(conf, edits_of((await session.actions(conf, line_range(0), only=["source"]))[0], conf))
    left = await session.wait_for(conf, version=session.versions[conf])
    assert [d.code for d in left] == ["TH103"]

    # suppress on a Python line: the comment lands after the code, the finding goes
    actions = await session.actions(py, line_range(19), only=[T.CodeActionKind.QuickFix])
    suppress = next(a for a in actions if a.title == "TH202: suppress on this line")
    session.change(py, edits_of(suppress, py))
    py_diags = await session.wait_for(py, version=session.versions[py])
    assert [d.code for d in py_diags] == ["TH301", "TH301", "TH401", "TH402"]

    # the project config changes on disk: diagnostics follow without reopening anything
    (repo / ".themis-lint.toml").write_text('ignore = ["TH301"]\n')
    session.client.workspace_did_change_watched_files(T.DidChangeWatchedFilesParams(
        [T.FileEvent(uri(repo / ".themis-lint.toml"), T.FileChangeType.Created)]))
    py_diags = await session.wait_for(py, lambda ds: "TH301" not in {d.code for d in ds})
    assert [d.code for d in py_diags] == ["TH401", "TH402"]

    assert await session.stop() == 0


FIX_ALL_KIND = "source.fixAll.themis-lint"


def test_a_broken_config_is_one_diagnostic_on_that_file_until_it_is_fixed(repo) -> None:
    run(_broken_config(repo))


async def _broken_config(repo: Path) -> None:
    config = repo / ".themis-lint.toml"
    config.write_text('from = "1.3"\nignroe = ["TH101"]\n')
    session = Session(repo)
    await session.start()
    conf = session.open(repo / "config" / "themisdb.conf")
    problem = await session.wait_for(uri(config))
    assert len(problem) == 1
    assert problem[0].range.start.line == 1 and problem[0].severity == T.DiagnosticSeverity.Error
    assert "unknown key 'ignroe' (did you mean 'ignore'?)" in problem[0].message
    assert await session.wait_for(conf) == []  # nothing claimed for files it cannot check honestly

    config.write_text('from = "1.3"\nignore = ["TH101"]\n')
    session.client.text_document_did_save(T.DidSaveTextDocumentParams(T.TextDocumentIdentifier(uri(config))))
    assert await session.wait_for(uri(config), lambda ds: not ds) == []
    fixed = await session.wait_for(conf, lambda ds: bool(ds))
    assert {d.code for d in fixed} == {"TH102", "TH103"}
    assert await session.stop() == 0


def test_positions_count_utf16_code_units(repo) -> None:
    run(_utf16(repo))


async def _utf16(repo: Path) -> None:
    session = Session(repo)
    await session.start()
    text = 'LABEL = "🎉 ünï"; URL = "/_admin/log"\n'
    doc = session.open(repo / "app" / "emoji.py", text)
    [found] = await session.wait_for(doc)
    # 🎉 is one character for `check` (column 25) but two UTF-16 code units for LSP (25, 0-based)
    assert found.code == "TH202"
    assert (found.range.start.line, found.range.start.character, found.range.end.character) == (0, 25, 36)
    assert check_reports(repo, "app/emoji.py", text)[0][2:4] == (1, 25)  # 1-based, in characters
    edit = (await session.actions(doc, found.range, only=[T.CodeActionKind.QuickFix]))[0]
    assert apply(text, edits_of(edit, doc)) == text.replace("/_admin/log", "/_admin/log/entries")
    assert await session.stop() == 0


def test_files_no_surface_claims_get_nothing(repo) -> None:
    run(_unclaimed(repo))


async def _unclaimed(repo: Path) -> None:
    session = Session(repo)
    await session.start()
    readme = session.open(repo / "README.md")
    assert await session.wait_for(readme) == []
    assert await session.actions(readme, line_range(0)) == []
    assert await session.stop() == 0


def test_a_buffer_with_a_byte_order_mark_gets_the_ranges_and_fixes_check_gives(repo) -> None:
    # a client that sends the file's BOM as text: ranges were shifted across lines, fix-all
    # garbled the file and a Python buffer got a false TH900
    run(_bom(repo))


async def _bom(repo: Path) -> None:
    session = Session(repo)
    await session.start()
    conf_text = "\ufeff# c\nserver.maximalQueueSize: 1\ncache.maxSize: 2GB\n"
    conf = session.open(repo / "config" / "themisdb.bom.conf", conf_text)
    found = await session.wait_for(conf)
    assert [(d.code, d.range.start.line, d.range.start.character, d.range.end.character)
            for d in found if d.code == "TH101"] == [("TH101", 1, 0, 23), ("TH101", 2, 0, 13)]
    [fix_all] = await session.actions(conf, line_range(0), only=[T.CodeActionKind.SourceFixAll])
    fixed = cli(repo, "config/themisdb.bom.conf", conf_text, "--fix").stdout.decode("utf-8")
    assert apply(conf_text, edits_of(fix_all, conf)) == fixed and fixed.startswith("\ufeff# c\n")
    py_text = "\ufeffimport requests\nx = requests.get('/_api/collection/create')\n"
    py = session.open(repo / "app" / "bom.py", py_text)
    [endpoint] = await session.wait_for(py)
    assert (endpoint.code, endpoint.range.start.line, endpoint.range.start.character) == ("TH201", 1, 18)
    [quick] = [a for a in await session.actions(py, endpoint.range, only=[T.CodeActionKind.QuickFix],
                                               diagnostics=[endpoint]) if a.is_preferred]
    assert apply(py_text, edits_of(quick, py)) == py_text.replace("/_api/collection/create", "/_api/collection")
    # "suppress" above a first line (a Dockerfile takes no trailing comment) goes after the mark
    docker_text = "\ufeffRUN themisdb-server --cache.maxSize=1\n"
    docker = session.open(repo / "bom" / "Dockerfile", docker_text)
    [flag] = await session.wait_for(docker)
    [suppress] = [a for a in await session.actions(docker, flag.range, only=[T.CodeActionKind.QuickFix])
                  if "ignore" in a.title.lower() or "suppress" in a.title.lower()]
    assert apply(docker_text, edits_of(suppress, docker)) == (
        "\ufeff# themis-lint: ignore[TH101]\nRUN themisdb-server --cache.maxSize=1\n")
    assert await session.stop() == 0


def test_a_quick_fix_request_for_one_diagnostic_offers_that_diagnostics_fix(repo) -> None:
    # TH102's missing keys all sit at 0:0: asking about one offered all three, each preferred
    run(_one_of_many(repo))


async def _one_of_many(repo: Path) -> None:
    session = Session(repo)
    await session.start()
    conf = session.open(repo / "config" / "themisdb.conf")
    missing = [d for d in await session.wait_for(conf) if d.code == "TH102"]
    assert len(missing) == 3
    actions = await session.actions(conf, missing[1].range, only=[T.CodeActionKind.QuickFix], diagnostics=[missing[1]])
    fixes = [a for a in actions if a.is_preferred]
    assert len(fixes) == 1 and fixes[0].diagnostics[0].message == missing[1].message
    assert await session.stop() == 0


def test_a_company_pack_named_in_the_config_reaches_the_editor(repo) -> None:
    run(_company_pack(repo))


async def _company_pack(repo: Path) -> None:
    (repo / ".themis-lint.toml").write_text('packs = ["packs/acme-1.3-to-1.4.yaml"]\n')
    session = Session(repo)
    await session.start()
    gateway = session.open(repo / "app" / "gateway.py")
    found = await session.wait_for(gateway)
    assert [(d.code, d.range.start.line) for d in found if d.code == "ACME001"] == [("ACME001", 8)]
    assert await session.stop() == 0
