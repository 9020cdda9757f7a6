"""The summary: the event, the key figures side by side, the main theme counted. Every number
it holds is recorded with what it traces back to, and `check_trace` refuses any that is not."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from types import EllipsisType

from digest.edit.comparisons import is_claim, name, short_label, shown, with_unit
from digest.edit.headline import headline
from digest.edit.keyfigures import Ranked, alike, rank_figures
from digest.edit.lead import event_sentence, noun
from digest.edit.text.grammar import FOREIGN_DIGIT
from digest.edit.text.numbers import decimals, scan_numbers
from digest.edit.text.reading import Texts
from digest.edit.themes import Theme, find_theme, is_disputed
from digest.edit.tracing import Numbers
from digest.errors import TraceError
from digest.model import (
    Comparison,
    Document,
    Edition,
    Figure,
    Highlight,
    Post,
    Summary,
    SummaryNumber,
)

PREHEADER_MAX = 139
MAX_QUOTED = 4  # figures the summary quotes at most: more is a table, not a summary
# Beside a comparison, another figure is worth a sentence only with two signs that it matters.
ALSO_SCORE = 2.0


def _named(f: Figure) -> str:
    label = short_label(f)
    if f.quote.startswith(label) and label[:1].isupper() and not label[1:2].isupper():
        label = label[0].lower() + label[1:]  # "Wind gusts" started its sentence
    joint = "-" if f"{f.text}-{label.split('-')[0]}" in f.quote else " "  # "13-year sentence"
    return _safe(f, f"{f.text}{joint}{label}".strip(), label)


def _safe(f: Figure, phrase: str, label: str) -> str:
    """`phrase` if the guard reads exactly the figure in it, else the label in brackets: a
    label word that reads as a unit ("25m Tb") must not change the number."""
    if [m.text for m in scan_numbers(phrase)] == [f.text] or not label:
        return phrase if label else f.text
    return f"{f.text} ({label})"


def _ranged(f: Figure, figures: Sequence[Figure], numbers: Numbers) -> str:
    """ "$30 billion to $60 billion loss": one end of a range is never quoted alone."""
    for other in figures:
        if other is f or other.quote != f.quote:
            continue
        a, b = sorted((f, other), key=lambda g: g.quote.find(g.text))
        if re.search(rf"{re.escape(a.text)}\s*(?:to|-|–|or)\s*{re.escape(b.text)}", f.quote):
            label = short_label(b) or short_label(a)
            return f"{numbers.figure(a)} to {numbers.figure(b)} {label}".strip()
    return ""


def _key_figures(figures: Sequence[Figure], comparisons: Sequence[Comparison],
                 ranked: Sequence[Ranked], numbers: Numbers) -> str:
    """The key figure set side by side: the figure most compared, against its partners, with
    the derived share or ratio in brackets; else the three weightiest figures."""
    byid = {f.id: f for f in figures}
    telling = [(i, c) for i, c in enumerate(comparisons) if not _is_range(c, byid)]
    if telling and telling[0][1].operation == "difference" and telling[0][1].verified is None:
        # A change a post states ("from 13.8% to 15%") tells more than a difference derived
        # between two posts' numbers (one year's growth against another's).
        stated = [t for t in telling if _between(t[1], byid, r"\s+to\s+")
                  and t[1].operation == "difference"]
        telling = stated[:1] + [t for t in telling if t not in stated[:1]]
    usage = Counter(i for _, c in telling for i in c.figures)
    if telling:
        # The most telling comparison comes first (checked, then shares of a promise, then
        # ratios); of its figures, the one the most comparisons share leads, the outcome
        # before the promise on a tie. Its other comparisons line up beside it.
        change = _change(telling[0][0], telling[0][1], byid, numbers)
        if change:
            return f"Key figures: {change}."
        lead = telling[0][1].figures
        anchor = byid[max(lead, key=lambda i: (usage[i], -lead.index(i)))]
        against: list[str] = []
        plain: list[str] = []
        for index, c in telling:
            if anchor.id not in c.figures or len(against) + len(plain) == 3:
                continue
            other = byid[next(i for i in c.figures if i != anchor.id)]
            relation = _relation(anchor, other, index, c, numbers)
            numbers.figure(other)
            partner = f"the {name(other)}"
            if c.operation == "share" and not is_claim(other) and c.figures[0] == anchor.id:
                plain.append(f"{relation} of {partner}")  # "7,000 flights, 37% of the 19,000"
            else:
                against.append(f"{partner} ({relation})")
        numbers.figure(anchor)
        head = name(anchor)
        tail = "".join((f", {' and '.join(plain)}" if plain else "",
                        f", against {' and '.join(against)}" if against else ""))
        return f"Key figures: {head}{tail}."
    return _listed(ranked, figures, numbers, "Figures quoted")


def _listed(ranked: Sequence[Ranked], figures: Sequence[Figure], numbers: Numbers,
            head: str, floor: float = 0.0) -> str:
    """The best-ranked figures not quoted yet, up to MAX_QUOTED in the whole summary, one
    value once, as "Head: A, B and C."."""
    picked: list[Figure] = []
    # A stated figure the comparisons already wrote as their result ("4.4%") is not quoted
    # twice; two figures that merely share digits ("13-year", "13 Israelis") are.
    written = {n.text for n in numbers.entries if n.source == "comparison"}
    quoted = [g for g in figures if g.id in numbers.used]
    # First one figure of each kind (four magnitudes of four quakes say less than a magnitude,
    # a wind speed and a count of people); then the best of the rest, while there is room.
    for varied in (True, False):
        for r in ranked:
            if len(numbers.used) + len(picked) >= MAX_QUOTED or r.score < floor:
                break
            f = r.figure
            if f in picked or f.id in numbers.used or f.text in written or any(
                    _same(f, g) for g in (*picked, *quoted)):
                continue
            if varied and any(alike(f, p) for p in picked):
                continue
            picked.append(f)
    if not picked:
        return ""
    named = [_ranged(f, figures, numbers) or _named(f) for f in picked]
    for f in picked:
        numbers.figure(f)
    listed = ", ".join(named[:-1]) + (" and " if len(named) > 1 else "") + named[-1]
    return f"{head}: {listed}."


def _same(a: Figure, b: Figure) -> bool:
    """One quantity stated twice (a headline and its paragraph, a post and the prose)."""
    if a.unit != b.unit or abs(a.value - b.value) > 1e-9 * max(abs(a.value), 1.0):
        return False
    return bool(a.unit) or a.value >= 100 or a.label.lower() == b.label.lower()


def _between(c: Comparison, byid: dict[str, Figure], joint: str) -> tuple[Figure, Figure] | None:
    """The comparison's two figures when one quote writes them "A<joint>B", in that order."""
    pair = [byid[i] for i in c.figures if i in byid]
    if len(pair) != 2 or pair[0].quote != pair[1].quote:
        return None
    a, b = sorted(pair, key=lambda f: f.quote.find(f.text))
    return (a, b) if re.search(rf"{re.escape(a.text)}{joint}{re.escape(b.text)}", a.quote) \
        else None


