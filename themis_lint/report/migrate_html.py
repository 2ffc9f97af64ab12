"""The migrate report as one self-contained HTML dashboard (docs/migrate.md "HTML").

Everything is inline: CSS, a small script, no font, image, stylesheet or link, and a
Content-Security-Policy that forbids the page any network access. The rows are rendered here, so
the page reads without its script; the script only sorts, filters and opens details. Unsafe fixes
(orange) and what needs a person (red) never look like safe fixes (green).
"""
from __future__ import annotations

from html import escape

from themis_lint.report.migrate import OUTCOMES

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
LABELS = {"failed": "failed", "refused": "refused", "interrupted": "interrupted", "needs-review": "needs review",
          "changed": "changed", "clean": "clean"}
COLUMNS = (("path", "repository", "text"), ("outcome", "status", "text"), ("changed", "files changed", "num"),
           ("fixes", "fixes", "num"), ("unsafe", "unsafe fixes", "num"), ("remaining", "need a person", "num"),
           ("errors", "errors", "num"))

CSS = """
:root{--ok:#1f7a45;--unsafe:#b35c00;--person:#b3261e;--muted:#5d6670;--line:#dde2e7;--tile:#f3f5f7}
*{box-sizing:border-box}[hidden]{display:none!important}
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:78rem;color:#1d232a;padding:1rem}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.6rem 0 .5rem}
.banner{background:#fff4e5;border-left:4px solid var(--unsafe);padding:.5rem .8rem;margin:.6rem 0}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.6rem}
.tile{background:var(--tile);border:2px solid transparent;border-radius:6px;padding:.5rem .8rem;text-align:left;
font:inherit;color:inherit;cursor:pointer}
.tile b{display:block;font-size:1.5rem}.tile[aria-pressed=true]{border-color:#1d232a}
.o-failed,.o-refused{color:var(--person)}.o-needs-review{color:var(--unsafe)}.o-changed{color:var(--ok)}
.o-clean{color:var(--muted)}.o-interrupted{color:#8a5a00}
.badge{display:inline-block;border-radius:3px;padding:0 .35rem;font-size:12px;font-weight:600;white-space:nowrap}
.b-safe{background:#e3f4ea;color:var(--ok)}.b-unsafe{background:#ffe8cc;color:var(--unsafe)}
.b-none,.b-person{background:#fde3e1;color:var(--person)}
.review{background:#f1ecfb;border-left:4px solid #6a3fb5;padding:.4rem .8rem}
.review li{margin:.2rem 0}
table{border-collapse:collapse;width:100%}th,td{padding:.35rem .5rem;border-bottom:1px solid var(--line);
text-align:left;vertical-align:top}.num{text-align:right}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin:.5rem 0}
.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}
.filters input,.filters select{font:inherit;padding:.2rem;max-width:100%}
.path{word-break:break-all}.details td{background:#fafbfc}
.details h3{font-size:.95rem;margin:.6rem 0 .2rem}ul.plain{margin:.2rem 0;padding-left:1.2rem}
li.unsafe{border-left:3px solid var(--unsafe);padding-left:.4rem;list-style:none;margin-left:-1.2rem}
li.person{border-left:3px solid var(--person);padding-left:.4rem;list-style:none;margin-left:-1.2rem}
pre.diff{overflow-x:auto;max-width:100%;background:#f6f8fa;padding:.5rem;font-size:12px;margin:.3rem 0}
.diff .add{color:#116329;background:#e6ffec}.diff .del{color:#82071e;background:#ffebe9}.diff .hunk{color:#6a3fb5}
button.toggle{font:inherit;font-size:12px;cursor:pointer}
#count{color:var(--muted)}.scroll{overflow-x:auto;max-width:100%}
@media (max-width:640px){
 body{padding:.5rem}
 #repos,#repos tbody.repo,#repos tr,#repos tr.details td{display:block;width:100%}
 #repos thead{display:none}
 .codes th,.codes td{padding:.25rem;font-size:12px}
 #repos tr.summary td{display:flex;justify-content:space-between;gap:1rem;border:0;padding:.15rem .3rem}
 #repos tr.summary td::before{content:attr(data-label);color:var(--muted)}
 #repos tr.summary td.path{display:block;font-weight:600}#repos tr.summary td.path::before{content:none}
 #repos tbody.repo{border-bottom:2px solid var(--line);padding:.3rem 0}
 .codes th:nth-child(2),.codes td:nth-child(2){display:none}
}
"""

