"""Issue 18, items 10, 12, 13, 17, 20, 21 and 23: what the one writer does to the files it rewrites.

Every test works on real files through the real CLI or runner; the writer's test hooks
(`before_write`, `before_swap`) put another writer or a swapped folder exactly in the window.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from themis_lint import writer
from themis_lint.context import default_context
from themis_lint.discovery import Target, discover
from themis_lint.model import Safety
from themis_lint.pipeline import Options
from themis_lint.runner import process_file
from tests.helpers import invoke

OLD = "storage:\n  journalSize: 32MB\n"
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: chown to another user, run as another user")


def fixed_text() -> str:
    return process_text(OLD)


def process_text(text: str) -> str:
    from tests.helpers import fix

    return fix(text, "themisdb.yaml", Safety.SAFE)


def fix_tree(root: Path, *extra: str) -> object:
    return invoke("check", "--fix", "--no-cache", "-j", "1", *extra, str(root))


# ---- item 10: the write goes to the folder that was checked ---------------------------------------

def test_a_parent_folder_swapped_for_a_symlink_mid_run_is_not_written_through(tmp_path, monkeypatch) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "themisdb.yaml").write_text(OLD)  # the same bytes: only the folder check can tell
    sub = tmp_path / "tree" / "sub"
    sub.mkdir(parents=True)
    (sub / "themisdb.yaml").write_text(OLD)

    def swap(path: str) -> None:
        sub.rename(tmp_path / "tree" / "moved")
        sub.symlink_to(outside, target_is_directory=True)

    monkeypatch.setattr(writer, "before_write", swap)
    fix_tree(tmp_path / "tree")
    assert (outside / "themisdb.yaml").read_text() == OLD
    assert (tmp_path / "tree" / "moved" / "themisdb.yaml").read_text() == fixed_text()  # the checked folder


def test_a_folder_swapped_before_the_read_is_refused_not_followed(tmp_path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "themisdb.yaml").write_text(OLD)
    sub = tmp_path / "tree" / "sub"
    sub.mkdir(parents=True)
    (sub / "themisdb.yaml").write_text(OLD)
    targets, _ = discover([str(tmp_path / "tree")], [])
    sub.rename(tmp_path / "tree" / "moved")
    sub.symlink_to(outside, target_is_directory=True)  # after discovery, before the read
    result = process_file(targets[0], default_context(), Options(fix=Safety.SAFE))
    assert result.errors == [f"{targets[0].display}: cannot read: its folder 'sub' was replaced by a symlink "
                             "or a file"]
    assert (outside / "themisdb.yaml").read_text() == OLD


# ---- item 12: read-only files ---------------------------------------------------------------------

def test_a_read_only_file_is_reported_not_fixable_and_never_rewritten(tmp_path, monkeypatch) -> None:
    path = tmp_path / "themisdb.yaml"
    path.write_text(OLD)
    path.chmod(0o444)
    if os.geteuid() == 0:
        # a read-only file means something to a user; root may write any file, as for the kernel:
        # the check reads the file's bits as they apply to its owner, here as that owner would
        os.chown(path, 4242, 4242)
        monkeypatch.setattr(os, "geteuid", lambda: 4242)
        monkeypatch.setattr(os, "getegid", lambda: 4242)
    result = invoke("check", "--fix", "--no-cache", "-j", "1", "--output-format", "json", str(tmp_path))
    assert path.read_text() == OLD and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert result.exit_code == 1  # findings remain; nothing went wrong
    findings = json.loads(result.stdout)
    assert findings and all("(not fixed: read-only)" in f["message"] for f in findings if f["fix"])
    assert "themisdb.yaml: not fixed: read-only" in result.stderr


@ROOT_ONLY
def test_root_fixes_a_read_only_file_as_the_kernel_lets_it_and_keeps_its_mode(tmp_path) -> None:
    # the upgrade guide's acceptance run copies read-only cases and fixes them as root
    path = tmp_path / "themisdb.yaml"
    path.write_text(OLD)
    path.chmod(0o444)
    fix_tree(tmp_path)
    assert path.read_text() == fixed_text() and stat.S_IMODE(path.stat().st_mode) == 0o444


# ---- item 13: owner, set-ID bits, extended attributes, hard links ---------------------------------

@ROOT_ONLY
def test_a_root_fix_keeps_the_owner_and_group(tmp_path) -> None:
    path = tmp_path / "themisdb.yaml"
    path.write_text(OLD)
    os.chown(path, 4242, 4343)
    path.chmod(0o640)
    fix_tree(tmp_path)
    st = path.stat()
    assert path.read_text() == fixed_text()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (4242, 4343, 0o640)


def test_a_rewritten_file_never_keeps_set_id_bits_and_says_so(tmp_path) -> None:
    path = tmp_path / "themisdb.yaml"
    path.write_text(OLD)
    path.chmod(0o6755)
    result = fix_tree(tmp_path)
    assert path.read_text() == fixed_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o755
    assert "set-user/group-ID bit was dropped" in result.stderr


def _xattrs_supported(path: Path) -> bool:
    try:
        os.setxattr(path, "user.themis-lint-probe", b"1")
        os.removexattr(path, "user.themis-lint-probe")
        return True
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
            return False
        raise


def _acl(uid: int) -> bytes:
    """A POSIX access ACL in the kernel's xattr format: owner rw, user `uid` r, group r, mask r, other r."""
    import struct

    entries = [(0x01, 6, 0xFFFFFFFF), (0x02, 4, uid), (0x04, 4, 0xFFFFFFFF), (0x10, 4, 0xFFFFFFFF),
               (0x20, 4, 0xFFFFFFFF)]
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in entries)