def _is_range(c: Comparison, byid: dict[str, Figure]) -> bool:
    """ "$30 billion to $60 billion", "10-15 ft": the two ends of one estimate, which compare
    to nothing ("from 13.8% to 15%" is a change, not a range)."""
    pair = _between(c, byid, r"\s*(?:to|-|–|—|or)\s*")
    return pair is not None and not re.search(
        rf"\bfrom\s+{re.escape(pair[0].text)}", pair[0].quote, re.IGNORECASE)


def _change(index: int, c: Comparison, byid: dict[str, Figure], numbers: Numbers) -> str:
    """ "Employers NI from 13.8% to 15% (up 1.2 points)": a change one sentence states."""
    pair = _between(c, byid, r"\s+to\s+")
    if pair is None or c.operation != "difference":
        return ""
    a, b = pair
    if not re.search(rf"\bfrom\s+{re.escape(a.text)}", a.quote, re.IGNORECASE):
        return ""
    label = short_label(a)
    what = label if label and label == short_label(b) else ""
    direction = "up" if b.value > a.value else "down"
    delta = numbers.comparison(with_unit(abs(b.value - a.value), a), index, c)
    return (f"{what} from {numbers.figure(a)} to {numbers.figure(b)} ({direction} {delta})"
            .strip())


def _relation(anchor: Figure, other: Figure, index: int, c: Comparison,
              numbers: Numbers) -> str:
    """How `other` stands to `anchor`, said from the anchor's side."""
    if c.operation == "share":
        value = numbers.comparison(f"{shown(c.result)}%", index, c)
        if c.figures[0] != anchor.id:
            return f"{value} of it"
        return f"{value} of the target" if is_claim(other) else value
    if c.operation == "ratio":
        value = numbers.comparison(f"{shown(c.result)} times", index, c)
        bigger = c.figures[0] == other.id
        much = other.unit is not None  # money and measures are "much", counts "many"
        if bigger:
            return f"about {value} as {'much' if much else 'many'}"
        return f"about {value} {'less' if much else 'fewer'}"
    value = numbers.comparison(with_unit(abs(c.result), anchor), index, c)
    return f"a difference of {value}"


