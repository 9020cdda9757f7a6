"""Near-duplicate posts (retweets, copies with a comment or a different link), found without
comparing all pairs.

Candidate pairs come from prefix filtering: two texts whose word sets have a Jaccard of at
least DUP_JACCARD must share one of the rarest words of each, so a post is compared only with
the earlier kept posts in the buckets of its rarest words, and only with each bucket's latest
BUCKET_WINDOW posts; rapidfuzz verifies each candidate. The cost per post is bounded by
PREFIX_MAX x BUCKET_WINDOW comparisons, so the pass is linear in the number of posts.
"""

from __future__ import annotations

import itertools
import math
from array import array
from collections import Counter
from collections.abc import Sequence

from rapidfuzz import fuzz, process

DUP_RATIO = 85.0  # rapidfuzz ratio (0-100) of normalised texts at or above which posts are one
DUP_JACCARD = 0.6  # prefix filter: finds every pair of word sets at least this similar
BUCKET_WINDOW = 16  # a word shared by many posts: compare only with its latest posts
PREFIX_MAX = 8  # a long post's copies share its rarest words: a few of them are enough


def near_duplicate_leaders(norms: Sequence[str], raw: Sequence[str]) -> list[int]:
    """For each post, the index of the first post it nearly duplicates (itself if none).
    `norms` are the posts' normalised words joined by spaces, `raw` their texts."""
    freq = Counter(itertools.chain.from_iterable(map(set, map(str.split, norms))))
    rarest_first = {t: r for r, t in enumerate(sorted(freq, key=lambda t: (freq[t], t)))}
    # Arrays, not lists of ints: at 100,000 posts the candidates' lengths and bucket entries
    # are read from contiguous memory, and only the posts whose length can match are fetched.
    lengths = array("i", map(len, norms))
    reach = DUP_RATIO / (200 - DUP_RATIO)
    exact: dict[str, int] = {}
    # A bucket holds only its latest BUCKET_WINDOW posts: no older one is ever looked at.
    buckets: dict[str, array[int]] = {}
    leaders: list[int] = []
    for i, norm in enumerate(norms):
        key = norm or raw[i].strip()  # a post of links only is a duplicate only of its twin
        if key in exact:
            leaders.append(exact[key])
            continue
        ordered = sorted(set(norm.split()), key=rarest_first.__getitem__)
        keep = len(ordered) - math.ceil(DUP_JACCARD * len(ordered)) + 1
        prefix = ordered[: min(PREFIX_MAX, keep)]
        candidates = dict.fromkeys(itertools.chain.from_iterable(
            filter(None, map(buckets.get, prefix))))
        # Indel ratio <= 2*short/(short+long): lengths too far apart can never reach the cutoff.
        low, high = lengths[i] * reach, lengths[i] / reach
        close = [j for j in candidates if low <= lengths[j] <= high]
        match = process.extractOne(
            norm, list(map(norms.__getitem__, close)), scorer=fuzz.ratio,
            score_cutoff=DUP_RATIO) if close else None
        best = close[match[2]] if match else i
        leaders.append(best)
        if best == i:
            exact[key] = i
            for term in prefix:
                bucket = buckets.get(term)
                if bucket is None:
                    bucket = buckets[term] = array("i")
                bucket.append(i)
                if len(bucket) > BUCKET_WINDOW:
                    del bucket[0]
    return leaders
