"""Drop posts seen twice, keeping the first.

Two posts are the same when their ids match (same who, day and words: see common.post_id), or
when they share handle (else author) and date and their texts are near-identical (a retyped
quote, a typo fixed, a link expanded). Only posts with the same who-and-day key are compared
with each other, so the cost stays near-linear in the number of posts.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from digest.models import Post
from digest.readers.common import normalise_for_id

NEAR_IDENTICAL = 90.0  # rapidfuzz ratio (0-100) over the normalised words


def dedupe_posts(posts: list[Post]) -> list[Post]:
    seen_ids: set[str] = set()
    kept_by_key: dict[tuple[str, str], list[str]] = {}
    kept: list[Post] = []
    for post in posts:
        if post.id in seen_ids:
            continue
        key = ((post.handle or post.author).strip().lstrip("@").casefold(), post.date)
        words = normalise_for_id(post.text)
        earlier = kept_by_key.setdefault(key, [])
        if any(fuzz.ratio(words, other) >= NEAR_IDENTICAL for other in earlier):
            continue
        seen_ids.add(post.id)
        earlier.append(words)
        kept.append(post)
    return kept
