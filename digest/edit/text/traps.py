"""What looks like a number but is no quantity: dates, times, years, markers, handles, names,
versions, titles, a list's own count, jokes; and whether two joined numbers are a score or a
range. Each rule reads the masked text around one match of the grammar."""

from __future__ import annotations

import re

from digest.edit.text import lexicon
from digest.edit.text.grammar import (
    ID_WORDS,
    MODEL_WORDS,
    MONTHS,
    YEAR_CUES,
    Mention,
    unit_of,
)
from digest.edit.text.tokens import STOP, ends_with, next_word, sentence_start, words_before

# Every pattern below is matched in place (pattern.match(masked, end)), never on a copy of the
# rest of the text: one copy per number made a post of many numbers quadratic.
_CLOCK = re.compile(r"\s*(?:[ap]\.?m\b|o['’]clock)", re.IGNORECASE)
_ENDS = re.compile(r"\s*[,.;:!?)]|[ \t]*\n")
_CAPITAL_NEXT = re.compile(r"\s*[A-Z]")
_LETTER_NEXT = re.compile(r"\s*[A-Za-z]")
_DEGREES = re.compile(r"°(?!\s?[CF]\b)")
_JOKE_SCALE = re.compile(r"\s?(?!(?:m|b|tr)illion\b)[a-z]+illi?on\b", re.IGNORECASE)
_AGO = re.compile(r"\s+(?:years?|months?|weeks?|days?)\s+ago\b", re.IGNORECASE)
_PRODUCT = re.compile(r"-[a-z]+\s+[a-z]*[A-Z]")
_QUOTED_END = re.compile(r"(?:\s*[\w'’-]+){0,3}\s*[”\"’]")
_TITLE = re.compile(r"\s+[A-Z][\w'’-]*\s+[A-Z][\w'’-]*")
_LINK_BEFORE = ("by", "on", "to", "after")  # the words of `idiom`'s link



def is_trap(masked: str, m: re.Match[str]) -> bool:
    """True where the digits are part of a date, time, year, marker, handle or identifier."""
    start, end = m.start("num"), m.end()
    before = masked[start - 1] if start else " "
    after = masked[end] if end < len(masked) else " "
    after2 = masked[end:end + 2]
    if m.start() < start:  # a sign or currency symbol comes first: look before that
        before = masked[m.start() - 1] if m.start() else " "
    if before.isalnum() or before in "_@#/:." or re.match(r"\w", after):
        return True  # inside a word, handle, path or version ("WW2", "v2.0", "13/08")
    if re.match(r"[/:]\d|[-–]\d|\.\d", after2) or (before in "-–/" and masked[max(0, start - 2)
                                                                          ].isdigit()):
        return True  # dates "13/08", times "10:30", thread markers "1/4", ranges "3-1"
    if m.group("mult") or m.group("unit") or m.group("cur"):
        return False
    num = m.group("num")
    prev = [w.lower().strip(".") for w in words_before(masked, start)]
    nxt = next_word(masked, end)
    if (prev and prev[-1] in MONTHS) or nxt in MONTHS:
        return True  # "August 13", "13 August"
    if _CLOCK.match(masked, end):
        return True
    if re.fullmatch(r"(?:[01]?\d|2[0-3])\.[0-5]\d", num) and prev and prev[-1] in (
            "at", "from", "until", "till", "by", "before", "after", "around"):
        return True  # "at 10.30": a time written with a dot
    if after in ".)" and _line_blank_before(masked, start):
        return True  # a list marker "1." or "15." at the start of a line
    if after == ")" and before != "(":
        return True  # an enumeration inside a sentence: "1) There's …"
    if before == "(" and after == ")" and "." not in num:
        return True  # "(2)"
    if re.fullmatch(r"1[0-9]{3}|20[0-9]{2}|2100", num):
        # A year alone, unless it plainly counts something ("1500 people").
        if not nxt or nxt in STOP or (prev and prev[-1] in YEAR_CUES) or nxt in MONTHS:
            return True
        if _ENDS.match(masked, end):
            return True  # ends its sentence or line: "… July 11, 2021\nTonight"
        if len(prev) == 2 and prev[0] in MONTHS and prev[1].isdigit():
            return True  # "July 11, 2021 was the day"
    prev_raw = words_before(masked, start, 1)
    if prev_raw and not re.search(r"[,;:(]\s*$", masked[max(0, start - 3):start]):
        word = prev_raw[0]
        if word.lower().strip(".") in ID_WORDS:
            return True
        word_start = masked.rfind(word, 0, start)
        if word[:1].isupper() and not word.endswith(("'s", "’s")) and word_start > 0:
            # "Apollo 11", "Storm 3": a bare number after a capitalised word names something.
            return not sentence_start(masked, word_start)
    if next_word(masked, end) in MODEL_WORDS and _CAPITAL_NEXT.match(masked, end):
        return True  # a model, not a count: "a 15 Pro", "the 14 Plus"
    return len(num.replace(",", "").split(".")[0]) >= 8  # an id or phone number, not a count


SCORE_BEFORE = lexicon.words("score_before")
SCORE_AFTER = lexicon.words("score_after")
LISTICLE = lexicon.words("listicle")
VARIANT = lexicon.words("variant_words")
PLURALS = lexicon.words("irregular_plurals")


