"""Pull and merge requests (issue 15 item 5) and their state for --status (item 6), end to end:
real git remotes, and a local server standing in for GitHub's and GitLab's REST APIs as their
documentation describes them (tests/fleet/forgeserver.py; contract tests, 127.0.0.1 only)."""
from __future__ import annotations

import pytest

from tests.fleet import forgeserver
from tests.fleet.gitfarm import CLEAN_SH, CONF, SH, advance, by_path, load, make_remote
from tests.helpers import invoke

BRANCH = "themis-lint/1.3-to-1.4"


@pytest.fixture
def forge(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_TOKEN", forgeserver.TOKEN)
    monkeypatch.setenv("GITLAB_TOKEN", forgeserver.TOKEN)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # the test server is local, whatever the machine says
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    urls = [make_remote(tmp_path / "forge/acme/billing.git", {"config/themisdb.conf": CONF, "scripts/start.sh": SH}),
            make_remote(tmp_path / "forge/acme/catalog.git", {"scripts/start.sh": CLEAN_SH}),
            make_remote(tmp_path / "forge/acme/legacy.git", {"bin/run.sh": SH}, branch="develop")]
    (tmp_path / "repos.txt").write_text(f"{urls[0]}\n{urls[1]}\n{urls[2]} develop\n")
    server = forgeserver.serve(forgeserver.Forge(tmp_path / "forge"))
    server.urls = urls
    yield server
    server.server.shutdown()
    server.server.server_close()


def run(forge, kind: str, *args: str):
    prefix = forgeserver.GITHUB_PREFIX if kind == "github" else forgeserver.GITLAB_PREFIX
    return invoke("migrate", "--no-progress", "--repos-file", "repos.txt", "--workspace", "ws", "--open-pr", kind,
                  "--forge-url", forge.url + prefix, *args)


def test_github_pull_requests_are_opened_then_updated_never_duplicated(forge, tmp_path) -> None:
    result = run(forge, "github", "--draft", "--report", "r.json")
    assert result.exit_code == 0, result.output
    billing, legacy = forge.pulls["acme/billing"], forge.pulls["acme/legacy"]
    assert len(billing) == 1 and len(legacy) == 1 and not forge.pulls.get("acme/catalog")
    pull = billing[0]
    assert pull["head"]["ref"] == BRANCH and pull["base"]["ref"] == "main" and pull["draft"] is True
    assert legacy[0]["base"]["ref"] == "develop"
    assert pull["title"] == "themis-lint: migrate from ThemisDB 1.3 to 1.4"
    body = pull["body"]
    assert "[TH101 config-key-renamed](https://github.com/themis-lint/themis-lint/blob/main/rules/docs/" \
           "TH101-config-key-renamed.md)" in body
    assert "Unsafe fixes: review each one" in body and "- [ ] `config/themisdb.conf:4` **TH103**" in body
    assert "Manual review (from the upgrade guide)" in body and "Response format changed" in body
    assert "themis-lint check --from 1.3 --to 1.4 --fix --unsafe-fixes ." in body
    calls = forge.calls()
    assert calls.index("GET /api/v3/repos/acme/billing/pulls") < calls.index("POST /api/v3/repos/acme/billing/pulls")
    row = by_path(load(tmp_path / "r.json"))[forge.urls[0]]
    assert row["campaign"]["pr_url"] == pull["html_url"] and row["campaign"]["state"] == "pr-open"

    forge.requests.clear()
    advance(forge.urls[0], {"scripts/stop.sh": SH})  # the base moves: redone, pushed, the PR updated
    again = run(forge, "github", "--draft")
    assert again.exit_code == 0, again.output
    assert len(forge.pulls["acme/billing"]) == 1 and len(forge.pulls["acme/legacy"]) == 1
    assert "PATCH /api/v3/repos/acme/billing/pulls/1347" in forge.calls()
    assert "PATCH /api/v3/repos/acme/legacy/pulls/1347" in forge.calls()  # skipped, but its PR is kept current
    assert not [c for c in forge.calls() if c.startswith("POST")]
    assert "`scripts/stop.sh`" in forge.pulls["acme/billing"][0]["body"]
    patch = next(body for method, path, body in forge.requests if method == "PATCH" and path.endswith("/1347"))
    assert set(patch) == {"title", "body", "base"}


def test_a_pull_request_a_person_closed_stays_closed(forge) -> None:
    assert run(forge, "github").exit_code == 0
    forge.pulls["acme/billing"][0]["state"] = "closed"
    assert run(forge, "github").exit_code == 0
    assert [p["state"] for p in forge.pulls["acme/billing"]] == ["closed"]


def test_status_asks_github_for_state_and_checks(forge) -> None:
    assert run(forge, "github").exit_code == 0
    billing, legacy = forge.pulls["acme/billing"][0], forge.pulls["acme/legacy"][0]
    forge.statuses[billing["head"]["sha"]] = "failure"
    legacy.update(state="closed", merged=True, merged_at="2026-01-26T19:01:12Z")
    result = invoke("migrate", "--status", "--workspace", "ws", "--open-pr", "github", "--forge-url",
                    forge.url + forgeserver.GITHUB_PREFIX)
    assert result.exit_code == 0, result.output
    assert "3 repositories: 1 pr-merged, 1 pr-open (1 checks failing), 1 clean" in result.stdout
    assert f"GET /api/v3/repos/acme/billing/commits/{billing['head']['sha']}/status" in forge.calls()


@pytest.mark.parametrize(("runs", "status", "checks"), [
    ([("completed", "success"), ("completed", "failure")], None, "failing"),  # Actions only: no statuses
    ([("completed", "success"), ("in_progress", None)], "success", "pending"),
    ([("completed", "success"), ("completed", "skipped")], "success", "passing"),
    ([("completed", "timed_out")], "success", "failing"),
    ([], "failure", "failing"),
])
def test_status_reads_github_check_runs_as_well_as_commit_statuses(forge, runs, status, checks) -> None:
    # GitHub Actions report check runs, which the combined status leaves out: reading only the
    # latter said "checks none" for a PR whose Actions run failed
    assert run(forge, "github").exit_code == 0
    sha = forge.pulls["acme/billing"][0]["head"]["sha"]
    forge.check_runs[sha] = runs
    if status:
        forge.statuses[sha] = status
    result = invoke("migrate", "--status", "--workspace", "ws", "--open-pr", "github", "--forge-url",
                    forge.url + forgeserver.GITHUB_PREFIX)
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if "acme/billing" in line)
    assert line.endswith(f"checks {checks}")
    pages = [c for c in forge.calls() if c.startswith(f"GET /api/v3/repos/acme/billing/commits/{sha}/check-runs")]
    assert len(pages) == max(1, len(runs))  # every page followed


