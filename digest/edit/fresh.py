"""Only what is new: the posts an edition may carry.

An edition holds the posts no earlier edition carried (by post id, which is stable across
sources and rebuilds), and feed items no older than `max_age` days before the edition's date: a
feed keeps its old items for weeks, and a reader who saw them last week does not want them
again, nor a 2016 story under a 2023 date. Roundup and JSON posts are dated by when they were
posted, not when they were collected, so only the "carried before" rule applies to them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from digest.model import Post, Summary

# When every post was in an earlier edition (or is too old): what the edition says instead.
NOTHING_NEW = Summary(text="Nothing new since the last edition.", headline="Nothing new",
                      preheader="Nothing new since the last edition.")


def nothing_new(posts: Iterable[Post], seen: set[str], max_age: int) -> Summary:
    """What an edition with no news says: that the last one carried it all, or, where no
    earlier edition carried any of `posts`, that every item is too old (a first edition of a
    feed gone quiet has no "last edition")."""
    if max_age and not any(p.id in seen for p in posts):
        # In words: every number in a summary must trace to a source, and this one has none.
        text = "Nothing recent: every item in the sources is older than [build] max_age allows."
        return Summary(text=text, headline="Nothing recent", preheader=text)
    return NOTHING_NEW


def fresh_posts(posts: Iterable[Post], *, date: str, seen: set[str], feed_items: set[str],
                max_age: int) -> list[Post]:
    """`posts` less those in `seen` and, for the ids in `feed_items`, those dated more than
    `max_age` days before `date` (0: no age limit). Order is kept."""
    oldest = (dt.date.fromisoformat(date) - dt.timedelta(days=max_age)).isoformat() \
        if max_age else ""
    return [p for p in posts
            if p.id not in seen and not (p.id in feed_items and p.date < oldest)]
