"""The migrate report: a JSON summary, a self-contained HTML page and the closing text table."""
from __future__ import annotations

from html import escape

from themis_lint import __version__
from themis_lint.text import clean

STATUSES = ("done", "dry-run", "interrupted", "refused", "failed")


def build_report(repos: list, setup, req, seconds: float, signum: int | None) -> dict:
    """Per repository and in total: files changed, fixes by code, what needs a person, errors, time."""
    catalogue, pack = setup.catalogue, setup.ctx.pack
    rows = [_repo_entry(repo, catalogue) for repo in repos]
    return {
        "tool": "themis-lint", "version": __version__, "pack": pack.name,
        "from": pack.from_version, "to": pack.to_version,
        "mode": {"dry_run": not req.writes, "safe_only": req.safe_only, "commit": req.commit,
                 "shard": None if req.shard is None else f"{req.shard[0]}/{req.shard[1]}"},
        "interrupted": signum is not None, "signal": signum,
        "seconds": round(seconds, 3),
        "repositories": rows,
        "totals": _totals(rows, catalogue),
    }


def _repo_entry(repo, catalogue: dict) -> dict:
    remaining = []
    for f in repo.remaining:
        rule = catalogue.get(f["code"])
        remaining.append({**f, "severity": rule.severity if rule else "error",
                          "category": rule.category if rule else "Tool"})
    return {"path": repo.path, "status": repo.status, "reason": repo.reason, "files_scanned": repo.files,
            "files_changed": len(repo.changed), "changed": list(repo.changed),
            "fixes": dict(sorted(repo.fixes.items())), "remaining": remaining, "errors": list(repo.errors),
            "notes": list(repo.notes), "seconds": round(repo.seconds, 3), "branch": repo.branch,
            "commit": repo.commit}


def _totals(rows: list[dict], catalogue: dict) -> dict:
    fixes: dict[str, int] = {}
    remaining: dict[str, int] = {}
    for row in rows:
        for code, n in row["fixes"].items():
            fixes[code] = fixes.get(code, 0) + n
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
        "files_scanned": sum(r["files_scanned"] for r in rows),
        "files_changed": sum(r["files_changed"] for r in rows),
        "fixes": sum(fixes.values()), "fixes_by_code": dict(sorted(fixes.items())),
        "remaining": sum(remaining.values()), "remaining_by_code": dict(sorted(remaining.items())),
        "by_category": dict(sorted(categories.items())),
        "errors": sum(len(r["errors"]) for r in rows),
    }


# --- text -------------------------------------------------------------------------------------------

def render_table(report: dict) -> str:
    """One line per repository, refusals and errors, what needs a person, then the totals. Every
    name, reason and message is escaped (text.clean): a repository or file name must not forge a
    `Total:` line or send terminal escapes."""
    rows = report["repositories"]
    names = [clean(r["path"]) for r in rows]
    width = max([len("repository")] + [len(n) for n in names])
    out = [f"{'repository':<{width}}  {'status':<11}  {'changed':>7}  {'fixes':>5}  {'remaining':>9}  {'errors':>6}"]
    for name, r in zip(names, rows):
        out.append(f"{name:<{width}}  {r['status']:<11}  {r['files_changed']:>7}  "
                   f"{sum(r['fixes'].values()):>5}  {len(r['remaining']):>9}  {len(r['errors']):>6}")
    for name, r in zip(names, rows):
        if r["reason"]:
            out.append(f"{name}: {r['status']}: {clean(r['reason'])}")
        out += [f"{name}: error: {clean(e)}" for e in r["errors"]]
        out += [f"{name}: note: {clean(n)}" for n in r["notes"]]
    needs = [(r["path"], f) for r in rows for f in r["remaining"]]
    if needs:
        out.append("Needs a person:")
        for path, f in needs:
            prefix = "" if path == "." else path.rstrip("/") + "/"
            out.append(f"{clean(prefix + f['file'])}:{f['line']}:{f['column']}: {f['code']} {clean(f['message'])}")
    t = report["totals"]
    states = ", ".join(f"{n} {s}" for s, n in t["by_status"].items())
    out.append(f"Total: {t['repositories']} repositories ({states}), {t['files_changed']} files changed, "
               f"{t['fixes']} fixes, {t['remaining']} need a person, {t['errors']} errors"
               f" in {report['seconds']:.1f}s.")
    return "\n".join(out) + "\n"


