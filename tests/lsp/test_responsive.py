"""A 5 MB buffer is analysed off the protocol loop, and a newer change supersedes its analysis.

Checking the 5 MB file takes tens of seconds; everything asserted here happens while it runs,
and is proven by the order of the messages (the big file's diagnostics never come first).
"""
from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from lsprotocol import types as T

from tests.lsp.client import Session, line_range, run
from themis_lint.lsp.analysis import Job
from themis_lint.lsp.workers import Pool

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-client"
FIVE_MB = 5 * 1024 * 1024


def big_text() -> str:
    unit = (SAMPLE / "app" / "db.py").read_text()
    return unit * (FIVE_MB // len(unit) + 1)


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(SAMPLE, root)
    (root / ".git").mkdir()
    return root


def test_requests_are_answered_while_a_5mb_file_is_analysed(repo) -> None:
    run(_responsive(repo))


async def _responsive(repo: Path) -> None:
    session = Session(repo)
    await session.start()
    big = session.open(repo / "app" / "big.py", big_text(), language="python")
    conf = session.open(repo / "config" / "themisdb.conf")
    assert len(await session.wait_for(conf)) == 7
    actions = await session.actions(conf, line_range(2), only=[T.CodeActionKind.QuickFix])
    assert actions[0].title == "TH101: Rename to `server.maxQueueSize`"
    assert big not in session.diagnostics  # all of that happened during the big file's analysis

    # a newer buffer supersedes the running analysis: version 1 is never published
    session.replace_all(big, big_text() + "# edited\n")
    assert await session.stop() == 0  # shutdown is answered and the process exits mid-analysis
    assert big not in session.diagnostics


def test_a_newer_job_kills_the_older_one_with_the_same_key() -> None:
    asyncio.run(_supersede())


async def _supersede() -> None:
    pool = Pool(size=2)
    try:
        path = str(SAMPLE / "app" / "big.py")
        slow = pool.submit(Job("check", path, "app/big.py", big_text(), "utf-16", 0), "check big")
        other = pool.submit(Job("check", str(SAMPLE / "a.py"), "a.py", 'URL = "/_admin/log"\n', "utf-16", 0), "check a")
        assert [i.code for i in (await other).items] == ["TH202"]  # the second worker is free meanwhile
        newer = pool.submit(Job("check", path, "app/big.py", 'requests.get("/_admin/log")\n', "utf-16", 0),
                            "check big")
        assert [i.code for i in (await newer).items] == ["TH202"]
        assert slow.cancelled()
    finally:
        pool.close()
