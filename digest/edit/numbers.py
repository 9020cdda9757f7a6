"""Finding numbers in text: the figures worth reporting, and every number at all (for tracing).

Two scanners share one grammar. `find_mentions` is selective: it skips what looks like a number
but is not a quantity (dates, times, years, handles, hashtags, URLs, list and thread markers,
ordinals, identifiers such as "Flight 370"). `scan_numbers` is exhaustive: the summary guard
uses it, so anything that merely looks like a number there must be accounted for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digest.edit import lexicon


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


MONTHS = lexicon.words("months")
WORD_VALUES = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "dozen": 12, "zero": 0, "nil": 0, "nul": 0,
}
MULTIPLIERS = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "million": 1e6,
    "hundred": 100, "b": 1e9, "bn": 1e9, "bln": 1e9, "billion": 1e9,
    "t": 1e12, "tn": 1e12, "trn": 1e12, "trillion": 1e12, "lakh": 1e5, "crore": 1e7,
}
CURRENCIES = {
    "£": "GBP", "$": "USD", "us$": "USD", "€": "EUR", "¥": "JPY", "₹": "INR", "a$": "AUD",
    "c$": "CAD", "nz$": "NZD", "hk$": "HKD", "pounds": "GBP", "dollars": "USD", "euros": "EUR",
    "rs": "INR", "rs.": "INR", "rupees": "INR", "yen": "JPY", "francs": "CHF",
    # "kr" is the Swedish, Norwegian or Danish krona/krone; one article uses one of them.
    "kr": "SEK", "kr.": "SEK",
    **{code.lower(): code for code in (
        "USD", "GBP", "EUR", "AUD", "CAD", "JPY", "INR", "CHF", "SEK", "NOK", "DKK", "CNY")},
}
# The stop words end a label and tell a noun phrase from a clause; kept small and closed.
STOP = _set(
    "a an the and or but of to in on at by for from with as into onto over under than then "
    "is are was were be been being am has have had do does did will would can could should may "
    "might must shall it its it's this that these those there their they them he she his her "
    "him we our us you your i me my who whom which what when where why how if so not no nor "
    "just only also too very up down out off about after before while because since until "
    "per each every all any some more most less least such own same other s t across through "
    "throughout within without among against between behind beyond near via around toward "
    "towards despite inside outside along upon amid like vs versus he's she's they're we're "
    "i'm you're that's what's who's here's"
)
YEAR_CUES = _set("in since by from until till of year years during early late mid before "
                 "after circa around spring summer autumn winter fall the")
# A bare count right after one of these words is an identifier ("Flight 370"), not a quantity.
ID_WORDS = lexicon.words("id_words")
# A capitalised one of these right after a bare number names a model ("15 Pro"), not things.
MODEL_WORDS = _set("pro max plus ultra mini lite se air fe xl")

# ASCII digits only: other scripts' digits are not parsed as figures, and the summary guard
# refuses them outright (see FOREIGN_DIGIT).
_NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)"
FOREIGN_DIGIT = re.compile(r"(?![0-9])\d")
_CUR = (r"(?:US\$|NZ\$|HK\$|A\$|C\$|£|\$|€|¥|₹"
        r"|(?<![A-Za-z])(?-i:USD|GBP|EUR|AUD|CAD|JPY|INR|CHF|SEK|NOK|DKK|CNY|Rs\.?|kr\.?)"
        r"(?=\s?\d))")
_MULT = (r"(?:\s?(?:million|billion|trillion|thousand|lakh|crore|mln|bln|mn|bn|trn)\b"
         r"|(?:bln|mn|bn|trn|tn|k|m|b)(?![a-z0-9]))")
_UNIT = (r"(?:\s?%|\s?(?:percent|per\s?cent)\b|pc\b"
         r"|\s?(?:light[- ]years?|square\s(?:feet|foot|miles|metres|meters|kilometres|km)"
         r"|sq\.?\s?ft|acres|hectares|metres|meters|kilometres|kilometers|cm|mm|inches)\b"
         r"|\s?(?:mph|kph|kmph|kmh|km/h|km|kg|miles|mi|ft|feet"
         r"|tonnes|tons|lbs?|Gbps|Mbps|kbps|GB|TB|MB|TWh|GWh|MWh|kWh|GW|MW|kW|gigawatts?|megawatts?)\b|\s?°\s?[CF]\b|[CF](?![A-Za-z0-9])|\s?degrees(?:\s?[CF]\b)?"
         r"|x(?![A-Za-z0-9])|\s?times\b|\s(?:pounds|dollars|euros|rupees|yen|francs|kr)\b)")
_TOKEN = re.compile(
    rf"(?P<sign>[-−])?(?:(?P<cur>{_CUR})\s?)?(?P<num>{_NUM})(?P<mult>{_MULT})?"
    rf"(?P<plus>\+(?!\d))?(?P<unit>{_UNIT})?",
    re.IGNORECASE,
)
_WORDS = "|".join(sorted(WORD_VALUES, key=len, reverse=True))
_WORD_TOKEN = re.compile(
    rf"\b(?P<word>(?:{_WORDS})(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?)"
    r"(?P<mult>\s(?:hundred|thousand|million|billion))?\b",
    re.IGNORECASE,
)
# Two small numbers joined by a dash ("2-1", "8–12 ft") or "6 for 32": one token, read as its
# first number. Context decides whether it is a score, a range or neither (see _pair).
_PAIR = re.compile(
    rf"(?<![\w.,/:£$€¥₹-])(?P<a>[0-9]{{1,3}})\s?(?P<joint>[-–]|\sfor\s)\s?(?P<b>[0-9]{{1,3}})"
    rf"(?![\w.,/:]*[0-9])(?:\s?(?P<unit>(?:{_UNIT[3:-1]})))?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_MASKS = re.compile(
    r"https?://\S+|www\.\S+|\b[\w-]+(?:\.[\w-]+)*\.[A-Za-z][\w-]*/\S*|[\w.+-]+@[\w-]+\.[\w.]+|[@#]\w+"
    r"|\b\w+(?:\.\w+)*\.(?:com|org|net|social|io|co|uk|ly|me|tv|gov|edu|app|dev)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Mention:
    """A number found in text: its span, what was written, and its normalised value and unit."""

    start: int
    end: int
    text: str
    value: float
    unit: str | None  # "%", ISO currency, "mph", "C", "x" (a ratio), ... or None
    scaled: bool = False  # carried a multiplier (m, bn, million): a headline-sized number
    word: bool = False  # written in words ("four years")


def mask(text: str) -> str:
    """Blank out URLs, link ids, handles, hashtags and emails, keeping every offset."""
    return _MASKS.sub(lambda m: " " * len(m.group()), text)


def _unit_of(cur: str | None, unit: str | None) -> str | None:
    if cur:
        return CURRENCIES[cur.lower()]
    if not unit:
        return None
    u = unit.strip().lower().replace(" ", "")
    if u in ("%", "percent", "percent", "pc") or u.startswith("per"):
        return "%"
    if u in CURRENCIES:
        return CURRENCIES[u]
    if u in ("kmh", "kmph"):
        return "km/h"
    if u.startswith("light"):
        return "light years"
    if u.startswith(("square", "sq")):
        area = u.removeprefix("square").removeprefix("sq.").removeprefix("sq")
        return "sq " + {"feet": "ft", "foot": "ft", "metres": "m", "meters": "m",
                        "kilometres": "km", "miles": "mi"}.get(area, area)
    if u in ("x", "times"):
        return "x"
    if u.startswith("°") or u.startswith("degrees") or u in ("c", "f"):
        return "F" if u.endswith("f") else "C"
    if u.startswith(("gigawatt", "megawatt")):
        return "GW" if u.startswith("giga") else "MW"
    known = {"mph", "kph", "km/h", "km", "kg", "mi", "ft", "lb"}
    canonical = {k.lower(): k for k in ("Gbps", "Mbps", "kbps", "GB", "TB", "MB", "TWh", "GWh",
                                       "MWh", "kWh", "GW", "MW", "kW")}
    return {"miles": "mi", "feet": "ft", "tons": "t", "tonnes": "t", "lbs": "lb"}.get(
        u, u if u in known else canonical.get(u, unit.strip()))


def _value(num: str, mult: str | None) -> float:
    value = float(num.replace(",", ""))
    if mult:
        value *= MULTIPLIERS[mult.strip().lower()]
    return value


def _words_before(text: str, pos: int, n: int = 2) -> list[str]:
    return re.findall(r"[\w'’.]+", text[max(0, pos - 40):pos])[-n:]


def _next_word(text: str, pos: int) -> str:
    match = re.match(r"\s*((?:[^\W\d_]|['’])+)", text[pos:])
    return match.group(1).lower() if match else ""


def _is_trap(masked: str, m: re.Match[str]) -> bool:
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
    prev = [w.lower().strip(".") for w in _words_before(masked, start)]
    nxt = _next_word(masked, end)
    if (prev and prev[-1] in MONTHS) or nxt in MONTHS:
        return True  # "August 13", "13 August"
    if re.match(r"\s*(?:[ap]\.?m\b|o['’]clock)", masked[end:], re.IGNORECASE):
        return True
    if re.fullmatch(r"(?:[01]?\d|2[0-3])\.[0-5]\d", num) and prev and prev[-1] in (
            "at", "from", "until", "till", "by", "before", "after", "around"):
        return True  # "at 10.30": a time written with a dot
    line_start = masked.rfind("\n", 0, start) + 1
    if not masked[line_start:start].strip() and after in ".)":
        return True  # a list marker "1." or "15." at the start of a line
    if after == ")" and before != "(":
        return True  # an enumeration inside a sentence: "1) There's …"
    if before == "(" and after == ")" and "." not in num:
        return True  # "(2)"
    if re.fullmatch(r"1[0-9]{3}|20[0-9]{2}|2100", num):
        # A year alone, unless it plainly counts something ("1500 people").
        if not nxt or nxt in STOP or (prev and prev[-1] in YEAR_CUES) or nxt in MONTHS:
            return True
        if re.match(r"\s*[,.;:!?)]|[ \t]*\n", masked[end:]):
            return True  # ends its sentence or line: "… July 11, 2021\nTonight"
        if len(prev) == 2 and prev[0] in MONTHS and prev[1].isdigit():
            return True  # "July 11, 2021 was the day"
    prev_raw = _words_before(masked, start, 1)
    if prev_raw and not re.search(r"[,;:(]\s*$", masked[max(0, start - 3):start]):
        word = prev_raw[0]
        if word.lower().strip(".") in ID_WORDS:
            return True
        word_start = masked.rfind(word, 0, start)
        if word[:1].isupper() and not word.endswith(("'s", "’s")) and word_start > 0:
            # "Apollo 11", "Storm 3": a bare number after a capitalised word names something.
            return not _sentence_start(masked, word_start)
    if _next_word(masked, end) in MODEL_WORDS and re.match(r"\s*[A-Z]", masked[end:]):
        return True  # a model, not a count: "a 15 Pro", "the 14 Plus"
    return len(num.replace(",", "").split(".")[0]) >= 8  # an id or phone number, not a count


SCORE_BEFORE = lexicon.words("score_before")
SCORE_AFTER = lexicon.words("score_after")
LISTICLE = lexicon.words("listicle")
VARIANT = lexicon.words("variant_words")
PLURALS = lexicon.words("irregular_plurals")


def _pair(masked: str, text: str, m: re.Match[str]) -> Mention | None:
    """ "6 for 32" and "2-1" after "won" or before "victory" are scores, "8–12 ft" a range,
    each read as its first number; any other dash between two numbers ("13-08") is no figure."""
    first, second = int(m.group("a")), int(m.group("b"))
    end = m.end()
    written = text[m.start():end].strip()
    nxt = _next_word(masked, end)
    if m.group("joint").strip() == "for":
        if re.match(r"\s*[A-Za-z]", masked[end:]) and nxt not in STOP:
            return None  # "2 for 1 deals": an offer, not a score
        return Mention(m.start(), end, written, float(first), "score")
    if m.group("unit"):
        return Mention(m.start(), end, written, float(first), _unit_of(None, m.group("unit")))
    before = {w.lower() for w in _words_before(masked, m.start(), 4)}
    if before & SCORE_BEFORE or nxt in SCORE_AFTER:
        return Mention(m.start(), end, written, float(first), "score")
    if second > first and (nxt.endswith("s") or nxt in PLURALS) and nxt not in STOP | MONTHS:
        return Mention(m.start(), end, written, float(first), None)  # "20-25 people"
    return None


def _named_after(masked: str, m: re.Match[str]) -> bool:
    """Digits that belong to a name, a list's title or a joke rather than to a quantity."""
    end = m.end()
    after = masked[end:]
    if re.match(r"°(?!\s?[CF]\b)", after):
        return True  # "44.11°, -66.23°": a coordinate or an angle, not a temperature
    if re.match(r"\s?(?!(?:m|b|tr)illion\b)[a-z]+illi?on\b", after, re.IGNORECASE):
        return True  # "$16 bajillion": a joke scale
    if re.match(r"\s+(?:years?|months?|weeks?|days?)\s+ago\b", after, re.IGNORECASE):
        return True  # "34 years ago today": a date
    if re.match(r"-[a-z]+\s+[a-z]*[A-Z]", after):
        return True  # "12.9-inch iPad Pro": part of a product's name
    if (m.group("unit") or m.group("mult")) and _next_word(masked, end) in VARIANT:
        return True  # "the 64GB model"
    if m.group("mult") and m.group("mult").strip().istitle() and len(
            m.group("mult").strip()) > 4 and not _sentence_start(masked, m.start()):
        return True  # "Finds 16 Billion Ways": a capitalised scale word is a title's
    if re.search(r"[“\"‘]\s*$", masked[:m.start()]) and re.match(
            r"(?:\s*[\w'’-]+){0,3}\s*[”\"’]", after):
        return True  # “16 Instagrams”: a phrase quoted as a phrase, not a count
    bare = not (m.group("cur") or m.group("mult") or m.group("unit") or m.group("plus"))
    if not bare:
        return False
    if re.match(r"\s+[A-Z][\w'’-]*\s+[A-Z][\w'’-]*", after):
        return True  # "4 Muslim Canadian Women", "831 Lombardi Street": a title or address
    number = float(m.group("num").replace(",", ""))
    following = [w.lower() for w in re.findall(r"[A-Za-z'’]+", after[:40])[:3]]
    if number < 100 and (set(following[:2]) & LISTICLE or (
            following[:2] == ["of", "the"] and set(following[2:]) & LISTICLE)):
        return True  # "14 tech bargains", "25 of the funniest posts": a list's own count
    word = (_words_before(masked, m.start(), 1) or [""])[0]
    return any(c.isupper() for c in word[1:]) and not word.isupper()  # "iOS 11", "iPad 2018"


