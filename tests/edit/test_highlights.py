"""pick_highlights: salience, figures, near-duplicates, diversity, reasons, determinism."""

from __future__ import annotations

import random
import re

import pytest
from conftest import make_post
from rapidfuzz import fuzz

from digest.edit.highlights import pick_highlights
from digest.model import Figure, Post, Prose


def posts_of(*texts: str) -> list[Post]:
    return [make_post(t, i) for i, t in enumerate(texts)]


OUTAGE = posts_of(
    "The stream crashed because the servers could not cope with the crowd of listeners",
    "Nobody believes the hacker attack story, the servers simply could not cope",
    "Hacker attack my foot, the servers melted under a crowd they invited themselves",
    "A hacker attack that only hits one stream while the rest of the site runs fine?",
    "The hacker attack excuse again, after firing most of the engineers who kept it running",
    "Meanwhile the mayor praised the new bridge over the river at the opening ceremony",
    "They should call it a social notwork",
    "Rain all weekend across the north, with flood warnings for three rivers",
    "The cup final went to penalties after a goalless two hours in the heat",
)


def test_deterministic() -> None:
    figures = [Figure("f1", "80%", 80.0, "%", "of the engineers", "share", "p4", "")]
    first = pick_highlights(OUTAGE, figures, 4)
    assert first == pick_highlights(list(OUTAGE), list(figures), 4)
    assert len(first) == 4
    assert len({h.post for h in first}) == 4


def test_near_duplicates_are_merged_and_counted() -> None:
    original = "Absolutely nobody believes the hacker attack story, not one person"
    posts = posts_of(
        original,
        f"RT @a0: {original}",
        original.upper() + "!!! https://t.co/abc123",
        f"This. {original}",
        "The servers melted under a crowd they invited themselves",
    )
    picks = pick_highlights(posts, [], 10)
    assert len(picks) == 2  # n above the number of posts: all, minus the duplicates
    texts = [next(p.text for p in posts if p.id == h.post) for h in picks]
    assert sum("nobody believes" in t.lower() for t in texts) == 1
    merged = next(h for h in picks if h.post in {"p0", "p1", "p2", "p3"})
    assert "3 near-identical copies" in merged.reason


def test_two_near_identical_posts_never_both_picked() -> None:
    rng = random.Random(7)
    words = ["server", "crowd", "stream", "hacker", "attack", "engineer", "bridge", "mayor"]
    texts = [" ".join(rng.choice(words) for _ in range(12)) for _ in range(60)]
    texts += [t.replace(t.split()[0], "the", 1) for t in texts[:20]]  # one word changed
    posts = posts_of(*texts)
    for n in (5, 30, 100):
        by_id = {p.id: p.text for p in posts}
        picks = [by_id[h.post] for h in pick_highlights(posts, [], n)]
        for i, a in enumerate(picks):
            for b in picks[i + 1 :]:
                assert fuzz.ratio(a.lower(), b.lower()) < 85, (a, b)


def test_diversity_covers_each_angle_before_repeating_one() -> None:
    posts = posts_of(
        "The servers melted under the crowd of listeners and the stream crashed for an hour",
        "Servers melted, the stream crashed, a crowd of listeners left waiting for an hour",
        "Crowd of listeners too big: servers melted and the stream crashed yet again",
        "The stream crashed because the servers melted under a crowd of eager listeners",
        "The stream crashed after the company fired most of the engineers who ran it",
        "Firing the engineers who kept the stream running was always going to end like this",
        "Even crashed, the stream drew more listeners than the evening news ratings",
        "Ratings: the crashed stream still beat the evening news by a mile",
    )
    picks = [int(h.post[1:]) for h in pick_highlights(posts, [], 3)]
    angles = {0: "melted", 1: "melted", 2: "melted", 3: "melted", 4: "fired", 5: "fired",
              6: "ratings", 7: "ratings"}
    assert {angles[i] for i in picks} == {"melted", "fired", "ratings"}, picks


def test_figure_carrying_post_is_preferred_and_named() -> None:
    figures = [
        Figure("f1", "1.1m", 1.1e6, None, "listening live", "measured", "p3", "1.1m listening"),
        Figure("f2", "25m", 25e6, None, "promised listening live", "claimed", "p3", "25m",
               claim="promised"),
    ]
    picks = pick_highlights(OUTAGE, figures, 2)
    assert picks[0].post == "p3"
    assert picks[0].reason == (
        "Carries the key figures: 1.1m listening live and 25m promised"
    )
    without = pick_highlights(OUTAGE, [], 2)
    assert without[0].post != "p3" or without[0].reason != picks[0].reason


def test_a_lone_trivial_figure_does_not_become_the_reason() -> None:
    joke = [Figure("f9", "6", 6.0, None, "wives", "count", "p6", "6 wives")]
    posts = [*OUTAGE[:6],
             make_post("Henry VIII had fewer problems with his 6 wives than IT today", 6)]
    backed = [
        Figure("f1", "8.5 million", 8.5e6, None, "machines", "count", "p1", ""),
        Figure("f2", "8.5 million", 8.5e6, None, "Windows devices", "count", "p2", ""),
    ]
    picks = {h.post: h.reason for h in pick_highlights(posts, [*joke, *backed], 7)}
    assert picks["p1"] == "Carries a key figure: 8.5 million machines"  # backed by p2's figure
    assert picks["p2"] == "Carries a key figure: 8.5 million Windows devices"
    assert "key" not in picks["p6"]


