"""The outbox archive: index.html and feed.atom rebuilt from the editions' edition.json."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import feedparser
import pytest

from digest.errors import OutboxError
from digest.publish.archive import read_editions, update_archive


def add_edition(outbox: Path, folder: str, date: str, subject: str, summary: str = "",
                sender: str | None = None) -> None:
    path = outbox / folder
    path.mkdir(parents=True)
    data = {"edition": folder, "date": date, "title": subject, "subject": subject,
            "preheader": "", "summary": summary, "posts": [], "highlights": [], "figures": []}
    (path / "edition.json").write_text(json.dumps(data), encoding="utf-8")
    (path / "digest.html").write_text("<p>hi</p>", encoding="utf-8")
    if sender:
        (path / "digest.eml").write_bytes(
            f"From: {sender}\r\nSubject: {subject}\r\n\r\nbody\r\n".encode())


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    box = tmp_path / "outbox"
    add_edition(box, "2024-08-13", "2024-08-13", "Spaces outage · 13 Aug 2024",
                "1.1m listened live, against the 25m promised.", sender="The Desk <d@example.org>")
    add_edition(box, "2024-06-01", "2024-06-01", "Older <b>news</b> & \"quotes\"", "Old one.")
    add_edition(box, "2024-09-30-am", "2024-09-30", "Newest", "Latest summary.")
    return box


def test_feed_parses_without_bozo_newest_first(outbox: Path) -> None:
    update_archive(outbox)
    feed = feedparser.parse(str(outbox / "feed.atom"))
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert [e.title for e in feed.entries] == [
        "Newest", "Spaces outage · 13 Aug 2024", "Older <b>news</b> & \"quotes\""]
    assert [e.updated[:10] for e in feed.entries] == ["2024-09-30", "2024-08-13", "2024-06-01"]
    assert feed.entries[1].summary == "1.1m listened live, against the 25m promised."
    assert feed.entries[0].link.endswith("2024-09-30-am/digest.html")
    assert feed.feed.updated.startswith("2024-09-30")
    # The sender's display name (newest edition that has an .eml) titles the feed.
    assert feed.feed.title == "The Desk"
    assert len({e.id for e in feed.entries}) == 3


def test_ids_are_stable_and_output_deterministic(outbox: Path) -> None:
    update_archive(outbox)
    first = ((outbox / "feed.atom").read_bytes(), (outbox / "index.html").read_bytes())
    ids = [e.id for e in feedparser.parse(first[0]).entries]
    # A new edition adds an entry; the others keep their ids.
    add_edition(outbox, "2024-10-01", "2024-10-01", "Even newer")
    update_archive(outbox)
    feed = feedparser.parse((outbox / "feed.atom").read_bytes())
    assert [e.id for e in feed.entries][1:] == ids
    (outbox / "2024-10-01" / "edition.json").unlink()
    update_archive(outbox)
    assert ((outbox / "feed.atom").read_bytes(), (outbox / "index.html").read_bytes()) == first
    # A different list gets different ids.
    update_archive(outbox, list_id="other.example.org")
    other = feedparser.parse((outbox / "feed.atom").read_bytes())
    assert not {e.id for e in other.entries} & set(ids)


def test_index_lists_every_edition_escaped(outbox: Path) -> None:
    update_archive(outbox)
    page = (outbox / "index.html").read_text(encoding="utf-8")
    assert "<b>news</b>" not in page
    assert "Older &lt;b&gt;news&lt;/b&gt; &amp; " in page
    positions = [page.index(s) for s in ("Newest", "Spaces outage", "Older &lt;b&gt;")]
    assert positions == sorted(positions)
    assert 'href="2024-09-30-am/digest.html"' in page
    assert "1.1m listened live, against the 25m promised." in page
    assert '<time datetime="2024-08-13">13 Aug 2024</time>' in page
    assert 'href="feed.atom"' in page


def test_damaged_and_in_progress_editions_are_skipped(outbox: Path,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    bad = outbox / "2024-07-01"
    bad.mkdir()
    (bad / "edition.json").write_text("{not json", encoding="utf-8")
    add_edition(outbox, ".tmp-2024-12-01", "2024-12-01", "Half written")
    with caplog.at_level(logging.WARNING, logger="digest.publish.archive"):
        update_archive(outbox)
    assert "2024-07-01/edition.json" in caplog.text
    titles = [e.title for e in feedparser.parse(str(outbox / "feed.atom")).entries]
    assert "Half written" not in titles and len(titles) == 3
    # Written atomically: no temporary files are left next to the archive (and its index).
    assert sorted(p.name for p in outbox.iterdir() if p.is_file()) == [
        "feed.atom", "index.html", "index.json"]


def test_empty_outbox_gives_valid_empty_archive(tmp_path: Path) -> None:
    update_archive(tmp_path)
    feed = feedparser.parse(str(tmp_path / "feed.atom"))
    assert feed.bozo == 0 and feed.entries == []
    assert "No editions yet" in (tmp_path / "index.html").read_text(encoding="utf-8")
    assert read_editions(tmp_path) == []


def test_unwritable_outbox_is_an_outbox_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(OutboxError, match="nope"):
        update_archive(missing)


def test_digest_build_keeps_the_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from digest.config import load_config
    from digest.pipeline import build_edition
    from digest.resources import bundled_seeds

    monkeypatch.chdir(tmp_path)  # no stray ./digest.toml
    box = tmp_path / "outbox"
    config = load_config(None, **{"build.outbox": str(box)})
    first = build_edition(config, [str(bundled_seeds())])
    later = build_edition(config, [str(bundled_seeds())], edition_date="2024-08-20")
    feed = feedparser.parse(str(box / "feed.atom"))
    assert feed.bozo == 0
    subjects = [json.loads((f / "edition.json").read_text())["subject"] for f in (later, first)]
    assert [e.title for e in feed.entries] == subjects
    assert feed.entries[0].link.endswith(f"{later.name}/digest.html")
    page = (box / "index.html").read_text(encoding="utf-8")
    assert page.index('href="2024-08-20/digest.html"') < page.index('href="2024-08-13/digest.html"')


def test_base_url_makes_the_archive_links_absolute(tmp_path: Path) -> None:
    from digest.config import load_config
    from digest.pipeline import build_edition

    seed = str(Path(__file__).resolve().parents[2] / "seeds")
    config = load_config(None, **{"build.outbox": str(tmp_path),
                                  "archive.base_url": "https://news.example/digest"})
    build_edition(config, [seed])
    index = (tmp_path / "index.html").read_text()
    feed = (tmp_path / "feed.atom").read_text()
    assert 'href="https://news.example/digest/2024-08-13/digest.html"' in index
    assert 'href="https://news.example/digest/feed.atom"' in index
    assert 'href="https://news.example/digest/2024-08-13/digest.html"' in feed
    assert 'href="https://news.example/digest/feed.atom"' in feed
    text = (tmp_path / "2024-08-13/digest.txt").read_text()
    assert "View in your browser: https://news.example/digest/2024-08-13/digest.html" in text
