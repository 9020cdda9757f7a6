"""The summary: event, key figures, counted theme; every number traced; check_trace refuses."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from digest.edit.comparisons import compare
from digest.edit.figures import find_figures
from digest.edit.summary import check_trace, write_summary
from digest.edit.text.numbers import scan_numbers
from digest.errors import TraceError
from digest.model import Document, Edition, Highlight, Post, Prose, Summary

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> Document:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    posts = tuple(Post(**{"date": data.get("date", "2024-01-01"), **p}) for p in data["posts"])
    prose = tuple(Prose(t, f"{name}:{i}") for i, t in enumerate(data.get("prose", ())))
    return Document(path=name, date=data.get("date"), keywords=tuple(data.get("keywords", ())),
                    title=data.get("title"), prose=prose, posts=posts)


def summarise(*docs: Document) -> tuple[Summary, Edition]:
    posts = [p for d in docs for p in d.posts]
    figures = find_figures(posts)
    comparisons = compare(figures, posts)
    highlights = [Highlight(p.id, "test") for p in posts[:8]]
    summary = write_summary(list(docs), posts, figures, comparisons, highlights)
    edition = Edition(
        edition="2024-08-13", date="2024-08-13", title=summary.headline, subject="s",
        preheader=summary.preheader, summary=summary.text, posts=tuple(posts), highlights=(),
        figures=tuple(figures), comparisons=tuple(comparisons), summary_numbers=summary.numbers)
    return summary, edition


def sentence_count(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", text))


def test_seed_summary_quotes_the_key_figures() -> None:
    summary, edition = summarise(load("seed.json"))
    assert "1.1m" in summary.text and "67m" in summary.text and "25m" in summary.text
    assert "4.4%" in summary.text
    assert summary.text.startswith("Elon Musk and Donald Trump had a livestream chat")
    assert "1.1m listening live, against the 25m promised (4.4% of the target)" in summary.text
    assert "the 67m impressions (about 61 times as many)" in summary.text
    assert "9 of the 21 posts dispute the “DDOS attack” claim." in summary.text
    assert 2 <= sentence_count(summary.text) <= 4
    check_trace(edition)


def test_seed_summary_numbers_map_every_number() -> None:
    summary, _ = summarise(load("seed.json"))
    mapped = {n.text: n for n in summary.numbers}
    assert {m.text for m in scan_numbers(summary.text)} == set(mapped)
    assert mapped["1.1m"].source == "figure"
    assert mapped["4.4%"].source == "comparison" and mapped["4.4%"].ref == "c0"
    assert mapped["4.4%"].detail == "1,100,000 / 25,000,000 = 4.4%"
    assert mapped["61 times"].source == "comparison"
    assert mapped["9"].source == "count" and len(mapped["9"].detail.split()) == 9
    assert mapped["21"].source == "count" and len(mapped["21"].detail.split()) == 21


def test_seed_headline_and_preheader() -> None:
    summary, _ = summarise(load("seed.json"))
    assert "Musk" in summary.headline and "Trump" in summary.headline
    assert "DDOS attack" in summary.headline
    assert not re.search(r"\d", summary.headline)
    assert 0 < len(summary.preheader) < 140
    assert "1.1m" in summary.preheader


@pytest.mark.parametrize("doctor", [
    lambda s: s.replace("1.1m", "1.2m"),           # a figure nobody wrote
    lambda s: s.replace("4.4%", "5.4%"),           # a derived number that is wrong
    lambda s: s.replace("9 of the 21", "10 of the 21"),  # a count that does not add up
    lambda s: s + " Some three posts agree.",      # a number word
    lambda s: s + " It began on August 13, 2024.",  # a date is still a number to trace
])
def test_check_trace_refuses_a_doctored_summary(doctor: object) -> None:
    _, edition = summarise(load("seed.json"))
    assert callable(doctor)
    bad = dataclasses.replace(edition, summary=doctor(edition.summary))
    with pytest.raises(TraceError, match=r"summary number '.+' traces to no figure"):
        check_trace(bad)


def test_check_trace_names_the_number() -> None:
    _, edition = summarise(load("seed.json"))
    bad = dataclasses.replace(edition, summary=edition.summary + " Also 42 dragons.")
    with pytest.raises(TraceError) as err:
        check_trace(bad)
    assert "'42'" in str(err.value)
    assert err.value.exit_code == 2


def test_check_trace_refuses_a_mapping_that_points_nowhere() -> None:
    _, edition = summarise(load("seed.json"))
    wrong = tuple(dataclasses.replace(n, ref="f99") if n.source == "figure" else n
                  for n in edition.summary_numbers)
    with pytest.raises(TraceError):
        check_trace(dataclasses.replace(edition, summary_numbers=wrong))


def test_heatwave_summary_traces_the_prose_number_to_a_post() -> None:
    summary, edition = summarise(load("heatwave.json"))
    # The lead prose says 40.3C; a post says it too, so the sentence may be used.
    assert summary.text.startswith("Britain sweltered through its hottest day on record")
    assert "£12bn spent, against the £45 billion promised (27% of the target)" in summary.text
    assert "4 of the 12 posts mention “climate change”." in summary.text
    assert summary.headline == "Britain sweltered through its hottest day on record on Tuesday"
    check_trace(edition)


def test_prose_with_untraceable_number_is_not_used() -> None:
    doc = load("heatwave.json")
    early = Prose("In 1976 it was 35.9C in Cheltenham, they say.", "x:1")
    doc = dataclasses.replace(doc, prose=(early, *doc.prose))
    summary, edition = summarise(doc)
    assert "1976" not in summary.text and "35.9C" not in summary.text
    check_trace(edition)


def test_takeover_summary_reports_the_mismatch() -> None:
    summary, edition = summarise(load("takeover.json"))
    assert "238 million daily users, against the 1 billion promised (24% of the target)" in (
        summary.text)
    assert "4 of the 10 posts dispute the “bots” claim." in summary.text
    assert "30% of the pledge does not add up: 12 / 50 = 24%." in summary.text
    assert sentence_count(summary.text) <= 4
    check_trace(edition)


def test_feed_without_prose_leads_with_top_item() -> None:
    items = tuple(Post(id=f"i{i}", author="BBC", handle=None, date="2016-03-28", text=t,
                       title=t.split(".")[0]) for i, t in enumerate([
        "Library cuts. Birmingham's new £189m library had to shed staff.",
        "Storm Katie. Wind gusts of up to 105 mph (170 kph) hit London.",
        "Quiet day. Nothing much happened in 2016.",
    ]))
    doc = Document(path="feed.xml", date="2016-03-28", title="BBC News", posts=items)
    summary, edition = summarise(doc)
    assert summary.text.startswith("The top story from BBC News: Library cuts. "
                                   "This edition gathers 3 items.")
    assert "led by" not in summary.text and "from the sources" not in summary.text
    assert "£189m library" in summary.text and "105 mph wind gusts" in summary.text
    assert summary.headline == "BBC News"
    check_trace(edition)


def test_no_figures_no_theme_still_a_summary() -> None:
    posts = (Post(id="a", author="A", handle="a", date="2024-01-01", text="Hello world."),)
    summary, edition = summarise(Document(path="x", date="2024-01-01", posts=posts))
    assert summary.text
    check_trace(edition)


def _doctored(real: object) -> object:
    def write(*args: object, **kwargs: object) -> Summary:
        assert callable(real)
        summary = real(*args, **kwargs)
        assert isinstance(summary, Summary)
        return dataclasses.replace(summary, text=summary.text + " Roughly 42 more disagreed.")
    return write


def test_build_refuses_an_untraceable_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    # The guard lives in the build path itself (digest.pipeline.decide_edition).
    import digest.pipeline
    from digest.config import load_config

    monkeypatch.setattr(digest.pipeline, "write_summary", _doctored(write_summary))
    seeds = Path(__file__).parents[2] / "seeds"
    with pytest.raises(TraceError, match="summary number '42' traces to no figure"):
        digest.pipeline.decide_edition(load_config(None), [str(seeds)])


def test_cli_build_exits_2_naming_the_number(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    import sys

    import digest.pipeline
    from digest.cli import main

    monkeypatch.setattr(digest.pipeline, "write_summary", _doctored(write_summary))
    monkeypatch.chdir(tmp_path)
    seeds = Path(__file__).parents[2] / "seeds"
    monkeypatch.setattr(sys, "argv", ["digest", "build", str(seeds), "--outbox",
                                      str(tmp_path / "outbox")])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("digest: error: ")
    assert "summary number '42' traces to no figure, comparison or count" in err
    assert "Traceback" not in err
    assert not any((tmp_path / "outbox").glob("*/edition.json"))


def test_own_roundup_summary_through_the_reader() -> None:
    from digest.read import read_sources

    [doc] = read_sources([str(FIXTURES / "2024-07-20-it-outage-roundup.txt")])
    summary, edition = summarise(doc)
    assert "Key figures: 7,000 flights, 37% of the 19,000 flights." in summary.text
    assert "Also quoted: 88% of sensors and 8.5 million Windows devices." in summary.text
    assert "3 of the 10 posts dispute the “routine update” claim." in summary.text
    assert "04:09" not in summary.text
    check_trace(edition)
    assert {n.source for n in summary.numbers} == {"figure", "comparison", "count"}


def test_feed_items_report_rather_than_dispute() -> None:
    texts = ["Troops on alert for attacks by so-called Islamic State fighters.",
             "The so-called Islamic State has lost ground, officials said.",
             "Kurdish forces seized the border from so-called Islamic State fighters.",
             "Nothing else happened."]
    items = tuple(Post(id=f"i{i}", author="BBC", handle=None, date="2016-03-28", text=t,
                       title=t.split(",")[0]) for i, t in enumerate(texts))
    summary, edition = summarise(Document(path="feed.xml", date="2016-03-28", title="BBC",
                                          posts=items))
    assert "3 of the 4 items mention “Islamic State”." in summary.text
    assert "dispute" not in summary.text
    check_trace(edition)


def test_check_trace_survives_the_json_round_trip() -> None:
    from digest.model import edition_from_json

    _, edition = summarise(load("seed.json"))
    check_trace(edition_from_json(json.loads(json.dumps(edition.to_json()))))


def test_check_trace_refuses_counts_of_unknown_posts_and_missing_comparisons() -> None:
    _, edition = summarise(load("seed.json"))
    ghost = tuple(dataclasses.replace(n, detail=n.detail.replace("p7", "p99"))
                  if n.source == "count" else n for n in edition.summary_numbers)
    with pytest.raises(TraceError):
        check_trace(dataclasses.replace(edition, summary_numbers=ghost))
    with pytest.raises(TraceError, match=r"'4\.4%'"):
        check_trace(dataclasses.replace(edition, comparisons=()))


def test_pronoun_one_is_not_a_number() -> None:
    _, edition = summarise(load("seed.json"))
    check_trace(dataclasses.replace(edition, summary=edition.summary + " No one was surprised."))
    with pytest.raises(TraceError, match="'one'"):
        check_trace(dataclasses.replace(edition, summary=edition.summary + " Just one post."))


FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"


def test_bbc_feed_through_the_reader() -> None:
    from digest.read import read_sources

    [doc] = read_sources([str(FEEDS / "01-bbc-news-front-page.xml")])
    summary, edition = summarise(doc)
    figures = {f.text: f for f in edition.figures}
    assert (figures["£189m"].unit, figures["£189m"].value, figures["£189m"].label) == (
        "GBP", 189e6, "library")
    assert (figures["105 mph"].unit, figures["105 mph"].label) == ("mph", "Wind gusts")
    assert "170 kph" not in figures  # the same gust, converted
    assert "£189m library" in summary.text and "105 mph wind gusts" in summary.text
    assert summary.text.startswith("The top story from BBC News - News front page: ")
    assert "This edition gathers 16 items." in summary.text
    assert summary.headline == "BBC News - News front page"
    check_trace(edition)


def test_npr_feed_through_the_reader_maps_each_13_to_its_own_figure() -> None:
    from digest.read import read_sources

    [doc] = read_sources([str(FEEDS / "02-npr-news.xml")])
    summary, edition = summarise(doc)
    texts = [f.text for f in edition.figures]
    assert {"2 million", "13", "11", "39", "5"} <= set(texts)
    assert "Figures quoted: 2 million suitcases a year, 13-year sentence, 13 Israelis and 11 " \
        "Thai and Filipino workers." in summary.text
    thirteens = [n.ref for n in summary.numbers if n.text == "13"]
    assert len(thirteens) == 2 and len(set(thirteens)) == 2
    labels = {f.id: f.label for f in edition.figures}
    assert [labels[r] for r in thirteens] == ["year sentence", "Israelis"]
    check_trace(edition)


PIECES = [
    "Musk had promised him 25m listening live.", "4.4% of the target is not bad.",
    "The trailer drew 12m views but only 1.5m people watched live, 8 times the audience.",
    "It cost £1.2bn, three times the original budget of £400m.", "Ticket prices: £9.99/month",
    "Only 1 in 5 nurses agree.", "0 of 0", "1/4", "10:30", "August 13, 2024", "@u_1 #tag2",
    "https://t.co/x1", "١٢٣", "25m Tb", "£1.2bn kW", "double the", "x5", "1..2", "-%", "£",
    "Delta cancelled 7,000 flights, about 37% of its schedule of 19,000 flights.",
    "There is no DDOS attack.", "Is it a DDOS attack?", "Download speed was 940 Mbps vs the "
    "1Gbps promised.", "Inflation fell to 2.3% in April, from 3.2% in March.",
]


@pytest.mark.slow
def test_any_summary_passes_its_own_guard() -> None:
    # Property: whatever the posts hold, write_summary records every number it writes, so
    # the build never refuses its own summary. Deterministic pseudo-random inputs.
    import random
    import string

    rng = random.Random(20240813)
    for _ in range(300):
        posts = []
        for i in range(rng.randint(1, 5)):
            words = [rng.choice(PIECES) if rng.random() < 0.7 else "".join(
                rng.choice(string.printable) for _ in range(rng.randint(1, 10)))
                for _ in range(rng.randint(1, 6))]
            text = " ".join(words)
            posts.append(Post(id=f"p{i}", author="a", handle=rng.choice([None, "h"]),
                              date="2024-01-01", text=text,
                              title=rng.choice([None, text[:20]])))
        prose = tuple(Prose(rng.choice(PIECES), "x:1") for _ in range(rng.randint(0, 2)))
        doc = Document(path="x", date=None, keywords=("musk",), prose=prose, posts=tuple(posts))
        summary, edition = summarise(doc)
        check_trace(edition)
        assert len(summary.preheader) < 140
