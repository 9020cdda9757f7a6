"""What earlier editions in an outbox carried: the posts a new edition leaves out."""

from __future__ import annotations

import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)


def carried_posts(outbox: Path, edition: str, date: str) -> set[str]:
    """Ids of the posts every other edition in `outbox` dated no later than `date` carried.

    The edition being built (`edition`) does not count, so rebuilding it gives the same posts;
    nor does a later one, so rebuilding an old edition does not lose posts a newer one took
    over. An unreadable edition.json is skipped with a warning: it cannot prove a post old.
    """
    seen: set[str] = set()
    for path in sorted(outbox.glob("*/edition.json")):
        if path.parent.name.startswith(".") or path.parent.name == edition:
            continue  # "." : an edition still being written, or an aborted one
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if str(data["edition"]) == edition or str(data["date"]) > date:
                continue
            seen.update(str(post["id"]) for post in data["posts"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("%s: unreadable, its posts count as new (%s)", path, exc)
    return seen