def _also(figures: Sequence[Figure], comparisons: Sequence[Comparison],
          numbers: Numbers) -> str:
    """The next most telling comparison among figures not quoted yet, when there is room."""
    byid = {f.id: f for f in figures}
    for index, c in enumerate(comparisons):
        if c.verified is False or any(i in numbers.used for i in c.figures) or \
                _is_range(c, byid):
            continue
        change = _change(index, c, byid, numbers)
        if change:
            return f"Also: {change[0].upper()}{change[1:]}."
        own = {byid[i].text: byid[i] for i in c.figures}
        for m in scan_numbers(c.text):
            if m.text in own:
                numbers.figure(own[m.text])
            else:
                numbers.comparison(m.text, index, c)
        return f"Also: {c.text}."
    return ""


def _mismatch(figures: Sequence[Figure], comparisons: Sequence[Comparison],
              numbers: Numbers) -> str:
    """A number a post states that its own figures do not bear out, with the sum."""
    byid = {f.id: f for f in figures}
    for index, c in enumerate(comparisons):
        if c.verified is False and c.stated in byid:
            stated = byid[c.stated]
            sign = " - " if c.operation == "difference" else " / "
            operands = sign.join(numbers.figure(byid[i]) for i in c.figures)
            unit = "%" if c.operation == "share" else ""
            result = numbers.comparison(f"{shown(c.result)}{unit}", index, c)
            return (f"A post's {numbers.figure(stated)} {stated.label} does not add up: "
                    f"{operands} = {result}.")
    return ""


def _subject(documents: Sequence[Document]) -> frozenset[str]:
    words = [k for d in documents for k in d.keywords] or [
        w for d in documents for w in re.findall(r"[A-Za-z]+", d.title or "")]
    return frozenset(w.lower() for w in words)


def _theme_sentence(theme: Theme | None, posts: Sequence[Post], numbers: Numbers) -> str:
    if theme is None or len(theme.mentions) < 2:
        return ""
    ids = [p.id for p in posts]
    total = numbers.count(len(posts), "posts", ids)
    kind = noun(posts)  # as the event sentence says
    if is_disputed(theme):
        n = numbers.count(len(theme.disputes), f"posts disputing “{theme.word}”", theme.disputes)
        return f"{n} of the {total} {kind} dispute the “{theme.phrase}” claim."
    n = numbers.count(len(theme.mentions), f"posts mentioning “{theme.word}”", theme.mentions)
    return f"{n} of the {total} {kind} mention “{theme.phrase}”."


