"""The migrate report: its data (one row per repository, totals), the merge of shard reports, and
its end-of-run summary (one screen); the HTML dashboard is report/migrate_html.

A row is plain JSON; a merged fleet report is built from rows exactly as a run's report is, so
totals always come from the rows they sum (docs/migrate.md "Reports").
"""
from __future__ import annotations

from themis_lint import __version__

STATUSES = ("done", "dry-run", "interrupted", "refused", "failed")
# what a person makes of a repository, worst first: each repository has exactly one
OUTCOMES = ("failed", "refused", "interrupted", "needs-review", "changed", "clean")


class MergeError(Exception):
    """Reports that cannot be merged into one: the message says which and why."""


def build_report(repos: list, setup, req, seconds: float, signum: int | None, rows: list[dict] | None = None) -> dict:
    """The report of one run: a row per repository (plus `rows` built elsewhere, e.g. repositories
    a campaign rerun skipped), totals, and what the run was."""
    catalogue, pack = setup.catalogue, setup.ctx.pack
    all_rows = [repo_row(repo, catalogue) for repo in repos] + list(rows or [])
    all_rows.sort(key=lambda r: r["path"])
    return assemble({
        "tool": "themis-lint", "version": __version__, "pack": pack.name,
        "from": pack.from_version, "to": pack.to_version,
        "mode": {"dry_run": not req.writes, "safe_only": req.safe_only, "commit": req.commit,
                 "ignore_repo_config": req.ignore_repo_config,
                 "shard": None if req.shard is None else f"{req.shard[0]}/{req.shard[1]}"},
        "options": dict(req.options),
        "manual_review": [{"category": i.get("category", "General"), "text": i["text"]} for i in pack.manual_review],
        "interrupted": signum is not None, "signal": signum,
        "seconds": round(seconds, 3),
    }, all_rows, catalogue)


def assemble(header: dict, rows: list[dict], catalogue: dict) -> dict:
    """A report from its header and rows: the totals are computed here, from the rows."""
    rules = sorted({c for r in rows for c in [*r["fixes"], *(f["code"] for f in r["remaining"])]})
    return {**header, "repositories": rows, "totals": totals(rows, catalogue),
            "rules": {code: _rule_info(code, catalogue) for code in rules}}


def _rule_info(code: str, catalogue: dict) -> dict:
    rule = catalogue.get(code)
    if rule is None:
        return {"slug": "", "fix": "none", "category": "Tool", "severity": "error", "url": ""}
    from themis_lint.report import rule_url

    return {"slug": rule.slug, "fix": rule.fix, "category": rule.category, "severity": rule.severity,
            "url": rule_url(rule)}


def repo_row(repo, catalogue: dict) -> dict:
    """One repository's row. With `holds` (what its branch or work tree holds against its base)
    the changed files and fixes are those; otherwise what this run changed."""
    holds = repo.holds
    changed = list(holds.files) if holds else sorted(repo.changed)
    fixes = dict(holds.fixes) if holds else dict(repo.fixes)
    remaining = [{**f, "severity": catalogue[f["code"]].severity if f["code"] in catalogue else "error",
                  "category": catalogue[f["code"]].category if f["code"] in catalogue else "Tool"}
                 for f in repo.remaining]
    row = {"path": repo.path, "status": repo.status, "reason": repo.reason, "files_scanned": repo.files,
           "files_changed": len(changed), "changed": changed, "changed_this_run": len(repo.changed),
           "fixes": dict(sorted(fixes.items())), "unsafe": list(holds.unsafe) if holds else [],
           "unsafe_fixes": _unsafe_counts(fixes, holds, catalogue), "remaining": remaining,
           "errors": list(repo.errors), "notes": list(repo.notes), "foreign": list(holds.foreign) if holds else [],
           "seconds": round(repo.seconds, 3), "branch": repo.branch, "commit": repo.commit, "base": repo.base,
           "configs": list(repo.configs), "patch": holds.patch if holds else ""}
    if repo.campaign is not None:
        row["campaign"] = dict(repo.campaign)
    row["outcome"] = outcome(row)
    return row


def _unsafe_counts(fixes: dict[str, int], holds, catalogue: dict) -> dict[str, int]:
    """Unsafe fixes by code: counted from their locations when known, else from the rules whose
    every fix is unsafe (a rule's applied fixes can only be of its own safety or safe)."""
    if holds is not None and fixes:
        counts: dict[str, int] = {}
        for f in holds.unsafe:
            counts[f["code"]] = counts.get(f["code"], 0) + 1
        return dict(sorted(counts.items()))
    return {c: n for c, n in sorted(fixes.items()) if c in catalogue and catalogue[c].fix == "unsafe"}


