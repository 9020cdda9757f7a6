"""Highlight reasons read like an editor wrote them: whole phrases quoted, figures named."""

from __future__ import annotations

import re

from conftest import make_post

from digest.edit.figures import find_figures
from digest.edit.highlights import pick_highlights
from digest.edit.snippets import PROFANITY, figure_phrase, proper_nouns, snippet, telling
from digest.model import Figure


def words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group().lower(), m.start(), m.end())
            for m in re.finditer(r"[^\W_]+(?:['’][^\W_]+)*", text)]


def quote(text: str, rare: str) -> str:
    """The snippet when the words in `rare` are the telling ones."""
    weight = {w: (3.0 if w in rare.split() else 0.2) for w, _, _ in words(text)}
    return snippet(text, words(text), weight)


def test_a_short_clause_is_quoted_whole() -> None:
    text = ("The ferry was cancelled again. A perfect summary of the whole summer, "
            "said nobody at the port.")
    assert quote(text, "perfect summary summer") == "A perfect summary of the whole summer"


def test_never_starts_mid_word_or_mid_phrase() -> None:
    assert quote("Our 3,500-strong crew sailed 60 hours straight, see the log",
                 "strong crew sailed") == "Our 3,500-strong crew sailed 60 hours straight"
    long = ("The board said the utterly baffling decision of these anonymous committee "
            "members truly defies every known rule of sport and common sense")
    got = quote(long, "baffling anonymous committee defies")
    first = got.split()[0].lower()
    assert first in ("the", "these"), got  # a phrase opens at a determiner, not inside one
    assert got.endswith("…")  # cut inside its clause: the reader sees it goes on


def test_profanity_is_quoted_only_when_nothing_else_is_telling() -> None:
    text = "Ferry delays do not surprise me. The port is more shit-faced than a stag party."
    got = quote(text, "shit faced stag party ferry delays")
    assert not PROFANITY.search(got) and got == "Ferry delays do not surprise me"
    only = "Absolute shitshow"
    assert quote(only, "absolute shitshow") == "Absolute shitshow"


def test_inner_quotes_stay_balanced() -> None:
    text = 'Call it a “publicity stunt” or a “free advert. Not news.'
    got = quote(text, "publicity stunt free advert")
    assert got.count("“") == got.count("”") == 0
    assert got.count("‘") == got.count("’"), got


def test_a_wrapped_line_does_not_end_the_quote() -> None:
    text = "We will publish the whole report\nwithin ten days."
    assert quote(text, "publish report ten days") == (
        "We will publish the whole report within ten days")


def test_figures_named_as_a_sentence_would() -> None:
    [train] = find_figures([make_post("Trams limited to 15 mph through the centre.", 1)])
    assert figure_phrase(train, frozenset()) == "15 mph tram speed"
    [gust] = find_figures([make_post("Wind gusts of up to 80 mph hit the coast.", 2)])
    assert figure_phrase(gust, frozenset()) == "80 mph wind gusts"  # started its sentence only
    [shares] = find_figures([make_post("Acme shares closed at $12.10 on Friday.", 3)])
    names = proper_nouns(["Investors piled into Acme after the results."])
    assert figure_phrase(shares, names) == "$12.10 Acme shares"  # a name keeps its capital
    [sentence] = find_figures([make_post("He was given a 13-year sentence on appeal.", 4)])
    assert figure_phrase(sentence, frozenset()) == "13-year sentence"


def test_stated_ratios_and_numbers_in_words_do_not_pad_a_reason() -> None:
    figures = find_figures([make_post("Losses hit $3.1bn over five days, three times the $1bn "
                                      "the insurers expected.", 1)])
    assert [f.text for f in telling(figures)] == ["$3.1bn", "$1bn"]


def test_reason_names_a_promise_briefly_and_skips_padding() -> None:
    posts = [
        make_post("The mayor had promised the city 2,000 new buses by May. In the end 450 "
                  "buses arrived over three years.", 0),
        make_post("Bus stops across the north were empty again this morning.", 1),
        make_post("The new buses are nice, when they come.", 2),
    ]
    figures = find_figures(posts)
    reasons = {h.post: h.reason for h in pick_highlights(posts, figures, 3)}
    assert "2,000 promised" in reasons["p0"] and "450 buses" in reasons["p0"], reasons
    assert "three" not in reasons["p0"] and "…" not in reasons["p0"]


