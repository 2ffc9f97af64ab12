"""A fleet campaign: `migrate --repos-file` (docs/migrate.md "Campaigns", issue 15 items 4-6).

Clone (or fetch) every listed repository into the workspace, migrate the ones not already done at
their current base through the same run as local paths (run.migrate_repos), then push the
campaign branch, open or update a pull request, and record each repository's state. Each stage
is safe to repeat: a rerun skips what is done, redoes what the base moved under, and picks up a
push or pull request an earlier run did not get to.
"""
from __future__ import annotations

import json
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import click

from themis_lint.migrate import git, repolist, state
from themis_lint.migrate.pool import StopFlag
from themis_lint.migrate.types import MigrateRequest, RepoRun


@dataclass
class Campaign:
    repos_file: str | None = None
    workspace: str | None = None
    push: bool = False
    forge: str | None = None  # github | gitlab
    forge_url: str | None = None
    draft: bool = False


@dataclass
class Unit:
    """One listed repository and its clone in the workspace."""

    entry: repolist.Entry
    folder: str
    known: dict = field(default_factory=dict)  # its state entry from earlier runs
    base_branch: str | None = None
    base: str | None = None  # the base branch's commit now
    skip: bool = False  # done at this very base: not migrated again
    problem: str = ""  # the clone or fetch failed
    repo: RepoRun | None = None
    stage_errors: list[str] = field(default_factory=list)  # this run's push or pull request


def default_workspace(branch: str) -> str:
    """In the user cache, one per campaign branch: two campaigns never share clones or state."""
    from themis_lint.userdirs import UntrustedFolder, cache_folder, open_private_folder

    try:  # the cache folder is created 0700 here, never 0755 by a makedirs below (userdirs)
        os.close(open_private_folder(cache_folder()))
    except UntrustedFolder:
        pass  # not ours to refuse here; `check` says why it runs without the result cache
    return os.path.join(cache_folder(), "campaigns", re.sub(r"[^A-Za-z0-9._-]+", "_", branch))


class Secrets:
    """What must never reach a report, the state file or the terminal: tokens and URL credentials."""

    def __init__(self, entries: list[repolist.Entry]) -> None:
        from urllib.parse import urlsplit

        values = {os.environ.get("GITHUB_TOKEN", ""), os.environ.get("GITLAB_TOKEN", "")}
        for entry in entries:
            if "://" in entry.url:
                parts = urlsplit(entry.url)
                values |= {parts.username or "", parts.password or ""}
        self.values = sorted((v for v in values if len(v) >= 4), key=len, reverse=True)

    def scrub(self, text: str) -> str:
        text = repolist.redact(text)
        for value in self.values:
            text = text.replace(value, "***")
        return text

    def scrub_data(self, data):
        return json.loads(self.scrub(json.dumps(data, ensure_ascii=False)))


def run_campaign(setup, projects, req: MigrateRequest, campaign: Campaign) -> int:
    """The whole campaign run; the exit code as for local paths."""
    from themis_lint.migrate.forge import make_forge

    if not setup.chain:
        click.echo(f"themis-lint: no breaking changes between {setup.ctx.pack.from_version} and "
                   f"{setup.ctx.pack.to_version}", err=True)
        return 0
    entries = repolist.shard(repolist.parse(campaign.repos_file), req.shard)
    workspace = os.path.abspath(campaign.workspace or default_workspace(req.branch))
    secrets = Secrets(entries)
    forge = make_forge(campaign.forge, campaign.forge_url) if campaign.forge else None
    if req.writes:
        state.claim(workspace, {"branch": req.branch, "pack": setup.ctx.pack.name})
    known = state.read(workspace)["repositories"]
    stop = StopFlag()
    stop.install()
    try:
        return _run(setup, projects, req, campaign, entries, workspace, known, secrets, forge, stop)
    finally:
        stop.restore()


