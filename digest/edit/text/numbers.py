"""Finding numbers in text: the figures worth reporting, and every number at all (for tracing).

Two scanners share one grammar (`grammar`). `find_mentions` is selective: it skips what looks
like a number but is not a quantity (`traps`: dates, times, years, handles, hashtags, URLs,
list and thread markers, ordinals, identifiers such as "Flight 370"). `scan_numbers` is
exhaustive: the summary guard uses it, so anything that merely looks like a number there must
be accounted for.
"""

from __future__ import annotations

import re

from digest.edit.text import lexicon
from digest.edit.text.grammar import (
    ANY_WORD,
    CONVERSION_GAP,
    DIMENSION,
    MONTHS,
    ONE_IN,
    PAIR,
    RATIO_NEXT,
    SCALED_RANGE,
    TIMES_WORD,
    TIMES_WORDS,
    TOKEN,
    WORD_TOKEN,
    WORD_VALUES,
    Mention,
    fold,
    small_value,
    unit_of,
    value_of,
    word_value,
)
from digest.edit.text.reading import Reading, read_text
from digest.edit.text.tokens import STOP, ends_with, next_word, sentence_start, words_before
from digest.edit.text.traps import idiom, is_trap, named_after, pair

# Matched in place (pattern.match(text, pos)), never on a copy of the rest of the text: a copy
# per number made a post of many numbers quadratic.
_TIMES = re.compile(r"\s+times\b", re.IGNORECASE)
_JOINED = re.compile(r"-([A-Za-z]+)")
_PUNCT_NEXT = re.compile(r"\s*[-,.;:!?)]")
_OF_NEXT = re.compile(r"\s+(?:of|another)\b")
_FOLLOW = re.compile(r"-?([A-Za-z]+)")
_IDIOMS = lexicon.pattern("idioms")


