"""A local stand-in for GitHub's and GitLab's REST APIs, on 127.0.0.1 only: exactly the endpoints
themis_lint.migrate.forge calls, with request checks and response bodies shaped as the published
API documentation shows them (the field names and example values of docs.github.com/en/rest/pulls,
/commits/statuses and docs.gitlab.com/ee/api/merge_requests.html). These are contract tests: no
forge is reachable from the test machines.

Head commits are real: the server reads branches from the bare repositories the tests push to.
Every list answers one item per page with `Link` headers (GitLab also `X-Next-Page`), so the
client's pagination is exercised on every call.
"""
from __future__ import annotations

import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

TOKEN = "ghp_fakeTokenForTests0123456789"
GITHUB_PREFIX = "/api/v3"  # GitHub Enterprise's API base, as --forge-url names it
GITLAB_PREFIX = "/api/v4"


class Forge:
    """The server's data: pull/merge requests by project, the requests it received."""

    def __init__(self, remotes: Path) -> None:
        self.remotes = remotes  # <remotes>/<owner>/<name>.git
        self.pulls: dict[str, list[dict]] = {}
        self.requests: list[tuple[str, str, dict | None]] = []
        self.statuses: dict[str, str] = {}  # sha -> success | failure | pending (GitHub)
        self.check_runs: dict[str, list[tuple[str, str | None]]] = {}  # sha -> [(status, conclusion)] (GitHub)
        self.pipelines: dict[str, str] = {}  # sha -> success | failed | running (GitLab)
        self.fail_with: tuple[int, dict] | None = None
        self.server: ThreadingHTTPServer | None = None
        self.lock = threading.Lock()  # the client sends requests from several threads

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def head_sha(self, project: str, branch: str) -> str | None:
        out = subprocess.run(["git", "--git-dir", str(self.remotes / f"{project}.git"), "rev-parse", "--verify",
                              "--quiet", f"refs/heads/{branch}"], capture_output=True, text=True, check=False)
        return out.stdout.strip() or None

    def calls(self) -> list[str]:
        return [f"{method} {path}" for method, path, _ in self.requests]


def serve(forge: Forge) -> Forge:
    handler = type("Handler", (Handler,), {"forge": forge})
    forge.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=forge.server.serve_forever, daemon=True).start()
    return forge


class Handler(BaseHTTPRequestHandler):
    forge: Forge

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        with self.forge.lock:
            self._locked(method, parts, body)

    def _locked(self, method: str, parts, body: dict | None) -> None:
        self.forge.requests.append((method, parts.path, body))
        if self.forge.fail_with is not None:
            return self._answer(*self.forge.fail_with)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path.startswith(GITHUB_PREFIX + "/"):
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._answer(401, {"message": "Bad credentials",
                                          "documentation_url": "https://docs.github.com/rest"})
            if self.headers.get("Accept") != "application/vnd.github+json" or not self.headers.get(
                    "X-GitHub-Api-Version") or not self.headers.get("User-Agent"):
                return self._answer(400, {"message": "missing the headers GitHub's documentation asks for"})
            return github(self, method, parts.path[len(GITHUB_PREFIX):].split("/")[1:], query, body)
        if parts.path.startswith(GITLAB_PREFIX + "/"):
            if self.headers.get("PRIVATE-TOKEN") != TOKEN:
                return self._answer(401, {"message": "401 Unauthorized"})
            return gitlab(self, method, parts.path[len(GITLAB_PREFIX):].split("/")[1:], query, body)
        return self._answer(404, {"message": "Not Found"})

    def _answer(self, status: int, data, headers: dict | None = None) -> None:
        text = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(text)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(text)

    def page(self, items: list, query: dict, path: str, gitlab_headers: bool = False) -> None:
        """One item per page, `Link: <next>; rel="next"` as both forges send it."""
        number = int(query.get("page", "1"))
        chunk = items[number - 1:number]
        headers = {}
        if number < len(items):
            following = {**query, "page": str(number + 1)}
            link = self.forge.url + path + "?" + "&".join(f"{k}={v}" for k, v in following.items())
            headers["Link"] = f'<{link}>; rel="next"'
            if gitlab_headers:
                headers["X-Next-Page"] = str(number + 1)
        if gitlab_headers:
            headers.update({"X-Page": str(number), "X-Per-Page": "1", "X-Total": str(len(items))})
        self._answer(200, chunk, headers)


