"""read_sources over files, folders and mixed types; dedupe_posts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import make_post

from digest.errors import SourceError
from digest.read import dedupe_posts, read_sources, sniff
from digest.read.common import find_links

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds/2024-08-13-x-spaces-outage-musk-trump.txt"


def test_folder_mixes_types_sorted_and_skips_hidden(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "b-roundup.txt")
    shutil.copy(ROOT / "tests/fixtures/feeds/02-npr-news.xml", tmp_path / "a-npr.xml")
    shutil.copy(ROOT / "tests/read/fixtures/json/x-spaces-extra.json", tmp_path / "c-extra.json")
    # Unknown extension: the content decides (here JSON Lines).
    shutil.copy(ROOT / "tests/read/fixtures/json/feeds-and-notes.jsonl", tmp_path / "d-notes.dat")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01binary")
    (tmp_path / "e-draft.txt~").write_text("backup")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ignored.txt").write_text("not read")
    docs = read_sources([str(tmp_path)])
    assert [Path(d.path).name for d in docs] == [
        "a-npr.xml", "b-roundup.txt", "c-extra.json", "d-notes.dat"
    ]
    assert [len(d.posts) for d in docs] == [15, 21, 3, 2]
    assert docs[1].posts[0].source == f"{tmp_path}/b-roundup.txt:7"


def test_sources_keep_the_callers_order(tmp_path: Path) -> None:
    json_path = ROOT / "tests/read/fixtures/json/x-spaces-extra.json"
    docs = read_sources([str(json_path), str(SEED)])
    assert [d.path for d in docs] == [str(json_path), str(SEED)]


def test_empty_folder(tmp_path: Path) -> None:
    (tmp_path / ".hidden").write_text("x")
    with pytest.raises(SourceError, match=r": folder holds no source files$"):
        read_sources([str(tmp_path)])


def test_bad_file_in_folder_is_named(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "a.txt")
    (tmp_path / "b.txt").write_bytes(b"\x00binary")
    with pytest.raises(SourceError) as info:
        read_sources([str(tmp_path)])
    assert str(info.value).startswith(f"{tmp_path}/b.txt:1: binary file")


def test_sniff() -> None:
    assert sniff(b"\xef\xbb\xbf  <?xml version='1.0'?><rss/>") == "feed"
    assert sniff(b'\n[{"text": "x"}]') == "json"
    assert sniff(b" date 2024-08-13 x\n\nhello") == "roundup"


def test_dedupe_same_id_and_near_identical_text_keeps_first() -> None:
    first = make_post("Spaces is down again! https://t.co/abc", None, handle="alice")
    same = make_post("spaces is DOWN again https://example.org/long", None, handle="Alice")
    typo = make_post("Spaces is down agian!", None, handle="alice")
    other_day = make_post("Spaces is down again!", None, handle="alice", date="2024-08-14")
    other_user = make_post("Spaces is down again!", None, handle="bob")
    different = make_post("Back up now, all good.", None, handle="alice")
    assert same.id == first.id
    kept = dedupe_posts([first, same, typo, other_day, other_user, different])
    assert kept == [first, other_day, other_user, different]


def test_dedupe_across_sources() -> None:
    docs = read_sources([str(SEED), str(ROOT / "tests/read/fixtures/json/x-spaces-extra.json")])
    posts = [p for d in docs for p in d.posts]
    kept = dedupe_posts(posts)
    assert len(posts) == 24 and len(kept) == 23
    assert kept[2].source.endswith(".txt:21")  # the roundup came first, its copy is kept


def test_find_links() -> None:
    text = ("See http://t.co/abc, t.co/def and (https://en.wikipedia.org/wiki/X_(company)). "
            "pic.twitter.com/xyz ashley.bsky.social 4.4% e.g. Musk/Trump https://t.co/abc")
    assert find_links(text) == (
        "https://t.co/abc", "https://t.co/def", "https://en.wikipedia.org/wiki/X_(company)"
    )


def test_dedupe_in_a_busy_key_still_finds_near_duplicates() -> None:
    # 300 items of one feed on one day (author = feed title, no handle), alike but for their
    # numbers, then retyped copies of the first ten: the numbers keep the items apart, and
    # every copy is caught although only rare word pairs are looked up.
    feed = {"author": "Feed", "handle": None, "date": "2024-09-03"}
    originals = [make_post(f"Item {i}: council approves plan number {i} for district {i % 7} "
                           f"after vote of {i * 3} to {i * 2}", None, **feed)
                 for i in range(300)]
    copies = [make_post(p.text.replace("approves", "aproves"), None, **feed)
              for p in originals[:10]]
    short = [make_post("Breaking", None, **feed), make_post("Breakingg", None, **feed)]
    kept = dedupe_posts(originals + copies + short)
    assert kept == [*originals, short[0]]


def test_dedupe_keeps_posts_whose_numbers_differ() -> None:
    a = make_post("Bitcoin hits $60,000 in early trading", None, handle="feed", date="2024-09-03")
    b = make_post("Bitcoin hits $61,000 in early trading", None, handle="feed", date="2024-09-03")
    assert dedupe_posts([a, b]) == [a, b]
