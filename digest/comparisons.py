"""Comparisons: relate figures that count the same thing, derive what a reader wants, and check
the numbers the posts state against the sums.

Pairs are never formed all against all: figures are grouped by unit family, and within a family
only figures that share a label word (through an index, skipping words too common to tell
things apart) or that were said in the same post are paired. The output is capped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import combinations

from digest.figures import CLAIM, PHYSICAL
from digest.models import Comparison, Figure, Post
from digest.numbers import STOP, decimals, format_number

MAX_BUCKET = 25  # a label word shared by more figures than this tells nothing apart
MAX_COMPARISONS = 20
MIN_RATIO = 1.5  # below this, "1.2 times" says less than the difference does
MAX_RATIO = 1000  # beyond this the two are not the same kind of thing (a price and a total)
HEDGES = re.compile(r"\b(?:about|around|nearly|almost|roughly|some|over|more than|less than"
                    r"|approximately|approx|~|circa|up to)\s*$", re.IGNORECASE)
TARGET_WORDS = re.compile(r"\b(?:target|goal|promise[sd]?|pledge|expected|forecast|aim)\b",
                          re.IGNORECASE)


def family(figure: Figure) -> str:
    """Which figures can be related at all: counts with counts, GBP with GBP, mph with mph."""
    return figure.unit or "count"


def stem(word: str) -> str:
    """A crude stem so "listening", "listeners" and "listened" meet; enough for label overlap."""
    word = word.lower().strip("'’")
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    for suffix in ("ing", "er", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def label_words(figure: Figure) -> frozenset[str]:
    """Content words of the label, minus promise words: "promised … listening live" and
    "listening live" count the same thing. Capitalised words name who or where, not what is
    counted ("buy Twitter", "Twitter shares"), so they count only when nothing else is left."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", figure.label)
             if w.lower() not in STOP and not CLAIM.fullmatch(w)]
    common = [w for w in words if not w[:1].isupper()] or words
    return frozenset(stem(w) for w in common)


def is_claim(figure: Figure) -> bool:
    """A promise or target: a claimed count, or money whose label carries the promise word."""
    return figure.kind == "claimed" or (figure.kind == "money" and bool(CLAIM.match(figure.label)))


def short_label(figure: Figure) -> str:
    """How the summary names a figure's label: "promised" for a promise, else the label."""
    if is_claim(figure):
        cue = CLAIM.match(figure.label)
        if cue:
            return cue.group()
    return figure.label.replace(" … ", " ")


def shown(value: float) -> str:
    """A derived number as a reader sees it: 4.4, 61, 0.52; two significant figures at least."""
    if abs(value) >= 10:
        return format_number(round(value))
    return format_number(round(value, 1 if abs(value) >= 1 else 2))


def with_unit(value: float, like: Figure) -> str:
    """A derived amount written the way its figure was: "1.6C", "$2.50", "3 points"."""
    number = shown(value)
    if like.unit == "%":
        return f"{number} points"
    symbol = re.match(r"[^\d\s-]+", like.text)
    if like.kind == "money" and symbol:
        return f"{symbol.group()}{value:,.2f}" if "." in like.text else f"{symbol.group()}{number}"
    if like.unit in ("C", "F"):
        return f"{number}{like.unit}"
    return f"{number} {like.unit}" if like.unit else number


def precise(value: float) -> str:
    """A derived number in a formula: three significant figures (60.9, 4.4, 0.0523)."""
    return format_number(float(f"{value:.3g}"))


def _pairs(figures: list[Figure]) -> list[tuple[Figure, Figure]]:
    by_family: dict[str, list[Figure]] = defaultdict(list)
    for figure in figures:
        if figure.unit != "x":  # stated ratios are checked against comparisons, not paired
            by_family[family(figure)].append(figure)
    pairs: dict[tuple[str, str], tuple[Figure, Figure]] = {}
    for group in by_family.values():
        index: dict[str, list[Figure]] = defaultdict(list)
        by_post: dict[str, list[Figure]] = defaultdict(list)
        for figure in group:
            for word in label_words(figure):
                index[word].append(figure)
            by_post[figure.post].append(figure)
        buckets = [b for b in index.values() if len(b) <= MAX_BUCKET]
        buckets += [b for b in by_post.values() if len(b) <= MAX_BUCKET]
        for bucket in buckets:
            for a, b in combinations(bucket, 2):
                if a.id != b.id and _related(a, b):
                    pairs.setdefault((a.id, b.id) if a.id < b.id else (b.id, a.id), (a, b))
    return list(pairs.values())