def test_a_time_word_is_no_theme() -> None:
    posts = [make_post(t, i) for i, t in enumerate([
        "The festival returns next year with a bigger main stage",
        "Ticket prices rose again this year for the campsite",
        "A year of planning went into the new bandstand",
        "Rain ruined the final night of the festival",
        "Headliners were announced for the summer stage",
        "Food stalls ran out of water by noon",
        "The shuttle buses from town were packed",
    ])]
    figures: list[Figure] = []
    reasons = [h.reason for h in pick_highlights(posts, figures, 7)]
    assert not any("posts on “year”" in r for r in reasons), reasons


def test_a_range_and_a_change_are_listed_as_the_post_says_them() -> None:
    from digest.edit.snippets import figure_phrases

    figures = find_figures([make_post("Insured losses: $20 billion to $45 billion. The "
                                      "allowance was cut from £9,000 to £4,500.", 1)])
    assert figure_phrases(figures, frozenset()) == [
        "$20 billion to $45 billion losses", "allowance from £9,000 to £4,500"]


def test_a_lone_name_keeps_its_capital() -> None:
    [f] = find_figures([make_post("Katrina was roughly $125 billion in 2005 money.", 1)])
    assert figure_phrase(f, frozenset()).endswith("Katrina")
    [g] = find_figures([make_post("Spending up £9bn a year.", 2)])
    assert figure_phrase(g, frozenset()) == "£9bn spending"  # a gerund is no name
    [h] = find_figures([make_post("Compensation of up to €600 per passenger.", 3)])
    assert figure_phrase(h, frozenset()) == "€600 compensation"


def test_a_verb_is_no_theme() -> None:
    posts = [make_post(t, i) for i, t in enumerate([
        "Spain won the final in Berlin with a late goal",
        "England won nothing again after a long summer",
        "The best side won, no arguments from anyone",
        "The stadium roof leaked during the anthem",
        "Ticket touts outside charged triple face value",
        "The referee had a quiet night overall",
        "Fans queued for hours at the train station",
    ])]
    reasons = [h.reason for h in pick_highlights(posts, [], 7)]
    assert not any("posts on “won”" in r for r in reasons), reasons


def test_a_small_number_twice_is_no_key_figure() -> None:
    posts = [make_post("Refunds go out within 7 days, the airline says.", 0),
             make_post("Seven hours on the tarmac with no water at all.", 1),
             make_post("Nobody at the gate knew anything about the delay.", 2)]
    reasons = [h.reason for h in pick_highlights(posts, find_figures(posts), 3)]
    assert not any("key figure" in r for r in reasons), reasons


def test_several_counts_are_reason_enough() -> None:
    posts = [make_post("The ferry brought back 41 students, 6 teachers and 12 parents tonight.", 0),
             make_post("The harbour was calm again by the evening, finally.", 1),
             make_post("Nobody has said why the engines failed in the first place.", 2)]
    reasons = {h.post: h.reason for h in pick_highlights(posts, find_figures(posts), 3)}
    assert reasons["p0"] == "Carries the figures: 41 students, 6 teachers and 12 parents"


def test_a_quote_does_not_start_after_who_or_which() -> None:
    text = ("The strikers, who were also sacked by the owners of the mine without notice last "
            "spring, marched again")
    got = quote(text, "sacked owners mine notice spring")
    assert not got.startswith(("were", "was")), got


def test_a_stray_count_does_not_pad_a_list_of_key_figures() -> None:
    posts = [make_post("Acme shares closed at $12.10, up 4.2%. Already 25 hot takes on my "
                       "feed.", 0),
             make_post("Acme shares had opened at $11.60 this morning, before the news.", 1),
             make_post("Nobody at Acme would comment on the deal last night.", 2)]
    reasons = {h.post: h.reason for h in pick_highlights(posts, find_figures(posts), 3)}
    assert reasons["p0"].startswith("Carries the key figures: $12.10 Acme shares"), reasons
    assert "hot takes" not in reasons["p0"]


def test_vague_words_and_irregular_verbs_are_no_theme() -> None:
    posts = [make_post(t, i) for i, t in enumerate([
        "Nobody at the club sold a single ticket for the friendly",
        "The owner sold the training ground and nobody noticed",
        "Fans say nobody asked them before the shirt deal was sold",
        "The pitch was waterlogged by the second half",
        "A late penalty settled it in the rain",
        "The away end sang through the whole match",
        "Parking near the ground cost a fortune again",
    ])]
    reasons = [h.reason for h in pick_highlights(posts, [], 7)]
    assert not any("posts on “nobody”" in r or "posts on “sold”" in r for r in reasons), reasons
