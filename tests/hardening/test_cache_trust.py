"""Issue 18, item 11: what is in the cache decides findings and fixes, so only a cache folder
nobody else could have written is used, and no entry or pack copy can change an answer.

Each attack from the issue is planted for real in a cache folder, then the real CLI runs.
"""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

import hashlib

from themis_lint import __version__, packs, userdirs
from themis_lint.packs import files
from themis_lint.cache import Cache, run_key
from themis_lint.context import default_context
from themis_lint.pipeline import Options
from themis_lint.runner import content_digest, stat_key
from tests.helpers import invoke

JS = "fetch('/_api/collection/create', {method: 'POST'});\n"
EVIL = "https://evil.example/steal"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("THEMIS_LINT_CACHE_DIR", str(folder))
    return folder


def bundled_pack() -> Path:
    return packs.bundled_pack_paths()[-1]


def copy_key() -> str:
    """The name a pack copy is kept under: the pack's bytes, the tool version and the schema."""
    salt = files.pack_schema_digest()
    return hashlib.sha256(f"{__version__}\0{salt}\0".encode() + bundled_pack().read_bytes()).hexdigest()


def poisoned_copy() -> dict:
    """The bundled pack as its JSON copy holds it, with the endpoint fix pointing elsewhere."""
    tree = files.yaml_load(bundled_pack())
    data = files.plain(tree)
    for change in data["changes"]:
        if change["primitive"] == "deprecate-endpoint":
            change["new"] = EVIL
    return {"source": copy_key(), "data": data, "lines": files.Lines.of(tree).table}


def plant_pack_copies(folder: Path) -> None:
    """Both namings a copy has had: this version's (with the digest it claims) and the one before."""
    copy = poisoned_copy()
    (folder / "packs").mkdir(parents=True, exist_ok=True)
    (folder / "packs" / f"{copy_key()}.json").write_text(json.dumps(copy))
    (folder / f"pack-{copy_key()}.json").write_text(json.dumps(copy))


def fix_js(root: Path) -> tuple[str, str]:
    (root / "app.js").write_text(JS)
    result = invoke("check", "--fix", "-j", "1", str(root / "app.js"))
    return (root / "app.js").read_text(), result.stderr


def test_a_new_cache_folder_is_private(cache_dir, tmp_path) -> None:
    (tmp_path / "themisdb.conf").write_text("cache.maxSize: 1GB\n")
    invoke("check", "-j", "1", str(tmp_path / "themisdb.conf"))
    st = cache_dir.stat()
    assert stat.S_IMODE(st.st_mode) == 0o700 and st.st_uid == os.geteuid()
    assert (cache_dir / "results.sqlite3").exists()


def test_a_planted_pack_copy_in_a_shared_cache_folder_never_reaches_a_fix(cache_dir, tmp_path) -> None:
    cache_dir.mkdir()
    plant_pack_copies(cache_dir)
    cache_dir.chmod(0o777)  # a folder others can write: /tmp/shared-cache, a CI volume
    text, stderr = fix_js(tmp_path)
    assert EVIL not in text and "'/_api/collection'" in text
    assert f"cache folder {cache_dir} has mode 0777" in stderr and "running without the cache" in stderr


def test_a_cache_folder_of_ours_that_others_may_only_read_is_closed_and_used(cache_dir, tmp_path) -> None:
    # 0755: how older versions (and most tools) create ~/.cache entries; only we could write there
    cache_dir.mkdir()
    cache_dir.chmod(0o755)
    (tmp_path / "themisdb.conf").write_text("cache.maxSize: 1GB\n")
    result = invoke("check", "-j", "1", str(tmp_path / "themisdb.conf"))
    assert "cache folder" not in result.stderr
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    assert (cache_dir / "results.sqlite3").exists()


def test_a_group_writable_cache_folder_is_refused(cache_dir, tmp_path) -> None:
    cache_dir.mkdir()
    plant_pack_copies(cache_dir)
    cache_dir.chmod(0o770)  # a team's shared folder: a teammate could have planted the copy
    text, stderr = fix_js(tmp_path)
    assert EVIL not in text
    assert f"cache folder {cache_dir} has mode 0770" in stderr
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o770  # never "repaired": its entries stay untrusted


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the folder to another user")
def test_a_cache_folder_owned_by_someone_else_is_refused(cache_dir, tmp_path) -> None:
    cache_dir.mkdir(mode=0o700)
    plant_pack_copies(cache_dir)
    os.chown(cache_dir, 4242, 4242)  # sudo with another user's HOME: their cache, root's run
    text, stderr = fix_js(tmp_path)
    assert EVIL not in text
    assert "is owned by uid 4242, not by this user" in stderr