def _preheader(parts: Sequence[str]) -> str:
    for part in parts:
        if part:
            text = part.removeprefix("Key figures: ").removeprefix("Figures quoted: ")
            if len(text) <= PREHEADER_MAX:
                return text
            return text[: PREHEADER_MAX - 1].rsplit(" ", 1)[0] + "…"
    return ""


def theme_of(documents: Sequence[Document], posts: Sequence[Post],
             texts: Texts | None = None) -> Theme | None:
    """The posts' main theme beyond the documents' subject (themes.find_theme)."""
    return find_theme(list(posts), _subject(documents), texts=texts)


def write_summary(documents: Sequence[Document], posts: Sequence[Post],
                  figures: Sequence[Figure], comparisons: Sequence[Comparison],
                  highlights: Sequence[Highlight], *, texts: Texts | None = None,
                  theme: Theme | EllipsisType | None = ...) -> Summary:
    """2-4 plain sentences: the event, the key figures side by side, the main theme counted.
    `theme`: theme_of the posts, if worked out already (the pipeline does, so that the
    readings in `texts` can go before the highlights are picked); else it is, from `texts`."""
    numbers = Numbers(figures)
    event = event_sentence(documents, posts, highlights, numbers)
    ranked = rank_figures(figures, documents, posts)
    key = _key_figures(figures, comparisons, ranked, numbers)
    more = _listed(ranked, figures, numbers, "Also quoted", ALSO_SCORE) if key.startswith(
        "Key") else ""
    if theme is ...:
        theme = theme_of(documents, posts, texts)
    themed = _theme_sentence(theme, posts, numbers)
    flagged = _mismatch(figures, comparisons, numbers)
    # At most four sentences: a figure beside the key ones only where there is room.
    parts = [event, key, themed, flagged]
    if more and sum(1 for p in parts if p) < 4:
        parts.insert(2, more)
    if sum(1 for p in parts if p) < 4:
        parts.insert(2, _also(figures, comparisons, numbers))
    text = " ".join(s for s in parts if s)
    return Summary(
        text=text,
        headline=headline(documents, event, theme, posts, highlights, figures),
        preheader=_preheader([key, themed, event]),
        numbers=numbers.for_text(text),
    )


def _consistent(n: SummaryNumber, value: float, edition: Edition) -> bool:
    if n.source == "figure":
        f = next((f for f in edition.figures if f.id == n.ref), None)
        return f is not None and (f.text == n.text or abs(f.value - value) <= 1e-9 * abs(value))
    if n.source == "comparison":
        index = int(n.ref[1:]) if re.fullmatch(r"c\d+", n.ref) else -1
        if not 0 <= index < len(edition.comparisons):
            return False
        result = abs(edition.comparisons[index].result)
        return abs(result - value) <= 0.5 * 10.0 ** -decimals(n.text) + 1e-9
    ids = n.detail.split()
    known = {p.id for p in edition.posts}
    return bool(len(ids) == value and all(i in known for i in ids))


def check_trace(edition: Edition) -> None:
    """Refuse a summary holding a number that traces to no figure, comparison or count, or
    whose recorded source does not give that number."""
    where = f"edition {edition.edition}: summary"
    foreign = FOREIGN_DIGIT.search(edition.summary)
    if foreign:  # never written by write_summary; no figure is parsed from such digits
        raise TraceError(f"summary number '{foreign.group()}' traces to no figure, comparison or "
                         "count", where=where)
    seen: Counter[str] = Counter()
    for m in scan_numbers(edition.summary):
        same = [n for n in edition.summary_numbers if n.text == m.text]
        n = same[min(seen[m.text], len(same) - 1)] if same else None
        seen[m.text] += 1
        if n is None or not _consistent(n, m.value, edition):
            raise TraceError(f"summary number '{m.text}' traces to no figure, comparison or "
                             "count", where=where)