def outcome(row: dict) -> str:
    """One of OUTCOMES: what the repository needs from a person."""
    if row["status"] in ("failed", "refused", "interrupted"):
        return row["status"]
    if row["remaining"] or row["errors"] or row.get("foreign"):
        return "needs-review"
    return "changed" if row["files_changed"] else "clean"


def totals(rows: list[dict], catalogue: dict) -> dict:
    fixes: dict[str, int] = {}
    unsafe: dict[str, int] = {}
    remaining: dict[str, int] = {}
    for row in rows:
        for code, n in row["fixes"].items():
            fixes[code] = fixes.get(code, 0) + n
        for code, n in row.get("unsafe_fixes", {}).items():
            unsafe[code] = unsafe.get(code, 0) + n
        for f in row["remaining"]:
            remaining[f["code"]] = remaining.get(f["code"], 0) + 1
    categories: dict[str, dict[str, int]] = {}
    for counts, kind in ((fixes, "fixed"), (remaining, "remaining")):
        for code, n in counts.items():
            category = catalogue[code].category if code in catalogue else "Tool"
            entry = categories.setdefault(category, {"fixed": 0, "remaining": 0})
            entry[kind] += n
    return {
        "repositories": len(rows),
        "by_status": {s: n for s in STATUSES if (n := sum(r["status"] == s for r in rows))},
        "by_outcome": {s: sum(r["outcome"] == s for r in rows) for s in OUTCOMES},
        "files_scanned": sum(r["files_scanned"] for r in rows),
        "files_changed": sum(r["files_changed"] for r in rows),
        "fixes": sum(fixes.values()), "fixes_by_code": dict(sorted(fixes.items())),
        "unsafe_fixes": sum(unsafe.values()), "unsafe_by_code": dict(sorted(unsafe.items())),
        "remaining": sum(remaining.values()), "remaining_by_code": dict(sorted(remaining.items())),
        "by_category": dict(sorted(categories.items())),
        "errors": sum(len(r["errors"]) for r in rows),
    }


# --- merging shard reports ------------------------------------------------------------------------

MUST_AGREE = ("tool", "version", "pack", "from", "to", "options")


def merge(reports: list[tuple[str, dict]], catalogue: dict) -> dict:
    """One fleet report from the reports of `--shard K/N` runs (name, report); MergeError when
    they are of different packs or options, or name a repository twice."""
    if not reports:
        raise MergeError("no reports to merge")
    first_name, first = reports[0]
    for name, report in reports[1:]:
        for key in MUST_AGREE:
            if report.get(key) != first.get(key):
                raise MergeError(f"{name} and {first_name} differ in {key!r}: "
                                 f"{report.get(key)!r} vs {first.get(key)!r}; "
                                 "only reports of one campaign can be merged")
        if _mode(report) != _mode(first):
            raise MergeError(f"{name} and {first_name} were run in different modes: {_mode(report)} vs {_mode(first)}")
    rows, seen = [], {}
    for name, report in reports:
        for row in report["repositories"]:
            if row["path"] in seen:
                raise MergeError(f"{row['path']} is in both {seen[row['path']]} and {name}: "
                                 "merge the reports of one run of each shard")
            seen[row["path"]] = name
            rows.append(row)
    rows.sort(key=lambda r: r["path"])
    header = {k: v for k, v in first.items() if k not in ("repositories", "totals", "rules")}
    header["mode"] = {**first["mode"], "shard": None}
    header.update(_shard_coverage([r for _, r in reports]))
    header["interrupted"] = any(r["interrupted"] for _, r in reports)
    header["signal"] = next((r["signal"] for _, r in reports if r["signal"] is not None), None)
    header["seconds"] = round(max(r["seconds"] for _, r in reports), 3)
    header["merged_from"] = [name for name, _ in reports]
    return assemble(header, rows, catalogue)


def _mode(report: dict) -> dict:
    return {k: v for k, v in report["mode"].items() if k != "shard"}


def _shard_coverage(reports: list[dict]) -> dict:
    """Which shards are there; a fleet report missing one says so (a silent gap is the worst)."""
    shards = sorted({r["mode"]["shard"] for r in reports if r["mode"].get("shard")})
    counts = {s.split("/")[1] for s in shards}
    if not shards:
        return {"shards": [], "missing_shards": []}
    if len(counts) > 1 or len(shards) != len(reports):
        raise MergeError("the reports are of different shardings (or mix sharded and unsharded runs): "
                         + ", ".join(shards))
    n = int(counts.pop())
    missing = [f"{k}/{n}" for k in range(n) if f"{k}/{n}" not in shards]
    return {"shards": shards, "missing_shards": missing}


