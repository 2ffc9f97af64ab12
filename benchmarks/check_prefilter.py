"""Is the prefilter sound on a corpus (issue 17)? For every file a surface wants by name:

- the two prefilter backends (hyperscan, python) keep the same surfaces;
- with `--full`, every surface that finds something in the file when it analyses it without any
  prefilter is one the prefilter keeps (a dropped file with a finding is a silent wrong answer).
  TH900 does not count: a file holding no trigger literal is never parsed, by design, so a parse
  error in it is not reported.

    .venv/bin/python benchmarks/check_prefilter.py /tmp/themis-lint-bench/real [more corpora] [--full]

Exit 1 on any disagreement. The default pack, settings and excludes; one process.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from themis_lint import prefilter, surfaces  # noqa: E402
from themis_lint.context import default_context  # noqa: E402
from themis_lint.discovery import DEFAULT_EXCLUDES, discover  # noqa: E402
from themis_lint.pipeline import analyze  # noqa: E402
from themis_lint.writer import DecodeError, decode  # noqa: E402


BACKENDS = {name: prefilter.Prefilter(name) for name in ("python", "hyperscan")}


def kept_by(backend: str, path: str, data: bytes, ctx, modules) -> list[str]:
    prefilter.use(BACKENDS[backend])
    return [m.NAME for m in surfaces.prefiltered(path, data, ctx, modules)]


def finders(path: str, data: bytes, ctx, modules) -> list[str]:
    """The surfaces that report something other than TH900 when they analyse the whole file."""
    try:
        text = decode(data, path).text
    except DecodeError:
        return []
    return [m.NAME for m in modules if any(f.code != "TH900" for f in analyze(text, path, ctx, [m]))]


def check(root: str, full: bool) -> list[str]:
    ctx = default_context()
    problems = []
    cwd = os.getcwd()
    os.chdir(root)
    try:
        targets, _ = discover(["."], list(DEFAULT_EXCLUDES))
        checked = kept = 0
        for target in targets:
            modules = surfaces.wanting(target.display, ctx)
            if not modules:
                continue
            data = Path(target.path).read_bytes()
            python = kept_by("python", target.display, data, ctx, modules)
            native = kept_by("hyperscan", target.display, data, ctx, modules)
            checked += 1
            kept += bool(python)
            if python != native:
                problems.append(f"{root}/{target.display}: python keeps {python}, hyperscan {native}")
            if full:
                missed = [name for name in finders(target.display, data, ctx, modules) if name not in python]
                if missed:
                    problems.append(f"{root}/{target.display}: dropped, but {missed} find something")
    finally:
        os.chdir(cwd)
    print(f"{root}: {checked} files wanted by name, {kept} kept, {len(problems)} problems", file=sys.stderr)
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="+")
    parser.add_argument("--full", action="store_true", help="also analyse every file without the prefilter")
    args = parser.parse_args()
    problems = [p for root in args.corpora for p in check(root, args.full)]
    for line in problems:
        print(line)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
