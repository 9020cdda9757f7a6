"""Key figures: which of the figures an editor would quote, best first.

Each figure is scored on what makes a number the story's: where it was said (the headline or
the lead paragraphs, the writer's own prose rather than a post), what it is (money, a share,
a measurement, a large or scaled count rather than a small tally), what is said of it (a
record, a total, an average, a peak) and how many sources state it. A small bare count, an
age, a duration or a number written only in words ranks low. The order is stable: on a tie
the figure said first comes first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from digest.edit.pairing import family, label_words
from digest.edit.text import lexicon
from digest.model import Document, Figure, Post

LEAD_PARAGRAPHS = 3  # the headline and the paragraphs that open an article
WINDOW = 4  # words either side of a number that say what is said of it
DURATION = lexicon.words("duration")
BOILERPLATE = 3  # feed items repeating one number: the feed's template, not news


@dataclass(frozen=True)
class Ranked:
    figure: Figure
    score: float
    why: tuple[str, ...]


def _lead_sources(documents: Sequence[Document]) -> set[str]:
    lead: set[str] = set()
    for doc in documents:
        lead.update(p.source for p in doc.prose[:LEAD_PARAGRAPHS])
    return lead


def _near(figure: Figure, name: str) -> bool:
    """Is a word of the lexicon list `name` among the words right around the figure?"""
    at = figure.quote.find(figure.text)
    if at < 0:
        return False
    before = " ".join(figure.quote[:at].split()[-WINDOW:])
    # After the number only its own words: "£45 to a record £310" is £310's record.
    after = " ".join(figure.quote[at + len(figure.text):].split()[:WINDOW // 2])
    pattern = lexicon.pattern(name)
    return bool(pattern.search(before) or pattern.search(after))


def _what(figure: Figure) -> tuple[float, str]:
    if figure.kind == "money" or (figure.unit and len(figure.unit) == 3 and figure.unit.isupper()):
        return 2.0, "money"
    if figure.unit == "%":
        return 1.5, "a share"
    if figure.unit and figure.unit != "x":
        return 1.5, "a measurement"
    if figure.value >= 1e5:
        return 1.0, "a large count"
    if figure.value >= 1000:
        return 0.5, "a count"
    return 0.0, ""


def _penalty(figure: Figure) -> tuple[float, str]:
    label = figure.label.lower().split()
    words_only = not re.search(r"\d", figure.text)
    if re.search(r"\byears?[- ]old\b", f"{figure.text} {figure.label}".lower()) or _near(
            figure, "age"):
        return -2.0, "an age"
    if figure.unit is None and figure.value < 10 and not re.search(r"\d[-–]\d", figure.text):
        return -2.0, "a small count"
    if words_only and figure.value < 1000:
        return -1.5, "in words"
    if figure.unit is None and label and label[-1] in DURATION:
        return -1.0, "a duration"
    return 0.0, ""


def kind_of(figure: Figure) -> tuple[str, frozenset[str]]:
    """What a figure counts, coarsely: its unit family and the words of its label."""
    return family(figure), label_words(figure)


def alike(a: Figure, b: Figure) -> bool:
    """Two figures of one kind: the same unit family and a label word in common."""
    (fa, wa), (fb, wb) = kind_of(a), kind_of(b)
    return fa == fb and bool(wa & wb)


def rank_figures(figures: Sequence[Figure], documents: Sequence[Document],
                 posts: Sequence[Post]) -> list[Ranked]:
    """Every figure with its score and the reasons for it, best first."""
    post_ids = {p.id for p in posts}
    titled = {p.id: p.title for p in posts if p.title}
    lead = _lead_sources(documents)
    origins: dict[tuple[float, str | None], set[str]] = {}
    for f in figures:
        origins.setdefault((round(f.value, 6), f.unit), set()).add(f.post)
    # Per number, once: how many feed items state it, and how many other sources (the sets
    # are as big as the number is common; per figure, that made this quadratic).
    in_items = {key: len(told & titled.keys()) for key, told in origins.items()}
    elsewhere = {key: len(told - titled.keys()) for key, told in origins.items()}
    kind_of_figure = {f.id: kind_of(f) for f in figures}
    kinds: dict[tuple[str, frozenset[str]], list[Figure]] = {}
    for f in figures:
        kinds.setdefault(kind_of_figure[f.id], []).append(f)
    # Per kind, once (not once per figure: a kind of thousands made that quadratic): the
    # largest figure (the first, on a tie) where the kind holds more than one value.
    largest = {kind: max(same, key=lambda g: g.value) for kind, same in kinds.items()
               if len({g.value for g in same}) > 1}
    ranked: list[Ranked] = []
    for f in figures:
        score, why = 0.0, []
        weight, what = _what(f)
        if what:
            score += weight
            why.append(what)
        if f.post not in post_ids:
            score += 1.0
            why.append("the writer's own")
            if f.post in lead:
                score += 1.5
                why.append("in the lead")
        if f.post in titled and f.quote in titled[f.post]:
            score += 1.5
            why.append("in the headline")
        if _near(f, "record"):
            score += 1.0
            why.append("a record or total")
        said = (round(f.value, 6), f.unit)
        if f.post in titled and in_items[said] >= BOILERPLATE:
            # The same number in item after item of a feed ("within 100km") is its template.
            score -= 2.0
            why.append("in every item")
        elif elsewhere[said] > 1 and (f.unit or f.value >= 100):
            # Posts and paragraphs of one roundup agreeing; the same small count twice
            # ("13-year sentence", "13 Israelis") is chance, and feed items are each their own.
            score += 1.0
            why.append("stated by several sources")
        kind = kind_of_figure[f.id]
        if largest.get(kind) is f:
            score += 0.5
            why.append(f"the largest of {len(kinds[kind])}")
        cut, reason = _penalty(f)
        if cut:
            score += cut
            why.append(reason)
        ranked.append(Ranked(f, score, tuple(why)))
    order = {f.id: i for i, f in enumerate(figures)}
    return sorted(ranked, key=lambda r: (-r.score, order[r.figure.id]))
