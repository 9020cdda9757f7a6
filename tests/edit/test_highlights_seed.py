"""pick_highlights on the real seed, through the real reader and figure finder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from digest.edit.figures import find_figures
from digest.edit.highlights import pick_highlights
from digest.model import Figure, Highlight, Post, Prose
from digest.read import dedupe_posts, read_sources

Seed = tuple[list[Post], list[Figure], list[Prose]]
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def seed() -> tuple[list[Post], list[Figure], list[Prose]]:
    documents = read_sources([str(SEEDS)])
    posts = dedupe_posts([p for d in documents for p in d.posts])
    return posts, find_figures(posts), [p for d in documents for p in d.prose]


def picks(seed: Seed, n: int) -> list[Highlight]:
    posts, figures, prose = seed
    return pick_highlights(posts, figures, n, prose=prose)


def test_eight_distinct_picks_deterministic(seed: Seed) -> None:
    first = picks(seed, 8)
    assert len(first) == 8 and len({h.post for h in first}) == 8
    assert first == picks(seed, 8)


def test_the_post_with_the_key_figures_is_picked_and_says_them(
    seed: Seed,
) -> None:
    posts, figures, _ = seed
    carrier = next(p for p in posts if p.handle == "BestForBritain")
    assert any(f.post == carrier.id for f in figures)
    chosen = {h.post: h for h in picks(seed, 8)}
    assert carrier.id in chosen
    reason = chosen[carrier.id].reason
    assert reason.startswith("Carries the key figures:")
    assert "1.1m" in reason and "67m" in reason


def test_reasons_quote_the_post_or_name_a_counted_theme(
    seed: Seed,
) -> None:
    posts = {p.id: p for p in seed[0]}
    chosen = picks(seed, 8)
    assert len({h.reason for h in chosen}) == len(chosen)
    for h in chosen:
        text = " ".join(posts[h.post].text.split())
        if h.reason.startswith("Carries"):
            continue
        theme = re.search(r"the (\d+) posts on “([^”]+)”", h.reason)
        if theme:  # the count is true: that many posts use the words
            said = sum(theme[2].lower() in p.text.lower() for p in posts.values())
            assert said == int(theme[1]), h.reason
        for quoted in re.findall(r": “([^”]+)”", h.reason):
            # Quotes inside the quote are made single; the words are the post's own.
            assert bare(quoted.rstrip("…")) in bare(text), h.reason
    ddos = [h.reason for h in chosen if "posts on “DDOS”" in h.reason]
    assert ddos and "the 9 posts" in ddos[0]


def test_no_two_picks_alike_and_short_posts_kept_when_asked_for_all(
    seed: Seed,
) -> None:
    posts = {p.id: p for p in seed[0]}
    every = picks(seed, 50)
    assert len(every) == len(posts) == 21  # no near-duplicates in the seed: all come back
    texts = [posts[h.post].text.lower() for h in every]
    assert all(fuzz.ratio(a, b) < 85 for i, a in enumerate(texts) for b in texts[i + 1 :])
    short = next(p for p in posts.values() if p.text.startswith("They should call it"))
    assert short.id in {h.post for h in every}
    top = [posts[h.post] for h in picks(seed, 3)]
    assert all(len(p.text.split()) > 7 for p in top)  # one-liners do not lead the digest


@pytest.mark.slow
def test_same_picks_and_reasons_in_every_process() -> None:
    """Python salts str hashes per process; set order must never leak into picks or reasons."""
    script = (
        "import json, sys\n"
        "from digest.read import read_sources, dedupe_posts\n"
        "from digest.edit.figures import find_figures\n"
        "from digest.edit.highlights import pick_highlights\n"
        "docs = read_sources([sys.argv[1]])\n"
        "posts = dedupe_posts([p for d in docs for p in d.posts])\n"
        "prose = [p for d in docs for p in d.prose]\n"
        "hs = pick_highlights(posts, find_figures(posts), 12, prose=prose)\n"
        "print(json.dumps([[h.post, h.reason, h.score] for h in hs]))\n"
    )
    root = str(SEEDS.parent)
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script, str(SEEDS)], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": root}, cwd=root,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


def bare(text: str) -> str:
    return re.sub(r"[\"“”‘’']", "", text)
