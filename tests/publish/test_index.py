"""The outbox's index of its editions (index.json): used while current, rebuilt when missing,
stale or corrupt, never trusted over the editions themselves, written atomically."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from digest.errors import OutboxError
from digest.publish import index
from digest.publish.archive import read_editions, update_archive
from digest.publish.history import carried_posts
from digest.publish.outbox import newest_edition


def add_edition(outbox: Path, folder: str, date: str, subject: str, posts: list[str]) -> Path:
    path = outbox / folder
    path.mkdir(parents=True, exist_ok=True)
    data = {"edition": folder, "date": date, "title": subject, "subject": subject,
            "summary": f"About {subject}.", "posts": [{"id": p, "text": "…"} for p in posts]}
    (path / "edition.json").write_text(json.dumps(data), encoding="utf-8")
    return path / "edition.json"


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    box = tmp_path / "outbox"
    add_edition(box, "2024-08-06", "2024-08-06", "Older", ["a", "b"])
    add_edition(box, "2024-08-13", "2024-08-13", "Newer", ["c"])
    update_archive(box)
    return box


def _subjects(outbox: Path) -> list[str]:
    return [e.subject for e in read_editions(outbox)]


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the edition folders whose edition.json is read."""
    seen: list[str] = []
    real = index.read_entry

    def counting(folder: Path, stamp: tuple[int, int, int]) -> index.Entry | None:
        seen.append(folder.name)
        return real(folder, stamp)

    monkeypatch.setattr(index, "read_entry", counting)
    return seen


def test_a_current_index_is_used_without_reading_the_editions(
        outbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _reads(monkeypatch)
    assert _subjects(outbox) == ["Newer", "Older"]
    assert carried_posts(outbox, "2024-08-20", "2024-08-20") == {"a", "b", "c"}
    assert reads == []
    saved = json.loads((outbox / "index.json").read_text(encoding="utf-8"))
    assert [e["folder"] for e in saved["editions"]] == ["2024-08-06", "2024-08-13"]
    assert saved["editions"][0]["posts"] == ["a", "b"]


def test_a_missing_index_is_rebuilt(outbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = (outbox / "index.json").read_bytes()
    (outbox / "index.json").unlink()
    reads = _reads(monkeypatch)
    update_archive(outbox)
    assert sorted(reads) == ["2024-08-06", "2024-08-13"]
    assert (outbox / "index.json").read_bytes() == before


def test_a_changed_edition_is_read_again(outbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = add_edition(outbox, "2024-08-13", "2024-08-13", "Newer, rebuilt", ["c", "d"])
    os.utime(path, ns=(1, 1))  # whatever its time: the stamp (size, time, inode) differs
    reads = _reads(monkeypatch)
    assert carried_posts(outbox, "2024-08-20", "2024-08-20") == {"a", "b", "c", "d"}
    update_archive(outbox)
    assert _subjects(outbox) == ["Newer, rebuilt", "Older"]
    assert reads == ["2024-08-13", "2024-08-13"]  # history does not save; the archive does
    assert read_editions(outbox) and reads == ["2024-08-13", "2024-08-13"]


def test_new_and_removed_editions(outbox: Path) -> None:
    add_edition(outbox, "2024-08-20", "2024-08-20", "Newest", ["e"])
    (outbox / "2024-08-06" / "edition.json").unlink()
    (outbox / "2024-08-06").rmdir()
    update_archive(outbox)
    assert _subjects(outbox) == ["Newest", "Newer"]
    saved = json.loads((outbox / "index.json").read_text(encoding="utf-8"))
    assert [e["folder"] for e in saved["editions"]] == ["2024-08-13", "2024-08-20"]


@pytest.mark.parametrize("damage", [
    "{not json",
    "[]",
    '{"version": 2, "editions": []}',
    '{"version": 1, "editions": [{"folder": "2024-08-06"}]}',
    # Entries that are malformed in one field each: the whole index goes, not only them.
    '{"version": 1, "editions": [{"folder": "2024-08-06", "stamp": [1, 2], "fields": {},'
    ' "posts": null}]}',
    '{"version": 1, "editions": [{"folder": "../x", "stamp": [1, 2, 3], "fields": {},'
    ' "posts": null}]}',
    '{"version": 1, "editions": [{"folder": "2024-08-06", "stamp": [1, 2, 3], "fields":'
    ' {"summary": "x"}, "posts": [1]}]}',
])
def test_a_corrupt_index_is_rebuilt_not_trusted(outbox: Path, damage: str,
                                                caplog: pytest.LogCaptureFixture) -> None:
    good = (outbox / "index.json").read_bytes()
    (outbox / "index.json").write_text(damage, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert _subjects(outbox) == ["Newer", "Older"]
        assert carried_posts(outbox, "2024-08-20", "2024-08-20") == {"a", "b", "c"}
    assert "rebuilt from the editions" in caplog.text
    update_archive(outbox)
    assert (outbox / "index.json").read_bytes() == good


def test_an_edition_that_became_unreadable_loses_its_entry(
        outbox: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = outbox / "2024-08-06" / "edition.json"
    path.write_text("{broken", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        update_archive(outbox)
        assert carried_posts(outbox, "2024-08-20", "2024-08-20") == {"c"}  # a, b count as new
    assert "2024-08-06/edition.json" in caplog.text
    assert _subjects(outbox) == ["Newer"]
    saved = json.loads((outbox / "index.json").read_text(encoding="utf-8"))
    assert [e["folder"] for e in saved["editions"]] == ["2024-08-13"]
    # Sending picks the newest edition: with one unreadable, it refuses rather than guess.
    with pytest.raises(OutboxError, match="2024-08-06"):
        newest_edition(outbox)


def test_written_atomically_and_only_when_changed(outbox: Path) -> None:
    path = outbox / "index.json"
    first = path.stat()
    update_archive(outbox)
    assert path.stat().st_ino == first.st_ino  # nothing changed: not rewritten
    add_edition(outbox, "2024-08-20", "2024-08-20", "Newest", ["e"])
    update_archive(outbox)
    assert path.stat().st_ino != first.st_ino  # replaced by a rename, not written in place
    assert sorted(p.name for p in outbox.iterdir() if p.is_file()) == [
        "feed.atom", "index.html", "index.json"]


def test_a_read_only_outbox_still_reads(outbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (outbox / "index.json").unlink()

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(index.tempfile, "mkstemp", refuse)
    assert [e.folder for e in index.entries(outbox)] == ["2024-08-06", "2024-08-13"]
    assert not (outbox / "index.json").exists()


def test_an_edition_written_is_remembered_without_reading_it_back(
        outbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import make_edition

    from digest.config import EmailConfig
    from digest.publish.outbox import write_edition
    from digest.render.message import build_message
    from digest.render.templates import render_edition

    edition = make_edition(edition="2024-08-20", date="2024-08-20")
    rendered = render_edition(edition, None)
    reads = _reads(monkeypatch)
    folder = write_edition(outbox, edition, rendered,
                           build_message(edition, rendered, EmailConfig()), indexed=True)
    update_archive(outbox)
    assert reads == []  # the archive took it from the index the write updated
    entry = next(e for e in index.entries(outbox) if e.folder == "2024-08-20")
    stamp = index.stamp_of(folder / "edition.json")
    assert stamp is not None and entry == index.read_entry(folder, stamp)
    assert _subjects(outbox)[0] == edition.subject
