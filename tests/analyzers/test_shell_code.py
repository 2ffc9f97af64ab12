"""Shell surface: which files, which words, exact spans, request bodies, nginx, bounded work."""
from __future__ import annotations

import time

import pytest

from themis_lint.analyzers import shell_code
from themis_lint.context import default_context
from themis_lint.model import Safety
from themis_lint.parse.source import Source
from themis_lint.parse.shell_words import split_commands

from tests.helpers import fix, run

ENDPOINTS = ["TH201", "TH202"]


def _found(text: str, path: str = "scripts/x.sh", select=None) -> list[tuple[int, int, str, str | None]]:
    result = run(text, path, select=select or ENDPOINTS)
    return [(f.row, f.column, f.code, f.fix and f.fix.safety.value) for f in result.findings]


@pytest.mark.parametrize("path,wanted", [
    ("scripts/start.sh", True), ("a.bash", True), ("Dockerfile", True), ("docker/Dockerfile.dev", True),
    ("Makefile", True), ("build/rules.mk", True), ("nginx.conf", True), ("etc/api.nginx.conf", True),
    ("deploy/nginx/site.conf", True), ("etc/nginx/conf.d/themis.conf", True),
    ("sites-enabled/default.conf", True), ("config/app.conf", False), ("app.py", False),
    ("deploy/compose.yaml", False), ("themisdb.service", True),
])
def test_wants(path: str, wanted: bool) -> None:
    assert shell_code.wants(path, default_context()) is wanted


def test_value_offsets_map_mixed_quoting_and_substitutions() -> None:
    source = """curl "http://$H"'/_admin'/log $(echo 'x')/a"""
    words = split_commands(source)[0]
    assert [source[i] for i in shell_code.value_offsets(source, words[1])] == list(words[1].value)
    assert [source[i] for i in shell_code.value_offsets(source, words[2])] == list(words[2].value)


def test_path_split_across_quotes_is_reported_without_fix() -> None:
    text = "curl \"http://h/_admin\"'/log' # /_admin/log\n"
    assert _found(text) == [(1, 6, "TH202", None)]
    assert fix(text, "x.sh") == text


def test_unterminated_quote_does_not_raise() -> None:
    text = "curl 'http://h/_admin/log\necho more\n"
    assert _found(text) == [(1, 15, "TH202", "unsafe")]


def test_substitution_with_quotes_keeps_exact_mapping() -> None:
    text = "curl $(echo 'http://h')/_admin/log\n"
    assert fix(text, "x.sh") == "curl $(echo 'http://h')/_admin/log/entries\n"


def test_several_paths_in_one_word_and_in_a_pipeline() -> None:
    text = "curl 'http://h/_admin/log?next=/_api/collection/create' | curl -d @- http://h/_admin/log\n"
    assert fix(text, "x.sh") == ("curl 'http://h/_admin/log/entries?next=/_api/collection' | "
                                 "curl -d @- http://h/_admin/log/entries\n")


def test_safe_fix_level_leaves_removed_endpoint() -> None:
    text = "curl http://h/_api/collection/create http://h/_admin/log\n"
    assert fix(text, "x.sh", Safety.SAFE) == "curl http://h/_api/collection http://h/_admin/log\n"


def test_assignments_only_before_a_command_or_after_export() -> None:
    text = ("LOG=http://h/_admin/log curl \"$LOG\"\n"
            "readonly A=/_admin/log B=/_admin/log\n"
            "printf '%s' X=/_admin/log\n")
    assert [f[:2] for f in _found(text)] == [(1, 13), (2, 12), (2, 26)]


def test_makefile_only_recipe_lines() -> None:
    text = "URL = http://h/_admin/log\nlogs:\n\tcurl $(URL)\n\tcurl \\\n\t  http://h/_admin/log\n"
    assert _found(text, "Makefile") == [(5, 12, "TH202", "unsafe")]


def test_dockerfile_continuation_line_is_not_an_instruction() -> None:
    text = "FROM alpine\nRUN true \\\n  && run curl http://h/_admin/log\nCOPY a b\n"
    assert _found(text, "Dockerfile") == [(3, 23, "TH202", "unsafe")]


