"""Salience sums what a post tells of the story, not how closely its few words echo it."""

from __future__ import annotations

from conftest import make_post

from digest.edit.highlights import pick_highlights
from digest.model import Post, Prose


def posts_of(*texts: str) -> list[Post]:
    return [make_post(t, i) for i, t in enumerate(texts)]


LEAD = [Prose("The council vote on the harbour bridge went to a recount.", "r.txt:3")]


def test_a_post_that_tells_more_of_the_story_outranks_a_bare_mention() -> None:
    posts = posts_of(
        "Harbour bridge recount!",
        "Harbour bridge recount because two councillors swapped sides overnight and the mayor hid",
        "Lovely sunset over the marina tonight",
        "Bridge or no bridge, the ferry still runs late",
    )
    picks = pick_highlights(posts, [], 4, prose=LEAD)
    assert picks[0].post == "p1"
    assert "p0" in {h.post for h in picks}  # the bare mention is still there, further down
