"""AQL throughput micro-benchmark (issue 8): tokenize + find on a large generated .aql corpus.

    .venv/bin/python benchmarks/bench_aql.py              # ~5 MB of queries, best of 3
    .venv/bin/python benchmarks/bench_aql.py --mb 1 --repeat 1

Generates deterministic AQL queries (filters, sorts, subqueries, COLLECT, comments, strings,
bind parameters; about 1 in 8 uses FULLTEXT() or WITHIN()), groups them into .aql "files" of
--per-file queries, and times in this one process:
  lex      themis_lint.analyzers.aql_tokens.lex over every file;
  analyze  themis_lint.analyzers.aql.analyze (lex + bracket matching + TH401/TH402 finder and
           fix building) with themis_lint.context.default_context();
  one      lex of all queries as one text (checks that throughput does not fall with size).
Prints MB/s (1 MB = 10^6 bytes of UTF-8 source) of the best repeat, and --json writes them.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COLLS = ["orders", "users", "articles", "places", "stores", "events", "products", "invoices"]
ATTRS = ["status", "total", "created_at", "name", "region", "score", "kind", "tags"]


def query(r: random.Random, i: int) -> str:
    c, a, b = r.choice(COLLS), r.choice(ATTRS), r.choice(ATTRS)
    v = c[0]
    shape = r.randrange(16)
    if shape == 0:
        return (f'// search {c}\nFOR {v} IN FULLTEXT({c}, "{a}", @term{i % 7}, {10 + i % 40})\n'
                f"  SORT {v}.{b} DESC\n  RETURN {{ key: {v}._key, {a}: {v}.{a} }}\n")
    if shape == 1:
        return (f"FOR {v} IN {c}\n  FILTER WITHIN({v}, @lat, @lon, {1000 * (1 + i % 9)})\n"
                f"  FILTER {v}.{a} != null AND {v}.{b} >= {i % 100}\n  LIMIT 50\n  RETURN {v}\n")
    if shape == 2:
        return (f"LET near = (FOR p IN places FILTER GEO_DISTANCE([p.longitude, p.latitude], [@lon, @lat]) <= 500 "
                f"RETURN p._key)\nFOR {v} IN {c}\n  FILTER {v}.place IN near\n  RETURN {v}\n")
    if shape in (3, 4):
        return (f"/* report {i} */\nFOR {v} IN {c}\n  FILTER {v}.{a} == '{r.choice(ATTRS)}-{i}' "
                f"|| {v}.{b} =~ \"^x[0-9]+\"\n"
                f"  COLLECT k = {v}.{a} WITH COUNT INTO n\n  SORT n DESC\n  LIMIT {i % 20 + 1}\n  RETURN {{ k, n }}\n")
    if shape in (5, 6):
        return (f"FOR {v} IN @@coll{i % 3}\n  FILTER {v}.{a} IN @values && {v}.{b}[*].id ANY == @id\n"
                f"  LET extra = DOCUMENT(CONCAT('{c}/', {v}.ref))\n"
                f"  UPDATE {v} WITH {{ seen: DATE_NOW(), note: \"within budget; fulltext later\" }} IN {c}\n")
    if shape == 7:
        return (f"INSERT {{ _key: \"k{i}\", {a}: {i}, list: [1, 2, 3], nested: {{ x: 1.5e3, y: -2 }} }} "
                f"INTO {c} OPTIONS {{ overwriteMode: \"replace\" }}\n")
    if shape == 8:
        return (f"FOR u IN users\n  FOR o IN orders\n    FILTER o.user == u._key AND o.total > {i % 500}\n"
                f"    SORT o.created_at\n    RETURN MERGE(u, {{ order: o._key, at: o.created_at }})\n")
    return (f"FOR {v} IN {c}\n  FILTER {v}.{a} > {i % 1000} AND {v}.{b} < {i % 1000 + 50}  // range\n"
            f"  SORT {v}.{a}\n  LIMIT {i % 10}, 25\n  RETURN {{ id: {v}._id, {b}: {v}.{b}, d: {v}.doc.fulltext }}\n")


def corpus(megabytes: float, per_file: int, seed: int) -> list[str]:
    r = random.Random(seed)
    files, current, size, i = [], [], 0, 0
    while size < megabytes * 1_000_000:
        q = query(r, i)
        current.append(q)
        size += len(q.encode())
        i += 1
        if len(current) == per_file:
            files.append("\n".join(current))
            current = []
    if current:
        files.append("\n".join(current))
    return files


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0, help="corpus size in MB (default 5)")
    parser.add_argument("--per-file", type=int, default=20, help="queries per .aql file (default 20)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats; the best is reported (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()

    from themis_lint.analyzers.aql import analyze
    from themis_lint.analyzers.aql_tokens import lex
    from themis_lint.context import default_context

    ctx = default_context()
    files = corpus(args.mb, args.per_file, args.seed)
    total = sum(len(f.encode()) for f in files) / 1e6
    analyze("RETURN 1", "warm.aql", ctx)  # imports and first-call setup outside the timing

    t_lex, toks = best(lambda: sum(len(lex(f)) for f in files), args.repeat)
    t_an, found = best(lambda: [x for k, f in enumerate(files) for x in analyze(f, f"q{k}.aql", ctx)], args.repeat)
    whole = "\n".join(files)
    t_one, _ = best(lambda: lex(whole), args.repeat)
    codes = {}
    for f in found:
        codes[f.code] = codes.get(f.code, 0) + 1
    result = {"mb": round(total, 3), "files": len(files), "tokens": toks, "findings": codes,
              "lex_s": round(t_lex, 3), "lex_mb_s": round(total / t_lex, 2),
              "analyze_s": round(t_an, 3), "analyze_mb_s": round(total / t_an, 2),
              "lex_one_text_s": round(t_one, 3), "lex_one_text_mb_s": round(total / t_one, 2),
              "repeat": args.repeat, "python": sys.version.split()[0]}
    print(f"AQL corpus: {total:.2f} MB in {len(files)} files, {toks} tokens, findings {codes}")
    print(f"lex:      {t_lex:7.3f} s  {total / t_lex:6.2f} MB/s")
    print(f"analyze:  {t_an:7.3f} s  {total / t_an:6.2f} MB/s   (lex + find + fixes)")
    print(f"lex, one {total:.1f} MB text: {t_one:7.3f} s  {total / t_one:6.2f} MB/s")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
