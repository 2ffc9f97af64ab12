"""The walk (issue 17): themis-lint's discovery against rignore (the Rust `ignore` crate's walker,
ripgrep's), timed alternately, and whether they find the same files.

    .venv/bin/python benchmarks/bench_walk.py /tmp/themis-lint-bench/real [--runs 7]

rignore is set up as close to discovery as it goes: hidden files walked, .gitignore files read
without a git repository, .git/info/exclude read, no global excludes file, no .ignore files, the
default excludes as negated overrides, symlinks not followed (and left out, as discovery leaves
them). It has no way to give each folder the excludes of its own config (a monorepo's nested
`.themis-lint.toml`) short of a Python callback per entry. rignore is not a dependency: install
it to run this (pip install rignore).
"""
from __future__ import annotations

import argparse
import os
import stat
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from themis_lint.discovery import DEFAULT_EXCLUDES, discover  # noqa: E402


def ours() -> list[str]:
    return [t.display for t in discover(["."], list(DEFAULT_EXCLUDES))[0]]


def theirs() -> list[str]:
    import rignore

    found = []
    for path in rignore.walk(".", ignore_hidden=False, read_ignore_files=False, read_parents_ignores=True,
                             read_git_ignore=True, read_global_git_ignore=False, read_git_exclude=True,
                             require_git=False, overrides=["!" + e for e in DEFAULT_EXCLUDES], follow_links=False):
        name = os.fspath(path)
        if stat.S_ISREG(os.lstat(name).st_mode):  # one lstat: regular files only, as discovery
            found.append(name[2:] if name.startswith("./") else name)
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.chdir(args.corpus)
    times: dict[str, list[float]] = {"discovery": [], "rignore": []}
    lists = {}
    for _ in range(args.runs):
        for name, walk in (("discovery", ours), ("rignore", theirs)):
            start = time.perf_counter()
            lists[name] = walk()
            times[name].append(time.perf_counter() - start)
    for name, samples in times.items():
        print(f"{name:10s} median {statistics.median(samples):.3f} s, first {samples[0]:.3f} s, "
              f"{len(lists[name])} files")
    only_ours = sorted(set(lists["discovery"]) - set(lists["rignore"]))
    only_theirs = sorted(set(lists["rignore"]) - set(lists["discovery"]))
    print(f"only discovery: {len(only_ours)} {only_ours[:10]}")
    print(f"only rignore:   {len(only_theirs)} {only_theirs[:10]}")


if __name__ == "__main__":
    main()
