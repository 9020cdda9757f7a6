"""Each text of a build is read once (reading.Texts) and the readings say what the number
scanners may skip; masking word by word is masking the whole text."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import make_post
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.config import load_config
from digest.edit.figures import find_figures
from digest.edit.text import reading, tokens
from digest.edit.text.numbers import find_mentions
from digest.edit.text.reading import BREAK, Texts, read_text
from digest.edit.themes import find_theme
from digest.pipeline import decide_edition


@pytest.fixture
def masked(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often each text is masked (the first step of reading it)."""
    seen: Counter[str] = Counter()
    real = reading.mask

    def counting(text: str) -> str:
        seen[text] += 1
        return real(text)

    monkeypatch.setattr(reading, "mask", counting)
    return seen


POSTS = [
    make_post("The DDoS attack story again. 1.1m listened, 25m promised.", 1),
    make_post("Nobody believes the DDoS attack. Five engineers left.", 2),
    make_post("A DDoS attack? Really? https://t.co/abc @someone", 3),
    make_post("Servers fell over: no DDoS at all.", 4, title="Spaces down"),
]


def test_figures_and_themes_share_one_reading_per_text(masked: Counter[str]) -> None:
    texts = Texts()
    assert find_figures(POSTS, texts=texts)
    theme = find_theme(POSTS, frozenset(), texts=texts)
    assert theme is not None and theme.word == "ddos"
    assert masked and set(masked.values()) == {1}
    assert set(masked) >= {p.text for p in POSTS} | {"Spaces down"}


def test_a_build_reads_each_post_once(masked: Counter[str], tmp_path: Path) -> None:
    source = tmp_path / "posts.json"
    source.write_text(json.dumps([
        {"author": p.author, "handle": p.handle, "date": p.date, "text": p.text}
        for p in POSTS]), encoding="utf-8")
    edition = decide_edition(load_config(None), [str(source)], every_post=True)
    assert len(edition.posts) == len(POSTS) and edition.figures
    assert {masked[p.text] for p in POSTS} == {1}


def test_a_reading_holds_the_masked_words_by_clause() -> None:
    read = read_text("Call it a “free ad.” Not an interview, @handle https://x.co/a")
    assert read.words == ("Call", "it", "a", BREAK, "free", "ad", BREAK, "Not", "an",
                          "interview", BREAK, BREAK)  # the handle and link are masked
    assert not read.digits and not read.number_words
    plain = "nothing to mask here"
    assert read_text(plain).masked is plain  # one copy of a text with nothing masked


@pytest.mark.parametrize(("text", "found"), [
    ("We waited forty minutes.", ["forty"]),
    ("Twenty-one people came.", ["Twenty-one"]),
    ("Some ſix dogs barked.", ["ſix"]),  # the patterns are case-insensitive: so is the check
    ("FİVE hundred voters", ["FİVE hundred"]),
    ("It cost double the original budget.", ["double"]),
    ("often written, someone done", []),
    ("Only 5 goals.", ["5"]),
])
def test_number_words_in_any_case_are_still_read(text: str, found: list[str]) -> None:
    read = read_text(text)
    assert [m.text for m in find_mentions(text, read)] == found
    assert [m.text for m in find_mentions(text)] == found


def _whole(text: str) -> str:
    """What tokens.mask gives: the patterns run over the whole text."""
    masks = tokens.MASKS if "@" in text else tokens._NO_EMAIL
    return masks.sub(lambda m: " " * len(m.group()), text)


@settings(max_examples=300, derandomize=True, database=None)
@given(st.text(alphabet="ab.:@#/ \n-_x1é", max_size=40))
def test_masking_word_by_word_is_masking_the_whole(text: str) -> None:
    assert tokens.mask.__wrapped__(text) == _whole(text)


def test_masking_examples() -> None:
    for text in ("see https://t.co/x and www.a.org, mail me@x.org #tag @h",
                 "a.b.com/path?q=1 (https://x.com/a)", "nothing", ""):
        assert tokens.mask(text) == _whole(text)


_NUMBERY = st.text(alphabet="0123456789 ,.-$£%mkbUSD in of two Five twice ſ İ", max_size=60)


@settings(max_examples=400, derandomize=True, database=None)
@given(st.lists(st.one_of(_NUMBERY, st.sampled_from([
    "US$ 5", "-£3.5bn", "1 in 5", "20 of 30", "two-thirds", "twenty-one", "FİVE hundred",
    "double the 5m", "six times more", "2-1 win", "8–12 ft", "Rs. 40", "USD 12", " people",
])), max_size=6).map(" ".join))
def test_the_skips_never_lose_a_number(text: str) -> None:
    # The same mentions as with every pattern run over the whole text.
    everything = reading.Reading(tokens.mask(text), (), True, True, 0)
    assert find_mentions(text) == find_mentions(text, everything)
