"""The number grammar: how a quantity is written (digits, words, currency, scale, unit) and
what it is worth. `numbers` scans text with it; `traps` says which matches are no quantity."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from digest.edit.text import lexicon


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# The letters the case-insensitive patterns match to an ASCII one that lower() does not give
# it: "İ" and "ı" read as "i", "ſ" as "s" ("FİVE", "ſix" match the number words).
_FOLD = str.maketrans({"İ": "i", "ı": "i", "ſ": "s"})


def fold(word: str) -> str:
    """A matched word in lower case, as the patterns compared it: the key to look it up by."""
    return word.translate(_FOLD).lower()


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
# ISO codes read as a currency only in capitals and right before a number ("KES 500"); not
# "PHP" (a language's versions) or "TRY" (a word).
_CODES = ("USD", "GBP", "EUR", "AUD", "CAD", "JPY", "INR", "CHF", "SEK", "NOK", "DKK", "CNY",
          "KES", "NGN", "ZAR", "BRL", "MXN", "SGD", "NZD", "HKD", "KRW", "PKR", "BDT", "LKR",
          "IDR", "MYR", "THB", "PLN", "CZK", "HUF", "ILS", "AED", "SAR", "EGP", "GHS", "UGX",
          "TZS")
CURRENCIES = {
    "£": "GBP", "$": "USD", "us$": "USD", "€": "EUR", "¥": "JPY", "₹": "INR", "a$": "AUD",
    "c$": "CAD", "nz$": "NZD", "hk$": "HKD", "pounds": "GBP", "dollars": "USD", "euros": "EUR",
    "rs": "INR", "rs.": "INR", "rupees": "INR", "yen": "JPY", "francs": "CHF",
    # "kr" is the Swedish, Norwegian or Danish krona/krone; one article uses one of them.
    "kr": "SEK", "kr.": "SEK",
    # "Sh"/"KSh" is the Kenyan shilling (the Ugandan and Tanzanian write "USh", "TSh").
    "ksh": "KES", "sh": "KES", "ush": "UGX", "tsh": "TZS", "shillings": "KES",
    "₦": "NGN", "naira": "NGN", "₱": "PHP", "₩": "KRW", "r$": "BRL", "rand": "ZAR",
    **{code.lower(): code for code in _CODES},
}
YEAR_CUES = _set("in since by from until till of year years during early late mid before "
                 "after circa around spring summer autumn winter fall the its their his her "
                 "our my your this last next")
# A bare count right after one of these words is an identifier ("Flight 370"), not a quantity.
ID_WORDS = lexicon.words("id_words")
# A capitalised one of these right after a bare number names a model ("15 Pro"), not things.
MODEL_WORDS = _set("pro max plus ultra mini lite se air fe xl")

# ASCII digits only: other scripts' digits are not parsed as figures, and the summary guard
# refuses them outright (see FOREIGN_DIGIT).
NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)"
FOREIGN_DIGIT = re.compile(r"(?![0-9])\d")
CUR = (r"(?:US\$|NZ\$|HK\$|A\$|C\$|R\$|£|\$|€|¥|₹|₦|₱|₩"
        rf"|(?<![A-Za-z])(?-i:{'|'.join(_CODES)}|Rs\.?|kr\.?|K[Ss]h|[UT]Sh|Sh)"
        r"(?=\s?\d))")
MULT = (r"(?:\s?(?:million|billion|trillion|thousand|lakh|crore|mln|bln|mn|bn|trn)\b"
         r"|(?:bln|mn|bn|trn|tn|k|m|b)(?![a-z0-9]))")
UNIT = (r"(?:\s?%|\s?(?:percent|per\s?cent)\b|pc\b"
         r"|\s?(?:light[- ]years?|square\s(?:feet|foot|miles|metres|meters|kilometres|km)"
         r"|sq\.?\s?ft|acres|hectares|metres|meters|kilometres|kilometers|cm|mm|inches)\b"
         r"|\s?(?:mph|kph|kmph|kmh|km/h|km|kg|miles|mi|ft|feet"
         r"|tonnes|tons|lbs?|Gbps|Mbps|kbps|GB|TB|MB|TWh|GWh|MWh|kWh|GW|MW|kW|gigawatts?|megawatts?)\b|\s?°\s?[CF]\b|[CF](?![A-Za-z0-9])|\s?degrees(?:\s?(?:[CF]\b|Celsius\b|Fahrenheit\b|centigrade\b))?"
         r"|x(?![A-Za-z0-9])|\s?times\b"
         r"|\s(?:pounds|dollars|euros|rupees|yen|francs|kr|shillings|naira|rand)\b)")
TOKEN = re.compile(
    rf"(?P<sign>[-−])?(?:(?P<cur>{CUR})\s?)?(?P<num>{NUM})(?P<mult>{MULT})?"
    rf"(?P<plus>\+(?!\d))?(?P<unit>{UNIT})?",
    re.IGNORECASE,
)
WORD_ALTERNATIVES = "|".join(sorted(WORD_VALUES, key=len, reverse=True))
WORD_TOKEN = re.compile(
    rf"\b(?P<word>(?:{WORD_ALTERNATIVES})(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?)"
    r"(?P<mult>\s(?:hundred|thousand|million|billion))?\b",
    re.IGNORECASE,
)
# Two small numbers joined by a dash ("2-1", "8–12 ft") or "6 for 32": one token, read as its
# first number. Context decides whether it is a score, a range or neither (see pair).
PAIR = re.compile(
    rf"(?<![\w.,/:£$€¥₹-])(?P<a>[0-9]{{1,3}})\s?(?P<joint>[-–]|\sfor\s)\s?(?P<b>[0-9]{{1,3}})"
    rf"(?![\w.,/:]*[0-9])(?:\s?(?P<unit>(?:{UNIT[3:-1]})))?(?![A-Za-z0-9])",
    re.IGNORECASE,
)

# A range with one scale after both numbers ("£5-6m", "50-60k"): read as its first number,
# scaled ("£5m"), as a range without a scale is read.
SCALED_RANGE = re.compile(
    rf"(?<![\w.,/:£$€¥₹-])(?:(?P<cur>{CUR})\s?)?(?P<a>{NUM})\s?[-–]\s?(?:{CUR}\s?)?(?P<b>{NUM})"
    rf"(?P<mult>{MULT})(?P<unit>{UNIT})?(?![\w-])",
    re.IGNORECASE,
)

RATIO_NEXT = re.compile(
    r"\s+(?:more|bigger|larger|higher|greater|fewer|smaller|less|lower|longer|faster|as|the"
    r"|over|average|what|that|its|their|his|her|our)\b", re.IGNORECASE)
TIMES_WORDS = {"double": 2.0, "twice": 2.0, "triple": 3.0, "treble": 3.0, "quadruple": 4.0}
TIMES_WORD = re.compile(r"\b(?:double|twice|triple|treble|quadruple)\b", re.IGNORECASE)
# Words the summary guard reads as numbers: never part of a label.
NUMBER_WORDS = frozenset(WORD_VALUES) | frozenset(TIMES_WORDS) | frozenset(
    ("one", "thousand", "million", "billion", "times"))


@functools.lru_cache(maxsize=1 << 14)  # asked of every word of a label or theme, many twice
def is_number_word(word: str) -> bool:
    return any(part in NUMBER_WORDS for part in re.split(r"[-\s]", word.lower()))


SMALL = r"[0-9]{1,3}|one|two|three|four|five|six|seven|eight|nine|ten"
ONE_IN = re.compile(
    rf"(?<![\w.,$£€])({SMALL})\s+in\s+({SMALL})\b(?![.,/:]\d)"
    r"|(?<![\w.,$£€])([0-9]{1,3}(?:,[0-9]{3})*)\s+(?:out\s+)?of\s+([0-9]{1,3}(?:,[0-9]{3})*)\b"
    r"(?![.,/:]\d)",
    re.IGNORECASE)


def small_value(token: str) -> float:
    token = token.replace(",", "")
    return float(token) if token.isdigit() else float(
        ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"].index(
            fold(token)) + 1)


def word_value(word: str, mult: str | None) -> float:
    parts = re.split(r"[- ]", fold(word))
    units = dict(one=1, two=2, three=3, four=4, five=5, six=6, seven=7, eight=8, nine=9)
    first = WORD_VALUES.get(parts[0], units.get(parts[0], 0))
    # Only a tens word takes a unit after it ("twenty-one"); "one one", "ten-two" are two words.
    value = float(first + (units.get(parts[1], 0) if len(parts) > 1 and first >= 20 else 0))
    return value * (MULTIPLIERS[fold(mult.strip())] if mult else 1.0)


ANY_WORD = re.compile(
    rf"\b(?:one|{WORD_ALTERNATIVES})(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"(?:\s(?:hundred|thousand|million|billion))?\b",
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


def unit_of(cur: str | None, unit: str | None) -> str | None:
    if cur:
        return CURRENCIES[fold(cur)]
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
        return "F" if u.endswith(("f", "fahrenheit")) else "C"
    if u.startswith(("gigawatt", "megawatt")):
        return "GW" if u.startswith("giga") else "MW"
    known = {"mph", "kph", "km/h", "km", "kg", "mi", "ft", "lb"}
    canonical = {k.lower(): k for k in ("Gbps", "Mbps", "kbps", "GB", "TB", "MB", "TWh", "GWh",
                                       "MWh", "kWh", "GW", "MW", "kW")}
    return {"miles": "mi", "feet": "ft", "tons": "t", "tonnes": "t", "lbs": "lb"}.get(
        u, u if u in known else canonical.get(u, unit.strip()))


# What each unit measures: a figure restated in another unit of the same dimension right after
# it ("39.1C, or 102.4F", "£100 ($130)") is a conversion of that figure, not a second one.
_DIMENSIONS = {
    "temperature": ("C", "F"),
    "length": ("km", "mi", "m", "ft", "cm", "mm", "inches", "metres", "meters", "kilometres",
               "kilometers"),
    "mass": ("kg", "lb", "t"),
    "speed": ("mph", "km/h", "kph"),
    "area": ("sq ft", "sq m", "sq km", "sq mi", "acres", "hectares"),
    "money": tuple(sorted(set(CURRENCIES.values()))),
}
DIMENSION = {unit: name for name, units in _DIMENSIONS.items() for unit in units}
CONVERSION_GAP = re.compile(
    r"\s*(?:,\s*)?(?:or\s|\(|/|=)\s*(?:about\s|around\s|roughly\s|some\s|nearly\s|almost\s)?\s*$",
    re.IGNORECASE)


def value_of(num: str, mult: str | None) -> float:
    value = float(num.replace(",", ""))
    if mult:
        value *= MULTIPLIERS[fold(mult.strip())]
    return value


