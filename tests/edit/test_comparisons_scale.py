"""Comparisons at scale: a label every post quotes still relates its figures (a group of more
than MAX_BUCKET figures was dropped whole, so at 50,000 posts no comparison was left), and
the pairs tried stay bounded."""

from __future__ import annotations

from conftest import make_post

from digest.edit.comparisons import compare
from digest.edit.figures import find_figures
from digest.edit.pairing import MAX_BUCKET, related_pairs
from digest.model import Figure, Post


def _posts(count: int) -> list[Post]:
    """A roundup where most posts quote the promise and some say how many listened."""
    posts = []
    for i in range(count):
        if i % 3 == 0:
            text = f"Only {1 + i % 7}.{i % 10}m listening live."
        else:
            text = "Musk had promised 25m listeners."
        posts.append(make_post(text, i, source=f"page.txt:{i}"))
    return posts


def test_a_label_quoted_by_hundreds_still_gives_comparisons() -> None:
    small = _posts(12)
    big = _posts(40 * MAX_BUCKET)
    for posts in (small, big):
        figures = find_figures(posts)
        comparisons = compare(figures, posts)
        assert comparisons, f"no comparison among {len(posts)} posts"
        byid = {f.id: f for f in figures}
        # Each one relates a count of listeners to the promise (or two such counts).
        assert all("listen" in " ".join(byid[i].label for i in c.figures) for c in comparisons)
    # The same sums come out whatever the number of posts quoting the figures.
    texts_small = {c.text for c in compare(find_figures(small), small)}
    texts_big = {c.text for c in compare(find_figures(big), big)}
    assert texts_small & texts_big


def _figure(n: int, value: float) -> Figure:
    return Figure(id=f"f{n}", text=f"{value:g}", value=value, unit="GBP", label="record fine",
                  kind="money", post=f"p{n}", quote=f"£{value:g} record fine")


def test_the_pairs_tried_stay_bounded() -> None:
    # 5,000 figures of one label: all against all would be 12.5 million pairs.
    figures = [_figure(n, 100 + n % 400) for n in range(5000)]
    story = {f.post: "page.txt" for f in figures}
    pairs = related_pairs(figures, set(), story)
    assert 0 < len(pairs) <= MAX_BUCKET * (MAX_BUCKET - 1) // 2 * 2  # two label words
    # The values stated most often are kept, as said first.
    kept = {f.id for pair in pairs for f in pair}
    assert kept <= {f"f{n}" for n in range(400)}
