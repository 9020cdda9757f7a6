"""The outbox: one folder per edition, written atomically and byte-identically.

outbox/<edition>/
    digest.html, digest.txt   the parts as the outbox's own reader sees them (default values)
    digest.eml                the full message (multipart/alternative), same values
    digest.mjml               the intermediate MJML, for debugging templates
    digest.merge.html/.txt    the parts still holding %%key%% tokens: `digest send` merges each
                              recipient's values into these (digest.render.personalize)
    edition.json              everything decided about the edition (edition_json.py: whole,
                              or lean above LEAN_ABOVE posts), written as a stream

An edition is built in a hidden temporary folder next to its final place, every file and the
folder fsynced, then renamed into place. Replacing an edition swaps the two folders in one
atomic step where the kernel can (renameat2 RENAME_EXCHANGE), else renames the old one aside
first; a reader sees the old edition or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import re
import shutil
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from digest.errors import OutboxError
from digest.model import Edition, edition_from_json
from digest.publish.edition_json import edition_json, top_level, write_edition_json
from digest.publish.index import edition_folders, entries, entry_of, remember, stamp_of
from digest.render.message import message_bytes
from digest.render.templates import Rendered

EDITION_JSON = "edition.json"
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,99}")


def _parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    if text is None or html is None:
        raise OutboxError("message lacks a text or an HTML part", where="digest.eml")
    return str(text.get_content()), str(html.get_content())


def _message_files(rendered: Rendered, message: EmailMessage) -> dict[str, bytes]:
    text, html = _parts(message)
    return {
        "digest.html": html.encode("utf-8"),
        "digest.txt": text.encode("utf-8"),
        "digest.eml": message_bytes(message),
        "digest.mjml": rendered.mjml.encode("utf-8"),
        "digest.merge.html": rendered.html.encode("utf-8"),
        "digest.merge.txt": rendered.text.encode("utf-8"),
    }


def edition_files(edition: Edition, rendered: Rendered,
                  message: EmailMessage) -> dict[str, bytes]:
    """Every file of the edition folder, by name: what write_edition puts on disk (which
    streams edition.json rather than holding it whole)."""
    return {**_message_files(rendered, message),
            EDITION_JSON: edition_json(edition).encode("utf-8")}


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange_dirs(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where the kernel or libc cannot."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def _replace_dir(new: Path, final: Path) -> None:
    """Put folder `new` at `final`, replacing what is there without a half-state."""
    if not final.exists():
        os.rename(new, final)
        return
    if exchange_dirs(new, final):
        shutil.rmtree(new)  # `new` now holds the old edition
        return
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    os.rename(final, old)
    os.rename(new, final)
    shutil.rmtree(old)


STALE_AFTER = 600  # seconds; a temporary folder this old is left over from a killed build


def _remove_leftovers(outbox: Path, name: str) -> None:
    """Temporary folders of builds that were killed (kill -9, power loss) before their rename."""
    now = time.time()
    for pattern in (f".{name}.*.tmp", f".{name}.old-*"):
        for path in outbox.glob(pattern):
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > STALE_AFTER:
                    shutil.rmtree(path)


def write_edition(outbox: Path, edition: Edition, rendered: Rendered,
                  message: EmailMessage, *, indexed: bool = False) -> Path:
    """Write the edition folder atomically; return its path. `indexed`: also put it into the
    outbox's index (index.py), as written, so the archive update after it need not read it
    back (an edition.json of 100,000 posts is tens of megabytes)."""
    if not _SAFE_NAME.fullmatch(edition.edition):
        raise OutboxError(f"unsafe edition id {edition.edition!r} (letters, digits, . _ + -)",
                          where=str(outbox))
    files = _message_files(rendered, message)  # everything that can fail, first
    final = outbox / edition.edition
    if final.is_symlink() or (final.exists() and not final.is_dir()):
        # Swapping it for the new folder would move a file the user put there, or follow a
        # link out of the outbox: refused before anything is written.
        what = "a symlink" if final.is_symlink() else "a file"
        raise OutboxError(f"{what} is where the edition folder goes; move it away",
                          where=str(final))
    tmp: Path | None = None
    try:
        outbox.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(outbox, edition.edition)
        tmp = Path(tempfile.mkdtemp(prefix=f".{edition.edition}.", suffix=".tmp", dir=outbox))
        for name, data in files.items():
            _write_file(tmp / name, data)
        with open(tmp / EDITION_JSON, "w", encoding="utf-8", newline="\n") as handle:
            write_edition_json(edition, handle)
            handle.flush()
            os.fsync(handle.fileno())
        # Its stamp, before the rename (which keeps the inode): if another build replaces the
        # folder meanwhile, the stamp no longer matches and the index reads that one instead.
        stamp = stamp_of(tmp / EDITION_JSON)
        os.chmod(tmp, 0o755)  # mkdtemp makes it 0700; an edition folder is an ordinary one
        _fsync_dir(tmp)
        _replace_dir(tmp, final)
        tmp = None
        _fsync_dir(outbox)
        if indexed and stamp is not None:
            remember(outbox, entry_of(final.name, stamp, top_level(edition),
                                      tuple(p.id for p in edition.posts)))
    except OSError as exc:
        raise OutboxError(f"cannot write the edition: {exc.strerror or exc}",
                          where=str(final)) from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutboxError("not an edition folder (no edition.json)",
                          where=str(path.parent)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OutboxError(f"unreadable: {exc}", where=str(path)) from None
    if not isinstance(data, dict):
        raise OutboxError("not a JSON object", where=str(path))
    return data


def read_edition(edition_dir: Path) -> Edition:
    """The Edition of a built folder, from its edition.json."""
    path = edition_dir / EDITION_JSON
    try:
        return edition_from_json(_load_json(path))
    except (KeyError, TypeError) as exc:
        raise OutboxError(f"missing or bad field {exc}", where=str(path)) from None


def read_rendered(edition_dir: Path) -> Rendered:
    """The rendered parts with their tokens, as `digest send` merges them per recipient."""
    parts = {}
    for name in ("digest.mjml", "digest.merge.html", "digest.merge.txt"):
        try:
            parts[name] = (edition_dir / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise OutboxError(f"cannot read: {exc}", where=str(edition_dir / name)) from None
    return Rendered(parts["digest.mjml"], parts["digest.merge.html"], parts["digest.merge.txt"])


def editions(outbox: Path) -> list[Path]:
    """Every edition folder in the outbox, oldest first (by edition date, then id), from the
    outbox's index; an edition.json that cannot be read is an error, not skipped, so that the
    newest edition is never taken to be an older one."""
    listed = entries(outbox, save=False)
    readable = {entry.folder for entry in listed}
    for folder in sorted(edition_folders(outbox)):
        if folder not in readable:
            raise OutboxError("unreadable edition (see the warning above)",
                              where=str(outbox / folder / EDITION_JSON))
    found = sorted((str(e.fields.get("date") or ""), e.folder) for e in listed)
    return [outbox / folder for _, folder in found]


def newest_edition(outbox: Path) -> Path:
    """The newest edition folder; OutboxError when the outbox holds none."""
    found = editions(outbox)
    if not found:
        raise OutboxError("no edition in the outbox; run `digest build` first",
                          where=str(outbox))
    return found[-1]
