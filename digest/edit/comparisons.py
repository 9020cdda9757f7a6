"""Comparisons: relate figures that count the same thing, derive what a reader wants, and check
the numbers the posts state against the sums.

Pairs are never formed all against all: figures are grouped by unit family, and within a family
only figures that share a label word (through an index, skipping words too common to tell
things apart) or that were said in the same post are paired. The output is capped.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import combinations

from digest.edit.labels import CLAIM, PHYSICAL, QUANTITY

# Re-exported: the summary names figures and derived numbers through this module.
from digest.edit.naming import is_claim as is_claim
from digest.edit.naming import joined
from digest.edit.naming import name as name
from digest.edit.naming import precise as precise
from digest.edit.naming import short_label as short_label
from digest.edit.naming import shown as shown
from digest.edit.naming import with_unit as with_unit
from digest.edit.text import lexicon
from digest.edit.text.numbers import decimals, format_number
from digest.edit.text.tokens import STOP
from digest.model import Comparison, Figure, Post, Prose

MAX_BUCKET = 25  # a label word shared by more figures than this tells nothing apart
MAX_COMPARISONS = 20
FEED = "\0feed"  # the story of every feed item: its own
MAX_STATED = 12  # figures in one post beyond which a stated share is not tried on every pair
MIN_RATIO = 1.5  # below this, "1.2 times" says less than the difference does
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


def _factor(figure: Figure) -> float:
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


def _stated_pairs(figures: list[Figure]) -> Iterable[tuple[Figure, Figure, bool]]:
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
                    f.value * _factor(f) / (after[0].value * _factor(after[0])))
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
                part, whole = sorted((a, b), key=lambda f: abs(f.value * _factor(f)))
                if family(part) == family(whole) and whole.value and _agrees(
                        figure, part.value * _factor(part) / (whole.value * _factor(whole)) * 100):
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
            if later and _of_whole(figure, later[0]):
                wholes.insert(0, later[0])  # "37% of its schedule of 19,000 flights"
            parts = [f for f in group[:i] if f.unit not in ("%", "x")]
            if wholes:
                # The part counts what the whole counts ("7,000 flights … 19,000 flights"),
                # else it is the figure right before the share.
                kin = [f for f in parts if label_words(f) & label_words(wholes[0])] or parts[-1:]
                if kin and family(wholes[0]) == family(kin[-1]) and kin[-1] is not wholes[0]:
                    yield kin[-1], wholes[0], True


def _of_whole(share: Figure, whole: Figure) -> bool:
    """Is `whole` what the share is "of", a few words on in the same sentence?"""
    at, end = share.quote.find(share.text), share.quote.find(whole.text)
    between = share.quote[at + len(share.text):end] if 0 <= at < end else ""
    return (bool(re.match(r"\s+of\b", between)) and len(between.split()) <= 6
            and not re.search(r"[.;!?]\s", between))


def _pairs(figures: list[Figure], shares: set[tuple[str, str]],
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

    for a, b, share in _stated_pairs(figures):
        big, small = sorted((abs(a.value * _factor(a)), abs(b.value * _factor(b))), reverse=True)
        if small == 0 or big / small > MAX_RATIO or key(a, b) in pairs:
            continue  # nothing is a share of, or a ratio to, zero or a thing of another scale
        if share and not is_claim(b) and abs(a.value * _factor(a)) > abs(b.value * _factor(b)):
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
        buckets = [b for b in index.values() if len(b) <= MAX_BUCKET]
        buckets += [b for b in by_post.values() if len(b) <= MAX_BUCKET]
        for bucket in buckets:
            for a, b in combinations(bucket, 2):
                if key(a, b) not in pairs and _related(a, b) and (
                        a.post == b.post or story is None
                        or story.get(a.post, "") == story.get(b.post, "") != FEED):
                    pairs[key(a, b)] = (a, b)
    return list(pairs.values())


def _moved(figure: Figure) -> bool:
    return figure.change is not None


def _related(a: Figure, b: Figure) -> bool:
    """Do the two count the same thing? A shared label word says so. Without one, within one
    post: an audience measured against a platform counter (the live audience against the
    impressions of the same broadcast); a promise against an outcome in money or a physical
    unit, or against a count whose label says nothing else ("the 25 million promised"); two
    readings of one physical quantity."""
    big, small = sorted((abs(a.value * _factor(a)), abs(b.value * _factor(b))), reverse=True)
    if small == 0 or big == small or big / small > MAX_RATIO:
        return False  # the same number quoted twice corroborates; it compares nothing
    if a.unit == "%" and _moved(a) != _moved(b):
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


def _difference(first: Figure, v1: float, second: Figure, v2: float) -> Comparison:
    """"15% is 1.2 points above the 13.8%": `first` minus `second`, in comparable units."""
    diff = v1 - v2
    side = ("above" if diff >= 0 else "below") if first.unit else (
        "more than" if diff >= 0 else "fewer than")
    return Comparison(
        figures=(first.id, second.id), operation="difference", result=round(diff, 4),
        text=f"{name(first)} is {with_unit(abs(diff), first)} {side} the {name(second)}",
        formula=f"{format_number(v1)} - {format_number(v2)} = {precise(diff)}",
    )


def _derive(a: Figure, b: Figure, share: bool = False, change: bool = False) -> Comparison:
    """The sum a reader wants: a share of a promise (or of a whole a post names), else a ratio
    of the larger to the smaller, else (close values, shares, temperatures, a change a post
    states "from A to B") the difference."""
    scale = min(_factor(a), _factor(b))
    va, vb = a.value * _factor(a) / scale, b.value * _factor(b) / scale
    if change:  # the new value against the old: "15% is 1.2 points above the 13.8%"
        old, new = sorted((a, b), key=lambda f: a.quote.find(f.text))
        return _difference(new, vb if new is b else va, old, va if new is b else vb)
    if is_claim(a) and not is_claim(b):
        a, b, va, vb = b, a, vb, va
    if share or (is_claim(b) and not is_claim(a) and a.unit not in ("C", "F", "%")
                 and va / vb < MIN_RATIO):
        result = va / vb * 100
        # "1.1m listening live is 4.4% of the 25m promised", but "7,000 is 37% of the 19,000
        # flights" when the whole's name already says what both count.
        named = a.text if short_label(a) == short_label(b) else name(a)
        return Comparison(
            figures=(a.id, b.id), operation="share", result=round(result, 4),
            text=f"{named} is {shown(result)}% of the {name(b)}",
            formula=f"{format_number(va)} / {format_number(vb)} = {precise(result)}%",
        )
    (big, vbig), (small, vsmall) = sorted(((a, va), (b, vb)), key=lambda x: -abs(x[1]))
    if a.unit in ("%", "C", "F") or abs(vbig / vsmall) < MIN_RATIO:
        if is_claim(b) and not is_claim(a):  # the outcome first: "88% is 9 points below"
            (big, vbig), (small, vsmall) = (a, va), (b, vb)
        return _difference(big, vbig, small, vsmall)
    ratio = vbig / vsmall
    return Comparison(
        figures=(big.id, small.id), operation="ratio", result=round(ratio, 4),
        text=f"{name(big)} is about {shown(ratio)} times the {name(small)}",
        formula=f"{format_number(vbig)} / {format_number(vsmall)} = {precise(ratio)}",
    )


def _stated_candidates(c: Comparison, byid: dict[str, Figure],
                       stated: dict[tuple[str, str], list[Figure]]) -> list[Figure]:
    """Numbers the posts state that this comparison could be checking: a share or ratio said
    in a post one of its figures came from, whose label points at the same thing ("4.4% of the
    target" for a share of a promise) or says nothing of its own. Said in the same sentence
    as the figures, it is the one."""
    involved = [byid[i] for i in c.figures]
    unit = {"share": "%", "ratio": "x"}.get(c.operation, "")
    words = frozenset().union(*(label_words(f) for f in involved))
    quotes = {f.quote for f in involved}
    out = []
    for post in {f.post for f in involved}:
        for f in stated.get((post, unit), ()):
            promise = c.operation == "share" and bool(TARGET_WORDS.search(f.label))
            named = promise or bool(label_words(f) & words)
            # Said in the same sentence and naming the same thing, a stated number is this
            # sum's whatever its value; otherwise only when close to it: "1 in 5" elsewhere in
            # a post is not a claim about 466,140 / 438,000.
            near = abs(f.value - c.result) <= 0.5 * max(abs(c.result), 1e-9)
            together = f.quote in quotes
            if (named and together) or (near and (named or together or not label_words(f))):
                out.append(f)
    same = [f for f in out if f.quote in quotes]
    return same or out


def _agrees(stated: Figure, result: float) -> bool:
    """Does the number a post states give `result`, to the precision it was written with (or
    within a tenth when hedged: "about 96%")?"""
    hedged = bool(HEDGES.search(stated.quote[: max(0, stated.quote.find(stated.text))]))
    tolerance = abs(stated.value) * 0.1 if hedged else 0.5 * 10.0 ** -decimals(stated.text)
    return abs(result - stated.value) <= tolerance + 1e-9


def _check(c: Comparison, stated: Figure) -> Comparison:
    ok = _agrees(stated, c.result)
    unit = "%" if c.operation == "share" else ""
    note = "" if ok else f" (the post says {stated.text}; the sum gives {shown(c.result)}{unit})"
    return Comparison(figures=c.figures, operation=c.operation, result=c.result,
                      text=c.text + note, formula=c.formula, verified=ok, stated=stated.id)


def compare(figures: list[Figure], posts: list[Post], prose: Sequence[Prose] = ()
            ) -> list[Comparison]:
    """Comparisons between related figures, each checked against a number a post states where
    there is one. Most telling first: checked ones, then shares of a promise, then ratios."""
    # Two posts tell one story only within one source document (a roundup, a JSON export),
    # never across documents ("888,000 homes" cut off in one, "5,000 new homes" pledged in
    # another) nor between feed items, each of which is its own story.
    story = {p.id: FEED if p.title else p.source.rsplit(":", 1)[0] for p in posts}
    story.update((p.source, p.source.rsplit(":", 1)[0]) for p in prose)
    byid = {f.id: f for f in figures}
    stated: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    for f in figures:
        if f.unit in ("%", "x"):
            stated[(f.post, f.unit)].append(f)
    out: list[Comparison] = []
    shares: set[tuple[str, str]] = set()
    seen: set[tuple[object, ...]] = set()
    for a, b in _pairs(figures, shares, story):
        how = joined(a, b)
        if how == "range":
            continue  # the two ends of one estimate: no sum says anything about them
        derived = _derive(a, b, (a.id, b.id) in shares, change=how == "change")
        result = derived.result
        candidates = [f for f in _stated_candidates(derived, byid, stated)
                      if f.id not in derived.figures]
        if candidates:
            best = min(candidates, key=lambda f: abs(f.value - result))
            derived = _check(derived, best)
        # One post quoted in two sources, or one reading reported twice ("40.3C" in two
        # posts): the same sum on the same numbers is said once.
        same = (derived.operation, *((byid[i].value, byid[i].unit) for i in derived.figures))
        if (derived.text, derived.operation) not in seen and same not in seen:
            seen.update({(derived.text, derived.operation), same})
            out.append(derived)
    rank = {"share": 0, "ratio": 1, "difference": 2}
    order = {f.id: i for i, f in enumerate(figures)}
    out.sort(key=lambda c: (c.verified is None, rank.get(c.operation, 3),
                            min(order[i] for i in c.figures)))
    return out[:MAX_COMPARISONS]
