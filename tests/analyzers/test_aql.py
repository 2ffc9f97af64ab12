"""AQL surface: the host-string API, JSON queries, and properties of the rewrite."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from themis_lint.analyzers import aql
from themis_lint.analyzers.aql import HostString, find_in_host_string, find_in_host_strings, find_in_json_queries
from themis_lint.analyzers.aql_tokens import ERROR, lex
from themis_lint.context import default_context
from themis_lint.pipeline import Options, check_source
from themis_lint.model import Safety
from themis_lint.parse.source import Source

CTX = default_context()


def apply(text: str, findings) -> str:
    edits = sorted((e for f in findings if f.fix for e in f.fix.edits), key=lambda e: e.start, reverse=True)
    for e in edits:
        text = text[:e.start] + e.content + text[e.end:]
    return text


def host_in(source: str, quote: str, **kw) -> tuple[str, HostString]:
    """A host file holding `source` between quotes; the HostString for its body."""
    prefix = "q = " + quote
    text = prefix + source + quote + "\n"
    return text, HostString(source, len(prefix), quote, **kw)


def test_python_double_quoted_string_gets_single_quoted_aql_strings() -> None:
    text, host = host_in('FOR d IN FULLTEXT(articles, "content", @q) RETURN d'.replace('"', "'"), '"')
    [f] = find_in_host_string(host, CTX)
    assert f.code == "TH401" and text[f.start:f.start + 8] == "FULLTEXT"
    assert apply(text, [f]) == (
        "q = \"FOR d IN articles SEARCH ANALYZER(d.content IN TOKENS(@q, 'text_en'), 'text_en') RETURN d\"\n")


def test_triple_quoted_host_takes_the_layout_rule() -> None:
    body = "\n    FOR d IN FULLTEXT(articles, 'content', @q)\n        RETURN d\n"
    text, host = host_in(body, '"""', multiline=True)
    [f] = find_in_host_string(host, CTX)
    assert apply(text, [f]) == ('q = """\n    FOR d IN articles\n        SEARCH ANALYZER(d.content IN TOKENS(@q, "text_en"), '
                                '"text_en")\n        RETURN d\n"""\n')


def test_escapes_in_the_call_region_mean_no_fix() -> None:
    text, host = host_in(r'FOR d IN c FILTER WITHIN(d, 1, 2, \"x\") RETURN d', '"')
    [f] = find_in_host_string(host, CTX)
    assert f.fix is None and "escape" in f.message


def test_escapes_elsewhere_in_the_literal_do_not_block_the_fix() -> None:
    text, host = host_in(r'FOR d IN c FILTER d.n == \"x\" && WITHIN(d, 1, 2, 3) RETURN d', '"')
    [f] = find_in_host_string(host, CTX)
    assert apply(text, [f]) == ('q = "FOR d IN c FILTER d.n == \\"x\\" && '
                                'GEO_DISTANCE([d.longitude, d.latitude], [2, 1]) <= 3 RETURN d"\n')


def test_whole_argument_substitutions_move_partial_ones_block() -> None:
    body = "FOR d IN c FILTER WITHIN(d, ${p.lat}, ${p.lon}, 10) RETURN d"
    text, host = host_in(body, "`", multiline=True, opaque=((28, 36), (38, 46)))
    assert body[28:36] == "${p.lat}"
    [f] = find_in_host_string(host, CTX)
    assert apply(text, [f]) == "q = `FOR d IN c FILTER GEO_DISTANCE([d.longitude, d.latitude], [${p.lon}, ${p.lat}]) <= 10 RETURN d`\n"
    body = "FOR d IN FULLTEXT(c, 'search.${locale}', @q) RETURN d"
    start = body.index("${")
    text, host = host_in(body, "`", multiline=True, opaque=((start, start + 9),))
    [f] = find_in_host_string(host, CTX)
    assert f.fix is None and "partly" in f.message


def test_fstring_braces_are_opaque_and_doubled_braces_are_escapes() -> None:
    body = "FOR d IN c FILTER WITHIN(d, {lat}, {lon}, 5) RETURN {{a: d}}"
    text, host = host_in(body, '"', opaque=((28, 33), (35, 40)), brace_escapes=True)
    [f] = find_in_host_string(host, CTX)
    assert apply(text, [f]) == 'q = "FOR d IN c FILTER GEO_DISTANCE([d.longitude, d.latitude], [{lon}, {lat}]) <= 5 RETURN {{a: d}}"\n'


