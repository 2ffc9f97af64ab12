"""File discovery: .gitignore, default and project excludes, symlinks, special files (docs/cli.md)."""
from __future__ import annotations

import os

from themis_lint.discovery import DEFAULT_EXCLUDES, discover


def _names(targets) -> list[str]:
    return [os.path.relpath(t.path).replace(os.sep, "/") for t in targets]


def test_gitignore_default_excludes_and_nested_rules(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for rel in ["a.conf", "logs/x.log", "keep.log", "node_modules/p/i.js", "sub/b.js", "sub/gen/c.js",
                "sub/gen/keep.js", "web/app.min.js", ".git/config", "build/out.sh"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    (tmp_path / ".gitignore").write_text("*.log\n!keep.log\n")
    (tmp_path / "sub" / ".gitignore").write_text("gen/\n")
    targets, errors = discover(["."], list(DEFAULT_EXCLUDES))
    assert errors == []
    assert _names(targets) == [".gitignore", "a.conf", "keep.log", "sub/.gitignore", "sub/b.js"]


def test_extend_exclude_with_paths_and_explicit_files(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.sh").write_text("x")
    (tmp_path / "new.sh").write_text("x")
    targets, _ = discover(["."], ["legacy/"])
    assert _names(targets) == ["new.sh"]
    targets, _ = discover(["legacy/old.sh"], ["legacy/"])
    assert _names(targets) == ["legacy/old.sh"] and targets[0].explicit


def test_symlinks_and_fifos_are_never_followed(tmp_path, monkeypatch) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.conf").write_text("x")
    root = tmp_path / "root"
    root.mkdir()
    (root / "real.conf").write_text("x")
    os.symlink(outside, root / "link-dir")
    os.symlink(outside / "secret.conf", root / "link.conf")
    os.symlink(root, root / "loop")
    os.mkfifo(root / "pipe.conf")
    monkeypatch.chdir(root)
    targets, _ = discover(["."], [])
    assert _names(targets) == ["real.conf"]