def test_extended_attributes_and_acls_are_kept(tmp_path) -> None:
    path = tmp_path / "themisdb.yaml"
    path.write_text(OLD)
    if not _xattrs_supported(path):
        pytest.skip("this filesystem has no user extended attributes")
    os.setxattr(path, "user.origin", b"ticket-42")
    acl = _acl(4242)
    try:
        os.setxattr(path, "system.posix_acl_access", acl)
    except OSError:
        acl = None  # no POSIX ACLs here: the user xattr still shows the mechanism
    fix_tree(tmp_path)
    assert path.read_text() == fixed_text()
    assert os.getxattr(path, "user.origin") == b"ticket-42"
    if acl is not None:
        assert os.getxattr(path, "system.posix_acl_access") == acl


def test_a_hard_linked_file_is_reported_not_fixed_and_both_names_stay(tmp_path) -> None:
    path = tmp_path / "themisdb.yaml"
    path.write_text(OLD)
    other = tmp_path / "elsewhere.txt"
    os.link(path, other)
    result = invoke("check", "--fix", "--no-cache", "-j", "1", "--output-format", "json", str(tmp_path))
    assert path.read_text() == OLD and os.path.samefile(path, other)
    assert "themisdb.yaml: not fixed: hard-linked (2 names)" in result.stderr
    assert any("(not fixed: hard-linked (2 names))" in f["message"] for f in json.loads(result.stdout))


# ---- item 17: the size limit holds for a file that grows while it is read ------------------------

def test_a_file_growing_after_its_stat_does_not_escape_the_size_limit(tmp_path, monkeypatch) -> None:
    path = tmp_path / "themisdb.yaml"
    path.write_text(OLD)
    real_fstat = os.fstat

    def grows_right_after_the_stat(fd):
        st = real_fstat(fd)
        if stat.S_ISREG(st.st_mode) and os.path.samestat(st, real_fstat_of(path)):
            with open(path, "a") as handle:  # someone appends between our stat and our read
                handle.write("# padding\n" * 10_000)
        return st

    def real_fstat_of(p):
        return os.stat(p)

    monkeypatch.setattr(writer.os, "fstat", grows_right_after_the_stat)
    result = process_file(Target(str(path), "themisdb.yaml", True), default_context(),
                          Options(max_file_size=1000))
    assert result.findings == [] and result.infos == [
        "themisdb.yaml: skipped: it grew past the 1000-byte limit while being read (--max-file-size)"]