def _sentence_start(text: str, pos: int) -> bool:
    """Does a sentence start at `pos` (so a capital there says nothing about a name)?"""
    return not text[:pos].strip() or bool(re.search(r"[.!?:\n][\"”’')]*\s*$", text[:pos]))


def find_mentions(text: str) -> list[Mention]:
    """The quantities in `text`, in order, with traps (dates, markers, handles …) left out."""
    masked = mask(text)
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for m in _ONE_IN.finditer(masked):
        # "1 in 5 nurses": a proportion, normalised to a share (20%).
        a, b = (_small(x) for x in (m.group(1) or m.group(3), m.group(2) or m.group(4)))
        if 0 < a < b:
            found.append(Mention(m.start(), m.end(), m.group(), round(a / b * 100, 4), "%"))
            taken.append((m.start(), m.end()))
    for m in _PAIR.finditer(masked):
        pair = _pair(masked, text, m)
        if pair is not None:
            found.append(pair)
        if pair is not None or m.group("joint").strip() == "for":
            taken.append((m.start(), m.end()))  # "2 for 1 deals": neither number counts
    named: set[str] = set()  # decimals that name a version somewhere in the text ("iOS 11.2")
    for m in _TOKEN.finditer(masked):
        if _is_trap(masked, m) or _named_after(masked, m):
            if "." in m.group("num"):
                named.add(m.group("num"))
            continue
        if m.group("num") in named and not (m.group("cur") or m.group("unit")):
            continue  # "what we know about 11.2 so far": the version named before
        unit = _unit_of(m.group("cur"), m.group("unit"))
        bare = not (m.group("cur") or m.group("mult") or m.group("unit"))
        if bare and re.fullmatch(r"\d+", m.group("num")):
            follow = re.match(r"-?([A-Za-z]+)", masked[m.end():].lstrip())
            told = re.search(r"[—–:]\s*$", masked[:m.start()]) and int(m.group("num")) >= 10
            if not told and (not follow or follow.group(1).lower() in STOP | MONTHS):
                # A bare small number must be followed by what it counts, unless a dash or
                # colon puts it after its noun ("their lowest score — 58 in 94 minutes").
                continue
        value = _value(m.group("num"), m.group("mult"))
        if m.group("mult") in ("m", "M") and _words_before(masked, m.start())[-1:] and \
                _words_before(masked, m.start())[-1].lower() == "magnitude":
            value, unit = float(m.group("num")), "magnitude"  # "Magnitude 5.3M": not millions
        sign = -1.0 if m.group("sign") and unit in ("C", "F", "%") else 1.0
        start = m.start() if sign < 0 else (m.start("cur") if m.group("cur") else m.start("num"))
        end = m.end("unit") if m.group("unit") else m.end()
        raw = text[start:end]
        if unit == "x" and m.group("unit").strip().lower() == "times" and not _RATIO_NEXT.match(
                masked[end:]):
            continue  # "said it 3 times" counts occurrences; only "3 times more/the" is a ratio
        if any(a <= start < b for a, b in taken):
            continue
        found.append(Mention(start, end, raw.strip(), sign * value, unit,
                             scaled=bool(m.group("mult")) and unit != "magnitude"))
    for m in _TIMES_WORD.finditer(masked):
        if _RATIO_NEXT.match(masked[m.end():]):  # "double the 5 million", "twice as many"
            found.append(Mention(m.start(), m.end(), m.group(), TIMES_WORDS[m.group().lower()],
                                 "x", word=True))
    for m in _WORD_TOKEN.finditer(masked):
        if any(a <= m.start() < b for a, b in taken):
            continue
        times = re.match(r"\s+times\b", masked[m.end():], re.IGNORECASE)
        if times and _RATIO_NEXT.match(masked[m.end() + times.end():]):
            end = m.end() + times.end()  # "three times the original budget": a ratio
            found.append(Mention(m.start(), end, text[m.start():end], _word_value(
                m.group("word"), m.group("mult")), "x", word=True))
            continue
        if m.group()[:1].isupper() and not _sentence_start(masked, m.start()):
            continue  # "the Eight Amendment", "the Big Ten": a capital mid-sentence names
        joined = re.match(r"-([A-Za-z]+)", masked[m.end():])  # "ten-point", "six-year"
        nxt = joined.group(1).lower() if joined else _next_word(masked, m.end())
        if not nxt or nxt in STOP or nxt in MONTHS or (
                not joined and re.match(r"\s*[-,.;:!?)]", masked[m.end():])):
            continue  # "seven, who…", "two of them", "one of two is": no counted noun follows
        if WORD_VALUES.get(m.group("word").lower(), 1) == 0 and not nxt.endswith("s"):
            continue  # "zero tolerance", "nil-nil": only "nul points", "zero deaths" count
        found.append(Mention(m.start(), m.end(), m.group(), _word_value(m.group("word"),
                             m.group("mult")), None, scaled=bool(m.group("mult")), word=True))
    return sorted(found, key=lambda x: x.start)


