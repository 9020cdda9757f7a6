"""The roundup reader on the seed, on our own roundups, and on malformed input."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from digest.errors import SourceError
from digest.model import Document
from digest.read import read_sources
from digest.read.roundup import parse_roundup

ROOT = Path(__file__).resolve().parents[2]
SEED = "seeds/2024-08-13-x-spaces-outage-musk-trump.txt"
HEATWAVE = "tests/fixtures/roundups/2024-09-04-heatwave-grid.txt"

SEED_HANDLES = [
    "Parody_PM", "MarkJacob16", "BestForBritain", "KamalaHQ", "sturdyAlex", "ashleyfeinberg",
    "ArtCandee", "Nash076", "jlsinc", "StephenKing", "itsJeffTiedrich", "Info_Rosalie",
    "_RichardHall", "u_n_l_0_c_k_e_d", "neilgibbons", "ingelramdecoucy", "sadlyoddisfying",
    "maddoxrules", "oneunderscore__", "RpsAgainstTrump", "JoshEakle",
]


@pytest.fixture(scope="module")
def seed() -> Document:
    # The caller's path, relative to the repository, is what names each post's source.
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        (document,) = read_sources([SEED])
    finally:
        os.chdir(cwd)
    return document


def test_seed_has_exactly_21_posts_with_every_handle_in_order(seed: Document) -> None:
    assert len(seed.posts) == 21
    assert [p.handle for p in seed.posts] == SEED_HANDLES
    assert len({p.id for p in seed.posts}) == 21


def test_seed_header(seed: Document) -> None:
    assert seed.date == "2024-08-13"
    assert seed.keywords == ("Twitter", "donald", "trump", "elon", "musk")
    assert seed.path == SEED


def test_open_letter_is_one_post_starting_at_salutation(seed: Document) -> None:
    letter = seed.posts[1]
    assert letter.author == "Mark Jacob"
    assert letter.date == "2024-08-12"
    assert letter.text.startswith("Dear mainstream media,")
    assert "Musk is not a journalist." in letter.text
    assert letter.text.endswith("Sincerely,\n\nMark")
    assert "Mark Jacob" not in letter.text
    assert letter.source == f"{SEED}:9"
    # None of the letter's paragraphs leaks into the prose.
    assert not any("journalist" in p.text or p.text.startswith("Dear") for p in seed.prose)


def test_display_names_with_parentheses_commas_and_emoji(seed: Document) -> None:
    by_handle = {p.handle: p for p in seed.posts}
    assert by_handle["ashleyfeinberg"].author == "Ashley Feinberg (ashleyfeinberg.bsky.social)"
    assert by_handle["maddoxrules"].author == "☠️Maddox☠️"
    assert by_handle["Nash076"].author == "Nash, Now With Flavor Crystals"
    assert by_handle["ingelramdecoucy"].author == "Enguerrand VII de Coucy"


def test_text_has_no_attribution_and_no_media_placeholder(seed: Document) -> None:
    for post in seed.posts:
        assert "pic.twitter.com" not in post.text
        assert "—" not in post.text or post.handle is None
        assert f"@{post.handle}" not in post.text
        assert not re.search(r"(August|Aug) \d+, 2024$", post.text)
    first = seed.posts[0]
    assert first.text == "Elon Musk interviewing Donald Trump, in case you missed it."
    assert first.has_media
    feinberg = seed.posts[5]
    assert feinberg.text == (
        "biggest fucking marks on the planet, simply incredible to behold https://t.co/iBi6uTBJYJ"
    )


def test_links_are_absolute_https_and_media_is_flagged(seed: Document) -> None:
    by_handle = {p.handle: p for p in seed.posts}
    assert by_handle["ashleyfeinberg"].links == ("https://t.co/iBi6uTBJYJ",)
    assert by_handle["ashleyfeinberg"].has_media
    assert by_handle["jlsinc"].links == ("https://t.co/w7xp8OyedC",)
    assert not by_handle["jlsinc"].has_media
    assert by_handle["maddoxrules"].links == ("https://t.co/5JjUr1V5kL",)
    assert by_handle["MarkJacob16"].links == ()
    for post in seed.posts:
        assert all(link.startswith("https://") for link in post.links)
    assert sum(p.has_media for p in seed.posts) == 10  # lines carrying pic.twitter.com


def test_prose_is_kept_and_list_markers_are_dropped(seed: Document) -> None:
    texts = [p.text for p in seed.prose]
    assert texts[0].startswith("You’ll probably be aware that Elon Musk")
    assert "His loyal followers believed him." in texts
    assert "There was a bit of top-grade sarcasm from Tim Onion." in texts
    assert texts[-1] == "To sum up …"
    assert len(texts) == 10
    assert not any(re.fullmatch(r"\d+\.", t) for t in texts)
    assert not any(re.match(r"\d+\.", p.text) for p in seed.posts)
    assert seed.prose[0].source == f"{SEED}:3"


def test_source_lines_point_at_the_post(seed: Document) -> None:
    lines = (ROOT / SEED).read_text(encoding="utf-8").split("\n")
    for post in seed.posts:
        path, line = post.source.rsplit(":", 1)
        assert path == SEED
        assert lines[int(line) - 1].startswith(post.text.split("\n")[0][:30])
    assert [p.source.rsplit(":", 1)[1] for p in seed.posts][:4] == ["7", "9", "21", "25"]


def test_the_same_post_in_two_places_has_the_same_id() -> None:
    a = parse_roundup("Hello world — A (@a) August 1, 2024\n", "one.txt").posts[0]
    b = parse_roundup(
        " date 2024-08-02 x\n\nIntro.\n\n"
        "Hello,  WORLD! pic.twitter.com/abc -- A B (@A) Aug. 1, 2024",
        "two.txt",
    ).posts[0]
    assert a.id == b.id
    assert b.has_media and not a.has_media


# --- our own roundup with other traps ------------------------------------------------------


@pytest.fixture(scope="module")
def heatwave() -> Document:
    return parse_roundup((ROOT / HEATWAVE).read_text(encoding="utf-8"), HEATWAVE)


def test_heatwave_posts(heatwave: Document) -> None:
    got = [(p.author, p.handle, p.date, p.source.rsplit(":", 1)[1]) for p in heatwave.posts]
    assert got == [
        ("Dr Hannah Cloke", "hannahcloke", "2024-09-03", "7"),
        ("Ed Miliband", "Ed_Miliband", "2024-09-03", "11"),
        ("Consumer Watch UK", "ConsumerWatchUK", "2024-09-03", "13"),
        ("Croydon Live", "CroydonLive", "2024-08-03", "29"),
        ("Grid Nerd 🔌", "gridnerd@mastodon.social", "2024-09-03", "35"),
        ("Ofgem", "ofgem.bsky.social", "2024-09-03", "43"),
        ("Cllr Jane Doe", None, "2024-09-03", "49"),
        ("LNER", "LNER", "2024-09-03", "53"),
    ]


def test_heatwave_multi_paragraph_posts(heatwave: Document) -> None:
    letter, thread = heatwave.posts[2], heatwave.posts[4]
    assert letter.text.startswith("Dear energy companies,\n\nYour customers paid 60 percent")
    assert letter.text.endswith("Yours,\n\nEveryone")
    assert thread.text.startswith("1/3 Thread on why")
    assert thread.text.endswith("every heatwave is a stress test.")
    # An attribution on its own line takes the paragraph above it, not the prose before that.
    lner = heatwave.posts[7]
    assert lner.text == (
        "Trains limited to 105 mph on the East Coast Main Line until further notice."
    )
    assert "Transport was hit too." in [p.text for p in heatwave.prose]


def test_heatwave_links_and_line_breaks(heatwave: Document) -> None:
    assert heatwave.posts[0].links == ("https://t.co/Ab12Cd34Ef",)
    assert heatwave.posts[0].has_media
    ofgem = heatwave.posts[5]
    assert ofgem.links == ("https://www.ofgem.gov.uk/review",)
    assert ofgem.text.startswith("We will publish our findings\nwithin 39 days.")


def test_heatwave_prose_that_ends_in_a_date_is_not_a_post(heatwave: Document) -> None:
    prose = [p.text for p in heatwave.prose]
    assert any(t.startswith("A spokesperson pointed readers") for t in prose)
    assert any(t.endswith("Press Association, September 3, 2024") for t in prose)
    assert not any(t in {"1)", "2)", "a.", "•"} for t in prose)


def test_windows_line_endings_and_bom(tmp_path: Path) -> None:
    text = (ROOT / SEED).read_text(encoding="utf-8")
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    (crlf,) = read_sources([str(path)])
    (plain,) = read_sources([str(ROOT / SEED)])
    assert crlf.date == "2024-08-13"
    assert [(p.id, p.text, p.source.rsplit(":", 1)[1]) for p in crlf.posts] == [
        (p.id, p.text, p.source.rsplit(":", 1)[1]) for p in plain.posts
    ]


def test_no_header_is_allowed() -> None:
    doc = parse_roundup("Some prose.\n\nA post. — Someone (@someone) 13 Aug 2024\n", "x.txt")
    assert doc.date is None
    assert doc.posts[0].date == "2024-08-13"
    assert doc.posts[0].source == "x.txt:3"


# --- errors --------------------------------------------------------------------------------


def _error(tmp_path: Path, name: str, data: bytes | None) -> str:
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(SourceError) as info:
        read_sources([str(path)])
    message = str(info.value)
    assert "\n" not in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    assert _error(tmp_path, "nope.txt", None) == f"{tmp_path}/nope.txt: no such file or folder"


def test_empty_file(tmp_path: Path) -> None:
    assert _error(tmp_path, "empty.txt", b"  \n\n") == f"{tmp_path}/empty.txt: empty file"
    assert _error(tmp_path, "bom.txt", b"\xef\xbb\xbf\r\n").endswith("bom.txt: empty file")


def test_undecodable_file_names_the_line(tmp_path: Path) -> None:
    message = _error(tmp_path, "latin1.txt", " date 2024-08-13 x\n\nCaf\xe9\n".encode("latin-1"))
    assert message.startswith(f"{tmp_path}/latin1.txt:3: not UTF-8")


def test_file_without_posts_is_its_prose_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "prose.txt"
    path.write_bytes(b" date 2024-08-13 x\n\nJust prose.\n")
    (document,) = read_sources([str(path)])
    assert document.posts == () and [p.text for p in document.prose] == ["Just prose."]
    assert document.warnings == (
        f"{path}: no embedded posts found; the edition is built from the article's prose",)


def test_a_header_with_nothing_under_it_is_an_error(tmp_path: Path) -> None:
    message = _error(tmp_path, "header.txt", b" date 2024-08-13 x\n\n\n")
    assert message == f"{tmp_path}/header.txt:1: no text after the header"


def test_malformed_header_date(tmp_path: Path) -> None:
    data = " date 2024-13-45 x\n\nA post. — A (@a) August 1, 2024\n".encode()
    message = _error(tmp_path, "bad-date.txt", data)
    assert message.startswith(f"{tmp_path}/bad-date.txt:1: header date must be YYYY-MM-DD")


def test_impossible_byline_date_is_a_warning_and_the_rest_is_read() -> None:
    text = (" date 2024-08-13 x\n\nHi.\n\nA post. — A (@a) February 30, 2024\n\n"
            "B. — B (@b) Aug 1, 2024\n")
    document = parse_roundup(text, "feb30.txt")
    assert [(p.handle, p.date) for p in document.posts] == [
        ("a", "2024-08-13"), ("b", "2024-08-01")]
    assert document.warnings == ("feb30.txt:5: byline impossible date ('February 30, 2024'); "
                                 "the post takes the page's date, 2024-08-13",)


# --- a second roundup: lead-ins ending in commas, signatures, threads, en dashes -----------

MEMO = "tests/fixtures/roundups/2024-10-02-ceo-memo-reactions.txt"


@pytest.fixture(scope="module")
def memo() -> Document:
    return parse_roundup((ROOT / MEMO).read_text(encoding="utf-8"), MEMO)


def test_memo_posts(memo: Document) -> None:
    got = [(p.handle, p.date, p.source.rsplit(":", 1)[1]) for p in memo.posts]
    assert got == [
        ("priyan", "2024-10-01", "8"),
        ("lindacarter_ceo", "2024-10-01", "12"),
        ("officefan", "2024-10-01", "24"),
        ("burnacct", "2024-10-01", "28"),
        ("hrwatch", "2024-10-01", "32"),
        ("leaksbot", "2024-10-01", "36"),
        ("labourrep", "2024-10-01", "38"),
        ("ghost", "2024-10-01", "46"),
    ]
    assert memo.posts[0].author == "Priya Natarajan (she/her) 🏳️\u200d🌈"


def test_memo_lead_ins_stay_prose(memo: Document) -> None:
    prose = [p.text for p in memo.prose]
    assert "As one former employee put it, with some restraint," in prose
    assert "The memo itself read like this." in prose
    assert "To be fair," in prose  # short and ending in a comma, but above a whole sentence
    assert memo.posts[0].text.startswith("Five days a week")
    assert memo.posts[2].text == "some staff welcomed it."
    # Hard-wrapped prose reads as one line.
    assert prose[0].startswith("The chief executive's memo leaked on Tuesday morning")
    assert "to be in the office five days" in prose[0]


def test_memo_signed_letter_and_thread(memo: Document) -> None:
    letter = memo.posts[1]
    assert letter.text.startswith("Hi everyone,\n\nI know today's news is hard.")
    assert letter.text.endswith("Thanks,\n\nLinda")
    thread = memo.posts[6]
    assert thread.text.startswith("(1/2) Some context")
    assert thread.text.endswith("(2/2) The last round, in 2023, was 800 roles.")


def test_memo_dashes_dates_and_media(memo: Document) -> None:
    by_handle = {p.handle: p for p in memo.posts}
    assert by_handle["burnacct"].text == "🔥🔥🔥" and by_handle["burnacct"].has_media
    assert by_handle["hrwatch"].text.startswith("It's down — again.")
    assert by_handle["leaksbot"].text == "The memo is dated October 1, 2024 and went out at 9am"
    # A bare byline under a list marker is an embed whose text was lost: a post with none.
    assert by_handle["ghost"].text == "" and by_handle["ghost"].author == "Ghost Account"
    assert all("Ghost" not in p.text for p in memo.prose)
    assert all(p.text not in {"i.", "iv.", "v.", "•"} for p in memo.prose)
    assert memo.prose[-1].text == "Shares rose 3.2% by the close."


def test_signoff_without_salutation_takes_only_the_signoff() -> None:
    text = ("Intro prose here.\n\nMusk is not a journalist.\n\nBest,\n\n"
            "Mark — Mark Jacob (@MarkJacob16) August 12, 2024\n")
    doc = parse_roundup(text, "x.txt")
    assert doc.posts[0].text == "Best,\n\nMark"
    assert doc.posts[0].source == "x.txt:5"
    assert [p.text for p in doc.prose] == ["Intro prose here.", "Musk is not a journalist."]


def test_handleless_attribution_needs_a_short_name() -> None:
    text = ("Some post text. — Jane Doe Sept. 3, 2024\n\n"
            "He said it would all be fine, and then it was not, as everyone saw on "
            "— the whole internet watched it unfold live Sept. 3, 2024\n")
    doc = parse_roundup(text, "x.txt")
    assert [(p.author, p.handle) for p in doc.posts] == [("Jane Doe", None)]
    assert len(doc.prose) == 1


def test_names_ending_in_on_and_words_made_of_roman_numerals() -> None:
    doc = parse_roundup(
        "Hi there. — Leon August 1, 2024\n\nCivil.\n\nxiv.\n\n(3)\n\n"
        "Hey — Leon (@leon) on Aug 2, 2024\n", "x.txt")
    assert [(p.author, p.handle, p.date) for p in doc.posts] == [
        ("Leon", None, "2024-08-01"), ("Leon", "leon", "2024-08-02")
    ]
    assert [p.text for p in doc.prose] == ["Civil."]
