"""The outbox's index of its editions: the little of each edition.json that later builds need
(the archive's subject, date and summary; the ids of the posts it carried), in one small file,
so that a build does not read every edition back whole.

    outbox/index.json       {"version": 1, "editions": [{"folder": …, "stamp": [size,
                            mtime_ns, inode], "fields": {"edition", "date", "subject",
                            "title", "summary"}, "posts": [ids] or null}, …]}

It is a cache, never the truth. An entry counts only while its folder's edition.json still has
the size, modification time and inode it was read with; any other edition.json is read again
(a new edition, a rebuilt one, one copied in by hand). An index that is missing, unreadable, of
another version or malformed in any way is ignored whole and rebuilt from the editions, and
one naming a folder that is gone loses that entry. An edition.json that cannot be read gets no
entry (it is read, and warned about, again next time). The file is written atomically (a
temporary file, fsync, rename) and only when it changed; deleting it loses nothing.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

INDEX = "index.json"
VERSION = 1
EDITION_JSON = "edition.json"
FIELDS = ("edition", "date", "subject", "title", "summary")


@dataclass(frozen=True)
class Entry:
    """One readable edition: its folder, the top-level fields as its edition.json gives them
    (any JSON value, checked by whoever uses them) and its posts' ids (None: no usable list)."""

    folder: str
    stamp: tuple[int, int, int]
    fields: dict[str, Any]
    posts: tuple[str, ...] | None

    def to_json(self) -> dict[str, Any]:
        return {"folder": self.folder, "stamp": list(self.stamp), "fields": self.fields,
                "posts": None if self.posts is None else list(self.posts)}


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns, info.st_ino


def _post_ids(data: dict[str, Any]) -> tuple[str, ...] | None:
    posts = data.get("posts")
    if not isinstance(posts, list):
        return None
    ids = [p.get("id") if isinstance(p, dict) else None for p in posts]
    return tuple(i for i in ids if isinstance(i, str)) if all(
        isinstance(i, str) for i in ids) else None


def read_entry(folder: Path, stamp: tuple[int, int, int]) -> Entry | None:
    """The entry of one edition folder, read from its edition.json; None (with a warning) if
    that cannot be read."""
    path = folder / EDITION_JSON
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        log.warning("%s: unreadable, left out of the archive and its posts count as new "
                    "(%s: %s)", path, type(exc).__name__, exc)
        return None
    fields = {k: data[k] for k in FIELDS if k in data and isinstance(
        data[k], str | int | float | bool | type(None))}
    return Entry(folder.name, stamp, fields, _post_ids(data))


def _entry_from_json(item: Any) -> Entry:
    """An entry of the index file; ValueError on anything malformed (the index is then
    rebuilt, never half trusted)."""
    if not isinstance(item, dict) or set(item) != {"folder", "stamp", "fields", "posts"}:
        raise ValueError("malformed entry")
    folder, stamp, fields, posts = item["folder"], item["stamp"], item["fields"], item["posts"]
    if not (isinstance(folder, str) and folder and "/" not in folder
            and not folder.startswith(".")):
        raise ValueError("bad folder")
    if not (isinstance(stamp, list) and len(stamp) == 3
            and all(isinstance(n, int) and not isinstance(n, bool) for n in stamp)):
        raise ValueError("bad stamp")
    if not isinstance(fields, dict) or not set(fields) <= set(FIELDS):
        raise ValueError("bad fields")
    if posts is not None and not (isinstance(posts, list)
                                  and all(isinstance(p, str) for p in posts)):
        raise ValueError("bad posts")
    return Entry(folder, (stamp[0], stamp[1], stamp[2]), fields,
                 None if posts is None else tuple(posts))


def _load(path: Path) -> dict[str, Entry] | None:
    """The index file's entries by folder; None when it is missing or not to be trusted."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(
                data.get("editions"), list):
            raise ValueError("not an index of this version")
        entries = [_entry_from_json(item) for item in data["editions"]]
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        log.warning("%s: unusable (%s), rebuilt from the editions", path, exc)
        return None
    by_folder = {e.folder: e for e in entries}
    return by_folder if len(by_folder) == len(entries) else None


def edition_folders(outbox: Path) -> dict[str, tuple[int, int, int]]:
    """Every edition folder (not a hidden one: those are being written or were aborted) and
    the stamp of its edition.json."""
    found: dict[str, tuple[int, int, int]] = {}
    try:
        children = list(outbox.iterdir())
    except OSError:
        return found
    for child in children:
        if child.name.startswith("."):
            continue
        stamp = _stamp(child / EDITION_JSON)
        if stamp is not None and child.is_dir():
            found[child.name] = stamp
    return found


def entries(outbox: Path, *, save: bool = True, fresh: Entry | None = None) -> list[Entry]:
    """Every readable edition of `outbox`, by folder name, from the index where it is current
    and from the edition's own edition.json where it is not; the index is brought up to date
    unless `save` is off (a build deciding its edition writes nothing before it succeeds).
    `fresh`: the entry of an edition just written, used as the index's own would be."""
    path = outbox / INDEX
    known = _load(path)
    current: list[Entry] = []
    for folder, stamp in sorted(edition_folders(outbox).items()):
        cached = known.get(folder) if known is not None else None
        if fresh is not None and fresh.folder == folder:
            cached = fresh
        entry = cached if cached is not None and cached.stamp == stamp else read_entry(
            outbox / folder, stamp)
        if entry is not None:
            current.append(entry)
    if save and (known is None or list(known.values()) != current):
        _save(path, current)
    return current


def remember(outbox: Path, entry: Entry) -> None:
    """Bring the index up to date with an edition just written, taking its entry as given
    (its stamp was taken from the file written), so the archive does not read it back."""
    entries(outbox, fresh=entry)


def entry_of(folder: str, stamp: tuple[int, int, int], fields: dict[str, Any],
             posts: tuple[str, ...]) -> Entry:
    """The entry of an edition from what was written into its edition.json."""
    return Entry(folder, stamp, {k: fields[k] for k in FIELDS if k in fields and isinstance(
        fields[k], str | int | float | bool | type(None))}, posts)


def stamp_of(path: Path) -> tuple[int, int, int] | None:
    return _stamp(path)


def _save(path: Path, current: list[Entry]) -> None:
    """Write the index atomically. Failing to (a read-only outbox) costs only speed."""
    data = json.dumps({"version": VERSION, "editions": [e.to_json() for e in current]},
                      ensure_ascii=False, separators=(",", ":"))
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        log.debug("%s: not written (%s)", path, exc)
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
