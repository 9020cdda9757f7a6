"""The summary and headline on roundups in the seed's format that nobody tuned them to:
the event sentence, the key figures side by side, the counted theme, every number traced."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.config import Config
from digest.edit.headline import main_clause, shorten_clause
from digest.edit.lead import clean_sentence, untraced_cut
from digest.edit.text.numbers import scan_numbers
from digest.edit.tracing import Numbers
from digest.model import Edition, Figure
from digest.pipeline import decide_edition

ROUNDUPS = Path(__file__).parents[1] / "fixtures" / "roundups"


def build(name: str) -> Edition:
    return decide_edition(Config(), [str(ROUNDUPS / name)])


def figure(text: str) -> Figure:
    (m,) = scan_numbers(text)
    return Figure(id=f"f-{text}", text=text, value=m.value, unit=m.unit, label="x", kind="count",
                  post="p", quote=text)


@pytest.mark.parametrize(("sentence", "known", "expected"), [
    ("Spain are European champions for a record fourth time after beating England 2-1 in "
     "Berlin, and the internet had plenty to say about it.", [],
     "Spain are European champions for a fourth time, and the internet had plenty to "
     "say about it."),
    ("Hurricane Milton made landfall near Siesta Key, Florida, on Wednesday night as a Category "
     "3 storm with winds of 120 mph, just two weeks after Hurricane Helene.", ["120 mph", "two"],
     "Hurricane Milton made landfall near Siesta Key, Florida, just two weeks after Hurricane "
     "Helene."),
    ("Rachel Reeves delivered Labour’s first Budget in 14 years on Wednesday, raising taxes by "
     "£40bn – the biggest increase since 1993.", ["£40bn"],
     "Rachel Reeves delivered Labour’s Budget, raising taxes by £40bn."),
    ("The minister resigned after 14 years, saying 30 staff had left.", [],
     "The minister resigned."),
    ("Sales rose 5% to a record.", [], ""),  # nothing of substance before the number
    ("Prices rose by £2 in May.", ["£2"], "Prices rose by £2 in May."),
    # A year that only dates a noun goes; one that a post gave stays; "since 1993" is cut.
    ("Trump has won the 2024 US presidential election, the first since 1993.", [],
     "Trump has won the US presidential election."),
    ("Trump has won the 2024 US presidential election.", ["2024"],
     "Trump has won the 2024 US presidential election."),
    # Cut at a "to" that completes its verb, the sentence would say the opposite: no cut.
    ("The record is expected to be broken twice in the next two days.", [], ""),
    # A year that ends a name goes the same way; a count after a name stays a number.
    ("The Kettle Cup 2031 ended last night in a draw.", [],
     "The Kettle Cup ended last night in a draw."),
    ("The Kettle Cup 2031 ended last night in a draw.", ["2031"],
     "The Kettle Cup 2031 ended last night in a draw."),
])
def test_a_lead_sentence_is_cut_before_a_number_no_post_gave(
        sentence: str, known: list[str], expected: str) -> None:
    numbers = Numbers([figure(k) for k in known])
    cut = untraced_cut(sentence, numbers)
    assert (clean_sentence(cut) if cut else "") == expected


def test_a_long_headline_clause_is_cut_at_a_preposition() -> None:
    clause = "Apple unveiled its new phones at the “It’s Glowtime” event in Cupertino on Monday"
    assert shorten_clause(clause) == "Apple unveiled its new phones at the “It’s Glowtime” " \
        "event in Cupertino"
    assert shorten_clause("Short enough") == "Short enough"


def traced(edition: Edition) -> set[str]:
    return {n.text for n in edition.summary_numbers}


def test_euro_final() -> None:
    edition = build("2024-07-15-euro-final-reactions.txt")
    event = edition.summary.split(". ")[0]
    # The score is the article's own figure now, so the lead keeps it and its qualifier.
    assert event == ("Spain are European champions for a record fourth time after beating "
                     "England 2-1 in Berlin, and the internet had plenty to say about it")
    assert {"2-1", "65%", "£2,400"} <= traced(edition)
    assert "“won”" not in edition.summary  # a verb every final shares is no theme


def test_phone_launch() -> None:
    edition = build("2024-09-10-phone-launch-reactions.txt")
    assert edition.summary.startswith("Apple unveiled its new phones at the “It’s Glowtime” "
                                      "event in Cupertino on Monday, with prices starting at $799")
    assert edition.title == "Apple unveiled its new phones at the “It’s Glowtime” event in " \
        "Cupertino"
    assert {"$799", "$999"} <= traced(edition)
    assert "15" not in traced(edition)  # "a 15 Pro" is a model
    assert "3 of the 8 posts mention “button”" in edition.summary


def test_budget() -> None:
    edition = build("2024-10-31-budget-reactions.txt")
    # "14 years" is the article's own figure, so the superlative keeps its qualifier.
    assert edition.summary.startswith(
        "Rachel Reeves delivered Labour’s first Budget in 14 years on Wednesday, raising taxes "
        "by £40bn.")
    assert "1993" not in edition.summary
    # A change one post states is said as a change, with its sum.
    assert "Key figures: Employers NI from 13.8% to 15% (up 1.2 points)." in edition.summary
    assert {"£40bn", "13.8%", "15%", "1.2"} <= traced(edition)
    assert edition.title.startswith("Rachel Reeves delivered Labour’s")


def test_hurricane() -> None:
    edition = build("2024-10-10-hurricane-milton.txt")
    assert edition.summary.startswith(
        "Hurricane Milton made landfall near Siesta Key, Florida")
    assert "Category" not in edition.summary.split(". ")[0]
    # Both ends of an estimate, never one alone, and never "compared" with each other.
    assert "$30 billion" not in edition.summary or "$30 billion to $60 billion" in (
        edition.summary)
    assert "times less" not in edition.summary
    assert {"120 mph", "180 mph"} <= traced(edition)
    assert edition.title == "Hurricane Milton made landfall near Siesta Key"


@pytest.mark.parametrize("name", sorted(p.name for p in ROUNDUPS.glob("*.txt")))
def test_every_roundup_summary_is_short_and_traced(name: str) -> None:
    edition = build(name)  # decide_edition runs check_trace: no untraced number gets out
    assert 2 <= edition.summary.count(". ") + 1 <= 5
    assert 10 <= len(edition.title) <= 80 and not edition.title[:1].isdigit()
    assert len(edition.preheader) <= 139


def test_election_night() -> None:
    edition = build("2024-11-06-election-night-reactions.txt")
    assert len(edition.posts) == 8  # the post embedded twice appears once
    assert edition.summary.startswith(
        "Donald Trump has won the US presidential election, beating Kamala Harris after a night "
        "in which the swing states fell one by one.")
    assert edition.title == "Donald Trump has won the US presidential election"
    assert {"270", "64%"} <= traced(edition)
    assert "times fewer" not in edition.summary  # 270 to win and one state's 19 are two things


def test_a_lead_paragraph_may_end_on_a_question(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(
        " date 2031-05-02 kettles\n\n"
        "A whistling kettle has gone viral as thousands of people copy its tune. So where did "
        "it come from?\n\n"
        "Kettles are known for their noise, and the internet has a lot to say about them.\n\n"
        "It sings in the morning #kettle\n— Ann Bee (@annbee) May 1, 2031\n", encoding="utf-8")
    edition = decide_edition(Config(), [str(page)])
    assert edition.summary.startswith("A whistling kettle has gone viral as thousands of people "
                                      "copy its tune.")


def test_the_article_s_own_headline_line_beats_names_glued_to_a_noun(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(
        " date 2031-05-02 kettles\n\n"
        "Kettle Week 2031: the loudest reactions\n\n"
        "Chancellor Ann Bee has just delivered her first kettle budget and we watched it so "
        "you didn’t have to.\n\n"
        "Ann Bee said Bee kettles are fine.\n\n"
        "It sings in the morning #kettle\n— Cal Dee (@caldee) May 1, 2031\n", encoding="utf-8")
    edition = decide_edition(Config(), [str(page)])
    assert edition.title == "Kettle Week: the loudest reactions"


@pytest.mark.parametrize(("sentence", "expected"), [
    ("KETTLEVILLE, Norland - The kettles sang all night.", "The kettles sang all night."),
    ("NEW YORK (Wire) — Kettles are back.", "Kettles are back."),
    ("Kettle Times - As kettles sang, people listened.", "As kettles sang, people listened."),
    ("Ann - the kettle maker - said no.", "Ann - the kettle maker - said no."),
])
def test_a_dateline_is_no_part_of_the_lead(sentence: str, expected: str) -> None:
    assert clean_sentence(sentence) == expected


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Despite the storms, the heat went on all week.", "The heat went on all week"),
    ("After months of waiting, the kettle sang.", "The kettle sang"),
    ("The kettle sang, and we listened.", "The kettle sang"),
])
def test_the_headline_clause_is_the_main_one(sentence: str, expected: str) -> None:
    assert main_clause(sentence) == expected


def test_the_article_s_headline_line_comes_first_and_loses_its_picture_credit(
        tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(
        " date 2031-05-02 kettles\n\n"
        "Kettle fans in tears at the results (Picture: Kettle TV)\n\n"
        "The kettle final ended on Saturday.\n\n"
        "It sings in the morning #kettle\n— Cal Dee (@caldee) May 1, 2031\n", encoding="utf-8")
    edition = decide_edition(Config(), [str(page)])
    assert edition.title == "Kettle fans in tears at the results"
