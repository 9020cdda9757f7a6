"""Which figures relate: the pairs worth a comparison, never formed all against all.

Figures are grouped by unit family, and within a family only figures that share a label word
(through an index) or that were said in the same post are paired; a post's own stated ratios
and shares pair the figures around them. Two figures relate only when they count the same
thing (see `related`). A group of more than MAX_BUCKET figures is not paired all against all:
it keeps one figure per value (the first said), the values stated most often, at most
MAX_BUCKET of them (`_bounded`), so the pairs tried stay linear in the number of figures.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import combinations

from digest.edit.labels import CLAIM, PHYSICAL, QUANTITY
from digest.edit.naming import is_claim
from digest.edit.text import lexicon
from digest.edit.text.numbers import decimals
from digest.edit.text.tokens import STOP
from digest.model import Figure

MAX_BUCKET = 25  # figures in a group beyond which it is paired by value (see _bounded)
FEED = "\0feed"  # the story of every feed item: its own
MAX_STATED = 12  # figures in one post beyond which a stated share is not tried on every pair
MAX_RATIO = 1000  # beyond this the two are not the same kind of thing (a price and a total)
HEDGES = re.compile(r"\b(?:about|around|nearly|almost|roughly|some|over|more than|less than"
                    r"|approximately|approx|~|circa|up to)\s*$", re.IGNORECASE)
TARGET_WORDS = re.compile(r"\b(?:target|goal|promise[sd]?|pledge|expected|forecast|aim"
                          r"|budget)\b", re.IGNORECASE)
COMPARATIVE_LABEL = re.compile(r"\b(?:more|fewer|less|higher|lower|bigger|smaller)$",
                               re.IGNORECASE)
# Words too vague to say two figures count the same thing: "48 hours" in one post and "3 hours"
# in another are unrelated.
GENERIC = lexicon.words("generic_labels")
# Units that convert: compared in the smaller of the two, so 940 Mbps meets 1 Gbps.
BASE = {
    "Gbps": ("bps", 1e9), "Mbps": ("bps", 1e6), "kbps": ("bps", 1e3),
    "GW": ("W", 1e9), "MW": ("W", 1e6), "kW": ("W", 1e3),
    "TWh": ("Wh", 1e12), "GWh": ("Wh", 1e9), "MWh": ("Wh", 1e6), "kWh": ("Wh", 1e3),
    "TB": ("B", 1e12), "GB": ("B", 1e9), "MB": ("B", 1e6),
    "km": ("m", 1e3), "mi": ("m", 1609.344), "ft": ("m", 0.3048),
    "kph": ("km/h", 1.0), "km/h": ("km/h", 1.0), "mph": ("km/h", 1.609344),
    "t": ("kg", 1e3), "kg": ("kg", 1.0), "lb": ("kg", 0.45359237),
}


def family(figure: Figure) -> str:
    """Which figures can be related at all: counts with counts, GBP with GBP, Mbps with Gbps."""
    if figure.unit in BASE:
        return BASE[figure.unit][0]
    return figure.unit or "count"


def factor(figure: Figure) -> float:
    return BASE[figure.unit][1] if figure.unit in BASE else 1.0


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


@functools.lru_cache(maxsize=1 << 14)  # asked of each figure for every pair it is tried in
def label_words(figure: Figure) -> frozenset[str]:
    """Content words of the label, minus promise words: "promised … listening live" and
    "listening live" count the same thing. Capitalised words name who or where, not what is
    counted ("buy Twitter", "Twitter shares"), so they count only when nothing else is left."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", figure.label)
             if w.lower() not in STOP and not CLAIM.fullmatch(w)]
    common = [w for w in words if not w[:1].isupper()] or words
    stems = frozenset(s for s in (stem(w) for w in common) if s not in GENERIC)
    # "rail temperature" and "temperature" measure different things: the unit's quantity
    # word ties two labels only when it is all either says ("41C forecast temperature").
    quantity = {stem(QUANTITY[figure.unit])} if figure.unit in QUANTITY else set()
    return stems - quantity or stems