# --- GitHub: https://docs.github.com/en/rest/pulls/pulls and /commits/statuses --------------------

def github(h: Handler, method: str, segments: list[str], query: dict, body: dict | None) -> None:
    forge = h.forge
    if len(segments) < 4 or segments[0] != "repos":
        return h._answer(404, {"message": "Not Found"})
    project = f"{segments[1]}/{segments[2]}"
    pulls = forge.pulls.setdefault(project, [])
    rest = segments[3:]
    if rest == ["pulls"] and method == "GET":
        owner, _, branch = query.get("head", ":").partition(":")
        found = [p for p in pulls if (not branch or (p["head"]["ref"] == branch and owner == segments[1]))
                 and query.get("state", "open") in ("all", p["state"])]
        return h.page(found, query, GITHUB_PREFIX + "/" + "/".join(segments))
    if rest == ["pulls"] and method == "POST":
        missing = [k for k in ("title", "head", "base") if not body or k not in body]
        if missing:
            return h._answer(422, {"message": "Validation Failed", "errors": [{"field": k, "code": "missing_field"}
                                                                           for k in missing]})
        if any(p["state"] == "open" and p["head"]["ref"] == body["head"] for p in pulls):
            return h._answer(422, {"message": "Validation Failed", "errors": [
                {"resource": "PullRequest", "code": "custom",
                 "message": f"A pull request already exists for {segments[1]}:{body['head']}."}]})
        sha = forge.head_sha(project, body["head"])
        if sha is None:
            return h._answer(422, {"message": "Validation Failed", "errors": [{"field": "head", "code": "invalid"}]})
        number = 1347 + len(pulls)  # numbers count per repository, as on GitHub
        pull = {"url": f"{forge.url}{GITHUB_PREFIX}/repos/{project}/pulls/{number}", "id": 1296269 + number,
                "html_url": f"https://github.example.com/{project}/pull/{number}", "number": number,
                "state": "open", "locked": False, "title": body["title"], "body": body.get("body"),
                "draft": bool(body.get("draft")), "merged": False, "merged_at": None, "closed_at": None,
                "user": {"login": "octocat", "id": 1}, "head": {"label": f"{segments[1]}:{body['head']}",
                                                                "ref": body["head"], "sha": sha},
                "base": {"label": f"{segments[1]}:{body['base']}", "ref": body["base"],
                         "sha": forge.head_sha(project, body["base"])}}
        pulls.append(pull)
        return h._answer(201, pull)
    if len(rest) == 2 and rest[0] == "pulls":
        pull = next((p for p in pulls if str(p["number"]) == rest[1]), None)
        if pull is None:
            return h._answer(404, {"message": "Not Found"})
        if method == "PATCH":
            unknown = set(body or {}) - {"title", "body", "state", "base", "maintainer_can_modify"}
            if unknown:
                return h._answer(422, {"message": "Validation Failed", "errors": sorted(unknown)})
            pull.update({k: v for k, v in body.items() if k in ("title", "body", "state")})
            if "base" in body:
                pull["base"]["ref"] = body["base"]
            pull["head"]["sha"] = forge.head_sha(project, pull["head"]["ref"]) or pull["head"]["sha"]
        return h._answer(200, pull)
    if len(rest) == 3 and rest[0] == "commits" and rest[2] == "status" and method == "GET":
        state = forge.statuses.get(rest[1])
        statuses = [] if state is None else [{"state": state, "context": "ci/test", "description": "CI"}]
        return h._answer(200, {"state": state or "pending", "sha": rest[1], "total_count": len(statuses),
                               "statuses": statuses, "repository": {"full_name": project}})
    if len(rest) == 3 and rest[0] == "commits" and rest[2] == "check-runs" and method == "GET":
        # https://docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference: an object
        # with total_count and check_runs, paginated by the Link header (one run a page here, as
        # `page` does, so the client's pagination is exercised)
        runs = [{"id": 4 + i, "head_sha": rest[1], "name": f"job {i}", "status": status, "conclusion": conclusion,
                 "app": {"slug": "github-actions"}} for i, (status, conclusion) in
                enumerate(forge.check_runs.get(rest[1], []))]
        number = int(query.get("page", "1"))
        headers = {}
        if number < len(runs):
            following = urlencode({**query, "page": number + 1})
            headers["Link"] = f'<{forge.url}{GITHUB_PREFIX}/{"/".join(segments)}?{following}>; rel="next"'
        return h._answer(200, {"total_count": len(runs), "check_runs": runs[number - 1:number]}, headers)
    return h._answer(404, {"message": "Not Found"})


