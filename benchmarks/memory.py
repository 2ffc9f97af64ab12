"""Peak memory of checking one big file, per surface (issue 18 item 17).

Generates ordinary code or config of the given sizes (a few findings at the top, the rest
plain), runs `themis-lint check --no-cache FILE` in a child process and reports its peak RSS
(os.wait4, measured from a small intermediate process: a child forked from a big parent
inherits the parent's high-water mark). The parsers need many times a file's size in memory
(tree-sitter, ast, ruamel/libyaml nodes); the per-surface parse limits keep the peak bounded.

    python benchmarks/memory.py [--sizes 1,4,19] [--json out.json]

Numbers from a run are in benchmarks/README.md ("Memory per file").
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

MEASURE = ("import os, subprocess, sys; p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, "
           "stderr=subprocess.PIPE); err = p.stderr.read(); _, status, usage = os.wait4(p.pid, 0); "
           "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss, err.decode(errors='replace').count('\\n'))")


def _js(i: int) -> str:
    return (f"function handler{i}(req, res) {{\n  const url = '/_api/document/' + req.params.id + '?rev={i}';\n"
            f"  const opts = {{ method: 'GET', headers: {{ 'x-id': \"{i}\" }}, timeout: {i % 100} }};\n"
            f"  return fetch(url, opts).then(r => r.json()).then(d => res.send({{ ok: true, n: {i} }}));\n}}\n")


def _python(i: int) -> str:
    return (f"def handler{i}(req):\n    url = '/_api/document/' + req.id + '?rev={i}'\n"
            f"    return fetch(url, {{'method': 'GET', 'n': {i}, 'items': [1, 2, 3]}})\n\n")


def _yaml(i: int) -> str:
    return f"section{i}:\n  key{i}: value\n  list{i}: [1, 2, 3]\n"


def _json(i: int) -> str:
    return f'{{"type": "persistent", "fields": ["a{i}"], "name": "i{i}"}},\n'


KINDS = {  # surface: (file name, first lines with findings, unit, last lines)
    "js_code": ("big.js", "fetch('/_admin/log');\n", _js, ""),
    "python_code": ("big.py", "requests.get('/_admin/log')\n", _python, ""),
    "server_config": ("themisdb.yaml", "cache:\n  maxSize: 2\n", _yaml, ""),
    "data_files": ("indexes.json", '{"indexes": [{"type": "skiplist", "fields": ["a"]},\n', _json,
                   '{"type": "persistent", "fields": ["z"]}]}\n'),
}


def write(folder: Path, surface: str, mib: float) -> Path:
    name, head, unit, tail = KINDS[surface]
    path = folder / name
    with open(path, "w") as handle:
        handle.write(head)
        i = 0
        while handle.tell() < mib * 1024 * 1024:
            handle.write("".join(unit(i + k) for k in range(200)))
            i += 200
        handle.write(tail)
    return path


def peak(path: Path) -> tuple[int, int, int]:
    """(exit code, peak RSS in MiB, stderr lines) of checking one file."""
    out = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "themis_lint", "check", "--no-cache",
                          path.name], cwd=path.parent, capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), int(out[1]) // 1024, int(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,4,19", help="file sizes in MiB, comma-separated")
    parser.add_argument("--json", help="write the rows here")
    args = parser.parse_args()
    rows = []
    for surface in KINDS:
        for mib in (float(s) for s in args.sizes.split(",")):
            with tempfile.TemporaryDirectory() as folder:
                path = write(Path(folder), surface, mib)
                code, rss, notes = peak(path)
                rows.append({"surface": surface, "mib": mib, "peak_mib": rss, "exit": code})
                print(f"{surface:<14} {mib:5.1f} MiB  peak {rss:5d} MiB  exit {code}  stderr lines {notes}",
                      flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    main()
