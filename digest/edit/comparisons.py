"""Comparisons: for the pairs of related figures (`pairing`), derive what a reader wants (a
share, a ratio, a difference, a change) and check the numbers the posts state against the
sums. The output is capped."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

# Re-exported: the summary names figures and derived numbers through this module.
from digest.edit.naming import is_claim as is_claim
from digest.edit.naming import joined
from digest.edit.naming import name as name
from digest.edit.naming import precise as precise
from digest.edit.naming import short_label as short_label
from digest.edit.naming import shown as shown
from digest.edit.naming import with_unit as with_unit
from digest.edit.pairing import (
    FEED,
    TARGET_WORDS,
    agrees,
    factor,
    label_words,
    related_pairs,
)
from digest.edit.text.numbers import format_number
from digest.model import Comparison, Figure, Post, Prose

MAX_COMPARISONS = 20
MIN_RATIO = 1.5  # below this, "1.2 times" says less than the difference does


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
    scale = min(factor(a), factor(b))
    va, vb = a.value * factor(a) / scale, b.value * factor(b) / scale
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


def _check(c: Comparison, stated: Figure) -> Comparison:
    ok = agrees(stated, c.result)
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
    for a, b in related_pairs(figures, shares, story):
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
