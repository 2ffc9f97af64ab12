"""Issue 12 item 8: a message names the version in which its change happened, not the run's
target: chained 1.3 -> 1.4 -> 1.5 (a user pack), a 1.4 rename is "renamed in ThemisDB 1.4"."""
from __future__ import annotations

from themis_lint import packs
from themis_lint.context import Context
from themis_lint.model import Safety
from themis_lint.pipeline import Options, check_source

USER_PACK = """\
pack: example-1.4-to-1.5
from: "1.4"
to: "1.5"
changes:
  - {primitive: rename-config-key, code: TH101, old: cache.size, new: cache.totalSize,
     deprecated-in: "1.5", removed-in: null, replacement-since: "1.5"}
  - {primitive: remove-endpoint, code: TH202, path: /_api/export, new: null, advice: "use a cursor",
     deprecated-in: null, removed-in: "1.5", replacement-since: null}
"""


def _context(tmp_path) -> Context:
    path = tmp_path / "example-1.4-to-1.5.yaml"
    path.write_text(USER_PACK)
    catalogue = packs.load_catalogue()
    chain = packs.resolve_chain(packs.available_packs(catalogue, [path]), "1.3", "1.5")
    assert [p.name for p in chain] == ["themisdb-1.3-to-1.4", "example-1.4-to-1.5"]
    return Context(pack=packs.merge(chain), catalogue=catalogue,
                   selected=frozenset({"TH101", "TH103", "TH202", "TH401"}), config_files=["themisdb*.conf"])


def test_each_message_names_its_own_step(tmp_path) -> None:
    ctx = _context(tmp_path)
    conf = "storage.journalSize: 32MB\ncache.size: 1GB\nserver.requireAuthentication: true\n"
    found = check_source(conf, "themisdb.conf", ctx, Options()).findings
    assert [(f.row, f.code, f.message) for f in found] == [
        (1, "TH101", "`storage.journalSize` is renamed to `storage.rocksdb.walSize` in ThemisDB 1.4"),
        (2, "TH101", "`cache.size` is renamed to `cache.totalSize` in ThemisDB 1.5"),
        (3, "TH103", "`server.requireAuthentication` is removed in ThemisDB 1.4; check how ThemisDB 1.4 "
                     "enforces authentication before deleting it"),
    ]
    script = "curl -s http://db:8529/_admin/log; curl http://db:8529/_api/export\n"
    found = check_source(script, "ops/logs.sh", ctx, Options()).findings
    assert [f.message for f in found if f.code == "TH202"] == [
        "`/_admin/log` is removed; use `/_admin/log/entries` (the response shape differs; check the code "
        "that reads it)",
        "`/_api/export` is removed with no replacement; use a cursor"]
    aql = 'FOR d IN FULLTEXT(articles, "body", @q) RETURN d\n'
    found = check_source(aql, "q.aql", ctx, Options()).findings
    assert found[0].message.startswith("`FULLTEXT()` is deprecated in 1.4; use ")


def test_chained_fix_reaches_the_newest_name(tmp_path) -> None:
    ctx = _context(tmp_path)
    fixed = check_source("cache.maxSize: 1GB\n", "themisdb.conf", ctx, Options(fix=Safety.SAFE)).fixed
    assert fixed == "cache.totalSize: 1GB\n"

