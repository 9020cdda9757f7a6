"""JSON and JSON Lines posts: the documented format (docs/formats.md) and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.errors import SourceError
from digest.read import read_sources

ROOT = Path(__file__).resolve().parents[2]
EXTRA = str(ROOT / "tests/read/fixtures/json/x-spaces-extra.json")
JSONL = str(ROOT / "tests/read/fixtures/json/feeds-and-notes.jsonl")


def test_object_with_posts_title_date_and_prose() -> None:
    (doc,) = read_sources([EXTRA])
    assert doc.title == "More reactions to the X Spaces outage"
    assert doc.date == "2024-08-13"
    assert [p.text for p in doc.prose] == ["Readers sent in more posts about the outage."]
    bfb, casey, status = doc.posts
    assert (bfb.author, bfb.handle) == ("Best for Britain", "BestForBritain")
    assert bfb.date == "2024-08-13"
    assert bfb.has_media and bfb.links == ()
    assert bfb.url == "https://x.com/BestForBritain/status/1823456789012345678"
    assert bfb.source == f"{EXTRA}:6"
    assert casey.links == ("https://www.platformer.news/x-spaces-trump-musk/",)
    assert casey.source == f"{EXTRA}:14"
    # No "author": the handle stands in; no "links": they come from the text.
    assert status.author == "SpacesStatus"
    assert status.links == ("https://t.co/AbCdEf1234",)
    assert status.source == f"{EXTRA}:22"


def test_json_lines() -> None:
    (doc,) = read_sources([JSONL])
    swisher, desk = doc.posts
    assert swisher.handle == "karaswisher" and swisher.source == f"{JSONL}:1"
    assert desk.handle is None and desk.source == f"{JSONL}:3"
    assert desk.url == "https://example.org/tech/spaces-dropoff"  # http upgraded
    assert desk.title == "Listeners left early"


def test_plain_list_and_single_object(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text(json.dumps([
        {"author": "A", "date": "2024-01-02", "text": "one pic.twitter.com/abc"},
        {"handle": "@b", "date": "2024-01-03T23:59:59+05:00", "text": "two", "media": []},
    ], indent=2))
    one, two = read_sources([str(path)])[0].posts
    assert one.text == "one" and one.has_media and one.source == f"{path}:2"
    assert two.handle == "b" and two.date == "2024-01-03" and not two.has_media
    assert two.source == f"{path}:7"
    single = tmp_path / "one.json"
    single.write_text('\n{"author": "A", "date": "2024-01-02", "text": "alone"}\n')
    assert read_sources([str(single)])[0].posts[0].source == f"{single}:2"


def test_same_post_from_roundup_and_json_has_the_same_id() -> None:
    seed, extra = read_sources([str(ROOT / "seeds/2024-08-13-x-spaces-outage-musk-trump.txt"),
                                EXTRA])
    seed_ids = {p.id for p in seed.posts}
    assert extra.posts[0].id in seed_ids
    assert extra.posts[1].id not in seed_ids


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("syntax.json", '[\n  {"author": "A",\n   "date": "2024-01-01" "text": "x"}\n]',
         "syntax.json:3: invalid JSON: Expecting ',' delimiter"),
        ("lines.jsonl", '{"author": "A", "date": "2024-01-01", "text": "x"}\n{"author": \n',
         "lines.jsonl:2: invalid JSON"),
        ("no-text.json", '[{"author": "A", "date": "2024-01-01", "text": "ok"},\n'
                         ' {"author": "B", "date": "2024-01-01"}]',
         'no-text.json:2: post has no "text"'),
        ("no-who.json", '[{"date": "2024-01-01", "text": "x"}]',
         'no-who.json:1: post has neither "author" nor "handle"'),
        ("no-date.json", '{"posts": [\n\n{"author": "A", "text": "x"}]}',
         'no-date.json:3: post has no "date"'),
        ("bad-date.json", '[{"author": "A", "date": "13/08/2024", "text": "x"}]',
         "bad-date.json:1: \"date\" must be an ISO date (YYYY-MM-DD), got '13/08/2024'"),
        ("bad-link.json", '[{"author": "A", "date": "2024-01-01", "text": "x",\n'
                          '  "links": ["/relative"]}]',
         "bad-link.json:1: \"links\" must hold absolute http(s) URLs, got '/relative'"),
        ("links-str.json", '[{"author": "A", "date": "2024-01-01", "text": "x", "links": "u"}]',
         'links-str.json:1: "links" must be a list of URLs'),
        ("text-num.json", '[{"author": "A", "date": "2024-01-01", "text": 5}]',
         'text-num.json:1: "text" must be a string, got int'),
        ("not-obj.json", '["just a string"]',
         "not-obj.json:1: a post must be a JSON object, got str"),
        ("shape.json", '{"items": []}',
         'shape.json:1: expected a list of posts or an object with a "posts" list'),
        ("none.json", '{"posts": []}', "none.json: no posts in JSON"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, name: str, content: str,
                                   expected: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceError) as info:
        read_sources([str(path)])
    assert str(info.value).startswith(f"{tmp_path}/{expected}")
    assert "\n" not in str(info.value)


def test_image_avatar_and_platform(tmp_path: Path) -> None:
    source = tmp_path / "posts.json"
    source.write_text(json.dumps([
        {"author": "Ann", "handle": "ann@social.example", "date": "2024-08-13", "text": "one",
         "image": {"url": "https://img.example/1.jpg", "alt": "A chart"},
         "avatar": "http://img.example/ann.png"},
        {"author": "Bo", "handle": "bo", "date": "2024-08-13", "text": "two",
         "image": "https://img.example/2.jpg", "image_alt": "A map", "platform": "Threads"},
        {"author": "Cy", "handle": "cy", "date": "2024-08-13",
         "text": "three pic.twitter.com/AbC123"},
    ]))
    ann, bo, cy = read_sources([str(source)])[0].posts
    assert (ann.image, ann.image_alt, ann.avatar) == (
        "https://img.example/1.jpg", "A chart", "https://img.example/ann.png")
    assert ann.platform == "mastodon" and ann.has_media
    assert (bo.image, bo.image_alt, bo.platform) == ("https://img.example/2.jpg", "A map",
                                                     "threads")
    assert cy.text == "three" and cy.media_link == "https://pic.twitter.com/AbC123"
    assert cy.platform == "x"


def test_image_must_be_a_url(tmp_path: Path) -> None:
    source = tmp_path / "posts.json"
    source.write_text('[{"author": "A", "date": "2024-08-13", "text": "t", "image": 3}]')
    with pytest.raises(SourceError, match='"image" must hold absolute http'):
        read_sources([str(source)])