def pair(masked: str, text: str, m: re.Match[str]) -> Mention | None:
    """ "6 for 32" and "2-1" after "won" or before "victory" are scores, "8–12 ft" a range,
    each read as its first number; any other dash between two numbers ("13-08") is no figure."""
    first, second = int(m.group("a")), int(m.group("b"))
    end = m.end()
    written = text[m.start():end].strip()
    nxt = next_word(masked, end)
    if m.group("joint").strip() == "for":
        if _LETTER_NEXT.match(masked, end) and nxt not in STOP:
            return None  # "2 for 1 deals": an offer, not a score
        return Mention(m.start(), end, written, float(first), "score")
    if m.group("unit"):
        if first == 0:
            return None  # "its 0-100 km/h time", "0-60 mph": a benchmark's span, no reading
        return Mention(m.start(), end, written, float(first), unit_of(None, m.group("unit")))
    before = {w.lower() for w in words_before(masked, m.start(), 4)}
    if before & SCORE_BEFORE or nxt in SCORE_AFTER:
        return Mention(m.start(), end, written, float(first), "score")
    if second > first and (nxt.endswith("s") or nxt in PLURALS) and nxt not in STOP | MONTHS:
        return Mention(m.start(), end, written, float(first), None)  # "20-25 people"
    return None


_TWO_WORDS = re.compile(r" [a-z]+ [a-z]")


def named_after(masked: str, m: re.Match[str]) -> bool:
    """Digits that belong to a name, a list's title or a joke rather than to a quantity."""
    end = m.end()
    if _DEGREES.match(masked, end):
        return True  # "44.11°, -66.23°": a coordinate or an angle, not a temperature
    if _JOKE_SCALE.match(masked, end):
        return True  # "$16 bajillion": a joke scale
    if _AGO.match(masked, end):
        return True  # "34 years ago today": a date
    if _PRODUCT.match(masked, end):
        return True  # "12.9-inch iPad Pro": part of a product's name
    if (m.group("unit") or m.group("mult")) and next_word(masked, end) in VARIANT:
        return True  # "the 64GB model"
    if m.group("mult") and m.group("mult").strip().istitle() and len(
            m.group("mult").strip()) > 4 and not sentence_start(masked, m.start()):
        return True  # "Finds 16 Billion Ways": a capitalised scale word is a title's
    if ends_with(masked, m.start(), "“\"‘") and _QUOTED_END.match(masked, end):
        return True  # “16 Instagrams”: a phrase quoted as a phrase, not a count
    unit = m.group("unit") or ""
    if unit in ("C", "F"):
        word = (words_before(masked, m.start(), 1) or [""])[0]
        if any(c.isupper() for c in word[1:]) and not word.isupper():
            # "the iPhone 5C": a letter glued to a product's number. Only after a camel-case
            # name: a title-case headline's "Set To Hit 40C" is a temperature.
            return True
    bare = not (m.group("cur") or m.group("mult") or unit or m.group("plus"))
    if not bare:
        return False
    if _TITLE.match(masked, end):
        return True  # "4 Muslim Canadian Women", "831 Lombardi Street": a title or address
    number = float(m.group("num").replace(",", ""))
    following = [w.lower() for w in re.findall(r"[A-Za-z'’]+", masked[end:end + 40])[:3]]
    before = words_before(masked, m.start(), 1)
    if (before and before[0].lower() == "the" and number >= 2 and "," not in m.group("num")
            and _TWO_WORDS.match(masked, end) and not any(
                w not in STOP and (w.endswith("s") or w in PLURALS) for w in following[:2])):
        # "the 317 side of town", "the 405 freeway": after "the", a count takes a plural
        # noun ("the 21 posts", "the 5 new homes"); a singular one makes the number a name.
        return True
    if number < 100 and (set(following[:2]) & LISTICLE or (
            following[:2] == ["of", "the"] and set(following[2:]) & LISTICLE)):
        return True  # "14 tech bargains", "25 of the funniest posts": a list's own count
    word = (words_before(masked, m.start(), 1) or [""])[0]
    return any(c.isupper() for c in word[1:]) and not word.isupper()  # "iOS 11", "iPad 2018"


def idiom(text: str, start: int, end: int, word: str) -> bool:
    """Is this number word half of "one by one", "two by two", "one-on-one", "one after one"?"""
    link = r"[\s-]+(?:by|after|on|to)[\s-]+"
    if re.compile(rf"{link}{re.escape(word)}\b", re.IGNORECASE).match(text, end):
        return True
    # The link before ends at `start`: the search runs only over the stretch it could take,
    # not over all the text before (once per number word, that was quadratic).
    gap = _back_over(text, start, " -")
    head = next((gap - len(w) for w in _LINK_BEFORE if text[gap - len(w):gap].lower() == w), -1)
    if head < 0:
        return False
    begin = max(0, _back_over(text, head, " -") - len(word) - 1)
    return bool(re.search(rf"\b{re.escape(word)}{link}$", text[begin:start], re.IGNORECASE))


def _back_over(text: str, pos: int, chars: str) -> int:
    """Where the run of blanks (and of `chars`) that ends at `pos` begins."""
    while pos > 0 and (text[pos - 1].isspace() or text[pos - 1] in chars):
        pos -= 1
    return pos


def _line_blank_before(text: str, pos: int) -> bool:
    """Only blanks between the start of its line and `pos` (read back from `pos`)."""
    while pos > 0 and text[pos - 1] != "\n" and text[pos - 1].isspace():
        pos -= 1
    return pos == 0 or text[pos - 1] == "\n"


