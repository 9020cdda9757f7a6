"""Comparisons: related figures only, the derived number with its sum, stated numbers checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_post

from digest.edit.comparisons import compare
from digest.edit.figures import find_figures
from digest.edit.pairing import label_words
from digest.model import Comparison, Figure, Post

FIXTURES = Path(__file__).parent / "fixtures"


def load_posts(name: str) -> list[Post]:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return [Post(**{"date": data.get("date", "2024-01-01"), **p}) for p in data["posts"]]


def run(posts: list[Post]) -> tuple[dict[str, Figure], list[Comparison]]:
    figures = find_figures(posts)
    return {f.id: f for f in figures}, compare(figures, posts)


def texts(figures: dict[str, Figure], c: Comparison) -> tuple[str, ...]:
    return tuple(figures[i].text for i in c.figures)


def test_seed_share_verified_and_ratio() -> None:
    figures, comparisons = run(load_posts("seed.json"))
    assert len(comparisons) == 2
    share, ratio = comparisons
    assert texts(figures, share) == ("1.1m", "25m")
    assert share.operation == "share"
    assert share.result == pytest.approx(4.4)
    assert share.formula == "1,100,000 / 25,000,000 = 4.4%"
    assert share.text == "1.1m listening live is 4.4% of the 25m promised"
    assert share.verified is True
    assert figures[share.stated or ""].text == "4.4%"
    assert texts(figures, ratio) == ("67m", "1.1m")
    assert ratio.operation == "ratio"
    assert ratio.result == pytest.approx(60.909, abs=0.001)
    assert ratio.formula == "67,000,000 / 1,100,000 = 60.9"
    assert "about 61 times" in ratio.text
    assert ratio.verified is None


def test_promise_is_not_compared_with_a_platform_counter() -> None:
    # 67m impressions and the 25m promised listeners count different things.
    figures, comparisons = run(load_posts("seed.json"))
    pairs = {texts(figures, c) for c in comparisons}
    assert ("67m", "25m") not in pairs and ("25m", "67m") not in pairs
    assert all("80%" not in texts(figures, c) for c in comparisons)


def test_stated_share_mismatch_is_flagged() -> None:
    figures, comparisons = run([make_post("Musk pledged 50 new features in a year; 12 shipped, "
                                          "which is 30% of the pledge.")])
    [c] = comparisons
    assert texts(figures, c) == ("12", "50")
    assert c.result == pytest.approx(24)
    assert c.verified is False
    assert figures[c.stated or ""].text == "30%"
    assert "the post says 30%" in c.text and "24%" in c.text


def test_stated_share_within_rounding_is_verified() -> None:
    _, comparisons = run([make_post("They promised 1 billion users. They actually have 238 "
                                    "million daily users. That's 24% of the target.")])
    [c] = comparisons
    assert c.result == pytest.approx(23.8)
    assert c.verified is True  # 24% states the sum to 0 decimals


def test_stated_ratio_checked() -> None:
    figures, comparisons = run([make_post(
        "The trailer drew 12m views but only 1.5m people watched live, 8 times the audience.")])
    [c] = [c for c in comparisons if c.operation == "ratio"]
    assert texts(figures, c) == ("12m", "1.5m")
    assert c.verified is True and figures[c.stated or ""].text == "8 times"


def test_stated_ratio_mismatch() -> None:
    _, comparisons = run([make_post(
        "The trailer drew 12m views but only 1.5m people watched live, 5 times the audience.")])
    [c] = [c for c in comparisons if c.operation == "ratio"]
    assert c.verified is False


def test_unrelated_counts_are_not_compared() -> None:
    _, comparisons = run([make_post("Hamas released 13 Israelis and 11 Thai and Filipino workers."),
                          make_post("Israel has freed 39 Palestinian prisoners.", "p2")])
    assert comparisons == []


def test_same_label_across_posts_and_temperature_difference() -> None:
    figures, comparisons = run(load_posts("heatwave.json"))
    by = {texts(figures, c): c for c in comparisons}
    diff = by[("40.3C", "38.7C")]
    assert diff.operation == "difference"
    assert diff.result == pytest.approx(1.6)
    assert diff.formula == "40.3 - 38.7 = 1.6"
    assert "1.6C" in diff.text
    money = by[("£12bn", "£45 billion")]
    assert money.operation == "share" and money.formula.endswith("= 26.7%")


def test_label_words_ignore_promise_words_and_stem() -> None:
    a = Figure("f1", "25m", 25e6, None, "promised … listening live", "claimed", "p", "q")
    b = Figure("f2", "1.1m", 1.1e6, None, "live listeners", "measured", "p", "q")
    assert label_words(a) & label_words(b) == {"listen", "live"}


def test_bounded_on_large_inputs() -> None:
    # 2,000 posts with a figure each and one shared label word: the word is too common to
    # pair on, so no all-pairs blow-up, and the output stays capped.
    posts = [make_post(f"We counted {100 + i} visitors today.", f"p{i}") for i in range(2000)]
    figures = find_figures(posts)
    assert len(figures) == 2000
    assert len(compare(figures, posts)) <= 20


def test_ratio_stated_in_the_sentence_relates_its_neighbours() -> None:
    figures, comparisons = run([make_post(
        "The new stadium cost £1.2bn, three times the original budget of £400m. "
        "The average house price is £285,000, about 8.3 times average earnings of £34,500.")])
    by = {texts(figures, c): c for c in comparisons}
    budget = by[("£1.2bn", "£400m")]
    assert (budget.operation, budget.verified) == ("ratio", True)
    assert figures[budget.stated or ""].text == "three times"
    earnings = by[("£285,000", "£34,500")]
    assert earnings.formula == "285,000 / 34,500 = 8.26"
    assert earnings.verified is True  # 8.26 is 8.3 to the one decimal the post gave


def test_units_convert_before_comparing() -> None:
    figures, comparisons = run([make_post("Download speed was 940 Mbps vs the 1Gbps promised.")])
    [c] = comparisons
    assert texts(figures, c) == ("940 Mbps", "1Gbps")
    assert c.formula == "940 / 1,000 = 94%"


def test_shares_of_one_thing_in_a_sentence() -> None:
    figures, comparisons = run([make_post("Inflation fell to 2.3% in April, from 3.2% in March.")])
    assert [f.label for f in figures.values()] == ["Inflation", "Inflation"]
    [c] = comparisons
    assert c.operation == "difference" and c.formula == "3.2 - 2.3 = 0.9"
    assert "0.9 points" in c.text


def test_vague_labels_do_not_relate_posts() -> None:
    _, comparisons = run([make_post("I waited 48 hours for a reply."),
                          make_post("The outage lasted 3 hours.", "p2")])
    assert comparisons == []


def test_outcome_named_when_labels_differ() -> None:
    _, comparisons = run([make_post("Musk pledged 50 new features in a year; 12 shipped, which "
                                    "is 30% of the pledge.")])
    assert comparisons[0].text.startswith("12 new features shipped is 24% of the 50 pledged")


def test_promise_after_the_number_relates_to_the_outcome() -> None:
    figures, comparisons = run([make_post(
        "Tesla delivered 466,140 vehicles in Q2, beating the 438,000 analysts expected.")])
    [c] = comparisons
    assert texts(figures, c) == ("466,140", "438,000")
    assert c.text == "466,140 vehicles is 106% of the 438,000 expected"


def test_double_is_a_stated_ratio_and_picks_its_pair() -> None:
    figures, comparisons = run([make_post(
        "Downloads hit 10 million in 5 days, double the 5 million the studio hoped for.")])
    [c] = comparisons
    assert texts(figures, c) == ("10 million", "5 million")  # not "5 days"
    assert c.verified is True and figures[c.stated or ""].text == "double"


def test_price_per_month_keeps_its_label() -> None:
    figures, comparisons = run([make_post("Ticket prices: £9.99/month, up from £7.99.")])
    assert [f.label for f in figures.values()] == ["Ticket prices", "Ticket prices"]
    assert comparisons[0].formula == "9.99 - 7.99 = 2"
    assert "£2.00 above" in comparisons[0].text


def test_a_thing_measured_is_not_compared_with_the_air_temperature() -> None:
    # "rail temperature" and "temperature" share only the unit's quantity word: unrelated.
    figures, comparisons = run([
        make_post("The thermometer at Heathrow read a temperature of 37.2C."),
        make_post("Speeds were cut because rails reached 59C in the sun.", "p2"),
        make_post("Forecasters had predicted 38C for London.", "p3"),
    ])
    pairs = {texts(figures, c) for c in comparisons}
    assert all("59C" not in pair for pair in pairs), pairs
    assert ("37.2C", "38C") in pairs or ("38C", "37.2C") in pairs  # the forecast and reading


def test_one_reading_reported_twice_is_compared_once() -> None:
    _, comparisons = run([
        make_post("A temperature of 37.2C was recorded at Heathrow."),
        make_post("Forecasters had predicted 38C. In the end, temperatures hit 37.2C.", "p2"),
    ])
    assert len([c for c in comparisons if "38C" in c.text]) == 1


def test_the_two_ends_of_a_range_are_not_compared() -> None:
    _, comparisons = run([make_post("Early insured loss estimates: $20 billion to $45 billion.")])
    assert comparisons == []


def test_a_stated_change_is_a_difference_from_old_to_new() -> None:
    figures, comparisons = run([make_post(
        "The allowance was cut from £9,000 to £4,500, and VAT rose from 17.5% to 20%.")])
    by = {texts(figures, c): c for c in comparisons}
    money = by[("£4,500", "£9,000")]
    assert money.operation == "difference" and money.result == pytest.approx(-4500)
    assert "£4,500 below" in money.text
    vat = by[("20%", "17.5%")]
    assert vat.operation == "difference" and "2.5 points above" in vat.text


def test_a_share_the_post_states_relates_its_own_numbers() -> None:
    # The labels share no word, but the post says one is 94% of the other: that is the pair.
    figures, comparisons = run([make_post(
        "Organisers expected 12,000 riders. In the end 11,280 crossed the line, about 94% of "
        "the field.")])
    [c] = [c for c in comparisons if c.operation == "share"]
    assert texts(figures, c) == ("11,280", "12,000")
    assert c.verified is True and figures[c.stated or ""].text == "94%"
    assert c.text == "11,280 crossed the line is 94% of the 12,000 expected"


def test_an_unrelated_share_in_the_post_relates_nothing() -> None:
    _, comparisons = run([make_post(
        "Organisers expected 12,000 riders. In the end 11,280 crossed the line; 40% of them "
        "were first-timers.")])
    assert all(c.operation != "share" for c in comparisons)


def test_an_outcome_told_by_its_verb_meets_the_promise() -> None:
    figures, comparisons = run([make_post(
        "The council pledged 4,000 new homes by 2026. It has built 1,500 so far.")])
    [c] = comparisons
    assert texts(figures, c) == ("1,500", "4,000")
    assert c.text == "1,500 new homes built is 38% of the 4,000 pledged"


def test_two_rises_of_different_things_are_not_compared() -> None:
    _, comparisons = run([make_post("Crime rose 6% last year."),
                          make_post("Ticket sales rose 12% over the summer.", "p2")])
    assert comparisons == []


def test_posts_of_different_sources_or_feed_items_are_not_related() -> None:
    posts = [make_post("Over 888,000 homes were cut off overnight.", "p1", source="power.txt:3"),
             make_post("The council pledged 5,000 new homes by 2026.", "p2",
                       source="housing.txt:3"),
             make_post("Storm recovery needs 10,000 workers.", "p3", source="feed.xml:1",
                       title="Storm"),
             make_post("The strike involved 2,500 workers.", "p4", source="feed.xml:9",
                       title="Strike")]
    figures = find_figures(posts)
    assert compare(figures, posts) == []
    # One roundup tells one story: its posts' readings of one thing do meet.
    story = [make_post("Forecasters had predicted 38C for London.", "p5", source="heat.txt:3"),
             make_post("In the end, temperatures hit 37.2C in London.", "p6",
                       source="heat.txt:7")]
    assert len(compare(find_figures(story), story)) == 1


def test_a_rise_is_not_compared_with_a_share() -> None:
    _, comparisons = run([make_post("Average rent in Leeds rose 9% in a year."),
                          make_post("1 in 4 renters now spend half their income on rent.", "p2")])
    assert comparisons == []


def test_two_tallies_of_one_noun_in_two_sentences_are_not_compared() -> None:
    posts = [make_post("City scored 15 goals in the group. Their rivals managed six goals.")]
    assert compare(find_figures(posts), posts) == []


def test_a_promise_and_its_outcome_of_one_noun_are_compared() -> None:
    posts = [make_post("The council pledged 5,000 homes. It has built 1,800 homes.")]
    [c] = compare(find_figures(posts), posts)
    assert c.operation == "share" and c.formula == "1,800 / 5,000 = 36%"
