"""Figures: the numbers that matter in the posts, normalised, labelled and classified.

`find_figures` reads each post's text (and a feed item's title) and each prose paragraph, finds
the quantities with `digest.edit.text.numbers.find_mentions`, and gives each one a label in the
source's own words (the noun phrase after it, else the clause before it), a kind, and the
sentence it was said in.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from digest.edit.labels import (
    AFTER,
    AUDIENCE,
    AUXILIARY,
    CLAIM,
    COMPARATIVE,
    CONTINUES,
    CURRENCY_CODES,
    FOR_PHRASE,
    LINKED,
    MEASURED,
    METRIC,
    PER_UNIT,
    PHYSICAL,
    PRONOUN,
    QUANTITY,
    RANGE_START,
    RECEIVED,
    TIME_RATE,
    TRADE,
    VERBISH,
    fragment_before,
    measure,
    moved,
    phrase_after,
    phrase_following,
    plain_words,
    with_rate,
)
from digest.edit.text.grammar import MONTHS, Mention
from digest.edit.text.numbers import find_mentions
from digest.edit.text.reading import Texts
from digest.edit.text.sentences import sentences
from digest.edit.text.tokens import STOP
from digest.model import Figure, FigureKind, Post, Prose

# Where a clause ends: punctuation, a contrasting conjunction ("expected 20m viewers but only
# 9m tuned in": the promise stays with 20m), or another number.
_BOUNDARY = re.compile(r"[,;:—–]|\s(?:but|while|whereas|although|though|yet)\s"
                       r"|\d[%\w]*(?:/[a-z]+)?\)?[\s,](?:times\s)?|\btimes\s",
                       re.IGNORECASE)


CLAUSE_MAX = 400


def _clause_before(masked: str, sentence_start: int, mention: Mention) -> tuple[str, str]:
    """The clause the number belongs to, before it, and any words between an opening
    parenthesis and the number ("(actually 1.1m)" -> "actually")."""
    # At most CLAUSE_MAX characters back: a clause is read for its last words, and reading a
    # long run-on stretch back from each of its numbers made a post of numbers quadratic.
    head = masked[max(sentence_start, mention.start - CLAUSE_MAX):mention.start]
    inside = ""
    paren = head.rfind("(")
    if paren > head.rfind(")"):
        inside, head = head[paren + 1:], head[:paren]
    bounds = [m.end() - 1 for m in _BOUNDARY.finditer(head)]
    cut = bounds[-1] if bounds else -1
    if not head[cut + 1:].strip() and bounds:
        # "Provisional: 40.3C", "Ticket prices: £9.99": the clause before the colon names it.
        cut = bounds[-2] if len(bounds) > 1 else -1
    return head[cut + 1:], inside


def _phrase_before(clause: str, money: bool = False) -> str:
    """What the clause before the number is about: a counter or audience it names (last one
    wins), else its last content words ("Wind gusts of up to" -> "Wind gusts")."""
    found = [m for pat in (METRIC, AUDIENCE) for m in pat.finditer(clause)]
    if found:
        return max(found, key=lambda m: m.end()).group()
    words = [w for w, _, _ in plain_words(clause)]
    while words and words[-1].lower() in STOP:
        words.pop()
    tail: list[str] = []
    for word in reversed(words):
        if word.lower() in STOP or len(tail) == 3:
            break
        tail.insert(0, word)
    for k in range(len(words) - 2, max(0, len(words) - 5), -1):
        if money and words[k].lower() in TRADE and words[k - 1].lower() == "to":
            # "agreed to buy Twitter for $44Bln": what the money is for, "to buy Twitter".
            return " ".join(["to", *words[k:]])
        if money and words[k].lower() in ("cost", "costs") and k >= len(words) - 3:
            # "the outage will cost SkyJet £45m": what it is the cost of, "outage cost".
            payer = [w for w in words[:k] if w.lower() not in STOP][-1:]
            return " ".join([*payer, "cost"])
    verbs = [i for i, w in enumerate(tail[:-1]) if _verbish(w)]
    if verbs:
        tail = tail[verbs[-1] + 1:]  # "Insurers estimate losses" -> "losses"
    before = words[: len(words) - len(tail)]
    if len(tail) == 1 and before and before[-1].lower() in AUXILIARY and not CLAIM.fullmatch(
            tail[0]):
        # "Speeds were cut to 20 mph": the participle says what happened; the subject before
        # the auxiliary says what the number is about.
        subject = _phrase_before(" ".join(before[:-1]))
        tail = subject.split() or tail
    # "Temperatures hit", "shareholders got", "the government has promised": the verb says how
    # the number came about (the kind), the noun before it says what it counts (the label).
    while len(tail) > 1 and _verbish(tail[-1]):
        tail.pop()
    at = max((i for i, w in enumerate(words) if tail and w == tail[0]), default=0)
    if len(tail) == 1 and tail[0][:1].isupper() and at >= 2 and words[at - 1].lower() in (
            "in", "at", "across", "for") and words[at - 2].lower() not in STOP:
        # "Average rent in Manchester hit £1,250": the rent is counted, the place says where.
        head = [w for w in words[max(0, at - 3):at - 1] if w.lower() not in STOP][-2:]
        if head and not any(_verbish(w) for w in head):
            return " ".join([*head, words[at - 1], tail[0]])
    return " ".join(tail)


def _verbish(word: str) -> bool:
    low = word.lower()
    # A promise word is a verb only in its past form: "promised", but "the target", "budget".
    return bool(MEASURED.fullmatch(word) or (CLAIM.fullmatch(word) and low.endswith("ed"))
                or low in VERBISH or (low.endswith("ed") and len(low) > 4))


def _kind(mention: Mention, label: str, context: str, cue: re.Match[str] | None,
          cue_before: bool) -> FigureKind:
    if mention.unit == "%":
        # "promised 97% of sensors" is a promise; "4.4% of the target" is a share of one.
        return "claimed" if cue and cue_before else "share"
    if mention.unit and len(mention.unit) == 3 and mention.unit.isupper() and mention.unit not in (
            PHYSICAL):
        return "money"
    if cue:
        return "claimed"
    if METRIC.search(label):
        return "metric"
    if mention.unit in PHYSICAL or _near_end(MEASURED, context) or AUDIENCE.search(label):
        return "measured"
    return "count"


def _near_end(pattern: re.Pattern[str], clause: str, n: int = 5) -> re.Match[str] | None:
    """The last match of `pattern` among the last `n` words of `clause` (the words that govern
    the number: "had promised him 25m"), else None. Further back, a cue belongs to another
    number or clause."""
    words = plain_words(clause)[-n:]
    if not words:
        return None
    found = list(pattern.finditer(clause, words[0][1]))
    return found[-1] if found else None


@dataclass(frozen=True)
class Reading:
    """One number as a sentence says it: what it counts, how, and where in the sentence."""

    mention: Mention
    label: str
    kind: FigureKind
    quote: str
    claim: str | None  # the promise word, for a promise or target ("promised")
    change: str | None  # "rise" or "fall" for a share that moved
    start: int  # where the number starts in the quote


def _figures_in(text: str, texts: Texts) -> Iterable[Reading]:
    read = texts(text)
    mentions = find_mentions(text, read)
    if not mentions:
        return  # most texts: no sentence need be found
    masked = read.masked
    spans = _bounded(sentences(text), text)
    starts = [a for a, _ in spans]
    previous: Mention | None = None
    said: list[tuple[Mention, str, int, str]] = []  # (mention, label, sentence start, kind)
    # The same, by sentence, and the promises by unit: looked up per figure, where a scan of
    # `said` made a post of thousands of figures quadratic.
    in_sentence: dict[int, list[tuple[Mention, str, int, str]]] = defaultdict(list)
    promises: dict[str | None, list[str]] = defaultdict(list)
    for mention in mentions:
        if previous and re.fullmatch(r"\s*\(\s*", masked[previous.end:mention.start]) and (
                (previous.unit == "%") == (mention.unit == "%")):
            # "105 mph (170 kph)": the same quantity again, converted; "£693 (54%)" is not.
            continue
        previous = mention
        at = bisect.bisect_right(starts, mention.start) - 1
        s_start, s_end = spans[at] if at >= 0 and mention.start < spans[at][1] else (0, len(text))
        # "storm surge of 10 to 15 ft": the clause is read as if the range began at 15 ft.
        span = RANGE_START.search(masked, s_start, mention.start)
        clause, inside = _clause_before(
            masked if not span else masked[:span.start()] + " " * (mention.start - span.start())
            + masked[mention.start:], s_start, mention)
        money = bool(mention.unit and mention.unit in CURRENCY_CODES)
        rate = PER_UNIT.match(masked, mention.end) if money else None
        label = " ".join(rate.group().split()) if rate else phrase_after(masked, mention)
        last = said[-1] if said else None
        if not label and last and last[0].unit == mention.unit and CONTINUES.fullmatch(
                masked[last[0].end:mention.start]):
            label = last[1]  # "from £9,100 to £5,000", "$30 billion to $60 billion"
        if not label and PRONOUN.search(clause):
            # "After today it heads for 38%": "it" is what an earlier figure of the post counts.
            label = next((lab for m, lab, _, _ in reversed(said) if m.unit == mention.unit), "")
        before = "" if label else _phrase_before(clause, money)
        if before and last and last[0].unit == mention.unit and last[2] == s_start and all(
                _verbish(w) for w in before.split()):
            # "hovered at 5C at the start and dropped to 3C": still the temperatures.
            label, before = last[1], ""
        deal = FOR_PHRASE.match(masked, mention.end) if money else None
        stepped = not re.search(r"[A-Za-z]", re.split(r"[,;:—–]", clause)[-1]) or not re.search(
            r"[A-Za-z]", re.split(r"[,;:—–]", masked[s_start:mention.start])[-1])
        if deal and (not before or stepped or (" " not in before and _verbish(before))):
            # "£999 for the Pro", "Paid £2,400 for a seat behind the goal".
            before = " ".join(deal.group(1).split())
        label = label or before
        if not label or label.lower() in MONTHS:
            # "fell to 2.3% in April, from 3.2% in March": the second share is of the same thing.
            same = mention.unit == "%" or mention.unit in QUANTITY  # "from 3.2% in March"
            label = next((lab for m, lab, s, _ in reversed(in_sentence[s_start])
                          if same and s == s_start and m.unit == mention.unit and lab), "")
        if not label and LINKED.fullmatch(clause):
            # "A 6.7% rise in the minimum wage, to £12.21": the clause before names it.
            part = re.sub(r"[\s,;:—–]*(?:to|from|at|by|of)?\s*$", "", masked[s_start:mention.start])
            label = _phrase_before(re.split(r"\d[\d,.]*%?\w*", part)[-1], money)
        if not label and mention.unit not in QUANTITY:
            head = re.split(r"[£$€¥₹]?\d", masked[s_start:mention.start], maxsplit=1)[0]
            label = phrase_following(masked, mention) or _phrase_before(head)
        cue = _near_end(CLAIM, inside or clause)
        cue_before = cue is not None
        after = re.split(r"[,;:.!?()—–\d]", masked[mention.end:mention.end + AFTER],
                         maxsplit=1)[0]
        following = plain_words(after)[:4]
        later = CLAIM.search(" ".join(w for w, _, _ in following))
        if later and _DETERMINED.search(" ".join(w for w, _, _ in following)[:later.start()]):
            later = None  # "60 million plus has a budget of …": a thing of its own, not a promise
        if cue is None and later and mention.unit != "%":  # "4.4% of the target" is a share
            # "the 25 million Musk had promised": the promise comes after the number.
            # The words between the number and the promise name who promised ("analysts",
            # "the studio"), not what is counted: the promise word is the label. Right after
            # the number ("surge of 10 to 15 ft expected"), the clause before names the thing.
            cue = later
            right_after = bool(following) and CLAIM.fullmatch(following[0][0]) is not None
            named = " ".join(_phrase_before(clause, money).split()[-2:]) if right_after else ""
            label = named or later.group()
        elif mention.unit == "%":
            only = not re.search(r"[A-Za-z]{2,}", re.sub(r"\b(?:up|down|by)\b", "", clause))
            told = [lab for _, lab, st, _ in in_sentence[s_start] if st == s_start and lab]
            # "1.2 million cups of water, up 15%": the cups rose.
            label = moved(told[-1] if only and told else label, masked[s_start:mention.start])
            more = COMPARATIVE.match(masked, mention.end)
            if more and not label.startswith("of "):
                # "customers paid 60 percent more" -> "more for customers"; "20% more users".
                noun = more.group(2) if more.group(2) and more.group(2).lower() not in STOP \
                    else ""
                label = f"{more.group(1)} {noun}" if noun else " ".join(
                    (more.group(1), "for" if label else "", label)).strip()
        elif money and label and RECEIVED.search(clause) and label.lower() in clause.lower():
            label = f"to {label}"  # "Your shareholders got $44Bln": money to them
        elif money and re.search(r"\b(?:another|extra|additional)\s*$", clause, re.IGNORECASE):
            per = TIME_RATE.match(masked, mention.end)
            # "My landlord wants another £150 a month": "£150 more a month".
            label = f"more {' '.join(per.group().split())}" if per else "more"
        label = with_rate(masked, mention, label)
        if not label and mention.unit in QUANTITY:
            label = QUANTITY[mention.unit]
        elif label and mention.unit in QUANTITY:
            label = measure(label, QUANTITY[mention.unit])
        if not label:
            label = fragment_before(text, spans, s_start)
        promised = promises[mention.unit]
        if cue is None and promised and re.fullmatch(r"[a-z]+", label) and _verbish(label):
            # "pledged 5,000 new homes … It has built 1,800": new homes, built.
            label = f"{promised[-1]} {label}"
        kind = _kind(mention, f"{label} {after[:30]}", f"{clause} {inside}", cue, cue_before)
        said.append((mention, label, s_start, kind))  # before the promise word is added
        in_sentence[s_start].append(said[-1])
        if kind == "claimed":
            promises[mention.unit].append(label)
        if kind in ("claimed", "money") and cue and cue.group().lower() not in label.lower():
            # The promise word and what is counted, as one phrase: "promised him 25m listening
            # live" -> "promised listening live" (who was promised is not what is counted).
            if label.startswith("of "):
                label = f"{label}, {cue.group()}"  # "of sensors, promised"
            else:
                label = f"{cue.group()} {label}".strip()
        quote = text[s_start:s_end].strip()
        change = label.split()[0] if label.startswith(("rise in ", "fall in ")) else None
        claim = cue.group() if kind in ("claimed", "money") and cue else None
        yield Reading(mention, label, kind, quote, claim, change,
                      quote.find(mention.text, max(0, mention.start - s_start - 1)))


# A determiner right before a promise word makes it a noun with its own figure ("has a budget of").
_DETERMINED = re.compile(r"\b(?:a|an|the|its|their|his|her|our|this|that)\s*$", re.IGNORECASE)


# The longest stretch read as one sentence: a run-on one is read in pieces cut at blanks, so a
# figure's quote and the clause read before it stay short (a 60 KB "sentence" of numbers had
# every figure read all of it before itself, and carry a copy of it as its quote).
MAX_SENTENCE = 1_000
_BLANK = re.compile(r"\s")


def _bounded(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in spans:
        while b - a > MAX_SENTENCE:
            cut = text.rfind(" ", a + 1, a + MAX_SENTENCE)
            if cut < 0:  # one long word: cut after it, never inside it
                blank = _BLANK.search(text, a + MAX_SENTENCE, b)
                cut = blank.start() if blank else b
            out.append((a, cut))
            a = cut
        if a < b:
            out.append((a, b))
    return out


# A post's conditional ("If …, it would be …") or guess ("PREDICTION: …", "I bet …") imagines a
# number rather than reports one. Only posts: a report's "if passed, the bill would cost £5bn"
# is a projection worth quoting.
HYPOTHETICAL = re.compile(
    r"(?:imagine\b|if\b(?=.*\b(?:would|could|might)\b)|(?:my\s+)?(?:prediction|guess)\s*:"
    r"|.*\bI\s+(?:predict|bet|reckon|guess)\b)", re.IGNORECASE)


ABOUT_THE_PAGE = re.compile(r"this (?:article|page|story|post|piece|video) (?:is|was|has)\b",
                            re.IGNORECASE)


def find_figures(posts: Sequence[Post], prose: Sequence[Prose] = (), *,
                 texts: Texts | None = None) -> list[Figure]:
    """Every figure in the posts (and feed items' titles) and in the article's own paragraphs,
    in order of appearance. A prose figure's `post` is its paragraph's "path:line". `texts`:
    the build's readings (each text is read once for every stage), else this call's own."""
    texts = Texts() if texts is None else texts
    figures: list[Figure] = []
    sources = [(post.id, (post.title or "", post.text), bool(post.handle)) for post in posts]
    sources += [(para.source, ("", para.text), False) for para in prose]
    for origin, parts, social in sources:
        seen: set[tuple[float, str | None, str]] = set()
        for text in parts:
            for r in _figures_in(text, texts):
                if social and HYPOTHETICAL.match(r.quote):
                    continue  # "If all applause were cut, it would be 22 minutes": a joke
                if ABOUT_THE_PAGE.match(r.quote):
                    continue  # "This article is more than 2 years old": the page, not the news
                m = r.mention
                key = (m.value, m.unit, r.label.lower())
                if key in seen:
                    continue  # a feed item's title and summary often repeat the same figure
                seen.add(key)
                figures.append(Figure(
                    id=f"f{len(figures) + 1}", text=m.text, value=m.value, unit=m.unit,
                    label=r.label, kind=r.kind, post=origin, quote=r.quote, claim=r.claim,
                    change=r.change, start=r.start,
                ))
    return figures