def _run(setup, projects, req, campaign, entries, workspace, known, secrets, forge, stop) -> int:
    from themis_lint.migrate.output import show_results
    from themis_lint.migrate.run import exit_code, migrate_repos

    started = time.perf_counter()
    note = _noter(req, secrets)
    units = [Unit(e, os.path.join(workspace, "repos", e.folder()), dict(known.get(e.shown, {}))) for e in entries]
    note(f"{len(units)} repositories; workspace {workspace}")
    _prepare_all(units, req, stop, secrets)
    work = [u.repo for u in units if not u.skip and u.repo.status == "pending"]
    note(f"{len(work)} to migrate, {sum(u.skip for u in units)} already done at their base")
    migrate_repos(work, setup, projects, req, stop)
    for unit in units:
        _settle(unit)
    if not stop.is_set():
        _publish(units, req, campaign, setup, forge, secrets)
    report, rows = _report(units, setup, req, time.perf_counter() - started, stop, secrets)
    if req.writes:
        state.update(workspace, {u.entry.shown: secrets.scrub_data({**_state_entry(u), "row": rows[u.entry.shown]})
                                 for u in units if not _untouched(u)})
    show_results([u.repo for u in units if not u.skip], report, req, stop.signum)
    if stop.signum is not None:
        return 128 + stop.signum
    return exit_code(report, req)


def _prepare_all(units: list[Unit], req: MigrateRequest, stop: StopFlag, secrets: Secrets) -> None:
    """Every clone at its base, and a RepoRun for each (failed when its clone could not be had)."""
    _parallel(lambda u: prepare(u, req, stop), units, req.jobs)
    for unit in units:
        unit.repo = RepoRun(unit.entry.shown, unit.folder)
        if unit.problem:
            unit.repo.status, unit.repo.reason = "failed", secrets.scrub(unit.problem)
        elif unit.base is None:
            unit.repo.status = "interrupted"  # stopped before its clone was looked at


def _publish(units: list[Unit], req: MigrateRequest, campaign: Campaign, setup, forge, secrets: Secrets) -> None:
    """Push what is committed and not pushed yet; open or update the pull requests."""
    if campaign.push and req.writes:
        _parallel(lambda u: _push(u, req, secrets), [u for u in units if _wants_push(u)], req.jobs)
    if forge is not None:
        from themis_lint.migrate.prbody import describe

        _parallel(lambda u: _pull_request(u, forge, req, campaign, setup, describe, secrets),
                  [u for u in units if u.known.get("status") in ("pushed", "pr-open")], req.jobs)


def _report(units: list[Unit], setup, req: MigrateRequest, seconds: float, stop: StopFlag,
            secrets: Secrets) -> tuple[dict, dict[str, dict]]:
    """The run's report, and each repository's row as the state keeps it: without this run's push
    and pull-request errors, which a skipped repository would otherwise carry on for ever."""
    import copy

    from themis_lint.report.migrate import assemble, build_report, outcome

    for unit in units:
        unit.repo.campaign = _campaign_info(unit)
    skipped = [_skipped_row(u) for u in units if u.skip]
    report = secrets.scrub_data(build_report([u.repo for u in units if not u.skip], setup, req, seconds,
                                             stop.signum, rows=skipped))
    kept = {r["path"]: copy.deepcopy(r) for r in report["repositories"]}
    errors = {u.entry.shown: [secrets.scrub(e) for e in u.stage_errors] for u in units}
    for row in report["repositories"]:
        row["errors"] = row["errors"] + errors.get(row["path"], [])
        row["outcome"] = outcome(row)
    header = {k: v for k, v in report.items() if k not in ("repositories", "totals", "rules")}
    return assemble(header, report["repositories"], setup.catalogue), kept
def _noter(req: MigrateRequest, secrets: Secrets):
    def note(text: str) -> None:
        if not req.quiet and req.progress:
            click.echo(f"themis-lint: {secrets.scrub(text)}", err=True)
    return note


def _parallel(work, units: list[Unit], jobs: int) -> None:
    """git and HTTP wait on the network, not the CPU: a few at once, in threads."""
    with ThreadPoolExecutor(max_workers=max(1, min(jobs * 2, 16))) as pool:
        list(pool.map(work, units))


# --- before: the clone at its base ---------------------------------------------------------------