# --- HTML -------------------------------------------------------------------------------------------

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#1d232a;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{padding:.3rem .6rem;border-bottom:1px solid #dde2e7;
text-align:left;vertical-align:top}td.n,th.n{text-align:right}
.totals{display:flex;flex-wrap:wrap;gap:1rem}.totals div{background:#f3f5f7;border-radius:6px;padding:.6rem 1rem}
.totals b{display:block;font-size:1.4rem}.s-done{color:#17693a}.s-refused,.s-failed{color:#a11d2b}
.s-interrupted{color:#8a5a00}ul{margin:.2rem 0;padding-left:1.2rem}code{font-size:12px}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem;vertical-align:middle}
"""
FIXED_COLOR, PERSON_COLOR = "#2f8f5b", "#d98c1f"


def bar_chart(title: str, counts: dict[str, dict[str, int]]) -> str:
    """An inline SVG of horizontal bars: fixed and needing a person, stacked, per label."""
    if not counts:
        return (f'<svg width="400" height="24" role="img" '
                f'aria-label="{escape(title)}"><text x="0" y="16">nothing found</text></svg>')
    label_w, bar_w, row_h = 120, 460, 24
    top = max(max(c["fixed"] + c["remaining"] for c in counts.values()), 1)
    parts = [(f'<svg width="{label_w + bar_w + 80}" '
              f'height="{row_h * len(counts) + 8}" role="img" aria-label="{escape(title)}">'),
             f"<title>{escape(title)}</title>"]
    for i, (label, c) in enumerate(sorted(counts.items())):
        y = 4 + i * row_h
        fixed_w = bar_w * c["fixed"] / top
        person_w = bar_w * c["remaining"] / top
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{fixed_w:.1f}" height="16" fill="{FIXED_COLOR}">'
                     f'<title>{escape(label)}: {c["fixed"]} fixed</title></rect>')
        parts.append(f'<rect x="{label_w + fixed_w:.1f}" y="{y + 3}" width="{person_w:.1f}" height="16" '
                     f'fill="{PERSON_COLOR}"><title>{escape(label)}: {c["remaining"]} need a person</title></rect>')
        parts.append(f'<text x="{label_w + fixed_w + person_w + 6:.1f}" y="{y + 15}" font-size="12">'
                     f'{c["fixed"]} + {c["remaining"]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _by_rule(totals: dict) -> dict[str, dict[str, int]]:
    codes = sorted(set(totals["fixes_by_code"]) | set(totals["remaining_by_code"]))
    return {code: {"fixed": totals["fixes_by_code"].get(code, 0), "remaining": totals["remaining_by_code"].get(code, 0)}
            for code in codes}


def _repo_row(r: dict) -> str:
    fixes = ", ".join(f"{code}&nbsp;×{n}" for code, n in r["fixes"].items()) or "–"
    details = [f"<li><code>{escape(f['file'])}:{f['line']}</code> {escape(f['code'])} {escape(f['message'])}</li>"
               for f in r["remaining"]]
    details += [f"<li class=s-failed>{escape(e)}</li>" for e in r["errors"]]
    if r["reason"]:
        details.insert(0, f"<li>{escape(r['reason'])}</li>")
    commit = f"<br><code>{escape(r['branch'])} {escape(r['commit'][:12])}</code>" if r["commit"] else ""
    return (f"<tr><td>{escape(r['path'])}{commit}</td><td class=s-{escape(r['status'])}>{escape(r['status'])}</td>"
            f"<td class=n>{r['files_changed']}</td><td>{fixes}</td><td class=n>{len(r['remaining'])}</td>"
            f"<td class=n>{r['seconds']:.2f}</td><td>{'<ul>' + ''.join(details) + '</ul>' if details else ''}</td></tr>")


def render_html(report: dict) -> str:
    """One self-contained page: inline CSS and SVG, no scripts, no external assets."""
    t = report["totals"]
    title = f"themis-lint migrate: ThemisDB {report['from']} → {report['to']}"
    tiles = [("repositories", t["repositories"]), ("files changed", t["files_changed"]), ("fixes", t["fixes"]),
             ("need a person", t["remaining"]), ("errors", t["errors"]), ("seconds", f"{report['seconds']:.1f}")]
    mode = ", ".join(k.replace("_", " ") for k, v in report["mode"].items() if v and k != "shard")
    shard = f" shard {report['mode']['shard']}" if report["mode"]["shard"] else ""
    note = " Interrupted: rerun the same command to finish." if report["interrupted"] else ""
    intro = (f"Pack {report['pack']}, themis-lint {report['version']}" + (f" ({mode})" if mode else "")
             + shard + "." + note)
    legend = (f'<p class=legend><span style="background:{FIXED_COLOR}"></span>fixed'
              f'<span style="background:{PERSON_COLOR}"></span>needs a person</p>')
    head = ("<thead><tr><th>repository</th><th>status</th><th class=n>files changed</th><th>fixes</th>"
            "<th class=n>need a person</th><th class=n>seconds</th><th>details</th></tr></thead>")
    tiles_html = "".join(f"<div><b>{escape(str(v))}</b>{escape(k)}</div>" for k, v in tiles)
    return "".join([
        f"<!doctype html>\n<html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>",
        f"<style>{CSS}</style></head><body>\n<h1>{escape(title)}</h1>\n<p>{escape(intro)}</p>\n",
        f"<div class=totals>{tiles_html}</div>\n",
        f"<h2>Findings by rule</h2>{legend}\n{bar_chart('Findings by rule', _by_rule(t))}\n",
        f"<h2>Findings by category</h2>\n{bar_chart('Findings by category', t['by_category'])}\n",
        f"<h2>Repositories</h2>\n<table>{head}<tbody>\n",
        "\n".join(_repo_row(r) for r in report["repositories"]),
        "\n</tbody></table>\n</body></html>\n",
    ])
