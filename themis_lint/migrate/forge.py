"""Pull and merge requests through the forges' REST APIs (docs/migrate.md "Pull requests").

The standard library's HTTP client, and only the endpoints named below, with their requests and
pagination written out. A rerun finds the request by its head branch and updates it: never a
duplicate, and one a person closed is left closed. tests/fleet/test_fleet_forge.py checks these
calls against a local server answering as GitHub's and GitLab's published API documentation says
(contract tests: no forge is reachable from the test machines).

GitHub (https://docs.github.com/en/rest/pulls/pulls, .../commits/statuses, .../checks/runs):
  GET   /repos/{owner}/{repo}/pulls?head={owner}:{branch}&state=all&per_page=100   list by head
  POST  /repos/{owner}/{repo}/pulls            {title, head, base, body, draft}    create
  PATCH /repos/{owner}/{repo}/pulls/{number}   {title, body, base}                 update
  GET   /repos/{owner}/{repo}/pulls/{number}                                       state
  GET   /repos/{owner}/{repo}/commits/{sha}/status                                 combined status
  GET   /repos/{owner}/{repo}/commits/{sha}/check-runs?per_page=100                check runs (Actions)
GitLab (https://docs.gitlab.com/ee/api/merge_requests.html):
  GET   /projects/{id}/merge_requests?source_branch={branch}&state=all&per_page=100  list
  POST  /projects/{id}/merge_requests          {source_branch, target_branch, title, description}
  PUT   /projects/{id}/merge_requests/{iid}    {title, description, target_branch}
  GET   /projects/{id}/merge_requests/{iid}                                        state
  GET   /projects/{id}/merge_requests/{iid}/pipelines                              pipelines
"""
from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from themis_lint import __version__
from themis_lint.project import ProjectError

TIMEOUT = 30  # seconds per request
MAX_PAGES = 50  # 5,000 requests for one head branch is already a forge gone wrong
DEFAULTS = {"github": "https://api.github.com", "gitlab": "https://gitlab.com/api/v4"}
TOKENS = {"github": "GITHUB_TOKEN", "gitlab": "GITLAB_TOKEN"}


class ForgeError(Exception):
    """A request the forge refused or could not answer: method, path, status and its message."""


@dataclass
class PullRequest:
    number: int
    url: str
    state: str  # open | closed | merged
    head_sha: str | None = None
    checks: str = "none"  # passing | failing | pending | none
    action: str = ""  # created | updated | left closed


def make_forge(kind: str, url: str | None):
    """The client for `kind`, with its token from the environment (ProjectError without one)."""
    token = os.environ.get(TOKENS[kind], "")
    if not token:
        raise ProjectError(f"--open-pr {kind} needs a token in ${TOKENS[kind]}")
    base = (url or DEFAULTS[kind]).rstrip("/")
    if not re.match(r"^https?://", base):
        raise ProjectError(f"--forge-url {base!r}: expected the API's base URL, e.g. {DEFAULTS[kind]}")
    return (GitHub if kind == "github" else GitLab)(Http(base, token, kind))