def find_mentions(text: str, reading: Reading | None = None) -> list[Mention]:
    """The quantities in `text`, in order, with traps (dates, markers, handles …) left out.
    `reading` is the text's (reading.Texts); without one the text is read here."""
    reading = reading or read_text(text)
    if not (reading.digits or reading.number_words):
        return []  # nothing any pattern below can match: most posts
    masked = reading.masked
    found: list[Mention] = []
    # Which offsets a proportion or a pair already took: a flag per offset, not a list of spans
    # searched for every number (quadratic in a post of many pairs).
    taken = bytearray(len(masked) + 1)
    # A digit pattern's match starts at its first digit, or (a sign and a currency, "-US$ 5")
    # at most 5 characters before: the text before that need not be scanned.
    digit = max(0, reading.first_digit)
    for m in ONE_IN.finditer(masked, 0 if reading.number_words else digit):
        # "1 in 5 nurses": a proportion, normalised to a share (20%).
        a, b = (small_value(x) for x in (m.group(1) or m.group(3), m.group(2) or m.group(4)))
        if 0 < a < b:
            found.append(Mention(m.start(), m.end(), m.group(), round(a / b * 100, 4), "%"))
            taken[m.start():m.end()] = b"\1" * (m.end() - m.start())
    for m in SCALED_RANGE.finditer(masked, max(0, digit - 5)) if reading.digits else ():
        low, high = value_of(m["a"], m["mult"]), value_of(m["b"], m["mult"])
        if low < high and not (len(m["a"]) == len(m["b"]) == 4):  # not "2019-2020k"
            found.append(_range(text, m, low))
            taken[m.start():m.end()] = b"\1" * (m.end() - m.start())
    for m in PAIR.finditer(masked, digit) if reading.digits else ():
        if taken[m.start()]:
            continue
        both = pair(masked, text, m)
        if both is not None:
            found.append(both)
        if both is not None or m.group("joint").strip() == "for":
            # "2 for 1 deals": neither number counts
            taken[m.start():m.end()] = b"\1" * (m.end() - m.start())
    named: set[str] = set()  # decimals that name a version somewhere in the text ("iOS 11.2")
    for m in TOKEN.finditer(masked, max(0, digit - 5)) if reading.digits else ():
        if is_trap(masked, m) or named_after(masked, m):
            if "." in m.group("num"):
                named.add(m.group("num"))
            continue
        if m.group("num") in named and not (m.group("cur") or m.group("unit")):
            continue  # "what we know about 11.2 so far": the version named before
        unit = unit_of(m.group("cur"), m.group("unit"))
        bare = not (m.group("cur") or m.group("mult") or m.group("unit"))
        if bare and re.fullmatch(r"\d+", m.group("num")):
            at = m.end()
            while at < len(masked) and masked[at].isspace():
                at += 1
            follow = _FOLLOW.match(masked, at)
            told = ends_with(masked, m.start(), "—–:") and int(m.group("num")) >= 10
            if not told and (not follow or follow.group(1).lower() in STOP | MONTHS):
                # A bare small number must be followed by what it counts, unless a dash or
                # colon puts it after its noun ("their lowest score — 58 in 94 minutes").
                continue
        value = value_of(m.group("num"), m.group("mult"))
        if m.group("mult") in ("m", "M") and words_before(masked, m.start())[-1:] and \
                words_before(masked, m.start())[-1].lower() == "magnitude":
            value, unit = float(m.group("num")), "magnitude"  # "Magnitude 5.3M": not millions
        sign = -1.0 if m.group("sign") and unit in ("C", "F", "%") else 1.0
        start = m.start() if sign < 0 else (m.start("cur") if m.group("cur") else m.start("num"))
        end = m.end("unit") if m.group("unit") else m.end()
        raw = text[start:end]
        if unit == "x" and m.group("unit").strip().lower() == "times" and not RATIO_NEXT.match(
                masked, end):
            continue  # "said it 3 times" counts occurrences; only "3 times more/the" is a ratio
        if taken[start]:
            continue
        found.append(Mention(start, end, raw.strip(), sign * value, unit,
                             scaled=bool(m.group("mult")) and unit != "magnitude"))
    for m in TIMES_WORD.finditer(masked) if reading.number_words else ():
        if RATIO_NEXT.match(masked, m.end()):  # "double the 5 million", "twice as many"
            found.append(Mention(m.start(), m.end(), m.group(), TIMES_WORDS[fold(m.group())],
                                 "x", word=True))
    for m in WORD_TOKEN.finditer(masked) if reading.number_words else ():
        if taken[m.start()]:
            continue
        times = _TIMES.match(masked, m.end())
        if times and RATIO_NEXT.match(masked, times.end()):
            end = times.end()  # "three times the original budget": a ratio
            found.append(Mention(m.start(), end, text[m.start():end], word_value(
                m.group("word"), m.group("mult")), "x", word=True))
            continue
        if _IDIOMS.match(masked, m.start()) or _IDIOMS.match(
                masked, max(0, masked.rfind(" ", 0, m.start() - 1) + 1)):
            continue  # "my two cents", "on cloud nine": a figure of speech
        if m.group()[:1].isupper() and not sentence_start(masked, m.start()):
            continue  # "the Eight Amendment", "the Big Ten": a capital mid-sentence names
        joined = _JOINED.match(masked, m.end())  # "ten-point", "six-year"
        nxt = joined.group(1).lower() if joined else next_word(masked, m.end())
        if not nxt or nxt in STOP or nxt in MONTHS or (
                not joined and _PUNCT_NEXT.match(masked, m.end())):
            continue  # "seven, who…", "two of them", "one of two is": no counted noun follows
        if WORD_VALUES.get(fold(m.group("word")), 1) == 0 and not nxt.endswith("s"):
            continue  # "zero tolerance", "nil-nil": only "nul points", "zero deaths" count
        found.append(Mention(m.start(), m.end(), m.group(), word_value(m.group("word"),
                             m.group("mult")), None, scaled=bool(m.group("mult")), word=True))
    return _without_conversions(text, sorted(found, key=lambda x: x.start))


