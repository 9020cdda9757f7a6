"""The number grammar's traps: what looks like a number but is not a quantity."""

from __future__ import annotations

import pytest

from digest.edit.text.numbers import find_mentions, scan_numbers


@pytest.mark.parametrize(("text", "expected"), [
    # A post quoting another post's attribution: its year is a date, even at a line's end.
    ("Three years ago today:\n“Coming home.” — England (@England) July 11, 2021\nTonight: same",
     ["Three"]),
    ("July 11, 2021 was the day.", []),
    ("2021 people came to the rally.", ["2021"]),
    # A bare number before a model word names a model, not a count.
    ("I would not upgrade from a 15 Pro. Wait for the 16 Plus.", []),
    ("We handed out 3 pro tips and 40 free passes.", ["3", "40"]),
    ("The A18 chip is 30 percent faster than the A16 in the iPhone 15.", ["30 percent"]),
])
def test_traps(text: str, expected: list[str]) -> None:
    assert [m.text for m in find_mentions(text)] == expected


def test_a_bare_number_after_a_capitalised_word_names_something() -> None:
    assert [m.text for m in find_mentions("Losses of $5.4bn for Fortune 500 firms.")] == ["$5.4bn"]
    assert [m.text for m in find_mentions("We saw Apollo 11 land. 12 people came.")] == ["12"]


@pytest.mark.parametrize(("text", "expected"), [
    ("The swing states fell one by one.", []),
    ("They marched in two by two, for one-on-one talks.", []),
    ("They won one game, from one to five.", ["one", "one", "five"]),
])
def test_scan_numbers_skips_idioms(text: str, expected: list[str]) -> None:
    from digest.edit.text.numbers import scan_numbers

    assert [m.text for m in scan_numbers(text)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    # scores: a dash between two small numbers after "won"/"beat" or before "victory"
    ("They won 3-0 on Saturday", [("3-0", 3.0, "score")]),
    ("a 4–2 victory at home", [("4–2", 4.0, "score")]),
    ("bowling figures of 5 for 41.", [("5 for 41", 5.0, "score")]),
    ("buy 2 for 1 tickets", []),  # an offer, not a score
    # ranges: read as the low end, in the unit after them
    ("waves of 6–9 ft tonight", [("6–9 ft", 6.0, "ft")]),
    ("between 30-40 people came", [("30-40", 30.0, None)]),
    ("Open 10-12 daily", []),
    # currencies and scales beyond £ $ €
    ("Rs 20 crore for the dam", [("Rs 20 crore", 200_000_000.0, "INR")]),
    ("a fine of CHF 300", [("CHF 300", 300.0, "CHF")]),
    ("tickets at 90 kr each", [("90 kr", 90.0, "SEK")]),
    ("₹7 lakh in cash", [("₹7 lakh", 700_000.0, "INR")]),
    # units
    ("gusts of 98kmh on the coast", [("98kmh", 98.0, "km/h")]),
    ("a galaxy 12 million light years away", [("12 million light years", 12e6, "light years")]),
    ("3,000 square feet of office", [("3,000 square feet", 3000.0, "sq ft")]),
    ("over 900+ stars on it", [("900+", 900.0, None)]),
    ("a magnitude 6.1M quake", [("6.1M", 6.1, "magnitude")]),
    # number words, zero, compounds
    ("they got nul points again", [("nul", 0.0, None)]),
    ("a six-point lead", [("six", 6.0, None)]),
    ("zero tolerance for it", []),
    ("the 21 nurses and the 5 new homes", [("21", 21.0, None), ("5", 5.0, None)]),
])
def test_grammar(text: str, expected: list[tuple[str, float, str | None]]) -> None:
    assert [(m.text, m.value, m.unit) for m in find_mentions(text)] == expected


@pytest.mark.parametrize("text", [
    "at 51.50°, -0.12° on the map",  # coordinates
    "worth $9 gazillion, apparently",  # a joke scale
    "that was 20 years ago today",  # a date
    "the 10.5-inch iPad Air",  # part of a product name
    "the 256GB model is gone",  # a variant
    "Meet 7 Remarkable Young Founders",  # a title
    "call at 221 Baker Street",  # an address
    "our 15 favourite reactions",  # a list's own count
    "20 of the best replies",  # a list's own count
    "upgrade to macOS 14 now",  # a version
    "on 27. januára or 3 mars",  # dates in other languages
    "Tech Giant Finds 40 Million Reasons To Smile",  # a title's capitalised scale word
    "whoever writes “12 Instagrams” first",  # a phrase quoted as a phrase
    "Get iOS 14.1 now. What we know about 14.1 so far",  # a version named before
    "traffic on the 405 freeway was slow",  # after "the", a singular noun: a name
])
def test_named_numbers_are_not_figures(text: str) -> None:
    assert find_mentions(text) == []


