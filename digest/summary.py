"""The summary: the event, the key figures side by side, the main theme counted. Every number
it holds is recorded with what it traces back to, and `check_trace` refuses any that is not."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from digest.comparisons import is_claim, name, short_label, shown, with_unit
from digest.errors import TraceError
from digest.figures import sentences
from digest.headline import headline
from digest.models import (
    Comparison,
    Document,
    Edition,
    Figure,
    Highlight,
    Post,
    Summary,
    SummaryNumber,
)
from digest.numbers import FOREIGN_DIGIT, Mention, decimals, scan_numbers
from digest.themes import Theme, find_theme, is_disputed

PREHEADER_MAX = 139
# Openers that address the reader rather than state the news: "You'll probably be aware that".
HEDGE = re.compile(
    r"^(?:you(?:['’]ll| will)?\s+(?:probably\s+|may\s+|might\s+|already\s+)*(?:be\s+aware|know"
    r"|have\s+(?:heard|seen))|as\s+you\s+(?:probably\s+|may\s+)?(?:know|have\s+heard)"
    r"|in\s+case\s+you\s+missed\s+it)[,:]?\s+(?:that\s+)?",
    re.IGNORECASE,
)


class _Numbers:
    """The numbers written so far, each with its provenance, in the order they were written.
    The same text may be written twice from two sources ("13-year sentence and 13 Israelis")."""

    def __init__(self, figures: Sequence[Figure]) -> None:
        self.entries: list[SummaryNumber] = []
        self.figures = figures
        self.used: set[str] = set()  # figure ids already quoted

    def add(self, entry: SummaryNumber) -> str:
        if entry not in self.entries:
            self.entries.append(entry)
        return entry.text

    def figure(self, f: Figure, written: str | None = None) -> str:
        self.used.add(f.id)
        return self.add(SummaryNumber(written or f.text, "figure", f.id, f.quote))

    def comparison(self, text: str, index: int, c: Comparison) -> str:
        """Record the number inside `text` ("61 times", "1.6C", "$2.50") as the comparison's."""
        for m in scan_numbers(text):
            self.add(SummaryNumber(m.text, "comparison", f"c{index}", c.formula))
        return text

    def count(self, n: int, what: str, ids: Sequence[str]) -> str:
        return self.add(SummaryNumber(str(n), "count", what, " ".join(ids)))

    def for_text(self, text: str) -> tuple[SummaryNumber, ...]:
        """One entry per number in `text`, in order: the n-th "13" gets the n-th entry
        recorded for "13" (or the last, when one source is quoted twice)."""
        return _match(scan_numbers(text), self.entries) or ()

    def traceable(self, sentence: str) -> bool:
        """Can every number in a borrowed sentence be traced to a figure of the same text?"""
        found = [next((f for f in self.figures if f.text == m.text), None)
                 for m in scan_numbers(sentence)]
        if any(f is None for f in found) or FOREIGN_DIGIT.search(sentence):
            return False
        for f in found:
            if f is not None:
                self.figure(f)
        return True


def _clean(sentence: str) -> str:
    sentence = re.sub(r"\s+", " ", HEDGE.sub("", sentence.strip()))
    sentence = re.sub(r"\s*(?:https?://|pic\.twitter\.com/)\S+", "", sentence).strip()
    if sentence and sentence[0].islower():
        sentence = sentence[0].upper() + sentence[1:]
    return sentence if sentence.endswith((".", "!", "?", "…")) else sentence + "."


def _event(documents: Sequence[Document], posts: Sequence[Post],
           highlights: Sequence[Highlight], numbers: _Numbers) -> str:
    """The article's lead sentence, else the top feed item or post, named with its source."""
    for doc in documents:
        for para in doc.prose[:3]:
            for start, end in sentences(para.text)[:1]:
                sentence = _clean(para.text[start:end])
                if 30 <= len(sentence) <= 240 and not sentence.endswith("?") and \
                        numbers.traceable(sentence):
                    return sentence
    byid = {p.id: p for p in posts}
    ordered = [byid[h.post] for h in highlights if h.post in byid] + list(posts)
    titles = [d.title for d in documents if d.title]
    source = titles[0] if len(titles) == 1 else "the sources"
    kind = _noun(posts)
    for post in ordered:
        text = post.title or post.text
        spans = sentences(text)
        lead = _clean(text[spans[0][0]:spans[0][1]]) if spans else ""
        if lead and len(lead) <= 200 and numbers.traceable(lead):
            count = numbers.count(len(posts), "posts", [p.id for p in posts])
            if len(posts) == 1:
                return f"{lead.rstrip('.')}, from {source}."
            return f"{count} {kind} from {source}, led by “{lead.rstrip('.')}”."
    return ""


