"""What earlier editions in an outbox carried: the posts a new edition leaves out."""

from __future__ import annotations

import logging
from pathlib import Path

from digest.publish.index import entries

log = logging.getLogger(__name__)


def carried_posts(outbox: Path, edition: str, date: str) -> set[str]:
    """Ids of the posts every other edition in `outbox` dated no later than `date` carried.

    The edition being built (`edition`) does not count, so rebuilding it gives the same posts;
    nor does a later one, so rebuilding an old edition does not lose posts a newer one took
    over. An unreadable edition.json is skipped with a warning: it cannot prove a post old.
    Read from the outbox's index (index.py), not from every edition.json.
    """
    seen: set[str] = set()
    for entry in entries(outbox, save=False):
        fields = entry.fields
        if entry.folder == edition:
            continue
        if "edition" not in fields or "date" not in fields or entry.posts is None:
            log.warning("%s: unreadable, its posts count as new (no edition, date or posts)",
                        outbox / entry.folder / "edition.json")
            continue
        if str(fields["edition"]) == edition or str(fields["date"]) > date:
            continue
        seen.update(entry.posts)
    return seen