_RATIO_NEXT = re.compile(
    r"\s+(?:more|bigger|larger|higher|greater|fewer|smaller|less|lower|longer|faster|as|the"
    r"|over|average|what|that|its|their|his|her|our)\b", re.IGNORECASE)
TIMES_WORDS = {"double": 2.0, "twice": 2.0, "triple": 3.0, "treble": 3.0, "quadruple": 4.0}
_TIMES_WORD = re.compile(r"\b(?:double|twice|triple|treble|quadruple)\b", re.IGNORECASE)
# Words the summary guard reads as numbers: never part of a label.
NUMBER_WORDS = frozenset(WORD_VALUES) | frozenset(TIMES_WORDS) | frozenset(
    ("one", "thousand", "million", "billion", "times"))


def is_number_word(word: str) -> bool:
    return any(part in NUMBER_WORDS for part in re.split(r"[-\s]", word.lower()))


_SMALL = r"[0-9]{1,3}|one|two|three|four|five|six|seven|eight|nine|ten"
_ONE_IN = re.compile(
    rf"(?<![\w.,$£€])({_SMALL})\s+in\s+({_SMALL})\b(?![.,/:]\d)"
    r"|(?<![\w.,$£€])([0-9]{1,3}(?:,[0-9]{3})*)\s+(?:out\s+)?of\s+([0-9]{1,3}(?:,[0-9]{3})*)\b"
    r"(?![.,/:]\d)",
    re.IGNORECASE)