def test_dockerfile_exec_form_with_escapes_has_no_fix() -> None:
    text = 'FROM alpine\nCMD ["curl", "http://h/_admin/log?q=\\"x\\""]\n'
    assert _found(text, "Dockerfile") == [(2, 14, "TH202", None)]


def test_sh_c_nesting_is_bounded() -> None:
    text = "sh -c 'bash -c \"sh -c \\\"curl http://h/_admin/log\\\"\"'\n"
    # the innermost script has escapes: not followed; nothing is reported twice either
    assert _found(text) == []
    text = "sh -c 'bash -c \"curl http://h/_admin/log\"'\n"
    assert _found(text) == [(1, 30, "TH202", "unsafe")]


def test_nginx_tokens_and_location_safety() -> None:
    text = ("map $uri $x { default 0; }\n"
            "location ~ ^/_api/collection/create$ {\n"
            "    proxy_pass http://db:8529$request_uri; # /_admin/log\n"
            "    return 301 '/_api/collection/create';\n"
            "}\n")
    assert _found(text, "nginx/x.conf") == [(2, 13, "TH201", "unsafe"), (4, 17, "TH201", "safe")]
    assert fix(text, "nginx/x.conf", Safety.SAFE).count("/_api/collection/create") == 1


def test_nginx_variable_braces_stay_in_the_word() -> None:
    text = "location /a { proxy_pass http://${upstream}/_admin/log; }\n"
    assert fix(text, "nginx.conf") == "location /a { proxy_pass http://${upstream}/_admin/log/entries; }\n"


# ---- request bodies (AQL surface) ---------------------------------------------

WITHIN_BODY = '{"query": "FOR o IN orders FILTER WITHIN(o, 52.52, 13.40, 1000) RETURN o"}'
GEO_BODY = ('{"query": "FOR o IN orders FILTER GEO_DISTANCE([o.longitude, o.latitude], [13.40, 52.52])'
            ' <= 1000 RETURN o"}')


@pytest.mark.parametrize("form", ["-d '{}'", "--data-binary '{}'", "-d'{}'", "--json '{}'"])
def test_curl_body_forms_are_fixed_in_place(form: str) -> None:
    text = f"curl -X POST http://h/_api/cursor {form.format(WITHIN_BODY)}\n"
    assert fix(text, "x.sh") == f"curl -X POST http://h/_api/cursor {form.format(GEO_BODY)}\n"


def test_wget_and_httpie_bodies() -> None:
    text = (f"wget --post-data='{WITHIN_BODY}' http://h/_api/cursor\n"
            f"http --raw '{WITHIN_BODY}' :8529/_api/cursor\n")
    assert fix(text, "x.sh") == (f"wget --post-data='{GEO_BODY}' http://h/_api/cursor\n"
                                 f"http --raw '{GEO_BODY}' :8529/_api/cursor\n")


def test_body_that_is_not_json_or_not_a_query() -> None:
    text = ("curl -d '{\"query\": \"FOR o IN c FILTER WITHIN(o, 1, 2, 3) RETURN o\", \"x\": '$X'}' http://h\n"
            "curl -d 'query=FOR o IN c FILTER WITHIN(o, 1, 2, 3) RETURN o' http://h\n")
    assert _found(text, select=["TH402"]) == []


def test_escaped_body_is_reported_on_the_word() -> None:
    text = 'curl -d "{\\"query\\": \\"FOR o IN c FILTER WITHIN(o, 1, 2, 3) RETURN o\\"}" http://h\n'
    result = run(text, "x.sh", select=["TH402"])
    assert [(f.row, f.column, f.fix) for f in result.findings] == [(1, 9, None)]
    assert "no fix" in result.findings[0].message


def test_analysis_stays_bounded_on_pathological_input() -> None:
    ctx = default_context()
    nasty = ["curl " + "'" * 50_000 + " /_admin/log", "curl " + "$(" * 20_000 + "/_admin/log",
             ("sh -c 'sh -c x' " * 5_000) + "/_admin/log", "curl \\\n" * 20_000 + "/_admin/log"]
    for text in nasty:
        began = time.perf_counter()
        shell_code.analyze(Source(text, "x.sh"), ctx)
        shell_code.analyze(Source(text, "Makefile"), ctx)
        shell_code.analyze(Source(text, "nginx.conf"), ctx)
        assert time.perf_counter() - began < 5