def test_scan_reads_a_score_as_one_number() -> None:
    assert [m.text for m in scan_numbers("England won 2-1 and 6 for 32.")] == ["2-1", "6 for 32"]


@pytest.mark.parametrize(("text", "expected"), [
    # A letter glued to a camel-case product's number is its name, not a temperature.
    ("The iPhone 5C costs less than a new kettle.", []),
    ("Temperatures hit 43C on Friday.", [("43C", 43.0, "C")]),
    ("Set To Hit 40C On Monday", [("40C", 40.0, "C")]),
    ("It was 101 degrees Fahrenheit and 12 degrees centigrade.",
     [("101 degrees Fahrenheit", 101.0, "F"), ("12 degrees centigrade", 12.0, "C")]),
])
def test_units_and_product_letters(text: str, expected: list[tuple[str, float, str]]) -> None:
    assert [(m.text, m.value, m.unit) for m in find_mentions(text)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    # The same quantity restated in another unit of its dimension is one figure.
    ("It reached 39.1C, or 102.4F, at noon.", ["39.1C"]),
    ("A bill of £45bn ($58bn) was passed.", ["£45bn"]),
    ("Gusts of 100mph (160km/h) hit the pier.", ["100mph"]),
    # Two quantities of one dimension that are not restatements stay two.
    ("It was 30C on Monday and 35C by Friday.", ["30C", "35C"]),
    ("Tickets cost £40 and $50 online.", ["£40", "$50"]),
])
def test_a_conversion_is_not_a_second_figure(text: str, expected: list[str]) -> None:
    assert [m.text for m in find_mentions(text)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Prices are 50-60k pesos now.", [("50-60k", 50_000.0, None)]),
    ("The upgrade costs £5-6m a year.", [("£5-6m", 5_000_000.0, "GBP")]),
    ("Some 2.5–3bn people use it.", [("2.5–3bn", 2_500_000_000.0, None)]),
])
def test_a_range_with_one_scale_reads_as_its_first_number(
        text: str, expected: list[tuple[str, float, str | None]]) -> None:
    assert [(m.text, m.value, m.unit) for m in find_mentions(text)] == expected
    # The summary guard reads it the same way, so a summary quoting it still traces.
    assert [(m.text, m.value) for m in scan_numbers(text) if m.value >= 1000] == [
        (t, v) for t, v, _ in expected]


@pytest.mark.parametrize("text", [
    "Everyone had their two cents about the launch.",
    "She was on cloud nine all week.",
])
def test_figures_of_speech_count_nothing(text: str) -> None:
    assert find_mentions(text) == []


def test_two_number_words_in_a_row_are_read_without_error() -> None:
    # Found by the fuzz run: "one one" was looked up as a compound and raised KeyError.
    assert [m.value for m in scan_numbers("ONE ONE and twenty-one")][-1] == 21
    assert scan_numbers("ONE ONE")[0].value == 1


@pytest.mark.parametrize(("text", "expected"), [
    ("A budget of Sh800 billion was read.", [("Sh800 billion", 800e9, "KES")]),
    ("Debt hit KSh3.07 trillion.", [("KSh3.07 trillion", 3.07e12, "KES")]),
    ("The plan costs ₦17 trillion.", [("₦17 trillion", 17e12, "NGN")]),
    ("Fares rose to KES 500 a trip.", [("KES 500", 500.0, "KES")]),
    # Capital codes only, and not the ones that are words or a language's versions.
    ("Show 3 kettles to the PHP 8 team.", [("3", 3.0, None)]),
])
def test_more_currencies(text: str, expected: list[tuple[str, float, str | None]]) -> None:
    assert [(m.text, m.value, m.unit) for m in find_mentions(text)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    # A span from zero is a benchmark's ("0-100 km/h in 2.9s"), not a reading; a score stays.
    ("Its 0-100 km/h time is quick.", []),
    ("They lost 0-2 on Sunday.", ["0-2"]),
    # A year after a possessive dates a noun.
    ("It is faster than its 2014 predecessor.", []),
])
def test_spans_from_zero_and_possessive_years(text: str, expected: list[str]) -> None:
    assert [m.text for m in find_mentions(text)] == expected
