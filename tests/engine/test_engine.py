"""The engine: bytes outside edits, passes, overlapping fixes, parse checks, atomic writes."""
from __future__ import annotations

import codecs
import os
import stat

from themis_lint import surfaces
from themis_lint.context import default_context
from themis_lint.pipeline import FileResult, Options, _one_pass, apply_fixes, check_source, choose
from themis_lint.model import Edit, Finding, Fix, Safety

from tests.helpers import check_file, fix, run

FLAT = "server.endpoint: x\nserver.statisticsEnabled: true\nquery.spillToDisk: true\nstorage.rocksdb.compression: lz4\n"


def test_crlf_and_odd_indentation_are_kept_outside_the_edit() -> None:
    source = "# c\r\nstorage:\r\n   journalSize: 1MB   # keep\r\n   directory:   /x\r\n" \
             "server.statisticsEnabled: true\r\nquery.spillToDisk: true\r\n"
    out = fix(source, "themisdb.yaml", select=["TH101"])
    assert out == ("# c\r\nstorage:\r\n   rocksdb:\r\n      walSize: 1MB   # keep\r\n   directory:   /x\r\n"
                   "server.statisticsEnabled: true\r\nquery.spillToDisk: true\r\n")


def test_only_the_key_changes_in_a_flat_file() -> None:
    source = FLAT + "cache.maxSize:    '1GB'    # tuned\n"
    out = fix(source, "themisdb.conf")
    assert out == FLAT + "cache.size:    '1GB'    # tuned\n"


def test_insertions_at_one_offset_are_placed_one_pass_at_a_time() -> None:
    out = fix("server.endpoint: x\n", "themisdb.conf", select=["TH102"])
    # all three would land at the end of the only line; one at a time, each is placed by a fresh
    # analysis: a key of an existing section goes after that section's last key (rules/docs/TH102-config-key-required.md)
    assert out == ("server.endpoint: x\nserver.statisticsEnabled: true\nstorage.rocksdb.compression: lz4\n"
                   "query.spillToDisk: true\n")


def test_choose_defers_overlapping_fixes_and_allows_adjacent_ones() -> None:
    a = Fix((Edit(0, 5, "x"),), Safety.SAFE)
    b = Fix((Edit(3, 8, "y"),), Safety.SAFE)
    c = Fix((Edit(5, 5, "z"),), Safety.SAFE)
    d = Fix((Edit(2, 2, "w"),), Safety.SAFE)
    assert choose([a, b, c, d]) == [a, c]
    assert apply_fixes("0123456789", [a, c]) == "xz56789"


def test_a_fix_whose_output_does_not_parse_is_dropped_and_its_finding_says_why() -> None:
    ctx = default_context()
    text = FLAT
    modules = surfaces.wanting("themisdb.conf", ctx)
    good = Finding("TH101", "ok", 0, 6, Fix((Edit(0, 6, "server"),), Safety.SAFE))
    broken = Finding("TH103", "bad", 20, 21, Fix((Edit(19, 19, "  : ]["),), Safety.SAFE))
    result = FileResult(path="themisdb.conf")
    dropped: dict = {}
    out = _one_pass(text, "themisdb.conf", [good, broken], modules, result, dropped)
    assert out == text
    assert dropped["TH103", "bad"]  # the re-parse problem, shown in the finding's message
    assert result.errors == []  # not an internal error: the finding keeps no fix and says why


def test_a_finding_whose_fix_would_not_parse_is_reported_without_a_fix(monkeypatch) -> None:
    # a surface bug that builds a broken fix must cost the fix, never the run (no exit 2)
    from themis_lint.analyzers import server_config

    real = server_config.analyze

    def broken_fix(source, ctx):
        found = real(source, ctx)
        for f in found:
            f.fix = Fix((Edit(f.start, f.end, "]["),), Safety.SAFE)
        return found

    monkeypatch.setattr(server_config, "analyze", broken_fix)
    result = run(FLAT + "cache.maxSize: 1GB\n", "themisdb.conf", Safety.SAFE)
    assert result.fixed is None and result.errors == []
    [finding] = result.findings
    assert finding.fix is None and "(no fix: the fixed file would not parse: server_config: " in finding.message


def test_passes_compose_a_rename_and_an_insert_into_the_same_new_map() -> None:
    source = "storage:\n  journalSize: 1MB\nserver.statisticsEnabled: true\nquery.spillToDisk: true\n"
    out = fix(source, "themisdb.yaml")
    assert out == ("storage:\n  rocksdb:\n    walSize: 1MB\n    compression: lz4\n"
                   "server.statisticsEnabled: true\nquery.spillToDisk: true\n")