SCRIPT = """
(function(){
  var table=document.getElementById('repos'), count=document.getElementById('count');
  var f={text:document.getElementById('f-text'),outcome:document.getElementById('f-outcome'),
         code:document.getElementById('f-code'),min:document.getElementById('f-min'),
         column:document.getElementById('f-column')};
  function bodies(){return Array.prototype.slice.call(table.tBodies);}
  function apply(){
    var text=f.text.value.toLowerCase(), shown=0, min=Number(f.min.value||0);
    bodies().forEach(function(b){
      var ok=(!text||b.dataset.path.toLowerCase().indexOf(text)>=0)
        &&(!f.outcome.value||b.dataset.outcome===f.outcome.value)
        &&(!f.code.value||(' '+b.dataset.codes+' ').indexOf(' '+f.code.value+' ')>=0)
        &&Number(b.dataset[f.column.value]||0)>=min;
      b.hidden=!ok; if(ok){shown++;}
    });
    count.textContent='showing '+shown+' of '+bodies().length+' repositories';
    document.querySelectorAll('.tile[data-outcome]').forEach(function(t){
      t.setAttribute('aria-pressed', String(t.dataset.outcome===f.outcome.value));});
  }
  ['input','change'].forEach(function(e){Object.keys(f).forEach(function(k){f[k].addEventListener(e,apply);});});
  document.querySelectorAll('.tile[data-outcome]').forEach(function(t){t.addEventListener('click',function(){
    f.outcome.value=(f.outcome.value===t.dataset.outcome)?'':t.dataset.outcome; apply();});});
  table.querySelectorAll('th[data-key] button').forEach(function(button){
    button.addEventListener('click',function(){
      var th=button.parentNode, key=th.dataset.key, num=th.dataset.type==='num';
      var dir=th.getAttribute('aria-sort')==='ascending'?'descending':'ascending';
      table.querySelectorAll('th[data-key]').forEach(function(o){o.removeAttribute('aria-sort');});
      th.setAttribute('aria-sort',dir);
      var rows=bodies().sort(function(a,b){
        var x=a.dataset[key], y=b.dataset[key];
        var c=num?Number(x)-Number(y):(key==='outcome'?Number(a.dataset.rank)-Number(b.dataset.rank):x.localeCompare(y));
        if(c===0){c=a.dataset.path.localeCompare(b.dataset.path);}
        return dir==='ascending'?c:-c;});
      rows.forEach(function(b){table.appendChild(b);});
    });
  });
  table.addEventListener('click',function(e){
    var button=e.target.closest('button.toggle'); if(!button){return;}
    var open=button.getAttribute('aria-expanded')!=='true';
    button.setAttribute('aria-expanded',String(open)); button.textContent=open?'hide':'details';
    document.getElementById(button.getAttribute('aria-controls')).hidden=!open;
  });
  apply();
})();
"""


def render(report: dict) -> str:
    t = report["totals"]
    title = f"themis-lint migrate: ThemisDB {report['from']} → {report['to']}"
    return "".join([
        # the title comes first: toolfiles recognises the page by it (a report committed to a
        # repository is never checked as data)
        f"<!doctype html>\n<html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>",
        "<meta name=viewport content=\"width=device-width,initial-scale=1\">",
        f"<meta http-equiv=Content-Security-Policy content=\"{CSP}\">",
        f"<style>{CSS}</style></head><body>\n",
        f"<h1>{escape(title)}</h1>\n<p>{escape(_intro(report))}</p>\n", _banners(report),
        _tiles(t), _manual_review(report), _codes(report),
        "<h2>Repositories</h2>\n", _filters(report), _table(report),
        f"<script>{SCRIPT}</script>\n</body></html>\n",
    ])


def _intro(report: dict) -> str:
    mode = report["mode"]
    words = [k.replace("_", " ") for k, v in mode.items() if v and k != "shard"]
    parts = [f"Pack {report['pack']}, themis-lint {report['version']}"]
    if words:
        parts.append("mode: " + ", ".join(words))
    if mode.get("shard"):
        parts.append(f"shard {mode['shard']}")
    if report.get("merged_from"):
        parts.append(f"merged from {len(report['merged_from'])} reports")
    parts.append(f"{report['seconds']:.1f} s")
    return "; ".join(parts) + "."


