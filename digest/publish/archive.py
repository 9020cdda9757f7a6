"""The outbox's archive: index.html and feed.atom, rebuilt from the editions it holds.

Both files are derived only from the outbox's own `*/edition.json` (through the outbox's index
of them, index.py) and the newest `digest.eml` for the sender's name, never from the build in
hand, so any build, by any process, leaves an
archive that agrees with the folders next to it. Output is deterministic: timestamps come from
edition dates, ids are name-based UUIDs, so rebuilding an unchanged outbox gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from digest.errors import OutboxError
from digest.publish.index import entries

log = logging.getLogger(__name__)

ATOM = "http://www.w3.org/2005/Atom"
ASSETS = Path(__file__).resolve().parent / "assets"
DEFAULT_LIST_ID = "digest.localhost"


@dataclass(frozen=True)
class ArchivedEdition:
    folder: str  # the folder's name inside the outbox
    edition: str
    date: dt.date
    subject: str
    summary: str

    @property
    def href(self) -> str:
        return f"{quote(self.folder)}/digest.html"

    @property
    def date_text(self) -> str:
        return f"{self.date:%-d %b %Y}"


def read_editions(outbox: Path) -> list[ArchivedEdition]:
    """Every edition in the outbox, newest first (by date, then id), from the outbox's index
    (index.py), which re-reads any edition.json it has not seen as it is now. Unreadable ones
    are skipped with a warning: one damaged old folder must not stop new builds."""
    editions = []
    for entry in entries(outbox):
        fields = entry.fields
        try:
            date = dt.date.fromisoformat(str(fields["date"]))
        except (KeyError, ValueError) as exc:
            log.warning("%s: skipped in the archive (%s: %s)", outbox / entry.folder /
                        "edition.json", type(exc).__name__, exc)
            continue
        editions.append(ArchivedEdition(
            folder=entry.folder,
            edition=str(fields.get("edition") or entry.folder),
            date=date,
            subject=str(fields.get("subject") or fields.get("title") or entry.folder),
            summary=str(fields.get("summary") or ""),
        ))
    editions.sort(key=lambda e: (e.date, e.edition), reverse=True)
    return editions


def _sender(outbox: Path, editions: list[ArchivedEdition]) -> str:
    """The From display name of the newest edition's .eml: the archive's title and author."""
    for edition in editions:
        eml = outbox / edition.folder / "digest.eml"
        try:
            with eml.open("rb") as fh:
                headers = BytesHeaderParser(policy=default_policy).parse(fh)
        except OSError:
            continue
        name, addr = parseaddr(str(headers.get("From", "")))
        if name or addr:
            return name or addr
    return "Digest"


def _timestamp(date: dt.date) -> str:
    return f"{date.isoformat()}T00:00:00Z"


def _urn(*parts: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, "digest:" + "/".join(parts)).urn


def render_feed(editions: list[ArchivedEdition], title: str, list_id: str,
                base_url: str = "") -> bytes:
    """An Atom 1.0 feed of the editions; links are relative to the outbox (the feed's folder),
    or absolute under `base_url` (where the outbox is published), which feed readers that
    copy entries elsewhere need."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", _urn(list_id))
    sub(feed, "title", title, type="text")
    # An empty archive has no date of its own; the epoch keeps the output deterministic.
    newest = editions[0].date if editions else dt.date(1970, 1, 1)
    sub(feed, "updated", _timestamp(newest))
    sub(sub(feed, "author"), "name", title)
    sub(feed, "link", rel="self", href=f"{base_url}feed.atom", type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=f"{base_url}index.html", type="text/html")
    sub(feed, "generator", "digest")
    for edition in editions:
        entry = sub(feed, "entry")
        sub(entry, "id", _urn(list_id, edition.edition))
        sub(entry, "title", edition.subject, type="text")
        sub(entry, "published", _timestamp(edition.date))
        sub(entry, "updated", _timestamp(edition.date))
        sub(entry, "link", rel="alternate", href=f"{base_url}{edition.href}", type="text/html")
        if edition.summary:
            sub(entry, "summary", edition.summary, type="text")
    ET.indent(feed)
    data: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def render_index(editions: list[ArchivedEdition], title: str, base_url: str = "") -> bytes:
    env = Environment(loader=FileSystemLoader(ASSETS), autoescape=True,
                      undefined=StrictUndefined, keep_trailing_newline=True)
    page: str = env.get_template("archive.html").render(title=title, editions=editions,
                                                      base_url=base_url)
    return page.encode("utf-8")


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the archive from a web server
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def update_archive(outbox: Path, *, list_id: str = DEFAULT_LIST_ID,
                   base_url: str | None = None) -> None:
    """Rebuild outbox/index.html and outbox/feed.atom from the outbox's editions, atomically.

    `list_id` (the email List-Id) makes the feed's ids unique to this digest; `base_url`
    ([archive] base_url, ending in "/") makes their links absolute.
    """
    try:
        editions = read_editions(outbox)
        title = _sender(outbox, editions)
        _write_atomic(outbox / "feed.atom", render_feed(editions, title, list_id,
                                                        base_url or ""))
        _write_atomic(outbox / "index.html", render_index(editions, title, base_url or ""))
    except OSError as exc:
        raise OutboxError(f"cannot write the archive ({exc.strerror or exc})",
                          where=str(exc.filename or outbox)) from None
