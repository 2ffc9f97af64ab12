"""The Python surface reads string literals with CPython 3.11's C tokenizer when it can (issue 17):
wherever that one gives an answer, it is the pure-Python tokenizer's, and wherever the pure one
rejects a text (a TH900 then), the fast path gives none and the pure one decides."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from themis_lint.analyzers import python_literals as L

ROOT = Path(__file__).resolve().parents[2]
HELPERS = frozenset({"add_skiplist_index", "ensureSkiplistIndex", "print", "self"})
needs_311 = pytest.mark.skipif(L._C_TOKENIZER is None, reason="the fast path is CPython 3.11's")


def same_answer(text: str) -> None:
    lines = L.Lines(text)
    fast = L._scan_c_tokens(text, lines, HELPERS)
    try:
        pure = L.scan_python_tokens(text, lines, HELPERS)
    except Exception:  # noqa: BLE001  the pure tokenizer rejects it: the fast path must not answer
        assert fast is None
        return
    if fast is not None:
        assert (fast.groups, fast.names) == (pure.groups, pure.names)


CASES = {
    "implicit concatenation across comments and lines": 'x = ("/_admin/"  # a\n    "log"\n\n  "/x")\n',
    "backslash continuation between strings": 'x = "a" \\\n    "b"\nadd_skiplist_index(x)\n',
    "statements of strings do not concatenate": '"a"\n"b"\n',
    "unindent to no outer level": "class A:\n        x = 'skiplist'\n    y = 2\n",
    "EOF inside brackets": "x = ('skiplist',\n",
    "backslash at EOF": "x = 'skiplist' \\",
    "backslash and newline at EOF": "x = 'skiplist' \\\n",
    "unterminated string": "x = 'skiplist\ny = 1\n",
    "unterminated triple-quoted string": 'x = """skiplist\n',
    "stray dollar": "x = $a + 'skiplist'\n",
    "python 2": "print 'skiplist'\nx = `y`\nexec 'a'\n",
    "null byte": "x = 'a'\x00\n",
    "tabs and spaces": "if x:\n\ty = 'a'\n        z = 'b'\n",
    "form feed": "\x0cx = 'a'\n\x0c  \ny = 'b'\n",
    "lone carriage returns": "x = 'a'\ry = \"b\" 'c'\r",
    "CRLF": "x = 'a'\r\ny = add_skiplist_index('b')\r\n",
    "non-ASCII before strings": "é = 'ü' + \"/_admin/log\"  # ï\n",
    "f-strings and bytes": "x = f'{a[\"skiplist\"]}' b'/_admin/log' rb'\\d' F\"{x!r:>{w}}\"\n",
    "nested brackets and decorators": "@deco(('a', [{'b': \"c\"}]))\ndef add_skiplist_index(self):\n    return ''\n",
    "comment after the last token": "x = 'a'\n# the end\n   \n",
    "extra closing bracket": "x = 'a')\n",
    "empty": "",
    "only a comment": "# skiplist\n",
}


@needs_311
@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_the_fast_path_agrees(text: str) -> None:
    same_answer(text)


@needs_311
def test_the_fast_path_answers_for_ordinary_code() -> None:
    text = CASES["implicit concatenation across comments and lines"]
    assert L._scan_c_tokens(text, L.Lines(text), HELPERS) is not None


@needs_311
@pytest.mark.parametrize("name", ["unindent to no outer level", "EOF inside brackets", "backslash at EOF"])
def test_what_the_pure_tokenizer_rejects_is_left_to_it(name: str) -> None:
    text = CASES[name]
    assert L._scan_c_tokens(text, L.Lines(text), HELPERS) is None


PIECES = ["x", " = ", "'a'", '"/_admin/log"', "f'{b}'", "b'c'", '"""d\n"""', "(", ")", "[", "]", ",", "\n",
          "\r\n", "\r", "    ", "\t", "\\\n", "# c\n", "if y:\n", "def f():\n", "add_skiplist_index", "é", "'",
          '"', "$", "\x0c", ".", ":", "print "]


@needs_311
@given(st.lists(st.sampled_from(PIECES), max_size=30))
@example(["if y:\n", "        ", "x", "\n", "    ", "x", "\n"])
@example(["(", "'a'", "\n"])
def test_the_fast_path_agrees_on_any_text(pieces: list[str]) -> None:
    same_answer("".join(pieces))


@needs_311
def test_the_fast_path_agrees_on_this_repository() -> None:
    for path in sorted(ROOT.glob("**/*.py")):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        same_answer(path.read_text(encoding="utf-8"))


def test_other_pythons_use_the_pure_tokenizer(monkeypatch) -> None:
    monkeypatch.setattr(L.sys, "version_info", (3, 12, 0))
    assert L._c_tokenizer() is None  # 3.12's tokenize is the C tokenizer already
    monkeypatch.setattr(L, "_C_TOKENIZER", None)
    text = CASES["implicit concatenation across comments and lines"]
    lines = L.Lines(text)
    assert L.scan_tokens(text, lines, HELPERS).groups == L.scan_python_tokens(text, lines, HELPERS).groups