def _banners(report: dict) -> str:
    out = []
    if report["interrupted"]:
        out.append("Interrupted: some repositories were not finished; rerun the same command to finish.")
    if report.get("missing_shards"):
        out.append("Incomplete: no report of shard(s) " + ", ".join(report["missing_shards"])
                   + "; their repositories are not counted here.")
    return "".join(f"<p class=banner role=alert>{escape(text)}</p>\n" for text in out)


def _tiles(t: dict) -> str:
    tiles = [f"<button class=\"tile o-{o}\" data-outcome=\"{o}\" aria-pressed=false><b>{t['by_outcome'].get(o, 0)}</b>"
             f"{LABELS[o]}</button>" for o in OUTCOMES]
    facts = [("repositories", t["repositories"]), ("files changed", t["files_changed"]), ("fixes", t["fixes"]),
             ("unsafe fixes to review", t["unsafe_fixes"]), ("findings that need a person", t["remaining"]),
             ("errors", t["errors"])]
    tiles += [f"<div class=tile><b>{n}</b>{escape(label)}</div>" for label, n in facts]
    return f"<h2>Repositories by status</h2>\n<div class=tiles>{''.join(tiles)}</div>\n"


def _manual_review(report: dict) -> str:
    items = report.get("manual_review") or []
    if not items:
        return ""
    lis = "".join(f"<li><b>{escape(i['category'])}</b>: {escape(i['text'])}</li>" for i in items)
    return ("<h2>Manual review (every repository)</h2>\n<div class=review><p>No static check can see these "
            f"changes of the upgrade; each team checks them by hand.</p><ul>{lis}</ul></div>\n")


def _codes(report: dict) -> str:
    t, rules = report["totals"], report.get("rules", {})
    codes = sorted(set(t["fixes_by_code"]) | set(t["remaining_by_code"]))
    if not codes:
        return "<h2>By rule</h2>\n<p>Nothing found.</p>\n"
    repos = {c: sum(1 for r in report["repositories"] if c in _codes_of(r)) for c in codes}
    rows = []
    for code in codes:
        info = rules.get(code, {})
        fixed, unsafe = t["fixes_by_code"].get(code, 0), t["unsafe_by_code"].get(code, 0)
        rows.append(f"<tr><td>{escape(code)}</td><td>{escape(info.get('slug', ''))}</td>"
                    f"<td>{_badge(info.get('fix', 'none'))}</td><td class=num>{fixed - unsafe}</td>"
                    f"<td class=num>{unsafe}</td><td class=num>{t['remaining_by_code'].get(code, 0)}</td>"
                    f"<td class=num>{repos[code]}</td></tr>")
    head = ("<tr><th>code</th><th>rule</th><th>fix</th><th class=num>safe fixes</th><th class=num>unsafe fixes</th>"
            "<th class=num>need a person</th><th class=num>repositories</th></tr>")
    return (f"<h2>By rule</h2>\n<div class=scroll><table class=codes><thead>{head}</thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>\n")


def _badge(fix: str) -> str:
    text = {"safe": "safe fix", "unsafe": "unsafe fix", "none": "by hand"}.get(fix, fix)
    return f"<span class=\"badge b-{escape(fix)}\">{escape(text)}</span>"


def _codes_of(row: dict) -> set[str]:
    return set(row["fixes"]) | {f["code"] for f in row["remaining"]}


def _filters(report: dict) -> str:
    outcomes = "".join(f"<option value=\"{o}\">{LABELS[o]}</option>" for o in OUTCOMES)
    codes = sorted({c for r in report["repositories"] for c in _codes_of(r)})
    code_options = "".join(f"<option>{escape(c)}</option>" for c in codes)
    columns = "".join(f"<option value=\"{key}\">{label}</option>" for key, label, kind in COLUMNS if kind == "num")
    return ("<div class=filters>"
            "<label>repository<input id=f-text type=search placeholder=\"name contains\"></label>"
            f"<label>status<select id=f-outcome><option value=\"\">any</option>{outcomes}</select></label>"
            f"<label>rule<select id=f-code><option value=\"\">any</option>{code_options}</select></label>"
            f"<label>count<select id=f-column>{columns}</select></label>"
            "<label>at least<input id=f-min type=number min=0 value=0 inputmode=numeric></label>"
            "<span id=count></span></div>\n")


