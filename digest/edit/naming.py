"""How a figure and a derived number are written in a sentence: "25m promised", "about 61
times", "1.6C", "3 points". Shared by comparisons, the summary and highlight reasons."""

from __future__ import annotations

import functools
import re

from digest.edit.text.numbers import format_number, scan_numbers
from digest.model import Figure


def is_claim(figure: Figure) -> bool:
    """A promise or target: a claimed count, or money said with a promise word."""
    return figure.claim is not None


def short_label(figure: Figure) -> str:
    """How the summary names a figure's label: "promised" for a promise, else the label."""
    if figure.claim is not None:
        return figure.claim
    return figure.label.replace(" … ", " ")


def name(figure: Figure) -> str:
    """A figure with its label, as a sentence writes it: "25m promised", "105 mph wind gusts".
    A label that would read as part of the number ("25m Tb" as terabytes) goes in brackets."""
    label = short_label(figure)
    joint = "-" if label and f"{figure.text}-{label.split()[0]}" in figure.quote else " "
    phrase = f"{figure.text}{joint}{label}".strip()  # "13-year sentence" as the post wrote it
    if not label or [m.text for m in scan_numbers(phrase)] == [figure.text]:
        return phrase
    return f"{figure.text} ({label})"


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


def joined(a: Figure, b: Figure) -> str:
    """ "range" for the two ends of one estimate ("$30 billion to $60 billion", "10-15 ft"),
    which compare to nothing; "change" for "from 13.8% to 15%"; else ""."""
    if a.quote != b.quote or a.post != b.post:
        return ""
    if not (_may_join(a.quote, a.text, b.text) or _may_join(a.quote, b.text, a.text)):
        return ""  # the cheap answer for most pairs of a post that holds many numbers
    first, second = sorted((a, b), key=lambda f: a.quote.find(f.text))
    if not re.search(rf"{re.escape(first.text)}\s*(?:to|-|–|—|or)\s*{re.escape(second.text)}",
                     a.quote):
        return ""
    return "change" if re.search(rf"\bfrom\s+{re.escape(first.text)}", a.quote,
                                 re.IGNORECASE) else "range"


# Where "to", "or" or a dash stands in a quote (each place, overlapping ones too).
_LINK = re.compile(r"(?=(to|or|-|–|—))")


@functools.lru_cache(maxsize=64)
def _links(quote: str) -> tuple[tuple[int, int], ...]:
    """For each link word or dash in `quote`: where the blanks before it start and where those
    after it end, i.e. where a number joined by it would end and begin."""
    out = []
    for m in _LINK.finditer(quote):
        before, after = m.start(), m.start() + len(m.group(1))
        while before > 0 and quote[before - 1].isspace():
            before -= 1
        while after < len(quote) and quote[after].isspace():
            after += 1
        out.append((before, after))
    return tuple(out)


@functools.lru_cache(maxsize=256)
def _linked(quote: str, left: int, right: int) -> frozenset[tuple[str, str]]:
    """The (text before, text after) of each link, `left` and `right` characters long."""
    return frozenset((quote[p - left:p], quote[q:q + right]) for p, q in _links(quote)
                     if p >= left)


def _may_join(quote: str, first: str, second: str) -> bool:
    """False only where `joined`'s search for "first to second" surely fails: it is read off an
    index of the quote's links, where that search read the whole quote once per pair of its
    figures (quadratic in a post of many numbers)."""
    first, second = first.rstrip(), second.lstrip()
    if not first or not second:
        return True
    return (first, second) in _linked(quote, len(first), len(second))
