"""Issue 18, item 25: TH104's did-you-mean no longer compares every unknown key with every known
key, and gives difflib's suggestion on ordinary inputs."""
from __future__ import annotations

import difflib
import random
import string
import subprocess
import sys

import pytest

from themis_lint.analyzers import key_hints
from themis_lint.analyzers.key_hints import SHORTLIST, KeyHints
from themis_lint.analyzers.server_config import known_keys
from themis_lint.context import default_context


def random_key(rng: random.Random) -> str:
    return ".".join("".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 10)))
                    for _ in range(rng.randint(2, 3)))


def typo(rng: random.Random, key: str) -> str:
    i = rng.randrange(len(key))
    op, c = rng.choice("sdi"), rng.choice(string.ascii_lowercase)
    return key[:i] + ("" if op == "d" else c) + key[i + (op != "i"):]


def difflib_hint(word: str, known) -> str | None:
    found = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return found[0] if found else None


def test_the_bundled_keys_get_exactly_difflibs_hints() -> None:
    known = known_keys(default_context())
    hints = KeyHints(known)
    words = ["server.endpiont", "cache.sise", "storage.rocksdb.walsize", "query.spill", "databse.path",
             "server.statistics", "nothing.like.it", "s", "server.maxQueueSize2"]
    for word in words:
        assert hints.hint(word) == difflib_hint(word, known), word


@pytest.mark.parametrize("size", [50, 512, 5000])
def test_ordinary_typos_get_difflibs_hint(size) -> None:
    rng = random.Random(size)
    known = {random_key(rng) for _ in range(size)}
    hints = KeyHints(known)
    words = [typo(rng, rng.choice(sorted(known))) for _ in range(60)] + [random_key(rng) for _ in range(20)]
    for word in (w for w in words if w not in known):
        assert hints.hint(word) == difflib_hint(word, known), word


def test_comparisons_per_unknown_key_do_not_grow_with_the_known_keys(monkeypatch) -> None:
    """The scaling check as an operation count: difflib compares each word with at most SHORTLIST
    keys whether 10,000 or 40,000 are known (the whole set before: 40,000)."""
    compared = []
    real = difflib.SequenceMatcher.set_seq1
    monkeypatch.setattr(difflib.SequenceMatcher, "set_seq1", lambda self, a: (compared.append(a), real(self, a)))
    rng = random.Random(25)
    for size in (10_000, 40_000):
        known = {random_key(rng) for _ in range(size)}
        hints = KeyHints(known)
        compared.clear()
        for _ in range(20):
            hints.hint(typo(rng, rng.choice(sorted(known))) + "x")
        assert len([a for a in compared if a]) <= 20 * SHORTLIST, size  # (a matcher starts with "")


def test_a_hundred_thousand_known_keys_and_300_unknown_ones_finish(tmp_path) -> None:
    rng = random.Random(7)
    known = sorted({".".join(random_key(rng) for _ in range(2)) for _ in range(100_000)})
    (tmp_path / "pyproject.toml").write_text('[tool.themis-lint]\nextend-select = ["TH104"]\nknown-keys = ['
                                             + ",".join(f'"{k}"' for k in known) + "]\n")
    unknown = [f"{rng.choice(known)[:-1]}z{i}" for i in range(300)]
    (tmp_path / "themisdb.yaml").write_text("server:\n  endpoint: x\n" + "".join(f"{k}: 1\n" for k in unknown))
    result = subprocess.run([sys.executable, "-m", "themis_lint", "check", "--no-cache", "--exit-zero", "-q", "."],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)  # a hang guard
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("TH104") == 300 and result.stdout.count("did you mean") == 300


def test_hints_are_cached_per_known_set() -> None:
    a = key_hints.hints_for({"a.b", "c.d"})
    assert key_hints.hints_for({"c.d", "a.b"}) is a and key_hints.hints_for({"a.b"}) is not a
