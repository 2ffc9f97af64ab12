"""TH104's did-you-mean: the known key closest to an unknown one, without comparing every unknown
key with every known key (100,000 `known-keys` and 300 unknown keys took over 300 s).

difflib.get_close_matches(word, known, n=1, cutoff=0.6) is the answer we give. A small known set
(every bundled pack, any ordinary project) is compared whole, so the hint is exactly difflib's.
A large one is indexed by character trigrams: difflib then compares the word only with the
SHORTLIST keys sharing the most trigrams with it, within the lengths difflib's own bound allows.
"""
from __future__ import annotations

import difflib
import heapq
from collections import Counter

CUTOFF = 0.6
EXACT_UP_TO = 512  # known sets this small are compared whole
SHORTLIST = 64  # keys difflib compares a word with, from a large known set
POSTINGS_BUDGET = 100_000  # trigram postings counted per word; the rarest trigrams go first


def _trigrams(word: str) -> set[str]:
    padded = f"\0{word}\0"
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


class KeyHints:
    """Hints for one known set; the index is built once, each word's hint computed once."""

    def __init__(self, known) -> None:
        self.keys = sorted(known)
        self.index: dict[str, list[int]] | None = None
        self.memo: dict[str, str | None] = {}
        if len(self.keys) > EXACT_UP_TO:
            self.index = {}
            for i, key in enumerate(self.keys):
                for gram in _trigrams(key):
                    self.index.setdefault(gram, []).append(i)

    def hint(self, word: str) -> str | None:
        if word not in self.memo:
            pool = self.keys if self.index is None else self._shortlist(word)
            found = difflib.get_close_matches(word, pool, n=1, cutoff=CUTOFF)
            self.memo[word] = found[0] if found else None
        return self.memo[word]

    def _shortlist(self, word: str) -> list[str]:
        # difflib's real_quick_ratio: 2*min(len)/(sum of len) >= CUTOFF bounds a match's length
        low, high = len(word) * 3 / 7, len(word) * 7 / 3
        postings = sorted((self.index.get(g, ()) for g in _trigrams(word)), key=len)
        counts: Counter[int] = Counter()
        budget = POSTINGS_BUDGET
        for ids in postings:
            if budget <= 0:
                break
            counts.update(ids)
            budget -= len(ids)
        fitting = ((n, i) for i, n in counts.items() if low <= len(self.keys[i]) <= high)
        return [self.keys[i] for _, i in heapq.nlargest(SHORTLIST, fitting)]


_cache: list = []  # [(frozenset of known keys, KeyHints)]: one run checks many files with one set


def hints_for(known: set[str]) -> KeyHints:
    frozen = frozenset(known)
    if not _cache or _cache[0][0] != frozen:
        _cache[:] = [(frozen, KeyHints(frozen))]
    return _cache[0][1]