# --- GitLab: https://docs.gitlab.com/ee/api/merge_requests.html -------------------------------------

def gitlab(h: Handler, method: str, segments: list[str], query: dict, body: dict | None) -> None:
    forge = h.forge
    if len(segments) < 3 or segments[0] != "projects" or segments[2] != "merge_requests":
        return h._answer(404, {"message": "404 Not Found"})
    project = unquote(segments[1])
    if "/" not in project:  # the client sends the path URL-encoded: `acme%2Fbilling`
        return h._answer(404, {"message": "404 Project Not Found"})
    mrs = forge.pulls.setdefault(project, [])
    rest = segments[3:]
    if not rest and method == "GET":
        found = [m for m in mrs if m["source_branch"] == query.get("source_branch", m["source_branch"])
                 and query.get("state", "all") in ("all", m["state"])]
        return h.page(found, query, GITLAB_PREFIX + "/" + "/".join(segments), gitlab_headers=True)
    if not rest and method == "POST":
        missing = [k for k in ("source_branch", "target_branch", "title") if not body or k not in body]
        if missing:
            return h._answer(400, {"message": f"{missing[0]} is missing"})
        if any(m["state"] == "opened" and m["source_branch"] == body["source_branch"]
               and m["target_branch"] == body["target_branch"] for m in mrs):
            return h._answer(409, {"message": ["Another open merge request already exists for this source branch"]})
        iid = 1 + len(mrs)
        mr = {"id": 84 + iid, "iid": iid, "project_id": 3, "title": body["title"],
              "description": body.get("description"), "state": "opened", "source_branch": body["source_branch"],
              "target_branch": body["target_branch"], "draft": body["title"].startswith("Draft:"),
              "work_in_progress": body["title"].startswith("Draft:"), "merge_status": "can_be_merged",
              "sha": forge.head_sha(project, body["source_branch"]), "merged_at": None,
              "web_url": f"https://gitlab.example.com/{project}/-/merge_requests/{iid}",
              "author": {"id": 1, "username": "admin"}}
        mrs.append(mr)
        return h._answer(201, mr)
    mr = next((m for m in mrs if str(m["iid"]) == rest[0]), None) if rest else None
    if mr is None:
        return h._answer(404, {"message": "404 Not found"})
    if len(rest) == 1 and method == "PUT":
        unknown = set(body or {}) - {"title", "description", "target_branch", "state_event"}
        if unknown:
            return h._answer(400, {"message": f"unknown {sorted(unknown)}"})
        mr.update({k: v for k, v in body.items() if k in ("title", "description", "target_branch")})
        mr["draft"] = mr["title"].startswith("Draft:")
        mr["sha"] = forge.head_sha(project, mr["source_branch"]) or mr["sha"]
        return h._answer(200, mr)
    if len(rest) == 1 and method == "GET":
        return h._answer(200, mr)
    if rest[1:] == ["pipelines"] and method == "GET":
        status = forge.pipelines.get(mr["sha"])
        items = [] if status is None else [{"id": 77, "sha": mr["sha"], "ref": mr["source_branch"],
                                            "status": status, "web_url": "https://gitlab.example.com/p/77"}]
        return h.page(items, query, GITLAB_PREFIX + "/" + "/".join(segments), gitlab_headers=True)
    return h._answer(404, {"message": "404 Not found"})