def stated_pairs(figures: list[Figure]) -> Iterable[tuple[Figure, Figure, bool]]:
    """Pairs a post relates itself: the figures right before and after a stated ratio in the
    same sentence ("cost £1.2bn, three times the original budget of £400m")."""
    by_quote: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    for figure in figures:
        by_quote[(figure.post, figure.quote)].append(figure)
    by_post: dict[str, list[Figure]] = defaultdict(list)
    for figure in figures:
        by_post[figure.post].append(figure)
    for group in by_quote.values():
        for i, figure in enumerate(group):
            if figure.unit != "x":
                continue
            after = [f for f in group[i + 1:] if f.unit != "x"]
            before = [f for f in group[:i] if f.unit != "x" and after
                      and family(f) == family(after[0]) and f.value * after[0].value > 0]
            if before:
                # Of the figures told before it, the one the stated ratio fits best.
                best = min(before, key=lambda f: abs(math.log(abs(
                    f.value * factor(f) / (after[0].value * factor(after[0])))
                    / figure.value)))
                yield best, after[0], False
    # "12 shipped, which is 30% of the pledge": a share of a promise relates the promise and
    # the outcome told before it in the same post.
    for group in by_post.values():
        for i, figure in enumerate(group):
            if figure.unit != "%" or not TARGET_WORDS.search(figure.label):
                continue
            earlier = [f for f in group[:i] if f.unit not in ("%", "x")]
            claims = [f for f in earlier if is_claim(f)]
            outcomes = [f for f in earlier if not is_claim(f) and f.kind != "metric"]
            if claims and outcomes and family(claims[-1]) == family(outcomes[-1]):
                yield outcomes[-1], claims[-1], True
    # "Organisers expected 38,000 runners. In the end 36,512 crossed the finish line, about 96%
    # of the field": a share the post states of two of its own numbers relates them, whatever
    # their labels say. Said exactly (or within a tenth when hedged), it is no coincidence.
    for group in by_post.values():
        if len(group) > MAX_STATED:
            continue
        for i, figure in enumerate(group):
            if figure.unit != "%" or is_claim(figure):
                continue
            earlier = [f for f in group[:i] if f.unit not in ("%", "x")]
            for a, b in combinations(earlier, 2):
                part, whole = sorted((a, b), key=lambda f: abs(f.value * factor(f)))
                if family(part) == family(whole) and whole.value and agrees(
                        figure, part.value * factor(part) / (whole.value * factor(whole)) * 100):
                    yield part, whole, True
    # "cancelled 7,000 flights, about 37% of its schedule of 19,000": the share names its
    # whole, a figure of the same sentence; the part is the figure told before the share.
    for group in by_quote.values():
        for i, figure in enumerate(group):
            words = label_words(figure)
            if figure.unit != "%" or not figure.label.startswith("of"):
                continue
            others = [f for f in group if f.unit not in ("%", "x")]
            wholes = [f for f in others if f.id != figure.id and label_words(f) & words]
            later = [f for f in group[i + 1:] if f.unit not in ("%", "x")]
            if later and of_whole(figure, later[0]):
                wholes.insert(0, later[0])  # "37% of its schedule of 19,000 flights"
            parts = [f for f in group[:i] if f.unit not in ("%", "x")]
            if wholes:
                # The part counts what the whole counts ("7,000 flights … 19,000 flights"),
                # else it is the figure right before the share.
                kin = [f for f in parts if label_words(f) & label_words(wholes[0])] or parts[-1:]
                if kin and family(wholes[0]) == family(kin[-1]) and kin[-1] is not wholes[0]:
                    yield kin[-1], wholes[0], True


def of_whole(share: Figure, whole: Figure) -> bool:
    """Is `whole` what the share is "of", a few words on in the same sentence?"""
    at, end = share.quote.find(share.text), share.quote.find(whole.text)
    between = share.quote[at + len(share.text):end] if 0 <= at < end else ""
    return (bool(re.match(r"\s+of\b", between)) and len(between.split()) <= 6
            and not re.search(r"[.;!?]\s", between))


