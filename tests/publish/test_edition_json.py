"""edition.json: whole and byte-for-byte the old dump for ordinary editions, lean above
LEAN_ABOVE posts (stubs for the posts no decision rests on), written as a stream."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from pathlib import Path

import pytest
from conftest import make_edition, make_post

from digest.config import EmailConfig
from digest.edit.summary import check_trace
from digest.model import Edition, Highlight, SummaryNumber
from digest.publish import edition_json as ej
from digest.publish.outbox import read_edition, write_edition
from digest.render.message import build_message
from digest.render.templates import render_edition


def _dumped(edition: Edition) -> str:
    """What edition.json was before it was streamed: one json.dumps of the whole."""
    return json.dumps(edition.to_json(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@pytest.mark.parametrize("changes", [
    {},
    {"comparisons": (), "highlights": (), "prose": ()},  # empty lists stay "[]"
    {"extra": {"quiet": True, "previous": "2024-08-06", "nested": {"a": [1, {"b": None}]}}},
])
def test_small_edition_is_the_whole_dump_byte_for_byte(changes: dict[str, object]) -> None:
    edition = make_edition(**changes)
    assert ej.edition_json(edition) == _dumped(edition)


def _big(n: int) -> Edition:
    """An edition of `n` posts: the hand-built one's (its decisions rest on p1-p4) and more."""
    base = make_edition()
    extra = tuple(make_post(f"Post number {i} says “hello” 🙃", i + 100,
                            url=f"https://x.com/a/status/{i}" if i % 2 else None,
                            source=f"s.txt:{i}") for i in range(n - len(base.posts)))
    return dataclasses.replace(base, posts=base.posts + extra)


@pytest.fixture
def lean_at_10(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ej, "LEAN_ABOVE", 10)


@pytest.mark.usefixtures("lean_at_10")
def test_at_the_threshold_an_edition_is_still_whole() -> None:
    edition = _big(10)
    assert ej.edition_json(edition) == _dumped(edition)


@pytest.mark.usefixtures("lean_at_10")
def test_above_the_threshold_undecided_posts_are_stubs() -> None:
    edition = dataclasses.replace(
        _big(40), highlights=(Highlight("p105", "Picked", 0.5),),
        summary_numbers=(SummaryNumber("1.1m", "figure", "f1"),))  # f1 is p2's
    raw = ej.edition_json(edition)
    data = json.loads(raw)
    by_id = {p["id"]: p for p in data["posts"]}
    assert [p["id"] for p in data["posts"]] == [p.id for p in edition.posts]  # every post, in order
    # Whole: the highlight; the posts of the figures the summary and the comparison quote
    # (f1, f2 and the stated f4 are p2's). Not p1, p3, p4: nothing rests on them any more.
    whole = {i for i, p in by_id.items() if "text" in p}
    assert whole == {"p105", "p2"}
    assert by_id["p105"] == json.loads(json.dumps(dataclasses.asdict(edition.post("p105"))))
    stub = by_id["p106"]
    post = edition.post("p106")
    assert stub == {"id": "p106", "author": "A106", "handle": "a106", "date": "2024-08-13",
                    "source": "s.txt:6",
                    "text_sha256": hashlib.sha256(post.text.encode()).hexdigest()[:16]}
    assert by_id["p107"]["url"] == "https://x.com/a/status/7"
    assert "handle" not in by_id["p3"]  # a feed item has none
    assert data["lean"] == {"above": 10, "stubs": 38}
    # Every decision is kept whole: figures (with their sentences), comparisons, the summary.
    assert data["figures"] == json.loads(_dumped(edition))["figures"]
    assert data["summary_numbers"] == json.loads(_dumped(edition))["summary_numbers"]
    # An item a line (posts, figures, …), so the file stays readable and greppable.
    lines = raw.splitlines()
    assert sum(1 for line in lines if line.lstrip().startswith('{"author"')) == 40
    assert sum(1 for line in lines if line.lstrip().startswith('{"change"')) == len(
        edition.figures)


@pytest.mark.usefixtures("lean_at_10")
def test_a_lean_edition_reads_back_and_still_traces(tmp_path: Path) -> None:
    edition = _big(30)
    rendered = render_edition(edition, None)
    folder = write_edition(tmp_path, edition, rendered,
                           build_message(edition, rendered, EmailConfig()))
    back = read_edition(folder)
    assert [p.id for p in back.posts] == [p.id for p in edition.posts]
    assert back.post("p120").text == "" and back.post("p2").text == edition.post("p2").text
    assert back.highlights == edition.highlights and back.figures == edition.figures
    check_trace(back)  # counts trace to post ids, which every stub keeps


class _Chunks(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def write(self, s: str) -> int:
        self.sizes.append(len(s))
        return super().write(s)


def test_written_item_by_item_not_as_one_string() -> None:
    edition = _big(200)
    out = _Chunks()
    ej.write_edition_json(edition, out)
    assert out.getvalue() == _dumped(edition)
    # No write holds more than one post, figure or other item (the longest is under 1 KB).
    assert max(out.sizes) < 1000 < len(out.getvalue()) // 20