def _table(report: dict) -> str:
    head = "".join(f"<th data-key=\"{key}\" data-type=\"{kind}\"{' class=num' if kind == 'num' else ''}>"
                   f"<button type=button>{label}</button></th>" for key, label, kind in COLUMNS)
    bodies = "".join(_repo(i, r) for i, r in enumerate(report["repositories"]))
    return f"<table id=repos><thead><tr>{head}<th></th></tr></thead>\n{bodies}</table>\n"


def _repo(i: int, r: dict) -> str:
    unsafe = sum(r.get("unsafe_fixes", {}).values())
    values = {"path": r["path"], "outcome": r["outcome"], "changed": r["files_changed"],
              "fixes": sum(r["fixes"].values()), "unsafe": unsafe, "remaining": len(r["remaining"]),
              "errors": len(r["errors"])}
    data = " ".join(f"data-{k}=\"{escape(str(v))}\"" for k, v in values.items())
    rank = OUTCOMES.index(r["outcome"]) if r["outcome"] in OUTCOMES else 0
    cells = [f"<td class=path data-label=repository>{escape(r['path'])}</td>",
             f"<td class=o-{escape(r['outcome'])} data-label=status>{LABELS.get(r['outcome'], r['outcome'])}</td>"]
    cells += [f"<td class=num data-label=\"{label}\">{values[key]}</td>" for key, label, kind in COLUMNS[2:]]
    cells.append(f"<td><button type=button class=toggle aria-expanded=false aria-controls=d{i}>details</button></td>")
    return (f"<tbody class=repo {data} data-rank={rank} data-codes=\"{escape(' '.join(sorted(_codes_of(r))))}\">"
            f"<tr class=summary>{''.join(cells)}</tr>"
            f"<tr class=details id=d{i} hidden><td colspan=8>{_details(r)}</td></tr></tbody>\n")


def _details(r: dict) -> str:
    out = []
    if r["reason"]:
        out.append(f"<p class=o-{escape(r['outcome'])}>{escape(r['reason'])}</p>")
    facts = [f"config: {', '.join(r['configs']) or 'none (defaults and the command line)'}"]
    if r.get("branch"):
        facts.append(f"branch {r['branch']}" + (f" at {r['commit'][:12]}" if r.get("commit") else ""))
    if r.get("base"):
        facts.append(f"base {r['base'][:12]}")
    campaign = r.get("campaign") or {}
    if campaign.get("url"):
        facts.append(f"remote {campaign['url']}")
    if campaign.get("pr_url"):
        facts.append(f"pull request {campaign['pr_url']}")
    out.append(f"<p>{escape('; '.join(facts))}</p>")
    if r["fixes"]:
        out.append("<h3>Fixes</h3><p>" + " ".join(
            f"<span class=\"badge {'b-unsafe' if r.get('unsafe_fixes', {}).get(c) else 'b-safe'}\">{escape(c)} ×{n}</span>"
            for c, n in r["fixes"].items()) + "</p>")
    out.append(_list("Unsafe fixes: review these", "unsafe",
                     [f"{f['file']}:{f['line']} {f['code']} {f['message']}" for f in r.get("unsafe", [])]))
    out.append(_list("Needs a person", "person",
                     [f"{f['file']}:{f['line']}:{f['column']} {f['code']} {f['message']}" for f in r["remaining"]]))
    out.append(_list("Errors", "person", r["errors"]))
    out.append(_list("Changed by someone else on the branch", "person", r.get("foreign", [])))
    out.append(_list("Notes", "", r["notes"]))
    if r.get("patch"):
        lines = r["patch"].count("\n")
        out.append(f"<details><summary>diff ({lines} lines)</summary><pre class=diff>{_diff(r['patch'])}</pre></details>")
    return "".join(out)


def _list(title: str, kind: str, items: list[str]) -> str:
    if not items:
        return ""
    lis = "".join(f"<li class={kind}>{escape(text)}</li>" if kind else f"<li>{escape(text)}</li>" for text in items)
    return f"<h3>{escape(title)} ({len(items)})</h3><ul class=plain>{lis}</ul>"


def _diff(patch: str) -> str:
    out = []
    for line in patch.splitlines():
        kind = ("hunk" if line.startswith("@@") else "add" if line.startswith("+") and not line.startswith("+++")
                else "del" if line.startswith("-") and not line.startswith("---") else "")
        out.append(f"<span class={kind}>{escape(line)}</span>" if kind else escape(line))
    return "\n".join(out)