def test_reasons_are_specific_to_each_pick() -> None:
    picks = pick_highlights(OUTAGE, [], 7)
    assert len(picks) == 7
    reasons = [h.reason for h in picks]
    assert len(set(reasons)) == len(reasons)
    for h in picks:
        assert h.reason.strip() and "\n" not in h.reason and len(h.reason) < 160
        text = next(p.text for p in OUTAGE if p.id == h.post).lower()
        quoted = re.findall(r"“([^”]+)”", h.reason)
        assert quoted, h.reason  # every reason names the theme or quotes the post
        assert any(q.rstrip("…").lower() in text for q in quoted) or "posts on" in h.reason


def test_theme_reason_counts_the_posts() -> None:
    picks = pick_highlights(OUTAGE, [], 7)
    themed = [h.reason for h in picks if "posts on" in h.reason]
    assert themed
    for reason in themed:
        assert "the 4 posts on “hacker attack”" in reason or "the 3 posts on “servers”" in reason
    assert "Most representative of the 4 posts on “hacker attack”" in themed


def test_short_posts_neither_dominate_nor_vanish() -> None:
    posts = posts_of(
        "Hacker attack",
        "Everyone blamed a hacker attack but the servers buckled under the crowd of listeners",
        "The hacker attack claim collapsed once engineers saw the crowd of listeners",
        "They should call it a social notwork",
    )
    picks = pick_highlights(posts, [], 10)
    assert picks[0].post != "p0"  # two words are too little evidence to be the top post
    assert {h.post for h in picks} == {"p0", "p1", "p2", "p3"}  # but nothing is dropped


def test_n_bounds() -> None:
    assert len(pick_highlights(OUTAGE, [], 1)) == 1
    assert len(pick_highlights(OUTAGE, [], len(OUTAGE))) == len(OUTAGE)
    assert len(pick_highlights(OUTAGE, [], 1000)) == len(OUTAGE)
    assert pick_highlights([], [], 5) == []


def test_prose_pulls_salience_towards_the_article() -> None:
    prose = [Prose(f"The mayor opened the new bridge over the river, ceremony {i}.", f"a.txt:{i}")
             for i in range(6)]
    picks = pick_highlights(OUTAGE, [], 1, prose=prose)
    assert picks[0].post == "p5"


def test_posts_without_words_still_get_a_reason() -> None:
    posts = posts_of("https://t.co/abc pic.twitter.com/xyz", "🔥🔥🔥", "https://t.co/other")
    picks = pick_highlights(posts, [], 5)
    assert len(picks) == 3
    assert all(h.reason for h in picks)


@pytest.mark.slow
def test_large_synthetic_input_runs() -> None:
    rng = random.Random(1)
    vocab = [f"w{i}" for i in range(3000)]
    texts = [
        " ".join(rng.choice(vocab[: rng.choice((50, 3000))]) for _ in range(rng.randint(3, 40)))
        for _ in range(5000)
    ]
    texts += texts[:500]  # exact duplicates
    posts = posts_of(*texts)
    picks = pick_highlights(posts, [], 25)
    assert len(picks) == 25
    assert len({h.post for h in picks}) == 25
    assert all(h.reason for h in picks)


def test_the_copy_that_carries_the_figure_is_kept() -> None:
    text = "Only 1.1m listened live against the 25m promised, a rough night for the stream"
    posts = posts_of(text, f"RT @a0: {text} https://t.co/x1", "Unrelated post about the weather")
    figures = [
        Figure("f1", "1.1m", 1.1e6, None, "listened live", "measured", "p1", text),
        Figure("f2", "25m", 25e6, None, "promised to listen live", "claimed", "p1", text),
    ]
    picks = pick_highlights(posts, figures, 5)
    assert [h.post for h in picks].count("p1") == 1 and "p0" not in {h.post for h in picks}
    assert picks[0].reason.startswith("Carries the key figures: 1.1m listened live and 25m")
    assert picks[0].reason.endswith("(and 1 near-identical copy)")


def test_the_event_named_by_the_lead_is_not_called_a_theme() -> None:
    posts = posts_of(
        "Musk blamed a hacker attack for the broken stream",
        "Musk again, and again the hacker attack line nobody buys",
        "Musk fired the engineers, then the stream fell over: no hacker attack needed",
        "Musk and the long wait for a stream that never came",
        "Musk now says the interference came from abroad, evidence to follow",
        "Musk and his guest talked taxes for an hour",
        "Musk promised twenty million listeners and got one",
        "Musk fans blamed the media, as usual",
        "Musk will try again next week, he says",
    )
    lead = [Prose("Elon Musk hosted a live stream on Monday night.", "roundup.txt:3")]
    reasons = [h.reason for h in pick_highlights(posts, [], 9, prose=lead)]
    assert not any("posts on “Musk”" in r for r in reasons), reasons
    assert any("posts on “hacker attack”" in r for r in reasons), reasons
    without_lead = [h.reason for h in pick_highlights(posts, [], 9)]
    assert not any("posts on “Musk”" in r for r in without_lead)  # in every post: the story


def test_more_picks_than_mmr_rounds_returns_every_distinct_post() -> None:
    rng = random.Random(3)
    vocab = [f"w{i}" for i in range(400)]
    texts = [" ".join(rng.sample(vocab, 10)) for _ in range(260)]
    posts = posts_of(*texts, *texts[:10])  # ten exact copies at the end
    picks = pick_highlights(posts, [], 1000)
    assert len(picks) == 260
    assert {h.post for h in picks} == {f"p{i}" for i in range(260)}
    assert all(h.reason for h in picks)