def _range(text: str, m: re.Match[str], low: float) -> Mention:
    return Mention(m.start(), m.end(), text[m.start():m.end()].strip(), low,
                   unit_of(m["cur"], m["unit"]), scaled=True)


def _without_conversions(text: str, found: list[Mention]) -> list[Mention]:
    """Leave out a figure that restates the one before it in another unit of the same
    dimension ("39.1C, or 102.4F", "£45bn ($58bn)"): one quantity, written twice."""
    kept: list[Mention] = []
    for mention in found:
        last = kept[-1] if kept else None
        if (last is not None and last.unit != mention.unit and mention.unit in DIMENSION
                and DIMENSION.get(last.unit or "") == DIMENSION[mention.unit]
                and mention.start - last.end <= 16
                and CONVERSION_GAP.fullmatch(text, last.end, mention.start)):
            continue
        kept.append(mention)
    return kept


def scan_numbers(text: str) -> list[Mention]:
    """Every number in `text`, traps included: digits with their currency, multiplier and unit,
    proportions ("1 in 5"), ratios in words ("three times", "double") and number words. What
    the summary guard must account for, one by one, written as `find_mentions` writes them."""
    found: list[Mention] = []
    taken = bytearray(len(text) + 1)  # a flag per offset taken, as in find_mentions

    def free(a: int, b: int) -> bool:
        return not any(taken[a:b])

    def take(a: int, b: int) -> None:
        taken[a:b] = b"\1" * (b - a)

    for m in ONE_IN.finditer(text):
        a, b = (small_value(x) for x in (m.group(1) or m.group(3), m.group(2) or m.group(4)))
        found.append(Mention(m.start(), m.end(), m.group(), round(a / b * 100, 4) if b else 0.0,
                             "%"))
        take(m.start(), m.end())
    for m in SCALED_RANGE.finditer(text):
        found.append(_range(text, m, value_of(m["a"], m["mult"])))
        take(m.start(), m.end())
    for m in PAIR.finditer(text):
        if free(m.start(), m.end()):
            found.append(Mention(m.start(), m.end(), text[m.start():m.end()].strip(),
                                 float(m.group("a")), None))
            take(m.start(), m.end())
    for m in TOKEN.finditer(text):
        if free(m.start(), m.end()):
            raw = text[m.start():m.end()]
            found.append(Mention(m.start(), m.end(), raw.strip(), value_of(m.group("num"),
                                 m.group("mult")), unit_of(m.group("cur"), m.group("unit")),
                                 scaled=bool(m.group("mult"))))
            take(m.start(), m.end())
    for m in TIMES_WORD.finditer(text):
        found.append(Mention(m.start(), m.end(), m.group(), TIMES_WORDS[fold(m.group())], "x",
                             word=True))
        take(m.start(), m.end())
    for m in ANY_WORD.finditer(text):
        word = m.group().lower()
        before = text[max(0, m.start() - 8):m.start()].lower()
        if not free(m.start(), m.end()) or (word == "one" and (
                re.search(r"\b(?:no|any|every|each|the|this|that)\s$", before)
                or _OF_NEXT.match(text, m.end()))):
            continue  # "no one", "one of": a pronoun, not a quantity
        if idiom(text, m.start(), m.end(), word):
            continue  # "one by one", "two by two", "one-on-one": a manner, not a quantity
        head, _, mult = word.rpartition(" ")
        if mult not in ("hundred", "thousand", "million", "billion"):
            head, mult = word, ""
        value = 1.0 if head == "one" else word_value(head, mult or None)
        times = _TIMES.match(text, m.end())
        end = times.end() if times else m.end()
        found.append(Mention(m.start(), end, text[m.start():end], value, "x" if times else None,
                             word=True))
    return sorted(found, key=lambda x: x.start)


def format_number(value: float) -> str:
    """1100000 -> "1,100,000"; 4.4 -> "4.4": the plain digits shown in a formula."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def decimals(text: str) -> int:
    """How many decimals a number was written with: its stated precision."""
    match = re.search(r"\d\.(\d+)", text)
    return len(match.group(1)) if match else 0
