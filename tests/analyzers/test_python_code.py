"""Python client-code surface: positions, bad input, literal decoding and fix invariants."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import fix, run
from themis_lint.analyzers import python_code as pc
from themis_lint.context import default_context
from themis_lint.pipeline import Options
from tests.helpers import check_file
from themis_lint.model import Safety

ACCEPTANCE = Path("/work/shared/acceptance")


def found(text: str, path: str = "app.py", **kw) -> list[tuple[int, int, str]]:
    return [(f.row, f.column, f.code) for f in run(text, path, **kw).findings]


# ---- acceptance ------------------------------------------------------------------

@pytest.mark.skipif(not (ACCEPTANCE / "cases/client/app.py").exists(), reason="no shared acceptance tree")
@pytest.mark.parametrize("level,expected", [(Safety.UNSAFE, "expected-unsafe"),
                                            (Safety.SAFE, "expected-safe")])
def test_acceptance_client_app(level: Safety, expected: str) -> None:
    source = (ACCEPTANCE / "cases/client/app.py").read_text(encoding="utf-8")
    result = run(source, "client/app.py")
    rows = [(f.row, f.code) for f in result.findings]
    assert rows == [(8, "TH202"), (12, "TH301"), (13, "TH301"), (18, "TH402")]
    want = (ACCEPTANCE / expected / "client/app.py").read_text(encoding="utf-8")
    assert fix(source, "client/app.py", level) == want


# ---- endpoints ---------------------------------------------------------------------

def test_simple_all_message_names_the_collection() -> None:
    text = ('db._connection.PUT("/_api/simple/all", {"collection": "users"})\n'
            'requests.put(url + "/_api/simple/all", json={"collection": name})\n')
    messages = [f.message for f in run(text, "a.py").findings]
    assert "FOR doc IN users RETURN doc" in messages[0]
    assert "@@coll" in messages[1] and "`name`" in messages[1]
    assert all(f.fix is None for f in run(text, "a.py").findings)


def test_path_followed_by_longer_piece_is_not_the_endpoint() -> None:
    # the value of implicit concatenation decides the segment boundary
    assert found('x = ("/_admin/log"\n     "/entries")\n') == []
    assert found('x = ("/_admin/log"\n     "?upto=3")\n') == [(1, 7, "TH202")]


def test_escape_next_to_path_is_decoded() -> None:
    assert found('x = "/_admin/log\\x2fentries"\n') == []
    assert fix('x = "/_admin/log\\n"\n', "a.py") == 'x = "/_admin/log/entries\\n"\n'


def test_line_endings_and_non_ascii_columns() -> None:
    text = 'a = "é"; b = {"ü": 1, "type": "skiplist"}\r\nc = "/_admin/log"\r\n'
    assert found(text, select=["TH202", "TH301"]) == [(1, 31, "TH301"), (2, 6, "TH202")]
    fixed = 'a = "é"; b = {"ü": 1, "type": "persistent"}\r\nc = "/_admin/log/entries"\r\n'
    assert fix(text, "a.py") == fixed


def test_lone_carriage_returns() -> None:
    assert fix('x = 1\ry = "/_admin/log"\r', "a.py") == 'x = 1\ry = "/_admin/log/entries"\r'


# ---- TH301 -------------------------------------------------------------------------

def test_own_method_called_on_self_is_not_the_driver() -> None:
    text = ("class Repo:\n    def add_skiplist_index(self, c):\n"
            "        return c.add_skiplist_index(['a'])\n\n"
            "    def setup(self):\n        self.add_skiplist_index(1)\n")
    assert found(text) == [(3, 18, "TH301")]


def test_bare_function_call_is_not_a_driver_method() -> None:
    assert found("from helpers import add_skiplist_index\nadd_skiplist_index(c)\n") == []


# ---- bad input ---------------------------------------------------------------------

def test_syntax_error_with_a_candidate_is_th900_and_the_literals_still_report() -> None:
    result = run('print "/_admin/log"\n', "legacy.py")
    assert [(f.code, f.row) for f in result.findings] == [("TH900", 1), ("TH202", 1)]
    assert "line 1" in result.findings[0].message
    assert result.findings[1].fix is None and "does not parse" in result.findings[1].message
    assert run('print "/_admin/log"\n', "legacy.py", Safety.UNSAFE).fixed is None


def test_syntax_error_without_candidates_is_silent() -> None:
    assert run('print "hello"\n# /_admin/log in a comment\n', "legacy.py").findings == []


def test_unterminated_triple_quote_is_th900() -> None:
    assert [f.code for f in run('x = "/_admin/log"\ny = """never closed\n', "a.py").findings] == ["TH900"]


def test_parse_error() -> None:
    assert pc.parse_error("x = 1\n", "a.py") is None
    assert pc.parse_error("def f(:\n", "a.py").startswith("line 1:")
    assert pc.parse_error("x = '\0'\n", "a.py")


def test_latin1_coding_declaration(tmp_path: Path) -> None:
    target = tmp_path / "legacy.py"
    target.write_bytes('# -*- coding: latin-1 -*-\nNAME = "café"\nURL = "/_admin/log"\n'.encode("latin-1"))
    ctx = default_context()
    result = check_file(str(target), "legacy.py", ctx, Options(fix=Safety.UNSAFE))
    assert [(f.row, f.code) for f in result.findings] == []  # all fixed
    fixed = '# -*- coding: latin-1 -*-\nNAME = "café"\nURL = "/_admin/log/entries"\n'
    assert target.read_bytes() == fixed.encode("latin-1")


