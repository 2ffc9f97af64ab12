"""Issue 12 item 9: vendored tool bundles (Yarn 2+ releases and plugins, Plug'n'Play loaders) are
not client code and are skipped by default; named on the command line they are still checked."""
from __future__ import annotations

import os

from themis_lint.discovery import DEFAULT_EXCLUDES, discover


def test_yarn_folder_and_pnp_loaders_are_excluded_by_default(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for rel in [".yarn/releases/yarn-4.1.0.cjs", ".yarn/plugins/@yarnpkg/plugin-x.cjs", ".pnp.cjs",
                ".pnp.loader.mjs", "src/app.js", "src/.pnp.cjs.md"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    targets, errors = discover(["."], list(DEFAULT_EXCLUDES))
    assert errors == []
    assert [os.path.relpath(t.path).replace(os.sep, "/") for t in targets] == ["src/.pnp.cjs.md", "src/app.js"]
    targets, _ = discover([".pnp.cjs"], list(DEFAULT_EXCLUDES))
    assert [t.display for t in targets] == [".pnp.cjs"] and targets[0].explicit
