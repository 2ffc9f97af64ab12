"""Shell surface: endpoint paths (TH201/TH202) in `curl`/`wget`/`http` invocations and nginx configs,
AQL in `curl -d` JSON bodies (TH401/TH402, handed to the AQL surface).

docs/surfaces.md "The surfaces" (HTTP calls): shell scripts, Dockerfile `RUN`/`CMD`/`ENTRYPOINT`/`HEALTHCHECK`,
Makefile recipes, nginx configs. Words come from the shell-word tokenizer, never line regexes:
a fix is made only where a word's value maps one to one onto the file text.
"""
from __future__ import annotations

import re

from themis_lint.analyzers.endpoints import find_paths, path_finding
from themis_lint.context import Context
from themis_lint.model import AnalysisError, Finding, Fix, Safety
from themis_lint.parse import commands as C, nginx
from themis_lint.parse.shell_words import Word, exact_region, value_offsets
from themis_lint.parse.source import Source

NAME = "shell_code"
CODES = ("TH201", "TH202", "TH401", "TH402")
# the pack verbs this surface finds (themis_lint/primitives; tests/test_primitives.py checks the claim)
PRIMITIVES = ("deprecate-endpoint", "remove-endpoint", "rewrite-aql-function")
CLIENTS = {"curl", "wget", "http", "https"}  # `http`/`https`: HTTPie
CURL_BODY = {"-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--json"}
WGET_BODY = ("--post-data", "--body-data")
DECLARERS = {"export", "local", "readonly", "declare", "typeset"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=")
NO_FIX_NOTE = " (no fix: quoting or escapes in the word do not map onto the file text)"


def wants(path: str, ctx: Context) -> bool:
    return C.holds_commands(path) or nginx.is_nginx(path)


def parse_error(text: str, path: str, original: str | None = None) -> str | None:
    """The tokenizers never fail: an unterminated quote runs to the end of the text."""
    return None


def analyze(source: Source, ctx: Context) -> list[Finding]:
    text, path = source.text, source.path
    if nginx.is_nginx(path):
        return nginx_findings(text, ctx)
    return [f for site in source.sites() if site.instruction != "FROM"
            for f in command_findings(text, site.commands, ctx, path)]


# ---- words ------------------------------------------------------------------

def word_endpoint_findings(source: str, word: Word, ctx: Context) -> list[Finding]:
    """TH201/TH202 for one shell word; a fix only when the matched path stands as-is in the source."""
    hits = find_paths(word.value, ctx)
    if not hits:
        return []
    offsets = value_offsets(source, word)
    found = []
    for s, e, change in hits:
        if offsets is not None and source[offsets[s]:offsets[e - 1] + 1] == word.value[s:e]:
            found.append(path_finding(change, offsets[s], offsets[e - 1] + 1))
        else:
            finding = path_finding(change, word.start, word.end, editable=False)
            if change.get("new"):
                finding.message += NO_FIX_NOTE
            found.append(finding)
    return found


def client_index(words: list[Word]) -> int | None:
    """Index of the HTTP client word: anywhere, so `timeout 5 curl`, `kubectl exec p -- curl` count."""
    for i, word in enumerate(words):
        if C.basename(word.value) in CLIENTS:
            return i
    return None


def assignment_words(words: list[Word]) -> list[Word]:
    """`URL=...` before a command, and the arguments of `export`/`local`/`readonly`/`declare`."""
    found, i = [], 0
    while i < len(words) and _ASSIGNMENT.match(words[i].value):
        found.append(words[i])
        i += 1
    if i < len(words) and words[i].value in DECLARERS:
        found += [w for w in words[i + 1:] if _ASSIGNMENT.match(w.value)]
    return found


def command_findings(source: str, commands: list[list[Word]], ctx: Context, path: str,
                     depth: int = 0) -> list[Finding]:
    found: list[Finding] = []
    for words in commands:
        for word in assignment_words(words):
            found += word_endpoint_findings(source, word, ctx)
        at = client_index(words)
        if at is not None:
            for word in words[at + 1:]:
                found += word_endpoint_findings(source, word, ctx)
            found += body_findings(source, words[at:], ctx, path)
        if depth < C.MAX_NESTING:
            found += nested_findings(source, words, ctx, path, depth)
    return found


def nested_findings(source: str, words: list[Word], ctx: Context, path: str, depth: int) -> list[Finding]:
    """`sh -c '<script>'`: the script is followed when it stands as-is in the source."""
    found = []
    for script in C.shell_scripts(words, anywhere=True):  # anywhere in the command: `kubectl exec pod -- sh -c '...'`
        inner = C.script_commands(source, script)
        if inner is not None:
            found += command_findings(source, inner, ctx, path, depth + 1)
    return found


# ---- request bodies -----------------------------------------------------------

def _body_words(words: list[Word]) -> list[tuple[Word, int]]:
    """(word, characters to skip) holding a request body: `-d BODY`, `-dBODY`, `--post-data=BODY`."""
    program, found = C.basename(words[0].value), []
    for i, word in enumerate(words[1:], 1):
        value, nxt = word.value, words[i + 1] if i + 1 < len(words) else None
        if program == "curl":
            if value in CURL_BODY and nxt is not None:
                found.append((nxt, 0))
            elif value.startswith("-d") and len(value) > 2:
                found.append((word, 2))
        elif program == "wget":
            if value in WGET_BODY and nxt is not None:
                found.append((nxt, 0))
            elif value.startswith(tuple(opt + "=" for opt in WGET_BODY)):
                found.append((word, value.index("=") + 1))
        elif value == "--raw" and nxt is not None:  # HTTPie
            found.append((nxt, 0))
    return found


def _aql():
    from themis_lint.analyzers import aql

    return aql


def body_findings(source: str, words: list[Word], ctx: Context, path: str) -> list[Finding]:
    """JSON bodies with a `"query"` member go to the AQL surface (host offsets when the word is exact)."""
    if not ctx.finds("rewrite-aql-function"):
        return []
    found = []
    for word, skip in _body_words(words):
        body = word.value[skip:]
        if body.startswith("@") or '"query"' not in body:
            continue
        aql = _aql()
        if aql is None or not aql.could_hold_aql(body):
            continue
        base = exact_region(source, word, skip)
        if base is not None:
            # the shell's own quote characters around the body cannot appear in the AQL it writes
            taken = "".join(q for q in "'\"" if q in source[word.start:word.end])
            found += _json_queries(aql, body, base, ctx, path, taken)
            continue
        for finding in _json_queries(aql, body, 0, ctx, path):
            finding.start, finding.end, finding.fix = word.start, word.end, None
            finding.message += NO_FIX_NOTE
            found.append(finding)
    return found


def _json_queries(aql, body: str, base: int, ctx: Context, path: str, taken: str = "") -> list[Finding]:
    try:
        return aql.find_in_json_queries(body, base, ctx, path, taken)
    except AnalysisError:
        return []  # a body that is not JSON (shell variables in it) is not a query body


# ---- nginx ---------------------------------------------------------------------

def nginx_findings(text: str, ctx: Context) -> list[Finding]:
    """Endpoint paths in any nginx token (location, proxy_pass, rewrite, return, ...)."""
    found = []
    tokens = nginx.tokens(text)
    locations = {t.value for t in tokens if t.directive == "location"}
    for token in tokens:
        hits = find_paths(token.value, ctx)
        if not hits:
            continue
        quoted = text[token.start] in "'\""
        base = token.start + 1 if quoted else token.start
        for s, e, change in hits:
            if token.exact:
                finding = path_finding(change, base + s, base + e)
            else:
                finding = path_finding(change, token.start, token.end, editable=False)
                finding.message += NO_FIX_NOTE if change.get("new") else ""
            if token.directive == "location" and finding.fix is not None:
                new_path = token.value[:s] + change["new"] + token.value[e:]
                if new_path in locations:  # the new path has its block already: nginx rejects twins
                    finding.fix = None
                    finding.message += f"; a `location {new_path}` block exists already: merge them by hand"
                else:  # a new location path changes which requests the block matches: never silently
                    finding.fix = Fix(finding.fix.edits, Safety.UNSAFE, finding.fix.message)
                    finding.message += "; in a `location` the fix changes which requests the block matches"
            found.append(finding)
    return found