def test_concatenated_parts_are_one_query_and_a_split_call_is_report_only() -> None:
    a, b = "FOR d IN c ", "FILTER WITHIN(d, 1, 2, 3) RETURN d"
    text = f"q = ('{a}' '{b}')\n"
    parts = [HostString(a, text.index(a), "'"), HostString(b, text.index(b), "'")]
    [f] = find_in_host_strings(parts, CTX)
    assert apply(text, [f]) == "q = ('FOR d IN c ' 'FILTER GEO_DISTANCE([d.longitude, d.latitude], [2, 1]) <= 3 RETURN d')\n"
    a, b = "FOR d IN c FILTER WITHIN(d, 1, ", "2, 3) RETURN d"
    text = f"q = ('{a}' '{b}')\n"
    [f] = find_in_host_strings([HostString(a, text.index(a), "'"), HostString(b, text.index(b), "'")], CTX)
    assert f.fix is None


def test_prose_and_sql_are_not_queries() -> None:
    for body in ("Return documents within (budget, time)", "SELECT * FROM t WHERE WITHIN(a, 1, 2, 3)",
                 "For more details see FULLTEXT(x) docs", "Let me know WITHIN(2, days)"):
        _, host = host_in(body, '"', query_call=True)
        assert find_in_host_string(host, CTX) == [], body


def test_json_query_members_use_single_quotes() -> None:
    body = '{"query": "FOR d IN FULLTEXT(articles, \'content\', @q) RETURN d", "bindVars": {"q": "x"}}'
    text = "curl -d '" + body + "' http://h/_api/cursor\n"
    [f] = find_in_json_queries(body, text.index(body), CTX)
    assert apply(text, [f]) == ("curl -d '{\"query\": \"FOR d IN articles SEARCH ANALYZER(d.content IN "
                                "TOKENS(@q, 'text_en'), 'text_en') RETURN d\", \"bindVars\": {\"q\": \"x\"}}' http://h/_api/cursor\n")


def test_could_hold_aql_is_a_cheap_call_pattern() -> None:
    assert aql.could_hold_aql("x fulltext (a)", CTX)
    assert not aql.could_hold_aql("doc.within reason, LIB::FULLTEXT(x)", CTX)
    assert not aql.could_hold_aql("within reason", CTX)
    assert not aql.could_hold_aql("ST_Within(a, b)", CTX)


def test_unterminated_comment_in_an_aql_file_is_th900() -> None:
    result = check_source("FOR d IN FULLTEXT(a, 'b', 'c') /* oops\n", "q.aql", CTX, Options())
    assert [f.code for f in result.findings] == ["TH900"]


# --------------------------------------------------------------------------- properties

SPACE = st.sampled_from([" ", "  ", "\n  ", " /* c */ ", " // note\n "])
NAME = st.sampled_from(["WITHIN", "within", "Within", "wItHiN"])
NUM = st.sampled_from(["1", "-74.0060", "@lat", "d.loc[0]", "2.5e3", "(1 + 2)"])


@st.composite
def within_call(draw) -> str:
    args = [draw(st.sampled_from(["d", "d.place"])), draw(NUM), draw(NUM), draw(NUM)]
    return draw(NAME) + "(" + ", ".join(args) + ")"


@st.composite
def condition(draw) -> str:
    atoms = draw(st.lists(st.one_of(within_call(), st.sampled_from(["d.x == 1", "d.within", "'WITHIN(a,b,c,d)'"]),
                                    within_call().map(lambda c: "NOT " + c)), min_size=1, max_size=4))
    joins = draw(st.lists(st.sampled_from([" AND ", " || ", " && ", " OR "]), min_size=len(atoms) - 1,
                          max_size=len(atoms) - 1))
    out = atoms[0]
    for j, a in zip(joins, atoms[1:]):
        out += j + a
    return out


@st.composite
def query(draw) -> str:
    s = draw(SPACE)
    head = draw(st.sampled_from(["FOR d IN c", "FOR d IN FULLTEXT(articles, 'body', @q)",
                                 "for d in fulltext(@@c, \"a.b-c\", 'x', 5)"]))
    parts = [head]
    for _ in range(draw(st.integers(0, 2))):
        parts.append("FILTER " + draw(condition()))
    parts.append("RETURN d")
    return s.join(parts) + "\n"


@settings(max_examples=150, deadline=None)
@given(query())
def test_fix_retokenizes_is_idempotent_and_keeps_other_tokens(source: str) -> None:
    before = check_source(source, "q.aql", CTX, Options())
    fixed = check_source(source, "q.aql", CTX, Options(fix=Safety.UNSAFE))
    output = source if fixed.fixed is None else fixed.fixed
    assert not any(t.kind == ERROR for t in lex(output))
    assert aql.parse_error(output, "q.aql") is None
    after = check_source(output, "q.aql", CTX, Options())
    assert not [f for f in after.findings if f.fix], "a fixable call is left"
    assert check_source(output, "q.aql", CTX, Options(fix=Safety.UNSAFE)).fixed is None
    # every token outside the replaced calls is still there, in order
    assert all(f.code in ("TH401", "TH402") for f in before.findings)
    index = 0
    out_tokens = [t.text for t in lex(output)]
    calls = [(f.start, f.end) for f in aql.analyze(Source(source, "q.aql"), CTX) if f.fix]
    for tok in lex(source):
        if any(s - 12 <= tok.start < e for s, e in calls):  # the call, and `FILTER`/`IN` before it
            continue
        assert tok.text in out_tokens[index:], tok
        index = out_tokens.index(tok.text, index) + 1