def test_gitlab_merge_requests_opened_updated_and_their_pipelines(forge) -> None:
    result = run(forge, "gitlab", "--draft")
    assert result.exit_code == 0, result.output
    [mr] = forge.pulls["acme/billing"]
    assert mr["title"].startswith("Draft: themis-lint: migrate") and mr["draft"] is True
    assert mr["source_branch"] == BRANCH and mr["target_branch"] == "main" and "TH103" in mr["description"]
    assert forge.pulls["acme/legacy"][0]["target_branch"] == "develop"
    assert "POST /api/v4/projects/acme%2Fbilling/merge_requests" in forge.calls()
    forge.requests.clear()
    assert run(forge, "gitlab").exit_code == 0
    assert "PUT /api/v4/projects/acme%2Fbilling/merge_requests/1" in forge.calls()
    assert len(forge.pulls["acme/billing"]) == 1 and not mr["title"].startswith("Draft:")
    forge.pipelines[mr["sha"]] = "success"
    status = invoke("migrate", "--status", "--workspace", "ws", "--open-pr", "gitlab", "--forge-url",
                    forge.url + forgeserver.GITLAB_PREFIX)
    assert "3 repositories: 2 pr-open (1 checks passing, 1 checks none), 1 clean" in status.stdout
    assert "GET /api/v4/projects/acme%2Fbilling/merge_requests/1/pipelines" in forge.calls()


def test_a_forge_error_is_reported_without_the_token(forge, tmp_path) -> None:
    forge.fail_with = (401, {"message": f"Bad credentials for token {forgeserver.TOKEN}"})
    result = run(forge, "github", "--report", "r.json", "--html", "r.html")
    assert result.exit_code == 1
    row = by_path(load(tmp_path / "r.json"))[forge.urls[0]]
    assert any("HTTP 401: Bad credentials" in e for e in row["errors"])
    texts = [result.output, (tmp_path / "r.json").read_text(), (tmp_path / "r.html").read_text(),
             (tmp_path / "ws/campaign.json").read_text()]
    assert all(forgeserver.TOKEN not in text for text in texts)
    assert load(tmp_path / "r.json")["repositories"][0]["campaign"]["state"] in ("pushed", "clean")


def test_a_forge_error_does_not_stick_to_a_repository_once_the_forge_answers(forge, tmp_path) -> None:
    forge.fail_with = (503, {"message": "Service Unavailable"})
    assert run(forge, "github").exit_code == 1
    forge.fail_with = None
    result = run(forge, "github", "--report", "r.json")
    assert result.exit_code == 0, result.output
    row = by_path(load(tmp_path / "r.json"))[forge.urls[0]]
    assert row["errors"] == [] and row["campaign"]["skipped"] and row["campaign"]["state"] == "pr-open"
    assert len(forge.pulls["acme/billing"]) == 1