def test_suppressed_findings_are_neither_reported_nor_fixed() -> None:
    source = FLAT + "# themis-lint: ignore[TH101]\ncache.maxSize: 1GB\nserver.maximalQueueSize: 1  # themis-lint: ignore\n"
    result = check_source(source, "themisdb.conf", default_context(), Options(fix=Safety.SAFE))
    assert result.fixed is None and result.findings == []


def test_ignore_file_directive() -> None:
    source = "# themis-lint: ignore-file[TH1]\ncache.maxSize: 1GB\n"
    assert check_source(source, "themisdb.conf", default_context(), Options()).findings == []


def test_keep_compatible_with_turns_fixes_into_version_switch_reports() -> None:
    result = check_source(FLAT + "cache.maxSize: 1GB\n", "themisdb.conf", default_context(),
                          Options(fix=Safety.SAFE, keep_compatible_with="1.3"))
    assert result.fixed is None
    [finding] = result.findings
    assert finding.fix is None and "switch on the server version" in finding.message


def test_keep_compatible_with_keeps_a_fix_whose_replacement_every_version_has() -> None:
    # /_api/simple/all has no new path; its fix is an AQL query, which 1.3 runs too
    source = "db._connection.PUT('/_api/simple/all', {collection: 'users'});\n"
    result = check_source(source, "a.js", default_context(), Options(fix=Safety.UNSAFE, keep_compatible_with="1.3"))
    assert result.fixed == "db._query('FOR doc IN users RETURN doc');\n"
    assert result.fixes_applied == 1 and result.findings == []


def test_check_file_writes_atomically_keeping_mode_bom_and_newlines(tmp_path) -> None:
    path = tmp_path / "themisdb.conf"
    path.write_bytes(codecs.BOM_UTF8 + (FLAT + "cache.maxSize: 1GB\n").replace("\n", "\r\n").encode())
    os.chmod(path, 0o640)
    result = check_file(str(path), "themisdb.conf", default_context(), Options(fix=Safety.SAFE))
    assert result.fixes_applied == 1 and not result.errors
    assert path.read_bytes() == codecs.BOM_UTF8 + (FLAT + "cache.size: 1GB\n").replace("\n", "\r\n").encode()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["themisdb.conf"]


def test_a_file_changed_between_read_and_write_is_not_written(tmp_path, monkeypatch) -> None:
    path = tmp_path / "themisdb.conf"
    path.write_text(FLAT + "cache.maxSize: 1GB\n")
    import themis_lint.pipeline as engine

    real = engine.check_source

    def racing(*args, **kwargs):
        out = real(*args, **kwargs)
        path.write_text("someone else's edit\n")
        return out

    monkeypatch.setattr(engine, "check_source", racing)
    result = check_file(str(path), "themisdb.conf", default_context(), Options(fix=Safety.SAFE))
    assert path.read_text() == "someone else's edit\n"
    assert result.errors and "not written" in result.errors[0]


def test_a_directory_where_a_file_was_expected_is_one_error_line(tmp_path) -> None:
    folder = tmp_path / "themisdb.conf"
    folder.mkdir()
    result = check_file(str(folder), "themisdb.conf", default_context(), Options())
    assert len(result.errors) == 1 and result.errors[0].startswith("themisdb.conf: cannot read")


def test_non_convergence_leaves_the_file_as_it_was() -> None:
    # a pack that renames a key back and forth never settles
    ctx = default_context()
    from dataclasses import replace

    swap = [replace(c, data={"old": c["new"], "new": c["old"]}) for c in ctx.pack.of("rename-config-key")]
    ctx.pack.changes = ctx.pack.changes + swap
    result = check_source(FLAT + "cache.maxSize: 1GB\n", "themisdb.conf", ctx, Options(fix=Safety.SAFE))
    assert result.fixed is None
    assert any("did not converge" in e for e in result.errors)


def test_directives_inside_block_comments_count() -> None:
    jsdoc = '/**\n * themis-lint: ignore-file\n */\nexport const q = "FOR d IN docs FILTER WITHIN(d, 1, 2, 3) RETURN d";\n'
    assert run(jsdoc, "a.ts").findings == []
    above = 'const a = 1;\n/* kept for 1.3 servers\n   themis-lint: ignore[TH202] */\nconst b = "/_admin/log";\nconst c = "/_admin/log";\n'
    assert [(f.row, f.code) for f in run(above, "b.ts").findings] == [(5, "TH202")]
