"""Baselines (docs/cli.md `--baseline`, `--write-baseline`): known findings recorded by fingerprint.

A fingerprint hashes the code, the path, the matched text and the occurrence index of that
text among the file's findings of the same code, never the line number: adding unrelated
lines above a finding keeps it known. A zero-width finding (a missing key) has no matched
text; its message stands in for it.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

from themis_lint import toolfiles
from themis_lint.model import Finding

FORMAT_VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read or written."""


@dataclass(frozen=True)
class Entry:
    code: str
    path: str
    matched: str
    occurrence: int
    fingerprint: str

    def as_dict(self) -> dict:
        return {"code": self.code, "path": self.path, "matched": self.matched, "occurrence": self.occurrence,
                "fingerprint": self.fingerprint}


def identity(f: Finding) -> str:
    """What stays the same when the finding moves: its matched text (or message if zero-width)."""
    return f.matched if f.matched else f.message


def fingerprint(code: str, path: str, matched: str, occurrence: int) -> str:
    data = "\0".join((code, path, matched, str(occurrence))).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:32]


def assign_fingerprints(findings: list[Finding]) -> list[Finding]:
    """Set `extra["fingerprint"]` and `extra["occurrence"]` on every finding (in place)."""
    seen: dict[tuple[str, str, str], int] = {}
    for f in sorted(findings, key=lambda f: (f.path, f.start, f.end, f.code, f.message)):
        key = (f.code, f.path, identity(f))
        index = seen.get(key, 0)
        seen[key] = index + 1
        f.extra["occurrence"] = index
        f.extra["fingerprint"] = fingerprint(f.code, f.path, key[2], index)
    return findings


def entry_of(f: Finding) -> Entry:
    if "fingerprint" not in f.extra:
        raise ValueError("assign_fingerprints first")
    return Entry(f.code, f.path, identity(f), f.extra["occurrence"], f.extra["fingerprint"])


def dumps(entries: list[Entry]) -> str:
    """Sorted, stable JSON: indent 2, keys sorted, trailing newline."""
    ordered = sorted(set(entries), key=lambda e: (e.path, e.code, e.matched, e.occurrence, e.fingerprint))
    doc = {"tool": "themis-lint", "version": FORMAT_VERSION, "findings": [e.as_dict() for e in ordered]}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(path: str, findings: list[Finding]) -> int:
    """Record `findings` (fingerprints assigned) in `path`; the number of entries. An existing
    file that is not a baseline is never overwritten (`--write-baseline app.py` is a slip)."""
    entries = [entry_of(f) for f in findings]
    _refuse_foreign(path)
    try:
        toolfiles.write(path, dumps(entries))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write baseline: {exc.strerror or exc}") from exc
    return len(set(entries))


def _read(path: str) -> bytes:
    # a FIFO or device named as the baseline is an error, never a hang
    from themis_lint.safe_io import read_regular

    return read_regular(path, follow=True)


def _refuse_foreign(path: str) -> None:
    try:
        data = _read(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write baseline: {exc.strerror or exc}") from exc
    if data.strip() and toolfiles.kind(data) != "a baseline":
        raise BaselineError(f"{path}: not overwritten: it is not a themis-lint baseline")


def load(path: str) -> list[Entry]:
    try:
        doc = json.loads(_read(path))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise BaselineError(f"{path}: not a themis-lint baseline: {exc}") from exc
    items = doc.get("findings") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise BaselineError(f"{path}: not a themis-lint baseline: no `findings` list")
    entries = []
    for i, item in enumerate(items):
        try:
            entries.append(Entry(str(item["code"]), str(item["path"]), str(item.get("matched", "")),
                                 int(item.get("occurrence", 0)), str(item["fingerprint"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise BaselineError(f"{path}: entry {i + 1}: needs `code`, `path` and `fingerprint`") from exc
    return entries


def split(findings: list[Finding], entries: list[Entry]) -> tuple[list[Finding], list[Entry]]:
    """(findings not in the baseline, baseline entries no finding matched)."""
    known = {e.fingerprint for e in entries}
    current = {f.extra["fingerprint"] for f in findings}
    new = [f for f in findings if f.extra["fingerprint"] not in known]
    stale = [e for e in entries if e.fingerprint not in current]
    return new, stale


def in_scope(entry: Entry, paths: list[str]) -> bool:
    """Was the entry's file part of this run's paths? Stale entries are judged only there."""
    target = os.path.normpath(entry.path)
    for given in paths:
        root = os.path.normpath(given.replace("\\", "/"))
        if root == "." or target == root or target.startswith(root.rstrip("/") + "/"):
            return True
    return False


def prune(path: str, entries: list[Entry], stale: list[Entry]) -> None:
    """Rewrite the baseline without its stale entries (the TH901 fix for a baseline)."""
    gone = set(stale)
    try:
        toolfiles.write(path, dumps([e for e in entries if e not in gone]))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write baseline: {exc.strerror or exc}") from exc


def stale_findings(path: str, stale: list[Entry]) -> list[Finding]:
    """TH901 findings in the baseline file, one per stale entry, at the entry's object."""
    from themis_lint.parse import json_spans
    from themis_lint.model import Edit, Fix, Safety
    from themis_lint.text import LineIndex

    text = _read(path).decode("utf-8")
    spans = _entry_spans(json_spans.parse(text))
    index = LineIndex(text)
    display = path.replace(os.sep, "/")
    out = []
    for entry in stale:
        start, end, removal = spans.get(entry.fingerprint, (0, 0, (0, 0)))
        fix = Fix((Edit(removal[0], removal[1], ""),), Safety.SAFE, "Remove the stale baseline entry")
        f = Finding("TH901", f"Unused baseline entry: {entry.code} in {entry.path} "
                             f"(`{_short(entry.matched)}`) matched no finding", start, end, fix=fix,
                    path=display, matched=text[start:end])
        f.row, f.column = index.position(start)
        f.end_row, f.end_column = index.position(end)
        f.extra["edit_positions"] = [("", index.position(removal[0]), index.position(removal[1]))]
        out.append(f)
    return out


def _entry_spans(root) -> dict[str, tuple[int, int, tuple[int, int]]]:
    """fingerprint -> (object start, object end, span removing it with its comma)."""
    array = next((m.value for m in root.members if m.key == "findings"), None) if root.kind == "object" else None
    if array is None or array.kind != "array":
        return {}
    items, spans = array.items, {}
    for i, item in enumerate(items):
        fp = next((m.value.value for m in item.members if m.key == "fingerprint"), None)
        if len(items) == 1:
            removal = (array.start + 1, array.end - 1)
        elif i + 1 < len(items):
            removal = (item.start, items[i + 1].start)
        else:
            removal = (items[i - 1].end, item.end)
        spans[str(fp)] = (item.start, item.end, removal)
    return spans


def _short(text: str, limit: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 1] + "…"