# --- the end-of-run summary -------------------------------------------------------------------------

ATTENTION_LINES = 15  # repositories listed by name; the rest are counted (the report has them all)
FINDING_LINES = 10  # with this few errors, notes and findings in all, each gets its own line


def render_summary(report: dict, where: list[str]) -> str:
    """One screen whatever the fleet's size: counts per outcome and per rule, the repositories
    that need a person (first few by name), where the full report is."""
    from themis_lint.report import clean

    t = report["totals"]
    out = [f"themis-lint migrate: ThemisDB {report['from']} → {report['to']}, {t['repositories']} "
           f"repositories in {report['seconds']:.1f}s" + (" (interrupted)" if report["interrupted"] else "")]
    out.append("  " + ", ".join(f"{n} {s.replace('-', ' ')}" for s, n in t["by_outcome"].items() if n)
               if t["repositories"] else "  no repositories")
    out.append(f"  {t['files_changed']} files changed, {t['fixes']} fixes ({t['unsafe_fixes']} unsafe: review them), "
               f"{t['remaining']} findings need a person, {t['errors']} errors")
    if t["fixes_by_code"]:
        out.append("  fixed: " + _by_code(t["fixes_by_code"], t["unsafe_by_code"], report.get("rules", {})))
    if t["remaining_by_code"]:
        out.append("  need a person: " + ", ".join(f"{c} ×{n}" for c, n in t["remaining_by_code"].items()))
    attention = [r for r in report["repositories"] if r["outcome"] not in ("changed", "clean")]
    if attention:
        out.append(f"Needs a person ({len(attention)}):")
        for r in attention[:ATTENTION_LINES]:
            out.append(clean(f"  {r['path']}: {r['outcome'].replace('-', ' ')}: {_why(r)}"))
        if len(attention) > ATTENTION_LINES:
            out.append(f"  … and {len(attention) - ATTENTION_LINES} more (all of them are in the report)")
    out += _detail_lines(report["repositories"])
    out.append("Full report: " + ", ".join(where) if where else
               "Full report: add --report FILE.json and --html FILE.html")
    return "\n".join(out) + "\n"


def _detail_lines(rows: list[dict]) -> list[str]:
    """Every error, note and finding as its own line when there are few; else how many there are."""
    from themis_lint.report import clean

    lines = []
    for r in rows:
        prefix = "" if r["path"] == "." else r["path"].rstrip("/") + "/"
        lines += [f"  {r['path']}: error: {e}" for e in r["errors"]]
        lines += [f"  {r['path']}: note: {n}" for n in r["notes"]]
        lines += [f"  {prefix}{f['file']}:{f['line']}:{f['column']}: {f['code']} {f['message']}" for f in r["remaining"]]
    if len(lines) <= FINDING_LINES:
        return [clean(line) for line in lines]
    errors, notes = sum(len(r["errors"]) for r in rows), sum(len(r["notes"]) for r in rows)
    findings = sum(len(r["remaining"]) for r in rows)
    return [f"  {errors} error(s), {notes} note(s) and {findings} finding(s) in all: each is in the report"]


def _by_code(fixes: dict[str, int], unsafe: dict[str, int], rules: dict) -> str:
    parts = []
    for code, n in fixes.items():
        slug = rules.get(code, {}).get("slug", "")
        mark = f" ({unsafe[code]} unsafe)" if unsafe.get(code) else ""
        parts.append(f"{code} {slug} ×{n}{mark}".replace("  ", " "))
    return ", ".join(parts)


def _why(row: dict) -> str:
    """The first reason a person is needed, in one line."""
    if row["reason"]:
        return row["reason"].splitlines()[0]
    if row["errors"]:
        more = f" (+{len(row['errors']) - 1} more)" if len(row["errors"]) > 1 else ""
        return row["errors"][0].splitlines()[0] + more
    parts = []
    if row["remaining"]:
        codes: dict[str, int] = {}
        for f in row["remaining"]:
            codes[f["code"]] = codes.get(f["code"], 0) + 1
        parts.append(f"{len(row['remaining'])} finding(s): " + ", ".join(f"{c} ×{n}" for c, n in codes.items()))
    if row.get("foreign"):
        parts.append(f"{len(row['foreign'])} file(s) changed by someone else on the branch")
    return "; ".join(parts) or "stopped before its files were done"