def prepare(unit: Unit, req: MigrateRequest, stop: StopFlag) -> None:
    """Clone or fetch; decide whether the repository is done at this base; if not, reset the clone."""
    if stop.is_set():
        return
    entry, shallow = unit.entry, not unit.entry.local
    fresh = not os.path.isdir(os.path.join(unit.folder, ".git"))
    if fresh:
        unit.problem = git.clone(entry.url, unit.folder, entry.base, shallow)
    unit.base_branch = entry.base or unit.known.get("base_branch") or _only_remote_branch(unit.folder)
    if not unit.problem and unit.base_branch is None:
        unit.problem = "cannot tell the base branch of the clone; name it in the repos file"
    if not unit.problem and not fresh:
        unit.problem = git.fetch_base(unit.folder, unit.base_branch, shallow)
    if unit.problem:
        return
    unit.base = git.folder_rev(unit.folder, f"refs/remotes/origin/{unit.base_branch}")
    if unit.base is None:
        unit.problem = f"the remote has no branch {unit.base_branch}"
    elif _done_at_base(unit, req):
        unit.skip = True
    elif fresh:
        return  # a new clone is exactly its base already
    elif problem := git.reset_to_base(unit.folder, unit.base_branch, req.branch if req.writes else None):
        unit.problem = problem


def _only_remote_branch(folder: str) -> str | None:
    """A fresh single-branch clone tracks exactly one remote branch: the default one."""
    branch = git.current_branch(folder) if os.path.isdir(folder) else None
    if branch and git.folder_rev(folder, f"refs/remotes/origin/{branch}"):
        return branch
    return None


def _done_at_base(unit: Unit, req: MigrateRequest) -> bool:
    """Done and the base did not move: the campaign branch (if any) is still in the clone."""
    known = unit.known
    if not req.writes or known.get("status") not in state.DONE or known.get("base") != unit.base:
        return False
    if "row" not in known:
        return False
    return known["status"] == "clean" or git.folder_rev(unit.folder, f"refs/heads/{req.branch}") == known.get("tip")


# --- after: state, push, pull request -------------------------------------------------------------

def _settle(unit: Unit) -> None:
    """The unit's state after the migration (or as it was, when skipped)."""
    known, repo = unit.known, unit.repo
    known.update(url=unit.entry.shown, base_branch=unit.base_branch, project=unit.entry.project)
    if unit.skip:
        return
    known.update(base=unit.base, reason=repo.reason)
    if repo.status in ("refused", "failed"):
        known["status"] = repo.status
    elif repo.status != "done":
        known["status"] = "pending"
    elif repo.commit:
        known.update(status="changed", tip=repo.commit)
    elif repo.errors:
        known.update(status="failed", reason=repo.errors[0])
    elif repo.changed or (repo.holds and repo.holds.files):
        # never "clean" for a clone holding changes: a later run would skip it and they would be lost
        known.update(status="failed", reason="changes were written but not committed; rerun to retry")
    else:
        known.update(status="clean", tip=None)
        if known.get("pr"):
            known["reason"] = (f"the base needs no change any more; the earlier pull request "
                               f"{known['pr'].get('url')} is not needed")


def _wants_push(unit: Unit) -> bool:
    known = unit.known
    return known.get("status") in ("changed", "pushed", "pr-open") and known.get("tip") != known.get("pushed")


def _push(unit: Unit, req: MigrateRequest, secrets: Secrets) -> None:
    known = unit.known
    problem = git.push(unit.folder, known["tip"], req.branch, known.get("pushed"))
    if problem:
        known.update(status="failed", reason=secrets.scrub(problem) + (
            f"; the remote's {req.branch} holds commits this campaign did not push, or it was never "
            "this campaign's: it is left as it is"))
        unit.stage_errors.append(known["reason"])
        return
    known.update(status="pushed", pushed=known["tip"])


def _pull_request(unit, forge, req, campaign, setup, describe, secrets) -> None:
    from themis_lint.migrate.forge import ForgeError
    from themis_lint.report.migrate import repo_row

    known = unit.known
    row = known["row"] if unit.skip else repo_row(unit.repo, setup.catalogue)
    title, body = describe(row, req, setup)
    try:
        pr = forge.ensure(unit.entry.project, req.branch, unit.base_branch, title, body, campaign.draft,
                          known["pushed"])
    except ForgeError as exc:
        known.update(reason=secrets.scrub(str(exc)))
        unit.stage_errors.append(f"pull request: {known['reason']}")
        return
    known.update(status="pr-open" if pr.state == "open" else known["status"],
                 pr={"number": pr.number, "url": pr.url, "state": pr.state})


