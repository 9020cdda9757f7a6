"""Salience sums what a post tells of the story; the story's own words make no two posts alike."""

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


def test_sharing_only_the_story_words_does_not_make_two_posts_alike() -> None:
    # p0 and p1 react differently to the same vote; the story's words are all they share.
    posts = posts_of(
        "Harbour bridge vote recount: the mayor abstained",
        "Harbour bridge vote recount: fishermen furious",
        "The bridge vote means ferry timetable changes start Monday for commuters",
        "Cold tea",
    )
    picks = [h.post for h in pick_highlights(posts, [], 2, prose=LEAD)]
    assert sorted(picks) == ["p0", "p1"], picks


def test_in_a_few_posts_a_paraphrased_pair_is_not_the_story() -> None:
    # Two of three posts share "mayor abstained claimed credit": most posts, but no story.
    posts = posts_of(
        "Recount: the mayor abstained, then claimed credit for the harbour bridge result",
        "Recount: the mayor abstained then claimed the credit for the bridge, unbelievable",
        "Recount called after fishermen blocked the slipway with their boats all morning",
    )
    picks = {h.post for h in pick_highlights(posts, [], 2, prose=LEAD)}
    assert picks != {"p0", "p1"}, picks