def test_a_pack_copy_that_does_not_name_its_source_is_ignored_even_in_a_private_folder(cache_dir, tmp_path) -> None:
    cache_dir.mkdir(mode=0o700)
    # a copy made from other bytes under this pack's name (a rename, a stale copy): its source differs
    copy = {**poisoned_copy(), "source": "0" * 64}
    (cache_dir / f"pack-{copy_key()}.json").write_text(json.dumps(copy))
    text, _ = fix_js(tmp_path)
    assert EVIL not in text


def test_a_private_copy_of_ours_is_used(cache_dir, tmp_path) -> None:
    """The copy is still the fast path: a copy of ours with the right digest is what the run uses
    (which is why nobody else may be able to write one)."""
    cache_dir.mkdir(mode=0o700)
    (cache_dir / f"pack-{copy_key()}.json").write_text(json.dumps(poisoned_copy()))
    os.chmod(cache_dir / f"pack-{copy_key()}.json", 0o600)
    text, _ = fix_js(tmp_path)
    assert EVIL in text


def test_a_group_writable_pack_copy_is_ignored(cache_dir, tmp_path) -> None:
    cache_dir.mkdir(mode=0o700)
    plant_pack_copies(cache_dir)
    for copy in cache_dir.glob("pack-*.json"):
        copy.chmod(0o666)
    text, _ = fix_js(tmp_path)
    assert EVIL not in text


def test_a_planted_temp_symlink_is_never_written_through(cache_dir, tmp_path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious")
    cache_dir.mkdir(mode=0o777)
    cache_dir.chmod(0o777)
    # the temp name a copy used to be written through: predictable from the pid
    (cache_dir / "packs").mkdir()
    (cache_dir / "packs" / f"{copy_key()}.json.{os.getpid()}.tmp").symlink_to(victim)
    (cache_dir / "results.sqlite3").symlink_to(victim)
    invoke("check", "-j", "1", str(tmp_path / "victim"))
    assert victim.read_text() == "precious"


def test_a_private_copy_write_never_follows_an_existing_name(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "c"
    folder.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_text("precious")
    monkeypatch.setattr(userdirs.secrets, "token_hex", lambda n: "f" * (2 * n))  # the name is guessed
    (folder / f".x.json.{'f' * 16}.tmp").symlink_to(victim)
    fd = userdirs.open_private_folder(str(folder))
    try:
        with pytest.raises(FileExistsError):
            userdirs.write_private(fd, "x.json", b"{}")
    finally:
        os.close(fd)
    assert victim.read_text() == "precious"


CLEAN, DIRTY = "cache.minSize: 1GB\n", "cache.maxSize: 1GB\n"  # the same length


def test_an_entry_with_equal_size_and_mtime_is_not_stale(cache_dir, tmp_path) -> None:
    path = tmp_path / "themisdb.conf"
    path.write_text(CLEAN)
    first = invoke("check", "-j", "1", "--select", "TH101", str(path))
    assert first.exit_code == 0
    before = path.stat()
    path.write_text(DIRTY)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # `touch -d`: size and mtime as cached
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    second = invoke("check", "-j", "1", "--select", "TH101", str(path))
    assert second.exit_code == 1 and "TH101" in second.stdout


def plant_clean_entry(folder: Path, path: Path) -> None:
    """An entry saying the file is clean, keyed by its real stat and digest: it would hide everything."""
    ctx = default_context()
    cache = Cache(str(folder), run_key(ctx, Options()))
    data = path.read_bytes()
    cache.put_many([(os.path.abspath(path), stat_key(path.stat()), content_digest(data), None)])
    cache.close()


def test_a_planted_entry_in_a_shared_folder_cannot_hide_findings(cache_dir, tmp_path) -> None:
    path = tmp_path / "themisdb.conf"
    path.write_text(DIRTY)
    cache_dir.mkdir(mode=0o700)
    plant_clean_entry(cache_dir, path)
    assert invoke("check", "-j", "1", str(path)).exit_code == 0  # as planted: the entry is honoured
    cache_dir.chmod(0o777)  # ... but only while nobody else could have written it
    result = invoke("check", "-j", "1", str(path))
    assert result.exit_code == 1 and "TH101" in result.stdout


def test_a_private_cache_inside_the_checked_tree_is_refused(tmp_path, monkeypatch) -> None:
    repo = tmp_path / "repo"
    folder = repo / ".cache" / "themis-lint"  # XDG_CACHE_HOME=$WORKSPACE/.cache, and the repo ships one
    folder.mkdir(parents=True, mode=0o700)
    folder.chmod(0o700)
    path = repo / "themisdb.conf"
    path.write_text(DIRTY)
    plant_clean_entry(folder, path)
    monkeypatch.setenv("THEMIS_LINT_CACHE_DIR", str(folder))
    result = invoke("check", "-j", "1", str(repo))
    assert result.exit_code == 1 and "TH101" in result.stdout
    assert f"cache folder {folder} is inside the checked tree" in result.stderr
