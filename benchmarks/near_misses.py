"""Where the parse time goes (issue 17): per surface, the files that pass the prefilter, how many of
them yield a finding, and what the others (the near misses) cost.

    .venv/bin/python benchmarks/near_misses.py /tmp/themis-lint-bench/real [--top 15] [--json out.json]

One process, no cache, the default pack and settings. Each kept (file, surface) pair is analysed
alone and timed (`pipeline.analyze` with that one surface), so a parse two surfaces share is
counted for both; the totals therefore overstate the run a little, but the split between files
with and without findings is what matters here. For every near miss it records which trigger
literals are in the file, to tell what let it through.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from themis_lint import surfaces  # noqa: E402
from themis_lint.context import default_context  # noqa: E402
from themis_lint.discovery import DEFAULT_EXCLUDES, discover  # noqa: E402
from themis_lint.pipeline import analyze  # noqa: E402
from themis_lint.writer import DecodeError, decode  # noqa: E402


def literals_in(data: bytes, ctx) -> list[str]:
    lowered = data.lower()
    return [t.decode() for t in ctx.trigger_bytes() if t in lowered]


def profile(root: str) -> dict:
    ctx = default_context()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        targets, _ = discover(["."], list(DEFAULT_EXCLUDES))
        stats: dict[str, dict] = defaultdict(lambda: {"wanted": 0, "kept": 0, "found": 0, "s_found": 0.0,
                                                      "s_miss": 0.0, "why": Counter(), "slow": []})
        prefilter_s = 0.0
        for target in targets:
            modules = surfaces.wanting(target.display, ctx)
            if not modules:
                continue
            data = Path(target.path).read_bytes()
            for m in modules:
                stats[m.NAME]["wanted"] += 1
            start = time.perf_counter()
            kept = surfaces.prefiltered(target.display, data, ctx, modules)
            prefilter_s += time.perf_counter() - start
            if not kept:
                continue
            try:
                text = decode(data, target.display).text
            except DecodeError:
                continue
            for m in kept:
                one(stats[m.NAME], m, text, target.display, ctx, data)
    finally:
        os.chdir(cwd)
    return {"files": len(targets), "prefilter_s": round(prefilter_s, 3),
            "surfaces": {name: _public(s) for name, s in stats.items()}}


def one(s: dict, module, text: str, path: str, ctx, data: bytes) -> None:
    start = time.perf_counter()
    found = analyze(text, path, ctx, [module])
    spent = time.perf_counter() - start
    s["kept"] += 1
    if found:
        s["found"] += 1
        s["s_found"] += spent
        return
    s["s_miss"] += spent
    why = literals_in(data, ctx) or ["(claimed by name, or its own triggers)"]
    s["why"][" + ".join(why)] += 1
    s["slow"].append((round(spent, 4), path, why))


def _public(s: dict) -> dict:
    return {**{k: v for k, v in s.items() if k not in ("why", "slow")},
            "s_found": round(s["s_found"], 3), "s_miss": round(s["s_miss"], 3),
            "why": s["why"].most_common(12), "slow": sorted(s["slow"], reverse=True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--json")
    args = parser.parse_args()
    result = profile(args.corpus)
    print(f"{result['files']} files; prefilter {result['prefilter_s']} s")
    print("| surface | wanted | passed prefilter | with findings | s (with) | near misses | s (near misses) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, s in sorted(result["surfaces"].items(), key=lambda kv: -kv[1]["s_miss"]):
        print(f"| {name} | {s['wanted']} | {s['kept']} | {s['found']} | {s['s_found']:.3f} | "
              f"{s['kept'] - s['found']} | {s['s_miss']:.3f} |")
    for name, s in result["surfaces"].items():
        print(f"\n## {name}: what let the near misses through")
        for why, n in s["why"]:
            print(f"  {n:5d}  {why}")
        print("  slowest:")
        for spent, path, why in s["slow"][:args.top]:
            print(f"  {spent:8.4f}  {path}  ({', '.join(why)})")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