def _small(token: str) -> float:
    token = token.replace(",", "")
    return float(token) if token.isdigit() else float(
        ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"].index(
            token.lower()) + 1)


def _word_value(word: str, mult: str | None) -> float:
    parts = re.split(r"[- ]", word.lower())
    units = dict(one=1, two=2, three=3, four=4, five=5, six=6, seven=7, eight=8, nine=9)
    value = float(WORD_VALUES[parts[0]] + (units[parts[1]] if len(parts) > 1 else 0))
    return value * (MULTIPLIERS[mult.strip().lower()] if mult else 1.0)


_ANY_WORD = re.compile(
    rf"\b(?:one|{_WORDS})(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"(?:\s(?:hundred|thousand|million|billion))?\b",
    re.IGNORECASE,
)


def _idiom(text: str, start: int, end: int, word: str) -> bool:
    """Is this number word half of "one by one", "two by two", "one-on-one", "one after one"?"""
    link = r"[\s-]+(?:by|after|on|to)[\s-]+"
    return bool(re.match(rf"{link}{re.escape(word)}\b", text[end:], re.IGNORECASE)
                or re.search(rf"\b{re.escape(word)}{link}$", text[:start], re.IGNORECASE))


def scan_numbers(text: str) -> list[Mention]:
    """Every number in `text`, traps included: digits with their currency, multiplier and unit,
    proportions ("1 in 5"), ratios in words ("three times", "double") and number words. What
    the summary guard must account for, one by one, written as `find_mentions` writes them."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return not any(x < b and a < y for x, y in taken)

    for m in _ONE_IN.finditer(text):
        a, b = (_small(x) for x in (m.group(1) or m.group(3), m.group(2) or m.group(4)))
        found.append(Mention(m.start(), m.end(), m.group(), round(a / b * 100, 4) if b else 0.0,
                             "%"))
        taken.append((m.start(), m.end()))
    for m in _PAIR.finditer(text):
        if free(m.start(), m.end()):
            found.append(Mention(m.start(), m.end(), text[m.start():m.end()].strip(),
                                 float(m.group("a")), None))
            taken.append((m.start(), m.end()))
    for m in _TOKEN.finditer(text):
        if free(m.start(), m.end()):
            raw = text[m.start():m.end()]
            found.append(Mention(m.start(), m.end(), raw.strip(), _value(m.group("num"),
                                 m.group("mult")), _unit_of(m.group("cur"), m.group("unit")),
                                 scaled=bool(m.group("mult"))))
            taken.append((m.start(), m.end()))
    for m in _TIMES_WORD.finditer(text):
        found.append(Mention(m.start(), m.end(), m.group(), TIMES_WORDS[m.group().lower()], "x",
                             word=True))
        taken.append((m.start(), m.end()))
    for m in _ANY_WORD.finditer(text):
        word = m.group().lower()
        before = text[max(0, m.start() - 8):m.start()].lower()
        if not free(m.start(), m.end()) or (word == "one" and (
                re.search(r"\b(?:no|any|every|each|the|this|that)\s$", before)
                or re.match(r"\s+(?:of|another)\b", text[m.end():]))):
            continue  # "no one", "one of": a pronoun, not a quantity
        if _idiom(text, m.start(), m.end(), word):
            continue  # "one by one", "two by two", "one-on-one": a manner, not a quantity
        head, _, mult = word.rpartition(" ")
        if mult not in ("hundred", "thousand", "million", "billion"):
            head, mult = word, ""
        value = 1.0 if head == "one" else _word_value(head, mult or None)
        times = re.match(r"\s+times\b", text[m.end():], re.IGNORECASE)
        end = m.end() + times.end() if times else m.end()
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