SWAP_FOR_FIFO = """
import os, sys
from themis_lint.context import default_context
from themis_lint.discovery import discover
from themis_lint.pipeline import Options
from themis_lint.runner import process_file
targets, _ = discover(["."], [])
os.unlink("themisdb.yaml")
os.mkfifo("themisdb.yaml")  # nobody will ever write to it: a blocking open or read hangs the run
print(process_file(targets[0], default_context(), Options()).errors)
"""


def test_a_file_swapped_for_a_fifo_after_discovery_is_refused_without_hanging(tmp_path) -> None:
    (tmp_path / "themisdb.yaml").write_text(OLD)
    result = subprocess.run([sys.executable, "-c", SWAP_FOR_FIFO], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert result.stdout.strip() == "['themisdb.yaml: cannot read: not a regular file']", result.stderr


# ---- item 20: an unwritable file keeps its findings in the JSON output, with the reason ----------

class Unwritable:
    """A folder nobody can create files in: read-only for a user, immutable (chattr +i) for root."""

    def __init__(self, folder: Path):
        self.folder = folder

    def __enter__(self) -> str:
        if os.geteuid() != 0:
            self.folder.chmod(0o555)
            return "Permission denied"
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(self.folder)],
                                                            capture_output=True).returncode != 0:
            pytest.skip("root needs chattr +i (CAP_LINUX_IMMUTABLE) for a folder it cannot write")
        return "Operation not permitted"

    def __exit__(self, *exc) -> None:
        if os.geteuid() != 0:
            self.folder.chmod(0o755)
        else:
            subprocess.run(["chattr", "-i", str(self.folder)], check=True)


def test_an_unwritable_file_keeps_its_findings_in_json_with_the_reason(tmp_path) -> None:
    path = tmp_path / "themisdb.yaml"
    path.write_text(OLD)
    with Unwritable(tmp_path) as reason:
        result = subprocess.run([sys.executable, "-m", "themis_lint", "check", "--fix", "--no-cache",
                                 "--output-format", "json", "."], cwd=tmp_path, capture_output=True, text=True,
                                timeout=120)
    assert result.returncode == 2, result.stderr
    assert f"themisdb.yaml: not written: {reason}" in result.stderr
    findings = json.loads(result.stdout)
    assert {f["code"] for f in findings} >= {"TH101", "TH102"}
    assert all(f["message"].endswith(f"(not fixed: the file was not written: {reason})")
               for f in findings if f["fix"])
    assert path.read_text() == OLD


# ---- item 21: temp files a kill -9 left behind ----------------------------------------------------

PAUSED_WRITER = """
import sys, time
from themis_lint import writer
def pause(name):
    print("temp written", flush=True)
    time.sleep(600)
writer.before_swap = pause
from themis_lint.cli import main
sys.argv = ["themis-lint", "check", "--fix", "--no-cache", "-j", "1", "."]
main()
"""


def test_kill_9_mid_write_leaves_the_original_and_the_next_run_removes_the_temp_file(tmp_path) -> None:
    (tmp_path / "themisdb.yaml").write_text(OLD)
    proc = subprocess.Popen([sys.executable, "-c", PAUSED_WRITER], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        assert proc.stdout.readline().strip() == "temp written"
    finally:
        proc.kill()
        proc.wait(timeout=60)
    left = list(tmp_path.glob(".themis-lint-*.tmp"))
    assert len(left) == 1 and left[0].read_text() == fixed_text()
    assert (tmp_path / "themisdb.yaml").read_text() == OLD  # never half-written
    # decoys the cleanup must leave alone: not our exact naming, a symlink, a live writer's file
    (tmp_path / ".themis-lint-notours.tmp.keep").write_text("x")
    victim = tmp_path / "victim"
    victim.write_text("precious")
    (tmp_path / ".themis-lint-0123456789abcdef.tmp").symlink_to(victim)
    live = tmp_path / ".themis-lint-fedcba9876543210.tmp"
    live.write_text("being written")
    old = time.time() - 3600
    os.utime(live, (old, old))
    import fcntl

    with open(live) as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = subprocess.run([sys.executable, "-m", "themis_lint", "check", "--fix", "--no-cache",
                                 "--output-format", "json", "."], cwd=tmp_path, capture_output=True, text=True,
                                timeout=120)
        assert live.exists()
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "themisdb.yaml").read_text() == fixed_text()
    assert not left[0].exists() and victim.read_text() == "precious"
    assert (tmp_path / ".themis-lint-0123456789abcdef.tmp").is_symlink()
    assert (tmp_path / ".themis-lint-notours.tmp.keep").exists()
    assert ".themis-lint-" not in result.stdout + result.stderr  # never reported


