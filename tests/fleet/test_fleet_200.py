"""A 200-repository campaign end to end (issue 15): generated remotes, two shards, the first one
interrupted and resumed, then one merged report that counts every repository exactly once and
branches on the remotes for exactly the repositories that needed a change."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess

from tests.fleet.gitfarm import BROKEN, CLEAN_SH, SH, load, make_remote
from tests.helpers import invoke
from themis_lint import writer

BRANCH = "themis-lint/1.3-to-1.4"
KINDS = {  # each generated repository is a copy of one of these; one file or two, to stay fast
    "changed": {"scripts/start.sh": SH},
    "clean": {"scripts/start.sh": CLEAN_SH},
    "own-config": {"scripts/start.sh": SH, ".themis-lint.toml": 'ignore = ["TH101"]\n'},
    "needs-review": {"scripts/start.sh": SH, "deploy/themisdb.conf": BROKEN},
}
EXPECTED = {"changed": "changed", "clean": "clean", "own-config": "clean", "needs-review": "needs-review"}


def generate(tmp_path, count: int) -> dict[str, str]:
    """`count` bare remotes, copies of the KINDS templates in turn; URL -> kind."""
    templates = {kind: make_remote(tmp_path / f"templates/{kind}.git", files) for kind, files in KINDS.items()}
    fleet = {}
    for i in range(count):
        kind = list(KINDS)[i % len(KINDS)]
        target = tmp_path / f"forge/fleet/svc-{i:03d}.git"
        shutil.copytree(templates[kind].removeprefix("file://"), target)
        fleet[target.as_uri()] = kind
    return fleet


def branch_holders(urls) -> set[str]:
    held = set()
    for url in urls:
        out = subprocess.run(["git", "--git-dir", url.removeprefix("file://"), "rev-parse", "--verify", "--quiet",
                              f"refs/heads/{BRANCH}"], capture_output=True, check=False)
        if out.returncode == 0:
            held.add(url)
    return held


def stop_after_writes(monkeypatch, count: int) -> None:
    """SIGINT to this process when the count-th file is about to be written: the run stops there."""
    seen = []

    def write(path: str) -> None:
        seen.append(path)
        if len(seen) == count:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(writer, "before_write", write)


def test_a_200_repository_campaign_interrupted_resumed_and_merged(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    fleet = generate(tmp_path, 200)
    (tmp_path / "repos.txt").write_text("# generated fleet\n" + "".join(f"{url}\n" for url in fleet))
    command = ["migrate", "--no-progress", "--repos-file", "repos.txt", "--workspace", "ws", "--push"]

    stop_after_writes(monkeypatch, 30)  # in this process: one job, so the hook sees every write
    first = invoke(*command, "--jobs", "1", "--shard", "0/2", "--report", "first.json")
    assert first.exit_code == 130, first.output
    interrupted = load(tmp_path / "first.json")
    assert interrupted["interrupted"] is True and interrupted["totals"]["repositories"] == 100
    assert interrupted["totals"]["by_outcome"]["interrupted"] > 0

    monkeypatch.setattr(writer, "before_write", lambda path: None)
    resumed = invoke(*command, "--jobs", "2", "--shard", "0/2", "--report", "shard-0.json")
    other = invoke(*command, "--jobs", "2", "--shard", "1/2", "--report", "shard-1.json")
    # shard 0 holds the even repositories (changed, own-config); shard 1 the broken configs too
    assert (resumed.exit_code, other.exit_code) == (0, 1), resumed.output + other.output
    skipped = [r for r in load(tmp_path / "shard-0.json")["repositories"] if r["campaign"]["skipped"]]
    assert skipped, "the resumed shard redid everything"

    merged = invoke("merge-reports", "shard-0.json", "shard-1.json", "--report", "org.json", "--html", "org.html")
    assert merged.exit_code == 0, merged.output
    org = load(tmp_path / "org.json")
    paths = [r["path"] for r in org["repositories"]]
    assert sorted(paths) == sorted(fleet) and len(set(paths)) == 200  # each one, once
    assert {r["path"]: r["outcome"] for r in org["repositories"]} == {u: EXPECTED[k] for u, k in fleet.items()}
    assert org["totals"]["by_outcome"] == {"failed": 0, "refused": 0, "interrupted": 0, "needs-review": 50,
                                           "changed": 50, "clean": 100}
    assert org["totals"]["fixes_by_code"] == {"TH101": 100} and org["totals"]["files_changed"] == 100
    changed = {u for u, k in fleet.items() if k in ("changed", "needs-review")}
    assert branch_holders(fleet) == changed  # own-config ignores TH101 itself: no change, no branch
    assert all(r["campaign"]["state"] == "pushed" for r in org["repositories"] if r["path"] in changed)