def test_big_generated_module() -> None:
    body = "".join(f'def f{i}(x):\n    return x.get("k{i}", {{"u": "/_api/x/{i}"}})\n\n'
                   for i in range(6000))
    text = body + 'LOG = f"{BASE}/_admin/log"\n'
    assert found(text) == [(18001, 15, "TH202")]


def test_without_the_aql_surface_other_rules_still_work(monkeypatch) -> None:
    monkeypatch.setattr(pc, "aql_module", lambda: None)
    text = 'db.aql.execute("FOR d IN c FILTER WITHIN(d, 1, 2, 3) RETURN d")\nu = "/_admin/log"\n'
    assert found(text) == [(2, 6, "TH202")]


# ---- literal decoding --------------------------------------------------------------

def _group(text: str) -> list[pc.Piece]:
    lines = pc.Lines(text)
    return pc.scan_tokens(text, lines, frozenset()).groups[0]


def test_decode_group_maps_escapes_braces_and_substitutions() -> None:
    text = 'x = (f"{a}\\t{{x}}" r"\\d" \'z\')\n'
    value, runs = pc.decode_group(text, _group(text))
    assert value == pc.OPAQUE + "\t{x}\\dz"
    assert pc.exact_span(runs, 5, 7)  # `\d` in the raw piece
    assert not pc.exact_span(runs, 1, 3)  # `\t` and `{{`
    assert not pc.exact_span(runs, 6, 8)  # across pieces


def test_field_end_handles_nested_brackets_strings_and_specs() -> None:
    body = "{d['}']:>{w}}rest"
    assert body[:pc.field_end(body, 0)] == "{d['}']:>{w}}"
    literal = 'f"a{x!r}b{y[1:2]}"'
    assert pc.opaque_spans(literal, pc.make_piece(literal, 0, len(literal))) == ((1, 6), (7, 15))


def test_named_escape_is_not_a_substitution() -> None:
    text = 'x = f"\\N{BULLET} /_admin/log"\n'
    assert fix(text, "a.py") == 'x = f"\\N{BULLET} /_admin/log/entries"\n'


# ---- invariants ----------------------------------------------------------------------

URLS = st.tuples(st.sampled_from(["", "http://h:8529", "/_db/app"]),
                 st.sampled_from(["/_admin/log", "/_admin/log/entries", "/_admin/logger",
                                  "/_api/collection/create", "/_api/simple/all", "/_api/collection"]),
                 st.sampled_from(["", "?upto=3", "/", "/x"]))
QUOTES = st.sampled_from(['"', "'", '"""'])
PREFIXES = st.sampled_from(["", "r", "u", "f", "rf"])


@st.composite
def url_statement(draw) -> str:
    base, path, tail = draw(URLS)
    quote, prefix = draw(QUOTES), draw(PREFIXES)
    body = ("{BASE}" if "f" in prefix and draw(st.booleans()) else base) + path + tail
    target = draw(st.sampled_from(["u = {s}", "requests.get({s}, timeout=5)",
                                   "ROUTES = {{{s}: 1}}"]))
    return target.format(s=f"{prefix}{quote}{body}{quote}")


AQL = st.sampled_from([
    "FOR d IN c FILTER WITHIN(d, @lat, @lon, 5) RETURN d",
    "FOR d IN FULLTEXT(articles, 'content', @q) RETURN d",
    "FOR d IN WITHIN(stores, 1.5, 2.5, 100) RETURN d",
    "FOR d IN c FILTER NOT WITHIN(d, 1, 2, 3) RETURN d",
    "Return documents within (budget, time)",
])


@st.composite
def aql_statement(draw) -> str:
    query = draw(AQL)
    fn = draw(st.sampled_from(["db.aql.execute", "db._query", "cursor.execute", "run"]))
    quote = draw(st.sampled_from(['"""', '"'])) if "'" in query else draw(QUOTES)
    return f"{fn}({quote}{query}{quote})"


INDEX = st.sampled_from([
    'c.add_index({"type": "skiplist", "fields": ["a"], "unique": True})',
    "c.add_skiplist_index(fields=['a'])",
    "users.ensureSkiplistIndex(['email'])",
    "idx = dict(type='skiplist', fields=['b'])",
    'ok = index["type"] == "skiplist"',
    "def add_skiplist_index(c):\n    return c",
])
STATEMENTS = st.one_of(url_statement(), aql_statement(), INDEX, st.just("# /_admin/log in a comment"),
                       st.just("x = b'/_admin/log'"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STATEMENTS, min_size=1, max_size=8), st.sampled_from(["\n", "\r\n"]))
def test_fix_is_idempotent_and_compiles(statements: list[str], newline: str) -> None:
    text = newline.join(s.replace("\n", newline) for s in ["BASE = 'http://h'", *statements]) + newline
    compile(text, "gen.py", "exec")
    once = fix(text, "gen.py")
    compile(once, "gen.py", "exec")
    assert fix(once, "gen.py") == once
    assert once.count("\r\n") == once.count("\n") if newline == "\r\n" else "\r" not in once


def test_libcst_checks_only_files_that_get_a_fix() -> None:
    import subprocess
    import sys

    probe = ("import sys; from themis_lint.context import default_context; "
             "from themis_lint.pipeline import Options, check_source; from themis_lint.model import Safety; "
             "ctx = default_context(); text = 'requests.get(\"/_api/collection/create\")\\n'; "
             "check_source(text, 'a.py', ctx, Options()); found = 'libcst' in sys.modules; "
             "out = check_source(text, 'a.py', ctx, Options(fix=Safety.SAFE)).fixed; "
             "print(found, 'libcst' in sys.modules, repr(out))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.split(" ", 2)[:2] == ["False", "True"], result.stderr
    assert result.stdout.endswith("""'requests.get("/_api/collection")\\n'\n""")