# ---- item 23: an edit made in the last window is never lost --------------------------------------

def test_an_in_place_edit_right_before_the_swap_is_kept(tmp_path, monkeypatch) -> None:
    path = tmp_path / "themisdb.yaml"
    path.write_text(OLD)
    theirs = OLD + "# a person's edit\n"

    def edit(name: str) -> None:
        with open(path, "r+") as handle:  # in place: same inode, as `>>` or many editors do
            handle.write(theirs)

    monkeypatch.setattr(writer, "before_swap", edit)
    result = fix_tree(tmp_path)
    assert path.read_text() == theirs
    assert "not written: changed on disk while it was being written" in result.stderr
    assert not list(tmp_path.glob(".themis-lint-*"))


def test_an_atomic_save_right_before_the_swap_is_kept(tmp_path, monkeypatch) -> None:
    path = tmp_path / "themisdb.yaml"
    path.write_text(OLD)
    theirs = "# saved by an editor\n" + OLD

    def save(name: str) -> None:
        (tmp_path / "editor.tmp").write_text(theirs)
        os.replace(tmp_path / "editor.tmp", path)  # a new inode under the name

    monkeypatch.setattr(writer, "before_swap", save)
    result = fix_tree(tmp_path)
    assert path.read_text() == theirs
    assert "not written: changed on disk while it was being written" in result.stderr
    assert not list(tmp_path.glob(".themis-lint-*"))


def test_without_an_atomic_exchange_an_edit_in_the_window_is_written_back(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(writer, "_exchange", lambda folder, a, b: False)  # NFS, macOS, old kernels
    path = tmp_path / "themisdb.yaml"
    path.write_text(OLD)
    theirs = OLD + "# a person's edit\n"
    held = open(path, "r+")  # they opened it before our rename, and write after our last check

    def edit(name: str) -> None:
        held.write(theirs)
        held.flush()

    monkeypatch.setattr(writer, "before_swap", edit)
    try:
        result = fix_tree(tmp_path)
    finally:
        held.close()
    assert path.read_text() == theirs
    assert "the other edit was kept" in result.stderr


def test_the_plain_write_still_keeps_everything_without_exchange(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(writer, "_exchange", lambda folder, a, b: False)
    path = tmp_path / "themisdb.yaml"
    path.write_text(OLD)
    path.chmod(0o604)
    fix_tree(tmp_path)
    assert path.read_text() == fixed_text() and stat.S_IMODE(path.stat().st_mode) == 0o604
    assert not list(tmp_path.glob(".themis-lint-*"))


def test_nothing_is_applied_twice(tmp_path) -> None:
    path = tmp_path / "themisdb.yaml"
    path.write_text(OLD)
    fix_tree(tmp_path)
    once = path.read_text()
    fix_tree(tmp_path)
    assert path.read_text() == once == fixed_text()


def test_a_temp_file_left_next_to_an_already_fixed_file_is_removed_by_the_next_fix_run(tmp_path) -> None:
    """A kill -9 between the exchange and the unlink leaves the original bytes in a temp file while
    the file itself is fixed: the next run has nothing to write there and must still clean up,
    even when the result cache says the file is unchanged."""
    path = tmp_path / "themisdb.yaml"
    path.write_text(fixed_text())
    invoke("check", "--fix", "-j", "1", str(tmp_path))  # the cache now knows the file as clean
    left = tmp_path / ".themis-lint-00112233445566ff.tmp"
    left.write_text(OLD)
    old = time.time() - 60
    os.utime(left, (old, old))
    invoke("check", "--fix", "-j", "1", str(tmp_path))
    assert not left.exists() and path.read_text() == fixed_text()