def _campaign_info(unit: Unit) -> dict:
    known = unit.known
    return {"url": unit.entry.shown, "base_branch": unit.base_branch, "state": known.get("status", "pending"),
            "pushed": known.get("pushed"), "pr_url": (known.get("pr") or {}).get("url"),
            "skipped": unit.skip}


def _skipped_row(unit: Unit) -> dict:
    """The row of a repository done at this base, as its last run reported it."""
    row = dict(unit.known["row"])
    row["campaign"] = _campaign_info(unit)
    return row


def _state_entry(unit: Unit) -> dict:
    return {k: v for k, v in unit.known.items() if k != "row"}


def _untouched(unit: Unit) -> bool:
    """Stopped before it was even looked at: its state stays as it was."""
    return unit.base is None and not unit.problem


# --- --status ---------------------------------------------------------------------------------------

def show_status(setup, req: MigrateRequest, campaign: Campaign) -> int:
    """The campaign state as a table and a burndown line; with --open-pr, each PR's state from the forge."""
    from themis_lint.migrate.forge import ForgeError, make_forge

    workspace = os.path.abspath(campaign.workspace or default_workspace(req.branch))
    data = state.read(workspace)
    entries = data["repositories"]
    forge = make_forge(campaign.forge, campaign.forge_url) if campaign.forge else None
    secrets = Secrets([])
    lines, counts, checks = [], {}, {}
    for key in sorted(entries):
        entry = entries[key]
        status = entry.get("status", "pending")
        pr = entry.get("pr") or {}
        live = ""
        if forge is not None and pr.get("number"):
            try:
                found = forge.status(_project(entry, key), pr["number"])
                status, live = f"pr-{found.state}", f"checks {found.checks}"
                if found.state == "open":
                    checks[found.checks] = checks.get(found.checks, 0) + 1
            except ForgeError as exc:
                live = f"forge: {secrets.scrub(str(exc))}"
        counts[status] = counts.get(status, 0) + 1
        lines.append((key, status, (entry.get("base") or "")[:12], pr.get("url") or "", live or entry.get("reason", "")))
    click.echo(_status_table(lines, workspace, data.get("campaign")), nl=False)
    click.echo(f"{len(entries)} repositories: {_burndown(counts, checks)}")
    if req.report:
        from themis_lint.migrate.output import write_new

        rows = [dict(zip(("repository", "status", "base", "pr", "detail"), line)) for line in lines]
        write_new(req.report, (json.dumps({"campaign": data.get("campaign"), "repositories": rows,
                                           "counts": counts, "checks": checks}, indent=2, sort_keys=True)
                               + "\n").encode())
    return 0


BURNDOWN = ("pr-merged", "pr-open", "pr-closed", "pushed", "changed", "clean", "pending", "refused", "failed")


def _burndown(counts: dict[str, int], checks: dict[str, int]) -> str:
    """`12 pr-merged, 30 pr-open (25 checks passing, 5 checks failing), 3 failed`: worst last."""
    parts = []
    for status in BURNDOWN + tuple(sorted(set(counts) - set(BURNDOWN))):
        if counts.get(status):
            detail = ", ".join(f"{checks[c]} checks {c}" for c in ("passing", "failing", "pending", "none")
                               if checks.get(c))
            parts.append(f"{counts[status]} {status}" + (f" ({detail})" if status == "pr-open" and detail else ""))
    return ", ".join(parts) or "none yet"


def _project(entry: dict, key: str) -> str:
    return entry.get("project") or repolist.project_of(key)


def _status_table(lines: list[tuple], workspace: str, campaign: dict | None) -> str:
    if not lines:
        return f"no campaign state in {workspace}\n"
    width = min(max(len(line[0]) for line in lines), 70)
    head = f"{'repository':<{width}}  {'status':<10}  {'base':<12}  pull request / detail"
    out = [f"campaign {campaign}" if campaign else "campaign", head]
    for key, status, base, pr, detail in lines:
        out.append(f"{key:<{width}}  {status:<10}  {base:<12}  {' '.join(x for x in (pr, detail) if x)}")
    return "\n".join(out) + "\n"
