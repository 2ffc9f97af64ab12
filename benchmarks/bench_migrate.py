"""Benchmark `themis-lint migrate` over many generated repositories (issue 7).

Generates REPOS git repositories with benchmarks/generate.py (one of them a monorepo BIG
times the size of the others, so a file-level queue matters), then runs migrate on fresh
copies with each --jobs value and prints files/s and the speed-up over --jobs 1.

    python benchmarks/bench_migrate.py --repos 50 --files 200 --big 3000 --jobs 1 2
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import generate

GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.com"}


def make_fleet(out: str, repos: int, files: int, big: int, dirty: float, seed: int) -> int:
    """REPOS committed repositories below `out`; returns the number of files written."""
    rng = random.Random(seed)
    total = 0
    env = {**os.environ, **GIT_ENV}
    for i in range(repos):
        count = big if i == 0 else rng.randint(files // 2, files * 3 // 2)
        root = os.path.join(out, f"repo{i:02d}")
        generate(root, count, dirty, seed + i)
        os.remove(os.path.join(root, "manifest.json"))
        total += count
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "initial"]):
            subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=root, env=env, check=True,
                           capture_output=True)
    return total


def run_once(fleet: str, work: str, jobs: int) -> tuple[float, dict]:
    """Migrate a fresh copy of the fleet; (wall seconds, report totals)."""
    copy = os.path.join(work, f"jobs{jobs}")
    shutil.copytree(fleet, copy, symlinks=True)
    report = os.path.join(work, f"report-{jobs}.json")
    repos = sorted(os.path.join(copy, name) for name in os.listdir(copy))
    command = [sys.executable, "-c", "from themis_lint.cli import main; main()", "migrate", "--quiet",
               "--exit-zero", "--jobs", str(jobs), "--report", report, *repos]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    with open(report) as handle:
        totals = json.load(handle)["totals"]
    shutil.rmtree(copy)
    return seconds, totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=50)
    parser.add_argument("--files", type=int, default=200, help="typical files per repository")
    parser.add_argument("--big", type=int, default=3000, help="files in the one monorepo")
    parser.add_argument("--dirty", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="themis-migrate-bench-") as work:
        fleet = os.path.join(work, "fleet")
        total = make_fleet(fleet, args.repos, args.files, args.big, args.dirty, args.seed)
        print(f"{args.repos} repositories, {total} files (largest {args.big}), dirty fraction {args.dirty}")
        base = None
        for jobs in args.jobs:
            seconds, totals = run_once(fleet, work, jobs)
            base = base or seconds
            print(f"--jobs {jobs}: {seconds:6.2f} s  {total / seconds:8.0f} files/s  "
                  f"({totals['files_scanned']} analysed, {totals['files_changed']} changed, {totals['fixes']} fixes)"
                  f"  speed-up {base / seconds:.2f}x")


if __name__ == "__main__":
    main()
