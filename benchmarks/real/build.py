"""Rebuild the real-client corpus (issue 17) from git mirrors: each manifest entry's commit, its
tree as `git archive` would write it, in its own folder.

    python benchmarks/real/build.py                       # into /tmp/themis-lint-bench/real
    python benchmarks/real/build.py --mirrors DIR --clone-missing

The corpus is public third-party code: it is only ever extracted outside the work tree and never
committed. A mirror is looked up as DIR/owner+name/repo (the layout of /work/.mirror), DIR/owner+name
or DIR/owner/name.git; `--clone-missing` makes a bare clone from GitHub for one that is missing.
The corpus is rebuilt only when the manifest changed (a `.stamp` beside it holds its hash).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.json"
DEFAULT_OUT = Path("/tmp/themis-lint-bench/real")
DEFAULT_MIRRORS = Path("/work/.mirror")


def log(*parts) -> None:
    print("[real]", *parts, file=sys.stderr, flush=True)


def entries(manifest: Path = MANIFEST) -> list[dict]:
    return json.loads(manifest.read_text())["repositories"]


def find_mirror(repo: str, mirrors: Path) -> Path | None:
    owner, name = repo.split("/")
    for candidate in (mirrors / f"{owner}+{name}" / "repo", mirrors / f"{owner}+{name}",
                      mirrors / owner / f"{name}.git"):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
        if (candidate / ".git" / "HEAD").is_file():
            return candidate / ".git"
    return None


def clone(repo: str, mirrors: Path) -> Path:
    dest = mirrors / f"{repo.replace('/', '+')}" / "repo"
    dest.parent.mkdir(parents=True, exist_ok=True)
    log(f"cloning {repo} (bare) into {dest}")
    subprocess.run(["git", "clone", "--bare", "--quiet", f"https://github.com/{repo}.git", str(dest)], check=True)
    return dest


def tree(git_dir: Path, commit: str) -> list[tuple[str, str, str]]:
    """(mode, blob id, path) of every file of the commit (submodules are not part of it)."""
    out = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "-z", "--full-tree", commit],
                         capture_output=True, check=True).stdout
    found = []
    for record in out.split(b"\0"):
        if record:
            meta, path = record.split(b"\t", 1)
            mode, kind, blob = meta.decode().split()
            if kind == "blob":
                found.append((mode, blob, path.decode("utf-8", "surrogateescape")))
    return found


def blobs(git_dir: Path, ids: list[str]):
    """(id, bytes or None when the mirror lacks it) in order, through one `git cat-file --batch`."""
    proc = subprocess.Popen(["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    feeder = threading.Thread(target=_feed, args=(proc.stdin, ids), daemon=True)
    feeder.start()
    for blob in ids:
        header = proc.stdout.readline().split()
        if len(header) == 2 and header[1] == b"missing":
            yield blob, None
            continue
        data = proc.stdout.read(int(header[2]))
        proc.stdout.read(1)  # the newline after each object
        yield blob, data
    feeder.join()
    proc.wait()


def _feed(stdin, ids: list[str]) -> None:
    for blob in ids:
        stdin.write(blob.encode() + b"\n")
    stdin.close()


def extract(git_dir: Path, commit: str, dest: Path) -> tuple[int, int]:
    """Write the commit's files below `dest` as a checkout would (executable bits; symlinks only
    when relative and inside `dest`). Snapshots may lack large blobs (the mirrors here hold no file
    of 4 MiB or more): those are left out and counted, as are symlinks pointing outside."""
    files = tree(git_dir, commit)
    missing = skipped = 0
    for (mode, _, path), (_, data) in zip(files, blobs(git_dir, [blob for _, blob, _ in files])):
        target = dest / path
        if data is None:
            missing += 1
            continue
        if ".." in Path(path).parts or Path(path).is_absolute():
            skipped += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == "120000":
            link = data.decode("utf-8", "surrogateescape")
            inside = os.path.normpath(os.path.join(os.path.dirname(path), link))
            if os.path.isabs(link) or inside.startswith(".."):
                skipped += 1
                continue
            os.symlink(link, target)
            continue
        target.write_bytes(data)
        if mode == "100755":
            target.chmod(0o755)
    return missing, skipped


def stamp_of(manifest: Path) -> str:
    return hashlib.sha256(manifest.read_bytes() + Path(__file__).read_bytes()).hexdigest()


def build(out: Path = DEFAULT_OUT, mirrors: Path = DEFAULT_MIRRORS, clone_missing: bool = False,
          manifest: Path = MANIFEST) -> Path:
    """The corpus folder, rebuilt when the manifest (or this script) changed since the last build."""
    stamp = out.parent / (out.name + ".stamp")
    want = stamp_of(manifest)
    if out.is_dir() and stamp.exists() and stamp.read_text() == want:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=out.name + ".", dir=out.parent))
    summary = []
    for entry in entries(manifest):
        git_dir = find_mirror(entry["repo"], mirrors)
        if git_dir is None:
            if not clone_missing:
                sys.exit(f"no mirror of {entry['repo']} under {mirrors}: fetch it, or pass --clone-missing")
            git_dir = clone(entry["repo"], mirrors)
        dest = tmp / entry["folder"]
        dest.mkdir()
        missing, skipped = extract(git_dir, entry["commit"], dest)
        files, size = count(dest)
        summary.append({"folder": entry["folder"], "files": files, "bytes": size, "missing": missing,
                        "skipped": skipped})
        log(f"{entry['folder']}: {files} files, {size / 1e6:.1f} MB"
            + (f", {missing} not in the mirror" if missing else "") + (f", {skipped} unsafe" if skipped else ""))
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    (out.parent / (out.name + ".json")).write_text(json.dumps(summary, indent=1) + "\n")
    stamp.write_text(want)
    return out


def count(folder: Path) -> tuple[int, int]:
    files = size = 0
    for base, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(base, name)
            if os.path.isfile(path) and not os.path.islink(path):
                files += 1
                size += os.path.getsize(path)
    return files, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS)
    parser.add_argument("--clone-missing", action="store_true", help="bare-clone a missing mirror from GitHub")
    args = parser.parse_args()
    out = build(args.out, args.mirrors, args.clone_missing)
    files, size = count(out)
    print(f"{out}: {files} files, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
