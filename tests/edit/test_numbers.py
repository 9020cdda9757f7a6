"""The number grammar's traps: what looks like a number but is not a quantity."""

from __future__ import annotations

import pytest

from digest.edit.numbers import find_mentions


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
    from digest.edit.numbers import scan_numbers

    assert [m.text for m in scan_numbers(text)] == expected
