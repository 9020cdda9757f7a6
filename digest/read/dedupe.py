"""Drop posts seen twice, keeping the first.

Two posts are the same when their ids match (same who, day and words: see common.post_id), or
when they share handle (else author) and date and their texts are near-identical (a retyped
quote, a typo fixed): a rapidfuzz ratio of at least NEAR_IDENTICAL over the normalised words,
and the same numbers in the same order. Numbers are what this digest is about: "hits $60,000"
and "hits $61,000" from one feed on one day are two posts, however alike the words.

Cost stays linear: only posts with the same who-and-day key are compared, and within a key
only kept posts found through the new text's RAREST_PAIRS rarest word pairs (bigrams) that some
kept post also has, at most MAX_HITS per pair, so at most a few hundred comparisons (in
rapidfuzz's C code, with a cut-off) per post. Two near-identical texts share most word pairs; an
edit breaks a pair into one that no kept text has, and such pairs are never the ones looked at.
Texts of one or two words have no useful pairs and are compared with the key's latest short
texts. What this can miss: a near-duplicate made only of very common word pairs in a key with
thousands of posts (a busy feed), which then appears twice rather than costing quadratic time.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from digest.model import Post
from digest.read.common import normalise_for_id

NEAR_IDENTICAL = 90.0  # rapidfuzz ratio (0-100) over the normalised words
RAREST_PAIRS = 3  # how many of a text's rarest shared word pairs bring in candidates
MAX_HITS = 64  # the most recent kept posts looked at per pair: bounds the cost per post
SMALL = 8  # kept texts of one key below which they are compared without an index (memory)


_NUMBER_RE = re.compile(r"\d+")


class _Group:
    """The kept texts of one who-and-day key. Most keys hold one post: the group is made, and
    that post's text read, only when a second post comes. A small group keeps no index: the
    pairs of its few texts are worked out again when a post comes (the same hits, in the same
    order, as an index gives); past SMALL texts it indexes them by pair."""

    def __init__(self, first: str, words: dict[str, str]) -> None:
        self.pending: str | None = first  # the first kept post's text, not yet read
        self.words = words  # one string per distinct word, for all groups: the pairs share them
        self.texts: list[str] = []
        self.numbers: list[tuple[str, ...]] = []
        # pair -> the kept texts that have it: one index alone (most pairs), else a list.
        self.by_pair: dict[tuple[str, str], int | list[int]] | None = None
        self.short: list[int] = []

    def _pairs(self, words: str) -> set[tuple[str, str]]:
        tokens = words.split()
        return set(itertools.pairwise(map(self.words.setdefault, tokens, tokens)))

    def _hits(self, pairs: set[tuple[str, str]]) -> list[Sequence[int]]:
        """For each pair some kept text has, in the order of `pairs`: those texts, in order."""
        if self.by_pair is not None:
            return [found if isinstance(found, list) else (found,)
                    for pair in pairs if (found := self.by_pair.get(pair)) is not None]
        kept = [self._pairs(text) for text in self.texts]
        return [hits for pair in pairs
                if (hits := [j for j, have in enumerate(kept) if pair in have])]

    def _candidates(self, pairs: set[tuple[str, str]]) -> set[int]:
        if not pairs:
            return set(self.short[-MAX_HITS:])
        # The rarest pairs the new text shares with kept ones point at its near-duplicate: an
        # edit breaks a pair into one no kept text has, and those are not looked at.
        present = self._hits(pairs)
        present.sort(key=len)
        kept: set[int] = set()
        for hits in present[:RAREST_PAIRS]:
            kept.update(hits[-MAX_HITS:])
        return kept

    def keeps(self, text: str) -> bool:
        """Keep `text` (add it to the group) unless a kept text nearly duplicates it."""
        if self.pending is not None:
            first, self.pending = self.pending, None
            self._add(normalise_for_id(first))
        words = normalise_for_id(text)
        numbers = tuple(_NUMBER_RE.findall(words))
        pairs = self._pairs(words)
        if any(self.numbers[i] == numbers
               and fuzz.ratio(words, self.texts[i], score_cutoff=NEAR_IDENTICAL)
               for i in self._candidates(pairs)):
            return False
        self._add(words, numbers, pairs)
        return True

    def _add(self, words: str, numbers: tuple[str, ...] | None = None,
             pairs: set[tuple[str, str]] | None = None) -> None:
        index = len(self.texts)
        self.texts.append(words)
        self.numbers.append(tuple(_NUMBER_RE.findall(words)) if numbers is None else numbers)
        if len(words.split()) <= 2:
            self.short.append(index)
        if self.by_pair is None and len(self.texts) > SMALL:
            self.by_pair = {}
            for j, kept in enumerate(self.texts):
                self._index(j, self._pairs(kept))
        elif self.by_pair is not None:
            self._index(index, self._pairs(words) if pairs is None else pairs)

    def _index(self, index: int, pairs: set[tuple[str, str]]) -> None:
        by_pair = self.by_pair
        assert by_pair is not None
        for pair in pairs:
            hits = by_pair.get(pair)
            if hits is None:
                by_pair[pair] = index
            elif isinstance(hits, int):
                by_pair[pair] = [hits, index]
            else:
                hits.append(index)


def dedupe_posts(posts: list[Post]) -> list[Post]:
    seen_ids: set[str] = set()
    # A key's first kept text alone, until a second post has the key: then its _Group.
    groups: dict[tuple[str, str], str | _Group] = {}
    words: dict[str, str] = {}
    kept: list[Post] = []
    for post in posts:
        if post.id in seen_ids:
            continue
        key = ((post.handle or post.author).strip().lstrip("@").casefold(), post.date)
        group = groups.get(key)
        if group is None:
            groups[key] = post.text
        else:
            if isinstance(group, str):
                group = groups[key] = _Group(group, words)
            if not group.keeps(post.text):
                continue
        seen_ids.add(post.id)
        kept.append(post)
    return kept
