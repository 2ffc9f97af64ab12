"""Does every surface stay linear in the size of a file? (issue 18 item 7)

Each case builds a file of n repeated units that give the surface's finders (and fixes) work, or
an adversarial shape (one long line, a crafted comment). The whole per-file pipeline runs on it
(analysis, fix passes with their re-parses, suppressions) at n, 4n and 16n; linear code takes
4x and 16x as long, quadratic code 16x and 256x.

    python benchmarks/scaling.py [--quick] [--json out.json]

tests/hardening/test_scaling.py runs the same cases at small n with a generous bound on the ratio
(never absolute seconds); the numbers from a full run are in benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


@dataclass(frozen=True)
class Case:
    name: str
    surface: str
    path: str
    build: Callable[[int], str]
    n: int  # units in the base size: about 20-60 ms on a CI core

    def text(self, scale: int) -> str:
        return self.build(self.n * scale)


def _yaml_config(n: int) -> str:
    units = "".join(f"section{i}:\n  key{i}: value\n  other{i}: 1\n" for i in range(n))
    return "cache:\n  maxSize: 2\nstorage:\n  journalSize: 32MB\n" + units


def _json_config(n: int) -> str:
    units = ", ".join(f'"section{i}": {{"key{i}": "value", "other{i}": 1}}' for i in range(n))
    return '{"cache": {"maxSize": 2}, ' + units + "}\n"


def _compose(n: int) -> str:
    units = "".join(f"  db{i}:\n    image: themisdb:1.3\n    command: [\"themisdb-server\", \"--cache.maxSize\", "
                    f"\"{i}\", \"--server.maximalQueueSize\", \"5\"]\n" for i in range(n))
    return "services:\n" + units


def _shell(n: int) -> str:
    return "#!/bin/sh\n" + "".join(f"themisdb-server --cache.maxSize {i} --server.maximalQueueSize 5 &\n"
                                   f"curl -X POST http://db:8529/_api/collection/create -d '{{\"name\": \"c{i}\"}}'\n"
                                   for i in range(n))


def _aql(n: int) -> str:
    return "".join(f"FOR d IN FULLTEXT(articles{i}, 'text', 'prefix:db') RETURN d\n"
                   f"FOR p IN places FILTER WITHIN(p, 1.{i}, 2.5, 100) RETURN p\n" for i in range(n))


def _python(n: int) -> str:
    return "import requests\n" + "".join(
        f"db.collection('c{i}').add_skiplist_index(['a'])\n"
        f"requests.get('http://db/_admin/log?n={i}')\n"
        f"db.aql.execute(\"FOR d IN FULLTEXT(c{i}, 'a', 'b') RETURN d\")\n" for i in range(n))


def _js(n: int) -> str:
    return "".join(f"db.c{i}.createSkipList([\"a\"]);\n"
                   f"fetch('/_api/collection/create', {{method: 'POST', body: 'c{i}'}});\n"
                   f"db._query('FOR d IN FULLTEXT(c{i}, \"a\", \"b\") RETURN d');\n" for i in range(n))


def _js_skiplist_calls(n: int) -> str:
    return "db.c.createSkipList([\"a\"]);\n" * n  # issue 18: 4,000 lines took 32 s


def _js_crafted_comment(n: int) -> str:
    return "db.c.createSkipList([\"a\"]);\n//" + " createSkipList(): x" * n + "\n"  # the ReDoS


def _js_function_blanks(n: int) -> str:
    return "db.c.createSkipList([\"a\"]);\n//function" + " " * (10 * n) + "x\n"  # `\s*\*?\s*` split the run


def _data_json(n: int) -> str:
    units = ", ".join(f'{{"type": "skiplist", "fields": ["a{i}"], "name": "i{i}"}}' for i in range(n))
    return '{"indexes": [' + units + "]}\n"


def _data_yaml(n: int) -> str:
    return "indexes:\n" + "".join(f"  - type: skiplist\n    fields: [a{i}]\n" for i in range(n))


def _comment_markers(n: int) -> str:
    """A line of comment markers (each was a start for the directive regex), then directives."""
    return "#" * (40 * n) + "\ncache:\n  maxSize: 2\n" + "x: 1  # themis-lint: ignore[TH104]\n" * n


def _open_block_comments(n: int) -> str:
    return "/*" * (20 * n) + "\nfetch('/_admin/log'); // themis-lint: ignore[TH201]\n"


def _percent_query(n: int) -> str:
    return "db.aql.execute('FOR d IN FULLTEXT(c, \"a\", \"b\") RETURN d " + "%(" * (20 * n) + "' % params)\n"


def _broken_yaml_config(n: int) -> str:
    return "cache:\n  maxSize: [\n" + "".join(f"storage.k{i}: 1\n" for i in range(n))


def _one_long_line(unit: str, head: str = "", tail: str = "\n") -> Callable[[int], str]:
    return lambda n: head + unit * n + tail


CASES = [
    Case("yaml config, many sections", "server_config", "themisdb.yaml", _yaml_config, 120),
    Case("json config, many sections", "server_config", "themisdb.json", _json_config, 110),
    Case("compose commands", "command_line", "docker-compose.yml", _compose, 340),
    Case("shell script", "shell_code", "scripts/start.sh", _shell, 175),
    Case("aql file", "aql", "q.aql", _aql, 60),
    Case("aql, one long line", "aql", "q.aql", _one_long_line("FOR d IN FULLTEXT(c, 'a', 'b') RETURN d "), 135),
    Case("python client", "python_code", "app.py", _python, 30),
    Case("python, one long line", "python_code", "app.py",
         _one_long_line("'/_admin/log' + ", head="X = ", tail="''\n"), 500),
    Case("js client", "js_code", "src/app.js", _js, 80),
    Case("js skiplist calls", "js_code", "src/app.js", _js_skiplist_calls, 530),
    Case("js crafted comment", "js_code", "src/app.js", _js_crafted_comment, 3800),
    Case("js `function` and blanks", "js_code", "src/app.js", _js_function_blanks, 490),
    Case("comment markers and directives", "server_config", "themisdb.yaml", _comment_markers, 300),
    Case("open block comments", "js_code", "src/app.js", _open_block_comments, 300),
    Case("python %-format in a query", "python_code", "app.py", _percent_query, 300),
    Case("broken yaml config", "server_config", "themisdb.yaml", _broken_yaml_config, 3000),
    Case("json index data", "data_files", "indexes.json", _data_json, 170),
    Case("yaml index data", "data_files", "indexes.yaml", _data_yaml, 340),
]


def run_once(case: Case, scale: int) -> float:
    """Seconds for the whole pipeline (analysis and fixes) on the case at n * scale."""
    from themis_lint.context import default_context
    from themis_lint.model import Safety
    from themis_lint.pipeline import Options, check_source

    ctx = default_context(select=frozenset(c for c in default_context().catalogue))
    text = case.text(scale)
    gc.collect()
    gc.disable()  # CPython's collector costs more than linear on a growing heap of parse nodes
    try:          # (a YAML file of 5,000 services: 3.4x the time with it); our own code is timed
        started = time.perf_counter()
        check_source(text, case.path, ctx, Options(fix=Safety.UNSAFE))
        return time.perf_counter() - started
    finally:
        gc.enable()


def best(case: Case, scale: int, runs: int) -> float:
    return min(run_once(case, scale) for _ in range(runs))


def measure(cases: list[Case], scales: tuple[int, ...], runs: int) -> list[dict]:
    rows = []
    for case in cases:
        times = {scale: best(case, scale, runs) for scale in scales}
        rows.append({"case": case.name, "surface": case.surface, "n": case.n,
                     "seconds": {str(s): round(t, 4) for s, t in times.items()},
                     "ratios": {str(s): round(times[s] / times[scales[0]], 1) for s in scales[1:]}})
        print(f"{case.surface:<14} {case.name:<30} n={case.n:<5} "
              + "  ".join(f"{s}n {t * 1000:8.1f} ms" for s, t in times.items())
              + "  ratios " + " ".join(f"{r}" for r in rows[-1]["ratios"].values()), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n and 4n only, one run each")
    parser.add_argument("--json", help="write the rows here")
    args = parser.parse_args()
    scales = (1, 4) if args.quick else (1, 4, 16)
    rows = measure(CASES, scales, 1 if args.quick else 3)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
