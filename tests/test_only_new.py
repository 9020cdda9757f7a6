"""Only what is new: an edition leaves out what earlier editions carried and stale feed items."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from digest.cli import cli
from digest.config import load_config
from digest.pipeline import build_edition, count_new_posts

ROOT = Path(__file__).resolve().parent
NPR = ROOT / "fixtures/feeds/02-npr-news.xml"
BBC = ROOT / "fixtures/feeds/01-bbc-news-front-page.xml"

ITEM = """    <item>
      <title>{title}</title>
      <description>{text}</description>
      <pubDate>Sat, 25 Nov 2023 0{hour}:00:00 -0500</pubDate>
      <link>https://www.npr.org/2023/11/25/{slug}</link>
    </item>
"""


def _posts(folder: Path) -> list[dict[str, object]]:
    return list(json.loads((folder / "edition.json").read_text())["posts"])


def test_a_second_edition_holds_only_the_two_new_items(tmp_path: Path) -> None:
    feed = tmp_path / "npr.xml"
    original = NPR.read_text(encoding="utf-8")
    feed.write_text(original, encoding="utf-8")
    config = load_config(None, **{"build.outbox": str(tmp_path / "outbox")})
    first = build_edition(config, [str(feed)], edition_id="slot-1")
    first_ids = {p["id"] for p in _posts(first)}
    assert len(first_ids) == 15

    # The feed gains two items at the top, as a feed does; the rest stay.
    new = (ITEM.format(title="Storm closes the coast road", text="The coast road shut.",
                       hour=6, slug="storm")
           + ITEM.format(title="Library opens late on Fridays", text="Readers asked for it.",
                         hour=7, slug="library"))
    at = original.index("<item>")
    feed.write_text(original[:at] + new.lstrip() + "    " + original[at:], encoding="utf-8")
    assert count_new_posts(config, [str(feed)], "slot-2") == 2  # the scheduler's no-news count
    second = build_edition(config, [str(feed)], edition_id="slot-2")
    posts = _posts(second)
    assert sorted(p["title"] for p in posts) == ["Library opens late on Fridays",
                                                 "Storm closes the coast road"]
    assert not {p["id"] for p in posts} & first_ids
    # Rebuilding the first edition keeps its own posts: it does not count itself.
    again = build_edition(config, [str(feed)], edition_id="slot-1")
    assert first_ids <= {p["id"] for p in _posts(again)}


def test_feed_items_older_than_max_age_are_left_out(tmp_path: Path) -> None:
    config = load_config(None, **{"build.outbox": str(tmp_path / "outbox")})
    folder = build_edition(config, [str(BBC), str(NPR)])
    assert folder.name == "2023-11-24"
    dates = {str(p["date"]) for p in _posts(folder)}
    assert dates and min(dates) >= "2023-11-17"  # the BBC's 2016-2018 items are not news
    # max_age = 0: no age limit
    every = load_config(None, **{"build.outbox": str(tmp_path / "all"), "build.max_age": 0})
    assert min(str(p["date"]) for p in _posts(build_edition(every, [str(BBC), str(NPR)]))) \
        < "2017-01-01"


def test_all_overrides(tmp_path: Path) -> None:
    runner = CliRunner()
    outbox = tmp_path / "outbox"
    ok = runner.invoke(cli, ["build", str(NPR), "--outbox", str(outbox), "--date", "2023-11-24"])
    assert ok.exit_code == 0, ok.output
    later = runner.invoke(cli, ["build", str(NPR), "--outbox", str(outbox),
                                "--date", "2023-11-25"])
    assert later.exit_code == 0, later.output
    assert _posts(outbox / "2023-11-25") == []  # nothing new, and it says so
    assert "Nothing new since the last edition." in (outbox / "2023-11-25/digest.txt").read_text()
    forced = runner.invoke(cli, ["build", str(NPR), "--outbox", str(outbox),
                                 "--date", "2023-11-25", "--all"])
    assert forced.exit_code == 0, forced.output
    assert len(_posts(outbox / "2023-11-25")) == 15


def test_a_feed_regenerated_after_its_last_item_still_gives_its_newest_items(
        tmp_path: Path) -> None:
    # A release feed rebuilt weeks after its last item: the feed's own date is not news, so
    # the edition is dated by its items and the newest of them make it.
    feed = tmp_path / "releases.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Releases</title>'
        "<lastBuildDate>Mon, 20 Jan 2025 10:00:00 +0000</lastBuildDate>"
        "<item><title>Version 3 is out</title><description>It has 1,200 fixes.</description>"
        "<pubDate>Mon, 16 Dec 2024 10:00:00 +0000</pubDate></item>"
        "<item><title>Version 2 is out</title><description>It has 800 fixes.</description>"
        "<pubDate>Mon, 14 Oct 2024 10:00:00 +0000</pubDate></item>"
        "</channel></rss>", encoding="utf-8")
    config = load_config(None, **{"build.outbox": str(tmp_path / "outbox")})
    folder = build_edition(config, [str(feed)])
    assert folder.name == "2024-12-16"
    assert [p["title"] for p in _posts(folder)] == ["Version 3 is out"]


def test_a_first_edition_of_only_old_items_says_they_are_old(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    result = CliRunner().invoke(cli, ["build", str(NPR), "--outbox", str(outbox),
                                      "--date", "2024-06-01"])
    assert result.exit_code == 0, result.output
    text = " ".join((outbox / "2024-06-01/digest.txt").read_text().split())
    assert "Nothing recent: every item in the sources is older than [build] max_age allows." \
        in text
    assert "since the last edition" not in text  # there was none
