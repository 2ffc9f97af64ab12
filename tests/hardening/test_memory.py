"""Issue 18, item 17: one big file cannot take the run's memory. Each surface parses at most its
parse limit (runner.PARSE_LIMITS, from benchmarks/memory.py's measurements); a bigger file gets
an info line and is not analysed by that surface (a 19 MB JavaScript file peaked at 1.95 GB)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from themis_lint.runner import PARSE_LIMITS

MEASURE = ("import os, subprocess, sys; p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, "
           "stderr=subprocess.PIPE); err = p.stderr.read().decode(); _, status, usage = os.wait4(p.pid, 0); "
           "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss); print(err)")
UNIT = ("function handler(req, res) {\n  const url = '/_api/document/' + req.params.id;\n"
        "  return fetch(url, { method: 'GET', headers: { 'x-id': '1' } }).then(r => r.json());\n}\n")


def test_a_19_mb_javascript_file_stays_within_bounded_memory(tmp_path: Path) -> None:
    (tmp_path / "big.js").write_text("fetch('/_admin/log');\n" + UNIT * (19 * 1024 * 1024 // len(UNIT)))
    out = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "themis_lint", "check", "--no-cache",
                          "big.js"], cwd=tmp_path, capture_output=True, text=True, timeout=300).stdout
    status, peak = out.split("\n", 1)[0].split()
    assert status == "0" and int(peak) < 300 * 1024, f"peak RSS {peak} KiB"  # kilobytes on Linux
    assert "big.js: not analysed as js_code:" in out and "parse limit" in out


def test_a_file_at_the_limit_is_analysed_and_one_byte_more_is_reported(tmp_path: Path) -> None:
    limit = PARSE_LIMITS["js_code"]
    head = "fetch('/_admin/log');\n"
    text = head + "//" + "x" * (limit - len(head) - 3) + "\n"
    assert len(text) == limit
    (tmp_path / "at.js").write_text(text)
    (tmp_path / "over.js").write_text(text + "\n")
    result = subprocess.run([sys.executable, "-m", "themis_lint", "check", "--no-cache", "."], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert "at.js:1:8: TH202" in result.stdout and "over.js" not in result.stdout
    assert f"over.js: not analysed as js_code: {limit + 1} bytes is over its {limit}-byte parse limit" \
        in result.stderr


def test_every_surface_has_a_parse_limit() -> None:
    from themis_lint.surfaces import all_modules

    assert {m.NAME for m in all_modules()} <= set(PARSE_LIMITS)