def _noun(posts: Sequence[Post]) -> str:
    """What to call the posts: "items" when every one is a feed item (has a title)."""
    return "items" if posts and all(p.title for p in posts) else "posts"


def _importance(f: Figure) -> int:
    """Money, measured and scaled numbers weigh most; numbers in words only pad a list."""
    weight = {"money": 3, "measured": 3, "claimed": 2, "metric": 2, "share": 2, "count": 1}
    return (weight[f.kind] + (1 if f.value >= 1e5 or f.unit else 0)
            - (2 if not re.search(r"\d", f.text) else 0))


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


def _key_figures(figures: Sequence[Figure], comparisons: Sequence[Comparison],
                 numbers: _Numbers) -> str:
    """The key figure set side by side: the figure most compared, against its partners, with
    the derived share or ratio in brackets; else the three weightiest figures."""
    byid = {f.id: f for f in figures}
    usage = Counter(i for c in comparisons for i in c.figures)
    if comparisons:
        # The most telling comparison comes first (checked, then shares of a promise, then
        # ratios); of its figures, the one the most comparisons share leads, the outcome
        # before the promise on a tie. Its other comparisons line up beside it.
        lead = comparisons[0].figures
        anchor = byid[max(lead, key=lambda i: (usage[i], -lead.index(i)))]
        against: list[str] = []
        plain: list[str] = []
        for index, c in enumerate(comparisons):
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
    # The weightiest figures, one per post while there are enough (a digest is about many
    # posts); numbers written in words ("two years") only pad a list, so they are left out.
    top = [f for f in sorted(figures, key=lambda f: -_importance(f)) if _importance(f) > 0]
    picked: list[Figure] = []
    for same_post_ok in (False, True):
        for f in top:
            if len(picked) == 3 or f in picked:
                continue
            if not same_post_ok and any(p.post == f.post for p in picked):
                continue
            if all((f.value, f.unit, f.label) != (p.value, p.unit, p.label) for p in picked):
                picked.append(f)
    if not picked:
        return ""
    named = [_named(f) for f in picked]
    for f in picked:
        numbers.figure(f)
    listed = ", ".join(named[:-1]) + (" and " if len(named) > 1 else "") + named[-1]
    return f"Figures quoted: {listed}."


def _relation(anchor: Figure, other: Figure, index: int, c: Comparison,
              numbers: _Numbers) -> str:
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
          numbers: _Numbers) -> str:
    """The next most telling comparison among figures not quoted yet, when there is room."""
    byid = {f.id: f for f in figures}
    for index, c in enumerate(comparisons):
        if c.verified is False or any(i in numbers.used for i in c.figures):
            continue
        own = {byid[i].text: byid[i] for i in c.figures}
        for m in scan_numbers(c.text):
            if m.text in own:
                numbers.figure(own[m.text])
            else:
                numbers.comparison(m.text, index, c)
        return f"Also: {c.text}."
    return ""


def _mismatch(figures: Sequence[Figure], comparisons: Sequence[Comparison],
              numbers: _Numbers) -> str:
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


def _theme_sentence(theme: Theme | None, posts: Sequence[Post], numbers: _Numbers) -> str:
    if theme is None or len(theme.mentions) < 2:
        return ""
    ids = [p.id for p in posts]
    total = numbers.count(len(posts), "posts", ids)
    kind = _noun(posts)  # as the event sentence says
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


def write_summary(documents: Sequence[Document], posts: Sequence[Post],
                  figures: Sequence[Figure], comparisons: Sequence[Comparison],
                  highlights: Sequence[Highlight]) -> Summary:
    """2-4 plain sentences: the event, the key figures side by side, the main theme counted."""
    numbers = _Numbers(figures)
    event = _event(documents, posts, highlights, numbers)
    key = _key_figures(figures, comparisons, numbers)
    theme = find_theme(list(posts), _subject(documents))
    themed = _theme_sentence(theme, posts, numbers)
    flagged = _mismatch(figures, comparisons, numbers)
    parts = [event, key, themed, flagged]
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


def _match(found: Sequence[Mention], entries: Sequence[SummaryNumber]
           ) -> tuple[SummaryNumber, ...] | None:
    """Pair each number found with its entry (the n-th of its text), or None if one has none."""
    seen: Counter[str] = Counter()
    out: list[SummaryNumber] = []
    for m in found:
        same = [n for n in entries if n.text == m.text]
        if not same:
            return None
        out.append(same[min(seen[m.text], len(same) - 1)])
        seen[m.text] += 1
    return tuple(out)


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
