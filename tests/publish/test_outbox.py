"""write_edition: the five files (and the merge parts), atomic, byte-identical; newest_edition."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from digest.config import EmailConfig
from digest.errors import OutboxError
from digest.model import Edition
from digest.publish.outbox import (
    edition_files,
    newest_edition,
    read_edition,
    read_rendered,
    write_edition,
)
from digest.render.message import build_message
from digest.render.templates import render_edition


def _write(outbox: Path, edition: Edition) -> Path:
    rendered = render_edition(edition, None)
    return write_edition(outbox, edition, rendered, build_message(edition, rendered,
                                                                    EmailConfig()))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_files_and_contents(tmp_path: Path, edition: Edition) -> None:
    folder = _write(tmp_path / "outbox", edition)
    assert folder == tmp_path / "outbox" / "2024-08-13"
    assert sorted(p.name for p in folder.iterdir()) == [
        "digest.eml", "digest.html", "digest.merge.html", "digest.merge.txt", "digest.mjml",
        "digest.txt", "edition.json"]
    html = (folder / "digest.html").read_text(encoding="utf-8")
    assert ('href="https://digest.localhost/unsubscribe?edition=2024-08-13&amp;'
            'recipient=readers%40example.org"') in html
    assert "%%unsubscribe_url%%" in (folder / "digest.merge.html").read_text(encoding="utf-8")
    assert "readers@example.org" in (folder / "digest.txt").read_text(encoding="utf-8")
    raw = (folder / "edition.json").read_text(encoding="utf-8")
    assert raw.endswith("}\n") and "🙃" in raw  # ensure_ascii=False
    assert json.loads(raw)["edition"] == "2024-08-13"
    assert read_edition(folder).posts == edition.posts
    assert read_rendered(folder) == render_edition(edition, None)
    assert list((tmp_path / "outbox").iterdir()) == [folder]  # no temp folder left


def test_rebuild_is_byte_identical_and_replaces(tmp_path: Path,
                                                 edition_factory: Callable[..., Edition]) -> None:
    outbox = tmp_path / "outbox"
    first = _snapshot(_write(outbox, edition_factory()))
    assert _snapshot(_write(outbox, edition_factory())) == first
    changed = _snapshot(_write(outbox, edition_factory(title="Another title")))
    assert changed["digest.html"] != first["digest.html"]
    assert sorted(p.name for p in outbox.iterdir()) == ["2024-08-13"]


def test_failed_write_leaves_old_edition_whole(tmp_path: Path, edition: Edition,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    outbox = tmp_path / "outbox"
    folder = _write(outbox, edition)
    before = _snapshot(folder)
    real_fsync = os.fsync
    calls = {"n": 0}

    def failing_fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # in the middle of writing the new edition's files
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OutboxError, match="No space left"):
        _write(outbox, edition.__class__(**{**edition.__dict__, "title": "New"}))
    monkeypatch.undo()
    assert _snapshot(folder) == before
    assert [p.name for p in outbox.iterdir()] == ["2024-08-13"]


def test_unsafe_edition_id_is_refused(tmp_path: Path,
                                      edition_factory: Callable[..., Edition]) -> None:
    for bad in ("../evil", ".hidden", "a/b", ""):
        with pytest.raises(OutboxError, match="unsafe edition id"):
            _write(tmp_path, edition_factory(edition=bad))


def test_newest_edition(tmp_path: Path, edition_factory: Callable[..., Edition]) -> None:
    outbox = tmp_path / "outbox"
    with pytest.raises(OutboxError, match="no edition"):
        newest_edition(outbox)
    _write(outbox, edition_factory(edition="2024-08-13", date="2024-08-13"))
    newest = _write(outbox, edition_factory(edition="2024-09-01", date="2024-09-01"))
    _write(outbox, edition_factory(edition="2024-01-01", date="2024-01-01"))
    (outbox / "index.html").write_text("archive")
    (outbox / "stray").mkdir()
    assert newest_edition(outbox) == newest


def test_edition_files_match_disk(tmp_path: Path, edition: Edition) -> None:
    rendered = render_edition(edition, None)
    message = build_message(edition, rendered, EmailConfig())
    folder = write_edition(tmp_path, edition, rendered, message)
    assert edition_files(edition, rendered, message) == _snapshot(folder)


def test_replace_without_renameat2(tmp_path: Path, edition_factory: Callable[..., Edition],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.publish.outbox as outbox_module

    monkeypatch.setattr(outbox_module, "exchange_dirs", lambda a, b: False)
    outbox = tmp_path / "outbox"
    _write(outbox, edition_factory())
    folder = _write(outbox, edition_factory(title="Second"))
    assert "Second" in (folder / "digest.txt").read_text(encoding="utf-8")
    assert [p.name for p in outbox.iterdir()] == ["2024-08-13"]


def test_exchange_swaps_folders(tmp_path: Path) -> None:
    from digest.publish.outbox import exchange_dirs

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x").write_text("a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x").write_text("b")
    if not exchange_dirs(tmp_path / "a", tmp_path / "b"):
        pytest.skip("renameat2 RENAME_EXCHANGE not available here")
    assert (tmp_path / "a" / "x").read_text() == "b"
    assert (tmp_path / "b" / "x").read_text() == "a"


def test_leftovers_of_a_killed_build_are_removed(tmp_path: Path, edition: Edition) -> None:
    outbox = tmp_path / "outbox"
    stale = outbox / ".2024-08-13.abc123.tmp"
    fresh = outbox / ".2024-08-13.def456.tmp"  # maybe a build running right now: kept
    for folder in (stale, fresh):
        folder.mkdir(parents=True)
        (folder / "digest.html").write_text("half")
    os.utime(stale, (1_000_000_000, 1_000_000_000))
    _write(outbox, edition)
    assert not stale.exists()
    assert fresh.exists()
