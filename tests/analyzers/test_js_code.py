"""JavaScript/TypeScript surface: positions, acceptance files, bad input and fix invariants."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import fix, run
from themis_lint.analyzers import js_code
from themis_lint.context import default_context
from themis_lint.pipeline import Options
from tests.helpers import check_file
from themis_lint.model import Safety
from themis_lint.parse.source import Source

ACCEPTANCE = Path("/work/shared/acceptance")


def codes(text: str, path: str, **kw) -> list[tuple[int, int, str]]:
    return [(f.row, f.column, f.code) for f in run(text, path, **kw).findings]


# ---- files and grammars --------------------------------------------------------

@pytest.mark.parametrize("path,grammar", [
    ("a.js", "javascript"), ("a.mjs", "javascript"), ("a.cjs", "javascript"), ("a.jsx", "javascript"),
    ("src/a.ts", "typescript"), ("a.mts", "typescript"), ("a.cts", "typescript"), ("a.d.ts", "typescript"),
    ("a.tsx", "tsx"), ("A.JS", "javascript"), ("a.json", None), ("a.py", None), ("js/README", None),
    ("dir.js/file", None),
])
def test_grammar_by_extension(path: str, grammar: str | None) -> None:
    assert js_code.grammar_of(path) == grammar
    assert js_code.wants(path, default_context()) is (grammar is not None)


@pytest.mark.parametrize("path,source", [
    ("a.ts", "function f<T extends object>(a: T, b?: number): T { return a as T; }\n"),
    ("a.tsx", "const C = <T,>(p: { x: T }) => <div className={`a ${p.x}`}>{p.x ?? 'n'}</div>;\n"),
    ("a.jsx", "const C = () => <><a href='/x'>t</a></>;\n"),
    ("a.js", "class A { #x = 1; static y = a?.b ?? c; async *g() { for await (const z of w) yield 1n; } }\n"),
    ("a.ts", "@Component({ selector: 'x' }) export class A { @Input() name!: string; }\n"),
    ("a.mjs", "const m = await import('./m.js'); export default m?.default;\n"),
])
def test_modern_syntax_parses(path: str, source: str) -> None:
    assert js_code.parse_error(source, path) is None


def test_parse_error_names_the_place() -> None:
    reason = js_code.parse_error("const a = 1;\nfunction f( {\n", "a.js")
    assert reason is not None and "line 2" in reason


# ---- the guide's acceptance files ---------------------------------------------------

@pytest.mark.skipif(not ACCEPTANCE.exists(), reason="shared acceptance files not present")
def test_acceptance_collections_js() -> None:
    source = (ACCEPTANCE / "cases/client/collections.js").read_text()
    assert [(r, c) for r, _, c in codes(source, "client/collections.js")] == [(3, "TH201"), (8, "TH202")]
    expected = (ACCEPTANCE / "expected-unsafe/client/collections.js").read_text()
    assert fix(source, "client/collections.js") == expected
    assert fix(source, "client/collections.js", Safety.SAFE) == \
        (ACCEPTANCE / "expected-safe/client/collections.js").read_text()


@pytest.mark.skipif(not ACCEPTANCE.exists(), reason="shared acceptance files not present")
def test_acceptance_index_migration_has_no_findings() -> None:
    source = (ACCEPTANCE / "cases/scripts/index_migration.js").read_text()
    assert codes(source, "scripts/index_migration.js") == []


# ---- offsets ---------------------------------------------------------------------

@pytest.mark.parametrize("prefix", ["", "é", "€", "😀", "ü😀€ ", "\u2028"])
def test_str_offsets_after_multibyte_characters(prefix: str) -> None:
    source = f"const s = '{prefix}'; fetch('/_admin/log');\n"
    (finding,) = run(source, "a.js").findings
    assert finding.matched == "/_admin/log"
    assert fix(source, "a.js") == source.replace("/_admin/log", "/_admin/log/entries")


def test_offsets_map_every_character_boundary() -> None:
    text = "aé€😀b\ud800c"
    at = js_code.Offsets(text)
    byte = 0
    for i, ch in enumerate(text):
        assert at(byte) == i
        byte += len(ch.encode("utf-8", "surrogatepass"))
    assert at(byte) == len(text)


def test_lone_surrogate_does_not_crash() -> None:
    source = "const a = '\ud83d'; fetch('/_admin/log');\n"
    assert [c for _, _, c in codes(source, "a.js")] == ["TH202"]


# ---- TH202 simple/all shapes -----------------------------------------------------------

@pytest.mark.parametrize("call,expected", [
    ("db._connection.PUT('/_api/simple/all', {collection: 'users'})",
     "db._query('FOR doc IN users RETURN doc')"),
    ('db._connection.put("/_api/simple/all", {collection: "users"})',
     'db._query("FOR doc IN users RETURN doc")'),
    ("db._connection.PUT('/_api/simple/all', {'collection': c.name})",
     "db._query('FOR doc IN @@coll RETURN doc', {'@coll': c.name})"),
    ("db._connection.PUT('/_api/simple/all', {collection})",
     "db._query('FOR doc IN @@coll RETURN doc', {'@coll': collection})"),
    ("db._connection.PUT('/_api/simple/all', {collection: 'for'})",
     "db._query('FOR doc IN @@coll RETURN doc', {'@coll': 'for'})"),
    ("getDb()._connection.PUT('/_api/simple/all', {collection: 'a'})",
     "getDb()._query('FOR doc IN a RETURN doc')"),
])
def test_simple_all_call_shapes(call: str, expected: str) -> None:
    assert fix(f"x = {call};\n", "a.js") == f"x = {expected};\n"


@pytest.mark.parametrize("call", [
    "db._connection.POST('/_api/simple/all', {collection: 'users'})",
    "db._connection.PUT('/_api/simple/all', {collection: 'users', limit: 3})",
    "db._connection.PUT('/_api/simple/all')",
    "db.conn.PUT('/_api/simple/all', {collection: 'users'})",
    "db?._connection.PUT('/_api/simple/all', {collection: 'users'})",
    "db._connection.PUT(`/_api/simple/all`, {collection: 'users'})",
    "db._connection.PUT('/_api/simple/all', /* all */ {collection: 'users'})",
    "db._connection.PUT('/_api/simple/all?x=1', {collection: 'users'})",
])
def test_other_simple_all_uses_are_reported_only(call: str) -> None:
    source = f"x = {call};\n"
    (finding,) = run(source, "a.js").findings
    assert finding.code == "TH202" and finding.fix is None
    assert "FOR doc IN" in finding.message
    assert fix(source, "a.js") == source


# ---- TH301 ------------------------------------------------------------------------

def test_skiplist_positions_and_messages() -> None:
    source = "c.ensureIndex({type: 'skiplist'});\nc.createSkipList(['a']);\nc.ensureSkiplist('a');\n"
    found = run(source, "a.js").findings
    assert [(f.row, f.column, f.matched, f.fix is not None) for f in found] == [
        (1, 22, "'skiplist'", True), (2, 3, "createSkipList", True), (3, 3, "ensureSkiplist", False)]
    assert "ensureIndex({type: 'persistent'" in found[2].message


def test_python_helpers_are_not_javascript_helpers() -> None:
    assert codes("db.add_skiplist_index(['a']);\ncol.ensureSkiplistIndex(['a']);\n", "a.js") == []


# ---- bad input ---------------------------------------------------------------------

def test_broken_file_reports_th900_and_gets_no_fix() -> None:
    source = "fetch('/_admin/log');\nconst = ;\nc.createSkipList(['a']);\n"
    result = run(source, "a.js", Safety.UNSAFE)
    assert [(f.row, f.code) for f in result.findings] == [(1, "TH202"), (2, "TH900"), (3, "TH301")]
    assert all(f.fix is None for f in result.findings)
    assert result.fixed is None


def test_strings_inside_the_broken_region_are_skipped() -> None:
    source = "fetch('/_admin/log');\nif ((( '/_admin/log' ]] }\n"
    found = run(source, "a.js").findings
    assert [f.code for f in found].count("TH900") == 1
    assert [f.row for f in found if f.code == "TH202"] == [1]


def test_deep_nesting_does_not_crash() -> None:
    source = "x = " + "[" * 20000 + "'/_admin/log'" + "]" * 20000 + ";\n"
    assert [c for _, _, c in codes(source, "a.js")] in (["TH202"], ["TH900"], ["TH202", "TH900"])


def test_minified_bundle_is_analyzed_in_reasonable_time() -> None:
    chunk = ("function a%d(b){var c={kind:'x%d',n:\"é\"+b};"
             "return fetch('/api/v'+b,`t${b}`).then(d=>d.json())}")
    source = ";".join(chunk % (i, i) for i in range(21000)) + ";fetch('/_admin/log');\n"
    assert len(source) > 2_000_000
    start = time.perf_counter()
    found = run(source, "dist-app.js").findings
    assert [f.code for f in found] == ["TH202"]
    assert time.perf_counter() - start < 30


def test_utf16_file_is_fixed_in_its_encoding(tmp_path: Path) -> None:
    path = tmp_path / "legacy.js"
    source = "// Zürich\r\nfetch('/_admin/log');\r\n"
    path.write_bytes(source.encode("utf-16"))
    result = check_file(str(path), "legacy.js", default_context(), Options(fix=Safety.UNSAFE))
    assert not result.errors
    assert path.read_bytes().decode("utf-16") == source.replace("/_admin/log", "/_admin/log/entries")


# ---- invariants (hypothesis) ---------------------------------------------------------

SNIPPETS = [
    "fetch('/_admin/log');",
    'fetch("http://h:8529/_api/collection/create?x=1", {method: "POST"});',
    "const u = `${base}/_admin/log${q}`;",
    "db._connection.PUT('/_api/simple/all', {collection: 'users'});",
    'db._connection.put("/_api/simple/all", {collection: name});',
    "coll.ensureIndex({type: 'skiplist', fields: ['a']});",
    'coll.ensureIndex({"type": `skiplist`});',
    "await coll.createSkipList(['a']);",
    "coll.ensureSkiplist('a');",
    "if (idx.type === 'skiplist') { x(); }",
    "db._query('FOR d IN places FILTER WITHIN(d, 1, 2, 3) RETURN d');",
    "db.query(aql`FOR a IN FULLTEXT(articles, \"title\", ${q}) RETURN a`);",
    "const q = `\n  FOR s IN WITHIN(stations, @lat, @lon, 20)\n    RETURN s\n`;",
    "const a = b?.c ?? '/_admin/logger';",
    "class K { #p = '/_admin/log/entries'; createSkipList(x) { return x; } }",
    "const s = 'é😀';",
    "/* fetch('/_admin/log') */",
]
TS_SNIPPETS = [
    "let t: Array<string> = ['/_admin/log'];",
    "function g<T>(v: T): T { return v; }",
    "interface I { type: 'skiplist' }",
    "const o = { type: 'skiplist' } as const;",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(SNIPPETS + TS_SNIPPETS), min_size=1, max_size=8),
       st.sampled_from(["\n", "\r\n", " "]))
def test_fixed_output_reparses_and_fixing_is_idempotent(parts: list[str], sep: str) -> None:
    source = sep.join(parts) + "\n"
    assert js_code.parse_error(source, "src/mod.ts") is None
    once = fix(source, "src/mod.ts")
    assert js_code.parse_error(once, "src/mod.ts") is None
    assert fix(once, "src/mod.ts") == once
    for code in ("TH201", "TH301"):  # safe fixes leave nothing of their code behind
        assert code not in [f.code for f in run(once, "src/mod.ts").findings if f.fix is not None]


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("'\"`${}()[];,+ \n\\/_adminlogskiptFOR WITHIN é😀")),
               max_size=80))
def test_arbitrary_text_never_crashes(text: str) -> None:
    source = "fetch('/_admin/log'); " + text
    result = run(source, "a.tsx", Safety.UNSAFE)
    if result.fixed is not None:
        assert js_code.parse_error(result.fixed, "a.tsx") is None


# ---- host strings handed to the AQL surface -------------------------------------------

def hosts_of(source: str, path: str = "a.js", **settings_) -> list[list]:
    """The HostString groups js_code hands to aql.find_in_host_strings."""
    from themis_lint.analyzers import aql

    seen: list[list] = []
    original = aql.find_in_host_strings
    aql.find_in_host_strings = lambda parts, ctx: seen.append(list(parts)) or []
    try:
        js_code.analyze(Source(source, path), default_context(**settings_))
    finally:
        aql.find_in_host_strings = original
    return seen


def test_query_call_and_tagged_template_hosts() -> None:
    source = ("db.query('FOR a IN FULLTEXT(c, \"t\", @q) RETURN a');\n"
              "x = aql`FOR a IN FULLTEXT(c, \"t\", ${q}) RETURN a`;\n"
              "y = 'FOR a IN FULLTEXT(c, \"t\", @q) RETURN a';\n"
              "db.aql.execute(\"FOR a IN FULLTEXT(c, 't', @q) RETURN a\");\n"
              "z.other(\"FOR a IN FULLTEXT(c, 't', @q) RETURN a\");\n")
    groups = hosts_of(source)
    assert [(len(g), g[0].quote, g[0].query_call, g[0].multiline) for g in groups] == [
        (1, "'", True, False), (1, "`", True, True), (1, "'", False, False), (1, '"', True, False),
        (1, '"', False, False)]
    tagged = groups[1][0]
    at = tagged.raw.index("${q}")
    assert tagged.opaque == ((at, at + 4),)
    assert source[tagged.offset:tagged.offset + len(tagged.raw)] == tagged.raw


def test_configured_query_function_and_concatenation() -> None:
    source = "runQuery('FOR a IN c ' + \"FILTER WITHIN(a, 1, 2, 3) \" + `RETURN a`);\n"
    (group,) = hosts_of(source, query_functions=["runQuery"])
    assert [h.quote for h in group] == ["'", '"', "`"] and group[0].query_call
    (group,) = hosts_of(source)
    assert not group[0].query_call


def test_non_literal_operand_splits_the_value() -> None:
    source = "db.query('FOR a IN ' + coll + ' FILTER WITHIN(a, 1, 2, 3) RETURN a');\n"
    groups = hosts_of(source)
    assert [[h.raw for h in g] for g in groups] == [["FOR a IN "], [" FILTER WITHIN(a, 1, 2, 3) RETURN a"]]
    assert [g[0].query_call for g in groups] == [True, False]


def test_non_ascii_host_offsets() -> None:
    source = "const é = '😀'; db._query('FOR p IN places FILTER WITHIN(p, 1, 2, 3) RETURN p');\n"
    (group,) = hosts_of(source)
    assert source[group[0].offset:group[0].offset + len(group[0].raw)] == group[0].raw
    assert fix(source, "a.js").count("GEO_DISTANCE") == 1