def _related(a: Figure, b: Figure) -> bool:
    """Do the two count the same thing? A shared label word says so. Without one, only an
    audience measured and a platform counter said in the same post are related (the live
    audience against the impressions of the same broadcast); a promise relates only to what
    it promised."""
    if a.value == 0 or b.value == 0 or a.value == b.value:
        return False  # the same number quoted twice corroborates; it compares nothing
    if label_words(a) & label_words(b):
        return True
    if a.post != b.post:
        return False
    if {a.kind, b.kind} == {"measured", "metric"}:
        return True
    if is_claim(a) != is_claim(b) and "metric" not in (a.kind, b.kind):
        return True  # a promise and an outcome told together: "promised £45bn, spent £12bn"
    return a.unit is not None and a.unit in PHYSICAL  # "40.3C, beating the 38.7C record"


def _derive(a: Figure, b: Figure) -> Comparison | None:
    if is_claim(a) and not is_claim(b):
        a, b = b, a
    if is_claim(b) and not is_claim(a) and a.unit not in PHYSICAL and a.unit != "%":
        result = a.value / b.value * 100
        return Comparison(
            figures=(a.id, b.id), operation="share", result=round(result, 4),
            text=f"{a.text} is {shown(result)}% of the {b.text} {short_label(b)}",
            formula=f"{format_number(a.value)} / {format_number(b.value)} = {precise(result)}%",
        )
    big, small = (a, b) if abs(a.value) >= abs(b.value) else (b, a)
    if a.unit == "%" or a.unit in PHYSICAL or abs(big.value / small.value) < MIN_RATIO:
        diff = big.value - small.value
        return Comparison(
            figures=(big.id, small.id), operation="difference", result=round(diff, 4),
            text=f"{big.text} {short_label(big)} is {with_unit(diff, big)} "
                 f"{'above' if big.unit else 'more than'} the {small.text} {short_label(small)}",
            formula=f"{format_number(big.value)} - {format_number(small.value)} = {precise(diff)}",
        )
    ratio = big.value / small.value
    if ratio > MAX_RATIO:
        return None
    return Comparison(
        figures=(big.id, small.id), operation="ratio", result=round(ratio, 4),
        text=f"{big.text} {short_label(big)} is about {shown(ratio)} times the {small.text} "
             f"{short_label(small)}",
        formula=f"{format_number(big.value)} / {format_number(small.value)} = {precise(ratio)}",
    )


def _stated_candidates(c: Comparison, byid: dict[str, Figure], figures: list[Figure]
                       ) -> list[Figure]:
    """Numbers the posts state that this comparison could be checking: a share or ratio said
    in a post one of its figures came from, whose label points at the same thing ("4.4% of the
    target" for a share of a promise) or says nothing of its own."""
    involved = [byid[i] for i in c.figures]
    posts = {f.post for f in involved}
    unit = {"share": "%", "ratio": "x"}.get(c.operation)
    words = frozenset().union(*(label_words(f) for f in involved))
    out = []
    for f in figures:
        if f.unit != unit or f.post not in posts or f.id in c.figures:
            continue
        promise = c.operation == "share" and bool(TARGET_WORDS.search(f.label))
        if promise or not label_words(f) or label_words(f) & words:
            out.append(f)
    return out


def _check(c: Comparison, stated: Figure) -> Comparison:
    hedged = bool(HEDGES.search(stated.quote[: max(0, stated.quote.find(stated.text))]))
    tolerance = abs(stated.value) * 0.1 if hedged else 0.5 * 10.0 ** -decimals(stated.text)
    ok = abs(c.result - stated.value) <= tolerance + 1e-9
    unit = "%" if c.operation == "share" else ""
    note = "" if ok else f" (the post says {stated.text}; the sum gives {shown(c.result)}{unit})"
    return Comparison(figures=c.figures, operation=c.operation, result=c.result,
                      text=c.text + note, formula=c.formula, verified=ok, stated=stated.id)


def compare(figures: list[Figure], posts: list[Post]) -> list[Comparison]:
    """Comparisons between related figures, each checked against a number a post states where
    there is one. Most telling first: checked ones, then shares of a promise, then ratios."""
    del posts  # the figures carry their post ids and quotes; kept for the pipeline signature
    byid = {f.id: f for f in figures}
    out: list[Comparison] = []
    for a, b in _pairs(figures):
        derived = _derive(a, b)
        if derived is None:
            continue
        result = derived.result
        candidates = _stated_candidates(derived, byid, figures)
        if candidates:
            best = min(candidates, key=lambda f: abs(f.value - result))
            derived = _check(derived, best)
        out.append(derived)
    rank = {"share": 0, "ratio": 1, "difference": 2}
    out.sort(key=lambda c: (c.verified is None, rank.get(c.operation, 3),
                            min(int(i[1:]) for i in c.figures)))
    return out[:MAX_COMPARISONS]
