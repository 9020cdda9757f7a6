"""The roundup reader on four more roundups written in the seed's format, each with its traps:
quoted posts, dashes and "(@someone)" inside a post, several links, Bluesky handles, emoji in
display names, "Sept 3, 2024" dates, empty list items, letters, threads, and prose that ends in
a date-like phrase."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.model import Document
from digest.read import read_sources

ROUNDUPS = Path(__file__).parents[1] / "fixtures" / "roundups"


def read(name: str) -> Document:
    (document,) = read_sources([str(ROUNDUPS / name)])
    return document


@pytest.fixture(scope="module")
def euro() -> Document:
    return read("2024-07-15-euro-final-reactions.txt")


@pytest.fixture(scope="module")
def phone() -> Document:
    return read("2024-09-10-phone-launch-reactions.txt")


@pytest.fixture(scope="module")
def budget() -> Document:
    return read("2024-10-31-budget-reactions.txt")


@pytest.fixture(scope="module")
def storm() -> Document:
    return read("2024-10-10-hurricane-milton.txt")


def test_euro_posts(euro: Document) -> None:
    assert [p.handle for p in euro.posts] == [
        "MarcaInEnglish", "tom_watts_99", "OptaJoe", "dannywalsh_tv", "sampilgrim82",
        "jonathanlee.bsky.social", "fb_history_1872", "lisab_1990"]
    assert {p.date for p in euro.posts} == {"2024-07-14"}  # "Jul 14, 2024" included
    assert euro.date == "2024-07-15" and "final" in euro.keywords
    by = {p.handle: p for p in euro.posts}
    assert by["tom_watts_99"].author.startswith("Tom Watts ⚽")
    assert by["dannywalsh_tv"].author == "Danny Walsh 📺"
    assert by["fb_history_1872"].author == "Football Historian 📚"


def test_euro_dashes_and_handles_inside_posts(euro: Document) -> None:
    by = {p.handle: p for p in euro.posts}
    # "(@ColePalmer)" and " — " inside the text do not end the post.
    assert by["tom_watts_99"].text.startswith("Huge credit to Cole Palmer (@ColePalmer) for that")
    assert "finish — 73rd minute" in by["tom_watts_99"].text
    assert by["dannywalsh_tv"].text.startswith("“It’s coming home” — we said it in 2021")
    # A post quoting another post's full attribution is still one post, by the quoter.
    quoting = by["sampilgrim82"]
    assert quoting.text.startswith("Three years ago today:\n“Football’s coming home")
    assert "— England (@England) July 11, 2021\nTonight: same result" in quoting.text
    assert quoting.date == "2024-07-14" and quoting.has_media
    assert "England" not in {p.handle for p in euro.posts}


def test_euro_links_long_post_and_prose(euro: Document) -> None:
    by = {p.handle: p for p in euro.posts}
    assert by["lisab_1990"].links == ("https://t.co/Tk1Prc3AbC", "https://t.co/Tk2Prc4AbD")
    assert len(by["fb_history_1872"].text) > 600 and by["fb_history_1872"].text.endswith(
        "Thank you, Gareth.")
    prose = [p.text for p in euro.prose]
    # "— on Sunday July 14, 2024": prose ending in a date, not a post by "on Sunday".
    assert any(t.endswith("— on Sunday July 14, 2024") for t in prose)
    assert "Ticket prices for the final reached £8,000 on resale sites, according to one fan." \
        in prose
    assert len(prose) == 7
    assert not any(t.strip().rstrip(".").isdigit() for t in prose)  # list markers dropped


def test_phone_posts(phone: Document) -> None:
    assert [p.handle for p in phone.posts] == [
        "marcusbrowntech", "techdeals_24", "priya_n_tech", "GadgetLabUK", "moneytips_uk",
        "anaruiz.bsky.social", "jordan_ng", "retrotech_2000"]
    assert {p.date for p in phone.posts} == {"2024-09-09"}  # "Sept 9", "Sep 9", "Sept. 9"
    by = {p.handle: p for p in phone.posts}
    deals = by["techdeals_24"]
    assert deals.author == "Tech_Deals_24 💸"
    assert deals.links == ("https://t.co/Sp3cS1x2Yz", "https://t.co/La5tYe4r7Q",
                           "https://t.co/Pr1c3T4b1e")
    assert deals.text.endswith("— and the price table https://t.co/Pr1c3T4b1e")
    assert by["priya_n_tech"].author == "Priya N."
    assert "(@tim_cook)" in by["priya_n_tech"].text
    assert by["anaruiz.bsky.social"].has_media and by["anaruiz.bsky.social"].text == (
        "An “AI phone” with no AI until October. Bold strategy.")


def test_phone_thread_and_quoted_attribution(phone: Document) -> None:
    by = {p.handle: p for p in phone.posts}
    thread = by["jordan_ng"].text
    assert thread.startswith("1/2 Quick thoughts") and "\n\n2/2 But I would not" in thread
    retro = by["retrotech_2000"]
    assert retro.text.startswith("They said this in 2017 too:")
    assert "— Apple (@Apple) September 12, 2017. Seven years later" in retro.text
    assert retro.date == "2024-09-09"
    assert phone.prose[-1].text.startswith("Preorders open Friday, September 13")


def test_budget_posts(budget: Document) -> None:
    assert [p.handle for p in budget.posts] == [
        "PJTheEconomist", "FSB_Voice", "resfoundation", "EdConwaySky",
        "franciscoppola.bsky.social", "diddly_squat_fan", "TorstenBell", "samokafor_",
        "The_RAC_UK"]
    assert {p.date for p in budget.posts} == {"2024-10-30"}  # "Oct 30", "30 October 2024"
    by = {p.handle: p for p in budget.posts}
    assert by["diddly_squat_fan"].author == "Clarkson’s Farm Fan 🚜"
    assert by["EdConwaySky"].text.startswith("“We have fixed the foundations” — the Chancellor")


def test_budget_letter_and_prose(budget: Document) -> None:
    letter = {p.handle: p for p in budget.posts}["samokafor_"]
    assert letter.text.startswith("Dear Chancellor,\n\nYou promised no tax rises")
    assert letter.text.endswith("Regards,\n\nA working person")
    assert letter.source.endswith(":41")
    prose = [p.text for p in budget.prose]
    assert prose[0].startswith("Rachel Reeves delivered Labour’s first Budget in 14 years")
    assert prose[-1].endswith("at 1:45pm — on Wednesday, October 30, 2024.")
    assert len(prose) == 8


def test_storm_posts(storm: Document) -> None:
    assert [p.handle for p in storm.posts] == [
        "NHC_Atlantic", "insideFPL", "JaneCastor", "JohnMoralesTV", "DrKimWood",
        "KHayhoe.bsky.social", "TB_Times", "Ginger_Zee", "Artemis_News"]
    dates = [p.date for p in storm.posts]
    assert dates.count("2024-10-10") == 3 and dates.count("2024-10-09") == 6
    by = {p.handle: p for p in storm.posts}
    assert by["insideFPL"].author == "Florida Power & Light 💡"
    assert by["DrKimWood"].author == "Dr. Kim Wood 🌀"
    assert "not a drill — this is the storm" in by["JaneCastor"].text
    assert by["Ginger_Zee"].links == ("https://t.co/Rp0rT1nG4x", "https://t.co/Rp0rT2nG5y")
    assert "listen to @NWSTampaBay." in by["Ginger_Zee"].text


def test_storm_prose_ending_in_dates_stays_prose(storm: Document) -> None:
    prose = [p.text for p in storm.prose]
    assert any(t.endswith("the National Hurricane Center said on Monday October 7, 2024")
               for t in prose)
    assert prose[-1].endswith("— and clean-up began on October 10, 2024")
    assert all(p.handle for p in storm.posts)


@pytest.mark.parametrize(("tail", "author"), [
    ("We are opening 17 cool rooms. — Mayor of London September 3, 2024", "Mayor of London"),
    ("Roads closed. — Ludwig van Beethoven Sept 3, 2024", "Ludwig van Beethoven"),
    ("Roads closed. — 🚒 Fire Service 3 September 2024", "🚒 Fire Service"),
    ("The storm moved out — and clean-up began on October 10, 2024", None),
    ("Kick-off was 8pm — on Sunday July 14, 2024", None),
    ("The statement came — Sunday July 14, 2024", None),
    ("Officials confirmed the figures — the agency said October 10, 2024", None),
])
def test_a_handleless_attribution_needs_a_name(tail: str, author: str | None) -> None:
    from digest.read.roundup import parse_roundup

    text = f"Intro prose.\n\n{tail}\n\nA post. — Someone (@someone) October 10, 2024\n"
    document = parse_roundup(text, "t.txt")
    authors = [p.author for p in document.posts if p.handle is None]
    assert authors == ([author] if author else [])
    assert len(document.posts) == (2 if author else 1)


def test_posts_pasted_without_blank_lines_between_them() -> None:
    from digest.read.roundup import parse_roundup

    text = ("Intro prose here.\n\n"
            "Post one is here. — Alice (@alice) July 14, 2024\n"
            "Post two follows. pic.twitter.com/abcdef — Bob (@bob_2) July 14, 2024\n"
            "Post three. — Carol (@carol) Jul 15, 2024\n"
            "Some prose right after.\n\n"
            "Three years ago today:\n"
            "“Coming home.” — England (@England) July 11, 2021\n"
            "Tonight: same result. — Sam (@sam) July 14, 2024\n")
    document = parse_roundup(text, "t.txt")
    assert [(p.handle, p.text, p.source) for p in document.posts[:3]] == [
        ("alice", "Post one is here.", "t.txt:3"),
        ("bob_2", "Post two follows.", "t.txt:4"),
        ("carol", "Post three.", "t.txt:5")]
    assert [p.text for p in document.prose] == ["Intro prose here.", "Some prose right after."]
    # A line that opens with a quotation mark is a post quoted inside the next one.
    assert document.posts[3].handle == "sam"
    assert document.posts[3].text.startswith("Three years ago today:\n“Coming home.” — England")
    assert len(document.posts) == 4


def test_no_break_thin_and_zero_width_spaces_from_a_web_page() -> None:
    from digest.read.roundup import parse_roundup

    text = ("Intro prose here.\n\n"
            "Post one\u00a0is here.\u00a0— Alice Smith (@alice)\u00a0July\u00a014, 2024\n\n"
            "Post two —\u2009Bob (@bob\u200b) July 14, 2024\n\n"
            "Three –\u00a0Cat 👩\u200d🚀 (@cat) 14\u202fJuly\u00a02024\n")
    posts = parse_roundup(text, "t.txt").posts
    assert [(p.handle, p.author, p.text) for p in posts] == [
        ("alice", "Alice Smith", "Post one is here."), ("bob", "Bob", "Post two"),
        ("cat", "Cat 👩\u200d🚀", "Three")]  # the emoji's zero-width joiner stays


def test_an_unsigned_letter_opens_at_its_dear_line() -> None:
    from digest.read.roundup import parse_roundup

    text = ("Intro prose here.\n\nDear Santa,\n\nAll I want is a working grid.\n\n"
            "And a pony. — Kid (@kid) Dec 1, 2024\n\n"
            "Hey, look at this:\n\nJust a post. — B (@b) Dec 1, 2024\n")
    document = parse_roundup(text, "t.txt")
    assert [p.text for p in document.posts] == [
        "Dear Santa,\n\nAll I want is a working grid.\n\nAnd a pony.", "Just a post."]
    # Without a sign-off only a "Dear …," line opens a letter: "Hey, look at this:" is prose.
    assert [p.text for p in document.prose] == ["Intro prose here.", "Hey, look at this:"]


def test_an_article_opening_with_the_word_date_has_no_header() -> None:
    from digest.read.roundup import parse_roundup

    document = parse_roundup("date night was fun.\n\nA post. — A (@a) May 1, 2024\n", "t.txt")
    assert document.date is None and document.prose[0].text == "date night was fun."


def test_election_posts() -> None:
    from digest.read import dedupe_posts

    election = read("2024-11-06-election-night-reactions.txt")
    handles = [p.handle for p in election.posts]
    assert handles == [
        "GA_Votes_2024", "ballot_box_memes", "DecisionDeskHQ", "ElectProject",
        "pol_watch@mastodon.social", "DecisionDeskHQ", "nate_s_2024", "sarahchen.bsky.social",
        None]
    by = {p.source.rsplit(":", 1)[1]: p for p in election.posts}
    # A date inside the text is the post's words; the attribution's date is the post's.
    assert by["9"].text.startswith("Polls close at 7pm ET on November 5, 2024 in most of")
    assert by["9"].date == "2024-11-05" and by["9"].author == "Georgia Votes 🍑"
    assert by["11"].text == "🗳️🗳️🗳️" and by["11"].has_media  # emoji and a picture only
    # "1. " and "2. " are the article's list, written on the post's line: not the post's words.
    assert by["13"].text.startswith("Trump wins Pennsylvania")
    assert by["15"].text.startswith("The turnout story: 64%")
    # …so the post embedded twice is one post.
    assert by["13"].id == by["22"].id and len(dedupe_posts(list(election.posts))) == 8
    assert by["17"].text.startswith("> “We will win this, and we will win it big” — Trump, last")
    assert (by["28"].author, by["28"].handle) == ("Andy Carr", None)
    assert "(cc @ExitPollNerd)" in by["26"].text
    assert [p.source.rsplit(":", 1)[1] for p in election.prose] == ["3", "5", "7", "20", "30"]


@pytest.mark.parametrize(("text", "kept"), [
    ("1. Do this. 2. Do that.", "1. Do this. 2. Do that."),  # the post's own list
    ("3) Hello", "Hello"),
    ("1.5m people came", "1.5m people came"),
    ("15. Fifteen", "Fifteen"),
])
def test_an_inline_list_marker(text: str, kept: str) -> None:
    from digest.read.roundup import parse_roundup

    (post,) = parse_roundup(f"{text} — A (@a) May 1, 2024\n", "t.txt").posts
    assert post.text == kept
