"""`themis-lint merge-reports`: the JSON reports of `migrate --shard K/N` runs as one fleet report
(docs/migrate.md "One report for the organisation"). The rows are taken as they are and the
totals recomputed from them; reports of different packs or options, or naming a repository
twice, are refused; a missing shard is said loudly (exit 1), never silently left out.
"""
from __future__ import annotations

import json

import click

from themis_lint.project import ProjectError


def merge_reports(paths: list[str], report_path: str | None, html_path: str | None) -> int:
    from themis_lint.migrate.output import write_new
    from themis_lint.packs import PackError, load_catalogue
    from themis_lint.report.migrate import MergeError, merge, render_summary
    from themis_lint.report.migrate_html import render

    loaded = [(path, _read(path)) for path in paths]
    try:
        merged = merge(loaded, load_catalogue())
    except (MergeError, PackError) as exc:
        raise ProjectError(str(exc)) from exc
    if report_path:
        write_new(report_path, (json.dumps(merged, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode())
    if html_path:
        write_new(html_path, render(merged).encode())
    click.echo(render_summary(merged, [p for p in (report_path, html_path) if p]), nl=False)
    if merged["missing_shards"]:
        # exit 1 as for findings that remain: the report was written, it is only not whole
        click.echo(f"themis-lint: incomplete: no report of shard(s) {', '.join(merged['missing_shards'])}",
                   err=True)
        return 1
    return 0


def _read(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ProjectError(f"{path}: not a migrate report: {exc}") from exc
    if not isinstance(data, dict) or data.get("tool") != "themis-lint" or "repositories" not in data:
        raise ProjectError(f"{path}: not a themis-lint migrate report")
    return data