def test_no_fix_when_the_host_leaves_no_quote_free() -> None:
    # a JSON body inside a '...' shell word: neither quote can be written into the AQL
    body = '{"query": "FOR d IN docs FILTER FULLTEXT(d.body, @q) RETURN d"}'
    text = "curl --data-raw '" + body + "' http://h/_api/cursor\n"
    [f] = find_in_json_queries(body, text.index(body), CTX, taken="'")
    assert f.fix is None and "quote" in f.message and '"text_en"' in f.message


def test_english_sentences_starting_with_aql_keywords_are_not_queries() -> None:
    for body in ("Replace WITHIN(doc, lat, lon, r) with GEO_DISTANCE", "With FULLTEXT(...) removed in 1.4, use SEARCH",
                 "Update your WITHIN(x) calls", "Insert FULLTEXT(a, b, c) here"):
        _, host = host_in(body, '"')
        assert find_in_host_string(host, CTX) == [], body
    for body in ("REPLACE d WITH {n: WITHIN(d, 1, 2, 3)} IN c", "UPSERT {a: 1} INSERT {a: 1} UPDATE {b: 2} IN c "
                 "FILTER WITHIN(d, 1, 2, 3)", "WITH users FOR d IN c FILTER WITHIN(d, 1, 2, 3) RETURN d"):
        _, host = host_in(body, '"')
        assert [f.code for f in find_in_host_string(host, CTX)] == ["TH402"], body


def test_messages_show_substitutions_as_written() -> None:
    body = "FOR a IN FULLTEXT(articles, 'search.${locale}', ${q}) RETURN a"
    start, q = body.index("${locale}"), body.index("${q}")
    _, host = host_in(body, "`", multiline=True, opaque=((start, start + 9), (q, q + 4)))
    [f] = find_in_host_string(host, CTX)
    assert 'a.search["${locale}"] IN TOKENS(${q}' in f.message and "@" not in f.message.split("use")[1].split("(no")[0]


def test_a_value_bind_collection_is_suggested_as_a_collection_parameter() -> None:
    # `FOR d IN @collection` would loop over the string; the suggestion names `@@collection` and
    # the reason says the caller's bind variables change too, so there is no fix
    result = check_source('FOR d IN FULLTEXT(@collection, "content", "x") RETURN d\n', "q.aql", CTX,
                          Options(fix=Safety.UNSAFE))
    [f] = result.findings
    assert result.fixed is None
    assert 'use `@@collection SEARCH ANALYZER(d.content IN TOKENS("x", "text_en"), "text_en")`' in f.message
    assert "bind variable `collection` renamed to `@collection`" in f.message


def test_an_aql_template_substituted_collection_notes_it_must_be_a_collection_object() -> None:
    # arangojs binds a string substitution as a value: FULLTEXT took it, `FOR v IN` loops over it
    js = ('const { aql } = require("arangojs");\n'
          'db.query(aql`FOR f IN FULLTEXT(${coll}, "text", ${q}) RETURN f`);\n'
          'db.query(aql`FOR p IN WITHIN(${places}, 52.5, 13.4, 1000) RETURN p`);\n'
          'query`for d in fulltext(${rawData}, "Type", "comet") return d`;\n')  # @arangodb's `query` binds too
    fulltext, within, foxx = check_source(js, "search.js", CTX, Options()).findings
    for f in (fulltext, within, foxx):
        assert f.message.endswith("note: the substituted collection must be a collection object (`db.collection(name)`): "
                                  "a name string is bound as a value, and `FOR v IN` would loop over the string")
    # an untagged template or a Python f-string writes the name into the text: nothing is bound
    [plain] = check_source('const q = `FOR d IN FULLTEXT(${c}, "t", "x") RETURN d`;\n', "q.js", CTX, Options()).findings
    assert "collection object" not in plain.message
    py = 'def f(db, coll):\n    db.aql.execute(f"FOR d IN FULLTEXT({coll}, \'text\', @q) RETURN d")\n'
    [f] = check_source(py, "search.py", CTX, Options()).findings
    assert "collection object" not in f.message


def test_an_attribute_given_as_a_bind_parameter_is_suggested_as_an_attribute_access() -> None:
    [f] = check_source("FOR doc IN FULLTEXT(@@col, @field, @query) RETURN doc\n", "q.aql", CTX, Options()).findings
    assert 'use `@@col SEARCH ANALYZER(doc[@field] IN TOKENS(@query, "text_en"), "text_en")`' in f.message
    assert f.fix is None and f.message.endswith("(no automatic fix: the attribute is not a string literal)")
