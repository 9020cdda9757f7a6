"""Figures: recognition, normalisation, labels and kinds; traps that must never become figures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import make_post

from digest.edit.figures import find_figures
from digest.edit.text.numbers import find_mentions, scan_numbers
from digest.edit.text.sentences import sentences
from digest.model import Figure, Post, Prose

FIXTURES = Path(__file__).parent / "fixtures"


def load_posts(name: str) -> list[Post]:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return [Post(**{"date": data.get("date", "2024-01-01"), **p}) for p in data["posts"]]


def by_text(figures: list[Figure]) -> dict[str, Figure]:
    return {f.text: f for f in figures}


def test_seed_figures_values_labels_and_kinds() -> None:
    figures = by_text(find_figures(load_posts("seed.json")))
    assert set(figures) == {"67m", "1.1m", "25m", "4.4%", "80%"}
    assert (figures["1.1m"].value, figures["1.1m"].unit) == (1_100_000, None)
    assert figures["1.1m"].label == "listening live"
    assert figures["1.1m"].kind == "measured"
    assert (figures["67m"].value, figures["67m"].label, figures["67m"].kind) == (
        67_000_000, "impressions", "metric")
    assert figures["25m"].value == 25_000_000
    assert figures["25m"].label == "promised listening live"  # one phrase, no ellipsis
    assert figures["25m"].kind == "claimed"
    share = figures["4.4%"]
    assert (share.value, share.unit, share.kind) == (4.4, "%", "share")
    assert figures["4.4%"].label == "of the target"
    assert figures["80%"].label == "of staff"  # "of a tech companies staff": the head noun
    assert figures["80%"].kind == "share"
    assert figures["25m"].quote == "Musk had promised him 25m listening live."
    assert figures["25m"].post == "p3"
    assert [f.id for f in find_figures(load_posts("seed.json"))] == ["f1", "f2", "f3", "f4", "f5"]


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("1.1m", 1_100_000, None), ("67m", 67_000_000, None), ("1.1 million", 1_100_000, None),
    ("25 million", 25_000_000, None), ("4.4%", 4.4, "%"), ("60 percent", 60, "%"),
    ("60 per cent", 60, "%"), ("£45 billion", 45e9, "GBP"), ("$44Bln", 44e9, "USD"),
    ("$1.03", 1.03, "USD"), ("£189m", 189e6, "GBP"), ("€3.5bn", 3.5e9, "EUR"),
    ("888,000", 888_000, None), ("105 mph", 105, "mph"), ("34.8C", 34.8, "C"),
    ("34.8°C", 34.8, "C"), ("-5C", -5, "C"), ("12k", 12_000, None), ("3x", 3, "x"),
])
def test_unit_forms(text: str, value: float, unit: str | None) -> None:
    mentions = find_mentions(f"The report gave {text} for the region.")
    assert [(m.text, m.unit) for m in mentions] == [(text, unit)]
    assert mentions[0].value == pytest.approx(value)


def test_counts_and_number_words() -> None:
    figures = by_text(find_figures([make_post(
        "Already 17 hot takes on my timeline. There are 39 competitors and four years of "
        "chaos ahead. Seven, who knows. One of two is happening.")]))
    assert set(figures) == {"17", "39", "four"}
    assert (figures["17"].label, figures["17"].kind, figures["17"].unit) == (
        "hot takes", "count", None)
    assert figures["39"].label == "competitors"
    assert (figures["four"].value, figures["four"].label) == (4, "years")


@pytest.mark.parametrize("text", [
    "It happened on August 13, 2024 at 10:30, not on 13/08.",
    "Back in 2024 the platform was different.",
    "Ask @u_n_l_0_c_k_e_d about it",
    "1.\n\n15.\n",
    "One of two is happening: 1) There's a bug 2) You cannot fire staff.",
    "1/4 A thread on the outage",
    "Enguerrand VII de Coucy and Louis XIV agree",
    "Everything Trump touches dies #ETTD #2024Election",
    "See https://t.co/iBi6uTBJYJ and pic.twitter.com/IdQmme0sP5 and bit.ly/3xYz12",
    "Apollo 11 and Flight 370 and COVID-19 and WW2, his 2nd try",
    "Call 07700900123 or see version 2.0.1",
])
def test_traps_are_not_figures(text: str) -> None:
    assert find_figures([make_post(text)]) == []


def test_feed_item_title_and_text() -> None:
    item = make_post("Library cuts\n\nBirmingham's new £189m library had to shed staff. Wind "
                     "gusts of up to 105 mph (170 kph) hit London.", title="Library cuts")
    figures = by_text(find_figures([item]))
    assert set(figures) == {"£189m", "105 mph"}  # 170 kph is the same gust, converted
    assert (figures["£189m"].label, figures["£189m"].kind) == ("library", "money")
    assert (figures["105 mph"].label, figures["105 mph"].kind) == ("Wind gusts", "measured")


def test_same_figure_in_title_and_text_is_one() -> None:
    item = make_post("Airlines lose 2 million suitcases a year\n\nAirlines lose 2 million "
                     "suitcases a year.", title="Airlines lose 2 million suitcases a year")
    assert [f.text for f in find_figures([item])] == ["2 million"]


def test_claim_and_metric_cues() -> None:
    figures = by_text(find_figures([make_post(
        "The clip got 12.5m views. The studio had expected 20m viewers but only 9m tuned in.")]))
    assert figures["12.5m"].kind == "metric"
    assert figures["20m"].kind == "claimed"
    assert figures["20m"].label == "expected viewers"
    assert figures["9m"].kind == "measured"


def test_sentences_keep_abbreviations_and_decimals() -> None:
    text = "U.S. airlines lose 2 million bags. Mr. Smith saw 1.1m (actually 1.2m). Done"
    spans = [text[a:b] for a, b in sentences(text)]
    assert spans == ["U.S. airlines lose 2 million bags.",
                     "Mr. Smith saw 1.1m (actually 1.2m).", "Done"]


def test_scan_numbers_sees_everything() -> None:
    found = [m.text for m in scan_numbers("On August 13, 2024, three of 21 posts said 1.1m; "
                                          "no one said one of them")]
    assert found == ["13", "2024", "three", "21", "1.1m"]


def test_own_fixture_heatwave() -> None:
    figures = find_figures(load_posts("heatwave.json"))
    texts = [f.text for f in figures]
    for expected in ("40.3C", "38.7C", "60 percent", "41C", "£45 billion", "£12bn", "1,146",
                     "888,000", "30 percent", "20 mph", "62C"):
        assert expected in texts, expected
    for trap in ("15", "12", "2022", "2019", "19", "1", "2", "4", "14", "XIV"):
        assert trap not in texts, trap
    got = by_text(figures)
    assert got["41C"].kind == "claimed"
    assert got["40.3C"].kind == "measured" and got["40.3C"].unit == "C"
    assert got["£45 billion"].unit == "GBP" and got["£45 billion"].label.startswith("promised")
    assert got["888,000"].label == "people"
    assert got["1,146"].label == "incidents"


def test_own_fixture_takeover() -> None:
    figures = by_text(find_figures(load_posts("takeover.json")))
    for expected in ("$44Bln", "$54.20", "$1.03", "17", "39", "four", "5.7%", "1 billion",
                     "238 million", "24%", "50", "12", "30%"):
        assert expected in figures, expected
    for trap in ("2022", "2025", "25", "13", "10", "3", "VII", "1"):
        assert trap not in figures, trap
    assert figures["$44Bln"].value == 44e9 and figures["$44Bln"].kind == "money"
    assert figures["1 billion"].kind == "claimed"
    assert figures["238 million"].kind == "measured"
    assert figures["17"].label == "hot takes"


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("USD 5 million", 5e6, "USD"), ("41 gigawatts", 41, "GW"), ("3 TWh", 3, "TWh"),
    ("12.5 per cent", 12.5, "%"), ("5 million euros", 5e6, "EUR"),
])
def test_more_unit_forms(text: str, value: float, unit: str | None) -> None:
    [m] = find_mentions(f"Officials said {text} on Monday.")
    assert (m.text, m.unit) == (text, unit)
    assert m.value == pytest.approx(value)


@pytest.mark.parametrize("text", [
    "Meet at 10.30 tonight", "Doors at 9pm, 3am finish",
    "Back in the 1990s and the 90s", "Q3 results and FY23 and G7", "Open 24/7 since 9/11",
])
def test_more_traps(text: str) -> None:
    assert find_figures([make_post(text)]) == []


def test_promise_after_the_number() -> None:
    figures = by_text(find_figures([make_post(
        "X said 1.3 million people tuned in at the peak, far fewer than the 25 million Musk "
        "had promised.")]))
    assert (figures["1.3 million"].label, figures["1.3 million"].kind) == (
        "people tuned in", "measured")
    assert (figures["25 million"].label, figures["25 million"].kind) == ("promised", "claimed")


def test_labels_skip_the_verb() -> None:
    figures = by_text(find_figures([make_post(
        "Your shareholders got $44Bln. Your grid fell over at 34.8C. 34.8C in September. "
        "Analysts estimate 888,000 listeners dropped off. Speeds were cut to 20 mph.")]))
    assert figures["$44Bln"].label == "to shareholders"  # money they got
    labels = [(f.text, f.label) for f in find_figures([make_post(
        "Your grid fell over at 34.8C. 34.8C in September.")])]
    assert labels == [("34.8C", "grid temperature"), ("34.8C", "temperature")]
    assert figures["888,000"].label == "listeners"
    assert figures["20 mph"].label == "Speeds"


def test_proportions_and_stated_ratios() -> None:
    figures = by_text(find_figures([make_post(
        "Only 1 in 5 nurses say they feel safe. It cost three times the original budget.")]))
    assert (figures["1 in 5"].value, figures["1 in 5"].unit) == (20, "%")
    assert figures["1 in 5"].label == "nurses"
    assert (figures["three times"].value, figures["three times"].unit) == (3, "x")
    assert "5" not in figures and "three" not in figures


def test_own_roundup_through_the_reader() -> None:
    from digest.read import read_sources

    [doc] = read_sources([str(FIXTURES / "2024-07-20-it-outage-roundup.txt")])
    figures = find_figures(list(doc.posts))
    texts = [f.text for f in figures]
    for expected in ("8.5 million", "1%", "7,000", "37%", "19,000", "97%", "88%", "$5.4bn",
                     "three times", "$1.8bn", "6", "2,000", "48"):
        assert expected in texts, expected
    for trap in ("04", "09", "05", "27", "19", "07", "291", "500", "1", "2", "3", "4", "24",
                 "2024", "VIII"):
        assert trap not in texts, trap
    got = by_text(figures)
    assert (got["97%"].kind, got["88%"].kind) == ("claimed", "share")
    assert got["88%"].label == "of sensors"
    assert got["$1.8bn"].label == "expected"  # "the analysts" say who expected it
    assert got["$5.4bn"].label == "losses"


@pytest.mark.parametrize(("text", "figure", "label"), [
    # A promise word and what is counted, contiguous: who was promised is left out.
    ("The studio promised its backers 40m viewers.", "40m", "promised viewers"),
    ("Officials had pledged us 3,000 new homes by spring.", "3,000", "pledged new homes"),
    # A long "of" phrase comes down to its head noun; a definite determiner stays.
    ("They laid off 30% of a big retail chains staff.", "30%", "of staff"),
    ("Around 30% of the company's total workforce left.", "30%", "of the workforce"),
    # "of you" counts people; the clause after says which.
    ("We are inviting 4,000 of you to join the pilot scheme.", "4,000",
     "people to join the pilot scheme"),
    # Money for a deal: what it buys, in the source's words.
    ("The club agreed to sell its stadium for £90m last night.", "£90m",
     "to sell its stadium"),
    ("The offer values the firm at $12.40 a share.", "$12.40", "a share"),
    # A number alone after a short fragment that names it.
    ("Difference? $51bn.", "$51bn", "difference"),  # a common noun, though it starts
    ("Total raised! £2.5m.", "£2.5m", "Total raised"),
    # A physical reading labelled by a thing gets the quantity; a measure word stays.
    ("Trams limited to 15 mph through the centre.", "15 mph", "tram speed"),
    ("Tracks reached 58C in the sun.", "58C", "track temperature"),
    ("Wind gusts of up to 80 mph hit the coast.", "80 mph", "Wind gusts"),
    ("Paris hit 39.5C today.", "39.5C", "Paris temperature"),
    # A share that moved says which way, and what moved.
    ("Acme shares closed at $12.10, up 4.2%.", "4.2%", "rise in Acme shares"),
    ("Water demand rose 25 percent overnight.", "25 percent", "rise in Water demand"),
    ("Exports fell by 3% in May.", "3%", "fall in Exports"),
    ("Your tenants paid 40 percent more this year.", "40 percent", "more for tenants"),
    ("The line now runs 20% fewer trains.", "20%", "fewer trains"),
    ("VAT went up from 17.5% to 20%.", "20%", "VAT"),  # a change from/to: no "rise in"
    # Money someone got goes to them.
    ("Bondholders received £3bn in the deal.", "£3bn", "to Bondholders"),
    # What a count of people did, when no noun says who they are.
    ("In the end 8,204 crossed the finish line, a record.", "8,204", "crossed the finish line"),
    ("Ratings: 5.6m watched on BBC One.", "5.6m", "watched on BBC One"),
    ("That is 600 seats gone faster than last year.", "600", "seats"),
    ("5 km done!", "5 km", "distance"),
    # The second reading of one sentence counts the same thing; so does a share that moved.
    ("Prices held at $80 in May and slipped to $74 by June.", "$74", "Prices"),
    ("Volunteers gave out 40,000 meals, up 12% on last year.", "12%", "rise in meals"),
    # Money a thing will cost: the thing's cost.
    ("Analysts estimate the strike will cost the railway £30m.", "£30m", "strike cost"),
    # A place after the thing counted says where, not what: the rent is counted.
    ("Average rent in Leeds hit £980 a month, up 7% in a year.", "£980",
     "Average rent in Leeds"),
    ("Average rent in Leeds hit £980 a month, up 7% in a year.", "7%", "rise in Average rent"),
    # What was delivered against a promise counts what was promised.
    ("The mayor pledged 3,000 new buses. She has delivered 1,200 so far.", "1,200",
     "new buses delivered"),
    ("More than 2,400 of us walked out at noon.", "2,400", "people walked out at noon"),
    ("Our landlord wants another £95 a month for the same flat.", "£95", "more a month"),
    ("A 4.5% rise in the state pension, to £230.25 a week.", "4.5%",
     "rise in the state pension"),
    ("A 2% cut in fuel duty from April.", "2%", "cut in fuel duty"),
])
def test_labels_are_short_phrases_in_the_sources_words(text: str, figure: str,
                                                       label: str) -> None:
    assert by_text(find_figures([make_post(text)]))[figure].label == label


def test_labels_never_hold_an_ellipsis_or_digits() -> None:
    texts = [
        "Musk had promised him 25m listening live.",
        "The mayor had promised the city 2,000 new buses, but 300 arrived.",
        "CrowdStrike promised 97% of sensors would be back online by Sunday.",
    ]
    for figure in find_figures([make_post(t, f"p{i}") for i, t in enumerate(texts)]):
        assert "…" not in figure.label and not re.search(r"\d", figure.label), figure


@pytest.mark.parametrize(("text", "figure", "label"), [
    # The second end of a range or change counts what the first does.
    ("The tax allowance cut from £2,300 to £1,800 this spring.", "£1,800", "tax allowance"),
    # A clause that only links ("…, to £11.44") is the amount of the clause before.
    ("A 9.7% rise in the living wage, to £11.44.", "£11.44", "living wage"),
    # What money is for, when the words before do not say it.
    ("Tickets: £45 for adults, £20 for the under-16s.", "£20", "for the under-16s"),
    ("Paid £180 for a seat behind the dugout.", "£180", "for a seat behind the dugout"),
    # "it" is what the earlier figure of the post counts.
    ("Debt was 89% of GDP in 2020. By 2029 it climbs to 97%.", "97%", "of GDP"),
    # An -ing verb after the count is not part of what is counted.
    ("The CEO spent 45 minutes explaining the new logo.", "45", "minutes"),
    ("A new levy on flats worth more than £2m.", "£2m", "flats"),
    # A preposition kept where the amount is "at" something; a quoted name after a number.
    ("$1,099 is £840 at today’s rate, so we pay a £260 “UK premium” once more.", "£840",
     "at today’s rate"),
    ("$1,099 is £840 at today’s rate, so we pay a £260 “UK premium” once more.", "£260",
     "UK premium"),
    # A range: the clause before its first end names it; the promise word right after joins it.
    ("A storm surge of 8 to 12 ft expected along the coast.", "12 ft",
     "expected storm surge"),
])
def test_labels_from_the_clause_around_ranges_changes_and_amounts(
        text: str, figure: str, label: str) -> None:
    assert by_text(find_figures([make_post(text)]))[figure].label == label


def test_a_posts_conditional_imagines_its_number() -> None:
    post = make_post("If they cut the ads, the show would be 40 minutes long. 3,000 watched.")
    assert [f.text for f in find_figures([post])] == ["3,000"]
    report = Prose("If passed, the bill would cost £5bn over a decade.", "a.txt:3")
    assert [f.text for f in find_figures([], [report])] == ["£5bn"]  # a report's projection


@pytest.mark.parametrize("text", [
    "PREDICTION: a kettle weighing 8 kg, called Steve.",
    "I bet the queue is 500 people long by noon.",
    "My guess: 40 minutes of adverts.",
])
def test_a_posts_guess_imagines_its_number(text: str) -> None:
    assert find_figures([make_post(f"{text} Then 3,000 watched.")])[-1].text == "3,000"
    assert len(find_figures([make_post(text)])) == 0


def test_a_sentence_about_the_page_itself_holds_no_figure() -> None:
    note = Prose("This article is more than 3 years old", "a.txt:2")
    assert find_figures([], [note]) == []


@pytest.mark.parametrize(("text", "number", "label"), [
    ("Fans sent 24,000 tweets per minute during the final.", "24,000", "tweets per minute"),
    ("The app now serves 500 million searches a day.", "500 million", "searches a day"),
    # A promise word that is a noun of its own ("a budget of") labels its own number only;
    # "plus" is the number's sign; a day is not what money buys.
    ("Kettleland, with a population of 60 million plus, has a budget of £8bn.", "60 million",
     "population"),
    ("The firm unveiled the Kettle Max, for $549 on Tuesday.", "$549", "Kettle Max"),
    # A label from elsewhere in the sentence is left as it was.
    ("My landlord wants £150 a month.", "£150", "landlord wants"),
])
def test_a_label_takes_the_rate_and_leaves_signs_days_and_nouns_of_their_own(
        text: str, number: str, label: str) -> None:
    assert by_text(find_figures([make_post(text)]))[number].label == label