def related_pairs(figures: list[Figure], shares: set[tuple[str, str]],
           story: dict[str, str] | None = None) -> list[tuple[Figure, Figure]]:
    """Related pairs, through the label index and posts; `shares` receives the (part, whole)
    pairs a post states as a share."""
    by_family: dict[str, list[Figure]] = defaultdict(list)
    for figure in figures:
        if figure.unit != "x" and not COMPARATIVE_LABEL.search(figure.label):
            # Stated ratios are checked against comparisons, not paired; a number that is
            # itself a difference ("5 runs fewer than …") is no amount of the thing.
            by_family[family(figure)].append(figure)
    pairs: dict[tuple[str, str], tuple[Figure, Figure]] = {}
    order = {f.id: i for i, f in enumerate(figures)}

    def key(a: Figure, b: Figure) -> tuple[str, str]:
        return (a.id, b.id) if order[a.id] < order[b.id] else (b.id, a.id)

    for a, b, share in stated_pairs(figures):
        big, small = sorted((abs(a.value * factor(a)), abs(b.value * factor(b))), reverse=True)
        if small == 0 or big / small > MAX_RATIO or key(a, b) in pairs:
            continue  # nothing is a share of, or a ratio to, zero or a thing of another scale
        if share and not is_claim(b) and abs(a.value * factor(a)) > abs(b.value * factor(b)):
            continue  # a part larger than its whole: the pairing is wrong
        pairs[key(a, b)] = (a, b)
        if share:
            shares.add((a.id, b.id))
    for group in by_family.values():
        index: dict[str, list[Figure]] = defaultdict(list)
        by_post: dict[str, list[Figure]] = defaultdict(list)
        for figure in group:
            for word in label_words(figure):
                index[word].append(figure)
            by_post[figure.post].append(figure)
        buckets = [_bounded(b, story) for b in (*index.values(), *by_post.values()) if len(b) > 1]
        for bucket in buckets:
            for a, b in combinations(bucket, 2):
                if key(a, b) not in pairs and related(a, b) and (
                        a.post == b.post or story is None
                        or story.get(a.post, "") == story.get(b.post, "") != FEED):
                    pairs[key(a, b)] = (a, b)
    return list(pairs.values())


def _bounded(bucket: list[Figure], story: dict[str, str] | None) -> list[Figure]:
    """A group small enough to pair all against all, in figure order. A bigger one (a label
    the whole roundup quotes: at 50,000 posts, hundreds of figures) keeps one figure per
    value and story, the first said, since compare() keeps only the first sum over the same
    values anyway; and of those the MAX_BUCKET values stated most often (ties: the first
    said). Dropping such a group instead, as was done, dropped exactly the relations most
    posts support: at 50,000 posts every group a comparison could come from was dropped."""
    if len(bucket) <= MAX_BUCKET:
        return bucket
    first: dict[tuple[float, str, str], Figure] = {}
    said: Counter[tuple[float, str, str]] = Counter()
    for figure in bucket:
        key = (figure.value * factor(figure), family(figure),
               story.get(figure.post, "") if story is not None else "")
        said[key] += 1
        first.setdefault(key, figure)
    kept = {first[key].id for key in sorted(first, key=lambda k: -said[k])[:MAX_BUCKET]}
    return [figure for figure in bucket if figure.id in kept]


def moved(figure: Figure) -> bool:
    return figure.change is not None


def related(a: Figure, b: Figure) -> bool:
    """Do the two count the same thing? A shared label word says so. Without one, within one
    post: an audience measured against a platform counter (the live audience against the
    impressions of the same broadcast); a promise against an outcome in money or a physical
    unit, or against a count whose label says nothing else ("the 25 million promised"); two
    readings of one physical quantity."""
    big, small = sorted((abs(a.value * factor(a)), abs(b.value * factor(b))), reverse=True)
    if small == 0 or big == small or big / small > MAX_RATIO:
        return False  # the same number quoted twice corroborates; it compares nothing
    if a.unit == "%" and moved(a) != moved(b):
        return False  # a rise of 9% and a share of 25% are not two of one thing
    if label_words(a) & label_words(b):
        # Two plain tallies of one noun in two sentences are two things ("15 goals" scored by
        # one side, "six goals" by the other): a count compares only as a promise against an
        # outcome, a part of a whole or a second reading in the same sentence.
        plain = a.unit is None and not is_claim(a) and not is_claim(b) and a.kind == b.kind
        return not plain or a.quote == b.quote
    if a.post != b.post:
        return False
    if {a.kind, b.kind} == {"measured", "metric"}:
        return True
    if is_claim(a) != is_claim(b):
        # A platform counter meets only a promise that names nothing else ("10 million
        # downloads, double the 5 million the studio hoped for"), never "25m promised
        # listening live" against 67m impressions.
        # "Bare": the promise names nothing but itself while the outcome names something.
        claim, outcome = (a, b) if is_claim(a) else (b, a)
        bare = not label_words(claim) and bool(label_words(outcome))
        if "metric" in (a.kind, b.kind):
            return bare
        return (a.unit is not None and a.unit != "%") or bare
    return a.unit is not None and a.unit in PHYSICAL


def agrees(stated: Figure, result: float) -> bool:
    """Does the number a post states give `result`, to the precision it was written with (or
    within a tenth when hedged: "about 96%")?"""
    hedged = bool(HEDGES.search(stated.quote[: max(0, stated.quote.find(stated.text))]))
    tolerance = abs(stated.value) * 0.1 if hedged else 0.5 * 10.0 ** -decimals(stated.text)
    return abs(result - stated.value) <= tolerance + 1e-9