class Http:
    """JSON over HTTP to one API base; every request and every page is explicit."""

    def __init__(self, base: str, token: str, kind: str) -> None:
        self.base = base
        self.headers = {"User-Agent": f"themis-lint/{__version__}", "Accept": "application/json"}
        if kind == "github":
            self.headers.update({"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
                                 "Authorization": f"Bearer {token}"})
        else:
            self.headers["PRIVATE-TOKEN"] = token

    def call(self, method: str, path: str, query: dict | None = None, body: dict | None = None):
        """(parsed JSON, response headers) of one request to base + path."""
        url = self.base + path + (("?" + urlencode(query)) if query else "")
        return self._send(method, url, body)

    def pages(self, path: str, query: dict, key: str | None = None) -> list:
        """Every item of a list endpoint, following `Link: <...>; rel="next"` (both forges send it;
        GitLab's X-Next-Page is the fallback), never leaving the API's base URL. `key`: the
        member holding each page's items, where the page is an object (GitHub's check runs)."""
        items, url = [], self.base + path + "?" + urlencode(query)
        for _ in range(MAX_PAGES):
            data, headers = self._send("GET", url, None)
            if key is not None and isinstance(data, dict):
                data = data.get(key)
            if not isinstance(data, list):
                raise ForgeError(f"GET {path}: expected a list, got {type(data).__name__}")
            items += data
            url = _next_page(headers, self.base + path, query)
            if url is None:
                return items
            if not url.startswith(self.base + "/"):
                raise ForgeError(f"GET {path}: the next page is outside {self.base}; not followed")
        raise ForgeError(f"GET {path}: more than {MAX_PAGES} pages")

    def _send(self, method: str, url: str, body: dict | None):
        data = None if body is None else json.dumps(body).encode()
        headers = dict(self.headers, **({"Content-Type": "application/json"} if data is not None else {}))
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        path = url[len(self.base):].split("?")[0]
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                text = response.read().decode("utf-8")
                return (json.loads(text) if text.strip() else None), response.headers
        except urllib.error.HTTPError as exc:
            raise ForgeError(f"{method} {path}: HTTP {exc.code}: {_message(exc)}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ForgeError(f"{method} {path}: {getattr(exc, 'reason', exc)}") from None


def _message(exc: urllib.error.HTTPError) -> str:
    try:
        data = json.loads(exc.read().decode("utf-8"))
    except (ValueError, OSError):
        return exc.reason or "no message"
    message = data.get("message") or data.get("error") or exc.reason if isinstance(data, dict) else exc.reason
    return str(message)[:300]


def _next_page(headers, path_url: str, query: dict) -> str | None:
    for part in (headers.get("Link") or "").split(","):
        match = re.match(r'\s*<([^>]+)>\s*;\s*rel="?next"?', part)
        if match:
            return match[1]
    following = headers.get("X-Next-Page")
    if following:
        return path_url + "?" + urlencode({**query, "page": following})
    return None


class GitHub:
    def __init__(self, http: Http) -> None:
        self.http = http

    def ensure(self, project: str, branch: str, base: str, title: str, body: str, draft: bool,
               sha: str) -> PullRequest:
        """Update the open pull request of `branch`, or open one; a closed one for this very
        commit was closed by a person: left closed."""
        owner = project.split("/")[0]
        found = self.http.pages(f"/repos/{project}/pulls", {"head": f"{owner}:{branch}", "state": "all",
                                                           "per_page": 100})
        mine = [p for p in found if p.get("head", {}).get("ref") == branch]
        for pull in mine:
            if pull["state"] == "open":
                data, _ = self.http.call("PATCH", f"/repos/{project}/pulls/{pull['number']}",
                                         body={"title": title, "body": body, "base": base})
                return _github_pr(data, "updated")
        for pull in mine:
            if pull["state"] == "closed" and not pull.get("merged_at") and pull["head"].get("sha") == sha:
                return _github_pr(pull, "left closed")
        data, _ = self.http.call("POST", f"/repos/{project}/pulls",
                                 body={"title": title, "head": branch, "base": base, "body": body, "draft": draft})
        return _github_pr(data, "created")

    def status(self, project: str, number: int) -> PullRequest:
        """The pull request's state and its head commit's checks: the commit statuses other CI
        systems set (combined status) and the check runs GitHub Actions and apps report (the
        combined status does not include those: a failing Actions run would read "none")."""
        data, _ = self.http.call("GET", f"/repos/{project}/pulls/{number}")
        pr = _github_pr(data, "")
        if pr.state == "open" and pr.head_sha:
            combined, _ = self.http.call("GET", f"/repos/{project}/commits/{pr.head_sha}/status")
            runs = self.http.pages(f"/repos/{project}/commits/{pr.head_sha}/check-runs", {"per_page": 100},
                                   key="check_runs")
            verdicts = [_GITHUB_CHECKS.get(combined.get("state"), "pending")] if combined.get("total_count") else []
            verdicts += [_check_run(run) for run in runs]
            pr.checks = next((v for v in ("failing", "pending", "passing") if v in verdicts), "none")
        return pr


_GITHUB_CHECKS = {"success": "passing", "failure": "failing", "error": "failing", "pending": "pending"}


def _check_run(run: dict) -> str:
    """One check run's verdict: not completed is pending; success, neutral and skipped pass;
    every other conclusion (failure, cancelled, timed_out, action_required, stale) fails."""
    if run.get("status") != "completed":
        return "pending"
    return "passing" if run.get("conclusion") in ("success", "neutral", "skipped") else "failing"


def _github_pr(data: dict, action: str) -> PullRequest:
    state = "merged" if data.get("merged_at") or data.get("merged") else data["state"]
    return PullRequest(int(data["number"]), data["html_url"], state, data.get("head", {}).get("sha"), action=action)


class GitLab:
    def __init__(self, http: Http) -> None:
        self.http = http

    def ensure(self, project: str, branch: str, base: str, title: str, body: str, draft: bool,
               sha: str) -> PullRequest:
        """As GitHub.ensure; a draft is a title starting with `Draft:` (GitLab's own convention)."""
        pid = quote(project, safe="")
        title = f"Draft: {title}" if draft else title
        found = self.http.pages(f"/projects/{pid}/merge_requests", {"source_branch": branch, "state": "all",
                                                                   "per_page": 100})
        mine = [m for m in found if m.get("source_branch") == branch]
        for mr in mine:
            if mr["state"] == "opened":
                data, _ = self.http.call("PUT", f"/projects/{pid}/merge_requests/{mr['iid']}",
                                         body={"title": title, "description": body, "target_branch": base})
                return _gitlab_mr(data, "updated")
        for mr in mine:
            if mr["state"] == "closed" and mr.get("sha") == sha:
                return _gitlab_mr(mr, "left closed")
        data, _ = self.http.call("POST", f"/projects/{pid}/merge_requests",
                                 body={"source_branch": branch, "target_branch": base, "title": title,
                                       "description": body})
        return _gitlab_mr(data, "created")

    def status(self, project: str, number: int) -> PullRequest:
        pid = quote(project, safe="")
        data, _ = self.http.call("GET", f"/projects/{pid}/merge_requests/{number}")
        mr = _gitlab_mr(data, "")
        if mr.state == "open":
            pipelines = self.http.pages(f"/projects/{pid}/merge_requests/{number}/pipelines", {"per_page": 20})
            mr.checks = _GITLAB_CHECKS.get(pipelines[0]["status"], "pending") if pipelines else "none"
        return mr


_GITLAB_CHECKS = {"success": "passing", "failed": "failing", "canceled": "failing", "skipped": "passing"}


def _gitlab_mr(data: dict, action: str) -> PullRequest:
    state = {"opened": "open", "locked": "open"}.get(data["state"], data["state"])
    return PullRequest(int(data["iid"]), data["web_url"], state, data.get("sha"), action=action)
