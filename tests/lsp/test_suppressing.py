""""Suppress on this line": the documented comment, only where the file reads it as a comment.

Each accepted edit is checked the way the CLI sees it: the finding is gone and every other
finding is still there.
"""
from __future__ import annotations

import pytest

from tests.helpers import run as check
from themis_lint.lsp.analysis import Job, suppression


def suppressed(ctx, path: str, text: str, code: str, nth: int = 0) -> str | None:
    """The text after the server's suppress action for the nth finding of `code`, or None."""
    finding = [f for f in check(text, path).findings if f.code == code][nth]
    outcome = suppression(Job("suppress", "/" + path, path, text, "utf-16", 0, (code, finding.start)), ctx)
    if not outcome.edits:
        return None
    [(((line, char), (end_line, end_char)), content)] = outcome.edits
    assert (line, char) == (end_line, end_char)  # an insertion
    rows = text.split("\n")
    rows[line] = rows[line][:char] + content + rows[line][char:]
    new = "\n".join(rows)
    before = [(f.code, f.message) for f in check(text, path).findings]
    after = [(f.code, f.message) for f in check(new, path).findings]
    before.remove((finding.code, finding.message))
    assert after == before
    return new


CASES = [
    ("python_end_of_line", "app/db.py", 'r = requests.get(BASE + "/_admin/log")\n', "TH202",
     'r = requests.get(BASE + "/_admin/log")  # themis-lint: ignore[TH202]\n'),
    ("python_string_starting_on_the_line_gets_the_line_above", "app/q.py",
     'def f(db):\n    return db.aql.execute("""FOR o IN FULLTEXT(orders, "notes", @t)\n    RETURN o""")\n',
     "TH401",
     ('def f(db):\n    # themis-lint: ignore[TH401]\n    return db.aql.execute("""FOR o IN FULLTEXT(orders, "notes", @t)\n'
      '    RETURN o""")\n')),
    ("yaml_key", "config/themisdb.yaml", "cache.maxSize: 2GB\nserver.endpoint: x\n", "TH101",
     "cache.maxSize: 2GB  # themis-lint: ignore[TH101]\nserver.endpoint: x\n"),
    ("flat_conf", "themisdb.conf", "cache.maxSize: 2GB\n", "TH101", "cache.maxSize: 2GB  # themis-lint: ignore[TH101]\n"),
    ("dockerfile_whole_line_only", "Dockerfile", 'FROM themisdb/themisdb:1.3.5\nCMD ["--cache.maxSize=2GB"]\n', "TH101",
     'FROM themisdb/themisdb:1.3.5\n# themis-lint: ignore[TH101]\nCMD ["--cache.maxSize=2GB"]\n'),
    ("typescript_slashes", "web/api.ts", 'export const u = "/_admin/log";\n', "TH202",
     'export const u = "/_admin/log";  // themis-lint: ignore[TH202]\n'),
    ("aql_file", "q.aql", "FOR o IN orders\n  FILTER WITHIN(o, @lat, @lon, 10)\n  RETURN o\n", "TH402",
     "FOR o IN orders\n  FILTER WITHIN(o, @lat, @lon, 10)  // themis-lint: ignore[TH402]\n  RETURN o\n"),
    ("shell_line", "run.sh", "curl http://db/_admin/log\n", "TH202",
     "curl http://db/_admin/log  # themis-lint: ignore[TH202]\n"),
    ("python_string_ending_on_the_line", "app/q.py",
     'def f(db):\n    return db.aql.execute("""\n        FOR o IN FULLTEXT(orders, "notes", @t) RETURN o""")\n', "TH401",
     ('def f(db):\n    return db.aql.execute("""\n        FOR o IN FULLTEXT(orders, "notes", @t) RETURN o""")'
      '  # themis-lint: ignore[TH401]\n')),
    ("an_existing_list_grows", "themisdb.conf", "server.requireAuthentication: true  # themis-lint: ignore[TH101]\n",
     "TH103", "server.requireAuthentication: true  # themis-lint: ignore[TH101, TH103]\n"),
]


@pytest.mark.parametrize("name, path, text, code, expected", CASES, ids=[c[0] for c in CASES])
def test_the_comment_goes_where_it_is_a_comment(ctx, name, path, text, code, expected) -> None:
    assert suppressed(ctx, path, text, code) == expected


NOT_OFFERED = [
    ("json_has_no_comments", "data/q.json", '{"url": "/_admin/log"}\n', "TH202"),
    ("inside_a_python_triple_quoted_string", "app/q.py",
     'def f(db):\n    return db.aql.execute("""\n        FOR o IN FULLTEXT(orders, "notes", @t)\n        RETURN o""")\n',
     "TH401"),
    ("inside_a_yaml_block_scalar", "deploy/configmap.yaml",
     "data:\n  themisdb.conf: |\n    storage.journalSize: 32MB\n", "TH101"),
    ("inside_a_shell_continuation", "start.sh",
     "exec themisdb-server \\\n  --server.maximalQueueSize 2048 \\\n  --x 1\n", "TH101"),
    ("inside_a_heredoc", "run.sh", "cat <<EOF\ncurl http://db/_admin/log\nEOF\n", "TH202"),
    ("inside_a_js_template_literal", "web/api.js",
     "const q = aql`\n  FOR p IN FULLTEXT(products, \"d\", t)\n  RETURN p`;\n", "TH401"),
]


@pytest.mark.parametrize("name, path, text, code", NOT_OFFERED, ids=[c[0] for c in NOT_OFFERED])
def test_no_action_where_a_comment_would_change_the_file(ctx, name, path, text, code) -> None:
    findings = [f for f in check(text, path).findings if f.code == code]
    if not findings:  # a case that finds nothing would prove nothing
        pytest.fail(f"{name}: no {code} finding in the case's source")
    assert suppressed(ctx, path, text, code) is None
