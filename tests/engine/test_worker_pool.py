"""The run's worker processes (issue 17): started while discovery walks when every file will be
analysed, one pool for every config of a monorepo, and the same findings as one process."""
from __future__ import annotations

import json

from themis_lint import runner
from tests.helpers import invoke

LEGACY = "cache.maxSize: 1GB\nserver.requireAuthentication: true\n"


def tree(root) -> None:
    """Two configs, each governing more files than runner.PARALLEL_MIN_FILES."""
    for folder, config in ((root, 'select = ["TH101", "TH102"]\n'), (root / "svc", 'select = ["TH103"]\n')):
        folder.mkdir(exist_ok=True)
        (folder / ".themis-lint.toml").write_text(config)
        for i in range(runner.PARALLEL_MIN_FILES + 10):
            (folder / f"themisdb-{i}.yaml").write_text(LEGACY)


def started(monkeypatch) -> list[int]:
    """The worker pools the run creates (their sizes)."""
    calls: list[int] = []

    class Counted(runner.ProcessPoolExecutor):
        def __init__(self, max_workers=None, **kwargs):
            calls.append(max_workers)
            super().__init__(max_workers=max_workers, **kwargs)
    monkeypatch.setattr(runner, "ProcessPoolExecutor", Counted)
    return calls


def test_one_pool_serves_every_config(tmp_path, monkeypatch) -> None:
    tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(runner, "PRESTART_FILES", runner.PARALLEL_MIN_FILES)  # started while walking
    serial = invoke("check", "--no-cache", "--jobs", "1", "--output-format", "json", ".").output
    calls = started(monkeypatch)
    parallel = invoke("check", "--no-cache", "--jobs", "2", "--output-format", "json", ".").output
    assert serial == parallel
    assert {f["code"] for f in json.loads(serial)} == {"TH101", "TH102", "TH103"}
    assert calls == [2]  # one pool of 2 workers, started while walking, for both configs


def test_a_warm_run_starts_no_workers_while_walking(tmp_path, monkeypatch) -> None:
    tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(runner, "PRESTART_FILES", runner.PARALLEL_MIN_FILES)
    first = invoke("check", "--jobs", "2", "--output-format", "json", ".").output  # fills the cache
    calls = started(monkeypatch)
    again = invoke("check", "--jobs", "2", "--output-format", "json", ".").output
    assert first == again
    assert calls == []  # every file came from the cache: no process was needed


def test_a_smaller_tree_starts_its_workers_after_the_walk(tmp_path, monkeypatch) -> None:
    tree(tmp_path)  # more files than PARALLEL_MIN_FILES, fewer than PRESTART_FILES
    monkeypatch.chdir(tmp_path)
    calls = started(monkeypatch)
    invoke("check", "--no-cache", "--jobs", "2", "--output-format", "json", ".")
    assert calls == [2]  # one pool for both configs, started after discovery (runner._process)


def test_files_handed_over_while_walking_give_the_same_findings(tmp_path, monkeypatch) -> None:
    tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(runner, "PRESTART_FILES", 2)  # workers start at once and get the files as found
    monkeypatch.setattr(runner.Workers, "BATCH", 4)
    taken = []
    original = runner.Workers.taken

    def spy(self, target, ctx):
        outcome = original(self, target, ctx)
        taken.append(outcome is not None)
        return outcome
    monkeypatch.setattr(runner.Workers, "taken", spy)
    serial = invoke("check", "--no-cache", "--jobs", "1", "--output-format", "json", ".").output
    parallel = invoke("check", "--no-cache", "--jobs", "2", "--output-format", "json", ".").output
    assert serial == parallel
    assert any(taken)  # some outcomes came from the walk's hand-over
