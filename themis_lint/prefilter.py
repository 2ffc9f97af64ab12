"""Which surfaces a file's bytes can matter to, from the literals they declare (issue 17).

A surface is kept when the file holds one of its trigger literals (ASCII case folded, as
`bytes.lower()` folds), or only function names that must be called to matter ("within",
"fulltext": English words) and somewhere a call of one of them (`call_expression`). What counts
as a literal is the callers' business (`surfaces.prefiltered` asks each surface and the context);
this module only answers "held or not", with one of two backends that must agree on every input:

- **hyperscan** (the `hyperscan` package, native): every literal of the file's surfaces and the
  call shape compiled into one database, one pass over the bytes. The issue 17 measure on the
  real-client corpus: 0.03 s for 56 MB where the Python loop took 0.3 s.
- **python**, when hyperscan is not installed: one `lower()` copy and `in` per literal, stopping
  at the first that decides.

A process uses the python backend for its first few files: importing hyperscan and compiling a
database (~20 ms) cost more than a pre-commit run of a handful of files spends here at all.
`THEMIS_LINT_PREFILTER=python` or `=hyperscan` picks one from the first file (benchmarks, tests).
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence

# a name used as a call: not part of a longer name, a member (`.within(`), a decorator, a C++
# or Rust path (`MYLIB::FULLTEXT(`) or a quoted identifier; `(?:^|[^...])` rather than a
# lookbehind because hyperscan has none (for a search the two are the same)
_NOT_AFTER = rb"[^a-z0-9_.:@$`]"
_SPACE = rb"[ \t\n\r\x0b\x0c]"  # Python's bytes `\s`, spelled out: PCRE's \s differs by version
WARM_UP = 32  # files a process checks with the python backend before it compiles a database


def call_expression(names: Sequence[bytes]) -> bytes | None:
    """The regex (Python and hyperscan syntax alike) for a call of one of the lower-case `names`,
    to be searched in lower-cased bytes or case-insensitively; None when there are no names."""
    if not names:
        return None
    alternation = b"|".join(_hex(name) for name in sorted(names))
    return b"(?:^|" + _NOT_AFTER + b")(?:" + alternation + b")" + _SPACE + rb"*\("


def _hex(literal: bytes) -> bytes:
    """Every byte as `\\xHH`: no character means anything to either regex dialect."""
    return b"".join(b"\\x%02x" % byte for byte in literal)


def decide(literals: Sequence[bytes], names: frozenset[bytes], held: Callable[[bytes], bool],
           called: Callable[[], bool]) -> bool:
    """Keep a surface declaring `literals`? Any held literal that is not a call name decides;
    call names alone need a call. The one decision both backends share."""
    only_names = False
    for literal in literals:
        if held(literal):
            if literal not in names:
                return True
            only_names = True
    return only_names and called()


class Python:
    """The pure-Python backend: `lower()` once, `in` per literal, the call regex when needed."""

    def __init__(self, names: frozenset[bytes]):
        self.names = names
        expression = call_expression(tuple(names))
        self.call = re.compile(expression) if expression is not None else None

    def keep(self, data: bytes, literal_sets: Sequence[Sequence[bytes]]) -> list[bool]:
        lowered = data.lower()
        seen: dict[bytes, bool] = {}

        def held(literal: bytes) -> bool:
            if literal not in seen:
                seen[literal] = literal in lowered
            return seen[literal]

        call: list[bool] = []

        def called() -> bool:
            if not call:
                call.append(self.call is not None and self.call.search(lowered) is not None)
            return call[0]

        return [decide(literals, self.names, held, called) for literals in literal_sets]


class Hyperscan:
    """One hyperscan database per set of literals: each literal and the call shape, caseless,
    each reported once."""

    def __init__(self, names: frozenset[bytes], literals: Sequence[bytes]):
        import hyperscan

        self.names = names
        self.literals = tuple(dict.fromkeys(lit for lit in literals if lit))  # "" is in every file
        expressions = [_hex(lit) for lit in self.literals]
        call = call_expression(tuple(names))
        if call is not None:
            expressions.append(call)
        self.call_id = len(self.literals) if call is not None else -1
        self.db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        if expressions:
            self.db.compile(expressions=expressions, ids=list(range(len(expressions))), elements=len(expressions),
                            flags=hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH)
        self.empty = not expressions

    def found(self, data: bytes) -> set[int]:
        ids: set[int] = set()
        if not self.empty and data:
            self.db.scan(data, match_event_handler=_note, context=ids)
        return ids

    def keep(self, data: bytes, literal_sets: Sequence[Sequence[bytes]]) -> list[bool]:
        ids = self.found(data)
        present = {self.literals[i] for i in ids if i != self.call_id} | {b""}
        called = self.call_id in ids
        return [decide(literals, self.names, present.__contains__, lambda: called) for literals in literal_sets]


def _note(expression_id: int, start: int, end: int, flags: int, ids: set[int]) -> None:
    ids.add(expression_id)


class Prefilter:
    """Per process: picks the backend and keeps one compiled database per set of literals."""

    def __init__(self, backend: str | None = None):
        backend = backend or os.environ.get("THEMIS_LINT_PREFILTER", "")
        self.forced = backend in ("python", "hyperscan")
        self.native = backend == "hyperscan" or (backend != "python" and _installed("hyperscan"))
        self.checked = 0
        self._python: dict[frozenset[bytes], Python] = {}
        self._compiled: dict[tuple, Hyperscan] = {}

    @property
    def backend(self) -> str:
        """The backend the next file gets."""
        return "hyperscan" if self.native and (self.forced or self.checked >= WARM_UP) else "python"

    def keep(self, data: bytes, literal_sets: Sequence[Sequence[bytes]], names: frozenset[bytes]) -> list[bool]:
        """For each literal set (a surface's), whether the file holds what keeps that surface."""
        backend = self.backend
        self.checked += 1
        if backend == "hyperscan":
            return self._database(literal_sets, names).keep(data, literal_sets)
        if names not in self._python:
            self._python[names] = Python(names)
        return self._python[names].keep(data, literal_sets)

    def _database(self, literal_sets: Sequence[Sequence[bytes]], names: frozenset[bytes]) -> Hyperscan:
        key = (names, tuple(tuple(s) for s in literal_sets))
        if key not in self._compiled:
            self._compiled[key] = Hyperscan(names, [lit for literals in literal_sets for lit in literals])
        return self._compiled[key]


def _installed(name: str) -> bool:
    """Without importing it (~10 ms): a run that checks a few files never needs it."""
    from importlib.util import find_spec

    return find_spec(name) is not None


_prefilter: Prefilter | None = None


def warm() -> None:
    """Import hyperscan now, when it is there (runner.Workers' workers, while discovery walks)."""
    if _installed("hyperscan"):
        import hyperscan  # noqa: F401


def keep(data: bytes, literal_sets: Sequence[Sequence[bytes]], names: frozenset[bytes]) -> list[bool]:
    """The process's prefilter (a forked worker carries on with its parent's databases)."""
    global _prefilter
    if _prefilter is None:
        _prefilter = Prefilter()
    return _prefilter.keep(data, literal_sets, names)


def use(chosen: Prefilter | None = None) -> Prefilter:
    """Make `chosen` (default: a fresh one) the process's prefilter (tests compare the backends)."""
    global _prefilter
    _prefilter = chosen or Prefilter()
    return _prefilter
