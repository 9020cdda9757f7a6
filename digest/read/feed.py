"""RSS and Atom feeds, through feedparser: each item becomes a Post.

An item's Post: author = the item's author, else the feed's title; handle None (feeds have
none); date = the item's published (else updated) date, in UTC, else the feed's own date;
text = the title, a blank line, then the description with its HTML stripped; links and url =
the item's link (https); title = the item's title; has_media = the item carries an image or
enclosure; image (and image_alt) = its media:content or media:thumbnail, an image enclosure, or
the first `<img>` of its description or content (tracking pixels left out). Source is
"file:line" of the item's opening tag where the items can be located in the raw bytes, else the
file alone.

A feed that is not well-formed XML, or not a feed at all, is a SourceError naming the file
(and the line, where feedparser's XML parser gives one): a half-read feed would drop items
silently. feedparser's complaints about HTTP headers (an encoding or content type that the
document itself overrides) are not about the feed's content and are let through.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import time
from html.parser import HTMLParser
from typing import Any

import feedparser

from digest.errors import SourceError
from digest.model import Document, Post
from digest.read.common import absolute_https, post_id

_BENIGN_BOZO = ("CharacterEncodingOverride", "NonXMLContentType")
_XML_DECLARATION_RE = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml")
_ITEM_TAG_RE = re.compile(rb"<(?:[\w\-]+:)?(?:item|entry)[\s>/]")
_BLOCK_TAGS = {
    "p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "tr", "table", "figure", "figcaption", "section", "article", "hr",
}


class _TextOnly(HTMLParser):
    """The words of an HTML fragment: tags dropped, entities decoded, blocks kept apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    parser = _TextOnly()
    parser.feed(fragment)
    parser.close()
    return " ".join("".join(parser.parts).split())


def _iso_date(parsed: Any) -> str | None:
    if not isinstance(parsed, time.struct_time):
        return None
    # feedparser normalises to UTC; timegm keeps it there.
    return dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=dt.UTC).date().isoformat()


def _item_lines(data: bytes, count: int) -> list[int] | None:
    starts = [m.start() for m in _ITEM_TAG_RE.finditer(data)]
    if len(starts) != count:
        return None  # items inside CDATA or comments: cannot tell which tag is which item
    lines, line, last = [], 1, 0
    for start in starts:
        line += data.count(b"\n", last, start)
        last = start
        lines.append(line)
    return lines


def _check_bozo(parsed: Any, data: bytes, where: str) -> None:
    if not parsed.get("bozo"):
        return
    exc = parsed.get("bozo_exception")
    if type(exc).__name__ in _BENIGN_BOZO:
        return
    line = getattr(exc, "getLineNumber", lambda: None)()
    if line and not _XML_DECLARATION_RE.match(data):
        line -= 1  # feedparser prepended its own XML declaration and a newline
    reason = getattr(exc, "getMessage", lambda: str(exc))()
    raise SourceError(f"not a well-formed feed ({reason})",
                      where=f"{where}:{line}" if line else where)


class _Images(HTMLParser):
    """The `<img>` tags of an HTML fragment, as (src, alt), less tracking pixels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        src = values.get("src") or ""
        # A 1x1 image is a tracking pixel (NPR's "npr-rss-pixel.png"), not a picture.
        tiny = values.get("width") == "1" or values.get("height") == "1" or "pixel" in src
        if tag == "img" and src.lower().startswith("http") and not tiny:
            self.found.append((src, values.get("alt")))


def _image(entry: Any, description: str) -> tuple[str | None, str | None]:
    """The item's picture and its alt text: media:content or media:thumbnail first, then an
    image enclosure, then the first `<img>` in its HTML."""
    alt = None  # feedparser reads media:description as the item's summary: no alt of its own
    for media in (*entry.get("media_content", ()), *entry.get("media_thumbnail", ())):
        url = media.get("url") or ""
        kind = media.get("type") or media.get("medium") or "image"
        if url.lower().startswith("http") and kind.startswith("image"):
            return absolute_https(url), alt
    for link in entry.get("links", ()):
        url = link.get("href") or ""
        if (link.get("rel") == "enclosure" and (link.get("type") or "").startswith("image")
                and url.lower().startswith("http")):
            return absolute_https(url), alt
    images = _Images()
    images.feed(description)
    images.close()
    if images.found:
        src, img_alt = images.found[0]
        return absolute_https(src), (img_alt or "").strip() or alt
    return None, None


def _has_media(entry: Any) -> bool:
    if entry.get("media_content") or entry.get("media_thumbnail"):
        return True
    return any(link.get("rel") == "enclosure" for link in entry.get("links", ()))


# A character reference to half a surrogate pair (&#xD800;, &#55296;) names no character, and
# feedparser's loose parser fails encoding it: it is read as U+FFFD, as a browser does.
_SURROGATE_REF = re.compile(rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}|0*5[5-7][0-9]{3});")


def _surrogate_ref(match: re.Match[bytes]) -> bytes:
    ref = match.group()[2:-1]
    code = int(ref[1:], 16) if ref[:1] in b"xX" else int(ref)
    return b"&#xFFFD;" if 0xD800 <= code <= 0xDFFF else match.group()


def parse_feed(data: bytes, where: str) -> Document:
    try:
        parsed: Any = feedparser.parse(_SURROGATE_REF.sub(_surrogate_ref, data))
    except (ValueError, OverflowError, RecursionError, KeyError) as exc:
        # feedparser's own failure on hostile markup: a feed it cannot read is not a feed.
        # ValueError: UnicodeError too. KeyError: an item opened inside a <link> and closed
        # before it (feedparser then ends the link in a context that has no 'links').
        raise SourceError(f"not a readable feed ({type(exc).__name__})", where=where) from None
    _check_bozo(parsed, data, where)
    if not parsed.get("version") and not parsed.entries:
        raise SourceError("not an RSS or Atom feed", where=where)
    feed = parsed.feed
    feed_title = html_to_text(feed.get("title", "")) or None
    feed_date = _iso_date(feed.get("updated_parsed")) or _iso_date(feed.get("published_parsed"))
    lines = _item_lines(data, len(parsed.entries))
    posts: list[Post] = []
    for number, entry in enumerate(parsed.entries, start=1):
        source = f"{where}:{lines[number - 1]}" if lines else where
        date = (_iso_date(entry.get("published_parsed"))
                or _iso_date(entry.get("updated_parsed")) or feed_date)
        if date is None:
            raise SourceError(f"item {number} has no date, nor has the feed", where=source)
        title = html_to_text(entry.get("title", ""))
        description = entry.get("summary") or ""
        if not description and entry.get("content"):
            description = entry.content[0].get("value", "")
        body = html_to_text(description)
        text = "\n\n".join(part for part in (title, body if body != title else "") if part)
        if not text:
            continue  # an item with neither title nor description says nothing
        link = entry.get("link")
        url = absolute_https(link) if link and link.lower().startswith("http") else None
        author = html_to_text(entry.get("author", "")) or feed_title or where
        html = " ".join([description, *(c.get("value", "") for c in entry.get("content", ()))])
        image, image_alt = _image(entry, html)
        posts.append(Post(
            id=post_id(None, author, date, text),
            author=author,
            handle=None,
            date=date,
            text=text,
            links=(url,) if url else (),
            has_media=_has_media(entry) or image is not None,
            source=source,
            url=url,
            title=title or None,
            image=image,
            image_alt=image_alt,
        ))
    if not posts:
        raise SourceError("feed has no items", where=where)
    return Document(path=where, date=feed_date, title=feed_title, posts=tuple(posts))
